package workflows

import (
	"slices"
	"time"

	"github.com/putian-fic/caseflow/workflows/domain"
)

func (b ReferBody) check(c *domain.Case, a domain.Actor, now time.Time) error {
	if err := requireLeadOffice(c, a); err != nil {
		return err
	}
	if err := requireStatus(c, UpdateRefer, domain.StatusReferral); err != nil {
		return err
	}
	lead, co := b.units(c)
	if err := checkUnits(lead, co); err != nil {
		return err
	}
	if b.DueDate != "" {
		d, err := time.ParseInLocation(domain.DateLayout, b.DueDate, domain.Shanghai)
		if err != nil {
			return invalidInput("due_date", "应为 YYYY-MM-DD (must be a date YYYY-MM-DD)")
		}
		if d.Format(domain.DateLayout) <= today(now) {
			return invalidInput("due_date", "办理期限必须晚于今天 (must be after today)")
		}
	}
	return limitText("instructions", b.Instructions)
}

func (b ReferBody) units(c *domain.Case) (string, []string) {
	lead, co := b.LeadUnit, c.CoUnits
	if lead == "" {
		lead = c.LeadUnit
	}
	if b.CoUnits != nil {
		co = *b.CoUnits
	}
	return lead, domain.NonNil(co)
}

func (b ReferBody) apply(c *domain.Case, _ domain.Actor, now time.Time) []eventDraft {
	c.LeadUnit, c.CoUnits = b.units(c)
	referred := slices.Clone(domain.NonNil(c.ReferredUnits))
	for _, u := range append([]string{c.LeadUnit}, c.CoUnits...) {
		if !slices.Contains(referred, u) {
			referred = append(referred, u)
		}
	}
	c.ReferredUnits = referred
	c.DueDate = b.DueDate // the deadlines fill it when it is left out
	c.SignedUnits = []string{}
	c.Status = domain.StatusHandling
	return []eventDraft{{Type: domain.EventReferred, Data: map[string]any{
		"lead_unit": c.LeadUnit, "co_units": c.CoUnits, "due_date": b.DueDate, "instructions": b.Instructions}}}
}

func (SignBody) check(c *domain.Case, a domain.Actor, _ time.Time) error {
	if err := requireAssignedUnit(c, a, false); err != nil {
		return err
	}
	if err := requireStatus(c, UpdateSign, domain.StatusHandling); err != nil {
		return err
	}
	if slices.Contains(c.SignedUnits, a.Unit) {
		return rejection(ErrInvalidTransition, "贵单位已签收本案 (your unit has signed for this case already)")
	}
	return nil
}

func (SignBody) apply(c *domain.Case, a domain.Actor, _ time.Time) []eventDraft {
	c.SignedUnits = append(slices.Clone(c.SignedUnits), a.Unit)
	return []eventDraft{{Type: domain.EventSigned, Data: map[string]string{"unit": a.Unit}}}
}

func (b ProgressBody) check(c *domain.Case, a domain.Actor, _ time.Time) error {
	if err := requireAssignedUnit(c, a, false); err != nil {
		return err
	}
	if err := requireStatus(c, UpdateProgress, domain.StatusHandling); err != nil {
		return err
	}
	if err := requireSigned(c, a); err != nil {
		return err
	}
	return requireText("note", b.Note)
}

func (b ProgressBody) apply(_ *domain.Case, a domain.Actor, _ time.Time) []eventDraft {
	return []eventDraft{{Type: domain.EventProgress, Data: map[string]string{"unit": a.Unit, "note": b.Note}}}
}

func (b ReturnBody) check(c *domain.Case, a domain.Actor, _ time.Time) error {
	if err := requireAssignedUnit(c, a, true); err != nil {
		return err
	}
	if err := requireStatus(c, UpdateReturn, domain.StatusHandling); err != nil {
		return err
	}
	if slices.Contains(c.SignedUnits, a.Unit) && slices.Contains(c.ReturnedAfterSigning, a.Unit) {
		return rejection(ErrInvalidTransition, "贵单位签收后已退回过本案一次，不能再次退回 (your unit has returned this case once after signing for it)")
	}
	return requireText("grounds", b.Grounds)
}

func (b ReturnBody) apply(c *domain.Case, a domain.Actor, _ time.Time) []eventDraft {
	if slices.Contains(c.SignedUnits, a.Unit) {
		c.ReturnedAfterSigning = append(slices.Clone(c.ReturnedAfterSigning), a.Unit)
	}
	c.Status = domain.StatusReferral
	c.SignedUnits = []string{}
	c.DueDate = ""
	c.ReturnCount++
	return []eventDraft{{Type: domain.EventReturned, Data: map[string]string{"unit": a.Unit, "grounds": b.Grounds}}}
}

func (b CompleteBody) check(c *domain.Case, a domain.Actor, _ time.Time) error {
	if err := requireAssignedUnit(c, a, true); err != nil {
		return err
	}
	if err := requireStatus(c, UpdateComplete, domain.StatusHandling); err != nil {
		return err
	}
	if err := requireSigned(c, a); err != nil {
		return err
	}
	return requireText("report", b.Report) // the outcome is one of domain.Outcomes: Validate
}

func (b CompleteBody) apply(c *domain.Case, _ domain.Actor, _ time.Time) []eventDraft {
	c.Outcome, c.Report = b.Outcome, b.Report
	c.Callback = nil
	c.Status = domain.StatusFollowUp
	return []eventDraft{{Type: domain.EventCompleted, Data: b}}
}
