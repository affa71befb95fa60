// Package devenv runs all of caseflow in one process: an embedded Temporal server, a
// private PostgreSQL (unless a database URL is given), the worker and the HTTP API. It is
// what `caseflow dev` runs and what the end-to-end tests start; it is the only package
// that imports the Temporal server.
package devenv

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"

	"github.com/putian-fic/caseflow/activities"
	"github.com/putian-fic/caseflow/activities/store"
	"github.com/putian-fic/caseflow/activities/store/pgcluster"
	"github.com/putian-fic/caseflow/api"
	"github.com/putian-fic/caseflow/api/service"
	"github.com/putian-fic/caseflow/cmd/caseflow/datadir"
	"github.com/putian-fic/caseflow/cmd/caseflow/telemetry"
	"github.com/putian-fic/caseflow/rules"
	"github.com/putian-fic/caseflow/workflows"
	"github.com/putian-fic/caseflow/workflows/domain"
)

// Config says how to run the environment.
type Config struct {
	// DataDir holds all state: the Temporal SQLite file and the private PostgreSQL cluster.
	DataDir string
	// Addr is where the HTTP API listens; "127.0.0.1:0" picks a free port.
	Addr string
	// DatabaseURL, if set, is used instead of a private PostgreSQL cluster.
	DatabaseURL string
	// Ephemeral keeps Temporal in memory and the private PostgreSQL in a temporary
	// directory removed on Close: nothing survives the process.
	Ephemeral bool
	// TemporalPort is the embedded Temporal frontend's port (0 picks a free one).
	TemporalPort int
	// Namespace is the Temporal namespace (default "default").
	Namespace string
	// Demo loads the demo reference data and users.
	Demo bool
	// DemoVisiting (with Demo) also loads the visiting side: 200 enterprises, the leaders'
	// links and a year of visits (caseflow dev --demo does; the tests keep the small demo).
	DemoVisiting bool
	// Logger receives caseflow's logs (default slog.Default()).
	Logger *slog.Logger
	// Clock maps real time to business time (zero: real time); a fast clock lets a
	// working day pass in seconds.
	Clock workflows.Clock
	// Policy is the SLA policy of new cases (nil: the default).
	Policy *workflows.SLAPolicy
	// Notifier delivers notifications (nil: they stay pending, then fail). Without a
	// webhook secret, one is created in the data directory (file webhook-secret).
	Notifier *activities.Notifier
	// AllowPrivateWebhooks lets webhooks reach loopback and private addresses (tests).
	AllowPrivateWebhooks bool
	// TrustedProxies are the reverse proxies the API and the console trust (api.Server).
	TrustedProxies []string
	// ActionTimeout bounds how long a request waits for a workflow (default 30 seconds).
	ActionTimeout time.Duration
	// NoWorker leaves the worker out: `caseflow worker` processes run beside this one.
	NoWorker bool
	// Telemetry adds the Temporal SDK's metrics to /metrics and, when it traces, traces
	// requests, workflows and activities (nil: neither).
	Telemetry *telemetry.Telemetry
}

// Env is a running environment.
type Env struct {
	Store    *store.Store
	Client   client.Client
	Temporal *TemporalServer
	// URL is the API's base URL, like http://127.0.0.1:8080.
	URL string
	// DatabaseURL is the database's connection URL.
	DatabaseURL string

	cluster *pgcluster.Cluster
	worker  worker.Worker
	http    *http.Server
	ln      net.Listener // the API's, until the HTTP server takes it
	tmpDir  string
	lock    *datadir.Lock // the data directory's, held until Close
}

