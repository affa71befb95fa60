// Package console is caseflow's web console in Chinese: server-rendered pages and forms
// (html/template, no script) over the same service functions as the JSON API (api/service),
// so a rule, a check and a redaction hold in both. People sign in with a form; the session
// is a cookie (HttpOnly, SameSite=Lax, Secure over TLS); every form carries a CSRF token
// derived from the session, and every form that acts carries an idempotency key, so a form
// posted twice acts once.
package console

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/putian-fic/caseflow/api/service"
	"github.com/putian-fic/caseflow/workflows/domain"
)

// CookieName is the session cookie's name.
const CookieName = "caseflow_session"

// Console serves the pages. One per process.
type Console struct {
	Service *service.Service
	// ForwardedTLS: requests come through a trusted reverse proxy that says, in
	// X-Forwarded-Proto, whether the browser used https; the cookie is then Secure when it
	// says so (it always is for a request that came over TLS itself).
	ForwardedTLS bool
}

// SessionToken is the session token a request's cookie carries ("" for none).
func SessionToken(r *http.Request) string {
	c, err := r.Cookie(CookieName)
	if err != nil {
		return ""
	}
	return c.Value
}

//go:embed templates/*.html
var templateFS embed.FS

// pages are the templates, each with the layout.
var pages = func() map[string]*template.Template {
	funcs := template.FuncMap{
		"t":        msg,
		"status":   func(s string) string { return domain.StatusLabels[s] },
		"category": func(s string) string { return domain.Categories[s] },
		"list":     func(s string) string { return domain.Lists[s] },
		"office":   func(s string) string { return domain.Offices[s] },
		"role":     func(s string) string { return domain.Roles[s] },
		"event":    func(s string) string { return domain.EventLabels[s] },
		"card":     func(s string) string { return domain.CardLabels[s] },
		"outcome":  func(s string) string { return domain.Outcomes[s] },
		"method":   func(s string) string { return domain.VisitMethods[s] },
		"plan":     func(s string) string { return domain.PlanStatuses[s] },
		"member":   func(s string) string { return domain.MemberKinds[s] },
		"time":     func(t time.Time) string { return t.In(domain.Shanghai).Format("2006-01-02 15:04") },
		"join":     strings.Join,
		"redacted": func(s string) bool { return s == domain.RedactedText },
		"inc":      func(i int) int { return i + 1 },
		"pct":      func(f float64) float64 { return f * 100 },
		"channel": func(s string) string {
			return map[string]string{domain.ChannelEmail: "电子邮件", domain.ChannelWebhook: "Webhook"}[s]
		},
		"delivery": func(s string) string {
			return map[string]string{domain.DeliveryPending: "待投递", domain.DeliveryDelivered: "已送达", domain.DeliveryFailed: "投递失败"}[s]
		},
		"filetype": func(s string) string { return domain.FileTypes[s] },
		"project":  func(s string) string { return domain.ProjectStatuses[s] },
		"lead":     func(s string) string { return domain.LeadStatuses[s] },
		"money":    money,
		"size": func(n int64) string {
			if n < 1<<20 {
				return fmt.Sprintf("%.1f KB", float64(n)/1024)
			}
			return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
		},
		"has":  func(v url.Values, name, value string) bool { return slices.Contains(v[name], value) },
		"has1": func(list []string, value string) bool { return slices.Contains(list, value) },
	}
	out := map[string]*template.Template{}
	names, err := templateFS.ReadDir("templates")
	if err != nil {
		panic(err)
	}
	for _, n := range names {
		if n.Name() == "layout.html" {
			continue
		}
		out[n.Name()] = template.Must(template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/"+n.Name()))
	}
	return out
}()

// page is what every page's template is given.
type page struct {
	Title string
	User  *domain.User
	CSRF  string
	Menu  []menuItem
	Path  string
	// Flash is a message of what was just done; Error what was refused, beside its form.
	Flash, Error string
	// Fields are refusals shown beside their inputs, by input name (refusal).
	Fields map[string]string
	Body   any
}

type menuItem struct{ Label, Href string }

// Register adds the console's routes to r.
func (k *Console) Register(r *gin.Engine) {
	r.GET("/login", pageHeaders, k.loginPage)
	r.POST("/login", pageHeaders, sameOrigin, k.login)
	signed := r.Group("", pageHeaders, sameOrigin, k.plain, k.authenticate)
	signed.POST("/logout", k.csrf, k.logout)
	signed.GET("/", k.home)
	signed.GET("/cases", k.cases)
	signed.GET("/cases/:id", k.casePage)
	signed.POST("/cases/:id/act/:action", k.csrf, k.act)
	signed.POST("/cases/:id/files", k.addCaseFile) // its CSRF token is a field of the upload (readUpload)
	signed.GET("/files/:id", k.download)
	signed.GET("/cases/:id/notices/:no", k.noticePaper)
	signed.GET("/cases/:id/referrals/:seq", k.referralPaper)
	signed.GET("/visits/new", k.visitForm)
	signed.GET("/visits/:id", k.visitPage)
	signed.POST("/visits/:id/files", k.addVisitFile) // CSRF: a field of the upload (readUpload)
	signed.POST("/visits", k.csrf, k.createVisit)
	signed.GET("/reports", k.reports)
	signed.POST("/reports/submissions", k.csrf, k.submitReport)
	signed.POST("/reports/sent", k.csrf, k.recordSending)
	signed.POST("/reports/instructions", k.csrf, k.recordInstruction)
	signed.POST("/reports/instructions/:id/cases", k.csrf, k.raiseFromInstruction)
	signed.POST("/reports/submissions/files", k.addSubmissionFile) // CSRF: a field of the upload (readUpload)
	signed.GET("/audit", k.audit)
	signed.POST("/audit/freeze", k.csrf, k.freeze)
	signed.GET("/coverage", k.coverage)
	signed.GET("/leads", k.leads)
	signed.POST("/leads", k.csrf, k.createLead)
	signed.GET("/leads/:id", k.lead)
	signed.POST("/leads/:id/follow-ups", k.csrf, k.followUpLead)
	signed.GET("/links", k.linksPage)
	signed.GET("/links/:leader", k.leaderLinks)
	signed.POST("/links/:leader", k.csrf, k.setLinks)
	signed.GET("/notices", k.notices)
	signed.GET("/enterprises", k.enterprisesPage)
	signed.GET("/enterprises/:id", k.enterprise)
	signed.POST("/enterprises/:id/plan", k.csrf, k.savePlan)
	signed.GET("/enterprises/:id/edit", k.editEnterprise)
	signed.POST("/enterprises/:id", k.csrf, k.updateEnterprise)
	signed.GET("/account/password", k.passwordPage)
	signed.POST("/account/password", k.csrf, k.changePassword)
	signed.GET("/admin/users", k.usersPage)
	signed.POST("/admin/users", k.csrf, k.createUser)
	signed.GET("/admin/users/:username", k.userPage)
	signed.POST("/admin/users/:username", k.csrf, k.updateUser)
	signed.POST("/admin/users/:username/password", k.csrf, k.resetPassword)
}

// NotFound answers the console's 404 page.
func (k *Console) NotFound(c *gin.Context) {
	c.Header("Referrer-Policy", "same-origin")
	p := page{Title: mustMsg("notfound.title"), Path: c.Request.URL.Path}
	if u, ok := k.userOf(c); ok {
		p.User, p.Menu, p.CSRF = &u, menu(u), csrfToken(SessionToken(c.Request))
	}
	k.render(c, http.StatusNotFound, "notfound.html", p)
}

func mustMsg(key string) string {
	m, err := msg(key)
	if err != nil {
		panic(err)
	}
	return m
}

// userOf is the user the request's session belongs to.
func (k *Console) userOf(c *gin.Context) (domain.User, bool) {
	if u, ok := c.Get(userKey); ok {
		return u.(domain.User), true
	}
	token := SessionToken(c.Request)
	if token == "" {
		return domain.User{}, false
	}
	u, err := k.Service.Users.ByToken(c.Request.Context(), token)
	return u, err == nil
}

const userKey = "console.user"

// authenticate admits requests with a live session; others go to the sign-in page and
// come back after it.
func (k *Console) authenticate(c *gin.Context) {
	token := SessionToken(c.Request)
	if token != "" {
		u, err := k.Service.Users.ByToken(c.Request.Context(), token)
		if err == nil {
			c.Set(userKey, u)
			c.Next()
			return
		}
		if e := service.Classify(err); e.Kind != service.Unauthorized {
			k.fail(c, err)
			c.Abort()
			return
		}
	}
	next := c.Request.URL.RequestURI()
	c.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape(next))
	c.Abort()
}

