package workflows

import (
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/putian-fic/caseflow/workflows/domain"
)

// deadlineEffect is what one event does to the deadlines of the case as the event leaves it.
type deadlineEffect func(r *caseRun, ctx workflow.Context, c *domain.Case, now time.Time) error

// deadlineEffects say, per event type, how deadlines follow the events: a step that starts
// gets its deadline counted in working days from now; a return stops the unit's clock; an
// approved extension moves the handling deadline, keeping the budget that remained. Events
// not listed leave the deadlines alone.
var deadlineEffects = map[string]deadlineEffect{
	domain.EventCreated:           startTriage,
	domain.EventTriaged:           triagedDeadlines,           // triage.go
	domain.EventReferred:          referredDeadlines,          // handling.go
	domain.EventReturned:          startReferral,              // handling.go: the unit's clock stops
	domain.EventCompleted:         completedDeadlines,         // handling.go
	domain.EventCalledBack:        calledBackDeadlines,        // followup.go
	domain.EventReopened:          reopenedDeadlines,          // followup.go
	domain.EventExtensionApproved: extensionApprovedDeadlines, // extension.go
}

// withDeadlines is an event's data with the deadlines the event set, for the event types
// whose data records them (a referral, an approved extension, a callback that sends the
// case back): the audit reads a unit's deadlines from the timeline, not by counting them
// again.
func withDeadlines(data any, d domain.Deadlines) any {
	switch v := data.(type) {
	case domain.Referred:
		v.Deadlines = &d
		return v
	case domain.ExtensionDecided:
		v.Deadlines = &d
		return v
	case domain.CalledBack:
		if v.Redo {
			v.Deadlines = &d
		}
		return v
	}
	return data
}

func startTriage(r *caseRun, ctx workflow.Context, c *domain.Case, now time.Time) error {
	return r.setDeadline(ctx, &c.Deadlines.Triage, now, r.policy.TriageDays)
}

func startReferral(r *caseRun, ctx workflow.Context, c *domain.Case, now time.Time) error {
	c.Deadlines.Sign, c.Deadlines.Handling = "", "" // the unit's clock stops
	return r.setDeadline(ctx, &c.Deadlines.Referral, now, r.policy.ReferralDays)
}

// setDeadline sets a deadline days working days from now.
func (r *caseRun) setDeadline(ctx workflow.Context, field *string, now time.Time, days int) error {
	date, err := r.workdays(ctx, domain.DeadlineInput{From: now, Days: days})
	*field = date
	return err
}

// updateDeadlines applies the events' effects on the deadlines to c, the case as the events
// leave it, and wakes the ladder.
func (r *caseRun) updateDeadlines(ctx workflow.Context, c *domain.Case, events []eventDraft, now time.Time) error {
	for _, e := range events {
		if effect := deadlineEffects[e.Type]; effect != nil {
			if err := effect(r, ctx, c, now); err != nil {
				return err
			}
		}
	}
	c.DueDate = c.Deadlines.Handling
	r.deadlinesChanged++
	c.Overdue = overdue(c, r.ladders)
	return nil
}
