package devenv_test

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/putian-fic/caseflow/activities/store"
	"github.com/putian-fic/caseflow/cmd/caseflow/devenv"
	"github.com/putian-fic/caseflow/workflows/domain"
)

// TestTheSecondRoundOfAttacksIsRefused replays over HTTP the requests of the second
// attacker's round (issue "Defects found when tried as an attacker would, second round")
// that stopped the intake or broke the audit for everyone, and checks that each is
// refused with the field named while caseflow goes on working.
func TestTheSecondRoundOfAttacksIsRefused(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	const actionTimeout = 4 * time.Second
	env, err := devenv.Start(ctx, devenv.Config{DataDir: dataDir(t), Addr: "127.0.0.1:0", Demo: true, Logger: quietLogger(),
		ActionTimeout: actionTimeout})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(env.Close)
	admin, member, leader, eff := login(t, env.URL, "admin"), login(t, env.URL, "member"), login(t, env.URL, "leader1"), login(t, env.URL, "efficiency")
	newCase := func(who *apiClient) response {
		t.Helper()
		return who.must(http.StatusCreated, "POST", "/api/v1/cases", map[string]any{"enterprise_id": "ent-001",
			"title": "用地审批慢", "description": "报批三个月", "category": "business_environment", "list": "problem"})
	}
	proposal := func(r response) map[string]any { p, _ := r.Body["route_proposal"].(map[string]any); return p }

	t.Run("1. a rule set with a NUL in any text is refused, naming the rule and field", func(t *testing.T) {
		for name, tc := range map[string]struct{ src, ruleID, field string }{
			"NUL in an id":          {"version: 50\nrules:\n  - id: \"r\\0x\"\n    when: 'true'\n    set: {priority: high}\n", "r\x00x", "id"},
			"NUL in a description":  {"version: 50\nrules:\n  - id: r\n    description: \"a\\0b\"\n    when: 'true'\n    set: {priority: high}\n", "r", "description"},
			"bidi override in tags": {"version: 50\nrules:\n  - id: r\n    when: 'true'\n    set: {tags: [\"a\\u202eb\"]}\n", "r", "tags"},
		} {
			r := admin.putYAML("/api/v1/rules", tc.src)
			if r.Status != http.StatusUnprocessableEntity || r.errCode() != "invalid_rules" {
				t.Fatalf("%s: %d %s", name, r.Status, r.Raw)
			}
			details, _ := r.Body["error"].(map[string]any)["details"].([]any)
			if !slices.ContainsFunc(details, func(d any) bool {
				m := d.(map[string]any)
				return m["rule_id"] == tc.ruleID && strings.HasPrefix(m["message"].(string), tc.field+":")
			}) {
				t.Errorf("%s: details %v", name, details)
			}
		}
		if p := proposal(newCase(leader)); p["reason"] != "matched" || p["rule_set_version"] != float64(1) {
			t.Errorf("the default rules stayed active: %v", p)
		}
	})

	t.Run("1. a stored rule set that no longer loads leaves cases and visits to manual triage", func(t *testing.T) {
		// As if stored before its texts were checked.
		if err := env.Store.SaveRuleSet(ctx, store.RuleSetRecord{Version: 60, RuleCount: 1, UploadedBy: "admin",
			Source: "version: 60\nrules:\n  - id: \"r\\0x\"\n    when: 'true'\n    set: {office: party, lead_unit: commerce, tags: [\"t\\0\"]}\n"}); err != nil {
			t.Fatal(err)
		}
		r := newCase(leader)
		if p := proposal(r); p["reason"] != "routing_failed" || r.str("status") != "triage" {
			t.Fatalf("case under a broken rule set: %s", r.Raw)
		}
		v := member.must(http.StatusCreated, "POST", "/api/v1/visits", map[string]any{"date": "2026-11-20", "leaders": []string{"leader1"},
			"enterprise_ids": []string{"ent-001"}, "method": "onsite", "topics": []string{"problems"},
			"problems": []map[string]any{{"title": "停电", "description": "每月停电", "category": "power", "list": "problem"}}})
		for _, c := range v.Body["cases"].([]any) {
			if c.(map[string]any)["status"] != "triage" {
				t.Errorf("visit case: %v", c)
			}
		}
	})

	t.Run("6. a co-unit an expression gives that is not a unit is never proposed", func(t *testing.T) {
		src := "version: 70\nrules:\n  - id: env\n    when: case.category == 'business_environment'\n" +
			"    set: {office: government, lead_unit: development-reform, co_units: ['=enterprise.id', '=enterprise.county']}\n"
		if r := admin.putYAML("/api/v1/rules", src); r.Status != http.StatusOK {
			t.Fatalf("upload: %d %s", r.Status, r.Raw)
		}
		p := proposal(newCase(leader))
		if co := strs(p["co_units"]); !slices.Equal(co, []string{"licheng"}) || p["reason"] != "matched" {
			t.Fatalf("proposal %v", p)
		}
		r := member.must(http.StatusOK, "POST", "/api/v1/rules/evaluate", map[string]any{"case": map[string]any{"category": "business_environment",
			"list": "problem", "title": "t"}, "enterprise_id": "ent-001"})
		if co := strs(r.Body["route"].(map[string]any)["co_units"]); !slices.Equal(co, []string{"licheng"}) {
			t.Errorf("dry run proposes %v", co)
		}
	})

	t.Run("4. a scheme that cannot score some unit is refused at upload, or marks only that unit", func(t *testing.T) {
		for name, tc := range map[string]struct{ src, item, word string }{
			"division by zero at two received": {"items:\n  - id: a\n    points: double(100 / (int(m.received) - 2))\n", "a", "division by zero"},
			"an int overflow":                  {"items:\n  - id: a\n    points: double(int(m.received) * 9223372036854775807)\n", "a", "overflow"},
			"NUL in an item's name":            {"items:\n  - id: a\n    name: \"x\\0\"\n    points: 1.0\n", "a", "name"},
		} {
			r := eff.putYAML("/api/v1/audit/scoring", tc.src)
			if r.Status != http.StatusUnprocessableEntity || !strings.Contains(string(r.Raw), tc.word) || !strings.Contains(string(r.Raw), `"item":"`+tc.item+`"`) {
				t.Errorf("%s: %d %s", name, r.Status, r.Raw)
			}
		}
		// A case referred now, so that one unit has received something this period.
		gov := login(t, env.URL, "gov")
		referred := newCase(leader).str("id")
		member.action(http.StatusOK, referred, "triage", map[string]any{"decision": "refer"})
		gov.action(http.StatusOK, referred, "refer", map[string]any{"instructions": "请办理"})
		// A scheme stored before these checks, failing for every unit that received nothing.
		if _, err := env.Store.SaveScheme(ctx, "items:\n  - id: base\n    points: 50.0\n  - id: per_case\n    name: 件均\n    points: double(100 / int(m.received))\n", "efficiency"); err != nil {
			t.Fatal(err)
		}
		var report struct {
			Units []struct {
				Unit       string
				Received   int
				Score      float64
				Rank       int
				ScoreError *struct{ Item, Reason string } `json:"score_error"`
			}
		}
		decode(t, eff.must(http.StatusOK, "GET", "/api/v1/audit/units", nil).Raw, &report)
		scored, failed := 0, ""
		for _, u := range report.Units {
			switch {
			case u.Received == 0 && (u.ScoreError == nil || u.ScoreError.Item != "per_case" || !strings.Contains(u.ScoreError.Reason, "division by zero") || u.Rank != 0):
				t.Errorf("%s received nothing: %+v", u.Unit, u)
			case u.Received > 0 && (u.ScoreError != nil || u.Rank == 0 || u.Score != 50+float64(100/u.Received)):
				t.Errorf("%s received %d: %+v", u.Unit, u.Received, u)
			case u.Received > 0:
				scored++
			default:
				failed = u.Unit
			}
		}
		if scored == 0 || failed == "" {
			t.Fatalf("%d units scored, %q failed: the demo should give both", scored, failed)
		}
		req, _ := http.NewRequest("GET", env.URL+"/api/v1/audit/units/"+failed+".html", nil)
		req.Header.Set("Authorization", "Bearer "+eff.token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		page, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(page), "得分无法计算：考评项「per_case」") {
			t.Errorf("the failing unit's page: %d %.300s", resp.StatusCode, page)
		}
		if r := eff.putYAML("/api/v1/audit/scoring", "items:\n  - id: a\n    points: 100.0\n"); r.Status != http.StatusOK {
			t.Fatalf("a good scheme: %d %s", r.Status, r.Raw)
		}
	})

	t.Run("3. a visit as large as a request may be is logged whole, each problem a case", func(t *testing.T) {
		problems := make([]map[string]any, 50)
		for i := range problems {
			problems[i] = map[string]any{"title": fmt.Sprintf("大走访问题 %02d", i), "description": strings.Repeat("企", 5000),
				"category": "land", "list": "problem"}
		}
		today := time.Now().In(domain.Shanghai).Format(domain.DateLayout)
		body := map[string]any{"date": today, "leaders": []string{"leader1"}, "enterprise_ids": []string{"ent-001"},
			"method": "onsite", "notes": strings.Repeat("记", 5000), "problems": problems}
		// Beyond this test's 4-second action timeout the answer is 503 timeout, and the
		// client sends the same request again with its key, as a client must.
		started := time.Now()
		var r response
		for tries := 1; ; tries++ {
			r = member.do("POST", "/api/v1/visits", body, map[string]string{"Idempotency-Key": "big-visit"})
			if r.Status != http.StatusServiceUnavailable || time.Since(started) > 2*time.Minute {
				t.Logf("answered %d after %v and %d tries", r.Status, time.Since(started).Round(100*time.Millisecond), tries)
				break
			}
		}
		if r.Status != http.StatusCreated {
			t.Fatalf("a %d-problem visit of about 750 KB: %d %.300s", len(problems), r.Status, r.Raw)
		}
		cases, _ := r.Body["cases"].([]any)
		for _, c := range cases {
			if c.(map[string]any)["status"] == "pending" {
				t.Errorf("a case of the visit is pending: %v", c)
			}
		}
		if len(cases) != 50 {
			t.Errorf("%d cases, want 50", len(cases))
		}
	})

	t.Run("5. a report run with no worker answers 503 with Retry-After in time, and completes once one is back", func(t *testing.T) {
		q := domain.QuarterOf(time.Now()).String()
		env.StopWorker()
		started := time.Now()
		req, _ := http.NewRequest("POST", env.URL+"/api/v1/reports/quarterly/"+q+"/run", nil)
		req.Header.Set("Authorization", "Bearer "+member.token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if took := time.Since(started); resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" ||
			!strings.Contains(string(raw), `"code":"timeout"`) || took > actionTimeout+5*time.Second {
			t.Errorf("run without a worker: %d after %v, Retry-After %q: %s", resp.StatusCode, took, resp.Header.Get("Retry-After"), raw)
		}
		if err := env.StartWorker(nil); err != nil {
			t.Fatal(err)
		}
		for deadline := time.Now().Add(90 * time.Second); ; {
			r := member.do("POST", "/api/v1/reports/quarterly/"+q+"/run", nil, nil)
			if r.Status == http.StatusAccepted && r.Body["version"] != nil && r.Body["version"] != 0.0 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("the run did not complete after the worker came back: %d %s", r.Status, r.Raw)
			}
			time.Sleep(time.Second)
		}
	})

	t.Run("6. smaller ones: each 422 with the field named", func(t *testing.T) {
		for _, hook := range []string{"http://127.1/", "http://2130706433/", "http://0x7f000001/", "http://017700000001/"} {
			r := member.do("PUT", "/api/v1/me/notifications", map[string]any{"webhook_url": hook, "notify_webhook": true}, nil)
			if r.Status != http.StatusUnprocessableEntity || !strings.Contains(string(r.Raw), "webhook_url") {
				t.Errorf("webhook %s: %d %s", hook, r.Status, r.Raw)
			}
		}
		r := member.do("POST", "/api/v1/visits", map[string]any{"date": "1999-12-31", "leaders": []string{"leader1"},
			"enterprise_ids": []string{"ent-001"}, "method": "onsite", "topics": []string{"policy"}}, nil)
		if r.Status != http.StatusUnprocessableEntity || !strings.Contains(string(r.Raw), "date") {
			t.Errorf("a visit in 1999: %d %s", r.Status, r.Raw)
		}
		blank := member.do("POST", "/api/v1/enterprises/import", "企业名称,所属县区\n,\n,\n", map[string]string{"Content-Type": "text/csv"})
		if blank.Status != http.StatusUnprocessableEntity || blank.errCode() != "invalid_file" {
			t.Errorf("a file of blank rows: %d %s", blank.Status, blank.Raw)
		}
		f := excelize.NewFile()
		_ = f.SetSheetRow("Sheet1", "A1", &[]any{"企业名称", "所属县区"})
		_ = f.SetSheetRow("Sheet1", "A2", &[]any{"新企业", "城厢区"})
		var book bytes.Buffer
		_ = f.Write(&book)
		withDTD := rewriteZip(t, book.Bytes(), "xl/worksheets/sheet1.xml", func(b []byte) []byte {
			return bytes.Replace(b, []byte("?>"), []byte("?><!DOCTYPE x [<!ENTITY a \"aaaa\">]>"), 1)
		})
		dtd := member.do("POST", "/api/v1/enterprises/import?dry_run=true", string(withDTD), map[string]string{"Content-Type": xlsxType})
		if dtd.Status != http.StatusUnprocessableEntity || !strings.Contains(string(dtd.Raw), "DTD") {
			t.Errorf("an XLSX with a DTD: %d %s", dtd.Status, dtd.Raw)
		}
		docs, err := http.Get(env.URL + "/api/docs")
		if err != nil {
			t.Fatal(err)
		}
		docs.Body.Close()
		if csp := docs.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") || strings.Contains(csp, "script-src") ||
			docs.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("page headers: %v", docs.Header)
		}

		// A problem typed as a formula is exported as text: shown, never evaluated.
		formula := `=HYPERLINK("http://evil.example/","点此查看")`
		today := time.Now().In(domain.Shanghai).Format(domain.DateLayout)
		leader.must(http.StatusCreated, "POST", "/api/v1/visits", map[string]any{"date": today, "leaders": []string{"leader1"},
			"enterprise_ids": []string{"ent-001"}, "method": "onsite", "notes": "@SUM(1+1)",
			"problems": []map[string]any{{"title": formula, "description": "-2+3", "category": "land", "list": "problem"}}})
		req, _ := http.NewRequest("GET", env.URL+"/api/v1/ledger?leader=leader1&format=xlsx", nil)
		req.Header.Set("Authorization", "Bearer "+member.token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		ledger, err := excelize.OpenReader(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		rows, err := ledger.GetRows("工作台账")
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for i, row := range rows {
			if len(row) < 10 || row[9] != "'"+formula {
				continue
			}
			found = true
			for col := range row {
				cell, _ := excelize.CoordinatesToCellName(col+1, i+1)
				if f, _ := ledger.GetCellFormula("工作台账", cell); f != "" {
					t.Errorf("cell %s holds a formula: %q", cell, f)
				}
			}
			if row[6] != "'@SUM(1+1)" {
				t.Errorf("notes cell: %q", row[6])
			}
		}
		if !found {
			t.Errorf("the ledger has no row with the title written as text: %q", rows)
		}
	})
}

// rewriteZip returns the zip archive raw with the part name changed by edit.
func rewriteZip(t *testing.T, raw []byte, name string, edit func([]byte) []byte) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(raw), int64(len(raw)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, f := range zr.File {
		rc, _ := f.Open()
		b, _ := io.ReadAll(rc)
		rc.Close()
		if f.Name == name {
			b = edit(b)
		}
		w, _ := zw.Create(f.Name)
		_, _ = w.Write(b)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}
