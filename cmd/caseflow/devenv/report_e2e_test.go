package devenv_test

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/xuri/excelize/v2"
	"go.temporal.io/sdk/client"

	"github.com/putian-fic/caseflow/workflows"
	"github.com/putian-fic/caseflow/workflows/domain"
)

// TestTheQuarterlyReportIsScheduledCompiledAndDownloadable: the schedule exists with the
// right next run; a quarter's report is compiled from the cases, its attachments hold the
// cases of each list (a sensitive one hidden from a supervision office), the summary agrees
// with a direct count, a second run recompiles the same report, and a leader submits.
func TestTheQuarterlyReportIsScheduledCompiledAndDownloadable(t *testing.T) {
	env := start(t, dataDir(t))
	t.Cleanup(env.Close)
	ctx := context.Background()
	member, gov, leader1, leader2 := login(t, env.URL, "member"), login(t, env.URL, "gov"), login(t, env.URL, "leader1"), login(t, env.URL, "leader2")
	unit := login(t, env.URL, "unit-natural-resources")

	// The schedule: 08:00 Shanghai on the first day of the next quarter.
	sched := member.must(http.StatusOK, "GET", "/api/v1/reports/schedule", nil)
	nextRun := domain.QuarterOf(time.Now()).Start().Add(8 * time.Hour) // before 08:00 on a quarter's first day: today
	if !nextRun.After(time.Now()) {
		nextRun = domain.QuarterOf(time.Now()).Next().Start().Add(8 * time.Hour)
	}
	next := nextRun.UTC().Format(time.RFC3339)
	if runs, _ := sched.Body["next_runs"].([]any); len(runs) == 0 || runs[0] != next || sched.Body["paused"] != false ||
		sched.Body["time_zone"] != "Asia/Shanghai" {
		t.Fatalf("schedule: %s (want next run %s)", sched.Raw, next)
	}
	unit.must(http.StatusForbidden, "GET", "/api/v1/reports/schedule", nil)
	// Three workers starting at once leave the one schedule as it is.
	errs := make(chan error, 3)
	for range 3 {
		go func() { errs <- workflows.EnsureReportSchedule(ctx, env.Client) }()
	}
	for range 3 {
		if err := <-errs; err != nil {
			t.Errorf("a worker's start: %v", err)
		}
	}
	if again := member.must(http.StatusOK, "GET", "/api/v1/reports/schedule", nil); string(again.Raw) != string(sched.Raw) {
		t.Errorf("the schedule changed: %s", again.Raw)
	}
	// A schedule made from another spec (an older caseflow) is brought up to date.
	h := env.Client.ScheduleClient().GetHandle(ctx, workflows.ReportScheduleID)
	if err := h.Update(ctx, client.ScheduleUpdateOptions{DoUpdate: func(in client.ScheduleUpdateInput) (*client.ScheduleUpdate, error) {
		s := in.Description.Schedule
		s.State.Note = "caseflow spec of an older version"
		s.Spec.Calendars[0].Hour = []client.ScheduleRange{{Start: 6}}
		return &client.ScheduleUpdate{Schedule: &s}, nil
	}}); err != nil {
		t.Fatal(err)
	}
	if err := workflows.EnsureReportSchedule(ctx, env.Client); err != nil {
		t.Fatal(err)
	}
	if d, err := h.Describe(ctx); err != nil || !strings.HasPrefix(d.Schedule.State.Note, "caseflow spec ") ||
		d.Schedule.State.Note == "caseflow spec of an older version" || d.Info.NextActionTimes[0].UTC().Format(time.RFC3339) != next {
		t.Errorf("schedule after an upgrade: %v %+v", err, d)
	}

	// Cases of the three lists this quarter; one sensitive, with an amount.
	raise := func(who *apiClient, body map[string]any) string {
		return who.must(http.StatusCreated, "POST", "/api/v1/cases", body).str("id")
	}
	p1 := raise(leader1, map[string]any{"enterprise_id": "ent-001", "title": "用地审批慢", "description": "二期用地报批三个月", "category": "land", "list": "problem"})
	p2 := raise(member, map[string]any{"enterprise_id": "ent-002", "title": "停电", "description": "频繁停电", "category": "power", "list": "problem"})
	f1 := raise(member, map[string]any{"enterprise_id": "ent-005", "title": "授信", "description": "需授信五千万元", "category": "financing",
		"list": "funding", "amount_cny": 50000000, "sensitive": true})
	s1 := raise(member, map[string]any{"enterprise_id": "ent-007", "title": "道路", "description": "进厂道路未硬化", "category": "construction", "list": "support"})
	member.action(http.StatusOK, p2, "triage", map[string]any{"decision": "answer", "answer": "已协调供电公司"})

	q := domain.QuarterOf(time.Now()).String()
	for path, want := range map[string]int{"/api/v1/reports/quarterly/2026-Q9": http.StatusUnprocessableEntity,
		"/api/v1/reports/quarterly/" + domain.QuarterOf(time.Now()).Next().Next().String(): http.StatusNotFound,
		"/api/v1/reports/quarterly/" + q: http.StatusNotFound} { // not compiled yet
		if r := member.do("GET", path, nil, nil); r.Status != want {
			t.Errorf("GET %s: %d, want %d", path, r.Status, want)
		}
	}
	unit.must(http.StatusForbidden, "GET", "/api/v1/reports/quarterly", nil)
	leader1.must(http.StatusForbidden, "POST", "/api/v1/reports/quarterly/"+q+"/run", nil)

	r := member.must(http.StatusAccepted, "POST", "/api/v1/reports/quarterly/"+q+"/run", nil)
	if r.str("status") != "open" || r.Body["version"] != 1.0 {
		t.Fatalf("run: %s", r.Raw)
	}
	// The totals against a direct count.
	db, err := pgx.Connect(ctx, env.DatabaseURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close(ctx)
	qq, _ := domain.ParseQuarter(q)
	var raised, closed int
	if err := db.QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE status = 'closed') FROM cases WHERE created_at >= $1 AND created_at < $2`,
		qq.Start(), qq.End()).Scan(&raised, &closed); err != nil {
		t.Fatal(err)
	}
	totals := r.Body["totals"].(map[string]any)
	if totals["raised"] != float64(raised) || totals["closed"] != float64(closed) || raised < 4 || closed < 1 {
		t.Errorf("totals %v, SQL says raised %d closed %d", totals, raised, closed)
	}
	// A second run compiles the same report again: one workflow, version 2.
	if again := member.must(http.StatusAccepted, "POST", "/api/v1/reports/quarterly/"+q+"/run", nil); again.Body["version"] != 2.0 {
		t.Errorf("second run: %s", again.Raw)
	}
	desc, err := env.Client.DescribeWorkflowExecution(ctx, workflows.ReportWorkflowID(q), "")
	if err != nil || desc.WorkflowExecutionInfo.Execution.RunId == "" {
		t.Fatalf("the report's workflow: %v", err)
	}

	// The attachments, read back.
	rows := func(c *apiClient, n, sheet string) [][]string {
		t.Helper()
		req, _ := http.NewRequest("GET", env.URL+"/api/v1/reports/quarterly/"+q+"/attachments/"+n+".xlsx", nil)
		req.Header.Set("Authorization", "Bearer "+c.token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		book, err := excelize.OpenReader(resp.Body)
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("attachment %s: %d %v", n, resp.StatusCode, err)
		}
		out, err := book.GetRows(sheet)
		if err != nil {
			t.Fatalf("attachment %s: sheets %v: %v", n, book.GetSheetList(), err)
		}
		return out
	}
	caseIDs := func(rs [][]string) []string {
		var ids []string
		for _, row := range rs[1:] {
			ids = append(ids, row[1])
		}
		return ids
	}
	a1 := rows(member, "1", "附件1 问题诉求清单")
	if a1[0][0] != "序号" || a1[0][5] != "问题描述" || !strings.Contains(strings.Join(caseIDs(a1), ","), p1) ||
		!strings.Contains(strings.Join(caseIDs(a1), ","), p2) || strings.Contains(strings.Join(caseIDs(a1), ","), f1) {
		t.Errorf("attachment 1: %q", a1)
	}
	// A download that shows a case's sensitive fields is recorded as a read of the case is.
	admin := login(t, env.URL, "admin")
	readsOf := func(user string) int {
		var reads struct{ Reads []struct{ Username string } }
		decode(t, admin.must(http.StatusOK, "GET", "/api/v1/cases/"+f1+"/sensitive-reads", nil).Raw, &reads)
		n := 0
		for _, r := range reads.Reads {
			if r.Username == user {
				n++
			}
		}
		return n
	}
	memberReads := readsOf("member")
	a2 := rows(member, "2", "附件2 资金需求清单")
	if readsOf("member") != memberReads+1 {
		t.Errorf("the member department's download of attachment 2 is not recorded as a read of %s", f1)
	}
	if len(a2) != 2 || a2[0][6] != "涉及金额（万元）" || a2[1][1] != f1 || a2[1][6] != "5000" || a2[1][5] != "需授信五千万元" {
		t.Errorf("attachment 2 for the member department: %q", a2)
	}
	if g := rows(gov, "2", "附件2 资金需求清单"); g[1][5] != domain.RedactedText || len(g[1]) > 6 && g[1][6] != "" {
		t.Errorf("attachment 2 for a supervision office: %q", g)
	}
	if readsOf("gov") != 0 {
		t.Errorf("a redacted download is recorded as a read")
	}
	if a3 := rows(member, "3", "附件3 配套需求清单"); len(a3) != 2 || a3[1][1] != s1 {
		t.Errorf("attachment 3: %q", a3)
	}
	if l := rows(leader1, "1", "附件1 问题诉求清单"); len(l) != 2 || l[1][1] != p1 {
		t.Errorf("attachment 1 for leader1 (their own case only): %q", l)
	}

	// The printable summary.
	req, _ := http.NewRequest("GET", env.URL+"/api/v1/reports/quarterly/"+q+"/summary.html", nil)
	req.Header.Set("Authorization", "Bearer "+member.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	page := new(bytes.Buffer)
	_, _ = page.ReadFrom(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(page.String(), "<svg") || !strings.Contains(page.String(), "季度企业家意见建议收集办理情况") {
		t.Errorf("summary: %d %.300s", resp.StatusCode, page.String())
	}

	// A leader submits; sees their own section only.
	if s := leader1.must(http.StatusCreated, "POST", "/api/v1/reports/quarterly/"+q+"/submissions", map[string]any{"narrative": "本季度走访挂钩企业二十家"}); s.str("status") != "on_time" {
		t.Errorf("submission: %s", s.Raw)
	}
	leader1.must(http.StatusUnprocessableEntity, "POST", "/api/v1/reports/quarterly/"+q+"/submissions", map[string]any{"narrative": " "})
	member.must(http.StatusForbidden, "POST", "/api/v1/reports/quarterly/"+q+"/submissions", map[string]any{"narrative": "x"})
	// The office that compiles the leaders' reports reads each leader's text, in the report
	// and under the leader's section of the summary; the supervision offices do not.
	narrativeOf := func(c *apiClient) any {
		for _, sv := range c.must(http.StatusOK, "GET", "/api/v1/reports/quarterly/"+q, nil).Body["submissions"].([]any) {
			if sv := sv.(map[string]any); sv["leader"] == "leader1" {
				return sv["narrative"]
			}
		}
		return nil
	}
	if got := narrativeOf(member); got != "本季度走访挂钩企业二十家" {
		t.Errorf("the member department reads leader1's text as %v", got)
	}
	if got := narrativeOf(gov); got != nil {
		t.Errorf("a supervision office reads leader1's text: %v", got)
	}
	summary := func(c *apiClient) string {
		req, _ := http.NewRequest("GET", env.URL+"/api/v1/reports/quarterly/"+q+"/summary.html", nil)
		req.Header.Set("Authorization", "Bearer "+c.token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b := new(bytes.Buffer)
		_, _ = b.ReadFrom(resp.Body)
		return b.String()
	}
	if s := summary(member); !strings.Contains(s, "的调研报告（按时提交）</h3>\n<div class=\"narrative\">本季度走访挂钩企业二十家</div>") {
		t.Errorf("the summary lacks leader1's text under its section:\n%s", s)
	}
	if s := summary(gov); strings.Contains(s, "本季度走访挂钩企业二十家") {
		t.Errorf("a supervision office's summary shows leader1's text")
	}
	own := leader2.must(http.StatusOK, "GET", "/api/v1/reports/quarterly/"+q, nil)
	if l := own.Body["by_leader"].([]any); len(l) != 1 || l[0].(map[string]any)["leader"] != "leader2" || len(own.Body["by_county"].([]any)) != 0 {
		t.Errorf("leader2's view: %s", own.Raw)
	}
	list := member.must(http.StatusOK, "GET", "/api/v1/reports/quarterly", nil)
	item := list.Body["items"].([]any)[0].(map[string]any)
	if subs := item["submissions"].(map[string]any); item["period"] != q || subs["on_time"] != 1.0 || subs["missing"] != 1.0 {
		t.Errorf("list: %s", list.Raw)
	}

	// The schedule's action, triggered now: it starts the report of the quarter before.
	if err := env.Client.ScheduleClient().GetHandle(ctx, workflows.ReportScheduleID).Trigger(ctx, client.ScheduleTriggerOptions{}); err != nil {
		t.Fatal(err)
	}
	prev := domain.QuarterOf(time.Now()).Prev().String()
	deadline := time.Now().Add(30 * time.Second)
	for member.do("GET", "/api/v1/reports/quarterly/"+prev, nil, nil).Status != http.StatusOK {
		if time.Now().After(deadline) {
			t.Fatalf("the triggered schedule did not start the %s report", prev)
		}
		time.Sleep(200 * time.Millisecond)
	}

	// A quarter long past, run by hand: compiled final at once.
	past := member.must(http.StatusAccepted, "POST", "/api/v1/reports/quarterly/2025-Q1/run", nil)
	if past.Body["final"] != true || past.str("status") != "closed" {
		t.Errorf("backfilled quarter: %s", past.Raw)
	}
}
