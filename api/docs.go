package api

import (
	"bytes"
	"context"
	_ "embed"
	"fmt"
	"html/template"
	"net/http"
	"slices"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/gin-gonic/gin"
)

// openAPI is the API described once (OpenAPI 3.1): served as it is, rendered as a page, and
// checked against every request and answer of the end-to-end tests.
//
//go:embed openapi.yaml
var openAPI []byte

// OpenAPI returns the API's OpenAPI document (YAML).
func OpenAPI() []byte { return slices.Clone(openAPI) }

func (s *Server) openAPIDocument(c *gin.Context) {
	c.Data(http.StatusOK, "application/yaml; charset=utf-8", openAPI)
}

// docsPage renders the document as one HTML page, on the server: no script, no network.
var docsPage = sync.OnceValues(func() ([]byte, error) {
	doc, err := openapi3.NewLoader().LoadFromData(openAPI)
	if err != nil {
		return nil, err
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, err
	}
	type param struct{ Name, In, Type, Description string }
	type op struct {
		Method, Path, Summary, Description, Tag, Public string
		Params                                          []param
		Body                                            string
		Responses                                       []string
	}
	var ops []op
	for _, path := range doc.Paths.InMatchingOrder() {
		item := doc.Paths.Value(path)
		for _, method := range []string{"GET", "POST", "PUT", "DELETE"} {
			o := item.GetOperation(method)
			if o == nil {
				continue
			}
			v := op{Method: method, Path: "/api/v1" + path, Summary: o.Summary, Description: o.Description}
			if len(o.Tags) > 0 {
				v.Tag = o.Tags[0]
			}
			if o.Security != nil && len(*o.Security) == 0 {
				v.Public = "无需登录 (no login)"
			}
			for _, p := range append(item.Parameters, o.Parameters...) {
				v.Params = append(v.Params, param{p.Value.Name, p.Value.In, schemaText(p.Value.Schema, 0), p.Value.Description})
			}
			if o.RequestBody != nil {
				for ct, mt := range o.RequestBody.Value.Content {
					v.Body = ct + "\n" + schemaText(mt.Schema, 0)
				}
			}
			for code, r := range o.Responses.Map() {
				text := code
				if r.Value != nil && r.Value.Description != nil {
					text += " — " + *r.Value.Description
				}
				v.Responses = append(v.Responses, text)
			}
			slices.Sort(v.Responses)
			ops = append(ops, v)
		}
	}
	slices.SortStableFunc(ops, func(a, b op) int { return strings.Compare(a.Tag, b.Tag) })
	var out bytes.Buffer
	err = docsTemplate.Execute(&out, map[string]any{"Title": doc.Info.Title, "Summary": doc.Info.Summary,
		"Description": doc.Info.Description, "Ops": ops})
	return out.Bytes(), err
})

// schemaText writes a schema as an indented outline: fields, types, enums, limits.
func schemaText(ref *openapi3.SchemaRef, depth int) string {
	if ref == nil || ref.Value == nil {
		return "any"
	}
	s := ref.Value
	name := ""
	if ref.Ref != "" {
		name = strings.TrimPrefix(ref.Ref, "#/components/schemas/") + " "
	}
	types := "any"
	if s.Type != nil && len(*s.Type) > 0 {
		types = strings.Join(*s.Type, "|")
	}
	var b strings.Builder
	b.WriteString(name + types)
	if len(s.Enum) > 0 {
		fmt.Fprintf(&b, " %v", s.Enum)
	}
	if s.Format != "" {
		b.WriteString(" (" + s.Format + ")")
	}
	if s.MaxLength != nil {
		fmt.Fprintf(&b, " ≤%d chars", *s.MaxLength)
	}
	if s.Type != nil && s.Type.Includes("array") && s.Items != nil && depth < 4 {
		b.WriteString(" of " + schemaText(s.Items, depth+1))
	}
	if len(s.Properties) > 0 && depth < 3 && (ref.Ref == "" || depth == 0) {
		keys := make([]string, 0, len(s.Properties))
		for k := range s.Properties {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			req := ""
			if slices.Contains(s.Required, k) {
				req = " (required)"
			}
			fmt.Fprintf(&b, "\n%s%s%s: %s", strings.Repeat("  ", depth+1), k, req, schemaText(s.Properties[k], depth+1))
		}
	}
	return b.String()
}

var docsTemplate = template.Must(template.New("docs").Parse(`<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{{.Title}}</title>
<style>
body{font-family:system-ui,"Noto Sans CJK SC","WenQuanYi Zen Hei",sans-serif;max-width:70rem;margin:2rem auto;padding:0 1rem;color:#222}
h2{border-bottom:1px solid #ccc;margin-top:2.5rem}.op{border:1px solid #ddd;border-radius:6px;padding:.6rem 1rem;margin:1rem 0}
.m{display:inline-block;min-width:4.5rem;font-weight:bold;font-family:monospace}.GET{color:#1a7f37}.POST{color:#0550ae}.PUT{color:#9a6700}.DELETE{color:#cf222e}
code,pre{font-family:ui-monospace,monospace;font-size:.85rem}pre{background:#f6f8fa;padding:.5rem;overflow:auto}
table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:.2rem .5rem;text-align:left;vertical-align:top}.pub{color:#888}
</style></head><body>
<h1>{{.Title}}</h1><p>{{.Summary}}</p><pre>{{.Description}}</pre>
<p>The document itself: <a href="/api/v1/openapi.yaml">/api/v1/openapi.yaml</a> (OpenAPI 3.1).</p>
{{range .Ops}}<div class="op" id="{{.Method}}{{.Path}}">
<div><span class="m {{.Method}}">{{.Method}}</span><code>{{.Path}}</code> — {{.Summary}} <span class="pub">{{.Public}}</span></div>
{{if .Description}}<p>{{.Description}}</p>{{end}}
{{if .Params}}<table><tr><th>parameter</th><th>in</th><th>schema</th><th></th></tr>{{range .Params}}<tr><td><code>{{.Name}}</code></td><td>{{.In}}</td><td><code>{{.Type}}</code></td><td>{{.Description}}</td></tr>{{end}}</table>{{end}}
{{if .Body}}<p>Request body:</p><pre>{{.Body}}</pre>{{end}}
<p>Responses: {{range $i, $r := .Responses}}{{if $i}}; {{end}}{{$r}}{{end}}</p>
</div>{{end}}
</body></html>`))

func (s *Server) docs(c *gin.Context) {
	page, err := docsPage()
	if err != nil {
		fail(c, fmt.Errorf("openapi document: %w", err))
		return
	}
	c.Data(http.StatusOK, "text/html; charset=utf-8", page)
}
