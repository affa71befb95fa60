package deploy_test

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/putian-fic/caseflow/cmd/caseflow/drive"
	"github.com/putian-fic/caseflow/workflows"
)

// cluster is deploy/cluster running in a directory of its own, on loopback ports.
type cluster struct {
	t    *testing.T
	dir  string
	port int
	env  []string
}

const clusterPassword = "cluster-test-Pw1"

// startCluster builds the three binaries (a build already up to date costs a second) and
// runs `deploy/cluster start` on free ports; the cluster is stopped when the test ends.
func startCluster(t *testing.T) *cluster {
	t.Helper()
	if testing.Short() {
		t.Skip("starts PostgreSQL, a Temporal server and four caseflow processes")
	}
	bin := filepath.Join(os.TempDir(), "caseflow-cluster-test-bin")
	var wg sync.WaitGroup
	for name, pkg := range map[string]string{"caseflow": "github.com/putian-fic/caseflow/cmd/caseflow",
		"temporal-server": "go.temporal.io/server/cmd/server", "temporal-sql-tool": "go.temporal.io/server/cmd/tools/sql"} {
		wg.Go(func() {
			args := []string{"build", "-o", filepath.Join(bin, name)}
			if name == "caseflow" {
				args = append(args, "-tags", "nodev") // as deploy/cluster builds it
			}
			if out, err := exec.Command("go", append(args, pkg)...).CombinedOutput(); err != nil {
				t.Errorf("go build %s: %v\n%s", pkg, err, out)
			}
		})
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	c := &cluster{t: t, dir: t.TempDir(), port: freePortBlock(t, 20)}
	c.env = append(os.Environ(), "CLUSTER_DIR="+c.dir, "CLUSTER_PORT="+strconv.Itoa(c.port),
		"CASEFLOW_BIN="+filepath.Join(bin, "caseflow"), "TEMPORAL_SERVER_BIN="+filepath.Join(bin, "temporal-server"),
		"TEMPORAL_SQL_TOOL_BIN="+filepath.Join(bin, "temporal-sql-tool"), "CASEFLOW_LOG_LEVEL=warn")
	t.Cleanup(func() {
		if t.Failed() {
			for _, name := range []string{"temporal", "worker1", "worker2", "api1", "api2"} {
				b, _ := os.ReadFile(filepath.Join(c.dir, "log", name+".log"))
				lines := strings.Split(strings.TrimSpace(string(b)), "\n")
				t.Logf("%s.log ends:\n%s", name, strings.Join(lines[max(0, len(lines)-8):], "\n"))
			}
		}
		if out, err := c.script("stop"); err != nil {
			t.Errorf("deploy/cluster stop: %v\n%s", err, out)
		}
	})
	c.must("start")
	return c
}

func (c *cluster) script(args ...string) (string, error) {
	cmd := exec.Command("./cluster", args...)
	cmd.Env = c.env
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func (c *cluster) must(args ...string) string {
	c.t.Helper()
	out, err := c.script(args...)
	if err != nil {
		c.t.Fatalf("deploy/cluster %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// kill sends SIGKILL to the named process and waits until it is gone.
func (c *cluster) kill(name string) {
	c.t.Helper()
	b, err := os.ReadFile(filepath.Join(c.dir, "run", name+".pid"))
	if err != nil {
		c.t.Fatal(err)
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		c.t.Fatalf("kill %s (%d): %v", name, pid, err)
	}
	for range 100 {
		if st, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid)); err != nil || strings.Contains(string(st), ") Z ") {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	c.t.Fatalf("%s (%d) still runs 5 s after SIGKILL", name, pid)
}

// caseflow runs the caseflow binary against the cluster's database (DATABASE_URL from its env file).
func (c *cluster) caseflow(args ...string) {
	c.t.Helper()
	script := ". " + filepath.Join(c.dir, "env") + ` && exec "$CASEFLOW_BIN" "$@"`
	cmd := exec.Command("bash", append([]string{"-c", script, "caseflow"}, args...)...)
	cmd.Env = append(c.env, "CASEFLOW_PASSWORD="+clusterPassword)
	if out, err := cmd.CombinedOutput(); err != nil {
		c.t.Fatalf("caseflow %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

func (c *cluster) api(n int) string    { return fmt.Sprintf("http://127.0.0.1:%d", c.port+9+n) }
func (c *cluster) worker(n int) string { return fmt.Sprintf("http://127.0.0.1:%d", c.port+14+n) }

// freePortBlock finds n consecutive free loopback ports below 32768 (the Temporal server's
// membership keeps ports in a smallint).
func freePortBlock(t *testing.T, n int) int {
	for range 200 {
		base := 20000 + rand.IntN(12000-n)
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
	t.Fatal("no block of free ports")
	return 0
}

// lifecycles raises n cases through api1 and drives each to closure through api2 (eight at a
// time), and answers the acknowledged cases and how many lifecycles ran each second.
func lifecycles(t *testing.T, c *drive.Client, first, n int, midway func()) (map[int]string, float64) {
	start := time.Now()
	acked := c.Load(t, first, n, midway)
	return acked, float64(len(acked)) / time.Since(start).Seconds()
}

// TestACaseflowClusterLosesNothingWhenItsProcessesAreKilled runs deploy/cluster — PostgreSQL,
// the Temporal server built from the module (its schema set up by its SQL tool), two workers
// and two API processes — and raises cases through one API process while acting on them
// through the other. It measures lifecycles per second with one worker and with two, then,
// under load, kills each worker with SIGKILL and restarts it, kills an API process, and
// kills and restarts the Temporal server itself. Every acknowledged case is closed, once,
// with an exact timeline the efficiency office verifies; the quarterly Schedule exists once
// after both workers start at the same moment.
func TestACaseflowClusterLosesNothingWhenItsProcessesAreKilled(t *testing.T) {
	cl := startCluster(t)
	cl.caseflow("unit", "create", "--putian")
	for _, u := range [][]string{{"member", "member_dept"}, {"party", "supervision", "--unit", "party"},
		{"unit-natural-resources", "unit", "--unit", "natural-resources"}, {"efficiency", "efficiency"}} {
		cl.caseflow(append([]string{"user", "create", "--username", u[0], "--role", u[1]}, u[2:]...)...)
	}
	c := drive.New(t, cl.api(1), clusterPassword, 5*time.Minute)
	c.ActBase = cl.api(2)
	status, out, err := c.Call("member", "POST", "/api/v1/enterprises", map[string]any{"id": "ent-001",
		"name": "莆田市集群测试鞋业有限公司", "county": "licheng"}, "")
	if err != nil || status != http.StatusCreated {
		t.Fatalf("add the enterprise: %d %v %v", status, out, err)
	}
	for _, url := range []string{cl.worker(1) + "/metrics", cl.worker(2) + "/healthz", cl.api(1) + "/metrics", cl.api(2) + "/readyz",
		fmt.Sprintf("http://127.0.0.1:%d/metrics", cl.port+9)} {
		if res, err := http.Get(url); err != nil || res.StatusCode != http.StatusOK {
			t.Fatalf("%s: %v %v", url, res, err)
		} else {
			res.Body.Close()
		}
	}

	// Lifecycles per second, with one worker and with two.
	cl.must("stop", "worker2")
	acked1, one := lifecycles(t, c, 0, 40, nil)
	cl.must("start", "worker2")
	acked2, two := lifecycles(t, c, 100, 40, nil)
	t.Logf("lifecycles per second (8 at a time, through two API processes): one worker %.1f/s, two workers %.1f/s", one, two)
	// Each worker serves the Temporal SDK's metrics on its /metrics.
	if res, err := http.Get(cl.worker(1) + "/metrics"); err != nil {
		t.Fatal(err)
	} else {
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if !strings.Contains(string(body), "\ntemporal_workflow_task_execution_latency_seconds_bucket") {
			t.Errorf("worker1's /metrics lacks the SDK's metrics")
		}
	}

	// Under load: every process but PostgreSQL killed with SIGKILL, one after the other.
	var killed []string
	acked3, _ := lifecycles(t, c, 200, 120, func() {
		// api1 first: the cases raised through it are still under way, so its death is met.
		for _, name := range []string{"api1", "worker1", "worker2", "temporal"} {
			cl.kill(name)
			killed = append(killed, name)
			time.Sleep(2 * time.Second)
			cl.must("start", name)
			time.Sleep(2 * time.Second)
		}
	})
	if len(killed) != 4 || c.Failed.Load() == 0 {
		t.Fatalf("the kills did not land under requests (killed %v, %d requests sent again)", killed, c.Failed.Load())
	}
	t.Logf("%d requests got no answer or a 5xx during the kills and were sent again", c.Failed.Load())
	c.Check(t, acked1, 0, 40)
	c.Check(t, acked2, 100, 40)
	c.Check(t, acked3, 200, 120)

	// Both workers starting at the same moment leave one quarterly Schedule.
	cl.must("stop", "worker1", "worker2")
	var wg sync.WaitGroup
	for _, name := range []string{"worker1", "worker2"} {
		wg.Go(func() {
			if out, err := cl.script("start", name); err != nil {
				t.Errorf("start %s beside the other: %v\n%s", name, err, out)
			}
		})
	}
	wg.Wait()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	tc, err := client.DialContext(ctx, client.Options{HostPort: fmt.Sprintf("127.0.0.1:%d", cl.port), Namespace: "caseflow"})
	if err != nil {
		t.Fatal(err)
	}
	defer tc.Close()
	count := map[string]int{}
	it, err := tc.ScheduleClient().List(ctx, client.ScheduleListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for it.HasNext() {
		s, err := it.Next()
		if err != nil {
			t.Fatal(err)
		}
		count[s.ID]++
	}
	if count[workflows.ReportScheduleID] != 1 || count[workflows.SealScheduleID] != 1 || len(count) != 2 {
		t.Errorf("schedules after two workers started at once: %v, want %s and %s once each",
			count, workflows.ReportScheduleID, workflows.SealScheduleID)
	}
}
