package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/putian-fic/caseflow/activities/store/pgcluster"
	"github.com/putian-fic/caseflow/cmd/caseflow/drive"
	"github.com/putian-fic/caseflow/workflows"
	"github.com/putian-fic/caseflow/workflows/domain"
)

// TestMain lets the tests run caseflow itself as a separate process (the test binary,
// re-executed with CASEFLOW_TEST_MAIN=1), so that they can kill it with SIGKILL.
func TestMain(m *testing.M) {
	if os.Getenv("CASEFLOW_TEST_MAIN") == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// proc is caseflow running as a child process.
type proc struct {
	t    *testing.T
	cmd  *exec.Cmd
	log  string
	done chan struct{} // closed when the process has exited
}

func startProc(t *testing.T, logName string, env []string, args ...string) *proc {
	t.Helper()
	logFile := filepath.Join(t.TempDir(), logName)
	f, err := os.Create(logFile)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(append(os.Environ(), "CASEFLOW_TEST_MAIN=1", "CASEFLOW_LOG_LEVEL=warn"), env...)
	cmd.Stdout, cmd.Stderr = f, f
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &proc{t: t, cmd: cmd, log: logFile, done: make(chan struct{})}
	go func() { _ = cmd.Wait(); f.Close(); close(p.done) }()
	t.Cleanup(func() {
		p.kill()
		if t.Failed() { // say why: the end of the process's log
			if raw, err := os.ReadFile(logFile); err == nil {
				lines := strings.Split(strings.TrimSpace(string(raw)), "\n")
				t.Logf("the last lines of %s:\n%s", logName, strings.Join(lines[max(0, len(lines)-40):], "\n"))
			}
		}
	})
	return p
}

// kill ends the process with SIGKILL: no clean-up of any kind.
func (p *proc) kill() {
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
}

func (p *proc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// stop ends the process as Ctrl-C does, and waits for it.
func (p *proc) stop() {
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(30 * time.Second):
		p.t.Errorf("caseflow did not stop within 30 s; log:\n%s", p.tail())
		p.kill()
	}
}

func (p *proc) tail() string {
	b, _ := os.ReadFile(p.log)
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}

// devSite is one caseflow dev data directory and its addresses, kept across restarts.
type devSite struct {
	t            *testing.T
	dir          string
	addr         string
	temporalPort int
	env          []string // added to caseflow's environment
}

func newDevSite(t *testing.T) *devSite {
	// A directory PostgreSQL, running as user postgres, can reach.
	base, err := os.MkdirTemp("", "caseflow-crash-")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(base, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(base) })
	s := &devSite{t: t, dir: filepath.Join(base, "data")}
	s.addr = fmt.Sprintf("127.0.0.1:%d", freePorts(t, 1))
	s.temporalPort = freePorts(t, 4)
	// The private PostgreSQL outlives a killed caseflow: stop it when the test ends.
	t.Cleanup(func() {
		if c, err := pgcluster.Start(context.Background(), s.pgDir()); err == nil {
			_ = c.Stop()
		}
	})
	return s
}

func (s *devSite) pgDir() string { return filepath.Join(s.dir, "postgres") }

// db connects to the site's running PostgreSQL, for what a test checks or holds there; the
// pool closes when the test ends.
func (s *devSite) db(ctx context.Context) *pgxpool.Pool {
	s.t.Helper()
	cl, err := pgcluster.Start(ctx, s.pgDir()) // the running one
	if err != nil {
		s.t.Fatal(err)
	}
	db, err := pgxpool.New(ctx, cl.URL())
	if err != nil {
		s.t.Fatal(err)
	}
	s.t.Cleanup(db.Close)
	return db
}
func (s *devSite) url() string { return "http://" + s.addr }

// start runs caseflow dev on the site and waits until it answers.
func (s *devSite) start(extra ...string) *proc {
	s.t.Helper()
	args := []string{"dev", "--demo", "--data-dir", s.dir, "--addr", s.addr, "--temporal-port", fmt.Sprint(s.temporalPort)}
	if !slices.Contains(extra, "--ui-port") {
		args = append(args, "--ui-port", "0") // tests run several at once: the UI's port is the test's to give
	}
	args = append(args, extra...)
	p := startProc(s.t, "dev.log", s.env, args...)
	s.waitReady(p)
	return p
}

func (s *devSite) waitReady(p *proc) {
	s.t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := http.Get(s.url() + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		if p.exited() {
			s.t.Fatalf("caseflow exited: %s", p.tail())
		}
		time.Sleep(200 * time.Millisecond)
	}
	s.t.Fatalf("caseflow did not become ready in 90 s: %s", p.tail())
}

