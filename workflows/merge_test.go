package workflows_test

import (
	"encoding/json"
	"slices"
	"testing"

	wf "github.com/putian-fic/caseflow/workflows"
	"github.com/putian-fic/caseflow/workflows/domain"
)

// tellsOf decodes the messages the case sent to other cases with update.
func tellsOf[T any](t *testing.T, o outcome, update string) (ids []string, updateIDs []string, bodies []wf.ActionInput[T]) {
	t.Helper()
	for _, in := range o.tells {
		if in.Update != update {
			continue
		}
		var arg wf.ActionInput[T]
		if err := json.Unmarshal(in.Arg, &arg); err != nil {
			t.Fatal(err)
		}
		ids, updateIDs, bodies = append(ids, in.WorkflowID), append(updateIDs, in.UpdateID), append(bodies, arg)
	}
	return ids, updateIDs, bodies
}

func TestAMergedParentRecordsTheChildrenThatAcceptedAndClosesThemWhenItCloses(t *testing.T) {
	merge := func(a domain.Actor, want string, ids ...string) step {
		return act(wf.UpdateMerge, a, wf.MergeBody{ChildIDs: ids, Note: "多家企业反映同一园区停电"}, want)
	}
	o := run(t,
		merge(leader1, wf.ErrForbidden, "PT-2026-000002"),
		merge(member, wf.ErrInvalidInput, "PT-2026-000001"), // itself
		merge(member, "", "PT-2026-000002", "PT-2026-000009", "PT-2026-000003"),
		merge(member, wf.ErrInvalidInput, "PT-2026-000003"),      // already a child
		merge(member, wf.ErrInvalidTransition, "PT-2026-000009"), // the only child refuses: nothing changes
		act(wf.UpdateTriage, member, wf.TriageBody{Decision: domain.DecisionAnswer, Answer: "已协调供电公司统一改造线路"}, ""),
		merge(member, wf.ErrInvalidTransition, "PT-2026-000004"), // closed
	)
	c := o.final()
	if c.Status != domain.StatusClosed || c.Scope != domain.ScopeCommon || !slices.Equal(c.Children, []string{"PT-2026-000002", "PT-2026-000003"}) {
		t.Fatalf("parent: status %s scope %s children %v", c.Status, c.Scope, c.Children)
	}
	want := []string{"created", "routed", "merged", "triaged", "closed"}
	if got := o.eventTypes(); !slices.Equal(got, want) {
		t.Fatalf("timeline %v, want %v", got, want)
	}
	var merged struct {
		Children []string
		Refused  []struct {
			CaseID string `json:"case_id"`
			Reason string `json:"reason"`
		} `json:"refused"`
	}
	for _, p := range o.projections {
		if p.Events[0].Type == domain.EventMerged {
			if err := json.Unmarshal(p.Events[0].Data, &merged); err != nil {
				t.Fatal(err)
			}
		}
	}
	if len(merged.Refused) != 1 || merged.Refused[0].CaseID != "PT-2026-000009" || merged.Refused[0].Reason == "" {
		t.Errorf("merged event: %+v", merged)
	}
	// Each child was asked once per merge, as the member who merged, naming the parent and
	// its enterprise (a child of the same enterprise refuses).
	ids, _, bodies := tellsOf[wf.MergeIntoBody](t, o, wf.UpdateMergeInto)
	if !slices.Equal(ids, []string{"case-PT-2026-000002", "case-PT-2026-000009", "case-PT-2026-000003", "case-PT-2026-000009"}) {
		t.Errorf("merge_into sent to %v", ids)
	}
	for _, b := range bodies {
		if b.Actor != member || b.Body.ParentID != "PT-2026-000001" || b.Body.ParentEnterprise != "ent-001" {
			t.Errorf("merge_into: %+v", b)
		}
	}
	// Closed, the parent told both children, as caseflow itself, with its resolution; one
	// Update ID per child and closure, so that a retry is the same Update.
	ids, updateIDs, follows := tellsOf[wf.FollowParentBody](t, o, wf.UpdateFollowParent)
	if !slices.Equal(ids, []string{"case-PT-2026-000002", "case-PT-2026-000003"}) || updateIDs[0] != updateIDs[1] || updateIDs[0] == "" {
		t.Fatalf("follow_parent sent to %v with ids %v", ids, updateIDs)
	}
	for _, f := range follows {
		if f.Actor != wf.SystemActor || f.Body.ParentID != "PT-2026-000001" || f.Body.Resolution != "已协调供电公司统一改造线路" {
			t.Errorf("follow_parent: %+v", f)
		}
	}
}