// Start starts everything and returns once the API accepts requests. On error, whatever
// was started is stopped again.
func Start(ctx context.Context, cfg Config) (env *Env, err error) {
	if cfg.Namespace == "" {
		cfg.Namespace = "default"
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	e := &Env{}
	env = e
	defer func() {
		if err != nil {
			e.Close()
			env = nil
		}
	}()
	log := cfg.Logger

	// What can be checked before anything starts is checked first.
	if e.ln, err = listenAPI(cfg.Addr); err != nil {
		return nil, err
	}
	if err = checkTemporalPorts(cfg.TemporalPort); err != nil {
		return nil, err
	}
	cfg.DataDir = absDataDir(cfg.DataDir)
	pgDir := filepath.Join(cfg.DataDir, "postgres")
	// The data directory is created, checked writable and held by this dev alone
	// (datadir.Take); --ephemeral keeps everything in a temporary directory instead.
	if cfg.Ephemeral {
		if env.tmpDir, err = os.MkdirTemp("", "caseflow-dev-"); err != nil {
			return nil, fmt.Errorf("a temporary directory cannot be created (%v); set TMPDIR to a writable directory", cause(err))
		}
		// PostgreSQL may run as another user (when we are root): let it in.
		if err = os.Chmod(env.tmpDir, 0o755); err != nil {
			return nil, err
		}
		pgDir = filepath.Join(env.tmpDir, "postgres")
	} else if env.lock, err = datadir.Take(ctx, cfg.DataDir, datadir.Dev); err != nil {
		return nil, err
	}

	if cfg.Notifier != nil {
		c := cfg.Notifier
		n := activities.Notifier{SMTPAddr: c.SMTPAddr, From: c.From, WebhookSecret: c.WebhookSecret,
			AllowPrivate: c.AllowPrivate || cfg.AllowPrivateWebhooks, Client: c.Client}
		if len(n.WebhookSecret) == 0 {
			dir := cfg.DataDir
			if cfg.Ephemeral {
				dir = env.tmpDir
			}
			var file string
			if n.WebhookSecret, file, err = webhookSecret(dir); err != nil {
				return nil, err
			}
			log.Info("webhooks are signed with the secret in "+file+" (set CASEFLOW_WEBHOOK_SECRET to choose one)", "file", file)
		}
		cfg.Notifier = &n
	}

	dbURL := cfg.DatabaseURL
	if dbURL == "" {
		log.Info("starting private PostgreSQL", "dir", pgDir)
		if env.cluster, err = pgcluster.Start(ctx, pgDir); err != nil {
			return nil, err
		}
		dbURL = env.cluster.URL()
	}
	env.DatabaseURL = dbURL
	if env.Store, err = store.Connect(ctx, dbURL); err != nil {
		return nil, err
	}
	if err = env.Store.Migrate(ctx); err != nil {
		return nil, err
	}
	if cfg.Demo {
		if err = env.Store.SeedDemo(ctx); err != nil {
			return nil, err
		}
		if err = seedRules(ctx, env.Store); err != nil {
			return nil, err
		}
		if cfg.DemoVisiting {
			if err = env.Store.SeedDemoVisiting(ctx, cfg.Clock.Business(time.Now())); err != nil {
				return nil, err
			}
		}
		log.Info("demo data loaded", "users", "admin, member, party, gov, efficiency, leader1, leader2, unit-<unit id>", "password", store.DemoPassword)
	}

	tcfg := TemporalConfig{Namespace: cfg.Namespace, FrontendPort: cfg.TemporalPort, Ephemeral: cfg.Ephemeral}
	if !cfg.Ephemeral {
		tcfg.DatabaseFile = filepath.Join(cfg.DataDir, "temporal.db")
	}
	if env.Temporal, err = StartTemporal(tcfg); err != nil {
		return nil, fmt.Errorf("the embedded Temporal server did not start: %v", oneLine(err))
	}
	log.Info("embedded Temporal server started", "address", env.Temporal.HostPort, "namespace", cfg.Namespace)

	if env.Client, err = workflows.Dial(ctx, cfg.Telemetry.Client(client.Options{HostPort: env.Temporal.HostPort, Namespace: cfg.Namespace}), log); err != nil {
		return nil, err
	}
	if !cfg.NoWorker {
		env.worker = workflows.NewWorker(env.Client, activities.New(env.Store, cfg.Notifier, env.Client))
		if err = env.worker.Start(); err != nil {
			return nil, fmt.Errorf("worker: %w", err)
		}
		if err = workflows.EnsureSchedules(ctx, env.Client); err != nil {
			return nil, err
		}
	}

	ln := api.Listen(e.ln)
	e.ln = nil // the HTTP server owns it now
	srv := &api.Server{Service: service.New(service.Config{Store: env.Store, Temporal: env.Client, Clock: cfg.Clock,
		Policy: cfg.Policy, AllowPrivateWebhooks: cfg.AllowPrivateWebhooks, ActionTimeout: cfg.ActionTimeout}), Logger: log,
		TrustedProxies: cfg.TrustedProxies, Metrics: cfg.Telemetry.Gatherer()}
	handler := cfg.Telemetry.HTTP(srv.Handler())
	// The demo's visits and cases go through the API in the process, before it serves: a
	// client never sees a half-loaded demo, and nothing from outside races the loading.
	if cfg.Demo && cfg.DemoVisiting {
		if cfg.NoWorker {
			log.Info("the demo visits' problems become cases on a start with a worker")
		} else if err = seedDemoCases(ctx, handler, env.Store, cfg.Clock.Business(time.Now()).In(domain.Shanghai)); err != nil {
			_ = ln.Close()
			return nil, fmt.Errorf("demo cases: %w", err)
		}
	}
	env.http = &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	env.URL = "http://" + ln.Addr().String()
	go func() {
		if err := env.http.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("API server stopped", "err", err)
		}
	}()
	log.Info("caseflow API listening", "url", env.URL)
	return env, nil
}

