package devenv_test

import (
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/putian-fic/caseflow/workflows"
)

// TestACommonProblemClosesTheCasesMergedIntoItAcrossAWorkerRestart: three enterprises
// raise the same problem; the member department merges two cases into the third; the
// children leave the triage queue, follow the parent, and close with it — although the
// worker stops the moment the parent closes.
func TestACommonProblemClosesTheCasesMergedIntoItAcrossAWorkerRestart(t *testing.T) {
	env := start(t, dataDir(t))
	t.Cleanup(env.Close)
	member, party, natres := login(t, env.URL, "member"), login(t, env.URL, "party"), login(t, env.URL, "unit-natural-resources")
	eff := login(t, env.URL, "efficiency")
	raise := func(enterprise, title string) string {
		return member.must(http.StatusCreated, "POST", "/api/v1/cases", map[string]any{"enterprise_id": enterprise,
			"title": title, "description": "园区今年停电多次，影响生产", "category": "power", "list": "problem"}).str("id")
	}
	parent, child1, child2 := raise("ent-001", "园区频繁停电"), raise("ent-002", "停电影响生产"), raise("ent-003", "供电不稳")
	sameEnterprise, triaged := raise("ent-001", "另一处停电"), raise("ent-004", "停电")
	member.action(http.StatusOK, triaged, "triage", map[string]any{"decision": "answer", "answer": "已答复"})

	// What cannot be merged is refused, and nothing changes.
	for name, tc := range map[string]struct {
		who  *apiClient
		body map[string]any
		want int
	}{
		"by the efficiency office":        {eff, map[string]any{"child_ids": []string{child1}}, http.StatusForbidden},
		"no children":                     {member, map[string]any{"child_ids": []string{}}, http.StatusUnprocessableEntity},
		"an unknown case":                 {member, map[string]any{"child_ids": []string{child1, "PT-2026-999999"}}, http.StatusUnprocessableEntity},
		"the same enterprise's case":      {member, map[string]any{"child_ids": []string{child1, sameEnterprise}}, http.StatusUnprocessableEntity},
		"a case no longer in triage":      {member, map[string]any{"child_ids": []string{child1, triaged}}, http.StatusConflict},
		"the parent itself":               {member, map[string]any{"child_ids": []string{parent}}, http.StatusUnprocessableEntity},
		"a child twice":                   {member, map[string]any{"child_ids": []string{child1, child1}}, http.StatusUnprocessableEntity},
		"a field the merge does not have": {member, map[string]any{"child_ids": []string{child1}, "force": true}, http.StatusUnprocessableEntity},
	} {
		if r := tc.who.do("POST", "/api/v1/cases/"+parent+"/actions/merge", tc.body, nil); r.Status != tc.want || r.errCode() == "" {
			t.Errorf("%s: %d %s, want %d", name, r.Status, r.Raw, tc.want)
		}
	}
	if c := member.must(http.StatusOK, "GET", "/api/v1/cases/"+child1, nil); c.str("status") != "triage" {
		t.Fatalf("a refused merge changed a child: %s", c.Raw)
	}

	// The merge: the parent becomes a common problem; the children follow it.
	r := member.action(http.StatusOK, parent, "merge", map[string]any{"child_ids": []string{child1, child2}, "note": "同一园区供电问题"})
	if r.str("scope") != "common" || !slices.Equal(strs(r.Body["children"]), []string{child1, child2}) || r.str("parent_id") != "" {
		t.Fatalf("parent after the merge: %s", r.Raw)
	}
	for _, id := range []string{child1, child2} {
		c := member.must(http.StatusOK, "GET", "/api/v1/cases/"+id, nil)
		if c.str("status") != "merged" || c.str("status_label") != "已并案" || c.str("parent_id") != parent {
			t.Errorf("child %s: %s", id, c.Raw)
		}
	}
	queue := member.must(http.StatusOK, "GET", "/api/v1/cases?status=triage", nil)
	for _, it := range queue.Body["items"].([]any) {
		if id := it.(map[string]any)["id"]; id == child1 || id == child2 {
			t.Errorf("merged case %s still in the triage queue", id)
		}
	}
	// A merged case takes no action of its own, and cannot be merged again.
	member.action(http.StatusConflict, child1, "triage", map[string]any{"decision": "answer", "answer": "x"})
	if r := member.do("POST", "/api/v1/cases/"+sameEnterprise+"/actions/merge", map[string]any{"child_ids": []string{child1}}, nil); r.Status != http.StatusConflict {
		t.Errorf("merging a merged case: %d %s", r.Status, r.Raw)
	}

	// The parent runs its course.
	member.action(http.StatusOK, parent, "triage", map[string]any{"decision": "refer", "category": "power", "scope": "common",
		"list": "problem", "office": "party", "lead_unit": "natural-resources", "co_units": []string{},
		"override_reason": "园区供电由自然资源局牵头协调（测试）"})
	party.action(http.StatusOK, parent, "refer", map[string]any{"instructions": "统一协调"})
	natres.action(http.StatusOK, parent, "sign", nil)
	natres.action(http.StatusOK, parent, "complete", map[string]any{"outcome": "resolved", "report": "园区线路已改造"})
	member.action(http.StatusOK, parent, "callback", map[string]any{"solved": true, "satisfied": true, "note": "三家企业均满意"})
	party.action(http.StatusOK, parent, "close", map[string]any{"note": "园区线路改造完成"})
	// The worker stops as soon as the parent has closed; its children close once a worker
	// is back.
	env.StopWorker()
	time.Sleep(time.Second)
	if err := env.StartWorker(nil); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{child1, child2} {
		deadline := time.Now().Add(60 * time.Second)
		for member.must(http.StatusOK, "GET", "/api/v1/cases/"+id, nil).str("status") != "closed" {
			if time.Now().After(deadline) {
				t.Fatalf("child %s did not close with its parent", id)
			}
			time.Sleep(200 * time.Millisecond)
		}
		c := member.must(http.StatusOK, "GET", "/api/v1/cases/"+id, nil)
		if c.str("outcome") != "resolved" || c.str("parent_id") != parent {
			t.Errorf("closed child %s: %s", id, c.Raw)
		}
		var events []timelineEvent
		decode(t, member.must(http.StatusOK, "GET", "/api/v1/cases/"+id+"/timeline", nil).Raw, &struct {
			Events *[]timelineEvent `json:"events"`
		}{&events})
		var types []string
		for _, e := range events {
			types = append(types, e.Type)
		}
		last := events[len(events)-1]
		if !slices.Equal(types, []string{"created", "routed", "merged_into", "closed"}) || last.Data["parent_id"] != parent ||
			last.Actor.Username != "system" {
			t.Errorf("timeline of %s: %v, last %+v", id, types, last)
		}
	}
	if dir := os.Getenv("CASEFLOW_SAVE_MERGE_HISTORY"); dir != "" {
		saveHistory(t, env, workflows.CaseWorkflowID(parent), filepath.Join(dir, "case-common-parent-closed.json"))
		saveHistory(t, env, workflows.CaseWorkflowID(child1), filepath.Join(dir, "case-merged-child-closed.json"))
	}

	// The office reopens the parent; the worker stops at once. Once a worker is back, each
	// child follows the parent again, with a reopened event naming it.
	party.action(http.StatusOK, parent, "reopen", map[string]any{"reason": "园区再次停电"})
	env.StopWorker()
	time.Sleep(time.Second)
	if err := env.StartWorker(nil); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{child1, child2} {
		deadline := time.Now().Add(60 * time.Second)
		for member.must(http.StatusOK, "GET", "/api/v1/cases/"+id, nil).str("status") != "merged" {
			if time.Now().After(deadline) {
				t.Fatalf("child %s did not reopen with its parent", id)
			}
			time.Sleep(200 * time.Millisecond)
		}
		var events []timelineEvent
		decode(t, member.must(http.StatusOK, "GET", "/api/v1/cases/"+id+"/timeline", nil).Raw, &struct {
			Events *[]timelineEvent `json:"events"`
		}{&events})
		reopened := 0
		for _, e := range events {
			if e.Type == "reopened" {
				reopened++
				if e.Data["parent_id"] != parent || e.Actor.Username != "system" {
					t.Errorf("child %s reopened: %+v", id, e)
				}
			}
		}
		if reopened != 1 {
			t.Errorf("child %s has %d reopened events", id, reopened)
		}
	}
	if dir := os.Getenv("CASEFLOW_SAVE_REOPEN_HISTORY"); dir != "" {
		saveHistory(t, env, workflows.CaseWorkflowID(parent), filepath.Join(dir, "case-common-parent-reopened-v6-reopen-children.json"))
		saveHistory(t, env, workflows.CaseWorkflowID(child1), filepath.Join(dir, "case-merged-child-reopened-v6-reopen-children.json"))
	}
}

func strs(v any) []string {
	var out []string
	for _, s := range v.([]any) {
		out = append(out, s.(string))
	}
	return out
}
