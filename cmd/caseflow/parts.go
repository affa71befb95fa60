package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"go.temporal.io/sdk/client"

	"github.com/putian-fic/caseflow/activities"
	"github.com/putian-fic/caseflow/activities/store"
	"github.com/putian-fic/caseflow/api"
	"github.com/putian-fic/caseflow/api/service"
	"github.com/putian-fic/caseflow/workflows"
)

// connected runs f with the store and a Temporal client, and closes both when f returns.
// cfg is read when the command runs, after its flags.
func connected(cfg *Config, f func(ctx context.Context, st *store.Store, tc client.Client) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, _ []string) error {
		ctx := cmd.Context()
		if err := cfg.requireDatabase(); err != nil {
			return err
		}
		st, err := store.Connect(ctx, cfg.DatabaseURL)
		if err != nil {
			return err
		}
		defer st.Close()
		tc, err := workflows.Dial(ctx, cfg.TemporalAddress, cfg.Namespace, slog.Default())
		if err != nil {
			return err
		}
		defer tc.Close()
		return f(ctx, st, tc)
	}
}

func apiCommand() *cobra.Command {
	cfg := configFromEnv()
	var demo bool
	cmd := &cobra.Command{
		Use:   "api",
		Short: "Run the HTTP API (needs DATABASE_URL, TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE)",
		Args:  cobra.NoArgs,
		PreRunE: func(*cobra.Command, []string) error {
			if demo {
				return errors.New("--demo is only allowed with `caseflow dev`")
			}
			return nil
		},
		RunE: connected(&cfg, func(ctx context.Context, st *store.Store, tc client.Client) error {
			policy, err := cfg.policy()
			if err != nil {
				return err
			}
			ln, err := net.Listen("tcp", cfg.Addr)
			if errors.Is(err, syscall.EADDRINUSE) {
				return fmt.Errorf("API address %s is in use; pass --addr or stop the other process", cfg.Addr)
			}
			if err != nil {
				return fmt.Errorf("API address %s cannot be used (%v); pass --addr host:port", cfg.Addr, err)
			}
			srv := &http.Server{Handler: (&api.Server{Service: service.New(service.Config{Store: st, Temporal: tc, Policy: policy,
				AllowPrivateWebhooks: cfg.AllowPrivateWebhooks}), TrustedProxies: cfg.TrustedProxies}).Handler(),
				ReadHeaderTimeout: 10 * time.Second}
			errc := make(chan error, 1)
			go func() { errc <- srv.Serve(api.Listen(ln)) }()
			slog.Info("caseflow API listening", "addr", cfg.Addr)
			select {
			case err := <-errc:
				return fmt.Errorf("API: %w", err)
			case <-ctx.Done():
			}
			shutdown, cancel := context.WithTimeout(context.Background(), 15*time.Second)
			defer cancel()
			return srv.Shutdown(shutdown)
		}),
	}
	cmd.Flags().StringVar(&cfg.Addr, "addr", cfg.Addr, "HTTP API address (env CASEFLOW_ADDR)")
	cmd.Flags().BoolVar(&demo, "demo", false, "refused: demo data is for `caseflow dev` only")
	_ = cmd.Flags().MarkHidden("demo")
	return cmd
}

func workerCommand() *cobra.Command {
	cfg := configFromEnv()
	return &cobra.Command{
		Use:   "worker",
		Short: "Run a Temporal worker (needs DATABASE_URL, TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE)",
		Args:  cobra.NoArgs,
		RunE: connected(&cfg, func(ctx context.Context, st *store.Store, tc client.Client) error {
			n := cfg.notifier()
			if len(n.WebhookSecret) == 0 {
				slog.Warn("webhooks will not be delivered: CASEFLOW_WEBHOOK_SECRET is not set")
			}
			w := workflows.NewWorker(tc, activities.New(st, n, tc))
			if err := w.Start(); err != nil {
				return err
			}
			if err := workflows.EnsureSchedules(ctx, tc); err != nil {
				w.Stop()
				return err
			}
			slog.Info("caseflow worker running")
			<-ctx.Done()
			w.Stop()
			return nil
		}),
	}
}

func migrateCommand() *cobra.Command {
	cfg := configFromEnv()
	return &cobra.Command{
		Use:   "migrate",
		Short: "Apply the database migrations (needs DATABASE_URL)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := cfg.requireDatabase(); err != nil {
				return err
			}
			st, err := store.Connect(cmd.Context(), cfg.DatabaseURL)
			if err != nil {
				return err
			}
			defer st.Close()
			if err := st.Migrate(cmd.Context()); err != nil {
				return err
			}
			fmt.Println("migrations applied")
			return nil
		},
	}
}
