// Package api is caseflow's HTTP API: routes, authentication, handlers and error mapping.
// Commands go to the case workflows as Temporal Updates; reads come from the read model.
package api

import (
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/putian-fic/caseflow/api/console"
	"github.com/putian-fic/caseflow/api/service"
	"github.com/putian-fic/caseflow/workflows/domain"
)

// Server is the JSON API over the services: its handlers decode a request, call one
// service operation and encode its answer. One per process.
type Server struct {
	// Service does every operation (api/service).
	Service *service.Service
	// TrustedProxies are the addresses (or CIDR ranges) of reverse proxies whose
	// X-Forwarded-For names the client; none by default, so the client address that login
	// throttling counts is the connection's.
	TrustedProxies []string
	// Logger receives the request log (default slog.Default()).
	Logger *slog.Logger
	// NoConsole leaves the web console out (the API alone).
	NoConsole bool
	// Metrics are served on /metrics beside the API's own (the Temporal SDK's); nil for none.
	Metrics prometheus.Gatherer
}

func init() { gin.SetMode(gin.ReleaseMode) }

// Handler returns the HTTP handler with every route.
func (s *Server) Handler() http.Handler {
	r := gin.New()
	r.HandleMethodNotAllowed = true
	if err := r.SetTrustedProxies(s.TrustedProxies); err != nil {
		slog.Error("trusted proxies ignored", "err", err)
		_ = r.SetTrustedProxies(nil)
	}
	if s.Logger == nil {
		s.Logger = slog.Default()
	}
	m := newMetrics(s.Service, s.Metrics)
	r.Use(m.observe, secureHeaders, s.logRequests, gin.CustomRecovery(func(c *gin.Context, err any) {
		slog.ErrorContext(c.Request.Context(), "panic", "path", c.FullPath(), "err", err)
		if !s.NoConsole && !strings.HasPrefix(c.Request.URL.Path, "/api/") {
			c.Data(http.StatusInternalServerError, "text/html; charset=utf-8",
				[]byte(`<!DOCTYPE html><html lang="zh-CN"><meta charset="utf-8"><title>系统内部错误</title><p>系统内部错误，请稍后重试。<a href="/">返回首页</a></p></html>`))
			c.Abort()
			return
		}
		fail(c, newError(http.StatusInternalServerError, "internal", "系统内部错误 (internal error)"))
	}))
	var pages *console.Console
	if !s.NoConsole {
		pages = &console.Console{Service: s.Service, ForwardedTLS: len(s.TrustedProxies) > 0}
		pages.Register(r)
	}
	r.NoRoute(func(c *gin.Context) {
		if pages != nil && !strings.HasPrefix(c.Request.URL.Path, "/api/") {
			pages.NotFound(c)
			return
		}
		fail(c, newError(http.StatusNotFound, "not_found", "没有这个接口 (no such endpoint)"))
	})
	r.NoMethod(func(c *gin.Context) {
		fail(c, newError(http.StatusMethodNotAllowed, "method_not_allowed", "不支持该方法 (method not allowed)"))
	})

	r.GET("/healthz", s.healthz)
	r.GET("/metrics", m.handler())
	r.GET("/readyz", s.readyz)
	v1 := r.Group("/api/v1", plainParams)
	v1.GET("/healthz", s.healthz)
	v1.GET("/readyz", s.readyz)
	v1.GET("/openapi.yaml", s.openAPIDocument)
	r.GET("/api/docs", s.docs)
	v1.POST("/login", endpoint(s.login))

	authed := v1.Group("", s.authenticate)
	authed.POST("/logout", endpoint(s.logout))
	authed.DELETE("/users/:username/sessions", requireRoles(service.RolesAdmin...), endpoint(s.revokeSessions))
	authed.GET("/users", requireRoles(service.RolesAdmin...), endpoint(s.listUsers))
	authed.POST("/users", requireRoles(service.RolesAdmin...), endpoint(s.createUser))
	authed.PATCH("/users/:username", requireRoles(service.RolesAdmin...), endpoint(s.updateUser))
	authed.PUT("/users/:username/password", requireRoles(service.RolesAdmin...), endpoint(s.resetPassword))
	authed.GET("/users/:username/changes", requireRoles(service.RolesAdmin...), endpoint(s.userChanges))
	authed.PUT("/me/password", endpoint(s.changePassword))
	authed.GET("/me", s.me)
	authed.GET("/units", endpoint(s.listUnits))
	authed.GET("/enterprises", endpoint(s.listEnterprises))
	authed.POST("/enterprises", requireRoles(service.RolesEnterpriseEditor...), endpoint(s.createEnterprise))
	authed.PUT("/enterprises/:id", requireRoles(service.RolesEnterpriseEditor...), endpoint(s.updateEnterprise))
	authed.GET("/enterprises/:id/history", requireRoles(service.RolesEnterpriseEditor...), endpoint(s.enterpriseHistory))
	authed.POST("/enterprises/import", requireRoles(service.RolesEnterpriseEditor...), endpoint(s.importEnterprises))
	notUnits := requireRoles(service.RolesVisitReaders...)
	authed.GET("/leaders", notUnits, endpoint(s.listLeaders))
	authed.GET("/leaders/:username/links", notUnits, endpoint(s.leaderLinks))
	authed.PUT("/leaders/:username/links", requireRoles(service.RolesLinkEditor...), endpoint(s.setLeaderLinks))
	authed.GET("/leaders/:username/links/history", notUnits, endpoint(s.leaderLinkHistory))
	authed.POST("/visits", requireRoles(service.RolesRaisers...), endpoint(s.createVisit))
	authed.GET("/visits", notUnits, endpoint(s.listVisits))
	authed.GET("/visits/:id", notUnits, endpoint(s.getVisit))
	authed.POST("/visits/:id/files", requireRoles(service.RolesRaisers...), endpoint(s.addVisitFile))
	authed.GET("/coverage", notUnits, endpoint(s.coverage))
	authed.GET("/leads", notUnits, endpoint(s.listLeads))
	authed.POST("/leads", requireRoles(service.RolesLeadEditors...), endpoint(s.createLead))
	authed.GET("/leads/:id", notUnits, endpoint(s.getLead))
	authed.POST("/leads/:id/follow-ups", requireRoles(service.RolesLeadEditors...), endpoint(s.followUpLead))
	authed.GET("/ledger", notUnits, endpoint(s.ledger))
	authed.GET("/enterprises/:id/file", endpoint(s.enterpriseFile))
	authed.PUT("/enterprises/:id/plan", requireRoles(service.RolesPlanEditor...), endpoint(s.savePlan))
	authed.POST("/cases", requireRoles(service.RolesRaisers...), endpoint(s.createCase))
	authed.GET("/cases", endpoint(s.listCases))
	authed.GET("/cases/:id", endpoint(s.getCase))
	authed.GET("/cases/:id/timeline", endpoint(s.timeline))
	authed.POST("/cases/:id/actions/:action", endpoint(s.act))
	authed.POST("/cases/:id/files", endpoint(s.addCaseFile))
	authed.GET("/files/:id", endpoint(s.getFile))
	authed.POST("/cases/:id/appeals", requireRoles(service.RolesAppellant...), endpoint(s.appeal))
	authed.POST("/cases/:id/appeals/:n/decide", requireRoles(service.RolesAppealJudge...), endpoint(s.decideAppeal))
	authed.GET("/cases/:id/notifications", endpoint(s.caseNotifications))
	authed.GET("/cases/:id/sensitive-reads", requireRoles(service.RolesSensitiveAuditor...), endpoint(s.sensitiveReads))
	authed.GET("/me/notifications", endpoint(s.getNotificationSettings))
	authed.PUT("/me/notifications", endpoint(s.putNotificationSettings))
	authed.GET("/calendar/:year", endpoint(s.getCalendar))
	authed.PUT("/calendar/:year", requireRoles(service.RolesAdmin...), endpoint(s.putCalendar))
	authed.GET("/supervision/notices", endpoint(s.listNotices))
	authed.GET("/rules", endpoint(s.getRules))
	authed.PUT("/rules", requireRoles(service.RolesAdmin...), endpoint(s.putRules))
	authed.POST("/rules/evaluate", requireRoles(service.RolesRuleTester...), endpoint(s.evaluateRules))
	readers := requireRoles(service.RolesReportReaders...)
	authed.GET("/reports/schedule", requireRoles(service.RolesReportRunners...), endpoint(s.reportSchedule))
	authed.GET("/reports/quarterly", readers, endpoint(s.listReports))
	authed.GET("/reports/quarterly/:period", readers, endpoint(s.getReport))
	authed.POST("/reports/quarterly/:period/run", requireRoles(service.RolesReportRunners...), endpoint(s.runReport))
	authed.GET("/reports/quarterly/:period/attachments/:file", readers, endpoint(s.reportAttachment))
	authed.GET("/reports/quarterly/:period/summary.html", readers, endpoint(s.reportSummary))
	authed.POST("/reports/quarterly/:period/sent", requireRoles(service.RolesInstructionEditors...), endpoint(s.recordSending))
	authed.POST("/reports/quarterly/:period/instructions", requireRoles(service.RolesInstructionEditors...), endpoint(s.recordInstruction))
	authed.POST("/reports/quarterly/:period/submissions", requireRoles(service.RolesSubmitter...), endpoint(s.submitReport))
	authed.POST("/reports/quarterly/:period/submissions/:leader/files", requireRoles(service.RolesSubmitter...), endpoint(s.addSubmissionFile))
	auditors := requireRoles(service.RolesVerifiers...)
	figureReaders := requireRoles(service.RolesFigureReaders...)
	authed.GET("/audit/cases/:id/verify", auditors, endpoint(s.verifyCase))
	authed.GET("/audit/verify", auditors, endpoint(s.verifyRange))
	authed.GET("/audit/units", figureReaders, endpoint(s.auditUnits))
	authed.GET("/audit/units.xlsx", figureReaders, endpoint(s.auditUnitsWorkbook))
	authed.GET("/audit/units/:id", figureReaders, endpoint(s.auditUnit))
	authed.GET("/audit/flags", figureReaders, endpoint(s.auditFlags))
	authed.GET("/audit/scoring", figureReaders, endpoint(s.getScheme))
	authed.PUT("/audit/scoring", requireRoles(service.RolesSchemeEditor...), endpoint(s.putScheme))
	authed.POST("/audit/periods/:period/freeze", requireRoles(service.RolesFreezer...), endpoint(s.freezePeriod))
	return r
}

