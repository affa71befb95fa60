package devenv_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"testing"
)

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
	Raw    []byte
}

func (r response) str(key string) string { s, _ := r.Body[key].(string); return s }

func (r response) errCode() string {
	e, _ := r.Body["error"].(map[string]any)
	s, _ := e["code"].(string)
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
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	r := response{Status: resp.StatusCode, Raw: raw}
	if len(raw) > 0 {
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
