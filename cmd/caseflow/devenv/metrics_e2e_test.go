package devenv_test

import (
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
)

// TestTheProcessReportsItsMetricsForPrometheus: after a case is raised and triaged, and an
// action refused, GET /metrics (no sign-in) counts the requests by route and status, the
// actions by name and outcome, and the read model's cases by status, without a case's
// content or a path's id in any label.
func TestTheProcessReportsItsMetricsForPrometheus(t *testing.T) {
	env := start(t, dataDir(t))
	t.Cleanup(env.Close)
	member, natres, eff := login(t, env.URL, "member"), login(t, env.URL, "unit-natural-resources"), login(t, env.URL, "efficiency")
	id := member.must(http.StatusCreated, "POST", "/api/v1/cases", map[string]any{"enterprise_id": "ent-001", "title": "厂房用地审批慢",
		"description": "机密：二期用地", "category": "land", "list": "problem"}).str("id")
	member.action(http.StatusOK, id, "triage", map[string]any{"decision": "answer", "answer": "已答复"})
	eff.action(http.StatusForbidden, id, "comment", map[string]any{"text": "?"})
	natres.do("POST", "/api/v1/cases/"+id+"/actions/no-such-action", map[string]any{}, nil)

	res, err := http.Get(env.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	page := string(b)
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/plain") {
		t.Fatalf("GET /metrics: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	for _, want := range []string{
		`caseflow_http_requests_total{method="POST",route="/api/v1/cases",status="201"} 1`,
		`caseflow_http_requests_total{method="POST",route="/api/v1/cases/:id/actions/:action",status="200"} 1`,
		`caseflow_actions_total{action="triage",outcome="ok"} 1`,
		`caseflow_actions_total{action="comment",outcome="refused"} 1`,
		`caseflow_actions_total{action="unknown",outcome="refused"} 1`,
		`caseflow_http_request_duration_seconds_bucket{method="POST",route="/api/v1/cases",le="+Inf"} 1`,
		`caseflow_cases{status="closed"} 1`,
		`caseflow_cases{status="handling"} 0`,
		`caseflow_cases_overdue 0`,
		`caseflow_read_model_up 1`,
		`caseflow_outbox_pending `,
		`process_resident_memory_bytes `,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the metrics lack %q", want)
		}
	}
	if strings.Contains(page, id) || strings.Contains(page, "机密") || regexp.MustCompile(`route="[^"]*PT-`).MatchString(page) {
		t.Errorf("a case's id or content is in the metrics")
	}
}
