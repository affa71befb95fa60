// The actions of appeals (申诉) against items of a unit's audit figures, and their decision.
// Each action is whole here, as registered by its entry in Actions (registry.go): its body and
// the body's Validate, its check and apply, the event type and data it records (the data's
// type and sensitive fields are in domain/events.go) and the deadlines that event sets (named
// in deadlineEffects).

package workflows

import (
	"fmt"
	"slices"
	"time"

	"github.com/putian-fic/caseflow/workflows/domain"
)

// AppealBody is a unit's appeal (申诉): why, and which items (domain.AppealItems).
type AppealBody struct {
	Reason string   `json:"reason"`
	Items  []string `json:"items"`
}

// DecideAppealBody is the efficiency office's decision on appeal N.
type DecideAppealBody struct {
	N      int    `json:"n"` // set from the path by the API
	Accept *bool  `json:"accept"`
	Note   string `json:"note"`
}

// MaxAppeals bounds the appeals on one case.
const MaxAppeals = 20

// Appeals (申诉): a unit asks the efficiency office to take items of a case out of its audit
// figures (its overdue time, a card…); the office accepts or rejects it. Both are timeline
// events through the case's workflow; the audit reads the accepted ones.

// Validate checks the appeal's own fields.
func (b AppealBody) Validate() error {
	if err := CheckText("reason", b.Reason); err != nil {
		return err
	}
	if len(b.Items) == 0 || len(b.Items) > len(domain.AppealItems) {
		return invalidInput("items", fmt.Sprintf("应列出 1 到 %d 项 (1 to %d items)", len(domain.AppealItems), len(domain.AppealItems)))
	}
	seen := map[string]bool{}
	for _, it := range b.Items {
		if err := oneOf("items", it, domain.AppealItems); err != nil {
			return err
		}
		if seen[it] {
			return invalidInput("items", fmt.Sprintf("%q 重复 (listed twice)", it))
		}
		seen[it] = true
	}
	return nil
}

func (b AppealBody) check(c *domain.Case, a domain.Actor, _ time.Time) error {
	if err := requireRole(a, domain.RoleUnit); err != nil {
		return err
	}
	if !WasReferredTo(c, a.Unit) {
		return forbidden("本案未交办给贵单位，不能申诉 (the case was not referred to your unit)")
	}
	if err := requireText("reason", b.Reason); err != nil {
		return err
	}
	if len(c.Appeals) >= MaxAppeals {
		return rejection(ErrInvalidTransition, fmt.Sprintf("本案申诉已达 %d 次 (at most %d appeals per case)", MaxAppeals, MaxAppeals))
	}
	for _, ap := range c.Appeals {
		if ap.Unit == a.Unit && ap.Status == domain.AppealPending {
			return rejection(ErrInvalidTransition, fmt.Sprintf("贵单位的第 %d 号申诉尚待裁决 (your appeal %d is still pending)", ap.N, ap.N))
		}
	}
	return nil
}

func (b AppealBody) apply(c *domain.Case, a domain.Actor, now time.Time) []eventDraft {
	n := len(c.Appeals) + 1
	c.Appeals = append(slices.Clone(c.Appeals), domain.Appeal{N: n, Unit: a.Unit, Reason: b.Reason, Items: slices.Clone(b.Items),
		Status: domain.AppealPending, At: now})
	return []eventDraft{{Type: domain.EventAppealed, Data: domain.Appealed{N: n, Unit: a.Unit, Reason: b.Reason, Items: b.Items}}}
}

// Validate checks the decision's own fields.
func (b DecideAppealBody) Validate() error {
	if b.Accept == nil {
		return invalidInput("accept", "必填 (required: true or false)")
	}
	return CheckText("note", b.Note)
}

func (b DecideAppealBody) check(c *domain.Case, a domain.Actor, _ time.Time) error {
	if err := requireRole(a, domain.RoleEfficiency); err != nil {
		return err
	}
	if b.N < 1 || b.N > len(c.Appeals) {
		return rejection(ErrNotFoundAppeal, fmt.Sprintf("本案没有第 %d 号申诉 (no appeal %d on this case)", b.N, b.N))
	}
	if ap := c.Appeals[b.N-1]; ap.Status != domain.AppealPending {
		return rejection(ErrInvalidTransition, fmt.Sprintf("第 %d 号申诉已裁决 (appeal %d is decided already)", b.N, b.N))
	}
	return nil
}

func (b DecideAppealBody) apply(c *domain.Case, a domain.Actor, now time.Time) []eventDraft {
	c.Appeals = slices.Clone(c.Appeals)
	ap := &c.Appeals[b.N-1]
	typ := domain.EventAppealRejected
	ap.Status = domain.AppealRejected
	if *b.Accept {
		ap.Status, typ = domain.AppealAccepted, domain.EventAppealAccepted
	}
	ap.Note, ap.DecidedBy, ap.DecidedAt = b.Note, a.Username, now
	return []eventDraft{{Type: typ, Data: domain.AppealDecided{N: b.N, Unit: ap.Unit, Items: ap.Items, Note: b.Note}}}
}
