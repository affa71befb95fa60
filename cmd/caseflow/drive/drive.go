// Package drive drives cases through their whole lifecycle over caseflow's HTTP API while
// processes are killed under it, and checks afterwards what a user would: every
// acknowledged case there once, closed, with an exact, verified timeline. The crash tests
// of cmd/caseflow and the cluster test of deploy share it.
package drive

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Client drives cases over HTTP and keeps trying through crashes: a request that gets no
// answer, or a 5xx, is sent again (with the same Idempotency-Key) until Deadline.
type Client struct {
	Base string // where cases are raised and read
	// ActBase is where actions are sent (Base when empty): a cluster's second API process.
	ActBase  string
	HTTP     *http.Client
	Tokens   map[string]string
	Deadline time.Time
	// Enterprise is the enterprise the cases are raised for (the demo's ent-001 by default).
	Enterprise string
	// Failed counts the requests that got no answer or a 5xx (and were sent again).
	Failed atomic.Int64
}

// Users are the accounts a Client signs in as: who raises, triages, refers, handles,
// calls back and closes, and the efficiency office that verifies the timelines.
var Users = []string{"member", "party", "unit-natural-resources", "efficiency"}

// New signs every one of Users in at base with password, and keeps trying for d.
func New(t testing.TB, base, password string, d time.Duration) *Client {
	t.Helper()
	c := &Client{Base: base, HTTP: &http.Client{Timeout: 40 * time.Second}, Tokens: map[string]string{},
		Deadline: time.Now().Add(d), Enterprise: "ent-001"}
	for _, u := range Users {
		status, out, err := c.Call("", "POST", "/api/v1/login", map[string]string{"username": u, "password": password}, "")
		if err != nil || status != http.StatusOK {
			t.Fatalf("login %s: %d %v %v", u, status, out, err)
		}
		c.Tokens[u] = out["token"].(string)
	}
	return c
}

// Once sends one request (to ActBase for an action, Base otherwise) and answers its status and JSON body.
func (c *Client) Once(user, method, path string, body any, key string) (int, map[string]any, error) {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	base := c.Base
	if strings.Contains(path, "/actions/") && c.ActBase != "" {
		base = c.ActBase
	}
	req, err := http.NewRequest(method, base+path, rd)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	if user != "" {
		req.Header.Set("Authorization", "Bearer "+c.Tokens[user])
	}
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	_ = json.Unmarshal(raw, &out)
	return resp.StatusCode, out, nil
}

// Call sends until an answer below 500 arrives.
func (c *Client) Call(user, method, path string, body any, key string) (int, map[string]any, error) {
	for {
		status, out, err := c.Once(user, method, path, body, key)
		if err == nil && status < 500 {
			return status, out, nil
		}
		c.Failed.Add(1)
		if time.Now().After(c.Deadline) {
			return status, out, fmt.Errorf("%s %s: still failing at the deadline: %d %v %v", method, path, status, out, err)
		}
		time.Sleep(300 * time.Millisecond)
	}
}

// Create raises case i with its Idempotency-Key.
func (c *Client) Create(i int) (string, error) {
	body := map[string]any{"enterprise_id": c.Enterprise, "title": fmt.Sprintf("崩溃测试：用地审批 %d", i),
		"description": "二期厂房用地报批已三个月未办结", "category": "land", "list": "problem"}
	status, out, err := c.Call("member", "POST", "/api/v1/cases", body, fmt.Sprintf("crash-case-%d", i))
	if err != nil {
		return "", err
	}
	if status != http.StatusCreated && status != http.StatusOK {
		return "", fmt.Errorf("create %d: %d %v", i, status, out)
	}
	return out["id"].(string), nil
}

// Drive takes a case from wherever it stands to closure.
func (c *Client) Drive(id string) error {
	for range 20 {
		status, cs, err := c.Call("member", "GET", "/api/v1/cases/"+id, nil, "")
		if err != nil {
			return err
		}
		if status != http.StatusOK {
			return fmt.Errorf("GET %s: %d %v", id, status, cs)
		}
		var user, action string
		var body any = map[string]any{}
		switch cs["status"] {
		case "closed":
			return nil
		case "triage":
			user, action = "member", "triage"
			body = map[string]any{"decision": "refer", "category": "land", "list": "problem", "scope": "individual",
				"office": "party", "lead_unit": "natural-resources", "co_units": []string{}, "override_reason": "崩溃测试"}
		case "referral":
			user, action, body = "party", "refer", map[string]any{"instructions": "请按期办理"}
		case "handling":
			user, action = "unit-natural-resources", "sign"
			if signed, _ := cs["signed_units"].([]any); len(signed) > 0 {
				action, body = "complete", map[string]any{"outcome": "resolved", "report": "已办结"}
			}
		case "follow_up":
			user, action, body = "member", "callback", map[string]any{"solved": true, "satisfied": true, "note": "企业满意"}
			if cs["callback"] != nil {
				user, action, body = "party", "close", map[string]any{"note": "予以销号"}
			}
		default:
			return fmt.Errorf("%s: status %v", id, cs["status"])
		}
		status, out, err := c.Call(user, "POST", "/api/v1/cases/"+id+"/actions/"+action, body, id+"-"+action)
		if err != nil {
			return err
		}
		// 409: the action was taken already (its answer lost in a crash) or by another.
		if status != http.StatusOK && status != http.StatusConflict {
			return fmt.Errorf("%s %s: %d %v", id, action, status, out)
		}
	}
	return fmt.Errorf("%s: not closed after 20 steps", id)
}

