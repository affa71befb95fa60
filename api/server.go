// Package api is caseflow's HTTP API: routes, authentication, handlers and error mapping.
// Commands go to the case workflows as Temporal Updates; reads come from the read model.
package api

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"go.temporal.io/sdk/client"

	"github.com/putian-fic/caseflow/activities/store"
	"github.com/putian-fic/caseflow/rules"
	"github.com/putian-fic/caseflow/workflows"
)

// Server holds what the handlers need. One per process.
type Server struct {
	Store    *store.Store
	Temporal client.Client
	// SessionTTL is how long a login token lives (default 12 hours).
	SessionTTL time.Duration
	// ActionTimeout bounds how long a request waits for a workflow (default 30 seconds).
	ActionTimeout time.Duration
	// Clock maps real time to business time for new cases (zero: real time).
	Clock workflows.Clock
	// Policy is the SLA policy of new cases (nil: workflows.DefaultPolicy).
	Policy *workflows.SLAPolicy

	rules rules.Cache
}

func init() { gin.SetMode(gin.ReleaseMode) }

// Handler returns the HTTP handler with every route.
func (s *Server) Handler() http.Handler {
	if s.SessionTTL == 0 {
		s.SessionTTL = 12 * time.Hour
	}
	if s.ActionTimeout == 0 {
		s.ActionTimeout = 30 * time.Second
	}
	r := gin.New()
	r.HandleMethodNotAllowed = true
	r.Use(logRequests, gin.CustomRecovery(func(c *gin.Context, err any) {
		slog.ErrorContext(c.Request.Context(), "panic", "path", c.FullPath(), "err", err)
		fail(c, newError(http.StatusInternalServerError, "internal", "系统内部错误 (internal error)"))
	}))
	r.NoRoute(func(c *gin.Context) {
		fail(c, newError(http.StatusNotFound, "not_found", "没有这个接口 (no such endpoint)"))
	})
	r.NoMethod(func(c *gin.Context) {
		fail(c, newError(http.StatusMethodNotAllowed, "method_not_allowed", "不支持该方法 (method not allowed)"))
	})

	r.GET("/healthz", s.healthz)
	r.GET("/readyz", s.readyz)
	v1 := r.Group("/api/v1")
	v1.GET("/healthz", s.healthz)
	v1.GET("/readyz", s.readyz)
	v1.POST("/login", s.login)

	authed := v1.Group("", s.authenticate)
	authed.GET("/me", s.me)
	authed.GET("/units", s.listUnits)
	authed.GET("/enterprises", s.listEnterprises)
	authed.POST("/enterprises", requireRoles(roleMemberDept, roleAdmin), s.createEnterprise)
	authed.POST("/cases", requireRoles(roleLeader, roleMemberDept), s.createCase)
	authed.GET("/cases", s.listCases)
	authed.GET("/cases/:id", s.getCase)
	authed.GET("/cases/:id/timeline", s.timeline)
	authed.POST("/cases/:id/actions/:action", s.act)
	authed.GET("/cases/:id/notifications", s.caseNotifications)
	authed.GET("/cases/:id/sensitive-reads", requireRoles(roleEfficiency, roleAdmin), s.sensitiveReads)
	authed.GET("/me/notifications", s.getNotificationSettings)
	authed.PUT("/me/notifications", s.putNotificationSettings)
	authed.GET("/calendar/:year", s.getCalendar)
	authed.PUT("/calendar/:year", requireRoles(roleAdmin), s.putCalendar)
	authed.GET("/supervision/notices", s.listNotices)
	authed.GET("/rules", s.getRules)
	authed.PUT("/rules", requireRoles(roleAdmin), s.putRules)
	authed.POST("/rules/evaluate", requireRoles(roleMemberDept, roleAdmin, roleSupervision), s.evaluateRules)
	return r
}

func logRequests(c *gin.Context) {
	start := time.Now()
	c.Next()
	slog.DebugContext(c.Request.Context(), "http", "method", c.Request.Method, "path", c.FullPath(),
		"status", c.Writer.Status(), "took", time.Since(start))
}

func (s *Server) healthz(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"status": "ok"}) }

// readyz answers 200 when PostgreSQL and Temporal both answer, 503 otherwise.
func (s *Server) readyz(c *gin.Context) {
	checks := gin.H{"postgres": "ok", "temporal": "ok"}
	ready := true
	if err := s.Store.Ping(c.Request.Context()); err != nil {
		checks["postgres"], ready = "unreachable", false
	}
	if _, err := s.Temporal.CheckHealth(c.Request.Context(), &client.CheckHealthRequest{}); err != nil {
		checks["temporal"], ready = "unreachable", false
	}
	status := http.StatusOK
	if !ready {
		status = http.StatusServiceUnavailable
	}
	c.JSON(status, gin.H{"ready": ready, "checks": checks})
}
