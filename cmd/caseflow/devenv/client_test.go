package devenv_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/putian-fic/caseflow/api"
)

// openAPIRouter finds the documented operation of a request.
var openAPIRouter = sync.OnceValues(func() (routers.Router, error) {
	doc, err := openapi3.NewLoader().LoadFromData(api.OpenAPI())
	if err != nil {
		return nil, err
	}
	doc.Servers = openapi3.Servers{{URL: "http://127.0.0.1/api/v1"}}
	return gorillamux.NewRouter(doc)
})

// checkAgainstOpenAPI holds every request and answer of these tests to api/openapi.yaml:
// the answer must be documented (status, content type and body); a request the document
// calls invalid must have been refused.
func checkAgainstOpenAPI(t *testing.T, req *http.Request, body []byte, resp *http.Response, raw []byte) {
	t.Helper()
	router, err := openAPIRouter()
	if err != nil {
		t.Fatalf("api/openapi.yaml: %v", err)
	}
	probe := req.Clone(context.Background())
	probe.URL = &url.URL{Scheme: "http", Host: "127.0.0.1", Path: req.URL.Path, RawQuery: req.URL.RawQuery}
	probe.Host = "127.0.0.1"
	probe.Body = io.NopCloser(bytes.NewReader(body))
	route, params, err := router.FindRoute(probe)
	if err != nil {
		return // not a documented path (a test of unknown endpoints)
	}
	in := &openapi3filter.RequestValidationInput{Request: probe, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}}
	if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil && resp.StatusCode < 400 {
		t.Errorf("%s %s: the document refuses the request (%v) but the server answered %d", req.Method, req.URL.Path, err, resp.StatusCode)
	}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: resp.StatusCode, Header: resp.Header,
		Body: io.NopCloser(bytes.NewReader(raw)), Options: &openapi3filter.Options{IncludeResponseStatus: true}}
	if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
		t.Errorf("%s %s → %d: the answer does not match api/openapi.yaml: %v", req.Method, req.URL.Path, resp.StatusCode, err)
	}
}

// apiClient speaks to the API as one signed-in user.
type apiClient struct {
	t     *testing.T
	base  string
	token string
}

// response is a decoded answer.
type response struct {
	Status int
	Body   map[string]any
	List   []any // an answer that is a JSON array (GET /audit/flags)
	Raw    []byte
}

func (r response) str(key string) string { s, _ := r.Body[key].(string); return s }

func (r response) errCode() string {
	e, _ := r.Body["error"].(map[string]any)
	s, _ := e["code"].(string)
	return s
}

// errField is the field an error answer names as at fault ("" for none).
func (r response) errField() string {
	e, _ := r.Body["error"].(map[string]any)
	s, _ := e["field"].(string)
	return s
}

func login(t *testing.T, base, username string) *apiClient {
	t.Helper()
	c := &apiClient{t: t, base: base}
	r := c.do("POST", "/api/v1/login", map[string]string{"username": username, "password": "demo"}, nil)
	if r.Status != http.StatusOK {
		t.Fatalf("login %s: %d %s", username, r.Status, r.Raw)
	}
	c.token = r.str("token")
	return c
}

func (c *apiClient) do(method, path string, body any, headers map[string]string) response {
	c.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = bytes.NewBufferString(b)
	default:
		raw, _ := json.Marshal(b)
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, c.base+path, rd)
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	var sent []byte
	if req.Body != nil {
		sent, _ = io.ReadAll(req.Body)
		req.Body = io.NopCloser(bytes.NewReader(sent))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	checkAgainstOpenAPI(c.t, req, sent, resp, raw)
	r := response{Status: resp.StatusCode, Raw: raw}
	if len(raw) > 0 && raw[0] == '[' {
		if err := json.Unmarshal(raw, &r.List); err != nil {
			c.t.Fatalf("%s %s: answer is not a JSON array: %s", method, path, raw)
		}
	} else if len(raw) > 0 {
		if err := json.Unmarshal(raw, &r.Body); err != nil {
			c.t.Fatalf("%s %s: answer is not a JSON object: %s", method, path, raw)
		}
	}
	return r
}

// must does a request and fails the test unless the status is want.
func (c *apiClient) must(want int, method, path string, body any) response {
	c.t.Helper()
	r := c.do(method, path, body, nil)
	if r.Status != want {
		c.t.Fatalf("%s %s: status %d, want %d: %s", method, path, r.Status, want, r.Raw)
	}
	return r
}

func (c *apiClient) action(want int, id, action string, body any) response {
	c.t.Helper()
	return c.must(want, "POST", "/api/v1/cases/"+id+"/actions/"+action, body)
}
