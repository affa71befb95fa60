package workflows_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"go.temporal.io/sdk/temporal"

	wf "github.com/putian-fic/caseflow/workflows"
	"github.com/putian-fic/caseflow/workflows/domain"
)

// TestPoisonTextIsRefusedBeforeItTouchesTheCase: what the read model cannot store (NUL and
// other control characters, invalid Unicode, bidi overrides in one-line fields) is refused
// by the validator, and the next action goes through.
func TestPoisonTextIsRefusedBeforeItTouchesTheCase(t *testing.T) {
	o := run(t,
		act(wf.UpdateComment, leader1, wf.CommentBody{Text: "hi\x00there"}, wf.ErrInvalidInput),
		act(wf.UpdateComment, leader1, wf.CommentBody{Text: "bell\x07"}, wf.ErrInvalidInput),
		act(wf.UpdateComment, leader1, wf.CommentBody{Text: "bad \xff utf-8"}, wf.ErrInvalidInput),
		act(wf.UpdateComment, leader1, wf.CommentBody{Text: "lone surrogate \uFFFD"}, wf.ErrInvalidInput),
		act(wf.UpdateTriage, member, wf.TriageBody{Decision: domain.DecisionRefer, Note: "x\x1b[31m"}, wf.ErrInvalidInput),
		act(wf.UpdateTriage, member, wf.TriageBody{Decision: domain.DecisionRefer, LeadUnit: "natural-resources\u202e"}, wf.ErrInvalidInput),
		act(wf.UpdateComment, leader1, wf.CommentBody{Text: "第一行\n第二行\t制表"}, ""),
		act(wf.UpdateTriage, member, wf.TriageBody{Decision: domain.DecisionRefer}, ""),
	)
	want := []string{"created", "routed", "commented", "triaged"}
	if got := o.eventTypes(); !slices.Equal(got, want) {
		t.Fatalf("timeline %v, want %v", got, want)
	}
}

// TestARefusedProjectionLeavesTheCaseAsItWas: when the read model refuses an action for
// good, the Update fails with that error, the case (and its sequence numbers) stay as they
// were, and the next action is recorded as if the refused one had never been tried.
func TestARefusedProjectionLeavesTheCaseAsItWas(t *testing.T) {
	refuse := func(p domain.Projection) error {
		for _, e := range p.Events {
			if e.Type == domain.EventCommented && strings.Contains(string(e.Data), "拒收") {
				return temporal.NewNonRetryableApplicationError("refused", domain.ErrProjectionRefused, nil)
			}
		}
		return nil
	}
	o := runRefusing(t, startTime, routeWithDefaultRules, refuse,
		act(wf.UpdateTriage, member, wf.TriageBody{Decision: domain.DecisionRefer}, ""),
		act(wf.UpdateComment, gov, wf.CommentBody{Text: "拒收"}, domain.ErrProjectionRefused),
		act(wf.UpdateRefer, gov, wf.ReferBody{}, ""),
		act(wf.UpdateComment, gov, wf.CommentBody{Text: "请抓紧"}, ""),
	)
	want := []string{"created", "routed", "triaged", "referred", "commented"}
	if got := o.eventTypes(); !slices.Equal(got, want) {
		t.Fatalf("timeline %v, want %v", got, want)
	}
	seq := 0
	for _, p := range o.projections {
		for _, e := range p.Events {
			if e.Seq != seq+1 {
				t.Fatalf("event %s has seq %d after %d: a gap or a repeat", e.Type, e.Seq, seq)
			}
			seq = e.Seq
		}
	}
	if o.live.LastSeq != seq || o.live.Status != domain.StatusHandling {
		t.Fatalf("live case at seq %d in %s, read model at %d", o.live.LastSeq, o.live.Status, seq)
	}
}

// TestOnlyTheLeadOfficeAndReferredUnitsComment: the other supervision office reads a case
// but does not handle it; a unit named at triage is not in the case until it is referred.
func TestOnlyTheLeadOfficeAndReferredUnitsComment(t *testing.T) {
	o := run(t,
		act(wf.UpdateTriage, member, wf.TriageBody{Decision: domain.DecisionRefer}, ""), // government office, natural resources
		act(wf.UpdateComment, party, wf.CommentBody{Text: "另一督查室"}, wf.ErrForbidden),
		act(wf.UpdateComment, natres, wf.CommentBody{Text: "尚未交办"}, wf.ErrForbidden),
		act(wf.UpdateComment, gov, wf.CommentBody{Text: "牵头督查室"}, ""),
		act(wf.UpdateRefer, gov, wf.ReferBody{}, ""),
		act(wf.UpdateComment, natres, wf.CommentBody{Text: "已交办"}, ""),
		act(wf.UpdateReturn, natres, wf.ReturnBody{Grounds: "不属于本单位职责"}, ""),
		act(wf.UpdateComment, natres, wf.CommentBody{Text: "退回后仍可见"}, ""),
	)
	if !slices.Equal(o.live.ReferredUnits, []string{"natural-resources"}) {
		t.Fatalf("referred units %v", o.live.ReferredUnits)
	}
	if !wf.CanSee(&o.live, natres) || wf.CanSee(&o.live, licheng) {
		t.Fatal("visibility after a return")
	}
}

// TestAProposalTheReadModelRefusesLeavesTheCaseToManualTriage: when the rules propose
// something PostgreSQL cannot store (a NUL in a tag, from a rule set stored before its texts
// were checked), the case is still created, without the proposal, for the member
// department to triage by hand — the intake never fails on a rule.
func TestAProposalTheReadModelRefusesLeavesTheCaseToManualTriage(t *testing.T) {
	poisoned := func(context.Context, domain.RouteInput) (domain.RouteProposal, error) {
		return domain.RouteProposal{RuleSetVersion: 7, RuleIDs: []string{"r\x00x"}, Reason: "matched",
			Route: domain.Route{Office: domain.OfficeGovernment, LeadUnit: "natural-resources", CoUnits: []string{}, Tags: []string{"t\x00"}}}, nil
	}
	refuse := func(p domain.Projection) error {
		if slices.ContainsFunc(p.Case.Tags, func(t string) bool { return strings.Contains(t, "\x00") }) || slices.ContainsFunc(p.Events, func(e domain.Event) bool {
			return strings.Contains(string(e.Data), `\u0000`)
		}) {
			return temporal.NewNonRetryableApplicationError("invalid byte sequence for encoding \"UTF8\": 0x00", domain.ErrProjectionRefused, nil)
		}
		return nil
	}
	o := runRefusing(t, startTime, poisoned, refuse, referTriage(""))
	if got, want := o.eventTypes(), []string{"created", "routed", "triaged"}; !slices.Equal(got, want) {
		t.Fatalf("timeline %v, want %v", got, want)
	}
	created := o.projections[0].Case
	if p := created.RouteProposal; p == nil || p.Reason != domain.ReasonRoutingFailed || len(p.RuleIDs) != 0 || p.LeadUnit != "" {
		t.Fatalf("proposal kept on the case: %+v", p)
	}
	if len(created.Tags) != 0 || created.Status != domain.StatusTriage {
		t.Fatalf("case as created: tags %q, status %s", created.Tags, created.Status)
	}
	if c := o.final(); c.Status != domain.StatusReferral {
		t.Errorf("after a manual triage the case is in %s", c.Status)
	}
}
