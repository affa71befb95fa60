package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/spf13/cobra"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/putian-fic/caseflow/activities/store/pgcluster"
	"github.com/putian-fic/caseflow/workflows"
)

// postgresCommand: caseflow postgres start|stop --dir D — the private PostgreSQL cluster
// `caseflow dev` runs, on its own, for processes started separately (deploy/cluster).
func postgresCommand() *cobra.Command {
	var dir string
	cmd := &cobra.Command{Use: "postgres", Short: "Start or stop a private PostgreSQL cluster kept in a directory (for deploy/cluster)"}
	start := &cobra.Command{
		Use:   "start",
		Short: "Start (or reuse) the cluster in --dir, creating it on first use; print the DATABASE_URL of its database caseflow",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := pgcluster.Start(cmd.Context(), dir)
			if err != nil {
				return err
			}
			fmt.Println(c.URL())
			return nil
		},
	}
	stop := &cobra.Command{
		Use:   "stop",
		Short: "Stop the cluster in --dir if it runs",
		Args:  cobra.NoArgs,
		RunE:  func(*cobra.Command, []string) error { return pgcluster.StopDir(dir) },
	}
	for _, c := range []*cobra.Command{start, stop} {
		c.Flags().StringVar(&dir, "dir", "", "the cluster's directory (required)")
		_ = c.MarkFlagRequired("dir")
	}
	cmd.AddCommand(start, stop)
	return cmd
}

// namespaceCommand: caseflow namespace create — registers TEMPORAL_NAMESPACE on the
// Temporal server at TEMPORAL_ADDRESS (once; an existing namespace is left as it is) and
// waits until the server serves it.
func namespaceCommand() *cobra.Command {
	cfg := configFromEnv()
	var days int
	cmd := &cobra.Command{Use: "namespace", Short: "Manage caseflow's Temporal namespace"}
	create := &cobra.Command{
		Use:   "create",
		Short: "Register TEMPORAL_NAMESPACE at TEMPORAL_ADDRESS if it does not exist, and wait until it can be used",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if days < 1 {
				return fmt.Errorf("--retention-days must be at least 1")
			}
			ctx, cancel := context.WithTimeout(cmd.Context(), 90*time.Second)
			defer cancel()
			opts, err := cfg.temporalOptions()
			if err != nil {
				return err
			}
			nc, err := client.NewNamespaceClient(opts)
			if err != nil {
				return fmt.Errorf("Temporal at %s: %v", cfg.TemporalAddress, err)
			}
			defer nc.Close()
			err = nc.Register(ctx, &workflowservice.RegisterNamespaceRequest{Namespace: cfg.Namespace,
				Description:                      "caseflow: 企业家意见建议办理",
				WorkflowExecutionRetentionPeriod: durationpb.New(time.Duration(days) * 24 * time.Hour)})
			var exists *serviceerror.NamespaceAlreadyExists
			switch {
			case errors.As(err, &exists):
				slog.Info("the namespace exists already", "namespace", cfg.Namespace)
			case err != nil:
				return fmt.Errorf("register namespace %s at %s: %v", cfg.Namespace, cfg.TemporalAddress, err)
			}
			tc, err := workflows.Dial(ctx, opts, slog.Default())
			if err != nil {
				return err
			}
			defer tc.Close()
			// A namespace just registered reaches every service's cache a moment later:
			// wait until a visibility query in it is served.
			for {
				_, err := tc.CountWorkflow(ctx, &workflowservice.CountWorkflowExecutionsRequest{Namespace: cfg.Namespace})
				if err == nil {
					fmt.Printf("namespace %s ready at %s\n", cfg.Namespace, cfg.TemporalAddress)
					return nil
				}
				select {
				case <-ctx.Done():
					return fmt.Errorf("namespace %s at %s is not served after 90 s: %v", cfg.Namespace, cfg.TemporalAddress, err)
				case <-time.After(250 * time.Millisecond):
				}
			}
		},
	}
	create.Flags().IntVar(&days, "retention-days", 365, "how long closed workflows' histories are kept (the efficiency office audits a year)")
	cmd.AddCommand(create)
	return cmd
}