// secureHeaders: API answers are never sniffed, cached or sent on as a referrer.
const contentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; " +
	"base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

func secureHeaders(c *gin.Context) {
	h := c.Writer.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Frame-Options", "DENY")
	// caseflow's pages carry their style inline and no script at all: a text that slipped
	// into a page as markup still could not run or load anything.
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	c.Next()
}

// logRequests gives every request an id (the client's X-Request-Id when it is a short
// plain token, else a new one), answers it in X-Request-Id, and logs the request at info
// with the user once it is answered.
func (s *Server) logRequests(c *gin.Context) {
	start := time.Now()
	id := c.GetHeader("X-Request-Id")
	if !plainToken(id) {
		var b [8]byte
		_, _ = rand.Read(b[:])
		id = hex.EncodeToString(b[:])
	}
	c.Header("X-Request-Id", id)
	c.Next()
	user := ""
	if u, ok := c.Get(userKey); ok {
		user = u.(domain.User).Username
	}
	attrs := []any{"request_id", id, "method", c.Request.Method, "route", c.FullPath(), "path", c.Request.URL.Path,
		"status", c.Writer.Status(), "user", user, "client", c.ClientIP(), "took", time.Since(start).Round(time.Microsecond)}
	if caseID := c.Param("id"); caseID != "" && strings.Contains(c.FullPath(), "/cases/:id") {
		attrs = append(attrs, "case_id", caseID) // a case's requests found by its number in the logs
	}
	s.Logger.InfoContext(c.Request.Context(), "http", attrs...)
}

