// The actions of follow-up: the callback to the enterprise (回访), close-out (销号) and reopening.
// Each action is whole here, as registered by its entry in Actions (registry.go): its body and
// the body's Validate, its check and apply, the event type and data it records (the data's
// type and sensitive fields are in domain/events.go) and the deadlines that event sets (named
// in deadlineEffects).

package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/putian-fic/caseflow/workflows/domain"
)

// CallbackBody is the enterprise's answer when called back (回访).
type CallbackBody struct {
	Solved    *bool  `json:"solved"`
	Satisfied *bool  `json:"satisfied"`
	Note      string `json:"note"`
}

// Validate checks the callback's note.
func (b CallbackBody) Validate() error { return CheckText("note", b.Note) }

// CloseBody closes the case out (销号).
type CloseBody struct {
	Note string `json:"note"`
}

// Validate checks the closing note.
func (b CloseBody) Validate() error { return CheckText("note", b.Note) }

// ReopenBody reopens a closed case.
type ReopenBody struct {
	Reason string `json:"reason"`
}

// Validate checks the reason for reopening.
func (b ReopenBody) Validate() error { return CheckText("reason", b.Reason) }

func (b CallbackBody) check(c *domain.Case, a domain.Actor, _ time.Time) error {
	if a.Role == domain.RoleSupervision {
		if err := requireLeadOffice(c, a); err != nil {
			return err
		}
	} else if err := requireRole(a, domain.RoleMemberDept, domain.RoleSupervision); err != nil {
		return err
	}
	if err := requireStatus(c, UpdateCallback, domain.StatusFollowUp); err != nil {
		return err
	}
	if c.Callback != nil {
		return rejection(ErrInvalidTransition, "本轮已回访，等待销号 (the enterprise was called back already; the case awaits closure)")
	}
	if b.Solved == nil {
		return invalidInput("solved", "必填 (required: true or false)")
	}
	if b.Satisfied == nil {
		return invalidInput("satisfied", "必填 (required: true or false)")
	}
	return limitText("note", b.Note)
}

func (b CallbackBody) apply(c *domain.Case, _ domain.Actor, now time.Time) []eventDraft {
	cb := &domain.Callback{Solved: *b.Solved, Satisfied: *b.Satisfied, Note: b.Note, At: now}
	data := domain.CalledBack{Solved: cb.Solved, Satisfied: cb.Satisfied, Note: b.Note}
	if !cb.Satisfied && c.RedoCount < MaxRedos {
		// Not satisfied: handled again (重办) with a new deadline.
		c.RedoCount++
		c.Status = domain.StatusHandling
		c.Outcome, c.Report = "", ""
		c.Callback = nil
		data.Redo, data.RedoCount = true, c.RedoCount
		return []eventDraft{{Type: domain.EventCalledBack, Data: data}}
	}
	// Satisfied, or out of redos: the lead office may now close the case.
	c.Callback = cb
	return []eventDraft{{Type: domain.EventCalledBack, Data: data}}
}

func (b CloseBody) check(c *domain.Case, a domain.Actor, _ time.Time) error {
	if err := requireLeadOffice(c, a); err != nil {
		return err
	}
	if err := requireStatus(c, UpdateClose, domain.StatusFollowUp); err != nil {
		return err
	}
	if c.Callback == nil {
		return rejection(ErrInvalidTransition, "销号前须回访企业 (call the enterprise back before closing)")
	}
	return limitText("note", b.Note)
}

func (b CloseBody) apply(c *domain.Case, _ domain.Actor, _ time.Time) []eventDraft {
	c.Status = domain.StatusClosed
	c.Resolution = b.Note
	return []eventDraft{{Type: domain.EventClosed, Data: domain.Closed{Note: text(b.Note), Outcome: text(c.Outcome)}}}
}

func (b ReopenBody) check(c *domain.Case, a domain.Actor, _ time.Time) error {
	if err := requireLeadOffice(c, a); err != nil {
		return err
	}
	if err := requireStatus(c, UpdateReopen, domain.StatusClosed); err != nil {
		return err
	}
	if c.ParentID != "" {
		return rejection(ErrInvalidTransition, fmt.Sprintf("本案随共性问题主案 %s 销号，不能单独重新打开 (it closed with its parent case)", c.ParentID))
	}
	return requireText("reason", b.Reason)
}

func (b ReopenBody) apply(c *domain.Case, _ domain.Actor, _ time.Time) []eventDraft {
	// A case never referred goes back to triage; one that was goes back to its office
	// to be referred again.
	c.Status = domain.StatusTriage
	if c.Office != "" {
		c.Status = domain.StatusReferral
	}
	c.Callback, c.Outcome, c.Report, c.Resolution, c.DueDate = nil, "", "", "", ""
	c.SignedUnits = []string{}
	return []eventDraft{{Type: domain.EventReopened, Data: domain.Reopened{Reason: b.Reason, Status: c.Status}}}
}

// calledBackDeadlines: a callback that sends the case back (重办) gives the unit a new
// handling deadline; one satisfied, or out of redos, sets none.
func calledBackDeadlines(r *caseRun, ctx workflow.Context, c *domain.Case, now time.Time) error {
	if c.Status != domain.StatusHandling {
		return nil
	}
	c.Deadlines.Callback = ""
	return r.setDeadline(ctx, &c.Deadlines.Handling, now, r.policy.HandlingDaysFor(c.SLA))
}

// reopenedDeadlines: a reopened case starts its step's clock again.
func reopenedDeadlines(r *caseRun, ctx workflow.Context, c *domain.Case, now time.Time) error {
	if c.Status == domain.StatusTriage {
		return startTriage(r, ctx, c, now)
	}
	return startReferral(r, ctx, c, now)
}
