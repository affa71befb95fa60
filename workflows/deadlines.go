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
	domain.EventCreated: startTriage,
	domain.EventTriaged: func(r *caseRun, ctx workflow.Context, c *domain.Case, now time.Time) error {
		if c.Status != domain.StatusReferral { // answered or rejected: closed
			return nil
		}
		return startReferral(r, ctx, c, now)
	},
	domain.EventReferred: func(r *caseRun, ctx workflow.Context, c *domain.Case, now time.Time) error {
		d := &c.Deadlines
		if err := r.setDeadline(ctx, &d.Sign, now, r.policy.SignDays); err != nil {
			return err
		}
		if c.DueDate != "" {
			d.Handling = c.DueDate // given at referral
			return nil
		}
		return r.setDeadline(ctx, &d.Handling, now, r.policy.HandlingDaysFor(c.SLA))
	},
	domain.EventReturned: startReferral,
	domain.EventCompleted: func(r *caseRun, ctx workflow.Context, c *domain.Case, now time.Time) error {
		return r.setDeadline(ctx, &c.Deadlines.Callback, now, r.policy.CallbackDays)
	},
	domain.EventCalledBack: func(r *caseRun, ctx workflow.Context, c *domain.Case, now time.Time) error {
		if c.Status != domain.StatusHandling { // satisfied, or out of redos
			return nil
		}
		c.Deadlines.Callback = "" // redo (重办): handled again
		return r.setDeadline(ctx, &c.Deadlines.Handling, now, r.policy.HandlingDaysFor(c.SLA))
	},
	domain.EventReopened: func(r *caseRun, ctx workflow.Context, c *domain.Case, now time.Time) error {
		if c.Status == domain.StatusTriage {
			return startTriage(r, ctx, c, now)
		}
		return startReferral(r, ctx, c, now)
	},
	domain.EventExtensionApproved: func(r *caseRun, ctx workflow.Context, c *domain.Case, _ time.Time) error {
		if c.Deadlines.Handling == "" {
			return nil
		}
		var err error
		c.Deadlines.Handling, err = r.workdays(ctx, domain.DeadlineInput{FromDate: c.Deadlines.Handling, Days: c.Extension.Days})
		return err
	},
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
