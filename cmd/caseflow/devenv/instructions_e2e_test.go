package devenv_test

import (
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/putian-fic/caseflow/workflows/domain"
)

// TestTheReportGoesToTheCityLeadersAndTheirInstructionsBecomeCases: the member department
// records that the quarter's report was sent and the instruction that came back, raises a
// case from the instruction, and the report — read by a leader too — shows the instruction
// with its case's state; the summary says the same in Chinese. Bad requests and other
// roles are refused with nothing recorded.
func TestTheReportGoesToTheCityLeadersAndTheirInstructionsBecomeCases(t *testing.T) {
	env := start(t, dataDir(t))
	t.Cleanup(env.Close)
	member, leader, party := login(t, env.URL, "member"), login(t, env.URL, "leader1"), login(t, env.URL, "party")
	now := time.Now().In(domain.Shanghai)
	q := domain.QuarterOf(now)
	base := "/api/v1/reports/quarterly/" + q.String()
	// Nothing is sent before the report is compiled.
	if r := member.do("POST", base+"/sent", map[string]any{"to": []string{"市委主要领导"}, "sent_at": now.Add(-time.Hour)}, nil); r.Status != http.StatusConflict {
		t.Errorf("sent before compiled: %d %s", r.Status, r.Raw)
	}
	member.must(http.StatusAccepted, "POST", base+"/run", nil)

	sending := map[string]any{"to": []string{"市委主要领导", "市政府主要领导"}, "sent_at": now.Add(-time.Hour).Format(time.RFC3339)}
	sd := member.must(http.StatusCreated, "POST", base+"/sent", sending)
	if sd.Body["n"] != 1.0 || len(strs(sd.Body["to"])) != 2 {
		t.Fatalf("sending: %s", sd.Raw)
	}
	if again := member.must(http.StatusOK, "POST", base+"/sent", sending); again.Body["n"] != 1.0 {
		t.Errorf("the same sending again: %s", again.Raw)
	}
	today := now.Format(domain.DateLayout)
	instruction := map[string]any{"by": "市委书记", "date": today, "text": "请市工商联牵头，协调解决企业用地难题"}
	in := member.must(http.StatusCreated, "POST", base+"/instructions", instruction)
	id := in.str("id")
	if id != q.String()+"-1" || in.str("by") != "市委书记" || in.str("date") != today {
		t.Fatalf("instruction: %s", in.Raw)
	}
	member.must(http.StatusOK, "POST", base+"/instructions", instruction)

	// The instruction becomes a case, linked both ways.
	c := member.must(http.StatusCreated, "POST", "/api/v1/cases", map[string]any{"enterprise_id": "ent-001", "title": "落实批示：企业用地",
		"description": "按市委书记批示协调用地", "category": "land", "list": "problem", "instruction_id": id})
	if c.str("source") != "instruction" || c.str("instruction_id") != id {
		t.Fatalf("the case from the instruction: %s", c.Raw)
	}
	if direct := member.must(http.StatusCreated, "POST", "/api/v1/cases", map[string]any{"enterprise_id": "ent-002", "title": "另一问题",
		"description": "企业自述", "category": "land", "list": "problem"}); direct.str("source") != "direct" {
		t.Errorf("a case raised by hand: %s", direct.Raw)
	}
	report := func(who *apiClient) (rep struct {
		Sent         []struct{ To []string }
		Instructions []struct {
			ID    string
			Cases []struct{ ID, Status, StatusLabel string }
		}
	}) {
		decode(t, who.must(http.StatusOK, "GET", base, nil).Raw, &rep)
		return rep
	}
	for name, who := range map[string]*apiClient{"member": member, "leader1": leader, "party": party} {
		rep := report(who)
		if len(rep.Sent) != 1 || len(rep.Instructions) != 1 || rep.Instructions[0].ID != id || len(rep.Instructions[0].Cases) != 1 ||
			rep.Instructions[0].Cases[0].ID != c.str("id") || rep.Instructions[0].Cases[0].Status != "triage" {
			t.Errorf("%s reads the report's sendings and instructions: %+v", name, rep)
		}
	}
	page := member.page(base + "/summary.html")
	for _, want := range []string{"报送与领导批示", "已报送：市委主要领导、市政府主要领导", "市委书记批示", "落实情况：" + c.str("id") + " 待梳理"} {
		if !strings.Contains(page, want) {
			t.Errorf("the summary lacks %q", want)
		}
	}

	// Refusals: each 4xx, nothing recorded.
	for name, tc := range map[string]struct {
		who       *apiClient
		path      string
		body      map[string]any
		want      int
		wantField string
	}{
		"a leader records a sending":      {leader, "/sent", sending, http.StatusForbidden, ""},
		"the office records a sending":    {party, "/sent", sending, http.StatusForbidden, ""},
		"no recipient":                    {member, "/sent", map[string]any{"to": []string{}, "sent_at": sending["sent_at"]}, http.StatusUnprocessableEntity, "to"},
		"a recipient twice":               {member, "/sent", map[string]any{"to": []string{"甲", "甲"}, "sent_at": sending["sent_at"]}, http.StatusUnprocessableEntity, "to[1]"},
		"a recipient with a control":      {member, "/sent", map[string]any{"to": []string{"甲\u0007"}, "sent_at": sending["sent_at"]}, http.StatusUnprocessableEntity, "to[0]"},
		"sent tomorrow":                   {member, "/sent", map[string]any{"to": []string{"甲"}, "sent_at": now.Add(24 * time.Hour).Format(time.RFC3339)}, http.StatusUnprocessableEntity, "sent_at"},
		"sent without a time":             {member, "/sent", map[string]any{"to": []string{"甲"}}, http.StatusUnprocessableEntity, "sent_at"},
		"a field a sending lacks":         {member, "/sent", map[string]any{"to": []string{"甲"}, "sent_at": sending["sent_at"], "via": "fax"}, http.StatusUnprocessableEntity, ""},
		"a leader records an instruction": {leader, "/instructions", instruction, http.StatusForbidden, ""},
		"an instruction without text":     {member, "/instructions", map[string]any{"by": "市长", "date": today, "text": " "}, http.StatusUnprocessableEntity, "text"},
		"an instruction of tomorrow":      {member, "/instructions", map[string]any{"by": "市长", "date": now.AddDate(0, 0, 1).Format(domain.DateLayout), "text": "x"}, http.StatusUnprocessableEntity, "date"},
		"an instruction on no date":       {member, "/instructions", map[string]any{"by": "市长", "date": "2026-13-01", "text": "x"}, http.StatusUnprocessableEntity, "date"},
		"an instruction by nobody":        {member, "/instructions", map[string]any{"by": "", "date": today, "text": "x"}, http.StatusUnprocessableEntity, "by"},
	} {
		r := tc.who.do("POST", base+tc.path, tc.body, nil)
		if r.Status != tc.want || r.errCode() == "" || tc.wantField != "" && r.errField() != tc.wantField {
			t.Errorf("%s: %d %s, want %d (field %q)", name, r.Status, r.Raw, tc.want, tc.wantField)
		}
	}
	if r := member.do("POST", "/api/v1/reports/quarterly/"+q.Prev().String()+"/instructions", instruction, nil); r.Status != http.StatusConflict {
		t.Errorf("an instruction on a report not compiled: %d %s", r.Status, r.Raw)
	}
	caseBody := map[string]any{"enterprise_id": "ent-001", "title": "x", "description": "x", "category": "land", "list": "problem"}
	caseBody["instruction_id"] = q.String() + "-9"
	if r := member.do("POST", "/api/v1/cases", caseBody, nil); r.Status != http.StatusUnprocessableEntity || r.errField() != "instruction_id" {
		t.Errorf("a case from an unknown instruction: %d %s", r.Status, r.Raw)
	}
	caseBody["instruction_id"] = id
	if r := leader.do("POST", "/api/v1/cases", caseBody, nil); r.Status != http.StatusForbidden {
		t.Errorf("a leader raises a case from an instruction: %d %s", r.Status, r.Raw)
	}
	if rep := report(member); len(rep.Sent) != 1 || len(rep.Instructions) != 1 || len(rep.Instructions[0].Cases) != 1 {
		t.Errorf("a refusal recorded something: %+v", rep)
	}

	// The console: the member department records a second instruction on the reports page
	// and raises a case from it; the case's page names its source.
	office := newPerson(t, env.URL).signIn("member").open("/reports?period=" + q.String())
	office.sees("报送与领导批示", "已报送：市委主要领导、市政府主要领导", "市委书记批示")
	office.submit("/reports/instructions", url.Values{"period": {q.String()}, "by": {"市长"}, "date": {today}, "text": {"请协调解决企业融资难题"}})
	office.sees("已登记批示", "市长批示")
	second := q.String() + "-2"
	office.submit("/reports/instructions/"+second+"/cases", url.Values{"title": {"企业融资难"}, "enterprise_id": {"ent-004"},
		"description": {"按市长批示协调转贷"}, "category": {"financing"}, "list": {"funding"}, "amount_cny": {"5000000"}})
	office.sees("企业融资难", "市领导批示（"+second+"）")
	office.open("/reports?period=" + q.String())
	if !regexp.MustCompile(`落实情况：<a href="/cases/PT-[0-9]{4}-[0-9]{6}">PT-[0-9]{4}-[0-9]{6}</a> 待梳理</p>\s*<form method="post" action="/reports/instructions/` + second).MatchString(office.page) {
		t.Errorf("the second instruction's case is not listed under it:\n%s", office.page)
	}
	if ldr := newPerson(t, env.URL).signIn("leader1").open("/reports"); strings.Contains(ldr.page, "登记批示") {
		t.Errorf("a leader is offered the instruction form")
	}
}

// page reads an HTML page of the API (a printable summary) with the client's token.
func (c *apiClient) page(path string) string {
	c.t.Helper()
	req, _ := http.NewRequest("GET", c.base+path, nil)
	req.Header.Set("Authorization", "Bearer "+c.token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		c.t.Fatalf("GET %s: %d %s", path, res.StatusCode, b)
	}
	return string(b)
}
