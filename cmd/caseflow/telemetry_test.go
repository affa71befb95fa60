package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	collectortrace "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/grpc"

	"github.com/putian-fic/caseflow/cmd/caseflow/drive"
)

// collector is an OTLP trace receiver on loopback that keeps every span it is sent.
type collector struct {
	collectortrace.UnimplementedTraceServiceServer
	mu    sync.Mutex
	spans []*tracepb.Span
}

func (c *collector) Export(_ context.Context, req *collectortrace.ExportTraceServiceRequest) (*collectortrace.ExportTraceServiceResponse, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, rs := range req.ResourceSpans {
		for _, ss := range rs.ScopeSpans {
			c.spans = append(c.spans, ss.Spans...)
		}
	}
	return &collectortrace.ExportTraceServiceResponse{}, nil
}

// trace answers the names of the spans in the trace of the first span named root.
func (c *collector) trace(root string) (names []string, all []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var id []byte
	for _, s := range c.spans {
		all = append(all, s.Name)
		if s.Name == root && id == nil {
			id = s.TraceId
		}
	}
	for _, s := range c.spans {
		if id != nil && string(s.TraceId) == string(id) {
			names = append(names, s.Name)
		}
	}
	return names, all
}

// TestCaseflowSendsOneTracePerRequestThroughItsWorkflowsAndServesTheSDKsMetrics: with an
// OTLP endpoint configured, raising a case is one trace — the HTTP request named by its
// route, the update-with-start it sends, and on the worker the update's handling and the
// activities that route and write the case — and /metrics
// carries the Temporal SDK's own metrics beside caseflow's. Its workflow cache, told by
// CASEFLOW_WORKFLOW_CACHE, holds no more workflows than that (the demo's open cases and
// those raised here are more).
func TestCaseflowSendsOneTracePerRequestThroughItsWorkflowsAndServesTheSDKsMetrics(t *testing.T) {
	if testing.Short() {
		t.Skip("runs caseflow dev")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	col := &collector{}
	gs := grpc.NewServer()
	collectortrace.RegisterTraceServiceServer(gs, col)
	go func() { _ = gs.Serve(ln) }()
	defer gs.Stop()

	site := newDevSite(t)
	site.env = []string{"OTEL_EXPORTER_OTLP_ENDPOINT=http://" + ln.Addr().String(), "OTEL_EXPORTER_OTLP_INSECURE=true",
		"OTEL_BSP_SCHEDULE_DELAY=200", "CASEFLOW_WORKFLOW_CACHE=3"}
	dev := site.start()
	defer dev.stop()
	c := drive.New(t, site.url(), "demo", time.Minute)
	id, err := c.Create(1)
	if err != nil {
		t.Fatal(err)
	}

	// The case is raised by an update-with-start (its workflow's sync update), which routes
	// it and writes it (ProjectCase) on the worker.
	want := []string{"POST /api/v1/cases", "UpdateWithStartWorkflow:sync", "HandleUpdate:sync", "RunActivity:RouteCase", "RunActivity:ProjectCase"}
	var names, all []string
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(300 * time.Millisecond) {
		names, all = col.trace("POST /api/v1/cases")
		if hasAll(names, want) {
			break
		}
	}
	if !hasAll(names, want) {
		t.Fatalf("raising %s: the trace holds %v, want spans starting %v (all spans: %v)", id, names, want, all)
	}
	for _, n := range all {
		if strings.Contains(n, "/metrics") || strings.Contains(n, "/readyz") {
			t.Errorf("a probe or a scrape was traced: %s", n)
		}
	}

	for i := 2; i <= 6; i++ {
		if _, err := c.Create(i); err != nil {
			t.Fatal(err)
		}
	}

	res, err := http.Get(site.url() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	cached := -1.0 // the largest size the cache had at a task of some workflow type
	for _, l := range strings.Split(string(body), "\n") {
		if f := strings.Fields(l); len(f) == 2 && strings.HasPrefix(f[0], "temporal_sticky_cache_size{") {
			n, _ := strconv.ParseFloat(f[1], 64)
			cached = max(cached, n)
		}
	}
	if cached < 1 || cached > 3 {
		t.Errorf("the worker keeps %v workflows in memory after six cases were raised; CASEFLOW_WORKFLOW_CACHE=3", cached)
	}
	for _, m := range []string{"caseflow_http_requests_total", "temporal_request_total", "temporal_request_latency_seconds",
		"temporal_workflow_task_execution_latency_seconds", "temporal_activity_execution_latency_seconds",
		"temporal_workflow_task_schedule_to_start_latency_seconds",
		"temporal_worker_task_slots_available", "temporal_sticky_cache_size"} {
		if !strings.Contains(string(body), "\n"+m) {
			t.Errorf("/metrics lacks %s", m)
		}
	}
	if t.Failed() {
		var names []string
		for _, l := range strings.Split(string(body), "\n") {
			if strings.HasPrefix(l, "# TYPE temporal_") {
				names = append(names, strings.Fields(l)[2])
			}
		}
		t.Logf("the SDK's metrics served: %v", names)
	}
}

// hasAll reports whether every one of prefixes begins some name.
func hasAll(names, prefixes []string) bool {
	for _, p := range prefixes {
		found := false
		for _, n := range names {
			found = found || strings.HasPrefix(n, p)
		}
		if !found {
			return false
		}
	}
	return true
}
