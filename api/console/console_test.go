package console

import (
	"bytes"
	"crypto/tls"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/putian-fic/caseflow/activities/audit"
	"github.com/putian-fic/caseflow/api/service"
	"github.com/putian-fic/caseflow/workflows/domain"
)

// A form another site posts is refused by its Origin (or Referer); "null" — the origin of
// a sandboxed frame or a data: page — is refused too; a form of this site, or a client
// that names no origin at all (a script with curl), passes to the next check (the token).
func TestAFormFromAnotherSiteIsRefusedByItsOrigin(t *testing.T) {
	for _, tc := range []struct {
		origin, referer string
		pass            bool
	}{
		{"http://caseflow.example", "", true},
		{"", "http://caseflow.example/cases/PT-2026-000001", true},
		{"", "", true},
		{"http://evil.example", "", false},
		{"null", "", false},
		{"", "http://evil.example/page", false},
		{"http://caseflow.example.evil.example", "", false},
	} {
		w := httptest.NewRecorder()
		c, _ := gin.CreateTestContext(w)
		c.Request = httptest.NewRequest(http.MethodPost, "http://caseflow.example/login", nil)
		if tc.origin != "" {
			c.Request.Header.Set("Origin", tc.origin)
		}
		if tc.referer != "" {
			c.Request.Header.Set("Referer", tc.referer)
		}
		sameOrigin(c)
		if passed := !c.IsAborted(); passed != tc.pass {
			t.Errorf("Origin %q, Referer %q: passed %v, want %v", tc.origin, tc.referer, passed, tc.pass)
		}
	}
}

// The session cookie is Secure when the browser used https: directly, or through a trusted
// proxy that says so — not when any client merely says so.
func TestTheSessionCookieIsSecureWhenTheBrowserUsedHTTPS(t *testing.T) {
	for _, tc := range []struct {
		tls, forwarded, trusted, want bool
	}{
		{tls: true, want: true},
		{forwarded: true, trusted: true, want: true},
		{forwarded: true, trusted: false, want: false},
		{want: false},
	} {
		c, _ := gin.CreateTestContext(httptest.NewRecorder())
		c.Request = httptest.NewRequest(http.MethodPost, "http://caseflow.example/login", nil)
		if tc.tls {
			c.Request.TLS = &tls.ConnectionState{}
		}
		if tc.forwarded {
			c.Request.Header.Set("X-Forwarded-Proto", "https")
		}
		if got := (&Console{ForwardedTLS: tc.trusted}).secure(c); got != tc.want {
			t.Errorf("%+v: Secure %v", tc, got)
		}
	}
}

// After signing in, a person goes back only to a page of this site.
func TestSigningInGoesBackOnlyToAPageOfThisSite(t *testing.T) {
	for next, want := range map[string]string{
		"/cases?status=triage": "/cases?status=triage",
		"//evil.example/":      "/",
		"/\\evil.example":      "/",
		"https://evil.example": "/",
		"":                     "/",
		"/cases\r\nSet-Cookie": "/",
	} {
		if got := safeNext(next); got != want {
			t.Errorf("next %q: %q, want %q", next, got, want)
		}
	}
}

// Every page's template parses with the layout, and every word it asks the catalogue for
// is there (a missing one fails the page tests that render it).
func TestEveryPageHasItsTemplate(t *testing.T) {
	for _, name := range []string{"login.html", "home.html", "cases.html", "case.html", "visit.html", "notfound.html", "error.html", "password.html", "users.html", "user.html", "reports.html", "audit.html", "coverage.html", "enterprise.html", "notices.html", "links.html", "leader_links.html", "enterprises.html", "paper.html"} {
		if pages[name] == nil {
			t.Errorf("no template %s", name)
		}
	}
}