// Load raises n cases (keys from first) and drives each to closure on 8 goroutines; it
// runs midway (beside them) once half the cases are acknowledged. It answers the acknowledged ids by
// case number.
func (c *Client) Load(t testing.TB, first, n int, midway func()) map[int]string {
	var mu sync.Mutex
	acked := map[int]string{}
	var next atomic.Int64
	var once sync.Once
	var wg, mid sync.WaitGroup
	errs := make(chan error, n)
	for range 8 {
		wg.Go(func() {
			for {
				i := first + int(next.Add(1)) - 1
				if i >= first+n {
					return
				}
				id, err := c.Create(i)
				if err != nil {
					errs <- err
					continue
				}
				mu.Lock()
				acked[i] = id
				half := len(acked) >= n/2
				mu.Unlock()
				if half && midway != nil {
					once.Do(func() { mid.Go(midway) })
				}
				if err := c.Drive(id); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	mid.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	return acked
}

// Check verifies what a user would after the storm: each case raised once, each retried
// create answering its case, every timeline whole and without a once-only event twice.
func (c *Client) Check(t testing.TB, acked map[int]string, first, n int) {
	t.Helper()
	ids := map[string]bool{}
	for i := first; i < first+n; i++ {
		id, err := c.Create(i) // a retry, after everything
		if err != nil {
			t.Fatal(err)
		}
		if prev, ok := acked[i]; ok && prev != id {
			t.Errorf("case %d: acknowledged as %s, a retry answers %s", i, prev, id)
		}
		if ids[id] {
			t.Errorf("%s answers two different requests", id)
		}
		ids[id] = true
	}
	// The list has every case once.
	seen := map[string]int{}
	cursor := ""
	for {
		path := "/api/v1/cases?page_size=100"
		if cursor != "" {
			path += "&cursor=" + url.QueryEscape(cursor)
		}
		status, out, err := c.Call("member", "GET", path, nil, "")
		if err != nil || status != http.StatusOK {
			t.Fatalf("list: %d %v %v", status, out, err)
		}
		for _, it := range out["items"].([]any) {
			cs := it.(map[string]any)
			if strings.HasPrefix(cs["title"].(string), "崩溃测试") {
				seen[cs["id"].(string)]++
			}
		}
		next, _ := out["next_cursor"].(string)
		if next == "" {
			break
		}
		cursor = next
	}
	for id := range ids {
		if seen[id] != 1 {
			t.Errorf("%s listed %d times", id, seen[id])
		}
	}
	once := []string{"created", "triaged", "referred", "completed", "called_back", "closed"}
	for id := range ids {
		status, cs, err := c.Call("member", "GET", "/api/v1/cases/"+id, nil, "")
		if err != nil || status != http.StatusOK || cs["status"] != "closed" {
			t.Errorf("%s: %d %v %v, want closed", id, status, cs["status"], err)
			continue
		}
		status, tl, err := c.Call("member", "GET", "/api/v1/cases/"+id+"/timeline", nil, "")
		if err != nil || status != http.StatusOK {
			t.Errorf("%s timeline: %d %v", id, status, err)
			continue
		}
		count := map[string]int{}
		for k, e := range tl["events"].([]any) {
			ev := e.(map[string]any)
			if ev["seq"] != float64(k+1) {
				t.Errorf("%s: event %d has seq %v", id, k+1, ev["seq"])
			}
			count[ev["type"].(string)]++
		}
		for _, typ := range once {
			if count[typ] != 1 {
				t.Errorf("%s: %d %s events, want 1 (%v)", id, count[typ], typ, count)
			}
		}
		status, v, err := c.Call("efficiency", "GET", "/api/v1/audit/cases/"+id+"/verify", nil, "")
		if err != nil || status != http.StatusOK || v["ok"] != true || v["events"] != float64(len(tl["events"].([]any))) {
			t.Errorf("%s: the efficiency office's verification answers %d %v %v", id, status, v, err)
		}
	}
}
