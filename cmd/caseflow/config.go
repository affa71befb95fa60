package main

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"

	"go.temporal.io/sdk/client"

	"github.com/putian-fic/caseflow/activities"
	"github.com/putian-fic/caseflow/workflows"
	"github.com/putian-fic/caseflow/workflows/domain"
)

// Config is everything caseflow's commands read from the environment, in one place; a
// command's flags override what they name.
type Config struct {
	DatabaseURL     string // DATABASE_URL; for dev and user create, unset means the private cluster
	TemporalAddress string // TEMPORAL_ADDRESS (default 127.0.0.1:7233)
	Namespace       string // TEMPORAL_NAMESPACE (default "default")
	// TemporalTLS is how caseflow reaches a Temporal server over TLS (Temporal Cloud, or a
	// self-hosted cluster with TLS): the Temporal CLI's environment names.
	TemporalTLS   TemporalTLS
	Addr          string // CASEFLOW_ADDR, --addr (default 127.0.0.1:8080)
	DataDir       string // CASEFLOW_DATA_DIR, --data-dir (default .caseflow)
	SMTPAddr      string // CASEFLOW_SMTP_ADDR (host:port; unset: no e-mail)
	SMTPFrom      string // CASEFLOW_SMTP_FROM (default caseflow@localhost)
	WebhookSecret string // CASEFLOW_WEBHOOK_SECRET (unset: no webhooks, but dev makes one)
	// AllowPrivateWebhooks: CASEFLOW_WEBHOOK_ALLOW_PRIVATE=1 lets webhooks reach loopback,
	// link-local and private addresses (for tests and closed networks).
	AllowPrivateWebhooks bool
	SLAPolicy            string // CASEFLOW_SLA_POLICY (JSON; fields left out keep their defaults)
	// TrustedProxies: CASEFLOW_TRUSTED_PROXIES, comma-separated addresses or CIDR ranges of
	// reverse proxies whose X-Forwarded-For names the client and whose X-Forwarded-Proto
	// says whether the browser used https (the console's cookie is then Secure).
	TrustedProxies []string
	Password       string // CASEFLOW_PASSWORD, for user create
	// WorkerAddr: CASEFLOW_WORKER_ADDR, where a worker answers /healthz and /metrics (unset:
	// it listens nowhere).
	WorkerAddr string
	// WorkflowCache: CASEFLOW_WORKFLOW_CACHE, how many workflows a worker (caseflow worker,
	// or dev's) keeps in memory between their tasks (unset: workflows.DefaultCacheSize).
	WorkflowCache string
	LogLevel      slog.Level
}

// configFromEnv reads the Config from the environment.
func configFromEnv() Config {
	var level slog.Level
	if err := level.UnmarshalText([]byte(os.Getenv("CASEFLOW_LOG_LEVEL"))); err != nil {
		level = slog.LevelInfo
	}
	return Config{
		DatabaseURL:     os.Getenv("DATABASE_URL"),
		TemporalAddress: getenv("TEMPORAL_ADDRESS", "127.0.0.1:7233"),
		Namespace:       getenv("TEMPORAL_NAMESPACE", "default"),
		TemporalTLS: TemporalTLS{Enabled: os.Getenv("TEMPORAL_TLS") == "1" || os.Getenv("TEMPORAL_TLS") == "true",
			APIKey: os.Getenv("TEMPORAL_API_KEY"), CertFile: os.Getenv("TEMPORAL_TLS_CERT"), KeyFile: os.Getenv("TEMPORAL_TLS_KEY"),
			CAFile: os.Getenv("TEMPORAL_TLS_CA"), ServerName: os.Getenv("TEMPORAL_TLS_SERVER_NAME")},
		Addr:                 getenv("CASEFLOW_ADDR", "127.0.0.1:8080"),
		DataDir:              getenv("CASEFLOW_DATA_DIR", ".caseflow"),
		SMTPAddr:             os.Getenv("CASEFLOW_SMTP_ADDR"),
		SMTPFrom:             getenv("CASEFLOW_SMTP_FROM", "caseflow@localhost"),
		WebhookSecret:        os.Getenv("CASEFLOW_WEBHOOK_SECRET"),
		AllowPrivateWebhooks: os.Getenv("CASEFLOW_WEBHOOK_ALLOW_PRIVATE") == "1",
		SLAPolicy:            os.Getenv("CASEFLOW_SLA_POLICY"),
		TrustedProxies:       strings.FieldsFunc(os.Getenv("CASEFLOW_TRUSTED_PROXIES"), func(r rune) bool { return r == ',' || r == ' ' }),
		Password:             os.Getenv("CASEFLOW_PASSWORD"),
		WorkerAddr:           os.Getenv("CASEFLOW_WORKER_ADDR"),
		WorkflowCache:        os.Getenv("CASEFLOW_WORKFLOW_CACHE"),
		LogLevel:             level,
	}
}

