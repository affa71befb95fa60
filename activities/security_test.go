package activities_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/putian-fic/caseflow/activities"
	"github.com/putian-fic/caseflow/activities/store"
	"github.com/putian-fic/caseflow/workflows/domain"
)

// referredCase projects a referred case whose webhook notification goes to unit-hanjiang.
func referredCase(t *testing.T, st *store.Store, hookURL string) domain.Case {
	t.Helper()
	ctx := context.Background()
	if err := st.SetNotificationSettings(ctx, "unit-hanjiang", store.NotificationSettings{WebhookURL: hookURL, NotifyWebhook: true}); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	c := domain.Case{ID: "PT-2026-000001", Status: "handling", Title: "厂房消防验收", Description: "d", Category: "fire_safety",
		List: "problem", EnterpriseID: "ent-002", LeadUnit: "hanjiang", Office: "government", CreatedBy: "member",
		CreatedAt: now, UpdatedAt: now, LastSeq: 1}
	ev := domain.Event{CaseID: c.ID, Seq: 1, Type: "referred", At: now, Actor: domain.Actor{Username: "gov", Role: "supervision", Unit: "government"},
		Data: json.RawMessage(`{}`), Notify: &domain.Audience{Units: []string{"hanjiang"}}}
	if _, err := st.Project(ctx, domain.Projection{Case: c, Events: []domain.Event{ev}}); err != nil {
		t.Fatal(err)
	}
	return c
}

func deliverOnce(t *testing.T, st *store.Store, n *activities.Notifier, caseID string) store.Notification {
	t.Helper()
	var s testsuite.WorkflowTestSuite
	env := s.NewTestActivityEnvironment()
	a := &activities.Activities{Store: st, Notifier: n}
	env.RegisterActivity(a)
	if _, err := env.ExecuteActivity(a.DeliverNotifications, domain.DeliverInput{CaseID: caseID, Seq: 1}); err != nil {
		t.Fatalf("a delivery that cannot succeed must not be retried: %v", err)
	}
	list, err := st.CaseNotifications(context.Background(), caseID)
	if err != nil || len(list) != 1 {
		t.Fatalf("outbox %v %v", list, err)
	}
	return list[0]
}

// TestWebhooksToThePrivateNetworkAreRefused: a webhook aimed at this machine is never
// called (the worker is not a port scanner) and fails at once, unless allowed.
func TestWebhooksToThePrivateNetworkAreRefused(t *testing.T) {
	st := newStore(t)
	var calls atomic.Int32
	hook := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { calls.Add(1) }))
	defer hook.Close()
	c := referredCase(t, st, hook.URL)
	n := deliverOnce(t, st, &activities.Notifier{WebhookSecret: []byte("k")}, c.ID)
	if n.Status != "failed" || calls.Load() != 0 || !strings.Contains(n.LastError, "private") {
		t.Fatalf("delivery to %s: %s after %d calls (%s)", hook.URL, n.Status, calls.Load(), n.LastError)
	}
}

// TestWebhooksWithoutASecretAreNotSent: an unsigned webhook could be forged by anyone.
func TestWebhooksWithoutASecretAreNotSent(t *testing.T) {
	st := newStore(t)
	var calls atomic.Int32
	hook := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { calls.Add(1) }))
	defer hook.Close()
	c := referredCase(t, st, hook.URL)
	n := deliverOnce(t, st, &activities.Notifier{AllowPrivate: true}, c.ID)
	if n.Status != "failed" || calls.Load() != 0 || !strings.Contains(n.LastError, "CASEFLOW_WEBHOOK_SECRET") {
		t.Fatalf("delivery without a secret: %s after %d calls (%s)", n.Status, calls.Load(), n.LastError)
	}
}

