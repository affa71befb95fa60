// Command caseflow runs the Putian Federation of Industry and Commerce's case engine:
// `caseflow dev` runs everything in one process; `api`, `worker` and `migrate` run the
// parts against an external Temporal and PostgreSQL.
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"github.com/spf13/cobra"
)

func main() {
	tuneGC()
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
	}
	root.AddCommand(devCommand(), apiCommand(), workerCommand(), migrateCommand(), userCommand(), benchCommand(), reportCommand(), probeCommand(),
		postgresCommand(), namespaceCommand(), unitCommand())
	return root
}

// tuneGC trades memory for latency: the embedded Temporal server keeps a large live heap,
// and with Go's default (a collection whenever the heap has doubled) its collections steal
// the CPU from requests often enough to show in their slowest percentile (BENCHMARKS.md).
// caseflow collects when the heap has grown fivefold, under a soft limit of 1 GiB; GOGC and
// GOMEMLIMIT, when set, decide instead.
func tuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(1 << 30)
	}
}
