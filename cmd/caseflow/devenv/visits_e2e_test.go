package devenv_test

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"go.temporal.io/api/workflowservice/v1"

	"github.com/putian-fic/caseflow/cmd/caseflow/devenv"
	"github.com/putian-fic/caseflow/workflows/domain"
)

func TestAVisitsProblemsBecomeCasesOnceWhateverTheRetries(t *testing.T) {
	env := start(t, dataDir(t))
	t.Cleanup(env.Close)
	member, leader1, leader2 := login(t, env.URL, "member"), login(t, env.URL, "leader1"), login(t, env.URL, "leader2")
	eff, unit := login(t, env.URL, "efficiency"), login(t, env.URL, "unit-natural-resources")
	today := time.Now().In(domain.Shanghai).Format(domain.DateLayout)
	visit := map[string]any{"date": today, "leaders": []string{"leader1"}, "enterprise_ids": []string{"ent-001"},
		"method": "onsite", "topics": []string{"policy", "problems"}, "notes": "走访华兴鞋业，听取企业诉求",
		"investment_leads": []map[string]string{{"title": "鞋材配套项目", "description": "上游鞋材企业有意落地"}},
		"problems": []map[string]any{
			{"title": "厂房用地审批慢", "description": "二期用地报批三个月未办结", "category": "land", "list": "problem"},
			{"title": "频繁停电", "description": "今年停电八次", "category": "power", "list": "problem"},
			{"title": "流动资金紧张", "description": "需转贷支持五百万元", "category": "financing", "list": "funding",
				"amount_cny": 5000000, "sensitive": true},
		}}
	key := map[string]string{"Idempotency-Key": "visit-huaxing-1"}
	r := leader1.do("POST", "/api/v1/visits", visit, key)
	if r.Status != http.StatusCreated {
		t.Fatalf("log a visit: %d %s", r.Status, r.Raw)
	}
	var v struct {
		ID      string
		CaseIDs []string `json:"case_ids"`
		Cases   []struct{ ID, Status string }
	}
	decode(t, r.Raw, &v)
	if len(v.CaseIDs) != 3 || len(v.Cases) != 3 || v.Cases[0].Status != "triage" || v.ID == "" {
		t.Fatalf("visit: %s", r.Raw)
	}
	// Each problem is a case in triage, linked to the visit, routed by the rules.
	for _, id := range v.CaseIDs {
		cs := member.must(http.StatusOK, "GET", "/api/v1/cases/"+id, nil)
		if cs.str("visit_id") != v.ID || cs.str("status") != "triage" || cs.str("enterprise_id") != "ent-001" || cs.Body["route_proposal"] == nil {
			t.Errorf("case %s: %s", id, cs.Raw)
		}
	}
	// The same request again: the same visit, the same cases, none new.
	total := member.must(http.StatusOK, "GET", "/api/v1/cases", nil).Body["total"]
	again := leader1.do("POST", "/api/v1/visits", visit, key)
	var v2 struct {
		ID      string
		CaseIDs []string `json:"case_ids"`
	}
	decode(t, again.Raw, &v2)
	if again.Status != http.StatusCreated || v2.ID != v.ID || len(v2.CaseIDs) != 3 || v2.CaseIDs[2] != v.CaseIDs[2] ||
		member.must(http.StatusOK, "GET", "/api/v1/cases", nil).Body["total"] != total {
		t.Errorf("retried visit: %d %s (cases %v → %v)", again.Status, again.Raw, total, member.must(http.StatusOK, "GET", "/api/v1/cases", nil).Body["total"])
	}
	// The same key with another visit is a conflict, and starts nothing.
	other := map[string]any{}
	for k, val := range visit {
		other[k] = val
	}
	other["notes"] = "另一次走访"
	if r := leader1.do("POST", "/api/v1/visits", other, key); r.Status != http.StatusConflict || r.errCode() != "idempotency_conflict" ||
		member.must(http.StatusOK, "GET", "/api/v1/cases", nil).Body["total"] != total {
		t.Errorf("the key of another visit: %d %s", r.Status, r.Raw)
	}
	if dir := os.Getenv("CASEFLOW_SAVE_VISIT_HISTORY"); dir != "" {
		saveHistory(t, env, visitWorkflowID(t, env), filepath.Join(dir, "visit-logged.json"))
	}
	// Bad visits change nothing.
	for name, tc := range map[string]struct {
		who    *apiClient
		change func(map[string]any)
		want   int
	}{
		"a date in the future":  {leader1, func(b map[string]any) { b["date"] = time.Now().AddDate(0, 0, 2).Format(domain.DateLayout) }, 422},
		"an unknown method":     {leader1, func(b map[string]any) { b["method"] = "telepathy" }, 422},
		"an unknown topic":      {leader1, func(b map[string]any) { b["topics"] = []string{"gossip"} }, 422},
		"an unknown leader":     {member, func(b map[string]any) { b["leaders"] = []string{"leader9"} }, 422},
		"an unknown enterprise": {leader1, func(b map[string]any) { b["enterprise_ids"] = []string{"ent-999"} }, 422},
		"a problem of another enterprise": {leader1, func(b map[string]any) {
			b["problems"] = []map[string]any{{"enterprise_id": "ent-002", "title": "x", "description": "y", "category": "land", "list": "problem"}}
		}, 422},
		"a problem without a title": {leader1, func(b map[string]any) {
			b["problems"] = []map[string]any{{"description": "y", "category": "land", "list": "problem"}}
		}, 422},
		"another leader's visit": {leader2, func(map[string]any) {}, 403},
		"a unit":                 {unit, func(map[string]any) {}, 403},
	} {
		body := map[string]any{}
		for k, val := range visit {
			body[k] = val
		}
		tc.change(body)
		if r := tc.who.do("POST", "/api/v1/visits", body, nil); r.Status != tc.want || r.errCode() == "" {
			t.Errorf("%s: %d %s, want %d", name, r.Status, r.Raw, tc.want)
		}
	}
	if got := member.must(http.StatusOK, "GET", "/api/v1/cases", nil).Body["total"]; got != total {
		t.Errorf("bad visits made cases: %v → %v", total, got)
	}
	// Who reads what: the leader their visits, the efficiency office without the sensitive
	// problem's details, units nothing.
	if r := leader1.must(http.StatusOK, "GET", "/api/v1/visits", nil); r.Body["total"] != float64(1) {
		t.Errorf("leader1's visits: %s", r.Raw)
	}
	if r := leader2.must(http.StatusOK, "GET", "/api/v1/visits", nil); r.Body["total"] != float64(0) {
		t.Errorf("leader2's visits: %s", r.Raw)
	}
	if r := leader2.do("GET", "/api/v1/visits/"+v.ID, nil, nil); r.Status != http.StatusNotFound {
		t.Errorf("leader2 reads leader1's visit: %d", r.Status)
	}
	if r := unit.do("GET", "/api/v1/visits", nil, nil); r.Status != http.StatusForbidden {
		t.Errorf("a unit lists visits: %d", r.Status)
	}
	// A problem is redacted exactly as its case is: the efficiency office and the admin,
	// who do not handle the case, read neither its amount nor its sensitive description,
	// through the visit, the ledger or the enterprise file; the member department does,
	// and that read is recorded as a read of the case's sensitive fields.
	admin := login(t, env.URL, "admin")
	for name, who := range map[string]*apiClient{"efficiency": eff, "admin": admin} {
		for _, path := range []string{"/api/v1/visits/" + v.ID, "/api/v1/visits", "/api/v1/ledger?leader=leader1", "/api/v1/enterprises/ent-001/file"} {
			r := who.must(http.StatusOK, "GET", path, nil)
			if strings.Contains(string(r.Raw), "需转贷支持五百万元") || strings.Contains(string(r.Raw), "5000000") {
				t.Errorf("%s reads the sensitive problem through %s: %.400s", name, path, r.Raw)
			}
		}
	}
	r = eff.must(http.StatusOK, "GET", "/api/v1/visits/"+v.ID, nil)
	problems := r.Body["problems"].([]any)
	if p := problems[2].(map[string]any); p["description"] != "（涉及企业敏感信息，已隐去）" || p["amount_cny"] != nil || len(r.Body["redacted"].([]any)) != 2 {
		t.Errorf("the efficiency office reads a sensitive problem: %s", r.Raw)
	}
	if p := member.must(http.StatusOK, "GET", "/api/v1/visits/"+v.ID, nil).Body["problems"].([]any)[2].(map[string]any); p["amount_cny"] != float64(5000000) {
		t.Errorf("the member department reads the problem: %v", p)
	}
	var reads struct{ Reads []struct{ Username string } }
	decode(t, admin.must(http.StatusOK, "GET", "/api/v1/cases/"+v.CaseIDs[2]+"/sensitive-reads", nil).Raw, &reads)
	if !slices.ContainsFunc(reads.Reads, func(r struct{ Username string }) bool { return r.Username == "member" }) ||
		slices.ContainsFunc(reads.Reads, func(r struct{ Username string }) bool { return r.Username == "efficiency" || r.Username == "admin" }) {
		t.Errorf("sensitive reads recorded: %+v", reads.Reads)
	}
	if r := member.must(http.StatusOK, "GET", "/api/v1/visits?enterprise_id=ent-001&from="+today+"&to="+today, nil); r.Body["total"] != float64(1) {
		t.Errorf("visits of ent-001 today: %s", r.Raw)
	}
	if r := member.must(http.StatusOK, "GET", "/api/v1/visits?enterprise_id=ent-002", nil); r.Body["total"] != float64(0) {
		t.Errorf("visits of ent-002: %s", r.Raw)
	}
}

