package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/spf13/cobra"
	"go.temporal.io/sdk/client"

	"github.com/putian-fic/caseflow/activities/store"
	"github.com/putian-fic/caseflow/api"
	"github.com/putian-fic/caseflow/cmd/caseflow/devenv"
)

// connect opens the store from DATABASE_URL and a Temporal client from TEMPORAL_ADDRESS
// and TEMPORAL_NAMESPACE.
func connect(ctx context.Context) (*store.Store, client.Client, error) {
	dbURL, err := requireEnv("DATABASE_URL")
	if err != nil {
		return nil, nil, err
	}
	st, err := store.Open(ctx, dbURL)
	if err != nil {
		return nil, nil, err
	}
	c, err := devenv.Dial(ctx, getenv("TEMPORAL_ADDRESS", "127.0.0.1:7233"), getenv("TEMPORAL_NAMESPACE", "default"), slog.Default())
	if err != nil {
		st.Close()
		return nil, nil, err
	}
	return st, c, nil
}

func apiCommand() *cobra.Command {
	var addr string
	var demo bool
	cmd := &cobra.Command{
		Use:   "api",
		Short: "Run the HTTP API (needs DATABASE_URL, TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if demo {
				return errors.New("--demo is only allowed with `caseflow dev`")
			}
			ctx := cmd.Context()
			st, tc, err := connect(ctx)
			if err != nil {
				return err
			}
			defer st.Close()
			defer tc.Close()
			policy, err := policyFromEnv()
			if err != nil {
				return err
			}
			ln, err := net.Listen("tcp", addr)
			if err != nil {
				return fmt.Errorf("API address %s: %w", addr, err)
			}
			srv := &http.Server{Handler: (&api.Server{Store: st, Temporal: tc, Policy: policy,
				AllowPrivateWebhooks: allowPrivateWebhooks()}).Handler(), ReadHeaderTimeout: 10 * time.Second}
			errc := make(chan error, 1)
			go func() { errc <- srv.Serve(api.Listen(ln)) }()
			slog.Info("caseflow API listening", "addr", addr)
			select {
			case err := <-errc:
				return fmt.Errorf("API: %w", err)
			case <-ctx.Done():
			}
			shutdown, cancel := context.WithTimeout(context.Background(), 15*time.Second)
			defer cancel()
			return srv.Shutdown(shutdown)
		},
	}
	cmd.Flags().StringVar(&addr, "addr", getenv("CASEFLOW_ADDR", "127.0.0.1:8080"), "HTTP API address (env CASEFLOW_ADDR)")
	cmd.Flags().BoolVar(&demo, "demo", false, "refused: demo data is for `caseflow dev` only")
	_ = cmd.Flags().MarkHidden("demo")
	return cmd
}

func workerCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "worker",
		Short: "Run a Temporal worker (needs DATABASE_URL, TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			st, tc, err := connect(ctx)
			if err != nil {
				return err
			}
			defer st.Close()
			defer tc.Close()
			n := notifierFromEnv()
			if len(n.WebhookSecret) == 0 {
				slog.Warn("webhooks will not be delivered: CASEFLOW_WEBHOOK_SECRET is not set")
			}
			w := devenv.NewWorker(tc, st, n)
			if err := w.Start(); err != nil {
				return err
			}
			slog.Info("caseflow worker running")
			<-ctx.Done()
			w.Stop()
			return nil
		},
	}
}

func migrateCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "migrate",
		Short: "Apply the database migrations (needs DATABASE_URL)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			dbURL, err := requireEnv("DATABASE_URL")
			if err != nil {
				return err
			}
			st, err := store.Open(cmd.Context(), dbURL)
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
