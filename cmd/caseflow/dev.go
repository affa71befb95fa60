//go:build !nodev

package main

import (
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"runtime/debug"
	"time"

	"github.com/spf13/cobra"

	"github.com/putian-fic/caseflow/cmd/caseflow/devenv"
	"github.com/putian-fic/caseflow/cmd/caseflow/telemetry"
	"github.com/putian-fic/caseflow/workflows"
)

func devCommand() *cobra.Command {
	env := configFromEnv()
	cfg := devenv.Config{DataDir: env.DataDir, Addr: env.Addr, DatabaseURL: env.DatabaseURL, AllowPrivateWebhooks: env.AllowPrivateWebhooks,
		TrustedProxies: env.TrustedProxies}
	var daySeconds float64
	var noWorker bool
	uiPort := 8233
	cmd := &cobra.Command{
		Use:   "dev",
		Short: "Run everything in one process: embedded Temporal, PostgreSQL, worker and API",
		Long: `Runs an embedded Temporal server (SQLite in the data directory), a private PostgreSQL
cluster in the data directory (unless DATABASE_URL is set), the worker and the HTTP API.
Restarting on the same data directory keeps every case and resumes every workflow.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			tuneGC()
			cfg.Notifier = env.notifier()
			var err error
			if cfg.Policy, err = env.policy(); err != nil {
				return err
			}
			if daySeconds > 0 {
				if !cfg.Ephemeral {
					return errors.New("--day-seconds needs --ephemeral: a fast clock's cases cannot share a data directory with real ones")
				}
				now := time.Now()
				cfg.Clock = workflows.Clock{Epoch: now, Base: now, Speed: 86400 / daySeconds}
			}
			cfg.NoWorker = noWorker
			cfg.DemoVisiting = cfg.Demo
			uiListener, err := reserveUIPort(uiPort)
			if err != nil {
				return err
			}
			if uiListener != nil {
				defer uiListener.Close() // a start that fails gives it back
			}
			tel, err := telemetry.New(cmd.Context(), "caseflow-dev")
			if err != nil {
				return err
			}
			defer tel.Close()
			cfg.Telemetry = tel
			running, err := devenv.Start(cmd.Context(), cfg)
			if err != nil {
				return err
			}
			if uiListener != nil {
				stop := startTemporalUI(running.Temporal.HostPort, uiListener)
				defer stop()
				fmt.Printf("Temporal Web UI: http://127.0.0.1:%d/ (every case's workflow history; --ui-port 0 turns it off)\n", uiPort)
			}
			fmt.Printf("caseflow is running: API %s, Temporal %s (namespace %s). Ctrl-C stops it.\n",
				running.URL, running.Temporal.HostPort, "default")
			if noWorker {
				db := running.DatabaseURL
				if u, err := url.Parse(db); err == nil {
					db = u.Redacted() // the password is in the data directory (postgres/password)
				}
				fmt.Printf("No worker runs here: start one with TEMPORAL_ADDRESS=%s DATABASE_URL=%s caseflow worker\n",
					running.Temporal.HostPort, db)
			}
			<-cmd.Context().Done()
			slog.Info("shutting down")
			running.Close()
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&cfg.DataDir, "data-dir", env.DataDir, "directory for all state (env CASEFLOW_DATA_DIR)")
	f.StringVar(&cfg.Addr, "addr", env.Addr, "HTTP API address (env CASEFLOW_ADDR)")
	f.BoolVar(&cfg.Ephemeral, "ephemeral", false, "keep everything in memory or temporary files: nothing survives the process")
	f.IntVar(&cfg.TemporalPort, "temporal-port", 7233, "embedded Temporal frontend port (history, matching, worker use the next three)")
	f.BoolVar(&cfg.Demo, "demo", false, "load the demo units, enterprises, users (password demo) and routing rules")
	f.Float64Var(&daySeconds, "day-seconds", 0, "demo clock: a calendar day lasts this many real seconds (with --ephemeral)")
	f.IntVar(&uiPort, "ui-port", uiPort, "port of the Temporal Web UI on 127.0.0.1 (0: no UI)")
	f.BoolVar(&noWorker, "no-worker", false, "run no worker in this process: start `caseflow worker` beside it (DATABASE_URL and TEMPORAL_ADDRESS as printed)")
	return cmd
}

// tuneGC trades memory for latency in caseflow dev, whose embedded Temporal server keeps a
// large live heap: with Go's default (a collection whenever the heap has doubled) its
// collections steal the CPU from requests often enough to show in their slowest percentile
// (BENCHMARKS.md). caseflow dev collects when the heap has grown fivefold, under a soft limit
// of 300 MiB, near which the collector works harder (with the binary's pages, about 450 MiB
// resident); GOGC and GOMEMLIMIT, when set, decide instead. caseflow api and worker keep Go's
// defaults: their live heaps are a few tens of MiB.
func tuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(300 << 20)
	}
}
