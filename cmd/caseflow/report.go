package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/putian-fic/caseflow/cmd/caseflow/progress"
	"github.com/putian-fic/caseflow/workflows"
	"github.com/putian-fic/caseflow/workflows/domain"
)

// reportCommand: caseflow report run / backfill — quarterly reports from the command line,
// against a running caseflow (its Temporal: TEMPORAL_ADDRESS or --temporal). The report is
// the same whoever starts it: the schedule, the API or this command.
func reportCommand() *cobra.Command {
	cfg := configFromEnv()
	root := &cobra.Command{Use: "report", Short: "Quarterly reports (季度调研报告): run one quarter, or backfill a range"}
	root.PersistentFlags().StringVar(&cfg.TemporalAddress, "temporal", cfg.TemporalAddress,
		"Temporal frontend host:port of a running caseflow (env TEMPORAL_ADDRESS)")
	var period, from, to string
	run := &cobra.Command{
		Use:   "run --period 2026-Q3",
		Short: "Start a quarter's report, or compile it again (a final report stays as it is)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			q, err := reportQuarter("--period", period)
			if err != nil {
				return err
			}
			return withReports(cmd.Context(), &cfg, func(ctx context.Context, run func(domain.Quarter) (workflows.ReportState, error)) error {
				st, err := run(q)
				if err != nil {
					return err
				}
				fmt.Println(describeReport(st))
				return nil
			})
		},
	}
	run.Flags().StringVar(&period, "period", "", "the quarter, like 2026-Q3 (required)")
	backfill := &cobra.Command{
		Use:   "backfill --from 2025-Q1 --to 2026-Q3",
		Short: "Run the report of every quarter in a range, oldest first (quarters past their deadline are compiled final)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			first, err := reportQuarter("--from", from)
			if err != nil {
				return err
			}
			last, err := reportQuarter("--to", to)
			if err != nil {
				return err
			}
			if last.Start().Before(first.Start()) {
				return fmt.Errorf("--to %s is before --from %s", last, first)
			}
			var quarters []domain.Quarter
			for q := first; !q.Start().After(last.Start()); q = q.Next() {
				quarters = append(quarters, q)
			}
			return withReports(cmd.Context(), &cfg, func(ctx context.Context, run func(domain.Quarter) (workflows.ReportState, error)) error {
				bar := progress.New(os.Stderr, len(quarters))
				var lines []string
				for _, q := range quarters {
					bar.Stage(q.String())
					st, err := run(q)
					if err != nil {
						bar.Finish()
						return fmt.Errorf("%s: %w", q, err)
					}
					lines = append(lines, describeReport(st))
					bar.Step()
				}
				bar.Finish()
				for _, l := range lines {
					fmt.Println(l)
				}
				return nil
			})
		},
	}
	backfill.Flags().StringVar(&from, "from", "", "the first quarter (required)")
	backfill.Flags().StringVar(&to, "to", "", "the last quarter (required)")
	root.AddCommand(run, backfill)
	return root
}

// reportQuarter reads a quarter flag: required, well formed, and begun.
func reportQuarter(flag, v string) (domain.Quarter, error) {
	if v == "" {
		return domain.Quarter{}, fmt.Errorf("%s is required (a quarter like 2026-Q3)", flag)
	}
	q, err := domain.ParseQuarter(v)
	if err != nil {
		return q, fmt.Errorf("%s: %v", flag, err)
	}
	if q.Start().After(domain.QuarterOf(time.Now()).Start()) {
		return q, fmt.Errorf("%s: %s has not begun", flag, q)
	}
	return q, nil
}

// withReports dials Temporal and gives f a function that runs one quarter's report.
func withReports(ctx context.Context, cfg *Config, f func(context.Context, func(domain.Quarter) (workflows.ReportState, error)) error) error {
	opts, err := cfg.temporalOptions()
	if err != nil {
		return err
	}
	dialCtx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	c, err := workflows.Dial(dialCtx, opts, slog.Default())
	if err != nil {
		return err
	}
	defer c.Close()
	return f(ctx, func(q domain.Quarter) (workflows.ReportState, error) {
		rctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
		defer cancel()
		st, err := workflows.RunReport(rctx, c, q)
		if err != nil && rctx.Err() != nil {
			return st, fmt.Errorf("no worker answered in 5 minutes: is caseflow (dev or worker) running on %s? (%v)", cfg.TemporalAddress, err)
		}
		return st, err
	})
}

func describeReport(st workflows.ReportState) string {
	s := fmt.Sprintf("%s  %s  第 %d 版，汇总于 %s，报送截止 %s", st.Period, domain.ReportStatusLabels[st.Status], st.Version,
		st.CompiledAt.In(domain.Shanghai).Format("2006-01-02 15:04"), st.Deadline.In(domain.Shanghai).Format("2006-01-02 15:04"))
	if st.Final {
		s += "（已定稿）"
	}
	return s
}