func TestCoverageCountsLinkedEnterprisesVisitedInsideTheQuarter(t *testing.T) {
	env := start(t, dataDir(t))
	t.Cleanup(env.Close)
	member, leader1, leader2 := login(t, env.URL, "member"), login(t, env.URL, "leader1"), login(t, env.URL, "leader2")
	member.must(http.StatusOK, "PUT", "/api/v1/leaders/leader1/links", map[string]any{"year": 2026, "enterprise_ids": []string{"ent-001", "ent-002", "ent-003", "ent-004"}})
	member.must(http.StatusOK, "PUT", "/api/v1/leaders/leader2/links", map[string]any{"year": 2026, "enterprise_ids": []string{"ent-005"}})
	logVisit := func(who *apiClient, date string, leaders, enterprises []string) {
		t.Helper()
		who.must(http.StatusCreated, "POST", "/api/v1/visits", map[string]any{"date": date, "leaders": leaders,
			"enterprise_ids": enterprises, "method": "symposium", "topics": []string{"opinions"}})
	}
	logVisit(leader1, "2026-09-30", []string{"leader1"}, []string{"ent-002"})            // the last day of Q3
	logVisit(leader1, "2026-10-01", []string{"leader1"}, []string{"ent-001", "ent-009"}) // Q4; ent-009 is not linked
	logVisit(member, "2026-07-01", []string{"leader2"}, []string{"ent-003"})             // leader2 is not linked to it
	type cov struct {
		Quarter *int
		Leaders []struct {
			Leader          string
			Linked, Visited int
			Share           float64
			NotVisited      []string `json:"not_visited"`
		}
		Overall struct {
			Linked, Visited int
			Share           float64
		}
	}
	get := func(who *apiClient, q string) cov {
		t.Helper()
		var c cov
		decode(t, who.must(http.StatusOK, "GET", "/api/v1/coverage?year=2026"+q, nil).Raw, &c)
		return c
	}
	q3, q4, year := get(member, "&quarter=3"), get(member, "&quarter=4"), get(member, "")
	l1 := func(c cov) (int, []string) { return c.Leaders[0].Visited, c.Leaders[0].NotVisited }
	if v, nv := l1(q3); v != 1 || len(nv) != 3 || nv[0] != "ent-001" {
		t.Errorf("Q3: leader1 visited %d, not %v", v, nv)
	}
	if v, nv := l1(q4); v != 1 || len(nv) != 3 || nv[0] != "ent-002" {
		t.Errorf("Q4: leader1 visited %d, not %v", v, nv)
	}
	if v, nv := l1(year); v != 2 || len(nv) != 2 || year.Leaders[0].Share != 0.5 || year.Quarter != nil {
		t.Errorf("2026: leader1 visited %d, not %v, share %v", v, nv, year.Leaders[0].Share)
	}
	if year.Leaders[1].Leader != "leader2" || year.Leaders[1].Visited != 0 || year.Overall.Linked != 5 || year.Overall.Visited != 2 || year.Overall.Share != 0.4 {
		t.Errorf("2026 overall: %+v", year)
	}
	if c := get(leader2, ""); len(c.Leaders) != 1 || c.Leaders[0].Leader != "leader2" {
		t.Errorf("leader2 sees %+v", c.Leaders)
	}
	if r := member.do("GET", "/api/v1/coverage?quarter=5", nil, nil); r.Status != http.StatusUnprocessableEntity {
		t.Errorf("quarter 5: %d", r.Status)
	}
}