// plainParams refuses path parameters and query values that no stored value can match
// (control characters, invalid UTF-8, over 1000 bytes), before they reach PostgreSQL.
func plainParams(c *gin.Context) {
	check := func(name, v string) bool {
		if p := domain.TextProblem(v, true); p != "" || len(v) > 1000 {
			if p == "" {
				p = "过长 (too long)"
			}
			fail(c, newError(http.StatusBadRequest, "invalid_query", name+": "+p))
			return false
		}
		return true
	}
	query, err := url.ParseQuery(c.Request.URL.RawQuery)
	if err != nil {
		fail(c, newError(http.StatusBadRequest, "invalid_query", "查询参数格式错误 (malformed query string)"))
		return
	}
	for _, p := range c.Params {
		if !check(p.Key, p.Value) {
			return
		}
	}
	for k, vs := range query {
		for _, v := range vs {
			if !check(k, v) {
				return
			}
		}
	}
	c.Next()
}

func plainToken(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.') {
			return false
		}
	}
	return true
}

func (s *Server) healthz(c *gin.Context) { respond(c, http.StatusOK, gin.H{"status": "ok"}) }

// readyz answers 200 when PostgreSQL and Temporal both answer, 503 otherwise.
func (s *Server) readyz(c *gin.Context) {
	checks := gin.H{"postgres": "ok", "temporal": "ok"}
	postgres, temporal := s.Service.Ready(c.Request.Context())
	if !postgres {
		checks["postgres"] = "unreachable"
	}
	if !temporal {
		checks["temporal"] = "unreachable"
	}
	ready := postgres && temporal
	status := http.StatusOK
	if !ready {
		status = http.StatusServiceUnavailable
	}
	respond(c, status, gin.H{"ready": ready, "checks": checks})
}