func TestACaseMergedElsewhereWaitsForItsParentAndClosesOnlyWithIt(t *testing.T) {
	into := func(a domain.Actor, parent, want string) step {
		return act(wf.UpdateMergeInto, a, wf.MergeIntoBody{ParentID: parent, ParentEnterprise: "ent-002", Note: "共性问题"}, want)
	}
	follow := func(a domain.Actor, parent, want string) step {
		return act(wf.UpdateFollowParent, a, wf.FollowParentBody{ParentID: parent, Resolution: "统一改造线路", Outcome: domain.OutcomeResolved}, want)
	}
	o := run(t,
		act(wf.UpdateMergeInto, member, wf.MergeIntoBody{ParentID: "PT-2026-000007", ParentEnterprise: "ent-001"}, wf.ErrInvalidInput), // same enterprise
		follow(wf.SystemActor, "PT-2026-000007", wf.ErrInvalidTransition),                                                              // not merged yet
		into(leader1, "PT-2026-000007", wf.ErrForbidden),
		into(member, "PT-2026-000007", ""),
		into(member, "PT-2026-000007", ""), // told again: nothing new
		into(member, "PT-2026-000008", wf.ErrInvalidTransition),
		referTriage(wf.ErrInvalidTransition), // left the triage queue
		follow(member, "PT-2026-000007", wf.ErrForbidden),
		follow(wf.SystemActor, "PT-2026-000008", wf.ErrInvalidTransition), // not its parent
		follow(wf.SystemActor, "PT-2026-000007", ""),
		follow(wf.SystemActor, "PT-2026-000007", ""), // told again: nothing new
		act(wf.UpdateReopen, party, wf.ReopenBody{Reason: "复发"}, wf.ErrInvalidTransition),
	)
	want := []string{"created", "routed", "merged_into", "closed"}
	if got := o.eventTypes(); !slices.Equal(got, want) {
		t.Fatalf("timeline %v, want %v", got, want)
	}
	var merged, closed = o.projections[len(o.projections)-2], o.final()
	if m := merged.Case; m.Status != domain.StatusMerged || m.ParentID != "PT-2026-000007" || m.Deadlines != (domain.Deadlines{}) || m.Overdue {
		t.Errorf("merged child: status %s parent %s deadlines %+v", m.Status, m.ParentID, m.Deadlines)
	}
	var data map[string]string
	if err := json.Unmarshal(o.projections[len(o.projections)-1].Events[0].Data, &data); err != nil {
		t.Fatal(err)
	}
	if closed.Status != domain.StatusClosed || closed.Outcome != domain.OutcomeResolved || data["parent_id"] != "PT-2026-000007" ||
		closed.Resolution != "随共性问题主案 PT-2026-000007 销号：统一改造线路" {
		t.Errorf("closed child: %s %s %q, event %v", closed.Status, closed.Outcome, closed.Resolution, data)
	}
	// Merged, it left supervision: no triage deadline ran out over the month the test runs.
	if len(o.notices) != 0 {
		t.Errorf("notices on a merged case: %+v", o.notices)
	}
}

// TestAReopenedParentReopensTheChildrenThatClosedWithIt: a common problem's parent closed
// and reopened tells each child, as caseflow itself, to reopen with it (one Update ID per
// child and reopening); a child so told follows the parent again (status merged), with a
// reopened event naming the parent, once however often it is told, and only by its parent.
func TestAReopenedParentReopensTheChildrenThatClosedWithIt(t *testing.T) {
	o := run(t,
		act(wf.UpdateMerge, member, wf.MergeBody{ChildIDs: []string{"PT-2026-000002", "PT-2026-000003"}}, ""),
		act(wf.UpdateTriage, member, wf.TriageBody{Decision: domain.DecisionAnswer, Answer: "已协调供电公司统一改造线路"}, ""),
		act(wf.UpdateReopen, gov, wf.ReopenBody{Reason: "园区再次停电"}, ""),
	)
	ids, updateIDs, bodies := tellsOf[wf.ReopenWithParentBody](t, o, wf.UpdateReopenWithParent)
	if !slices.Equal(ids, []string{"case-PT-2026-000002", "case-PT-2026-000003"}) || updateIDs[0] != updateIDs[1] || updateIDs[0] == "" {
		t.Fatalf("reopen_with_parent sent to %v with ids %v", ids, updateIDs)
	}
	for _, b := range bodies {
		if b.Actor != wf.SystemActor || b.Body.ParentID != "PT-2026-000001" {
			t.Errorf("reopen_with_parent: %+v", b)
		}
	}

	reopen := func(a domain.Actor, parent, want string) step {
		return act(wf.UpdateReopenWithParent, a, wf.ReopenWithParentBody{ParentID: parent, Reason: "共性问题主案重新打开"}, want)
	}
	c := run(t,
		act(wf.UpdateMergeInto, member, wf.MergeIntoBody{ParentID: "PT-2026-000007", ParentEnterprise: "ent-002"}, ""),
		reopen(wf.SystemActor, "PT-2026-000007", ""), // not closed yet: nothing to do
		act(wf.UpdateFollowParent, wf.SystemActor, wf.FollowParentBody{ParentID: "PT-2026-000007", Outcome: domain.OutcomeResolved}, ""),
		reopen(member, "PT-2026-000007", wf.ErrForbidden),
		reopen(wf.SystemActor, "PT-2026-000008", wf.ErrInvalidTransition), // not its parent
		reopen(wf.SystemActor, "PT-2026-000007", ""),
		reopen(wf.SystemActor, "PT-2026-000007", ""), // told again: nothing new
	)
	if got, want := c.eventTypes(), []string{"created", "routed", "merged_into", "closed", "reopened"}; !slices.Equal(got, want) {
		t.Fatalf("the child's timeline %v, want %v", got, want)
	}
	_, e := c.with(domain.EventReopened)
	var data domain.Reopened
	mustJSON(e.Data, &data)
	if f := c.final(); f.Status != domain.StatusMerged || f.ParentID != "PT-2026-000007" || f.Outcome != "" ||
		data.ParentID == nil || *data.ParentID != "PT-2026-000007" || e.Actor != wf.SystemActor {
		t.Errorf("the reopened child: status %s parent %s outcome %q, event %+v", f.Status, f.ParentID, f.Outcome, data)
	}
}
