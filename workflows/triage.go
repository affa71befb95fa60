package workflows

import (
	"slices"
	"strings"
	"time"

	"github.com/putian-fic/caseflow/workflows/domain"
)

func (b TriageBody) check(c *domain.Case, a domain.Actor, _ time.Time) error {
	if err := requireRole(a, domain.RoleMemberDept); err != nil {
		return err
	}
	if err := requireStatus(c, UpdateTriage, domain.StatusTriage); err != nil {
		return err
	}
	switch b.Decision {
	case domain.DecisionRefer:
		e, overrides := b.resolve(c)
		for _, f := range []struct {
			name, v string
			allowed map[string]string
		}{{"category", e.Category, domain.Categories}, {"scope", e.Scope, domain.Scopes}, {"list", e.List, domain.Lists},
			{"office", e.Office, domain.Offices}, {"sla", e.SLA, domain.SLAs}, {"priority", e.Priority, domain.Priorities}} {
			if err := oneOf(f.name, f.v, f.allowed); err != nil {
				return err
			}
		}
		if err := checkUnits(e.LeadUnit, *e.CoUnits); err != nil {
			return err
		}
		if len(overrides) > 0 && strings.TrimSpace(b.OverrideReason) == "" {
			fields := make([]string, len(overrides))
			for i, o := range overrides {
				fields[i] = o.Field
			}
			return invalidInput("override_reason", "改变了规则建议的 "+strings.Join(fields, ", ")+"，须说明理由 (required when the route differs from the rules' proposal)")
		}
		if err := limitText("override_reason", b.OverrideReason); err != nil {
			return err
		}
		return limitText("note", b.Note)
	case domain.DecisionAnswer:
		return requireText("answer", b.Answer)
	case domain.DecisionReject:
		return requireText("reason", b.Reason)
	default:
		return oneOf("decision", b.Decision, map[string]string{domain.DecisionRefer: "", domain.DecisionAnswer: "", domain.DecisionReject: ""})
	}
}

// resolve fills what a refer decision left out from the case and the rules' proposal,
// and lists the fields where it departs from the proposal.
func (b TriageBody) resolve(c *domain.Case) (TriageBody, []Override) {
	p := c.RouteProposal
	if p == nil {
		p = &domain.RouteProposal{}
	}
	e := b
	or := func(v, def string) string {
		if v != "" {
			return v
		}
		return def
	}
	e.Category, e.List = or(b.Category, c.Category), or(b.List, c.List)
	e.Scope, e.Office, e.LeadUnit = or(b.Scope, or(p.Scope, domain.ScopeIndividual)), or(b.Office, p.Office), or(b.LeadUnit, p.LeadUnit)
	e.SLA, e.Priority = or(b.SLA, or(p.SLA, domain.SLAStandard)), or(b.Priority, or(p.Priority, domain.PriorityNormal))
	co := domain.NonNil(p.CoUnits)
	if b.CoUnits != nil {
		co = domain.NonNil(*b.CoUnits)
	}
	e.CoUnits = &co
	var overrides []Override
	for _, f := range []struct{ name, proposed, chosen string }{
		{"scope", p.Scope, e.Scope}, {"office", p.Office, e.Office}, {"lead_unit", p.LeadUnit, e.LeadUnit},
		{"sla", p.SLA, e.SLA}, {"priority", p.Priority, e.Priority}} {
		if f.proposed != "" && f.proposed != f.chosen {
			overrides = append(overrides, Override{f.name, f.proposed, f.chosen})
		}
	}
	if p.LeadUnit != "" && !slices.Equal(domain.NonNil(p.CoUnits), co) {
		overrides = append(overrides, Override{"co_units", domain.NonNil(p.CoUnits), co})
	}
	return e, overrides
}

// triagedEvent is the triaged event's data for a refer decision.
type triagedEvent struct {
	TriageBody
	Overrides []Override `json:"overrides"`
}

func (b TriageBody) apply(c *domain.Case, _ domain.Actor, _ time.Time) []eventDraft {
	switch b.Decision {
	case domain.DecisionRefer:
		e, overrides := b.resolve(c)
		c.Category, c.Scope, c.List, c.Office = e.Category, e.Scope, e.List, e.Office
		c.LeadUnit, c.CoUnits = e.LeadUnit, *e.CoUnits
		c.SLA, c.Priority = e.SLA, e.Priority
		c.Status = domain.StatusReferral
		return []eventDraft{{Type: domain.EventTriaged, Data: triagedEvent{e, domain.NonNil(overrides)}}}
	case domain.DecisionAnswer:
		c.Resolution = b.Answer
	default:
		c.Resolution = b.Reason
	}
	c.Status = domain.StatusClosed
	return []eventDraft{{Type: domain.EventTriaged, Data: b}, {Type: domain.EventClosed, Data: map[string]string{"reason": b.Decision}}}
}
