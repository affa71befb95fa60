package activities_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"go.temporal.io/sdk/testsuite"

	"github.com/putian-fic/caseflow/activities"
	"github.com/putian-fic/caseflow/activities/store"
	"github.com/putian-fic/caseflow/activities/store/storetest"
	"github.com/putian-fic/caseflow/workflows/domain"
)

func TestMain(m *testing.M) { storetest.Main(m) }

var newStore = storetest.New

// TestTheOutboxIsDeliveredWithRetries: notifications written with an event are delivered
// by the activity; a failing webhook is retried, an unconfigured channel fails at once.
func TestTheOutboxIsDeliveredWithRetries(t *testing.T) {
	ctx := context.Background()
	st := newStore(t)
	var calls atomic.Int32
	var signature, body string
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		b, _ := io.ReadAll(r.Body)
		signature, body = r.Header.Get("X-Caseflow-Signature"), string(b)
	}))
	defer hook.Close()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(st.SetNotificationSettings(ctx, "unit-hanjiang", store.NotificationSettings{WebhookURL: hook.URL, NotifyWebhook: true}))
	must(st.SetNotificationSettings(ctx, "gov", store.NotificationSettings{Email: "gov@putian.test", NotifyEmail: true}))
	must(st.SetNotificationSettings(ctx, "party", store.NotificationSettings{Email: "party@putian.test", NotifyEmail: true}))

	now := time.Now()
	c := domain.Case{ID: "PT-2026-000001", Status: "handling", Title: "厂房消防验收", Description: "d", Category: "fire_safety",
		List: "problem", EnterpriseID: "ent-002", LeadUnit: "hanjiang", Office: "government", CreatedBy: "member",
		CreatedAt: now, UpdatedAt: now, LastSeq: 1}
	ev := domain.Event{CaseID: c.ID, Seq: 1, Type: "referred", At: now, Actor: domain.Actor{Username: "gov", Role: "supervision", Unit: "government"},
		Data: json.RawMessage(`{"lead_unit":"hanjiang"}`), Notify: &domain.Audience{Units: []string{"hanjiang"}, Offices: []string{"government"}}}
	for range 2 { // a retried projection writes the outbox once
		_, err := st.Project(ctx, domain.Projection{Case: c, Events: []domain.Event{ev}})
		must(err)
	}

	var s testsuite.WorkflowTestSuite
	env := s.NewTestActivityEnvironment()
	// No SMTP; the test's webhook listens on loopback, which needs AllowPrivate.
	a := &activities.Activities{Store: st, Notifier: &activities.Notifier{WebhookSecret: []byte("k"), AllowPrivate: true}}
	env.RegisterActivity(a)
	in := domain.DeliverInput{CaseID: c.ID, Seq: 1}
	if _, err := env.ExecuteActivity(a.DeliverNotifications, in); err == nil {
		t.Fatal("the first attempt should fail: the webhook answered 503")
	}
	if _, err := env.ExecuteActivity(a.DeliverNotifications, in); err != nil {
		t.Fatalf("second attempt: %v", err)
	}
	list, err := st.CaseNotifications(ctx, c.ID)
	must(err)
	status := map[string]string{}
	for _, n := range list {
		status[n.Username+"/"+n.Channel] = fmt.Sprintf("%s/%d", n.Status, n.Attempts)
	}
	// The webhook: failed once, then delivered. The e-mail: no SMTP server, failed at once
	// and not tried again. The party office is not the lead office: nothing for it.
	want := map[string]string{"unit-hanjiang/webhook": "delivered/2", "gov/email": "failed/1"}
	if fmt.Sprint(status) != fmt.Sprint(want) {
		t.Errorf("outbox %v, want %v", status, want)
	}
	if calls.Load() != 2 || signature != activities.Sign([]byte("k"), []byte(body)) {
		t.Errorf("%d webhook calls, signature %q", calls.Load(), signature)
	}
	var payload map[string]any
	must(json.Unmarshal([]byte(body), &payload))
	if payload["case_id"] != c.ID || payload["type"] != "referred" || payload["title"] != "厂房消防验收" {
		t.Errorf("payload %v", payload)
	}
}

// TestAProjectionSaysWhetherItsNotificationsWait: the case's workflow starts a delivery only
// when writing its events queued notifications, or, retried after a write that committed,
// when that write's notifications are still pending.
func TestAProjectionSaysWhetherItsNotificationsWait(t *testing.T) {
	ctx := context.Background()
	st := newStore(t)
	if err := st.SetNotificationSettings(ctx, "unit-hanjiang", store.NotificationSettings{Email: "hj@putian.test", NotifyEmail: true}); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	project := func(id, unit string) bool {
		t.Helper()
		c := domain.Case{ID: id, Status: "signing", Title: "厂房消防验收", Description: "d", Category: "fire_safety",
			List: "problem", EnterpriseID: "ent-002", LeadUnit: unit, Office: "government", CreatedBy: "member",
			CreatedAt: now, UpdatedAt: now, LastSeq: 1}
		ev := domain.Event{CaseID: id, Seq: 1, Type: "referred", At: now, Actor: domain.Actor{Username: "gov", Role: "supervision", Unit: "government"},
			Data: json.RawMessage(`{}`), Notify: &domain.Audience{Units: []string{unit}}}
		pending, err := st.Project(ctx, domain.Projection{Case: c, Events: []domain.Event{ev}})
		if err != nil {
			t.Fatal(err)
		}
		return pending
	}
	if !project("PT-2026-000001", "hanjiang") {
		t.Error("a referral to a unit whose user takes e-mail: nothing pending")
	}
	if !project("PT-2026-000001", "hanjiang") {
		t.Error("the same projection retried: its notification is pending, but the retry says nothing is")
	}
	if err := st.MarkNotification(ctx, mustOne(t, st, "PT-2026-000001").ID, nil, true); err != nil {
		t.Fatal(err)
	}
	if project("PT-2026-000001", "hanjiang") {
		t.Error("retried once its notification was delivered: still pending")
	}
	if project("PT-2026-000002", "licheng") {
		t.Error("a referral to a unit whose users take no notifications: pending")
	}
}

// mustOne is a case's only notification.
func mustOne(t *testing.T, st *store.Store, caseID string) store.Notification {
	t.Helper()
	list, err := st.CaseNotifications(context.Background(), caseID)
	if err != nil || len(list) != 1 {
		t.Fatalf("notifications of %s: %v %v", caseID, list, err)
	}
	return list[0]
}
