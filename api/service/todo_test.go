package service

import (
	"testing"
	"time"

	"github.com/putian-fic/caseflow/activities/calendar"
	"github.com/putian-fic/caseflow/workflows/domain"
)

// A deadline reads in working days on the statutory calendar: across a weekend, and across
// the Spring Festival's days off and its Saturday worked.
func TestADeadlineCountsDownInWorkingDays(t *testing.T) {
	cal := calendar.New()
	day := func(s string) time.Time { d, _ := calendar.ParseDate(s); return d.Add(10 * time.Hour) }
	for _, tc := range []struct {
		due, today    string
		left, overdue int
	}{
		{"2026-12-04", "2026-12-02", 2, 0}, // Wednesday to Friday
		{"2026-12-07", "2026-12-04", 1, 0}, // Friday to Monday: the weekend is not counted
		{"2026-12-02", "2026-12-02", 0, 0}, // due today
		{"2026-12-04", "2026-12-08", 0, 2}, // due Friday, now Tuesday: Monday and Tuesday late
		{"2026-02-24", "2026-02-13", 2, 0}, // Friday before the festival (15–23 February off; Saturday 14 February worked) to Tuesday 24th
	} {
		c := countdown(cal, domain.DeadlineHandling, tc.due, day(tc.today))
		if c.Left != tc.left || c.Overdue != tc.overdue {
			t.Errorf("due %s, today %s: %d left, %d overdue; want %d and %d", tc.due, tc.today, c.Left, c.Overdue, tc.left, tc.overdue)
		}
	}
}