// getenv returns the environment variable, or def when it is unset or empty.
func getenv(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// TemporalTLS: TLS and credentials for a Temporal server that asks for them. An API key
// or a client certificate turns TLS on; TEMPORAL_TLS=1 turns it on without either.
type TemporalTLS struct {
	Enabled    bool   // TEMPORAL_TLS=1: TLS, checked against the system's roots or CAFile
	APIKey     string // TEMPORAL_API_KEY: Temporal Cloud's API key (sent as a bearer token)
	CertFile   string // TEMPORAL_TLS_CERT: the client certificate (PEM) for mTLS
	KeyFile    string // TEMPORAL_TLS_KEY: its private key (PEM)
	CAFile     string // TEMPORAL_TLS_CA: the server's CA (PEM), when not a public one
	ServerName string // TEMPORAL_TLS_SERVER_NAME: the name the server's certificate carries, when not the address's host
}

// temporalOptions is how the commands reach Temporal: address, namespace, and TLS with
// an API key or a client certificate when configured.
func (c Config) temporalOptions() (client.Options, error) {
	opts := client.Options{HostPort: c.TemporalAddress, Namespace: c.Namespace}
	t := c.TemporalTLS
	if (t.CertFile == "") != (t.KeyFile == "") {
		return opts, errors.New("TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY go together: set both (mTLS) or neither")
	}
	if t.CertFile != "" && t.APIKey != "" {
		return opts, errors.New("set TEMPORAL_API_KEY or TEMPORAL_TLS_CERT/TEMPORAL_TLS_KEY, not both")
	}
	if !t.Enabled && t.APIKey == "" && t.CertFile == "" && t.CAFile == "" && t.ServerName == "" {
		return opts, nil
	}
	cfg := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: t.ServerName}
	if t.CAFile != "" {
		pem, err := os.ReadFile(t.CAFile)
		if err != nil {
			return opts, fmt.Errorf("TEMPORAL_TLS_CA: %v", err)
		}
		cfg.RootCAs = x509.NewCertPool()
		if !cfg.RootCAs.AppendCertsFromPEM(pem) {
			return opts, fmt.Errorf("TEMPORAL_TLS_CA: %s holds no PEM certificate", t.CAFile)
		}
	}
	if t.CertFile != "" {
		cert, err := tls.LoadX509KeyPair(t.CertFile, t.KeyFile)
		if err != nil {
			return opts, fmt.Errorf("TEMPORAL_TLS_CERT/TEMPORAL_TLS_KEY: %v", err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	if t.APIKey != "" {
		opts.Credentials = client.NewAPIKeyStaticCredentials(t.APIKey)
	}
	opts.ConnectionOptions.TLS = cfg
	return opts, nil
}

// requireDatabase: the API, the worker and migrate run against a database they are given.
func (c Config) requireDatabase() error {
	if c.DatabaseURL == "" {
		return errors.New("DATABASE_URL must be set (postgres://user:password@host:5432/caseflow); `caseflow dev` runs without it")
	}
	return nil
}

// notifier configures notification delivery.
func (c Config) notifier() *activities.Notifier {
	return &activities.Notifier{SMTPAddr: c.SMTPAddr, From: c.SMTPFrom, WebhookSecret: []byte(c.WebhookSecret),
		AllowPrivate: c.AllowPrivateWebhooks}
}

// workflowCache is CASEFLOW_WORKFLOW_CACHE as a number of workflows (0 when unset).
func (c Config) workflowCache() (int, error) {
	if c.WorkflowCache == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(c.WorkflowCache)
	if err != nil || n < 1 {
		return 0, fmt.Errorf("CASEFLOW_WORKFLOW_CACHE %q: give how many workflows a worker keeps in memory, at least 1 (unset: %d)",
			c.WorkflowCache, workflows.DefaultCacheSize)
	}
	return n, nil
}

// policy is the SLA policy, or nil for the default one.
func (c Config) policy() (*workflows.SLAPolicy, error) {
	if c.SLAPolicy == "" {
		return nil, nil
	}
	p := workflows.DefaultPolicy
	p.HandlingDays = map[string]int{}
	for k, v := range workflows.DefaultPolicy.HandlingDays {
		p.HandlingDays[k] = v
	}
	if err := json.Unmarshal([]byte(c.SLAPolicy), &p); err != nil {
		return nil, fmt.Errorf("CASEFLOW_SLA_POLICY: %w", err)
	}
	for name, days := range map[string]int{"triage_days": p.TriageDays, "referral_days": p.ReferralDays,
		"sign_days": p.SignDays, "callback_days": p.CallbackDays, "handling_days.standard": p.HandlingDays[domain.SLAStandard]} {
		if days < 1 {
			return nil, fmt.Errorf("CASEFLOW_SLA_POLICY: %s must be at least 1", name)
		}
	}
	return &p, nil
}

// logHandler is the log's format: JSON lines (CASEFLOW_LOG_FORMAT=json, for a log
// collector) or text (anything else).
func logHandler(w io.Writer, format string, level slog.Level) slog.Handler {
	opts := &slog.HandlerOptions{Level: level}
	if format == "json" {
		return slog.NewJSONHandler(w, opts)
	}
	return slog.NewTextHandler(w, opts)
}
