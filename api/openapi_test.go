package api_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
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
		base := "/api/v1"
		if len(item.Servers) > 0 {
			base = item.Servers[0].URL
		}
		for method := range item.Operations() {
			documented[method+" "+base+path] = true
		}
	}
	param := regexp.MustCompile(`:(\w+)`)
	routed := map[string]bool{}
	for _, r := range (&api.Server{}).Handler().(*gin.Engine).Routes() {
		if !strings.HasPrefix(r.Path, "/api/") {
			continue
		}
		path := param.ReplaceAllString(r.Path, "{$1}")
		routed[r.Method+" "+path] = true
		if strings.HasSuffix(path, "/actions/{action}") {
			// Each action is also documented as its own path, with its own body.
			for _, a := range workflows.Actions {
				routed[r.Method+" "+strings.Replace(path, "{action}", a.Name, 1)] = true
			}
			continue
		}
		routed[r.Method+" "+path] = true
	}
	var enum []string
	for _, p := range doc.Paths.Value("/cases/{id}/actions/{action}").Post.Parameters {
		if p.Value.Name == "action" {
			for _, v := range p.Value.Schema.Value.Enum {
				enum = append(enum, v.(string))
			}
		}
	}
	var names []string
	for _, a := range workflows.Actions {
		names = append(names, a.Name)
	}
	if !slices.Equal(enum, names) {
		t.Errorf("documented action names %v, the workflow's %v", enum, names)
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