func TestTheLedgerListsEachVisitWithItsCasesAsJSONAndAsAWorkbook(t *testing.T) {
	env := start(t, dataDir(t))
	t.Cleanup(env.Close)
	member, leader1, leader2 := login(t, env.URL, "member"), login(t, env.URL, "leader1"), login(t, env.URL, "leader2")
	leader1.must(http.StatusCreated, "POST", "/api/v1/visits", map[string]any{"date": "2026-10-15", "leaders": []string{"leader1"},
		"enterprise_ids": []string{"ent-001"}, "method": "field_office", "topics": []string{"problems"}, "notes": "现场办公",
		"problems": []map[string]any{
			{"title": "厂房用地审批慢", "description": "二期用地报批三个月未办结", "category": "land", "list": "problem"},
			{"title": "频繁停电", "description": "今年停电八次", "category": "power", "list": "problem"}}})
	leader1.must(http.StatusCreated, "POST", "/api/v1/visits", map[string]any{"date": "2026-11-02", "leaders": []string{"leader1"},
		"enterprise_ids": []string{"ent-002"}, "method": "symposium", "topics": []string{"policy"}})
	leader1.must(http.StatusCreated, "POST", "/api/v1/visits", map[string]any{"date": "2026-08-02", "leaders": []string{"leader1"},
		"enterprise_ids": []string{"ent-003"}, "method": "online"}) // Q3: not in the Q4 ledger

	var l struct {
		Visits []struct {
			Date  string
			Cases []struct{ ID, Status, StatusLabel string }
		}
	}
	decode(t, leader1.must(http.StatusOK, "GET", "/api/v1/ledger?year=2026&quarter=4", nil).Raw, &l)
	if len(l.Visits) != 2 || l.Visits[0].Date != "2026-11-02" || len(l.Visits[1].Cases) != 2 || l.Visits[1].Cases[0].Status != "triage" {
		t.Fatalf("ledger: %+v", l)
	}
	if r := leader2.do("GET", "/api/v1/ledger?leader=leader1", nil, nil); r.Status != http.StatusForbidden {
		t.Errorf("leader2 reads leader1's ledger: %d", r.Status)
	}

	req, _ := http.NewRequest("GET", env.URL+"/api/v1/ledger?year=2026&quarter=4&leader=leader1", nil)
	req.Header.Set("Authorization", "Bearer "+member.token)
	req.Header.Set("Accept", xlsxType)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	f, err := excelize.OpenReader(resp.Body)
	if err != nil || resp.Header.Get("Content-Type") != xlsxType {
		t.Fatalf("workbook: %v, %s", err, resp.Header.Get("Content-Type"))
	}
	rows, err := f.GetRows("工作台账")
	if err != nil {
		t.Fatal(err)
	}
	// The header and one row per case (a visit without problems has one row), with the names
	// people read for the leader and the enterprise.
	if len(rows) != 4 || rows[0][0] != "序号" || rows[0][8] != "案件编号" || rows[1][1] != "2026-11-02" || rows[1][2] != "班子成员一" || rows[1][4] != "座谈会" ||
		rows[2][3] != "莆田市华兴鞋业有限公司" || rows[2][10] != "待梳理" || rows[3][9] != "频繁停电" {
		t.Errorf("workbook rows: %q", rows)
	}
}

// visitWorkflowID finds a workflow that logged a visit to its end (as Temporal's
// visibility lists it, shortly after).
func visitWorkflowID(t *testing.T, env *devenv.Env) string {
	for range 100 {
		resp, err := env.Client.ListWorkflow(context.Background(), &workflowservice.ListWorkflowExecutionsRequest{
			Query: "WorkflowType = 'VisitWorkflow' AND ExecutionStatus = 'Completed'"})
		if err != nil {
			t.Fatal(err)
		}
		if n := len(resp.Executions); n > 0 {
			return resp.Executions[n-1].Execution.WorkflowId
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatal("no visit workflow listed")
	return ""
}