// Every role's menu and to-do panel labels come from the catalogue.
func TestEveryRolesMenuIsInTheCatalogue(t *testing.T) {
	defer func() {
		if r := recover(); r != nil {
			t.Fatal(r)
		}
	}()
	for role := range domain.Roles {
		if items := menu(domain.User{Username: "u", Role: role}); len(items) < 3 {
			t.Errorf("%s: menu %v", role, items)
		}
	}
	for _, key := range []string{service.TodoTriage, service.TodoReferral, service.TodoSign, service.TodoDueSoon, service.TodoOverdue,
		service.TodoExtension, service.TodoCallback, service.TodoClose, service.TodoCarded, service.TodoMine} {
		if _, err := msg("todo." + key); err != nil {
			t.Error(err)
		}
	}
	for _, kind := range audit.FlagKinds {
		if _, err := msg("flag." + kind); err != nil {
			t.Error(err)
		}
	}
}

// A case's page renders whole — its deadlines, forms, notifications and timeline — with
// the catalogue's words for each channel and delivery state.
func TestACasePageRendersWithItsNotifications(t *testing.T) {
	var buf bytes.Buffer
	body := casePageBody{CaseDetail: service.CaseDetail{Case: service.CaseView{ID: "PT-2026-000001", Title: "用地", Status: domain.StatusHandling,
		Card: domain.CardNone}, Deadlines: []service.Countdown{{Step: domain.DeadlineHandling, Date: "2026-12-04", Overdue: 2}}},
		Units:         map[string]string{},
		Notifications: []service.Notification{{EventType: domain.EventReferred, Username: "unit-licheng", Channel: domain.ChannelEmail, Status: domain.DeliveryFailed, LastError: "投递失败 (delivery failed)"}}}
	if err := pages["case.html"].Execute(&buf, page{Title: "t", Body: body}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"电子邮件", "投递失败", "已逾期 2 个工作日"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("the page lacks %q", want)
		}
	}
}

// A refusal that names a field is shown beside that field's input, with a line above the
// form; one that names no field of the form stands above it whole.
func TestARefusalIsShownBesideTheFieldItIsAbout(t *testing.T) {
	for _, tc := range []struct {
		message, input, beside, above string
	}{
		{"lead_unit: 必填 (required)", "lead_unit", "必填 (required)", mustMsg("form.fix")},
		{"co_units: \"x\" 重复", "co_units", "\"x\" 重复", mustMsg("form.fix")},
		{"due: 不是本表单的字段", "", "", "due: 不是本表单的字段"},
		{"案件状态不允许", "", "", "案件状态不允许"},
	} {
		r := refused(service.NewError(service.Invalid, "invalid_input", tc.message), inputs("lead_unit", "co_units"))
		if r.Text != tc.above || r.Fields[tc.input] != tc.beside || tc.input == "" && r.Fields != nil {
			t.Errorf("%q: above %q, beside %v", tc.message, r.Text, r.Fields)
		}
	}
	// The visit form sends only the problems that have a title: the second problem sent is
	// the form's third when its second was left empty.
	input := visitInput([]int{0, 2})
	for field, want := range map[string]string{
		"problems[1].category":      "p2_category",
		"problems[0].enterprise_id": "p0_enterprise",
		"problems[5].title":         "",
		"date":                      "date",
		"investment_leads[0].title": "",
	} {
		if got := input(field); got != want {
			t.Errorf("visit field %s: input %q, want %q", field, got, want)
		}
	}
	// Rendered: the message beside the input, the input marked invalid.
	var buf bytes.Buffer
	form := actionForm{Name: "refer", Label: "转办", Fields: []field{{Name: "lead_unit", Label: "牵头单位", Kind: "text", Error: "必填 (required)"}}}
	body := casePageBody{CaseDetail: service.CaseDetail{Case: service.CaseView{ID: "PT-2026-000001", Card: domain.CardNone}},
		Units: map[string]string{}, Forms: []actionForm{form}}
	if err := pages["case.html"].Execute(&buf, page{Title: "t", Body: body}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), `aria-invalid="true" aria-describedby="refer-lead_unit-error">`+"\n"+`<span class="ferr" id="refer-lead_unit-error">必填 (required)</span>`) {
		t.Errorf("the refusal is not beside its input:\n%s", buf.String())
	}
}