func currentUser(c *gin.Context) domain.User { return c.MustGet(userKey).(domain.User) }

// pageHeaders: a console page tells the browser to name it, to this site only, as where its
// forms come from (Referrer-Policy: same-origin; the API's answers say no-referrer): with
// no-referrer a browser posts a form with "Origin: null", which sameOrigin must refuse.
func pageHeaders(c *gin.Context) {
	c.Header("Referrer-Policy", "same-origin")
	c.Next()
}

// plain answers the 404 page for an address whose path or query holds what no stored value
// can (control characters, invalid UTF-8, over 1000 bytes), before it reaches PostgreSQL.
func (k *Console) plain(c *gin.Context) {
	var values []string
	for _, p := range c.Params {
		values = append(values, p.Value)
	}
	for _, vs := range c.Request.URL.Query() {
		values = append(values, vs...)
	}
	for _, v := range values {
		if len(v) > 1000 || domain.TextProblem(v, true) != "" {
			k.NotFound(c)
			c.Abort()
			return
		}
	}
	c.Next()
}

// sameOrigin refuses a form another site posts: a browser names the page a form came from
// in Origin (or, older ones, Referer), and it must be this site. Sign-in has no session to
// derive a CSRF token from, so this is what keeps another site from signing a person in
// under its own account; for the other forms it stands beside the token.
func sameOrigin(c *gin.Context) {
	if c.Request.Method != http.MethodPost {
		c.Next()
		return
	}
	from := c.GetHeader("Origin")
	if from == "" {
		from = c.GetHeader("Referer")
	}
	if from != "" {
		u, err := url.Parse(from) // "null" (a sandboxed or opaque origin) has no host: refused
		if err != nil || u.Host == "" || !strings.EqualFold(u.Host, c.Request.Host) {
			c.Data(http.StatusForbidden, "text/plain; charset=utf-8", []byte(mustMsg("csrf")))
			c.Abort()
			return
		}
	}
	c.Next()
}

