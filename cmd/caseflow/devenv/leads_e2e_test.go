package devenv_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/putian-fic/caseflow/workflows/domain"
)

// sheetRows reads a workbook the API answers and the rows of one of its sheets.
func (c *apiClient) sheetRows(path, sheet string) [][]string {
	c.t.Helper()
	req, _ := http.NewRequest("GET", c.base+path, nil)
	req.Header.Set("Authorization", "Bearer "+c.token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		c.t.Fatalf("GET %s: %d", path, res.StatusCode)
	}
	f, err := excelize.OpenReader(res.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	rows, err := f.GetRows(sheet)
	if err != nil {
		c.t.Fatalf("%s: sheet %s: %v", path, sheet, err)
	}
	return rows
}

// TestAVisitsInvestmentLeadsAreFollowedUpUntilTheyLand: a visit's investment lead joins
// the register by itself; its leader follows it up, forward only, each follow-up kept and
// a form sent twice recorded once; the member department adds a lead of its own; the
// coverage, the ledger (JSON and its sheet) and the quarter's report count and list them.
// Another leader, a unit and every bad field are refused with nothing changed.
func TestAVisitsInvestmentLeadsAreFollowedUpUntilTheyLand(t *testing.T) {
	env := start(t, dataDir(t))
	t.Cleanup(env.Close)
	member, leader1, leader2 := login(t, env.URL, "member"), login(t, env.URL, "leader1"), login(t, env.URL, "leader2")
	unit := login(t, env.URL, "unit-natural-resources")
	today := time.Now().In(domain.Shanghai).Format(domain.DateLayout)
	visit := member.must(http.StatusCreated, "POST", "/api/v1/visits", map[string]any{"date": today, "leaders": []string{"leader1"},
		"enterprise_ids": []string{"ent-001"}, "method": "onsite", "topics": []string{"policy"}, "notes": "走访",
		"investment_leads": []map[string]string{{"title": "鞋材配套项目", "description": "上游鞋材企业有意落地"}}}).str("id")

	var list struct {
		Items []struct {
			ID, Leader, Status, Title string
			VisitID                   string `json:"visit_id"`
			EnterpriseID              string `json:"enterprise_id"`
		}
	}
	decode(t, leader1.must(http.StatusOK, "GET", "/api/v1/leads", nil).Raw, &list)
	if len(list.Items) != 1 || list.Items[0].VisitID != visit || list.Items[0].Leader != "leader1" ||
		list.Items[0].EnterpriseID != "ent-001" || list.Items[0].Status != "new" || list.Items[0].Title != "鞋材配套项目" {
		t.Fatalf("the visit's lead: %+v", list)
	}
	id := list.Items[0].ID
	path := "/api/v1/leads/" + id + "/follow-ups"

	contact := map[string]any{"status": "contacting", "note": "已电话联系对方企业"}
	leader1.must(http.StatusOK, "POST", path, contact)
	leader1.must(http.StatusOK, "POST", path, contact) // the same form again
	l := leader1.must(http.StatusOK, "GET", "/api/v1/leads/"+id, nil)
	if ups, _ := l.Body["follow_ups"].([]any); l.str("status") != "contacting" || len(ups) != 1 {
		t.Fatalf("after contacting (sent twice): %s", l.Raw)
	}
	leader1.must(http.StatusOK, "POST", path, map[string]any{"status": "negotiating", "note": "双方洽谈投资方案"})
	member.must(http.StatusOK, "POST", path, map[string]any{"note": "会员部跟进：对方要求提供用地信息"})

	for name, tc := range map[string]struct {
		who  *apiClient
		body map[string]any
		want int
	}{
		"back to contacting":        {leader1, map[string]any{"status": "contacting", "note": "x"}, http.StatusConflict},
		"back to new":               {leader1, map[string]any{"status": "new", "note": "x"}, http.StatusConflict},
		"dropped without a reason":  {leader1, map[string]any{"status": "dropped"}, http.StatusUnprocessableEntity},
		"an unknown state":          {leader1, map[string]any{"status": "dreaming"}, http.StatusUnprocessableEntity},
		"nothing at all":            {leader1, map[string]any{}, http.StatusUnprocessableEntity},
		"a note with a NUL":         {leader1, map[string]any{"note": "a\u0000b"}, http.StatusUnprocessableEntity},
		"a field a follow-up lacks": {leader1, map[string]any{"note": "x", "amount": 1}, http.StatusUnprocessableEntity},
		"another leader":            {leader2, map[string]any{"note": "x"}, http.StatusNotFound},
		"a unit":                    {unit, map[string]any{"note": "x"}, http.StatusForbidden},
	} {
		if r := tc.who.do("POST", path, tc.body, nil); r.Status != tc.want || r.errCode() == "" {
			t.Errorf("%s: %d %s, want %d", name, r.Status, r.Raw, tc.want)
		}
	}
	if r := leader2.do("GET", "/api/v1/leads/"+id, nil, nil); r.Status != http.StatusNotFound {
		t.Errorf("another leader reads the lead: %d", r.Status)
	}
	unit.must(http.StatusForbidden, "GET", "/api/v1/leads", nil)
	leader2.must(http.StatusForbidden, "GET", "/api/v1/leads?leader=leader1", nil)
	leader1.must(http.StatusOK, "POST", path, map[string]any{"status": "signed", "note": "签约五千万元"})
	leader1.must(http.StatusOK, "POST", path, map[string]any{"status": "landed", "note": "项目落地开工"})
	if r := leader1.do("POST", path, map[string]any{"note": "再跟进"}, nil); r.Status != http.StatusConflict || r.errCode() != "lead_closed" {
		t.Errorf("a landed lead followed up: %d %s", r.Status, r.Raw)
	}
	l = member.must(http.StatusOK, "GET", "/api/v1/leads/"+id, nil)
	if ups, _ := l.Body["follow_ups"].([]any); l.str("status") != "landed" || l.str("status_label") != "已落地" || len(ups) != 5 {
		t.Errorf("the landed lead: %s", l.Raw)
	}

	// A lead added by hand.
	added := member.must(http.StatusCreated, "POST", "/api/v1/leads", map[string]any{"enterprise_id": "ent-002", "leader": "leader2",
		"title": "新能源电池项目", "expected_amount_cny": 2e8})
	if added.str("status") != "new" || added.Body["expected_amount_cny"] != 2e8 || added.str("visit_id") != "" {
		t.Errorf("a lead added by hand: %s", added.Raw)
	}
	for name, tc := range map[string]struct {
		who  *apiClient
		body map[string]any
		want int
	}{
		"a leader adds another's": {leader1, map[string]any{"enterprise_id": "ent-002", "leader": "leader2", "title": "x"}, http.StatusForbidden},
		"an unknown enterprise":   {member, map[string]any{"enterprise_id": "ent-999", "leader": "leader2", "title": "x"}, http.StatusUnprocessableEntity},
		"someone not a leader":    {member, map[string]any{"enterprise_id": "ent-002", "leader": "member", "title": "x"}, http.StatusUnprocessableEntity},
		"a negative amount":       {member, map[string]any{"enterprise_id": "ent-002", "leader": "leader2", "title": "x", "expected_amount_cny": -1}, http.StatusUnprocessableEntity},
		"no title":                {member, map[string]any{"enterprise_id": "ent-002", "leader": "leader2", "title": " "}, http.StatusUnprocessableEntity},
		"a title of two lines":    {member, map[string]any{"enterprise_id": "ent-002", "leader": "leader2", "title": "a\nb"}, http.StatusUnprocessableEntity},
		"a unit adds a lead":      {unit, map[string]any{"enterprise_id": "ent-002", "leader": "leader2", "title": "x"}, http.StatusForbidden},
	} {
		if r := tc.who.do("POST", "/api/v1/leads", tc.body, nil); r.Status != tc.want || r.errCode() == "" {
			t.Errorf("%s: %d %s, want %d", name, r.Status, r.Raw, tc.want)
		}
	}
	var all struct{ Items []any }
	decode(t, member.must(http.StatusOK, "GET", "/api/v1/leads", nil).Raw, &all)
	if len(all.Items) != 2 {
		t.Errorf("the register holds %d leads, want 2", len(all.Items))
	}

	// Coverage, the ledger and the report count and list them.
	q := domain.QuarterOf(time.Now())
	var cov struct {
		Leaders []struct {
			Leader string
			Leads  struct {
				Total    int
				ByStatus map[string]int `json:"by_status"`
			}
		}
	}
	decode(t, member.must(http.StatusOK, "GET", "/api/v1/coverage?quarter="+string(rune('0'+q.Q)), nil).Raw, &cov)
	found := 0
	for _, l := range cov.Leaders {
		switch l.Leader {
		case "leader1":
			if l.Leads.Total == 1 && l.Leads.ByStatus["landed"] == 1 {
				found++
			}
		case "leader2":
			if l.Leads.Total == 1 && l.Leads.ByStatus["new"] == 1 {
				found++
			}
		}
	}
	if found != 2 {
		t.Errorf("coverage's leads: %+v", cov)
	}
	ledger := leader1.must(http.StatusOK, "GET", "/api/v1/ledger?quarter="+string(rune('0'+q.Q)), nil)
	if leads, _ := ledger.Body["leads"].([]any); len(leads) != 1 {
		t.Errorf("leader1's ledger lists %d leads: %s", len(leads), ledger.Raw)
	}
	rows := leader1.sheetRows("/api/v1/ledger?quarter="+string(rune('0'+q.Q))+"&format=xlsx", "招商线索")
	if len(rows) != 2 || rows[1][1] != id || rows[1][8] != "已落地" {
		t.Errorf("the ledger's leads sheet: %v", rows)
	}
	member.must(http.StatusAccepted, "POST", "/api/v1/reports/quarterly/"+q.String()+"/run", nil)
	rep := member.must(http.StatusOK, "GET", "/api/v1/reports/quarterly/"+q.String(), nil)
	if leads, _ := rep.Body["leads"].(map[string]any); leads["total"] != 2.0 {
		t.Errorf("the report's leads: %v", rep.Body["leads"])
	}
	if rows := member.sheetRows("/api/v1/reports/quarterly/"+q.String()+"/attachments/leads.xlsx", "招商线索"); len(rows) != 3 {
		t.Errorf("the report's leads sheet: %v", rows)
	}
	if rows := leader2.sheetRows("/api/v1/reports/quarterly/"+q.String()+"/attachments/leads.xlsx", "招商线索"); len(rows) != 2 || rows[1][6] != "新能源电池项目" {
		t.Errorf("leader2's leads sheet: %v", rows)
	}

	// The console: the member department adds a lead for leader2, who follows it up; a
	// drop without its reason is refused beside the field.
	memberPage := newPerson(t, env.URL).signIn("member").open("/leads")
	memberPage.sees("鞋材配套项目", "登记招商线索")
	memberPage.submit("/leads", url.Values{"title": {"智能制造产业园项目"}, "enterprise_id": {"ent-003"}, "leader": {"leader2"},
		"expected_amount_cny": {"30000000"}})
	memberPage.sees("已登记招商线索", "智能制造产业园项目")
	m := regexp.MustCompile(`href="/leads/(LD-[0-9]{6})">[^<]*</a></td><td>智能制造产业园项目`).FindStringSubmatch(memberPage.page)
	if m == nil {
		t.Fatalf("the new lead is not listed:\n%s", memberPage.page)
	}
	l2 := newPerson(t, env.URL).signIn("leader2").open("/leads/" + m[1])
	l2.submit("/leads/"+m[1]+"/follow-ups", url.Values{"status": {"dropped"}, "note": {"对方暂缓"}})
	if l2.status != http.StatusUnprocessableEntity || !strings.Contains(l2.page, `id="reason" name="reason" aria-invalid="true"`) {
		t.Fatalf("a drop without its reason: %d\n%s", l2.status, l2.page)
	}
	l2.open("/leads/" + m[1])
	l2.submit("/leads/"+m[1]+"/follow-ups", url.Values{"status": {"contacting"}, "note": {"已约见企业负责人"}})
	l2.sees("已保存跟进", "<dd>接洽中</dd>", "已约见企业负责人")
	if other := newPerson(t, env.URL).signIn("leader1").open("/leads/" + m[1]); other.status != http.StatusNotFound {
		t.Errorf("another leader opens the lead's page: %d", other.status)
	}
}
