package activities_test

import (
	"context"
	"testing"
	"time"

	"github.com/putian-fic/caseflow/activities"
	"github.com/putian-fic/caseflow/activities/store"
	"github.com/putian-fic/caseflow/workflows/domain"
)

// A deadline planned with its ladder falls where the two activities it replaces put them,
// on the calendar an administrator entered.
func TestAPlannedDeadlineAndItsLadderAreThoseOfTheTwoActivitiesItReplaces(t *testing.T) {
	ctx := context.Background()
	st := newStore(t)
	// Monday 7 December 2026 made a holiday: five working days from Thursday 3 December
	// end on Friday 11 December rather than Thursday 10.
	if err := st.SaveCalendarYear(ctx, store.CalendarYear{Year: 2026, Holidays: []string{"2026-12-07"}, Workdays: []string{}, UpdatedBy: "admin"}); err != nil {
		t.Fatal(err)
	}
	a := &activities.Activities{Store: st}
	from := time.Date(2026, 12, 3, 10, 0, 0, 0, time.FixedZone("CST", 8*3600))
	ladder := domain.LadderInput{ReminderBefore: 1, UrgeAfter: 1, YellowAfter: 3, RedAfter: 5, Hour: 9}
	for _, in := range []domain.DeadlineInput{{From: from, Days: 5}, {FromDate: "2026-12-03", Days: 5}} {
		got, err := a.PlannedDeadline(ctx, domain.PlannedDeadlineInput{Deadline: in, Ladder: ladder})
		if err != nil {
			t.Fatal(err)
		}
		date, err := a.WorkdayDeadline(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		in := ladder
		in.Due = date
		plan, err := a.PlanLadder(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		if got.Date != "2026-12-11" || date != got.Date || got.Ladder != plan {
			t.Errorf("planned %+v; want 2026-12-11 with %+v", got, plan)
		}
		// The reminder a working day before: Thursday 10 December, 09:00 (the holiday on
		// Monday is skipped by the days after too: red five working days after is 18 December).
		if r := got.Ladder.Reminder.Format("2006-01-02 15:04"); r != "2026-12-10 09:00" {
			t.Errorf("reminder %s, want 2026-12-10 09:00", r)
		}
		if red := got.Ladder.Red.Format("2006-01-02"); red != "2026-12-18" {
			t.Errorf("red card on %s, want 2026-12-18", red)
		}
	}
	if _, err := a.PlannedDeadline(ctx, domain.PlannedDeadlineInput{Deadline: domain.DeadlineInput{FromDate: "3 December", Days: 5}}); err == nil {
		t.Error("a deadline from a date that is not one was planned")
	}
}
