package api

import (
	"context"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/putian-fic/caseflow/api/service"
	"github.com/putian-fic/caseflow/workflows"
	"github.com/putian-fic/caseflow/workflows/domain"
)

// Metrics in Prometheus's format (GET /metrics, no sign-in: counts only, no case's content):
// HTTP requests by route and status with their latency, actions by name and outcome, and
// from the read model cases by status, cases overdue and the outbox's backlog (counted at
// most every statsTTL, so that scrapes cost the database little).
type metrics struct {
	registry *prometheus.Registry
	more     prometheus.Gatherer // served beside the registry (the Temporal SDK's metrics)
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	actions  *prometheus.CounterVec
}

// statsTTL is how long the read model's counts are reused between scrapes.
const statsTTL = 15 * time.Second

func newMetrics(svc *service.Service, more prometheus.Gatherer) *metrics {
	m := &metrics{registry: prometheus.NewRegistry(), more: more,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "caseflow_http_requests_total",
			Help: "HTTP requests answered, by route (the pattern, not the path), method and status."}, []string{"route", "method", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "caseflow_http_request_duration_seconds",
			Help:    "Time to answer an HTTP request, by route and method.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30}}, []string{"route", "method"}),
		actions: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "caseflow_actions_total",
			Help: "Case actions asked for, by action and outcome (ok, refused: a 4xx, error: a 5xx)."}, []string{"action", "outcome"}),
	}
	m.registry.MustRegister(m.requests, m.latency, m.actions, collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}), &statsCollector{svc: svc})
	return m
}

// observe is the middleware that counts every request.
func (m *metrics) observe(c *gin.Context) {
	start := time.Now()
	c.Next()
	route := c.FullPath()
	if route == "" {
		route = "unmatched" // a path no route has: never the path itself (unbounded labels)
	}
	status := c.Writer.Status()
	// A traced request's span (cmd/caseflow/telemetry) is named by its route, as its metrics are.
	if span := trace.SpanFromContext(c.Request.Context()); span.IsRecording() {
		span.SetName(c.Request.Method + " " + route)
		span.SetAttributes(attribute.String("http.route", route))
	}
	m.requests.WithLabelValues(route, c.Request.Method, strconv.Itoa(status)).Inc()
	m.latency.WithLabelValues(route, c.Request.Method).Observe(time.Since(start).Seconds())
	if route == "/api/v1/cases/:id/actions/:action" || route == "/cases/:id/act/:action" {
		outcome := "ok"
		switch {
		case status >= 500:
			outcome = "error"
		case status >= 400:
			outcome = "refused"
		}
		action := c.Param("action")
		if _, ok := workflows.ActionByName(action); !ok {
			action = "unknown" // only the action table's names: a label per name typed is unbounded
		}
		m.actions.WithLabelValues(action, outcome).Inc()
	}
}

// statsCollector reports the read model's counts, cached for statsTTL.
type statsCollector struct {
	svc   *service.Service
	mu    sync.Mutex
	at    time.Time
	stats service.Stats
}

var (
	casesDesc   = prometheus.NewDesc("caseflow_cases", "Cases in the read model, by status.", []string{"status"}, nil)
	overdueDesc = prometheus.NewDesc("caseflow_cases_overdue", "Cases past the deadline of the step now due.", nil, nil)
	outboxDesc  = prometheus.NewDesc("caseflow_outbox_pending", "Notifications waiting to be delivered.", nil, nil)
	upDesc      = prometheus.NewDesc("caseflow_read_model_up", "1 when the read model answered the last count.", nil, nil)
)

func (s *statsCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- casesDesc
	ch <- overdueDesc
	ch <- outboxDesc
	ch <- upDesc
}

func (s *statsCollector) Collect(ch chan<- prometheus.Metric) {
	s.mu.Lock()
	defer s.mu.Unlock()
	up := 1.0
	if time.Since(s.at) > statsTTL {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		st, err := s.svc.Stats(ctx)
		cancel()
		if err != nil {
			slog.Warn("metrics: read model counts", "err", err)
			up = 0
		} else {
			s.stats, s.at = st, time.Now()
		}
	}
	ch <- prometheus.MustNewConstMetric(upDesc, prometheus.GaugeValue, up)
	if s.at.IsZero() {
		return
	}
	for st := range domain.StatusLabels {
		ch <- prometheus.MustNewConstMetric(casesDesc, prometheus.GaugeValue, float64(s.stats.ByStatus[st]), st)
	}
	ch <- prometheus.MustNewConstMetric(overdueDesc, prometheus.GaugeValue, float64(s.stats.Overdue))
	ch <- prometheus.MustNewConstMetric(outboxDesc, prometheus.GaugeValue, float64(s.stats.Outbox))
}

func (m *metrics) handler() gin.HandlerFunc {
	var g prometheus.Gatherer = m.registry
	if m.more != nil {
		g = prometheus.Gatherers{m.registry, m.more}
	}
	h := promhttp.HandlerFor(g, promhttp.HandlerOpts{})
	return func(c *gin.Context) { h.ServeHTTP(c.Writer, c.Request) }
}
