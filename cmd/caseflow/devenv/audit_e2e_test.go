package devenv_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/xuri/excelize/v2"
	"go.temporal.io/sdk/client"

	"github.com/putian-fic/caseflow/workflows"
	"github.com/putian-fic/caseflow/workflows/domain"
)

// TestTheEfficiencyOfficeScoresUnitsFromTimelinesNobodyCanQuietlyRewrite: a case runs its
// course; the unit's figures and score come from its timeline and agree with a direct
// count in SQL; a frozen period keeps its figures whatever arrives later; an edited event
// and a deleted case are named by the verification.
func TestTheEfficiencyOfficeScoresUnitsFromTimelinesNobodyCanQuietlyRewrite(t *testing.T) {
	env := start(t, dataDir(t))
	t.Cleanup(env.Close)
	ctx := context.Background()
	member, gov, natres := login(t, env.URL, "member"), login(t, env.URL, "gov"), login(t, env.URL, "unit-natural-resources")
	eff, leader1, licheng := login(t, env.URL, "efficiency"), login(t, env.URL, "leader1"), login(t, env.URL, "unit-licheng")

	id := member.must(http.StatusCreated, "POST", "/api/v1/cases", map[string]any{"enterprise_id": "ent-001",
		"title": "用地审批慢", "description": "二期用地", "category": "land", "list": "problem"}).str("id")
	member.action(http.StatusOK, id, "triage", map[string]any{"decision": "refer", "office": "government",
		"lead_unit": "natural-resources", "co_units": []string{}, "override_reason": "测试"})
	gov.action(http.StatusOK, id, "refer", map[string]any{"instructions": "请办理"})
	natres.action(http.StatusOK, id, "sign", nil)
	natres.action(http.StatusOK, id, "extend", map[string]any{"days": 3, "reason": "需等待省厅批复"})
	gov.action(http.StatusOK, id, "decide_extension", map[string]any{"approve": true, "note": "同意"})
	natres.action(http.StatusOK, id, "complete", map[string]any{"outcome": "resolved", "report": "已办结"})
	// Not satisfied: handled again (重办), then satisfied.
	member.action(http.StatusOK, id, "callback", map[string]any{"solved": false, "satisfied": false, "note": "仍未解决"})
	natres.action(http.StatusOK, id, "complete", map[string]any{"outcome": "resolved", "report": "已重新办结"})
	member.action(http.StatusOK, id, "callback", map[string]any{"solved": true, "satisfied": true, "note": "满意"})
	gov.action(http.StatusOK, id, "close", map[string]any{"note": "销号"})

	// The unit's line: this month's figures and score.
	type line struct {
		Unit                                  string
		Received, Signed, Completed, Returned int
		SignedOnTime                          int `json:"signed_on_time"`
		CompletedOnTime                       int `json:"completed_on_time"`
		CalledBack                            int `json:"called_back"`
		Satisfied, Solved, Redone             int
		ExtensionsGranted                     int `json:"extensions_granted"`
		Score                                 float64
		Rank                                  int
		Cases                                 map[string][]string
		ScoreItems                            []struct {
			Item   string
			Points float64
			Cases  []string
		} `json:"score_items"`
	}
	var report struct {
		Period        string
		Frozen        bool
		SchemeVersion int `json:"scheme_version"`
		Units         []line
	}
	decode(t, eff.must(http.StatusOK, "GET", "/api/v1/audit/units", nil).Raw, &report)
	var nr line
	for _, l := range report.Units {
		if l.Unit == "natural-resources" {
			nr = l
		}
	}
	// Default scheme: on time 40 + satisfied 1/2 × 30 + signed on time 10 + solved 1/2 × 10 +
	// no returns 5 + redos (1 − 1/2) × 5 = 77.5.
	if nr.Received != 1 || nr.Signed != 1 || nr.SignedOnTime != 1 || nr.Completed != 2 || nr.CompletedOnTime != 2 ||
		nr.ExtensionsGranted != 1 || nr.Redone != 1 || nr.CalledBack != 2 || nr.Satisfied != 1 || nr.Solved != 1 ||
		nr.Score != 77.5 || nr.Rank != 1 || report.Frozen || report.SchemeVersion != 1 {
		t.Fatalf("natural resources: %+v (report %s v%d)", nr, report.Period, report.SchemeVersion)
	}
	// The same counts straight from the timeline in SQL.
	db, err := pgx.Connect(ctx, env.DatabaseURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close(ctx)
	for _, q := range []struct {
		sql  string
		want int
	}{
		{`SELECT count(*) FROM case_events WHERE type = 'referred' AND data->>'lead_unit' = 'natural-resources'`, nr.Received},
		{`SELECT count(*) FROM case_events WHERE type = 'signed' AND data->>'unit' = 'natural-resources'`, nr.Signed},
		{`SELECT count(*) FROM case_events e WHERE type = 'completed' AND EXISTS (SELECT 1 FROM case_events r
			WHERE r.case_id = e.case_id AND r.type = 'referred' AND r.data->>'lead_unit' = 'natural-resources')`, nr.Completed},
		{`SELECT count(*) FROM case_events WHERE type = 'called_back' AND (data->>'satisfied')::bool`, nr.Satisfied},
		{`SELECT count(*) FROM case_events WHERE type = 'called_back'`, nr.CalledBack},
		{`SELECT count(*) FROM case_events WHERE type = 'called_back' AND (data->>'redo')::bool`, nr.Redone},
		{`SELECT count(*) FROM case_events WHERE type = 'extension_approved'`, nr.ExtensionsGranted},
	} {
		var n int
		if err := db.QueryRow(ctx, q.sql).Scan(&n); err != nil || n != q.want {
			t.Errorf("%s: SQL says %d (%v), the audit %d", q.sql, n, err, q.want)
		}
	}
	// One unit's detail: the cases behind each figure and each item.
	var detail struct{ Unit line }
	decode(t, eff.must(http.StatusOK, "GET", "/api/v1/audit/units/natural-resources", nil).Raw, &detail)
	if !slices.Equal(detail.Unit.Cases["completed_on_time"], []string{id}) || len(detail.Unit.ScoreItems) != 8 ||
		detail.Unit.ScoreItems[0].Item != "on_time" || !slices.Contains(detail.Unit.ScoreItems[0].Cases, id) {
		t.Errorf("detail: %+v", detail.Unit)
	}
	// The same as workbooks.
	for path, sheets := range map[string][]string{"/api/v1/audit/units.xlsx": {"单位考评 " + report.Period},
		"/api/v1/audit/units/natural-resources.xlsx": {"考评汇总", "受理（主办）"}} {
		req, _ := http.NewRequest("GET", env.URL+path, nil)
		req.Header.Set("Authorization", "Bearer "+eff.token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		book, err := excelize.OpenReader(resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != xlsxType {
			t.Fatalf("%s: %d %v %s", path, resp.StatusCode, err, resp.Header.Get("Content-Type"))
		}
		names := book.GetSheetList()
		for _, want := range sheets {
			if !slices.Contains(names, want) {
				t.Errorf("%s: sheets %v, want %s", path, names, want)
			}
		}
		if path == "/api/v1/audit/units/natural-resources.xlsx" {
			rows, _ := book.GetRows("按时办结")
			if len(rows) != 2 || rows[1][1] != id {
				t.Errorf("按时办结 sheet: %v", rows)
			}
		}
	}
	licheng.must(http.StatusForbidden, "GET", "/api/v1/audit/units/natural-resources.xlsx", nil)
	req, _ := http.NewRequest("GET", env.URL+"/api/v1/audit/units/natural-resources.html", nil)
	req.Header.Set("Authorization", "Bearer "+natres.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(page), "自然资源局（natural-resources）绩效考评") ||
		!strings.Contains(string(page), "按时办结率") || !strings.Contains(string(page), id) {
		t.Errorf("page: %d %s", resp.StatusCode, page)
	}
	// Who sees what.
	for _, c := range []*apiClient{leader1, member} {
		c.must(http.StatusForbidden, "GET", "/api/v1/audit/units", nil)
	}
	licheng.must(http.StatusForbidden, "GET", "/api/v1/audit/units/natural-resources", nil)
	decode(t, licheng.must(http.StatusOK, "GET", "/api/v1/audit/units", nil).Raw, &report)
	if len(report.Units) != 1 || report.Units[0].Unit != "licheng" {
		t.Errorf("a unit sees %+v", report.Units)
	}
	// Flags: a case handled once, on time, gives none; a leader may not look.
	if r := eff.must(http.StatusOK, "GET", "/api/v1/audit/flags", nil); r.List == nil || len(r.List) != 0 {
		t.Errorf("flags: %s", r.Raw)
	}
	leader1.must(http.StatusForbidden, "GET", "/api/v1/audit/flags", nil)
	if r := eff.do("GET", "/api/v1/audit/units?period=2026-Q5", nil, nil); r.Status != http.StatusUnprocessableEntity {
		t.Errorf("a bad period: %d", r.Status)
	}

	// The scheme: a bad one is refused with its item and position; a new one scores anew.
	if r := eff.putYAML("/api/v1/audit/scoring", "items:\n  - id: on_time\n    points: m.on_time_rate *\n"); r.Status != http.StatusUnprocessableEntity ||
		!strings.Contains(string(r.Raw), `"item":"on_time"`) || !strings.Contains(string(r.Raw), `"line":3`) {
		t.Errorf("bad scheme: %d %s", r.Status, r.Raw)
	}
	if r := natres.putYAML("/api/v1/audit/scoring", "items:\n  - id: a\n    points: 100.0\n"); r.Status != http.StatusForbidden {
		t.Errorf("a unit writes the scheme: %d", r.Status)
	}
	if r := eff.putYAML("/api/v1/audit/scoring", "items:\n  - id: on_time\n    name: 按时办结率\n    points: m.on_time_rate * 50.0\n"); r.Status != http.StatusOK {
		t.Fatalf("new scheme: %d %s", r.Status, r.Raw)
	}
	decode(t, natres.must(http.StatusOK, "GET", "/api/v1/audit/units", nil).Raw, &report)
	if report.SchemeVersion != 2 || report.Units[0].Score != 50 { // both completions on time
		t.Errorf("with scheme 2: %+v", report)
	}

	// A frozen period answers what it was when frozen.
	thisMonth := time.Now().In(domain.Shanghai).Format("2006-01")
	if r := eff.do("POST", "/api/v1/audit/periods/"+thisMonth+"/freeze", nil, nil); r.Status != http.StatusConflict {
		t.Errorf("freezing the month under way: %d %s", r.Status, r.Raw)
	}
	old := domain.Case{ID: "SY-2025-000001", Status: "handling", Title: "旧案", Description: "旧案", Category: "land", List: "problem",
		EnterpriseID: "ent-002", LeadUnit: "licheng", ReferredUnits: []string{"licheng"}, CreatedBy: "member",
		CreatedAt: time.Date(2025, 6, 2, 9, 0, 0, 0, domain.Shanghai), UpdatedAt: time.Date(2025, 6, 2, 10, 0, 0, 0, domain.Shanghai)}
	oldEvent := func(seq int, typ, data string, day int) domain.Event {
		return domain.Event{CaseID: old.ID, Seq: seq, Type: typ, At: time.Date(2025, 6, day, 10, 0, 0, 0, domain.Shanghai),
			Actor: domain.Actor{Username: "system", Role: "system"}, Data: json.RawMessage(data)}
	}
	old.LastSeq = 2
	if _, err := env.Store.Project(ctx, domain.Projection{Case: old, Events: []domain.Event{
		oldEvent(1, "created", `{}`, 2), oldEvent(2, "referred", `{"lead_unit":"licheng","due_date":"2025-06-06"}`, 2)}}); err != nil {
		t.Fatal(err)
	}
	natres.must(http.StatusForbidden, "POST", "/api/v1/audit/periods/2025/freeze", nil)
	eff.must(http.StatusOK, "POST", "/api/v1/audit/periods/2025/freeze", nil)
	if r := eff.do("POST", "/api/v1/audit/periods/2025/freeze", nil, nil); r.Status != http.StatusConflict {
		t.Errorf("freezing twice: %d", r.Status)
	}
	old.LastSeq, old.Status = 3, "follow_up"
	if _, err := env.Store.Project(ctx, domain.Projection{Case: old, Events: []domain.Event{oldEvent(3, "completed", `{"outcome":"resolved"}`, 20)}}); err != nil {
		t.Fatal(err)
	}
	lichengLine := func(period string) (line, bool) {
		decode(t, licheng.must(http.StatusOK, "GET", "/api/v1/audit/units?period="+period, nil).Raw, &report)
		return report.Units[0], report.Frozen
	}
	if l, frozen := lichengLine("2025"); !frozen || l.Received != 1 || l.Completed != 0 {
		t.Errorf("frozen 2025: %+v frozen=%v", l, frozen)
	}
	if l, frozen := lichengLine("2025-06"); frozen || l.Received != 1 || l.Completed != 1 || l.CompletedOnTime != 0 {
		t.Errorf("June 2025, not frozen: %+v frozen=%v", l, frozen)
	}

	// The nightly seal, triggered now: every day before today is sealed.
	if err := env.Client.ScheduleClient().GetHandle(ctx, workflows.SealScheduleID).Trigger(ctx, client.ScheduleTriggerOptions{}); err != nil {
		t.Fatal(err)
	}
	sealedBy := time.Now().Add(30 * time.Second)
	for {
		var days int
		if err := db.QueryRow(ctx, `SELECT count(*) FROM audit_days WHERE day = '2025-06-02'`).Scan(&days); err != nil {
			t.Fatal(err)
		}
		if days == 1 {
			break
		}
		if time.Now().After(sealedBy) {
			t.Fatal("the triggered nightly seal sealed nothing")
		}
		time.Sleep(200 * time.Millisecond)
	}

	// Verification: intact, then an edited event and a deleted case are named.
	if v := eff.must(http.StatusOK, "GET", "/api/v1/audit/cases/"+id+"/verify", nil); v.Body["ok"] != true {
		t.Fatalf("verify: %s", v.Raw)
	}
	if v := eff.must(http.StatusOK, "GET", "/api/v1/audit/verify?period=2025", nil); v.Body["ok"] != true || v.Body["checked_cases"] != 1.0 {
		t.Fatalf("verify 2025: %s", v.Raw)
	}
	for _, sql := range []string{
		fmt.Sprintf(`UPDATE case_events SET data = '{"lead_unit":"licheng"}' WHERE case_id = '%s' AND seq = 4`, id),
		`DELETE FROM case_events WHERE case_id = 'SY-2025-000001'`, `DELETE FROM case_units WHERE case_id = 'SY-2025-000001'`,
		`DELETE FROM case_snapshots WHERE id = 'SY-2025-000001'`, `DELETE FROM cases WHERE id = 'SY-2025-000001'`,
	} {
		if _, err := db.Exec(ctx, sql); err != nil {
			t.Fatal(err)
		}
	}
	if v := eff.must(http.StatusOK, "GET", "/api/v1/audit/cases/"+id+"/verify", nil); v.Body["ok"] != false || v.Body["first_bad_seq"] != 4.0 {
		t.Errorf("an edited event: %s", v.Raw)
	}
	if v := eff.must(http.StatusOK, "GET", "/api/v1/audit/verify?period=2025", nil); v.Body["ok"] != false ||
		!strings.Contains(string(v.Raw), `"case_id":"SY-2025-000001"`) {
		t.Errorf("a deleted case: %s", v.Raw)
	}
	leader1.must(http.StatusForbidden, "GET", "/api/v1/audit/verify", nil)

	// An appeal: natural resources returned a case; the efficiency office accepts its appeal
	// and the return leaves its figures.
	id2 := member.must(http.StatusCreated, "POST", "/api/v1/cases", map[string]any{"enterprise_id": "ent-003",
		"title": "消防验收", "description": "验收排期长", "category": "land", "list": "problem"}).str("id")
	member.action(http.StatusOK, id2, "triage", map[string]any{"decision": "refer", "office": "government",
		"lead_unit": "natural-resources", "co_units": []string{}, "override_reason": "测试"})
	gov.action(http.StatusOK, id2, "refer", map[string]any{"instructions": "请办理"})
	natres.action(http.StatusOK, id2, "return", map[string]any{"grounds": "不属本单位职责"})
	returned := func() int {
		decode(t, eff.must(http.StatusOK, "GET", "/api/v1/audit/units/natural-resources", nil).Raw, &detail)
		return detail.Unit.Returned
	}
	if n := returned(); n != 1 {
		t.Fatalf("returned before the appeal: %d", n)
	}
	appeal := map[string]any{"reason": "该问题属消防部门职责，退回有据", "items": []string{"returned"}}
	if r := natres.do("POST", "/api/v1/cases/"+id2+"/appeals", appeal, nil); r.Status != http.StatusCreated ||
		!strings.Contains(string(r.Raw), `"status":"pending"`) {
		t.Fatalf("appeal: %d %s", r.Status, r.Raw)
	}
	natres.must(http.StatusConflict, "POST", "/api/v1/cases/"+id2+"/appeals", appeal) // one pending at a time
	natres.must(http.StatusUnprocessableEntity, "POST", "/api/v1/cases/"+id2+"/appeals", map[string]any{"reason": "x", "items": []string{"bribery"}})
	licheng.must(http.StatusNotFound, "POST", "/api/v1/cases/"+id2+"/appeals", appeal) // never referred to Licheng
	member.must(http.StatusForbidden, "POST", "/api/v1/cases/"+id2+"/appeals/1/decide", map[string]any{"accept": true})
	eff.must(http.StatusNotFound, "POST", "/api/v1/cases/"+id2+"/appeals/9/decide", map[string]any{"accept": true})
	if n := returned(); n != 1 {
		t.Errorf("returned while the appeal is pending: %d", n)
	}
	r := eff.must(http.StatusOK, "POST", "/api/v1/cases/"+id2+"/appeals/1/decide", map[string]any{"accept": true, "note": "情况属实"})
	if !strings.Contains(string(r.Raw), `"status":"accepted"`) {
		t.Errorf("decided: %s", r.Raw)
	}
	eff.must(http.StatusConflict, "POST", "/api/v1/cases/"+id2+"/appeals/1/decide", map[string]any{"accept": false})
	if n := returned(); n != 0 {
		t.Errorf("returned after the accepted appeal: %d", n)
	}
	var tl struct{ Events []timelineEvent }
	decode(t, eff.must(http.StatusOK, "GET", "/api/v1/cases/"+id2+"/timeline", nil).Raw, &tl)
	if last := tl.Events[len(tl.Events)-1]; last.Type != "appeal_accepted" || tl.Events[len(tl.Events)-2].Type != "appealed" {
		t.Errorf("timeline ends %+v", tl.Events[len(tl.Events)-2:])
	}
}
