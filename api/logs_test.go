package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net"
	"net/http/httptest"
	"testing"

	"github.com/putian-fic/caseflow/activities/store"
	"github.com/putian-fic/caseflow/api"
	"github.com/putian-fic/caseflow/api/service"
)

// TestEachRequestIsLoggedAsOneJSONLineWithItsRequestAndCaseIDs: with a JSON log handler,
// a request about a case logs one line carrying the request id the client sent (and the
// answer repeats), the route's pattern and the case's number.
func TestEachRequestIsLoggedAsOneJSONLineWithItsRequestAndCaseIDs(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	st, err := store.Open(context.Background(), "postgres://caseflow:x@"+addr+"/caseflow?sslmode=disable&connect_timeout=1")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var logs bytes.Buffer
	h := (&api.Server{Service: service.New(service.Config{Store: st}), Logger: slog.New(slog.NewJSONHandler(&logs, nil))}).Handler()
	req := httptest.NewRequest("GET", "/api/v1/cases/PT-2026-000042/timeline", nil)
	req.Header.Set("X-Request-Id", "req-abc-123")
	req.Header.Set("Authorization", "Bearer abc")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Header().Get("X-Request-Id") != "req-abc-123" {
		t.Errorf("the answer's request id: %q", rec.Header().Get("X-Request-Id"))
	}
	var line map[string]any
	for _, l := range bytes.Split(bytes.TrimSpace(logs.Bytes()), []byte("\n")) {
		var m map[string]any
		if err := json.Unmarshal(l, &m); err != nil {
			t.Fatalf("a log line that is not JSON: %s", l)
		}
		if m["msg"] == "http" {
			line = m
		}
	}
	if line == nil || line["request_id"] != "req-abc-123" || line["case_id"] != "PT-2026-000042" ||
		line["route"] != "/api/v1/cases/:id/timeline" || line["status"] != float64(rec.Code) {
		t.Errorf("the request's log line: %v\n%s", line, logs.String())
	}
}
