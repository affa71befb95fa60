// The actions of triage (梳理): the member department refers, answers or rejects a new case.
// Each action is whole here, as registered by its entry in Actions (registry.go): its body and
// the body's Validate, its check and apply, the event type and data it records (the data's
// type and sensitive fields are in domain/events.go) and the deadlines that event sets (named
// in deadlineEffects).

package workflows

import (
	"slices"
	"strings"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/putian-fic/caseflow/workflows/domain"
)

// TriageBody is the member department's triage (会员部梳理). For decision refer, a field
// left out takes the routing rules' proposal (category and list: the case's own); a field
// that differs from the proposal is an override and needs OverrideReason.
type TriageBody domain.Triage

// Validate checks the body's own fields, whatever the case's state (so does every
// action's Validate): the API calls it before it sends the action, and the Update's
// validator again before the workflow accepts it.
func (b TriageBody) Validate() error {
	if err := checkIDs("units", unitsOf(b.LeadUnit, b.CoUnits)...); err != nil {
		return err
	}
	// The words are checked against the vocabulary with the case (check); here, that
	// they are words at all.
	for _, w := range [][2]string{{"decision", b.Decision}, {"category", b.Category}, {"scope", b.Scope},
		{"list", b.List}, {"office", b.Office}, {"sla", b.SLA}, {"priority", b.Priority}} {
		if err := CheckLine(w[0], w[1], 100); err != nil {
			return err
		}
	}
	return checkTexts([2]string{"note", b.Note}, [2]string{"override_reason", b.OverrideReason},
		[2]string{"answer", b.Answer}, [2]string{"reason", b.Reason})
}

// Override is one field of the route where triage chose other than the rules proposed.
type Override = domain.Override

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
			overrides = append(overrides, Override{Field: f.name, Proposed: f.proposed, Chosen: f.chosen})
		}
	}
	if p.LeadUnit != "" && !slices.Equal(domain.NonNil(p.CoUnits), co) {
		overrides = append(overrides, Override{Field: "co_units", Proposed: domain.NonNil(p.CoUnits), Chosen: co})
	}
	return e, overrides
}

// event is the triaged event's data: the decision, and for a referral its overrides of
// the proposal (nil for the other decisions, which have none).
func (b TriageBody) event(overrides []Override) domain.Triaged {
	e := domain.Triaged{Triage: domain.Triage(b)}
	if overrides != nil {
		e.Overrides = &overrides
	}
	return e
}

// text is s as a field that some events of a type leave out.
func text(s string) *string { return &s }

func (b TriageBody) apply(c *domain.Case, _ domain.Actor, _ time.Time) []eventDraft {
	switch b.Decision {
	case domain.DecisionRefer:
		e, overrides := b.resolve(c)
		c.Category, c.Scope, c.List, c.Office = e.Category, e.Scope, e.List, e.Office
		c.LeadUnit, c.CoUnits = e.LeadUnit, *e.CoUnits
		c.SLA, c.Priority = e.SLA, e.Priority
		c.Status = domain.StatusReferral
		return []eventDraft{{Type: domain.EventTriaged, Data: e.event(domain.NonNil(overrides))}}
	case domain.DecisionAnswer:
		c.Resolution = b.Answer
	default:
		c.Resolution = b.Reason
	}
	c.Status = domain.StatusClosed
	return []eventDraft{{Type: domain.EventTriaged, Data: b.event(nil)}, {Type: domain.EventClosed, Data: domain.Closed{Reason: text(b.Decision)}}}
}

// triagedDeadlines: a case referred at triage starts the referral's clock (one answered or
// rejected is closed).
func triagedDeadlines(r *caseRun, ctx workflow.Context, c *domain.Case, now time.Time) error {
	if c.Status != domain.StatusReferral {
		return nil
	}
	return startReferral(r, ctx, c, now)
}
