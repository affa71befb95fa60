package devenv_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/putian-fic/caseflow/cmd/caseflow/devenv"
	"github.com/putian-fic/caseflow/workflows"
	"github.com/putian-fic/caseflow/workflows/domain"
)

func quietLogger() *slog.Logger {
	if os.Getenv("CASEFLOW_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// dataDir is a data directory PostgreSQL can reach when it runs as user postgres.
func dataDir(t *testing.T) string {
	dir, err := os.MkdirTemp("", "caseflow-e2e-")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return filepath.Join(dir, "data")
}

func start(t *testing.T, dir string) *devenv.Env {
	t.Helper()
	return startWith(t, devenv.Config{DataDir: dir, Addr: "127.0.0.1:0", Demo: true, Logger: quietLogger()})
}

// startWithDemoCases starts caseflow with the demo's visits and their cases, in every
// status and led by both offices (caseflow dev --demo).
func startWithDemoCases(t *testing.T) *devenv.Env {
	t.Helper()
	return startWith(t, devenv.Config{DataDir: dataDir(t), Addr: "127.0.0.1:0", Demo: true, DemoVisiting: true, Logger: quietLogger()})
}

func startWith(t *testing.T, cfg devenv.Config) *devenv.Env {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	env, err := devenv.Start(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return env
}

type timelineEvent struct {
	Seq   int    `json:"seq"`
	Type  string `json:"type"`
	Actor struct {
		Username, Role, Unit string
	} `json:"actor"`
	Data map[string]any `json:"data"`
}

// TestCaseLifecycleOverHTTP drives a case from creation to closure as the users would,
// with the whole process restarted while the case is being handled.
func TestCaseLifecycleOverHTTP(t *testing.T) {
	dir := dataDir(t)
	env := start(t, dir)
	closed := false
	t.Cleanup(func() {
		if !closed {
			env.Close()
		}
	})
	base := env.URL

	anon := &apiClient{t: t, base: base}
	if r := anon.do("GET", "/api/v1/cases", nil, nil); r.Status != http.StatusUnauthorized || r.errCode() != "unauthorized" {
		t.Fatalf("no token: %d %s", r.Status, r.Raw)
	}
	anon.must(http.StatusOK, "GET", "/readyz", nil)
	if r := anon.do("POST", "/api/v1/login", map[string]string{"username": "member", "password": "nope"}, nil); r.Status != http.StatusUnauthorized {
		t.Fatalf("bad password: %d", r.Status)
	}

	leader1, member, party, gov := login(t, base, "leader1"), login(t, base, "member"), login(t, base, "party"), login(t, base, "gov")
	natres, licheng, hanjiang := login(t, base, "unit-natural-resources"), login(t, base, "unit-licheng"), login(t, base, "unit-hanjiang")
	eff, leader2 := login(t, base, "efficiency"), login(t, base, "leader2")

	// Intake: a leader raises a problem heard on a visit; a retried request creates nothing new.
	newCase := map[string]any{"enterprise_id": "ent-001", "title": "新厂房用地审批慢",
		"description": "二期厂房用地报批已三个月未办结", "category": "land", "list": "problem", "visit_id": "V-2026-Q4-001"}
	key := map[string]string{"Idempotency-Key": "visit-001-problem-1"}
	r := leader1.do("POST", "/api/v1/cases", newCase, key)
	if r.Status != http.StatusCreated || r.str("status") != "triage" {
		t.Fatalf("create: %d %s", r.Status, r.Raw)
	}
	id := r.str("id")
	if want := fmt.Sprintf("PT-%d-000001", time.Now().In(domain.Shanghai).Year()); id != want {
		t.Fatalf("case id %s, want %s", id, want)
	}
	if again := leader1.do("POST", "/api/v1/cases", newCase, key); again.str("id") != id {
		t.Fatalf("retried create gave %d %s", again.Status, again.Raw)
	}

	// Bad input changes nothing.
	for _, bad := range []struct {
		who  *apiClient
		body any
		want int
	}{
		{leader1, `{"title":`, http.StatusUnprocessableEntity},
		{leader1, map[string]any{"enterprise_id": "ent-001", "title": "x", "description": "y", "category": "land", "list": "problem", "colour": "red"}, http.StatusUnprocessableEntity},
		{leader1, map[string]any{"enterprise_id": "ent-999", "title": "x", "description": "y", "category": "land", "list": "problem"}, http.StatusUnprocessableEntity},
		{leader1, map[string]any{"enterprise_id": "ent-001", "title": "x", "description": "y", "category": "weather", "list": "problem"}, http.StatusUnprocessableEntity},
		{leader1, map[string]any{"enterprise_id": "ent-001", "title": "x", "description": "y", "category": "financing", "list": "funding"}, http.StatusUnprocessableEntity},
		{natres, newCase, http.StatusForbidden},
		{leader1, newCase, http.StatusConflict}, // the same key with another body, below
	} {
		var h map[string]string
		if bad.want == http.StatusConflict {
			h = key
			bad.body = map[string]any{"enterprise_id": "ent-002", "title": "另一个问题", "description": "y", "category": "land", "list": "problem"}
		}
		if got := bad.who.do("POST", "/api/v1/cases", bad.body, h); got.Status != bad.want || got.errCode() == "" {
			t.Errorf("create %v: %d %s, want %d with an error code", bad.body, got.Status, got.Raw, bad.want)
		}
	}

	// A second case, sensitive and with an amount, raised by the member department.
	r = member.must(http.StatusCreated, "POST", "/api/v1/cases", map[string]any{"enterprise_id": "ent-005",
		"title": "港口扩建融资需求", "description": "需银行授信五千万元", "category": "financing", "list": "funding",
		"amount_cny": 50000000, "sensitive": true})
	fundingID := r.str("id")

	// Triage: wrong role, wrong state, unknown unit, then the member department's route.
	triage := map[string]any{"decision": "refer", "category": "land", "scope": "individual", "list": "problem",
		"office": "party", "lead_unit": "natural-resources", "co_units": []string{"licheng"}, "note": "涉及用地指标",
		"override_reason": "涉及多部门，由市委督查室牵头"}
	if r := eff.do("POST", "/api/v1/cases/"+id+"/actions/triage", triage, nil); r.Status != http.StatusForbidden || r.errCode() != "forbidden" {
		t.Errorf("triage by efficiency: %d %s", r.Status, r.Raw)
	}
	if r := party.do("POST", "/api/v1/cases/"+id+"/actions/refer", map[string]any{}, nil); r.Status != http.StatusConflict || r.errCode() != "invalid_transition" {
		t.Errorf("refer before triage: %d %s", r.Status, r.Raw)
	}
	badUnit := map[string]any{"decision": "refer", "category": "land", "scope": "individual", "list": "problem", "office": "party", "lead_unit": "atlantis"}
	if r := member.do("POST", "/api/v1/cases/"+id+"/actions/triage", badUnit, nil); r.Status != http.StatusUnprocessableEntity {
		t.Errorf("triage to unknown unit: %d %s", r.Status, r.Raw)
	}
	if r := member.do("POST", "/api/v1/cases/"+id+"/actions/triage", map[string]any{"decision": "refer", "extra": 1}, nil); r.Status != http.StatusUnprocessableEntity {
		t.Errorf("triage with unknown field: %d %s", r.Status, r.Raw)
	}
	if r := member.do("POST", "/api/v1/cases/"+id+"/actions/escalate", map[string]any{}, nil); r.Status != http.StatusNotFound {
		t.Errorf("unknown action: %d %s", r.Status, r.Raw)
	}
	r = member.action(http.StatusOK, id, "triage", triage)
	if r.str("status") != "referral" || r.str("lead_unit") != "natural-resources" || r.str("office") != "party" {
		t.Fatalf("after triage: %s", r.Raw)
	}

	// Referral by the lead office only, then signing by both units.
	due := time.Now().In(domain.Shanghai).AddDate(0, 0, 30).Format("2006-01-02")
	refer := map[string]any{"due_date": due, "instructions": "请主办单位牵头，荔城区配合"}
	if r := gov.do("POST", "/api/v1/cases/"+id+"/actions/refer", refer, nil); r.Status != http.StatusForbidden {
		t.Errorf("refer by the other office: %d %s", r.Status, r.Raw)
	}
	if r := hanjiang.do("GET", "/api/v1/cases/"+id, nil, nil); r.Status != http.StatusNotFound {
		t.Errorf("unit not yet assigned sees the case: %d", r.Status)
	}
	r = party.action(http.StatusOK, id, "refer", refer)
	if r.str("status") != "handling" || r.str("due_date") != due {
		t.Fatalf("after refer: %s", r.Raw)
	}
	natres.action(http.StatusOK, id, "sign", map[string]any{})
	if r := natres.do("POST", "/api/v1/cases/"+id+"/actions/sign", nil, nil); r.Status != http.StatusConflict {
		t.Errorf("second sign: %d %s", r.Status, r.Raw)
	}
	licheng.action(http.StatusOK, id, "sign", nil)
	if r := licheng.do("POST", "/api/v1/cases/"+id+"/actions/complete", map[string]any{"outcome": "resolved", "report": "x"}, nil); r.Status != http.StatusForbidden {
		t.Errorf("complete by co-unit: %d %s", r.Status, r.Raw)
	}
	licheng.action(http.StatusOK, id, "progress", map[string]any{"note": "已配合现场踏勘"})

	// An extension: asked by the lead unit, approved by the lead office; the deadline moves.
	if r := licheng.do("POST", "/api/v1/cases/"+id+"/actions/extend", map[string]any{"days": 5, "reason": "x"}, nil); r.Status != http.StatusForbidden {
		t.Errorf("extension asked by a co-unit: %d %s", r.Status, r.Raw)
	}
	natres.action(http.StatusOK, id, "extend", map[string]any{"days": 5, "reason": "需等待省自然资源厅批复"})
	if r := natres.do("POST", "/api/v1/cases/"+id+"/actions/decide_extension", map[string]any{"approve": true}, nil); r.Status != http.StatusForbidden {
		t.Errorf("a unit decides its own extension: %d", r.Status)
	}
	r = party.action(http.StatusOK, id, "decide_extension", map[string]any{"approve": true, "note": "同意延期5个工作日"})
	if r.str("due_date") <= due {
		t.Errorf("due date after the extension: %s (was %s)", r.str("due_date"), due)
	}
	due = r.str("due_date")

	// The process dies (cleanly here) with the case in handling, and comes back.
	env.Close()
	closed = true
	env = start(t, dir)
	closed = false
	for _, c := range []*apiClient{leader1, member, party, natres, licheng, hanjiang, eff, leader2} {
		c.base = env.URL // sessions live in PostgreSQL: the tokens still work
	}

	if r := natres.must(http.StatusOK, "GET", "/api/v1/cases/"+id, nil); r.str("status") != "handling" {
		t.Fatalf("after restart: %s", r.Raw)
	}
	natres.action(http.StatusOK, id, "complete", map[string]any{"outcome": "resolved", "report": "用地已批复"})
	if r := party.do("POST", "/api/v1/cases/"+id+"/actions/close", map[string]any{"note": "x"}, nil); r.Status != http.StatusConflict {
		t.Errorf("close before callback: %d %s", r.Status, r.Raw)
	}
	member.action(http.StatusOK, id, "callback", map[string]any{"solved": true, "satisfied": true, "note": "企业表示满意"})
	leader1.action(http.StatusOK, id, "comment", map[string]any{"text": "感谢各单位"})
	r = party.action(http.StatusOK, id, "close", map[string]any{"note": "问题已解决，予以销号"})
	if r.str("status") != "closed" || r.str("outcome") != "resolved" || r.str("status_label") != "已销号" {
		t.Fatalf("after close: %s", r.Raw)
	}
	if r := natres.do("POST", "/api/v1/cases/"+id+"/actions/progress", map[string]any{"note": "x"}, nil); r.Status != http.StatusConflict {
		t.Errorf("progress on a closed case: %d %s", r.Status, r.Raw)
	}

	// The timeline, event by event.
	r = eff.must(http.StatusOK, "GET", "/api/v1/cases/"+id+"/timeline", nil)
	var tl struct{ Events []timelineEvent }
	decode(t, r.Raw, &tl)
	want := []struct{ typ, user, role, unit string }{
		{"created", "leader1", "leader", ""},
		{"routed", "system", "system", ""},
		{"triaged", "member", "member_dept", ""},
		{"referred", "party", "supervision", "party"},
		{"signed", "unit-natural-resources", "unit", "natural-resources"},
		{"signed", "unit-licheng", "unit", "licheng"},
		{"progress", "unit-licheng", "unit", "licheng"},
		{"extension_requested", "unit-natural-resources", "unit", "natural-resources"},
		{"extension_approved", "party", "supervision", "party"},
		{"completed", "unit-natural-resources", "unit", "natural-resources"},
		{"called_back", "member", "member_dept", ""},
		{"commented", "leader1", "leader", ""},
		{"closed", "party", "supervision", "party"},
	}
	if len(tl.Events) != len(want) {
		t.Fatalf("timeline has %d events, want %d: %s", len(tl.Events), len(want), r.Raw)
	}
	for i, w := range want {
		e := tl.Events[i]
		if e.Seq != i+1 || e.Type != w.typ || e.Actor.Username != w.user || e.Actor.Role != w.role || e.Actor.Unit != w.unit {
			t.Errorf("event %d: %+v, want %+v", i+1, e, w)
		}
	}
	if tl.Events[3].Data["due_date"] == "" || tl.Events[9].Data["outcome"] != "resolved" || tl.Events[10].Data["satisfied"] != true {
		t.Errorf("event data: %v / %v / %v", tl.Events[3].Data, tl.Events[9].Data, tl.Events[10].Data)
	}
	if err := env.Store.VerifyTimeline(context.Background(), id); err != nil {
		t.Errorf("timeline hash chain: %v", err)
	}

	// Lists: filters, and each role sees only what it may.
	count := func(c *apiClient, query string) int {
		t.Helper()
		r := c.must(http.StatusOK, "GET", "/api/v1/cases"+query, nil)
		return int(r.Body["total"].(float64))
	}
	for _, tc := range []struct {
		who   *apiClient
		query string
		want  int
	}{
		{member, "", 2},
		{member, "?status=closed", 1},
		{member, "?status=triage", 1},
		{member, "?category=financing", 1},
		{member, "?unit=licheng", 1},
		{member, "?office=party", 1},
		{member, "?enterprise_id=ent-005", 1},
		{member, "?q=用地", 1},
		{member, "?page=2&page_size=1", 2},
		{eff, "", 2},
		{leader1, "", 1},
		{leader2, "", 0},
		{natres, "", 1},
		{licheng, "", 1},
		{hanjiang, "", 0},
	} {
		if got := count(tc.who, tc.query); got != tc.want {
			t.Errorf("GET /cases%s as %s: total %d, want %d", tc.query, tc.who.token[:6], got, tc.want)
		}
	}
	if r := member.do("GET", "/api/v1/cases?status=lost", nil, nil); r.Status != http.StatusBadRequest {
		t.Errorf("unknown status filter: %d", r.Status)
	}
	// Keyset pagination: the cursor of page one leads to page two, and page two is the last.
	first := member.must(http.StatusOK, "GET", "/api/v1/cases?page_size=1", nil)
	next, _ := first.Body["next_cursor"].(string)
	if next == "" || first.Body["total_estimated"] != false {
		t.Fatalf("page one of two: %s", first.Raw)
	}
	second := member.must(http.StatusOK, "GET", "/api/v1/cases?page_size=1&cursor="+next, nil)
	if _, more := second.Body["next_cursor"]; more || len(second.Body["items"].([]any)) != 1 ||
		second.Body["items"].([]any)[0].(map[string]any)["id"] == first.Body["items"].([]any)[0].(map[string]any)["id"] {
		t.Errorf("page two after the cursor: %s", second.Raw)
	}
	for _, bad := range []string{"?cursor=x", "?cursor=" + next + "&page=2", "?cursor=%00"} {
		if r := member.do("GET", "/api/v1/cases"+bad, nil, nil); r.Status != http.StatusBadRequest || r.errCode() == "" {
			t.Errorf("GET /cases%s: %d %s", bad, r.Status, r.Raw)
		}
	}
	if r := leader2.do("GET", "/api/v1/cases/"+id+"/timeline", nil, nil); r.Status != http.StatusNotFound {
		t.Errorf("another leader's case timeline: %d", r.Status)
	}

	// Sensitive fields: shown to the member department, redacted for the efficiency office.
	if r := member.must(http.StatusOK, "GET", "/api/v1/cases/"+fundingID, nil); r.Body["amount_cny"] != float64(50000000) || r.str("description") != "需银行授信五千万元" {
		t.Errorf("member sees %s", r.Raw)
	}
	if r := eff.must(http.StatusOK, "GET", "/api/v1/cases/"+fundingID, nil); r.Body["amount_cny"] != nil || r.str("description") == "需银行授信五千万元" {
		t.Errorf("efficiency sees %s", r.Raw)
	}
	// Every read of them is recorded: the member department's create answer, its list and
	// its read above; the efficiency office's redacted read is not one.
	var audit struct {
		Reads []struct{ Username string } `json:"reads"`
	}
	decode(t, eff.must(http.StatusOK, "GET", "/api/v1/cases/"+fundingID+"/sensitive-reads", nil).Raw, &audit)
	if len(audit.Reads) < 3 || slices.ContainsFunc(audit.Reads, func(r struct{ Username string }) bool { return r.Username == "efficiency" }) {
		t.Errorf("sensitive reads: %+v", audit.Reads)
	}
	member.must(http.StatusForbidden, "GET", "/api/v1/cases/"+fundingID+"/sensitive-reads", nil)

	// A retried action with the same Idempotency-Key takes effect once.
	comment := map[string]any{"text": "请补充材料"}
	retry := map[string]string{"Idempotency-Key": "comment-1"}
	for range 2 {
		if r := member.do("POST", "/api/v1/cases/"+fundingID+"/actions/comment", comment, retry); r.Status != http.StatusOK {
			t.Fatalf("comment: %d %s", r.Status, r.Raw)
		}
	}
	// An action's key is bounded as a case's and a visit's are: refused, nothing recorded.
	for _, bad := range []string{strings.Repeat("k", 201), "评论-1"} {
		if r := member.do("POST", "/api/v1/cases/"+fundingID+"/actions/comment", comment,
			map[string]string{"Idempotency-Key": bad}); r.Status != http.StatusBadRequest || r.errCode() != "invalid_header" {
			t.Errorf("an action with the key %q: %d %s", bad, r.Status, r.Raw)
		}
	}
	decode(t, member.must(http.StatusOK, "GET", "/api/v1/cases/"+fundingID+"/timeline", nil).Raw, &tl)
	if len(tl.Events) != 3 || tl.Events[2].Type != "commented" {
		t.Errorf("a retried comment: timeline %+v", tl.Events)
	}

	// A second workflow for the same case is refused.
	_, err := env.Client.ExecuteWorkflow(context.Background(), client.StartWorkflowOptions{
		ID: workflows.CaseWorkflowID(id), TaskQueue: workflows.TaskQueue, WorkflowExecutionErrorWhenAlreadyStarted: true,
	}, workflows.CaseWorkflow, workflows.CaseInput{})
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	if !errors.As(err, &started) {
		t.Errorf("duplicate start: %v", err)
	}

	// The run records the changes it was started with as one version marker, with one upsert
	// of the TemporalChangeVersion search attribute (not one of each a change).
	versions, upserts := 0, 0
	iter := env.Client.GetWorkflowHistory(context.Background(), workflows.CaseWorkflowID(id), "", false, enums.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for iter.HasNext() {
		ev, err := iter.Next()
		if err != nil {
			t.Fatal(err)
		}
		switch ev.GetEventType() {
		case enums.EVENT_TYPE_MARKER_RECORDED:
			if ev.GetMarkerRecordedEventAttributes().GetMarkerName() == "Version" {
				versions++
			}
		case enums.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES:
			upserts++
		}
	}
	if versions != 1 || upserts != 1 {
		t.Errorf("the case's history records %d version markers and %d search-attribute upserts, want one of each", versions, upserts)
	}

	if path := os.Getenv("CASEFLOW_SAVE_HISTORY"); path != "" {
		saveHistory(t, env, workflows.CaseWorkflowID(id), path)
	}
}

func decode(t *testing.T, raw []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(raw, v); err != nil {
		t.Fatalf("decode %s: %v", raw, err)
	}
}

// saveHistory writes a workflow's history as JSON, for the replay test in workflows.
func saveHistory(t *testing.T, env *devenv.Env, workflowID, path string) {
	iter := env.Client.GetWorkflowHistory(context.Background(), workflowID, "", false, enums.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	var events []json.RawMessage
	for iter.HasNext() {
		ev, err := iter.Next()
		if err != nil {
			t.Fatal(err)
		}
		raw, err := protojson.Marshal(ev)
		if err != nil {
			t.Fatal(err)
		}
		events = append(events, raw)
	}
	out, _ := json.MarshalIndent(map[string]any{"events": events}, "", "  ")
	if err := os.WriteFile(path, out, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("history of %s saved to %s (%d events)", workflowID, path, len(events))
}

// TestReferenceData covers units and enterprises: who may add an enterprise, and what
// a bad one gets.
func TestReferenceData(t *testing.T) {
	env := start(t, dataDir(t))
	t.Cleanup(env.Close)
	member, natres := login(t, env.URL, "member"), login(t, env.URL, "unit-natural-resources")

	r := natres.must(http.StatusOK, "GET", "/api/v1/units", nil)
	if items := r.Body["items"].([]any); len(items) != 20 || items[0].(map[string]any)["name"] != "城厢区" {
		t.Errorf("units: %s", r.Raw)
	}
	// Units do not see enterprises' personal contacts; the member department does.
	r = natres.must(http.StatusOK, "GET", "/api/v1/enterprises", nil)
	if first := r.Body["items"].([]any)[0].(map[string]any); first["contact_phone"] != "" {
		t.Errorf("a unit sees contacts: %v", first)
	}
	r = member.must(http.StatusOK, "GET", "/api/v1/enterprises", nil)
	if first := r.Body["items"].([]any)[0].(map[string]any); first["contact_phone"] == "" {
		t.Errorf("the member department does not see contacts: %v", first)
	}

	ent := map[string]any{"id": "ent-100", "name": "莆田市新星电子有限公司", "county": "hanjiang", "industry_chain": "电子信息", "member_kind": "standing_member"}
	natres.must(http.StatusForbidden, "POST", "/api/v1/enterprises", ent)
	if r := member.must(http.StatusCreated, "POST", "/api/v1/enterprises", ent); r.str("id") != "ent-100" || r.str("county") != "hanjiang" {
		t.Errorf("created %s", r.Raw)
	}
	if r := member.do("POST", "/api/v1/enterprises", ent, nil); r.Status != http.StatusConflict || r.errCode() != "conflict" {
		t.Errorf("duplicate enterprise: %d %s", r.Status, r.Raw)
	}
	for _, bad := range []map[string]any{
		{"name": "", "county": "hanjiang"},
		{"name": "x", "county": "natural-resources"},
		{"name": "x", "county": "atlantis"},
		{"name": "x", "county": "hanjiang", "rating": 5},
	} {
		if r := member.do("POST", "/api/v1/enterprises", bad, nil); r.Status != http.StatusUnprocessableEntity {
			t.Errorf("enterprise %v: %d %s", bad, r.Status, r.Raw)
		}
	}
	// The working-day calendar: statutory data, and a year entered by the administrator.
	admin := login(t, env.URL, "admin")
	r = natres.must(http.StatusOK, "GET", "/api/v1/calendar/2026", nil)
	if hol := r.Body["holidays"].([]any); len(hol) < 25 || r.Body["source"] != "statutory" || r.Body["workdays"].([]any)[0] != "2026-01-04" {
		t.Errorf("calendar 2026: %.300s", r.Raw)
	}
	year := map[string]any{"holidays": []string{"2028-01-01", "2028-01-03"}, "workdays": []string{"2028-01-08"}}
	natres.must(http.StatusForbidden, "PUT", "/api/v1/calendar/2028", year)
	if r := admin.must(http.StatusOK, "PUT", "/api/v1/calendar/2028", year); r.Body["source"] != "override" {
		t.Errorf("put calendar: %s", r.Raw)
	}
	if r := natres.must(http.StatusOK, "GET", "/api/v1/calendar/2028", nil); fmt.Sprint(r.Body["holidays"]) != "[2028-01-01 2028-01-03]" {
		t.Errorf("calendar 2028: %s", r.Raw)
	}
	for _, bad := range []any{map[string]any{"holidays": []string{"2027-10-01"}, "workdays": []string{}},
		map[string]any{"holidays": []string{"2028-02-30"}, "workdays": []string{}}, map[string]any{"holidays": []string{}}} {
		if r := admin.do("PUT", "/api/v1/calendar/2028", bad, nil); r.Status != http.StatusUnprocessableEntity {
			t.Errorf("calendar %v: %d %s", bad, r.Status, r.Raw)
		}
	}
	// Every period=, year= and quarter=, in the query or the path, is read one way: a
	// malformed one is 422 invalid_period naming the parameter.
	for path, param := range map[string]string{
		"/api/v1/calendar/20x8":                             "year",
		"/api/v1/calendar/1999":                             "year",
		"/api/v1/audit/units?period=2026-Q5":                "period",
		"/api/v1/audit/units?period=2026&from=2026-01-01":   "period",
		"/api/v1/audit/units?from=2026-13-01&to=2026-12-31": "from",
		"/api/v1/audit/verify?period=3000":                  "period",
		"/api/v1/coverage?quarter=5":                        "quarter",
		"/api/v1/coverage?year=19x":                         "year",
		"/api/v1/ledger?year=2101":                          "year",
		"/api/v1/leaders?year=abc":                          "year",
		"/api/v1/reports/quarterly/2026-Q9":                 "period",
		"/api/v1/reports/quarterly/26-Q1/summary.html":      "period",
	} {
		if r := admin.do("GET", path, nil, nil); r.Status != http.StatusUnprocessableEntity || r.errCode() != "invalid_period" ||
			!strings.HasPrefix(r.Body["error"].(map[string]any)["message"].(string), param+": ") {
			t.Errorf("GET %s: %d %s, want 422 invalid_period naming %s", path, r.Status, r.Raw, param)
		}
	}
	if r := login(t, env.URL, "efficiency").do("POST", "/api/v1/audit/periods/2026-13/freeze", nil, nil); r.Status != http.StatusUnprocessableEntity || r.errCode() != "invalid_period" {
		t.Errorf("freeze 2026-13: %d %s", r.Status, r.Raw)
	}

	if r := member.do("GET", "/api/v1/nothing", nil, nil); r.Status != http.StatusNotFound || r.errCode() != "not_found" {
		t.Errorf("unknown route: %d %s", r.Status, r.Raw)
	}
	if r := member.do("DELETE", "/api/v1/cases", nil, nil); r.Status != http.StatusMethodNotAllowed {
		t.Errorf("wrong method: %d %s", r.Status, r.Raw)
	}
	bogus := &apiClient{t: t, base: env.URL, token: "0123"}
	if r := bogus.do("GET", "/api/v1/me", nil, nil); r.Status != http.StatusUnauthorized {
		t.Errorf("bogus token: %d", r.Status)
	}
}
