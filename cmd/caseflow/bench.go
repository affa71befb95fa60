package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"go.temporal.io/sdk/client"

	"github.com/putian-fic/caseflow/activities/store"
	"github.com/putian-fic/caseflow/activities/store/pgcluster"
	"github.com/putian-fic/caseflow/cmd/caseflow/benchmark"
	"github.com/putian-fic/caseflow/workflows"
)

func benchCommand() *cobra.Command {
	env := configFromEnv()
	o := benchmark.Defaults()
	var apiURL, temporalAddr, out, aloneBin string
	dbURL := env.DatabaseURL
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Measure caseflow beside raw Temporal references and write BENCHMARKS.md",
		Long: `Starts caseflow dev --demo as a process of its own, on a PostgreSQL and a data directory of
its own (or uses --api, --temporal and --database-url of a running one with the demo data),
then measures from its own process, as a browser would, intake, every action, whole
lifecycles and every list over synthetic cases, beside raw references run on the same
Temporal server and PostgreSQL: a workflow that does one INSERT, an Update that runs one
activity, and workflows taken through a case's seven workflow tasks (update-with-start, six
Updates) each running one local activity. Then it starts caseflow api and caseflow worker alone on the same Temporal and
database and reads the memory of each under load. Prints the table and writes it, with the
lists' query plans, to --out.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) (failed error) {
			ctx := cmd.Context()
			if err := o.Check(); err != nil {
				return err
			}
			if aloneBin != "" {
				// Checked now, not after minutes of measuring.
				if fi, err := os.Stat(aloneBin); err != nil || fi.IsDir() || fi.Mode()&0o111 == 0 {
					return fmt.Errorf("--alone-bin %s is not an executable file; build one with: go build -tags nodev -o /tmp/caseflow-server ./cmd/caseflow", aloneBin)
				}
				if apiURL != "" {
					return errors.New("--alone-bin starts caseflow api and worker beside the caseflow dev that bench starts: leave out --api")
				}
			}
			if apiURL != "" || temporalAddr != "" {
				if apiURL == "" || temporalAddr == "" || dbURL == "" {
					return errors.New("with --api, also pass --temporal and --database-url (or DATABASE_URL) of the same caseflow")
				}
				st, err := store.Connect(ctx, dbURL)
				if err != nil {
					return err
				}
				defer st.Close()
				tc, err := workflows.Dial(ctx, client.Options{HostPort: temporalAddr, Namespace: "default"}, slog.New(slog.NewTextHandler(io.Discard, nil)))
				if err != nil {
					return err
				}
				defer tc.Close()
				o.API, o.Temporal, o.Store, o.DatabaseURL = apiURL, tc, st, dbURL
			} else {
				fmt.Fprintln(os.Stderr, "starting caseflow dev --demo as a process of its own …")
				srv, err := startBenchServer(ctx)
				if err != nil {
					return err
				}
				defer func() { srv.finish(failed) }() // failed: what RunE returns
				st, err := store.Connect(ctx, srv.pg.URL())
				if err != nil {
					return err
				}
				defer st.Close()
				tc, err := workflows.Dial(ctx, client.Options{HostPort: srv.temporal, Namespace: "default"}, slog.New(slog.NewTextHandler(io.Discard, nil)))
				if err != nil {
					return err
				}
				defer tc.Close()
				o.API, o.Temporal, o.Store, o.DatabaseURL, o.ServerPID = srv.api, tc, st, srv.pg.URL(), srv.cmd.Process.Pid
				o.Alone = func(ctx context.Context) (benchmark.Alone, error) { return srv.startAlone(ctx, aloneBin) }
			}
			o.Progress = os.Stderr
			rep, err := benchmark.Run(ctx, o)
			if err != nil {
				return fmt.Errorf("benchmark: %w", err)
			}
			fmt.Print(rep.Table())
			if out == "" {
				return nil
			}
			if err := os.WriteFile(out, []byte(rep.Markdown(revision())), 0o644); err != nil {
				return err
			}
			fmt.Fprintln(os.Stderr, "written to", out)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&apiURL, "api", "", "base URL of a running caseflow API (default: start one)")
	f.StringVar(&temporalAddr, "temporal", "", "its Temporal frontend host:port")
	f.StringVar(&dbURL, "database-url", dbURL, "its database (env DATABASE_URL)")
	f.StringVar(&out, "out", "BENCHMARKS.md", "where to write the report (empty: print only)")
	f.StringVar(&aloneBin, "alone-bin", "", "caseflow binary for the api and worker run alone (default: this one; the image's is built with -tags nodev)")
	f.IntVar(&o.Intakes, "intakes", o.Intakes, "cases raised for the intake measure")
	f.IntVar(&o.ActionCases, "action-cases", o.ActionCases, "cases taken action by action for the latency measure")
	f.IntVar(&o.Lifecycles, "lifecycles", o.Lifecycles, "whole lifecycles")
	f.IntVar(&o.Cases, "cases", o.Cases, "synthetic cases for the read measures (0: measure the writes only)")
	f.IntVar(&o.ReadConcurrency, "read-concurrency", o.ReadConcurrency, "reads at once")
	f.IntVar(&o.Reads, "reads", o.Reads, "times each read is measured, one at a time and --read-concurrency at a time")
	return cmd
}

// revision is the commit the binary was built from, when Go recorded it, else the commit
// checked out where bench runs (builds with -buildvcs=false record none).
func revision() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	rev, dirty := "unknown", false
	if out, err := exec.Command("git", "rev-parse", "--short=12", "HEAD").Output(); err == nil {
		rev = strings.TrimSpace(string(out))
		if st, err := exec.Command("git", "status", "--porcelain", "--untracked-files=no").Output(); err == nil {
			dirty = len(strings.TrimSpace(string(st))) > 0
		}
	}
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value[:min(12, len(s.Value))]
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if dirty {
		rev += " (with uncommitted changes)"
	}
	return rev
}

// benchServer is caseflow dev, run by bench as a child process on a PostgreSQL of its own:
// the load comes from another process, as users' browsers' does, and the server's memory is
// its own.
type benchServer struct {
	cmd           *exec.Cmd
	pg            *pgcluster.Temp
	dataDir       string // caseflow dev's: its Temporal's SQLite file
	api, temporal string
	log           string
	logs          []string // every child's log (caseflow dev's first)
}

func startBenchServer(ctx context.Context) (*benchServer, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	pg, err := pgcluster.StartTemp(ctx)
	if err != nil {
		return nil, err
	}
	logf, err := os.CreateTemp("", "caseflow-bench-server-*.log")
	if err != nil {
		pg.Remove()
		return nil, err
	}
	defer logf.Close()
	dataDir, err := os.MkdirTemp("", "caseflow-bench-data-*")
	if err != nil {
		pg.Remove()
		return nil, err
	}
	s := &benchServer{pg: pg, dataDir: dataDir, log: logf.Name(), logs: []string{logf.Name()}}
	// As users run it: Temporal on its SQLite file (--ephemeral would keep every workflow's
	// history in the process's memory).
	s.cmd = exec.Command(exe, "dev", "--data-dir", dataDir, "--demo", "--addr", "127.0.0.1:0", "--temporal-port", "0", "--ui-port", "0")
	s.cmd.Env = append(childEnv(), "DATABASE_URL="+pg.URL(), "CASEFLOW_LOG_LEVEL=warn")
	s.cmd.Stderr = logf
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // a Ctrl-C reaches bench, which stops it
	out, err := s.cmd.StdoutPipe()
	if err != nil {
		pg.Remove()
		os.RemoveAll(dataDir)
		return nil, err
	}
	if err := s.cmd.Start(); err != nil {
		pg.Remove()
		os.RemoveAll(dataDir)
		return nil, err
	}
	// caseflow dev prints where it listens: "caseflow is running: API http://…, Temporal host:port (…".
	found := make(chan [2]string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if rest, ok := strings.CutPrefix(sc.Text(), "caseflow is running: API "); ok {
				api, rest, _ := strings.Cut(rest, ", Temporal ")
				temporal, _, _ := strings.Cut(rest, " ")
				found <- [2]string{api, temporal}
			}
		}
		close(found)
	}()
	select {
	case addrs, ok := <-found:
		if ok {
			s.api, s.temporal = addrs[0], addrs[1]
			fmt.Fprintf(os.Stderr, "caseflow dev (pid %d) serves %s; its log: %s\n", s.cmd.Process.Pid, s.api, s.log)
			return s, nil
		}
		err = fmt.Errorf("caseflow dev exited before it was ready; see %s", s.log)
	case <-time.After(5 * time.Minute):
		err = fmt.Errorf("caseflow dev was not ready in 5 minutes; see %s", s.log)
	case <-ctx.Done():
		err = ctx.Err()
	}
	s.stop()
	return nil, err
}

// stop ends caseflow dev and removes its PostgreSQL and data directory.
func (s *benchServer) stop() {
	stopProcess(s.cmd)
	s.pg.Remove()
	os.RemoveAll(s.dataDir)
}

// finish stops caseflow dev when bench is done, and removes the children's logs if it
// succeeded (err nil); after a failure they are kept, and named, for finding out why.
func (s *benchServer) finish(err error) {
	s.stop()
	if err != nil {
		fmt.Fprintf(os.Stderr, "the logs of caseflow's processes are kept: %s\n", strings.Join(s.logs, " "))
		return
	}
	for _, l := range s.logs {
		os.Remove(l)
	}
}

// stopProcess ends a child (SIGTERM, then SIGKILL after 30 s) and waits for it.
func stopProcess(cmd *exec.Cmd) {
	_ = cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		<-done
	}
}

// startAlone starts caseflow api and caseflow worker, each a process of its own, on caseflow
// dev's Temporal server and database, and waits until the API answers /readyz and the
// worker /healthz.
func (s *benchServer) startAlone(ctx context.Context, exe string) (benchmark.Alone, error) {
	if exe == "" {
		var err error
		if exe, err = os.Executable(); err != nil {
			return benchmark.Alone{}, err
		}
	}
	fi, err := os.Stat(exe)
	if err != nil {
		return benchmark.Alone{}, fmt.Errorf("--alone-bin: %w", err)
	}
	free := func() (string, error) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return "", err
		}
		defer ln.Close()
		return ln.Addr().String(), nil
	}
	apiAddr, err := free()
	if err != nil {
		return benchmark.Alone{}, err
	}
	workerAddr, err := free()
	if err != nil {
		return benchmark.Alone{}, err
	}
	var started []*exec.Cmd
	stop := func() {
		for _, c := range started {
			stopProcess(c)
		}
	}
	start := func(env string, args ...string) (*exec.Cmd, error) {
		logf, err := os.CreateTemp("", "caseflow-bench-"+args[0]+"-*.log")
		if err != nil {
			return nil, err
		}
		defer logf.Close()
		s.logs = append(s.logs, logf.Name())
		cmd := exec.Command(exe, args...)
		cmd.Env = append(childEnv(), "DATABASE_URL="+s.pg.URL(), "TEMPORAL_ADDRESS="+s.temporal, "TEMPORAL_NAMESPACE=default",
			"CASEFLOW_LOG_LEVEL=warn", env)
		cmd.Stdout, cmd.Stderr = logf, logf
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		if err := cmd.Start(); err != nil {
			return nil, err
		}
		started = append(started, cmd)
		fmt.Fprintf(os.Stderr, "caseflow %s alone (pid %d); its log: %s\n", args[0], cmd.Process.Pid, logf.Name())
		return cmd, nil
	}
	api, err := start("CASEFLOW_ADDR="+apiAddr, "api", "--addr", apiAddr)
	if err != nil {
		stop()
		return benchmark.Alone{}, err
	}
	worker, err := start("CASEFLOW_WORKER_ADDR="+workerAddr, "worker")
	if err != nil {
		stop()
		return benchmark.Alone{}, err
	}
	for _, probe := range []struct{ name, url string }{{"caseflow api", "http://" + apiAddr + "/readyz"}, {"caseflow worker", "http://" + workerAddr + "/healthz"}} {
		if err := waitReady(ctx, probe.url, time.Minute); err != nil {
			stop()
			return benchmark.Alone{}, fmt.Errorf("%s alone: %w (see its log above)", probe.name, err)
		}
	}
	return benchmark.Alone{API: "http://" + apiAddr, APIPID: api.Process.Pid, WorkerPID: worker.Process.Pid, Stop: stop,
		Binary: fmt.Sprintf("%s, %d MB", filepath.Base(exe), fi.Size()/1e6)}, nil
}

// waitReady probes url until it answers 200, for at most d.
func waitReady(ctx context.Context, url string, d time.Duration) error {
	deadline := time.Now().Add(d)
	for {
		err := probe(ctx, url)
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("not ready in %s (%v)", d, err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// childEnv is bench's environment for its children, without CASEFLOW_PPROF_ADDR (dev, api and
// worker would each take the same address).
func childEnv() []string {
	return slices.DeleteFunc(os.Environ(), func(kv string) bool { return strings.HasPrefix(kv, "CASEFLOW_PPROF_ADDR=") })
}
