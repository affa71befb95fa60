package main

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/putian-fic/caseflow/activities"
	"github.com/putian-fic/caseflow/workflows"
	"github.com/putian-fic/caseflow/workflows/domain"
)

// notifierFromEnv configures notification delivery: CASEFLOW_SMTP_ADDR (host:port),
// CASEFLOW_SMTP_FROM, CASEFLOW_WEBHOOK_SECRET and CASEFLOW_WEBHOOK_ALLOW_PRIVATE.
func notifierFromEnv() *activities.Notifier {
	return &activities.Notifier{
		SMTPAddr:      os.Getenv("CASEFLOW_SMTP_ADDR"),
		From:          getenv("CASEFLOW_SMTP_FROM", "caseflow@localhost"),
		WebhookSecret: []byte(os.Getenv("CASEFLOW_WEBHOOK_SECRET")),
		AllowPrivate:  allowPrivateWebhooks(),
	}
}

// allowPrivateWebhooks: CASEFLOW_WEBHOOK_ALLOW_PRIVATE=1 lets webhooks reach loopback,
// link-local and private addresses (for tests and closed networks).
func allowPrivateWebhooks() bool { return os.Getenv("CASEFLOW_WEBHOOK_ALLOW_PRIVATE") == "1" }

// policyFromEnv reads the SLA policy from CASEFLOW_SLA_POLICY (JSON; fields left out keep
// their defaults), or returns nil for the default policy.
func policyFromEnv() (*workflows.SLAPolicy, error) {
	raw := os.Getenv("CASEFLOW_SLA_POLICY")
	if raw == "" {
		return nil, nil
	}
	p := workflows.DefaultPolicy
	p.HandlingDays = map[string]int{}
	for k, v := range workflows.DefaultPolicy.HandlingDays {
		p.HandlingDays[k] = v
	}
	if err := json.Unmarshal([]byte(raw), &p); err != nil {
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