// freePorts finds n consecutive free ports and answers the first.
func freePorts(t *testing.T, n int) int {
	for range 200 {
		base := 20000 + rand.IntN(10000)
		ok := true
		for p := base; p < base+n && ok; p++ {
			ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", p))
			if err != nil {
				ok = false
				continue
			}
			ln.Close()
		}
		if ok {
			return base
		}
	}
	t.Fatal("no free ports")
	return 0
}

// crashScene starts caseflow dev (with devArgs) on a fresh site, and a client for it.
func crashScene(t *testing.T, devArgs ...string) (*devSite, *proc, *drive.Client) {
	if testing.Short() {
		t.Skip("kills processes")
	}
	site := newDevSite(t)
	dev := site.start(devArgs...)
	return site, dev, drive.New(t, site.url(), "demo", 4*time.Minute)
}

func TestNoCaseIsLostOrDoubledWhenCaseflowIsKilledMidLifecycle(t *testing.T) {
	site, dev, c := crashScene(t)
	var killedAt time.Time
	acked := c.Load(t, 0, 200, func() {
		dev.kill() // kill -9, with 200 cases under way
		killedAt = time.Now()
		time.Sleep(time.Second)
		dev = site.start()
	})
	if killedAt.IsZero() || c.Failed.Load() == 0 {
		t.Fatalf("caseflow was not killed under requests (killed at %v, %d requests sent again)", killedAt, c.Failed.Load())
	}
	c.Check(t, acked, 0, 200)
	dev.stop()
}

func TestNothingAcknowledgedIsLostWhilePostgreSQLIsDown(t *testing.T) {
	site, dev, c := crashScene(t)
	var during []int
	acked := c.Load(t, 0, 60, func() {
		cl, err := pgcluster.Start(context.Background(), site.pgDir()) // the running one
		if err != nil {
			t.Error(err)
			return
		}
		if err := cl.Stop(); err != nil {
			t.Error(err)
			return
		}
		for range 10 { // ten seconds without PostgreSQL: reads answer 503 at once
			status, _, _ := c.Once("member", "GET", "/api/v1/cases", nil, "")
			during = append(during, status)
			time.Sleep(time.Second)
		}
		if _, err := pgcluster.Start(context.Background(), site.pgDir()); err != nil {
			t.Error(err)
		}
	})
	for _, s := range during {
		if s != http.StatusServiceUnavailable {
			t.Errorf("GET /cases while PostgreSQL is down: %v, want 503 each time", during)
			break
		}
	}
	c.Check(t, acked, 0, 60)
	dev.stop()
}

