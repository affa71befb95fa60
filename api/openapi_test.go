package api_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/gin-gonic/gin"

	"github.com/putian-fic/caseflow/api"
	"github.com/putian-fic/caseflow/workflows"
	"github.com/putian-fic/caseflow/workflows/domain"
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
			base = strings.TrimSuffix(item.Servers[0].URL, "/")
		}
		for method := range item.Operations() {
			documented[method+" "+base+path] = true
		}
	}
	param := regexp.MustCompile(`:(\w+)`)
	routed := map[string]bool{}
	console := map[string]bool{} // the console's routes: documented where no API path has their name
	for _, r := range (&api.Server{}).Handler().(*gin.Engine).Routes() {
		path := param.ReplaceAllString(r.Path, "{$1}")
		if !strings.HasPrefix(r.Path, "/api/") {
			console[r.Method+" "+path] = true
			continue
		}
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
		if !routed[op] && !console[op] {
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

// TestTheDocumentDescribesEveryEventsDataAsItsGoType: the document names, for every event
// type, the schema of its data, and that schema's fields — and which of them are sensitive —
// are those of the event's Go type (workflows/domain/events.go).
func TestTheDocumentDescribesEveryEventsDataAsItsGoType(t *testing.T) {
	doc, err := openapi3.NewLoader().LoadFromData(api.OpenAPI())
	if err != nil {
		t.Fatal(err)
	}
	event := doc.Components.Schemas["Event"].Value
	refs, _ := event.Extensions["x-event-data"].(map[string]any)
	var enum []string
	for _, v := range event.Properties["type"].Value.Enum {
		enum = append(enum, v.(string))
	}
	slices.Sort(enum)
	var types []string
	for typ := range domain.EventData {
		types = append(types, typ)
	}
	slices.Sort(types)
	if !slices.Equal(enum, types) {
		t.Errorf("documented event types %v, the domain's %v", enum, types)
	}
	for _, typ := range types {
		ref, _ := refs[typ].(string)
		schema := doc.Components.Schemas[strings.TrimPrefix(ref, "#/components/schemas/")]
		if schema == nil {
			t.Errorf("%s: no schema for its data (x-event-data: %q)", typ, ref)
			continue
		}
		var documented, sensitive []string
		for name, p := range schema.Value.Properties {
			documented = append(documented, name)
			if p.Value.Description == "sensitive" {
				sensitive = append(sensitive, name)
			}
		}
		var fields []string
		var walk func(reflect.Type)
		walk = func(t reflect.Type) {
			for f := range t.Fields() {
				if f.Anonymous {
					walk(f.Type)
					continue
				}
				name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
				fields = append(fields, name)
			}
		}
		walk(domain.EventData[typ])
		want := slices.Clone(domain.SensitiveEventFields[typ])
		for _, l := range [][]string{documented, sensitive, fields, want} {
			slices.Sort(l)
		}
		if !slices.Equal(documented, fields) || !slices.Equal(sensitive, want) {
			t.Errorf("%s: documented %v (sensitive %v), the Go type %v (sensitive %v)", typ, documented, sensitive, fields, want)
		}
	}
}