// csrfToken is the form token of a session: derived from the session's secret token, which
// a page on another site cannot read, so it cannot make a form that passes.
func csrfToken(session string) string {
	if session == "" {
		return ""
	}
	m := hmac.New(sha256.New, []byte(session))
	m.Write([]byte("caseflow console form"))
	return hex.EncodeToString(m.Sum(nil))[:32]
}

// csrf refuses a form whose token is not its session's: nothing is done.
func (k *Console) csrf(c *gin.Context) {
	want := csrfToken(SessionToken(c.Request))
	if want == "" || !hmac.Equal([]byte(c.PostForm("_csrf")), []byte(want)) {
		p := k.base(c, mustMsg("error.title"))
		p.Error = mustMsg("csrf")
		k.render(c, http.StatusForbidden, "error.html", p)
		c.Abort()
		return
	}
	c.Next()
}

// formKey is a new idempotency key for a form: posted twice, the form acts once.
func formKey() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// base is the page frame for the signed-in user.
func (k *Console) base(c *gin.Context, title string) page {
	p := page{Title: title, Path: c.Request.URL.Path, CSRF: csrfToken(SessionToken(c.Request))}
	if u, ok := k.userOf(c); ok {
		p.User, p.Menu = &u, menu(u)
	}
	return p
}

// menu is the left menu of a role: what the service lets the role do (service.Roles…).
func menu(u domain.User) []menuItem {
	items := []menuItem{{mustMsg("home"), "/"}, {mustMsg("cases.all"), "/cases"}}
	for _, it := range []struct {
		key, href string
		roles     []string
	}{
		{"visit.new", "/visits/new", service.RolesRaisers},
		{"enterprises", "/enterprises", service.RolesVisitReaders},
		{"links", "/links", service.RolesVisitReaders},
		{"coverage", "/coverage", service.RolesVisitReaders},
		{"leads", "/leads", service.RolesVisitReaders},
		{"notices", "/notices", nil},
		{"report.summary", "/reports", service.RolesReportReaders},
		{"audit.units", "/audit", service.RolesFigureReaders},
		{"admin.users", "/admin/users", service.RolesAdmin},
	} {
		if it.roles == nil || may(u, it.roles) {
			items = append(items, menuItem{mustMsg(it.key), it.href})
		}
	}
	return append(items, menuItem{mustMsg("account.password"), "/account/password"})
}

