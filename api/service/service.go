// Package service holds caseflow's user operations, one function per operation, grouped by
// context: Cases (cases, their actions, timelines and notices, the routing rules), Visits
// (visits, leaders' links and coverage, enterprises, their files and plans, the ledger),
// Reports (the quarterly report), Audit (the efficiency office's figures, scores and
// verification) and Users (sign-in, sessions, settings, the calendar). Each takes the
// user and a typed request and returns a typed result or an *Error; who may see what, and
// what is redacted and recorded as read, is decided here, once. The JSON API (package
// api) only decodes, calls and encodes; the console calls the same functions.
package service

import (
	"context"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/putian-fic/caseflow/activities/store"
	"github.com/putian-fic/caseflow/rules"
	"github.com/putian-fic/caseflow/workflows"
	"github.com/putian-fic/caseflow/workflows/domain"
)

// Config is what the services need. One per process.
type Config struct {
	Store    *store.Store
	Temporal client.Client
	// SessionTTL is how long a login token lives (default 12 hours).
	SessionTTL time.Duration
	// ActionTimeout bounds how long an operation waits for a workflow (default 30 seconds).
	ActionTimeout time.Duration
	// Clock maps real time to business time for new cases (zero: real time).
	Clock workflows.Clock
	// Policy is the SLA policy of new cases (nil: workflows.DefaultPolicy).
	Policy *workflows.SLAPolicy
	// AllowPrivateWebhooks lets users point webhooks at loopback, link-local and private
	// addresses (CASEFLOW_WEBHOOK_ALLOW_PRIVATE=1; for tests and closed networks).
	AllowPrivateWebhooks bool
	// Blobs keeps files' bytes (nil: the Store, in PostgreSQL's file_blobs).
	Blobs store.Blobs
}

// Service is every context's operations.
type Service struct {
	Cases   Cases
	Visits  Visits
	Reports Reports
	Audit   Audit
	Users   Users
	Files   Files

	*deps
}

// deps is what every context shares.
type deps struct {
	Config
	rules    rules.Cache
	sessions *sessionCache
}

// New returns the services over cfg.
func New(cfg Config) *Service {
	if cfg.SessionTTL == 0 {
		cfg.SessionTTL = 12 * time.Hour
	}
	if cfg.ActionTimeout == 0 {
		cfg.ActionTimeout = 30 * time.Second
	}
	d := &deps{Config: cfg, sessions: newSessionCache()}
	return &Service{Cases: Cases{d}, Visits: Visits{d}, Reports: Reports{d}, Audit: Audit{d}, Users: Users{d}, Files: Files{d}, deps: d}
}

// Now is the business time now (the clock of new cases).
func (d *deps) Now() time.Time { return d.Clock.Business(time.Now()).In(domain.Shanghai) }

// Year is the business year now.
func (d *deps) Year() int { return d.Now().Year() }

// Ready reports whether PostgreSQL and Temporal both answer.
func (s *Service) Ready(ctx context.Context) (postgres, temporal bool) {
	postgres = s.Store.Ping(ctx) == nil
	_, err := s.Temporal.CheckHealth(ctx, &client.CheckHealthRequest{})
	return postgres, err == nil
}

// policy is the SLA policy in force.
func (d *deps) policy() workflows.SLAPolicy {
	if d.Policy != nil {
		return *d.Policy
	}
	return workflows.DefaultPolicy
}
