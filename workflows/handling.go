// The actions of handling: referral (转办), sign-for (签收), progress, return (退回) and completion
// (办结). Each action is whole here, as registered by its entry in Actions (registry.go): its
// body and the body's Validate, its check and apply, the event type and data it records (the
// data's type and sensitive fields are in domain/events.go) and the deadlines that event sets
// (named in deadlineEffects).

package workflows

import (
	"slices"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/putian-fic/caseflow/workflows/domain"
)

// ReferBody is the lead supervision office's referral to the units (转办). Units left out
// default to triage's choice; the due date defaults to 15 working days.
type ReferBody struct {
	LeadUnit     string    `json:"lead_unit,omitempty"`
	CoUnits      *[]string `json:"co_units,omitempty"`
	DueDate      string    `json:"due_date,omitempty"`
	Instructions string    `json:"instructions,omitempty"`
}

// Validate checks the referral's own fields.
func (b ReferBody) Validate() error {
	if err := checkIDs("units", unitsOf(b.LeadUnit, b.CoUnits)...); err != nil {
		return err
	}
	if err := CheckLine("due_date", b.DueDate, 10); err != nil {
		return err
	}
	return CheckText("instructions", b.Instructions)
}

// SignBody is a unit signing for a referred case (签收).
type SignBody struct{}

// Validate has nothing to check: signing for a case has no body.
func (SignBody) Validate() error { return nil }

// ProgressBody is a unit's progress report.
type ProgressBody struct {
	Note string `json:"note"`
}

// Validate checks the progress note.
func (b ProgressBody) Validate() error { return CheckText("note", b.Note) }

// ReturnBody is the lead unit sending a misrouted case back (退回).
type ReturnBody struct {
	Grounds string `json:"grounds"`
}

// Validate checks the grounds of a return.
func (b ReturnBody) Validate() error { return CheckText("grounds", b.Grounds) }

// CompleteBody is the lead unit's completion report (办结报告).
type CompleteBody struct {
	Outcome string `json:"outcome"`
	Report  string `json:"report"`
}

// Validate checks the completion report.
func (b CompleteBody) Validate() error {
	if err := oneOf("outcome", b.Outcome, domain.Outcomes); err != nil {
		return err
	}
	return CheckText("report", b.Report)
}

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
	return []eventDraft{{Type: domain.EventReferred, Data: domain.Referred{
		LeadUnit: c.LeadUnit, CoUnits: c.CoUnits, DueDate: b.DueDate, Instructions: b.Instructions}}}
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
	return []eventDraft{{Type: domain.EventSigned, Data: domain.Signed{Unit: a.Unit}}}
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
	return []eventDraft{{Type: domain.EventProgress, Data: domain.Progressed{Unit: a.Unit, Note: b.Note}}}
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
	return []eventDraft{{Type: domain.EventReturned, Data: domain.Returned{Unit: a.Unit, Grounds: b.Grounds}}}
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
	return []eventDraft{{Type: domain.EventCompleted, Data: domain.Completed{Outcome: b.Outcome, Report: b.Report}}}
}

// referredDeadlines: a referral starts the unit's sign-for and handling deadlines (the due
// date the office gave, or the SLA's working days).
func referredDeadlines(r *caseRun, ctx workflow.Context, c *domain.Case, now time.Time) error {
	d := &c.Deadlines
	if err := r.setDeadline(ctx, &d.Sign, now, r.policy.SignDays); err != nil {
		return err
	}
	if c.DueDate != "" {
		d.Handling = c.DueDate // given at referral
		return nil
	}
	return r.setDeadline(ctx, &d.Handling, now, r.policy.HandlingDaysFor(c.SLA))
}

// completedDeadlines: a completion starts the callback's deadline.
func completedDeadlines(r *caseRun, ctx workflow.Context, c *domain.Case, now time.Time) error {
	return r.setDeadline(ctx, &c.Deadlines.Callback, now, r.policy.CallbackDays)
}