// render writes a page whole (executed into a buffer first: a template fault answers an
// error page, not half a page).
func (k *Console) render(c *gin.Context, status int, name string, p page) {
	var buf bytes.Buffer
	t := pages[name]
	if t == nil {
		slog.ErrorContext(c.Request.Context(), "console: no template", "name", name)
		c.Data(http.StatusInternalServerError, "text/plain; charset=utf-8", []byte("系统内部错误"))
		return
	}
	if err := t.Execute(&buf, p); err != nil {
		slog.ErrorContext(c.Request.Context(), "console: render", "page", name, "err", err)
		c.Data(http.StatusInternalServerError, "text/plain; charset=utf-8", []byte("系统内部错误 (internal error)"))
		return
	}
	c.Data(status, "text/html; charset=utf-8", buf.Bytes())
}

// fail answers an error as a page: not found as the 404 page (what a user may not see does
// not exist for them), anything else with its message.
func (k *Console) fail(c *gin.Context, err error) {
	if errors.Is(err, context.Canceled) && c.Request.Context().Err() != nil {
		c.Abort() // the browser left: no one reads the answer
		return
	}
	e := service.Classify(err)
	switch e.Kind {
	case service.NotFound, service.Forbidden:
		k.NotFound(c)
		return
	case service.Internal:
		slog.ErrorContext(c.Request.Context(), "console", "path", c.Request.URL.Path, "err", err)
	}
	p := k.base(c, mustMsg("error.title"))
	p.Error = e.Message
	status := http.StatusInternalServerError
	switch e.Kind {
	case service.Invalid, service.BadRequest, service.Conflict, service.TooLarge, service.Unsupported:
		status = http.StatusUnprocessableEntity
	case service.Unavailable:
		status = http.StatusServiceUnavailable
		p.Error += " " + mustMsg("error.retry")
	case service.TooManyAttempts:
		status = http.StatusTooManyRequests
	}
	k.render(c, status, "error.html", p)
}

// secure reports whether the browser reached caseflow over https.
func (k *Console) secure(c *gin.Context) bool {
	return c.Request.TLS != nil || k.ForwardedTLS && strings.EqualFold(c.GetHeader("X-Forwarded-Proto"), "https")
}

// loginPage: GET /login.
func (k *Console) loginPage(c *gin.Context) {
	p := k.base(c, mustMsg("login"))
	p.Body = loginForm{Next: safeNext(c.Query("next"))}
	k.render(c, http.StatusOK, "login.html", p)
}

type loginForm struct{ Username, Next string }

// safeNext keeps a "come back to" address only when it is a path of this site.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") || strings.ContainsAny(next, "\r\n") {
		return "/"
	}
	return next
}

// login: POST /login — the same sign-in as the API's (throttled), then the cookie.
func (k *Console) login(c *gin.Context) {
	form := loginForm{Username: strings.TrimSpace(c.PostForm("username")), Next: safeNext(c.PostForm("next"))}
	s, err := k.Service.Users.Login(c.Request.Context(), service.Credentials{Username: form.Username,
		Password: c.PostForm("password"), Client: c.ClientIP()})
	if err != nil {
		e := service.Classify(err)
		status := http.StatusUnauthorized
		switch e.Kind {
		case service.Invalid:
			status = http.StatusUnprocessableEntity
		case service.TooManyAttempts:
			status = http.StatusTooManyRequests
		case service.Unavailable, service.Internal:
			k.fail(c, err)
			return
		}
		p := k.base(c, mustMsg("login"))
		p.Error, p.Body = e.Message, form
		k.render(c, status, "login.html", p)
		return
	}
	http.SetCookie(c.Writer, &http.Cookie{Name: CookieName, Value: s.Token, Path: "/", Expires: s.ExpiresAt,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: k.secure(c)})
	c.Redirect(http.StatusSeeOther, form.Next)
}

// logout: POST /logout — the session ends here and in the API.
func (k *Console) logout(c *gin.Context) {
	if err := k.Service.Users.Logout(c.Request.Context(), SessionToken(c.Request)); err != nil && !errors.Is(err, nil) {
		k.fail(c, err)
		return
	}
	http.SetCookie(c.Writer, &http.Cookie{Name: CookieName, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: k.secure(c)})
	c.Redirect(http.StatusSeeOther, "/login")
}
