// Who may act on a case and who may see it; and the comment (备注), whole as every action
// is: its body and Validate, check and apply, and the event it records (domain/events.go).

package workflows

import (
	"slices"
	"time"

	"github.com/putian-fic/caseflow/workflows/domain"
)

// CommentBody adds a remark to the timeline.
type CommentBody struct {
	Text string `json:"text"`
}

// Validate checks the comment.
func (b CommentBody) Validate() error { return CheckText("text", b.Text) }

func requireRole(a domain.Actor, roles ...string) error {
	if slices.Contains(roles, a.Role) {
		return nil
	}
	return forbidden("角色「" + domain.Roles[a.Role] + "」无权执行此操作 (role " + a.Role + " may not take this action)")
}

func requireStatus(c *domain.Case, name string, statuses ...string) error {
	if slices.Contains(statuses, c.Status) {
		return nil
	}
	return invalidTransition(c, name)
}

// requireLeadOffice checks that a supervision user belongs to the case's lead office.
func requireLeadOffice(c *domain.Case, a domain.Actor) error {
	if err := requireRole(a, domain.RoleSupervision); err != nil {
		return err
	}
	if c.Office != "" && a.Unit != c.Office {
		return forbidden("本案由" + domain.Offices[c.Office] + "牵头，其他督查室不能执行此操作 (only the lead office may)")
	}
	return nil
}

func assigned(c *domain.Case, unit string) bool {
	return unit != "" && (unit == c.LeadUnit || slices.Contains(c.CoUnits, unit))
}

func requireAssignedUnit(c *domain.Case, a domain.Actor, leadOnly bool) error {
	if err := requireRole(a, domain.RoleUnit); err != nil {
		return err
	}
	if leadOnly && a.Unit != c.LeadUnit {
		return forbidden("只有主办单位可以执行此操作 (only the lead unit may)")
	}
	if !assigned(c, a.Unit) {
		return forbidden("本案未交办给贵单位 (the case is not referred to your unit)")
	}
	return nil
}

func requireSigned(c *domain.Case, a domain.Actor) error {
	if !slices.Contains(c.SignedUnits, a.Unit) {
		return rejection(ErrInvalidTransition, "请先签收本案 (sign for the case first)")
	}
	return nil
}

// CanSee reports whether the actor may see the case: every role but leaders and units
// sees every case; a leader sees the cases they raised; a unit the cases referred to it,
// from the referral on (also after a return or closure), never before.
func CanSee(c *domain.Case, a domain.Actor) bool {
	switch a.Role {
	case domain.RoleLeader:
		return c.CreatedBy == a.Username
	case domain.RoleUnit:
		return WasReferredTo(c, a.Unit)
	default:
		return true
	}
}

// WasReferredTo reports whether the case has been referred to the unit. Cases recorded
// before referrals were kept (ReferredUnits nil) count as referred to the units assigned
// once they left triage and referral.
func WasReferredTo(c *domain.Case, unit string) bool {
	return unit != "" && slices.Contains(referredUnits(c), unit)
}

// referredUnits are the units the case has been referred to; for a case recorded before
// they were kept, the units assigned once it left triage and referral (as migration 00004
// fills the read model's column).
func referredUnits(c *domain.Case) []string {
	if c.ReferredUnits != nil {
		return c.ReferredUnits
	}
	if c.LeadUnit == "" || c.Status == domain.StatusTriage || c.Status == domain.StatusReferral {
		return []string{}
	}
	return append([]string{c.LeadUnit}, c.CoUnits...)
}

// ReachesEnterprise reports whether the actor, a unit, may reach the case's enterprise (its
// contact person and phone): while the case is referred to the unit — lead or co-unit,
// in handling or follow-up — and not closed; never after a return or closure.
func ReachesEnterprise(c *domain.Case, a domain.Actor) bool {
	return a.Role == domain.RoleUnit && assigned(c, a.Unit) &&
		(c.Status == domain.StatusHandling || c.Status == domain.StatusFollowUp)
}

// IsLeadOffice reports whether the actor is a user of the case's lead supervision office.
func IsLeadOffice(c *domain.Case, a domain.Actor) bool {
	return a.Role == domain.RoleSupervision && c.Office != "" && a.Unit == c.Office
}

func (b CommentBody) check(c *domain.Case, a domain.Actor, _ time.Time) error {
	// The rules cases started with before the strict checks (see checkStrict).
	visible := a.Role != domain.RoleUnit && CanSee(c, a) || a.Role == domain.RoleUnit && assigned(c, a.Unit)
	if a.Role == domain.RoleEfficiency || a.Role == domain.RoleAdmin || !visible {
		return forbidden("无权在本案留言 (you may not comment on this case)")
	}
	return requireText("text", b.Text)
}

// checkStrict: among the supervision offices only the lead office comments, and a unit
// only once the case has been referred to it.
func (CommentBody) checkStrict(c *domain.Case, a domain.Actor) error {
	if a.Role == domain.RoleSupervision && !IsLeadOffice(c, a) {
		return forbidden("只有牵头督查室可以在本案留言 (only the lead supervision office may comment)")
	}
	if !CanSee(c, a) {
		return forbidden("无权在本案留言 (you may not comment on this case)")
	}
	return nil
}

func (b CommentBody) apply(_ *domain.Case, _ domain.Actor, _ time.Time) []eventDraft {
	return []eventDraft{{Type: domain.EventCommented, Data: domain.Commented{Text: b.Text}}}
}