func TestWebhookAndEmailAddressesAreChecked(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		url          string
		allowPrivate bool
		ok           bool
	}{
		{"https://hooks.example.gov.cn/caseflow", false, true},
		{"http://8.8.8.8/x", false, true},
		{"http://127.0.0.1:5432/", false, false},
		{"http://localhost/", false, false},
		{"http://[::1]/", false, false},
		{"http://169.254.169.254/latest/meta-data", false, false},
		{"http://10.0.0.8/", false, false},
		{"http://192.168.1.1/", false, false},
		{"http://[::ffff:127.0.0.1]/", false, false},
		{"http://0.0.0.0/", false, false},
		{"http://127.0.0.1:5432/", true, true},
		{"ftp://example.com/", true, false},
		{"http://user:pw@example.com/", false, false},
		// The other spellings of 127.0.0.1 and 10.0.0.1 that curl and browsers accept.
		{"http://127.1/", false, false},
		{"http://2130706433/", false, false},
		{"http://0x7f000001/", false, false},
		{"http://017700000001/", false, false},
		{"http://0x7f.1/", false, false},
		{"http://10.1/", false, false},
		{"http://167772161/", false, false},
		{"http://134744072/", false, true}, // 8.8.8.8: public in any spelling
		{"http://127.1/", true, true},
	} {
		err := activities.CheckWebhookURL(ctx, tc.url, tc.allowPrivate)
		if (err == nil) != tc.ok {
			t.Errorf("CheckWebhookURL(%s, allowPrivate=%v) = %v", tc.url, tc.allowPrivate, err)
		}
	}
	for addr, ok := range map[string]bool{"gov@putian.test": true, "张三@例子.中国": true, "a@": false, "@b": false,
		"Gov <gov@putian.test>": false, "gov@putian.test\r\nBcc: x@y.z": false, "no-at-sign": false, "a b@c.d": false} {
		if err := activities.CheckEmail(addr); (err == nil) != ok {
			t.Errorf("activities.CheckEmail(%q) = %v", addr, err)
		}
	}
}

// TestAProjectionTheReadModelRefusesIsNotRetried: a value PostgreSQL can never store (a
// NUL character, an amount beyond the column) fails the activity for good, with the type
// the API turns into a 422, and writes nothing.
func TestAProjectionTheReadModelRefusesIsNotRetried(t *testing.T) {
	st := newStore(t)
	var s testsuite.WorkflowTestSuite
	env := s.NewTestActivityEnvironment()
	a := &activities.Activities{Store: st}
	env.RegisterActivity(a)
	now := time.Now()
	huge := 1e15
	for name, c := range map[string]domain.Case{
		"NUL in the title": {ID: "PT-2026-000001", Status: "triage", Title: "hi\x00there", Description: "d", Category: "land",
			List: "problem", EnterpriseID: "ent-001", CreatedBy: "leader1", CreatedAt: now, UpdatedAt: now, LastSeq: 1},
		"amount beyond numeric(16,2)": {ID: "PT-2026-000002", Status: "triage", Title: "t", Description: "d", Category: "financing",
			List: "funding", AmountCNY: &huge, EnterpriseID: "ent-001", CreatedBy: "leader1", CreatedAt: now, UpdatedAt: now, LastSeq: 1},
	} {
		_, err := env.ExecuteActivity(a.ProjectCase, domain.Projection{Case: c,
			Events: []domain.Event{{CaseID: c.ID, Seq: 1, Type: "created", At: now, Data: json.RawMessage(`{}`)}}})
		var app *temporal.ApplicationError
		if !errors.As(err, &app) || app.Type() != domain.ErrProjectionRefused || !app.NonRetryable() {
			t.Errorf("%s: %v, want a non-retryable %s", name, err, domain.ErrProjectionRefused)
		}
		if _, err := st.GetCase(context.Background(), c.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("%s: the case was written: %v", name, err)
		}
	}
	// An event whose data holds an escaped NUL, which jsonb refuses (22P05).
	c := domain.Case{ID: "PT-2026-000003", Status: "triage", Title: "t", Description: "d", Category: "land",
		List: "problem", EnterpriseID: "ent-001", CreatedBy: "leader1", CreatedAt: now, UpdatedAt: now, LastSeq: 1}
	_, err := env.ExecuteActivity(a.ProjectCase, domain.Projection{Case: c,
		Events: []domain.Event{{CaseID: c.ID, Seq: 1, Type: "commented", At: now, Data: json.RawMessage(`{"text":"hi\u0000there"}`)}}})
	var app *temporal.ApplicationError
	if !errors.As(err, &app) || app.Type() != domain.ErrProjectionRefused {
		t.Errorf("escaped NUL in event data: %v", err)
	}
}
