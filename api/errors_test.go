package api_test

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/putian-fic/caseflow/activities/store"
	"github.com/putian-fic/caseflow/api"
	"github.com/putian-fic/caseflow/api/service"
)

// TestADatabaseThatDoesNotAnswerIs503: with PostgreSQL down, the API says the service is
// unavailable (try again), not that it failed inside.
func TestADatabaseThatDoesNotAnswerIs503(t *testing.T) {
	// A port nothing listens on.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	st, err := store.Open(context.Background(), "postgres://caseflow:x@"+addr+"/caseflow?sslmode=disable&connect_timeout=2")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	h := (&api.Server{Service: service.New(service.Config{Store: st})}).Handler()
	for _, req := range []*http.Request{
		httptest.NewRequest("POST", "/api/v1/login", strings.NewReader(`{"username":"member","password":"demo"}`)),
		func() *http.Request {
			r := httptest.NewRequest("GET", "/api/v1/cases", nil)
			r.Header.Set("Authorization", "Bearer abc")
			return r
		}(),
	} {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		var body struct{ Error struct{ Code string } }
		_ = json.Unmarshal(w.Body.Bytes(), &body)
		if w.Code != http.StatusServiceUnavailable || body.Error.Code != "unavailable" {
			t.Errorf("%s %s: %d %s", req.Method, req.URL.Path, w.Code, w.Body.String())
		}
	}
}