// TestCaseflowDevServesTheTemporalWebUIOnItsOwnPort: beside the console, caseflow dev
// serves Temporal's Web UI (assets embedded), where a case's workflow is found by its id.
func TestCaseflowDevServesTheTemporalWebUIOnItsOwnPort(t *testing.T) {
	site := newDevSite(t)
	port := freePorts(t, 1)
	dev := site.start("--ui-port", fmt.Sprint(port))
	defer dev.stop()
	c := drive.New(t, site.url(), "demo", time.Minute)
	status, body, _ := c.Once("member", "POST", "/api/v1/cases", map[string]any{"enterprise_id": "ent-001", "title": "界面可查",
		"description": "在 Temporal 界面查看", "category": "land", "list": "problem"}, "")
	id, _ := body["id"].(string)
	if status != http.StatusCreated || id == "" {
		t.Fatalf("raise a case: %d %v", status, body)
	}
	wf := workflows.CaseWorkflowID(id)
	for path, want := range map[string]string{"/": "<!doctype html>",
		"/api/v1/namespaces/default/workflows/" + wf: `"workflowId": "` + wf + `"`} {
		res, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d%s", port, path))
		if err != nil {
			t.Fatalf("the UI's %s: %v", path, err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK || !strings.Contains(string(b), want) {
			t.Errorf("the UI's %s: %d, lacks %q: %.300s", path, res.StatusCode, want, b)
		}
	}
}

func TestAWorkerKilledMidLifecycleLosesNothing(t *testing.T) {
	site, dev, c := crashScene(t, "--no-worker")
	cl, err := pgcluster.Start(context.Background(), site.pgDir())
	if err != nil {
		t.Fatal(err)
	}
	health := fmt.Sprintf("127.0.0.1:%d", freePorts(t, 1))
	env := []string{"DATABASE_URL=" + cl.URL(), fmt.Sprintf("TEMPORAL_ADDRESS=127.0.0.1:%d", site.temporalPort),
		"CASEFLOW_WORKER_ADDR=" + health}
	worker := startProc(t, "worker.log", env, "worker")
	acked := c.Load(t, 0, 60, func() {
		worker.kill()
		time.Sleep(3 * time.Second) // the API and Temporal stay up; actions wait
		worker = startProc(t, "worker.log", env, "worker")
	})
	c.Check(t, acked, 0, 60)
	// The restarted worker answers its probes and Prometheus on CASEFLOW_WORKER_ADDR.
	for path, want := range map[string]string{"/healthz": `"status":"ok"`, "/metrics": "process_resident_memory_bytes"} {
		res, err := http.Get("http://" + health + path)
		if err != nil {
			t.Fatalf("the worker's %s: %v", path, err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK || !strings.Contains(string(b), want) {
			t.Errorf("the worker's %s: %d, lacks %q", path, res.StatusCode, want)
		}
	}
	worker.stop()
	dev.stop()
}

// TestAVisitCutShortByACrashIsFinishedByTheServer kills caseflow (kill -9, API, worker and
// Temporal at once) while a visit with 20 problems is being logged, without an
// Idempotency-Key, and restarts it: with no client retrying, the visit and all its cases
// exist within a minute, each case once with an exact timeline, and no reader ever saw the
// visit with a case still pending.
func TestAVisitCutShortByACrashIsFinishedByTheServer(t *testing.T) {
	site, dev, c := crashScene(t)
	ctx := context.Background()
	db := site.db(ctx)

	const n = 20
	problems := make([]map[string]any, n)
	for i := range problems {
		problems[i] = map[string]any{"title": fmt.Sprintf("崩溃走访：问题 %02d", i), "description": "企业反映的问题",
			"category": "land", "list": "problem"}
	}
	body := map[string]any{"date": time.Now().In(time.FixedZone("CST", 8*3600)).Format("2006-01-02"),
		"leaders": []string{"leader1"}, "enterprise_ids": []string{"ent-001"}, "method": "onsite",
		"topics": []string{"policy"}, "problems": problems}
	answered := make(chan int, 1)
	go func() {
		status, _, _ := c.Once("member", "POST", "/api/v1/visits", body, "") // no key: never sent again
		answered <- status
	}()

	// Kill once the visit is written but not complete, with some of its cases written.
	var visitID string
	var written int
	var seen time.Time
	for deadline := time.Now().Add(30 * time.Second); visitID == "" || written == 0 && time.Since(seen) < 3*time.Second; {
		if time.Now().After(deadline) {
			t.Fatalf("the visit was not caught half-logged (visit %q, %d cases)", visitID, written)
		}
		var complete bool
		err := db.QueryRow(ctx, `SELECT id, complete, (SELECT count(*) FROM cases c WHERE c.visit_id = v.id)
			FROM visits v WHERE v.problems->0->>'title' = $1`, "崩溃走访：问题 00").Scan(&visitID, &complete, &written)
		if err == nil && complete {
			t.Fatalf("visit %s was complete before it could be killed", visitID)
		}
		if err == nil && seen.IsZero() {
			seen = time.Now()
		}
		time.Sleep(2 * time.Millisecond)
	}
	dev.kill()
	if status := <-answered; status == http.StatusCreated {
		t.Fatalf("the visit was acknowledged before the kill")
	}
	t.Logf("killed with visit %s written and %d of its %d cases", visitID, written, n)

	time.Sleep(time.Second)
	dev = site.start()
	restarted := time.Now()
	var v struct {
		CaseIDs []string `json:"case_ids"`
		Cases   []struct {
			ID     string `json:"id"`
			Status string `json:"status"`
		} `json:"cases"`
	}
	for {
		if time.Since(restarted) > time.Minute {
			t.Fatalf("visit %s not complete a minute after the restart", visitID)
		}
		status, out, err := c.Once("member", "GET", "/api/v1/visits/"+visitID, nil, "")
		if err == nil && status == http.StatusOK {
			raw, _ := json.Marshal(out)
			if err := json.Unmarshal(raw, &v); err != nil {
				t.Fatal(err)
			}
			for _, vc := range v.Cases {
				if vc.Status == "pending" {
					t.Fatalf("visit %s shown with case %s pending: %s", visitID, vc.ID, raw)
				}
			}
			break
		}
		if err == nil && status != http.StatusNotFound {
			t.Fatalf("GET /visits/%s: %d %v", visitID, status, out)
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Logf("visit %s complete %v after the restart", visitID, time.Since(restarted).Round(100*time.Millisecond))

	if len(v.CaseIDs) != n || len(v.Cases) != n {
		t.Fatalf("visit %s has %d case numbers and %d cases, want %d", visitID, len(v.CaseIDs), len(v.Cases), n)
	}
	var cases, distinct int
	if err := db.QueryRow(ctx, `SELECT count(*), count(DISTINCT title) FROM cases WHERE title LIKE '崩溃走访：%'`).Scan(&cases, &distinct); err != nil {
		t.Fatal(err)
	}
	if cases != n || distinct != n {
		t.Errorf("%d cases (%d titles) raised from the visit, want %d", cases, distinct, n)
	}
	for _, id := range v.CaseIDs {
		status, tl, err := c.Call("member", "GET", "/api/v1/cases/"+id+"/timeline", nil, "")
		if err != nil || status != http.StatusOK {
			t.Errorf("%s timeline: %d %v", id, status, err)
			continue
		}
		created := 0
		for k, e := range tl["events"].([]any) {
			ev := e.(map[string]any)
			if ev["seq"] != float64(k+1) {
				t.Errorf("%s: event %d has seq %v", id, k+1, ev["seq"])
			}
			if ev["type"] == "created" {
				created++
				if data, _ := ev["data"].(map[string]any); data["visit_id"] != visitID {
					t.Errorf("%s: created event names visit %v, want %s", id, data["visit_id"], visitID)
				}
			}
		}
		if created != 1 {
			t.Errorf("%s: %d created events, want 1", id, created)
		}
	}
	dev.stop()
}

// TestAReportRunCutShortByACrashAnswersInTimeAndCompletes kills caseflow (kill -9) while
// the member department's run of the quarter's report is compiling (held there by a lock
// the test takes on the reports table), and restarts it: the next run answers within the
// action timeout (202, or 503 with Retry-After while the interrupted compilation is still
// being noticed), and a run tried again as a client would completes within 45 s of the
// kill: the interrupted compilation is retried once its heartbeats stop (10 s), not after
// its minute-long timeout.
func TestAReportRunCutShortByACrashAnswersInTimeAndCompletes(t *testing.T) {
	site, dev, c := crashScene(t)
	ctx := context.Background()
	db := site.db(ctx)
	lock, err := db.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lock.Exec(ctx, `LOCK TABLE quarterly_reports IN ACCESS EXCLUSIVE MODE`); err != nil {
		t.Fatal(err)
	}
	run := "/api/v1/reports/quarterly/" + domain.QuarterOf(time.Now()).String() + "/run"
	answered := make(chan int, 1)
	go func() {
		status, _, _ := c.Once("member", "POST", run, nil, "")
		answered <- status
	}()
	// The compilation waits on the lock: kill once PostgreSQL shows it waiting.
	for deadline := time.Now().Add(30 * time.Second); ; {
		var waiting int
		if err := db.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'
			AND query ILIKE '%quarterly_reports%'`).Scan(&waiting); err != nil {
			t.Fatal(err)
		}
		if waiting > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the run never reached the reports table")
		}
		time.Sleep(20 * time.Millisecond)
	}
	dev.kill()
	if status := <-answered; status != 0 {
		t.Fatalf("the run answered %d before the kill", status)
	}
	if err := lock.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	killed := time.Now()
	dev = site.start()
	restarted := time.Now()

	const actionTimeout = 30 * time.Second // caseflow dev's
	var statuses []int
	for {
		sent := time.Now()
		req, _ := http.NewRequest("POST", c.Base+run, nil)
		req.Header.Set("Authorization", "Bearer "+c.Tokens["member"])
		resp, err := c.HTTP.Do(req)
		if err != nil {
			t.Fatalf("run after the restart: %v", err)
		}
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		took := time.Since(sent)
		statuses = append(statuses, resp.StatusCode)
		if took > actionTimeout+5*time.Second {
			t.Errorf("a run after the restart answered after %v (%d), beyond the action timeout", took.Round(time.Second), resp.StatusCode)
		}
		if resp.StatusCode == http.StatusAccepted {
			var out map[string]any
			if err := json.Unmarshal(raw, &out); err != nil || out["version"] == nil || out["version"] == 0.0 {
				t.Fatalf("run: 202 without a compiled version: %s", raw)
			}
			break
		}
		if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
			t.Fatalf("run after the restart: %d (Retry-After %q) %s", resp.StatusCode, resp.Header.Get("Retry-After"), raw)
		}
		if time.Since(killed) > 2*time.Minute {
			t.Fatalf("the report was not compiled two minutes after the kill (answers %v)", statuses)
		}
		time.Sleep(time.Second)
	}
	if took := time.Since(killed); took > 45*time.Second {
		t.Errorf("the report was compiled %v after the kill (answers %v), want within 45 s", took.Round(time.Second), statuses)
	}
	t.Logf("runs after the restart answered %v; compiled %v after the kill (%v after the restart)", statuses,
		time.Since(killed).Round(100*time.Millisecond), time.Since(restarted).Round(100*time.Millisecond))
	dev.stop()
}
