package activities

import (
	"context"
	"time"

	"github.com/putian-fic/caseflow/activities/calendar"
	"github.com/putian-fic/caseflow/workflows/domain"
)

// WorkdayDeadline computes a deadline on the calendar in force. It is an activity because
// the calendar lives in PostgreSQL and can change.
func (a *Activities) WorkdayDeadline(ctx context.Context, in domain.DeadlineInput) (string, error) {
	cal, err := a.Store.Calendar(ctx)
	if err != nil {
		return "", err
	}
	return deadlineOn(cal, in)
}

// PlanLadder places the rungs of a deadline's ladder on working days, at the given hour.
func (a *Activities) PlanLadder(ctx context.Context, in domain.LadderInput) (domain.LadderPlan, error) {
	cal, err := a.Store.Calendar(ctx)
	if err != nil {
		return domain.LadderPlan{}, err
	}
	return ladderOn(cal, in)
}

// PlannedDeadline computes a deadline and places its ladder's rungs, on one reading of the
// calendar in force: what WorkdayDeadline and then PlanLadder answer, in one activity (a
// case's runs since "changes-2026-12" version 2 call it; workflows/supervise.go).
func (a *Activities) PlannedDeadline(ctx context.Context, in domain.PlannedDeadlineInput) (domain.PlannedDeadline, error) {
	cal, err := a.Store.Calendar(ctx)
	if err != nil {
		return domain.PlannedDeadline{}, err
	}
	date, err := deadlineOn(cal, in.Deadline)
	if err != nil {
		return domain.PlannedDeadline{}, err
	}
	in.Ladder.Due = date
	plan, err := ladderOn(cal, in.Ladder)
	return domain.PlannedDeadline{Date: date, Ladder: plan}, err
}

// deadlineOn is the date in.Days working days after in.From (or after in.FromDate).
func deadlineOn(cal *calendar.Calendar, in domain.DeadlineInput) (string, error) {
	from := in.From
	if in.FromDate != "" {
		var err error
		if from, err = calendar.ParseDate(in.FromDate); err != nil {
			return "", err
		}
	}
	return cal.AddWorkdays(from, in.Days).Format(domain.DateLayout), nil
}

// ladderOn places the rungs of the ladder of the deadline in.Due.
func ladderOn(cal *calendar.Calendar, in domain.LadderInput) (domain.LadderPlan, error) {
	due, err := calendar.ParseDate(in.Due)
	if err != nil {
		return domain.LadderPlan{}, err
	}
	at := func(n int) time.Time { return cal.AddWorkdays(due, n).Add(time.Duration(in.Hour) * time.Hour) }
	return domain.LadderPlan{Reminder: at(-in.ReminderBefore), Blue: at(in.UrgeAfter), Yellow: at(in.YellowAfter), Red: at(in.RedAfter)}, nil
}

// IssueNotice numbers a supervision notice (督办单); idempotent per case, deadline and card.
func (a *Activities) IssueNotice(ctx context.Context, n domain.Notice) (domain.Notice, error) {
	return a.Store.IssueNotice(ctx, n)
}
