package devenv_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/putian-fic/caseflow/activities"
	"github.com/putian-fic/caseflow/cmd/caseflow/devenv"
	"github.com/putian-fic/caseflow/workflows"
	"github.com/putian-fic/caseflow/workflows/domain"
)

// TestSupervisionLadderOverHTTP runs the supervision ladder for real on a clock where a
// day lasts two seconds: a case referred and never signed for gets its urging notices and
// cards in order, once each, across a worker restart, and every notification reaches the
// webhook receiver and the mail sink once.
func TestSupervisionLadderOverHTTP(t *testing.T) {
	secret := []byte("test-secret")
	var got deliveries
	hook := webhookSink(t, secret, &got)
	smtpAddr := smtpSink(t, &got)
	notifier := &activities.Notifier{SMTPAddr: smtpAddr, From: "caseflow@test", WebhookSecret: secret, AllowPrivate: true}

	const daySeconds = 2.0
	// Business time reaches Monday 23 November 2026, 08:00 once the environment is up.
	epoch := time.Now().Add(25 * time.Second)
	base := time.Date(2026, 11, 23, 8, 0, 0, 0, domain.Shanghai)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	env, err := devenv.Start(ctx, devenv.Config{DataDir: dataDir(t), Addr: "127.0.0.1:0", Demo: true, Logger: quietLogger(),
		Clock: workflows.Clock{Epoch: epoch, Base: base, Speed: 86400 / daySeconds}, Notifier: notifier, AllowPrivateWebhooks: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(env.Close)
	leader, member, gov := login(t, env.URL, "leader1"), login(t, env.URL, "member"), login(t, env.URL, "gov")
	unit, eff := login(t, env.URL, "unit-natural-resources"), login(t, env.URL, "efficiency")
	unit.must(http.StatusOK, "PUT", "/api/v1/me/notifications", map[string]any{"webhook_url": hook.URL + "/unit", "notify_webhook": true})
	gov.must(http.StatusOK, "PUT", "/api/v1/me/notifications", map[string]any{"email": "gov@putian.test", "notify_email": true})
	leader.must(http.StatusOK, "PUT", "/api/v1/me/notifications", map[string]any{"email": "leader1@putian.test", "notify_email": true,
		"webhook_url": hook.URL + "/leader", "notify_webhook": true})
	if r := unit.do("PUT", "/api/v1/me/notifications", map[string]any{"webhook_url": "ftp://x", "notify_webhook": true}, nil); r.Status != http.StatusUnprocessableEntity {
		t.Errorf("a bad webhook URL: %d", r.Status)
	}
	if time.Until(epoch) < time.Second {
		t.Fatalf("the environment took too long to start for this test's clock (%v left)", time.Until(epoch))
	}
	time.Sleep(time.Until(epoch))

	r := leader.must(http.StatusCreated, "POST", "/api/v1/cases", map[string]any{"enterprise_id": "ent-001",
		"title": "用地报批卡在市级", "description": "报批材料已齐，迟迟未批", "category": "land", "list": "problem"})
	id := r.str("id")
	member.action(http.StatusOK, id, "triage", map[string]any{"decision": "refer", "sla": "urgent", "override_reason": "企业停产在即"})
	r = gov.action(http.StatusOK, id, "refer", map[string]any{"instructions": "请5个工作日内办结"})
	var cs struct {
		Deadlines struct{ Triage, Referral, Sign, Handling string } `json:"deadlines"`
		DueDate   string                                            `json:"due_date"`
		SLA       string                                            `json:"sla"`
		Card      string                                            `json:"card"`
		Overdue   bool                                              `json:"overdue"`
		Notices   []struct{ Kind, No, Deadline, Due string }        `json:"notices"`
	}
	decode(t, r.Raw, &cs)
	if cs.Deadlines.Triage != "2026-11-26" || cs.Deadlines.Referral != "2026-11-25" || cs.Deadlines.Sign != "2026-11-24" ||
		cs.Deadlines.Handling != "2026-11-30" || cs.DueDate != "2026-11-30" || cs.SLA != "urgent" || cs.Card != "none" {
		t.Fatalf("deadlines after referral: %s", r.Raw)
	}

	waitFor := func(what string, timeout time.Duration, ok func() bool) {
		t.Helper()
		deadline := time.Now().Add(timeout)
		for !ok() {
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s", what)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	notices := func() int {
		decode(t, eff.must(http.StatusOK, "GET", "/api/v1/cases/"+id, nil).Raw, &cs)
		return len(cs.Notices)
	}
	// The handling reminder (Thursday 26th, 09:00) is the second rung; then the worker dies
	// for two business days, across the sign-for yellow card (Friday 27th, 09:00).
	waitFor("the handling reminder", 30*time.Second, func() bool { return notices() >= 2 })
	env.StopWorker()
	down := notices()
	time.Sleep(time.Duration(2 * daySeconds * float64(time.Second)))
	if n := notices(); n != down {
		t.Fatalf("notices went from %d to %d while the worker was down", down, n)
	}
	if err := env.StartWorker(notifier); err != nil {
		t.Fatal(err)
	}
	waitFor("the handling red card", 60*time.Second, func() bool { return notices() >= 7 })

	want := []struct{ kind, deadline, due string }{
		{"blue", "sign", "2026-11-24"}, {"reminder", "handling", "2026-11-30"}, {"yellow", "sign", "2026-11-24"},
		{"red", "sign", "2026-11-24"}, {"blue", "handling", "2026-11-30"}, {"yellow", "handling", "2026-11-30"},
		{"red", "handling", "2026-11-30"},
	}
	var numbers []string
	for i, w := range want {
		n := cs.Notices[i]
		if n.Kind != w.kind || n.Deadline != w.deadline || n.Due != w.due {
			t.Errorf("notice %d: %+v, want %+v", i, n, w)
		}
		if (w.kind == "yellow" || w.kind == "red") != (n.No != "") {
			t.Errorf("notice %d: number %q", i, n.No)
		}
		if n.No != "" {
			numbers = append(numbers, n.No)
		}
	}
	if len(numbers) != 4 || numbers[0] != "DB-2026-0001" || numbers[3] != "DB-2026-0004" || cs.Card != "red" || !cs.Overdue {
		t.Errorf("numbers %v, card %s, overdue %v", numbers, cs.Card, cs.Overdue)
	}

	// The timeline has each rung once.
	var tl struct{ Events []timelineEvent }
	decode(t, eff.must(http.StatusOK, "GET", "/api/v1/cases/"+id+"/timeline", nil).Raw, &tl)
	var ladder []string
	for _, e := range tl.Events {
		if slices.Contains([]string{"reminded", "urged", "yellow_card", "red_card"}, e.Type) {
			ladder = append(ladder, e.Type+":"+fmt.Sprint(e.Data["deadline"]))
		}
	}
	wantLadder := []string{"urged:sign", "reminded:handling", "yellow_card:sign", "red_card:sign", "urged:handling",
		"yellow_card:handling", "red_card:handling"}
	if !slices.Equal(ladder, wantLadder) {
		t.Errorf("timeline ladder %v, want %v", ladder, wantLadder)
	}

	// Lists and the notices register.
	if r := gov.must(http.StatusOK, "GET", "/api/v1/cases?overdue=true", nil); r.Body["total"] != float64(1) {
		t.Errorf("overdue list: %s", r.Raw)
	}
	if r := gov.must(http.StatusOK, "GET", "/api/v1/cases?card=red", nil); r.Body["total"] != float64(1) {
		t.Errorf("red list: %s", r.Raw)
	}
	if r := gov.must(http.StatusOK, "GET", "/api/v1/cases?card=yellow", nil); r.Body["total"] != float64(0) {
		t.Errorf("yellow list (the case's card is red): %s", r.Raw)
	}
	if r := gov.must(http.StatusOK, "GET", "/api/v1/supervision/notices?case_id="+id, nil); r.Body["total"] != float64(4) {
		t.Errorf("notices: %s", r.Raw)
	}
	if r := unit.must(http.StatusOK, "GET", "/api/v1/supervision/notices?card=red", nil); r.Body["total"] != float64(2) {
		t.Errorf("the unit's red notices: %s", r.Raw)
	}
	// A leader sees the notices on the cases they raised, and no others.
	if r := leader.must(http.StatusOK, "GET", "/api/v1/supervision/notices", nil); r.Body["total"] != float64(4) {
		t.Errorf("leader1's notices: %s", r.Raw)
	}
	if r := login(t, env.URL, "leader2").must(http.StatusOK, "GET", "/api/v1/supervision/notices", nil); r.Body["total"] != float64(0) {
		t.Errorf("leader2's notices: %s", r.Raw)
	}

	// Deliveries: the unit's webhook gets the referral and all seven rungs; the office's
	// e-mail the two yellow and two red cards; the leader both channels for the red cards.
	wantWhat := map[string]int{"webhook:/unit": 8, "email:gov@putian.test": 4, "email:leader1@putian.test": 2, "webhook:/leader": 2}
	waitFor("every notification", 90*time.Second, func() bool {
		_, unique, _ := got.counts()
		return unique >= 16
	})
	time.Sleep(time.Second)
	total, unique, byWhat := got.counts()
	if total != 16 || unique != 16 || fmt.Sprint(byWhat) != fmt.Sprint(wantWhat) || len(got.bad) > 0 {
		t.Errorf("deliveries: %d (%d distinct) %v, bad %v; want 16 %v", total, unique, byWhat, got.bad, wantWhat)
	}
	var ns struct {
		Items []struct{ Status, Channel string }
	}
	decode(t, gov.must(http.StatusOK, "GET", "/api/v1/cases/"+id+"/notifications", nil).Raw, &ns)
	for _, n := range ns.Items {
		if n.Status != "delivered" {
			t.Errorf("notification %+v", n)
		}
	}
	if len(ns.Items) != 16 {
		t.Errorf("%d notifications on the case", len(ns.Items))
	}
}
