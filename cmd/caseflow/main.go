// Command caseflow runs the Putian Federation of Industry and Commerce's case engine:
// `caseflow dev` runs everything in one process; `api`, `worker` and `migrate` run the
// parts against an external Temporal and PostgreSQL.
package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"slices"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/putian-fic/caseflow/workflows"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	slog.SetDefault(slog.New(logHandler(os.Stderr, os.Getenv("CASEFLOW_LOG_FORMAT"), configFromEnv().LogLevel)))
	if err := rootCommand().ExecuteContext(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "caseflow:", err)
		os.Exit(1)
	}
}

func rootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:           "caseflow",
		Short:         "caseflow — 企业家意见建议办理 (case engine of the Putian Federation of Industry and Commerce)",
		SilenceUsage:  true,
		SilenceErrors: true,
		// The workflow cache of the processes that run a worker, and profiles for those that
		// keep running; a short command (caseflow probe, run as a health check beside an API
		// with the same environment) must not take the port.
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			if slices.Contains([]string{"dev", "worker"}, cmd.Name()) {
				n, err := configFromEnv().workflowCache()
				if err != nil {
					return err
				}
				if n > 0 {
					workflows.SetCacheSize(n)
				}
			}
			if addr := os.Getenv("CASEFLOW_PPROF_ADDR"); addr != "" && slices.Contains([]string{"dev", "api", "worker"}, cmd.Name()) {
				return servePprof(addr)
			}
			return nil
		},
	}
	root.AddCommand(devCommand(), apiCommand(), workerCommand(), migrateCommand(), userCommand(), benchCommand(), reportCommand(), probeCommand(),
		postgresCommand(), namespaceCommand(), unitCommand())
	return root
}

// servePprof serves Go's profiles (/debug/pprof/…) on addr, which must be a loopback address:
// a profile shows the process's code paths and, for the heap, what it holds, so it is for
// the operator on the machine (CASEFLOW_PPROF_ADDR=127.0.0.1:6060, then
// go tool pprof http://127.0.0.1:6060/debug/pprof/profile?seconds=20).
func servePprof(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("CASEFLOW_PPROF_ADDR %q is not host:port (%v)", addr, err)
	}
	if !workflows.IsLoopback(host) {
		return fmt.Errorf("CASEFLOW_PPROF_ADDR %q: profiles are served on a loopback address only (127.0.0.1:6060)", addr)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("CASEFLOW_PPROF_ADDR %s cannot be used (%v); pick another port", addr, err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	go func() { _ = (&http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}).Serve(ln) }()
	slog.Info("profiles served", "addr", "http://"+ln.Addr().String()+"/debug/pprof/")
	return nil
}
