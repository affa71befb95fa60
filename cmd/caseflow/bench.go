package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"runtime/debug"
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
	var apiURL, temporalAddr, out string
	dbURL := env.DatabaseURL
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Measure caseflow beside raw Temporal references and write BENCHMARKS.md",
		Long: `Starts caseflow dev --ephemeral --demo as a process of its own, on a PostgreSQL of its own
(or uses --api, --temporal and --database-url of a running one with the demo data), then
measures from its own process, as a browser would, intake, every action,
whole lifecycles and every list over synthetic cases, beside raw references run on the same
Temporal server and PostgreSQL: a workflow that does one INSERT and an Update that runs one
activity. Prints the table and writes it, with the lists' query plans, to --out.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
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
				fmt.Fprintln(os.Stderr, "starting caseflow dev --ephemeral --demo as a process of its own …")
				srv, err := startBenchServer(ctx)
				if err != nil {
					return err
				}
				defer srv.stop()
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
	f.IntVar(&o.Intakes, "intakes", o.Intakes, "cases raised for the intake measure")
	f.IntVar(&o.ActionCases, "action-cases", o.ActionCases, "cases taken action by action for the latency measure")
	f.IntVar(&o.Lifecycles, "lifecycles", o.Lifecycles, "whole lifecycles")
	f.IntVar(&o.Cases, "cases", o.Cases, "synthetic cases for the read measures")
	f.IntVar(&o.ReadConcurrency, "read-concurrency", o.ReadConcurrency, "reads at once")
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
	api, temporal string
	log           string
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
	s := &benchServer{pg: pg, log: logf.Name()}
	s.cmd = exec.Command(exe, "dev", "--ephemeral", "--demo", "--addr", "127.0.0.1:0", "--temporal-port", "0", "--ui-port", "0")
	s.cmd.Env = append(os.Environ(), "DATABASE_URL="+pg.URL(), "CASEFLOW_LOG_LEVEL=warn")
	s.cmd.Stderr = logf
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // a Ctrl-C reaches bench, which stops it
	out, err := s.cmd.StdoutPipe()
	if err != nil {
		pg.Remove()
		return nil, err
	}
	if err := s.cmd.Start(); err != nil {
		pg.Remove()
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

// stop ends caseflow dev (SIGTERM, then SIGKILL after 30 s) and removes its PostgreSQL.
func (s *benchServer) stop() {
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = s.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		_ = s.cmd.Process.Kill()
		<-done
	}
	s.pg.Remove()
}
