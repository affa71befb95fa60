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

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/spf13/cobra"
	"go.temporal.io/sdk/client"

	"github.com/putian-fic/caseflow/activities"
	"github.com/putian-fic/caseflow/activities/store"
	"github.com/putian-fic/caseflow/api"
	"github.com/putian-fic/caseflow/api/service"
	"github.com/putian-fic/caseflow/cmd/caseflow/telemetry"
	"github.com/putian-fic/caseflow/workflows"
)

// connected runs f with the store, a Temporal client and the process's telemetry (service
// names it in traces), and closes them when f returns. cfg is read when the command runs,
// after its flags.
func connected(cfg *Config, service string, f func(ctx context.Context, st *store.Store, tc client.Client, tel *telemetry.Telemetry) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, _ []string) error {
		ctx := cmd.Context()
		if err := cfg.requireDatabase(); err != nil {
			return err
		}
		opts, err := cfg.temporalOptions()
		if err != nil {
			return err
		}
		st, err := store.Connect(ctx, cfg.DatabaseURL)
		if err != nil {
			return err
		}
		defer st.Close()
		tel, err := telemetry.New(ctx, service)
		if err != nil {
			return err
		}
		defer tel.Close()
		tc, err := workflows.Dial(ctx, tel.Client(opts), slog.Default())
		if err != nil {
			return err
		}
		defer tc.Close()
		return f(ctx, st, tc, tel)
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
		RunE: connected(&cfg, "caseflow-api", func(ctx context.Context, st *store.Store, tc client.Client, tel *telemetry.Telemetry) error {
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
			srv := &http.Server{Handler: tel.HTTP((&api.Server{Service: service.New(service.Config{Store: st, Temporal: tc, Policy: policy,
				AllowPrivateWebhooks: cfg.AllowPrivateWebhooks}), TrustedProxies: cfg.TrustedProxies, Metrics: tel.Gatherer()}).Handler()),
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
		RunE: connected(&cfg, "caseflow-worker", func(ctx context.Context, st *store.Store, tc client.Client, tel *telemetry.Telemetry) error {
			n := cfg.notifier()
			if len(n.WebhookSecret) == 0 {
				slog.Warn("webhooks will not be delivered: CASEFLOW_WEBHOOK_SECRET is not set")
			}
			if cfg.WorkerAddr != "" {
				stop, err := serveWorkerHTTP(cfg.WorkerAddr, tel.Gatherer())
				if err != nil {
					return err
				}
				defer stop()
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

// serveWorkerHTTP answers /healthz (the process is up) and /metrics (the Go runtime, the
// process, and the Temporal SDK's metrics from sdk, in Prometheus's format) on addr, for
// probes and Prometheus; stop ends it.
func serveWorkerHTTP(addr string, sdk prometheus.Gatherer) (stop func(), err error) {
	ln, err := net.Listen("tcp", addr)
	if errors.Is(err, syscall.EADDRINUSE) {
		return nil, fmt.Errorf("worker address %s is in use; set CASEFLOW_WORKER_ADDR to another host:port", addr)
	}
	if err != nil {
		return nil, fmt.Errorf("worker address %s cannot be used (%v); set CASEFLOW_WORKER_ADDR to host:port", addr, err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"status":"ok"}`))
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(prometheus.Gatherers{prometheus.DefaultGatherer, sdk}, promhttp.HandlerOpts{}))
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	slog.Info("caseflow worker answers /healthz and /metrics", "addr", addr)
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	}, nil
}

// probeCommand: caseflow probe URL — exit 0 when the URL answers 200 (a container's health
// check, in an image without curl).
func probeCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "probe URL",
		Short: "Exit 0 when URL answers 200 within 5 seconds (for container health checks)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, cancel := context.WithTimeout(cmd.Context(), 5*time.Second)
			defer cancel()
			if err := probe(ctx, args[0]); err != nil {
				return fmt.Errorf("probe: %w", err)
			}
			return nil
		},
	}
}

// probe is nil when url answers 200.
func probe(ctx context.Context, url string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("%s does not answer: %v", url, err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("%s answered %d", url, res.StatusCode)
	}
	return nil
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