// webhookSecret reads the webhook secret kept in dir, creating a random one on first use.
func webhookSecret(dir string) ([]byte, string, error) {
	file := filepath.Join(dir, "webhook-secret")
	if b, err := os.ReadFile(file); err == nil && len(bytes.TrimSpace(b)) > 0 {
		return bytes.TrimSpace(b), file, nil
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return nil, "", err
	}
	secret := []byte(hex.EncodeToString(raw))
	if err := os.WriteFile(file, append(secret, '\n'), 0o600); err != nil {
		return nil, "", fmt.Errorf("webhook secret: %w", err)
	}
	return secret, file, nil
}

// seedRules activates the default Putian rule set unless a rule set is active already.
func seedRules(ctx context.Context, st *store.Store) error {
	if _, err := st.ActiveRuleSet(ctx); !errors.Is(err, store.ErrNotFound) {
		return err
	}
	rs, err := rules.Load(rules.PutianYAML)
	if err != nil {
		return err
	}
	err = st.SaveRuleSet(ctx, store.RuleSetRecord{Version: rs.Version, Description: rs.Description,
		Source: string(rules.PutianYAML), RuleCount: rs.Len(), UploadedBy: "demo"})
	if errors.Is(err, store.ErrConflict) {
		return nil // another process seeded it meanwhile
	}
	return err
}

// StopWorker stops the worker (as a crash would, for tests); StartWorker starts a new one.
func (e *Env) StopWorker() { e.worker.Stop() }

// StartWorker starts a new worker in place of the stopped one.
func (e *Env) StartWorker(n *activities.Notifier) error {
	e.worker = workflows.NewWorker(e.Client, activities.New(e.Store, n, e.Client))
	return e.worker.Start()
}

// Close stops everything in reverse order. It is safe on a partly started Env.
func (e *Env) Close() {
	if e.ln != nil {
		_ = e.ln.Close()
	}
	if e.http != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		_ = e.http.Shutdown(ctx)
		cancel()
	}
	if e.worker != nil {
		e.worker.Stop()
	}
	if e.Client != nil {
		e.Client.Close()
	}
	if e.Temporal != nil {
		_ = e.Temporal.Stop()
	}
	if e.Store != nil {
		e.Store.Close()
	}
	if e.cluster != nil {
		if err := e.cluster.Stop(); err != nil {
			slog.Error("stopping PostgreSQL", "err", err)
		}
	}
	if e.tmpDir != "" {
		_ = os.RemoveAll(e.tmpDir)
	}
	e.lock.Release() // last: everything on the data directory has stopped
}
