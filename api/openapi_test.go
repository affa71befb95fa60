package api_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/gin-gonic/gin"

	"github.com/putian-fic/caseflow/api"
	"github.com/putian-fic/caseflow/workflows"
)

// TestTheDocumentDescribesEveryRoute: the OpenAPI document is valid, and it and the
// router name the same operations (every action of the case workflow included).
func TestTheDocumentDescribesEveryRoute(t *testing.T) {
	doc, err := openapi3.NewLoader().LoadFromData(api.OpenAPI())
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatal(err)
	}
	documented := map[string]bool{}
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			documented[method+" /api/v1"+path] = true
		}
	}
	param := regexp.MustCompile(`:(\w+)`)
	routed := map[string]bool{}
	for _, r := range (&api.Server{}).Handler().(*gin.Engine).Routes() {
		if !strings.HasPrefix(r.Path, "/api/v1/") {
			continue
		}
		path := param.ReplaceAllString(r.Path, "{$1}")
		if strings.HasSuffix(path, "/actions/{action}") {
			for _, a := range workflows.Actions {
				routed[r.Method+" "+strings.Replace(path, "{action}", a.Name, 1)] = true
			}
			continue
		}
		routed[r.Method+" "+path] = true
	}
	for op := range routed {
		if !documented[op] {
			t.Errorf("routed but not documented: %s", op)
		}
	}
	for op := range documented {
		if !routed[op] {
			t.Errorf("documented but not routed: %s", op)
		}
	}
}

func TestTheDocumentIsServedAndReadable(t *testing.T) {
	h := (&api.Server{}).Handler()
	for path, want := range map[string]string{"/api/v1/openapi.yaml": "openapi: 3.1.0", "/api/docs": "/api/v1/cases/{id}/actions/triage"} {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("GET", path, nil))
		if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), want) {
			t.Errorf("GET %s: %d, body lacks %q", path, w.Code, want)
		}
	}
}
