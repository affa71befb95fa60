package workflows

import (
	"fmt"
	"time"

	"github.com/putian-fic/caseflow/workflows/domain"
)

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
	data := map[string]any{"solved": cb.Solved, "satisfied": cb.Satisfied, "note": b.Note, "redo": false}
	if !cb.Satisfied && c.RedoCount < MaxRedos {
		// Not satisfied: handled again (重办) with a new deadline.
		c.RedoCount++
		c.Status = domain.StatusHandling
		c.Outcome, c.Report = "", ""
		c.Callback = nil
		data["redo"], data["redo_count"] = true, c.RedoCount
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
	return []eventDraft{{Type: domain.EventClosed, Data: map[string]any{"note": b.Note, "outcome": c.Outcome}}}
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
	return []eventDraft{{Type: domain.EventReopened, Data: map[string]string{"reason": b.Reason, "status": c.Status}}}
}
