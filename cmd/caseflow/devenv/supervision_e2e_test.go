package devenv_test

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
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

// TestEachOfficeWorksTheCasesItLeads: 市委督查室 and 市政府督查室 each list, count and queue the
// cases they lead; asking for all shows the other office's cases too, without their
// sensitive fields.
func TestEachOfficeWorksTheCasesItLeads(t *testing.T) {
	env := startWithDemoCases(t)
	defer env.Close()
	party, gov := login(t, env.URL, "party"), login(t, env.URL, "gov")
	offices := func(c *apiClient, query string) map[string]int {
		t.Helper()
		out := map[string]int{}
		for _, it := range c.must(http.StatusOK, "GET", "/api/v1/cases"+query, nil).Body["items"].([]any) {
			out[it.(map[string]any)["office"].(string)]++
		}
		return out
	}
	if got := offices(party, ""); got["party"] == 0 || len(got) != 1 {
		t.Errorf("市委督查室's list holds %v", got)
	}
	if got := offices(gov, "?status=handling"); got["government"] == 0 || len(got) != 1 {
		t.Errorf("市政府督查室's list of cases in handling holds %v", got)
	}
	all := offices(party, "?office=all")
	if all["party"] == 0 || all["government"] == 0 {
		t.Errorf("市委督查室 asking for all sees %v", all)
	}
	// The other office's funding case, asked for: its amount withheld; the office's own shown.
	for _, it := range party.must(http.StatusOK, "GET", "/api/v1/cases?office=all&category=financing", nil).Body["items"].([]any) {
		if cs := it.(map[string]any); cs["office"] == "government" && cs["amount_cny"] != nil {
			t.Errorf("市委督查室 reads the amount of 市政府督查室's case %s", cs["id"])
		}
	}
	if r := party.do("GET", "/api/v1/cases?office=everyone", nil, nil); r.Status != http.StatusBadRequest {
		t.Errorf("an office that does not exist: %d", r.Status)
	}
}

// TestTheLeadOfficeSupervisesByHand: the lead office urges a unit and issues a red card
// with its reasons, by hand; each is a numbered notice the unit sees and the audit counts
// as the ladder's; the other office may not; a card of no such level names the field.
// In the console the office finds both forms on the case, and the timeline opens each
// notice and the referral as a printable page.
func TestTheLeadOfficeSupervisesByHand(t *testing.T) {
	env := startWithDemoCases(t)
	defer env.Close()
	party, gov, eff := login(t, env.URL, "party"), login(t, env.URL, "gov"), login(t, env.URL, "efficiency")
	var id, unit string
	for _, it := range gov.must(http.StatusOK, "GET", "/api/v1/cases?status=handling", nil).Body["items"].([]any) {
		if cs := it.(map[string]any); cs["office"] == "government" {
			id, unit = cs["id"].(string), cs["lead_unit"].(string)
			break
		}
	}
	if id == "" {
		t.Fatal("no case in handling led by 市政府督查室 in the demo data")
	}
	month := time.Now().In(domain.Shanghai).Format("2006-01")
	cards := func() (c struct{ Blue, Yellow, Red int }) {
		var d struct {
			Unit struct {
				Cards struct{ Blue, Yellow, Red int } `json:"cards"`
			} `json:"unit"`
		}
		decode(t, eff.must(http.StatusOK, "GET", "/api/v1/audit/units/"+unit+"?period="+month, nil).Raw, &d)
		return d.Unit.Cards
	}
	before := cards()

	if r := party.do("POST", "/api/v1/cases/"+id+"/actions/urge", map[string]any{"note": "请加快"}, nil); r.Status != http.StatusForbidden {
		t.Errorf("the other office urges: %d %s", r.Status, r.Raw)
	}
	if r := gov.do("POST", "/api/v1/cases/"+id+"/actions/card", map[string]any{"level": "purple", "reason": "x"}, nil); r.Status != http.StatusUnprocessableEntity || r.errField() != "level" {
		t.Errorf("a purple card: %d %s", r.Status, r.Raw)
	}
	if r := gov.do("POST", "/api/v1/cases/"+id+"/actions/urge", map[string]any{}, nil); r.Status != http.StatusUnprocessableEntity || r.errField() != "note" {
		t.Errorf("an urge without its note: %d %s", r.Status, r.Raw)
	}
	gov.action(http.StatusOK, id, "urge", map[string]any{"note": "请于本周内报送进展"})
	r := gov.action(http.StatusOK, id, "card", map[string]any{"level": "red", "reason": "两次催办未见进展"})
	if r.str("card") != "red" {
		t.Errorf("after the red card the case reads %s", r.Raw)
	}
	var notices struct {
		Items []struct{ No, Card, Note, Unit string }
	}
	decode(t, login(t, env.URL, "unit-"+unit).must(http.StatusOK, "GET", "/api/v1/supervision/notices?case_id="+id, nil).Raw, &notices)
	if len(notices.Items) < 2 || notices.Items[0].Card != "red" || notices.Items[0].Note != "两次催办未见进展" ||
		notices.Items[1].Card != "blue" || notices.Items[0].No == notices.Items[1].No {
		t.Fatalf("the unit's notices of the case: %+v", notices.Items)
	}
	if after := cards(); after.Blue != before.Blue+1 || after.Red != before.Red+1 {
		t.Errorf("the audit counts %+v, before %+v", after, before)
	}

	office := newPerson(t, env.URL).signIn("gov")
	office.open("/cases/" + id)
	office.sees(`action="/cases/`+id+`/act/urge"`, `action="/cases/`+id+`/act/card"`, "督办单 "+notices.Items[0].No, "转办单")
	office.open("/cases/" + id + "/notices/" + notices.Items[0].No)
	office.sees("莆田市工商业联合会", "督办单", "编号："+notices.Items[0].No, "两次催办未见进展", "红牌")
	ref := regexp.MustCompile(`href="(/cases/` + id + `/referrals/\d+)"`)
	office.open("/cases/" + id)
	m := ref.FindStringSubmatch(office.page)
	if m == nil {
		t.Fatalf("no referral on the timeline:\n%s", office.page)
	}
	office.open(m[1])
	office.sees("转办单", "牵头单位", "办理时限")
	if office.open("/cases/" + id + "/notices/DB-1999-0001"); office.status != http.StatusNotFound {
		t.Errorf("a notice that does not exist: %d", office.status)
	}
	other := newPerson(t, env.URL).signIn("unit-licheng")
	if unit == "licheng" {
		other = newPerson(t, env.URL).signIn("unit-natural-resources")
	}
	if other.open("/cases/" + id + "/notices/" + notices.Items[0].No); other.status != http.StatusNotFound {
		t.Errorf("another unit opens the notice: %d", other.status)
	}
}
