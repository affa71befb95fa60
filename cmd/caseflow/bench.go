package main

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"
	"go.temporal.io/sdk/client"

	"github.com/putian-fic/caseflow/activities/store"
	"github.com/putian-fic/caseflow/cmd/caseflow/benchmark"
	"github.com/putian-fic/caseflow/cmd/caseflow/devenv"
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
		Long: `Starts its own caseflow dev --ephemeral --demo (or uses --api, --temporal and
--database-url of a running one with the demo data), then measures intake, every action,
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
				fmt.Fprintln(os.Stderr, "starting caseflow dev --ephemeral --demo …")
				running, err := devenv.Start(ctx, devenv.Config{Ephemeral: true, Demo: true, Addr: "127.0.0.1:0",
					Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
				if err != nil {
					return err
				}
				defer running.Close()
				o.API, o.Temporal, o.Store, o.DatabaseURL = running.URL, running.Client, running.Store, running.DatabaseURL
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
