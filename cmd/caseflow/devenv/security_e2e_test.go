package devenv_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/putian-fic/caseflow/cmd/caseflow/devenv"
)

// syncBuffer collects log output from many goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func redactedFields(v any) []string {
	var out []string
	list, _ := v.([]any)
	for _, f := range list {
		s, _ := f.(string)
		out = append(out, s)
	}
	return out
}

// TestAttacksFoundBeforeAreRefused replays, over HTTP, each request that once broke
// caseflow (issue "Defects found when tried as an attacker would") and checks the answer.
func TestAttacksFoundBeforeAreRefused(t *testing.T) {
	var logs syncBuffer
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	env, err := devenv.Start(ctx, devenv.Config{DataDir: dataDir(t), Addr: "127.0.0.1:0", Demo: true,
		Logger: slog.New(slog.NewTextHandler(&logs, nil)), ActionTimeout: 3 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(env.Close)
	base := env.URL
	leader1, member, gov, party := login(t, base, "leader1"), login(t, base, "member"), login(t, base, "gov"), login(t, base, "party")
	natres, eff, admin := login(t, base, "unit-natural-resources"), login(t, base, "efficiency"), login(t, base, "admin")
	expired := login(t, base, "leader2") // its session expires below

	newCase := func(who *apiClient, body map[string]any) string {
		t.Helper()
		return who.must(http.StatusCreated, "POST", "/api/v1/cases", body).str("id")
	}
	plain := newCase(leader1, map[string]any{"enterprise_id": "ent-001", "title": "用地审批慢", "description": "报批三个月",
		"category": "land", "list": "problem"})

	t.Run("1. poison input is refused with 422 and the case goes on", func(t *testing.T) {
		r := leader1.do("POST", "/api/v1/cases/"+plain+"/actions/comment", `{"text":"hi\u0000there"}`, nil)
		if r.Status != http.StatusUnprocessableEntity || r.errCode() != "invalid_input" || r.errField() != "text" {
			t.Fatalf("NUL comment: %d %s (want 422 invalid_input naming the field \"text\")", r.Status, r.Raw)
		}
		start := time.Now()
		member.action(http.StatusOK, plain, "comment", map[string]any{"text": "正常备注"})
		if took := time.Since(start); took > time.Second {
			t.Errorf("the next action took %v", took)
		}
		for name, body := range map[string]string{
			"NUL in a title":         `{"enterprise_id":"ent-001","title":"a\u0000b","description":"d","category":"land","list":"problem"}`,
			"escaped lone surrogate": `{"enterprise_id":"ent-001","title":"a\ud800b","description":"d","category":"land","list":"problem"}`,
			"bidi override in title": `{"enterprise_id":"ent-001","title":"invoice\u202egnp.exe","description":"d","category":"land","list":"problem"}`,
			"raw invalid UTF-8":      "{\"enterprise_id\":\"ent-001\",\"title\":\"a\xffb\",\"description\":\"d\",\"category\":\"land\",\"list\":\"problem\"}",
			"amount beyond numeric":  `{"enterprise_id":"ent-001","title":"t","description":"d","category":"financing","list":"funding","amount_cny":1e15}`,
			"escape in a unit id":    `{"enterprise_id":"ent-001\u001b","title":"t","description":"d","category":"land","list":"problem"}`,
		} {
			if r := leader1.do("POST", "/api/v1/cases", body, nil); r.Status != http.StatusUnprocessableEntity {
				t.Errorf("%s: %d %s", name, r.Status, r.Raw)
			}
		}
		// Nothing was burned: the next case takes the next number.
		next := newCase(leader1, map[string]any{"enterprise_id": "ent-001", "title": "第二个", "description": "d",
			"category": "land", "list": "problem"})
		if want := plain[:len(plain)-1] + "2"; next != want {
			t.Errorf("next case %s, want %s", next, want)
		}
		if r := member.do("GET", "/api/v1/cases?q=a%00b", nil, nil); r.Status != http.StatusBadRequest {
			t.Errorf("NUL in a query: %d %s", r.Status, r.Raw)
		}
	})

	// A sensitive case, handled up to completion.
	secret := newCase(member, map[string]any{"enterprise_id": "ent-003", "title": "企业债务重组",
		"description": "企业负债3亿，请求协调银行展期", "category": "land", "list": "problem", "sensitive": true})
	member.action(http.StatusOK, secret, "triage", map[string]any{"decision": "refer"})

	t.Run("4. a unit sees a case only from its referral on", func(t *testing.T) {
		if r := natres.do("GET", "/api/v1/cases/"+secret, nil, nil); r.Status != http.StatusNotFound {
			t.Fatalf("before referral: %d %s", r.Status, r.Raw)
		}
		if r := natres.must(http.StatusOK, "GET", "/api/v1/cases?q=债务", nil); r.Body["total"].(float64) != 0 {
			t.Fatalf("listed before referral: %s", r.Raw)
		}
		gov.action(http.StatusOK, secret, "refer", map[string]any{"instructions": "请约谈相关银行"})
		if r := natres.must(http.StatusOK, "GET", "/api/v1/cases/"+secret, nil); r.str("description") != "企业负债3亿，请求协调银行展期" {
			t.Fatalf("after referral the unit reads %s", r.Raw)
		}
	})
	natres.action(http.StatusOK, secret, "sign", map[string]any{})
	natres.action(http.StatusOK, secret, "progress", map[string]any{"note": "已约谈两家银行，负债3亿可展期"})
	natres.action(http.StatusOK, secret, "complete", map[string]any{"outcome": "resolved", "report": "银行同意展期一年"})

	t.Run("2. the timeline redacts what the case view redacts, and records unredacted reads", func(t *testing.T) {
		r := eff.must(http.StatusOK, "GET", "/api/v1/cases/"+secret+"/timeline", nil)
		if strings.Contains(string(r.Raw), "负债3亿") || strings.Contains(string(r.Raw), "银行同意展期") ||
			strings.Contains(string(r.Raw), "约谈相关银行") {
			t.Fatalf("the efficiency office reads sensitive text in the timeline: %s", r.Raw)
		}
		hidden := map[string][]string{}
		for _, e := range r.Body["events"].([]any) {
			ev := e.(map[string]any)
			hidden[ev["type"].(string)] = redactedFields(ev["redacted"])
		}
		if !slices.Equal(hidden["completed"], []string{"report"}) || !slices.Equal(hidden["progress"], []string{"note"}) {
			t.Errorf("redacted per event: %v", hidden)
		}
		member.must(http.StatusOK, "GET", "/api/v1/cases/"+secret+"/timeline", nil)
		var audit struct{ Reads []struct{ Username string } }
		decode(t, eff.must(http.StatusOK, "GET", "/api/v1/cases/"+secret+"/sensitive-reads", nil).Raw, &audit)
		readers := map[string]bool{}
		for _, rd := range audit.Reads {
			readers[rd.Username] = true
		}
		if readers["efficiency"] || !readers["member"] || !readers["unit-natural-resources"] {
			t.Errorf("sensitive reads by %v", readers)
		}
	})

	t.Run("3. search looks only in what the reader may see", func(t *testing.T) {
		for _, tc := range []struct {
			who  *apiClient
			want float64
		}{{eff, 0}, {party, 0}, {member, 1}, {gov, 1}, {natres, 1}} {
			if r := tc.who.must(http.StatusOK, "GET", "/api/v1/cases?q=负债3亿", nil); r.Body["total"].(float64) != tc.want {
				t.Errorf("%s finds %v cases, want %v", tc.who.token[:6], r.Body["total"], tc.want)
			}
		}
	})

	t.Run("5. the other office reads redacted and does not comment; contacts and addresses stay private", func(t *testing.T) {
		r := party.must(http.StatusOK, "GET", "/api/v1/cases/"+secret, nil)
		if r.str("description") == "企业负债3亿，请求协调银行展期" || !slices.Contains(redactedFields(r.Body["redacted"]), "description") {
			t.Errorf("the other office reads %s", r.Raw)
		}
		if r := party.do("POST", "/api/v1/cases/"+secret+"/actions/comment", map[string]any{"text": "?"}, nil); r.Status != http.StatusForbidden {
			t.Errorf("the other office comments: %d %s", r.Status, r.Raw)
		}
		for _, who := range []*apiClient{leader1, gov, eff} {
			r := who.must(http.StatusOK, "GET", "/api/v1/enterprises", nil)
			if first := r.Body["items"].([]any)[0].(map[string]any); first["contact_phone"] != "" {
				t.Errorf("contacts shown: %v", first)
			}
		}
		gov.must(http.StatusOK, "PUT", "/api/v1/me/notifications", map[string]any{"email": "gov@putian.example", "notify_email": true})
		natres.action(http.StatusOK, secret, "comment", map[string]any{"text": "补充"}) // no notification
		member.action(http.StatusOK, secret, "callback", map[string]any{"solved": true, "satisfied": false})
		natres.action(http.StatusOK, secret, "extend", map[string]any{"days": 3, "reason": "银行审批"}) // gov is told
		deadline := time.Now().Add(10 * time.Second)
		for {
			items := member.must(http.StatusOK, "GET", "/api/v1/cases/"+secret+"/notifications", nil).Body["items"].([]any)
			adminItems := admin.must(http.StatusOK, "GET", "/api/v1/cases/"+secret+"/notifications", nil).Body["items"].([]any)
			if len(items) > 0 && len(adminItems) == len(items) {
				for i, n := range items {
					if a := n.(map[string]any)["address"]; a != "" {
						t.Errorf("the member department sees the address %v", a)
					}
					if a := adminItems[i].(map[string]any)["address"]; a == "" {
						t.Errorf("the administrator does not see the address")
					}
				}
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("no notification for the extension request")
			}
			time.Sleep(100 * time.Millisecond)
		}
	})

	t.Run("6. webhooks may not point at this machine or the private network", func(t *testing.T) {
		for _, u := range []string{"http://127.0.0.1:5432/", "http://localhost:8080/x", "http://169.254.169.254/", "http://10.1.2.3/"} {
			if r := natres.do("PUT", "/api/v1/me/notifications", map[string]any{"webhook_url": u, "notify_webhook": true}, nil); r.Status != http.StatusUnprocessableEntity {
				t.Errorf("webhook %s: %d %s", u, r.Status, r.Raw)
			}
		}
	})

	t.Run("7. failed logins are throttled; tokens can be revoked", func(t *testing.T) {
		anon := &apiClient{t: t, base: base}
		for i := range 5 {
			if r := anon.do("POST", "/api/v1/login", map[string]string{"username": "leader2", "password": "guess"}, nil); r.Status != http.StatusUnauthorized {
				t.Fatalf("wrong password %d: %d %s", i+1, r.Status, r.Raw)
			}
		}
		for _, pw := range []string{"guess", "demo"} {
			req, _ := http.NewRequest("POST", base+"/api/v1/login", strings.NewReader(`{"username":"leader2","password":"`+pw+`"}`))
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" {
				t.Errorf("password %q during the back-off: %d, Retry-After %q", pw, resp.StatusCode, resp.Header.Get("Retry-After"))
			}
		}
		attempts, err := env.Store.LoginAttempts(context.Background(), "leader2", 10)
		if err != nil {
			t.Fatal(err)
		}
		outcomes := map[string]int{}
		for _, a := range attempts {
			outcomes[a.Outcome]++
		}
		if outcomes["failed"] != 5 || outcomes["throttled"] != 2 {
			t.Errorf("recorded attempts %v", outcomes)
		}

		// Logout revokes the token; the scheme is case-insensitive.
		u := login(t, base, "unit-licheng")
		if r := u.do("GET", "/api/v1/me", nil, map[string]string{"Authorization": "bearer " + u.token}); r.Status != http.StatusOK {
			t.Errorf("lower-case bearer: %d", r.Status)
		}
		if r := u.do("POST", "/api/v1/logout", nil, nil); r.Status != http.StatusNoContent {
			t.Fatalf("logout: %d %s", r.Status, r.Raw)
		}
		if r := u.do("GET", "/api/v1/me", nil, nil); r.Status != http.StatusUnauthorized {
			t.Errorf("a token after logout: %d", r.Status)
		}
		// The administrator revokes every token of a user.
		a, b := login(t, base, "unit-hanjiang"), login(t, base, "unit-hanjiang")
		natres.must(http.StatusForbidden, "DELETE", "/api/v1/users/unit-hanjiang/sessions", nil)
		r := admin.must(http.StatusOK, "DELETE", "/api/v1/users/unit-hanjiang/sessions", nil)
		if r.Body["revoked"].(float64) < 2 {
			t.Errorf("revoked %s", r.Raw)
		}
		for _, c := range []*apiClient{a, b} {
			if r := c.do("GET", "/api/v1/me", nil, nil); r.Status != http.StatusUnauthorized {
				t.Errorf("a revoked token: %d", r.Status)
			}
		}
		admin.must(http.StatusNotFound, "DELETE", "/api/v1/users/nobody/sessions", nil)
	})

	t.Run("8. errors say what happened: a 2 MB header, a workflow that does not answer", func(t *testing.T) {
		req, _ := http.NewRequest("GET", base+"/api/v1/me", nil)
		req.Header.Set("X-Big", strings.Repeat("a", 2<<20))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var body bytes.Buffer
		_, _ = body.ReadFrom(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") ||
			!strings.Contains(body.String(), `"code":"header_too_large"`) {
			t.Errorf("2 MB header: %d %s %s", resp.StatusCode, resp.Header.Get("Content-Type"), body.String())
		}

		env.StopWorker()
		r := member.do("POST", "/api/v1/cases/"+plain+"/actions/comment", map[string]any{"text": "无人处理"}, nil)
		if err := env.StartWorker(nil); err != nil {
			t.Fatal(err)
		}
		if r.Status != http.StatusServiceUnavailable || r.errCode() != "timeout" {
			t.Errorf("an action no worker takes: %d %s", r.Status, r.Raw)
		}
		member.action(http.StatusOK, plain, "comment", map[string]any{"text": "恢复后"})
	})

	t.Run("hostile requests get a 4xx JSON error and change nothing", func(t *testing.T) {
		before := member.must(http.StatusOK, "GET", "/api/v1/cases/"+plain, nil)
		total := member.must(http.StatusOK, "GET", "/api/v1/cases", nil).Body["total"]
		deep := strings.Repeat("[", 100000) + strings.Repeat("]", 100000)
		newCaseBody := func(extra string) string {
			return `{"enterprise_id":"ent-001","description":"d","category":"financing","list":"funding",` + extra + `}`
		}
		for name, tc := range map[string]struct {
			who          *apiClient
			method, path string
			body         any
		}{
			"a 2 MB body":               {member, "POST", "/api/v1/cases/" + plain + "/actions/comment", `{"text":"` + strings.Repeat("a", 2<<20) + `"}`},
			"a wrong type":              {member, "POST", "/api/v1/cases/" + plain + "/actions/comment", `{"text":42}`},
			"an unknown field":          {member, "POST", "/api/v1/cases/" + plain + "/actions/comment", `{"text":"x","admin":true}`},
			"deeply nested JSON":        {member, "POST", "/api/v1/cases/" + plain + "/actions/comment", `{"text":` + deep + `}`},
			"a JSON list":               {member, "POST", "/api/v1/cases", `[]`},
			"a 100,000-character title": {member, "POST", "/api/v1/cases", newCaseBody(`"amount_cny":1,"title":"` + strings.Repeat("长", 100000) + `"`)},
			"a negative amount":         {member, "POST", "/api/v1/cases", newCaseBody(`"amount_cny":-1,"title":"t"`)},
			"a huge amount":             {member, "POST", "/api/v1/cases", newCaseBody(`"amount_cny":1e308,"title":"t"`)},
			"SQL in a query":            {member, "GET", "/api/v1/cases?status=triage'%20OR%201=1--", nil},
			"SQL in a page":             {member, "GET", "/api/v1/cases?page=1;DROP%20TABLE%20cases", nil},
			"../ in an id":              {member, "GET", "/api/v1/cases/..%2F..%2Fetc%2Fpasswd", nil},
			"../ in an action":          {member, "POST", "/api/v1/cases/" + plain + "/actions/..%2Fclose", `{}`},
			"a forged token":            {&apiClient{t: t, base: base, token: strings.Repeat("f", 64)}, "GET", "/api/v1/me", nil},
			"a malformed token":         {&apiClient{t: t, base: base, token: "not a token <script>"}, "GET", "/api/v1/me", nil},
			"an unknown year":           {member, "GET", "/api/v1/calendar/99999", nil},
		} {
			r := tc.who.do(tc.method, tc.path, tc.body, nil) // fails the test unless the answer is JSON
			if r.Status < 400 || r.Status > 499 || r.errCode() == "" {
				t.Errorf("%s: %d %.200s", name, r.Status, r.Raw)
			}
		}
		// An expired token is refused like a forged one.
		db, err := pgx.Connect(ctx, env.DatabaseURL)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close(ctx)
		if _, err := db.Exec(ctx, `UPDATE sessions SET expires_at = now() - interval '1 second'
			WHERE user_id = (SELECT id FROM users WHERE username = 'leader2')`); err != nil {
			t.Fatal(err)
		}
		if r := expired.do("GET", "/api/v1/me", nil, nil); r.Status != http.StatusUnauthorized || r.errCode() == "" {
			t.Errorf("an expired token: %d %s", r.Status, r.Raw)
		}
		// SQL in every query parameter of the list: a word a list must know is a 400; free
		// text (a unit, an enterprise, a search) is just text that matches nothing.
		const sql = "' OR 1=1; DROP TABLE cases; --"
		for _, param := range []string{"status", "category", "unit", "office", "enterprise_id", "q", "overdue", "card",
			"page", "page_size", "cursor"} {
			r := member.do("GET", "/api/v1/cases?"+param+"="+url.QueryEscape(sql), nil, nil)
			switch param {
			case "unit", "enterprise_id", "q":
				if r.Status != http.StatusOK || r.Body["total"] != float64(0) {
					t.Errorf("?%s=<sql>: %d %.200s, want 200 and nothing found", param, r.Status, r.Raw)
				}
			default:
				if r.Status != http.StatusBadRequest || r.errCode() == "" {
					t.Errorf("?%s=<sql>: %d %.200s, want 400", param, r.Status, r.Raw)
				}
			}
		}
		// Every method a route does not have answers 404 or 405, in JSON.
		for _, path := range []string{"/api/v1/cases", "/api/v1/cases/" + plain, "/api/v1/cases/" + plain + "/timeline",
			"/api/v1/cases/" + plain + "/actions/comment", "/api/v1/me", "/api/v1/rules", "/api/v1/calendar/2026", "/api/v1/units"} {
			for _, m := range []string{"PATCH", "DELETE", "PUT"} {
				if path == "/api/v1/rules" && m == "PUT" || path == "/api/v1/calendar/2026" && m == "PUT" {
					continue
				}
				if r := member.do(m, path, nil, nil); r.Status != http.StatusMethodNotAllowed && r.Status != http.StatusNotFound {
					t.Errorf("%s %s: %d %s", m, path, r.Status, r.Raw)
				}
			}
		}
		after := member.must(http.StatusOK, "GET", "/api/v1/cases/"+plain, nil)
		if after.Body["last_seq"] != before.Body["last_seq"] || member.must(http.StatusOK, "GET", "/api/v1/cases", nil).Body["total"] != total {
			t.Errorf("hostile requests changed data: seq %v → %v, total %v", before.Body["last_seq"], after.Body["last_seq"], total)
		}
	})

	t.Run("9. answers are hardened and every request is logged with its user and id", func(t *testing.T) {
		req, _ := http.NewRequest("GET", base+"/api/v1/me", nil)
		req.Header.Set("Authorization", "Bearer "+member.token)
		req.Header.Set("X-Request-Id", "trace-42")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		for h, want := range map[string]string{"X-Content-Type-Options": "nosniff", "Cache-Control": "no-store",
			"Referrer-Policy": "no-referrer", "X-Request-Id": "trace-42"} {
			if got := resp.Header.Get(h); got != want {
				t.Errorf("%s: %q, want %q", h, got, want)
			}
		}
		if !strings.Contains(logs.String(), "request_id=trace-42") || !strings.Contains(logs.String(), "user=member") {
			t.Errorf("request log lacks the request: %s", logs.String()[max(0, len(logs.String())-500):])
		}
		for _, email := range []string{"Gov <gov@putian.example>", "gov@", "gov@putian.example\r\nBcc: x@y.z"} {
			if r := gov.do("PUT", "/api/v1/me/notifications", map[string]any{"email": email, "notify_email": true}, nil); r.Status != http.StatusUnprocessableEntity {
				t.Errorf("e-mail %q: %d", email, r.Status)
			}
		}
	})
}
