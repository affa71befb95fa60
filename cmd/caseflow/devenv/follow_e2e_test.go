package devenv_test

import (
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/putian-fic/caseflow/workflows/domain"
)

// TestALeaderFollowsTheCasesOfTheirVisitsAndTheCommonProblemTheyWereMergedInto: the
// member department logs two visits, one by leader2 and one by leader1; each leader sees
// and reads in full the cases of their own visit (whoever logged it), not the other's; and
// once leader2's case is merged into a common problem the member department raised,
// leader2 sees that common problem too, and leader1 does not.
func TestALeaderFollowsTheCasesOfTheirVisitsAndTheCommonProblemTheyWereMergedInto(t *testing.T) {
	env := start(t, dataDir(t))
	t.Cleanup(env.Close)
	member, leader1, leader2 := login(t, env.URL, "member"), login(t, env.URL, "leader1"), login(t, env.URL, "leader2")
	eff := login(t, env.URL, "efficiency")
	today := time.Now().In(domain.Shanghai).Format(domain.DateLayout)
	logVisit := func(leader, enterprise string) string {
		r := member.must(http.StatusCreated, "POST", "/api/v1/visits", map[string]any{"date": today, "leaders": []string{leader},
			"enterprise_ids": []string{enterprise}, "method": "onsite", "topics": []string{"problems"}, "notes": "走访",
			"problems": []map[string]any{{"title": "园区停电", "description": "企业自述年内停电八次，损失订单", "category": "power",
				"list": "problem", "sensitive": true}}})
		ids := strs(r.Body["case_ids"])
		if len(ids) != 1 {
			t.Fatalf("visit: %s", r.Raw)
		}
		return ids[0]
	}
	ofLeader2, ofLeader1 := logVisit("leader2", "ent-002"), logVisit("leader1", "ent-003")
	listed := func(c *apiClient) []string {
		var ids []string
		for _, it := range c.must(http.StatusOK, "GET", "/api/v1/cases?page_size=100", nil).Body["items"].([]any) {
			ids = append(ids, it.(map[string]any)["id"].(string))
		}
		return ids
	}

	// Each leader reads the case of their visit in full, and the sensitive read is recorded.
	for _, tc := range []struct {
		who        *apiClient
		name       string
		own, other string
	}{{leader2, "leader2", ofLeader2, ofLeader1}, {leader1, "leader1", ofLeader1, ofLeader2}} {
		c := tc.who.must(http.StatusOK, "GET", "/api/v1/cases/"+tc.own, nil)
		if c.str("description") != "企业自述年内停电八次，损失订单" || c.Body["redacted"] != nil {
			t.Errorf("%s reads the case of their visit: %s", tc.name, c.Raw)
		}
		tc.who.must(http.StatusOK, "GET", "/api/v1/cases/"+tc.own+"/timeline", nil)
		if ids := listed(tc.who); !slices.Contains(ids, tc.own) || slices.Contains(ids, tc.other) {
			t.Errorf("%s's list: %v (own %s, other %s)", tc.name, ids, tc.own, tc.other)
		}
		for _, path := range []string{"/api/v1/cases/" + tc.other, "/api/v1/cases/" + tc.other + "/timeline"} {
			if r := tc.who.do("GET", path, nil, nil); r.Status != http.StatusNotFound {
				t.Errorf("%s GET %s: %d %s", tc.name, path, r.Status, r.Raw)
			}
		}
		reads := eff.must(http.StatusOK, "GET", "/api/v1/cases/"+tc.own+"/sensitive-reads", nil)
		if !containsReader(reads, tc.name) {
			t.Errorf("%s's read of %s is not recorded: %s", tc.name, tc.own, reads.Raw)
		}
	}
	// The console's page of the case (the case, its timeline and files, read once): leader2
	// reads their visit's case in full there too, and leader1's is not found.
	page := newPerson(t, env.URL).signIn("leader2")
	page.open("/cases/" + ofLeader2)
	if page.status != http.StatusOK {
		t.Fatalf("leader2 opens their visit's case: %d", page.status)
	}
	page.sees(ofLeader2, "企业自述年内停电八次，损失订单", "园区停电")
	if page.open("/cases/" + ofLeader1); page.status != http.StatusNotFound {
		t.Errorf("leader2 opens leader1's visit's case: %d", page.status)
	}
	// Following is reading: only the leader who raised a case comments on it.
	if r := leader2.do("POST", "/api/v1/cases/"+ofLeader2+"/actions/comment", map[string]any{"text": "请加快"}, nil); r.Status != http.StatusForbidden {
		t.Errorf("a following leader comments: %d %s", r.Status, r.Raw)
	}

	// The common problem: leader2's case merged into one the member department raised.
	parent := member.must(http.StatusCreated, "POST", "/api/v1/cases", map[string]any{"enterprise_id": "ent-004",
		"title": "园区频繁停电", "description": "多家企业反映停电", "category": "power", "list": "problem"}).str("id")
	if r := leader2.do("GET", "/api/v1/cases/"+parent, nil, nil); r.Status != http.StatusNotFound {
		t.Fatalf("leader2 sees the member department's case before any merge: %d", r.Status)
	}
	member.action(http.StatusOK, parent, "merge", map[string]any{"child_ids": []string{ofLeader2}, "note": "同一园区"})
	if c := leader2.must(http.StatusOK, "GET", "/api/v1/cases/"+parent, nil); !slices.Contains(strs(c.Body["children"]), ofLeader2) {
		t.Errorf("leader2 reads the common problem: %s", c.Raw)
	}
	if ids := listed(leader2); !slices.Contains(ids, parent) {
		t.Errorf("leader2's list lacks the common problem %s: %v", parent, ids)
	}
	if r := leader1.do("GET", "/api/v1/cases/"+parent, nil, nil); r.Status != http.StatusNotFound {
		t.Errorf("leader1 reads a common problem they do not follow: %d", r.Status)
	}
}

// containsReader reports whether the sensitive reads name the user.
func containsReader(reads response, username string) bool {
	items, _ := reads.Body["reads"].([]any)
	for _, it := range items {
		if m, ok := it.(map[string]any); ok && m["username"] == username {
			return true
		}
	}
	return false
}
