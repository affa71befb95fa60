package devenv_test

import (
	"bufio"
	"crypto/hmac"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/putian-fic/caseflow/activities"
)

// deliveries counts what the sinks received, by delivery id.
type deliveries struct {
	mu    sync.Mutex
	total int
	byID  map[string]string // delivery id → what ("email:<to>" or "webhook:<path>")
	bad   []string
}

func (d *deliveries) add(id, what string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.total++
	if d.byID == nil {
		d.byID = map[string]string{}
	}
	d.byID[id] = what
}

func (d *deliveries) counts() (total, unique int, byWhat map[string]int) {
	d.mu.Lock()
	defer d.mu.Unlock()
	byWhat = map[string]int{}
	for _, w := range d.byID {
		byWhat[w]++
	}
	return d.total, len(d.byID), byWhat
}

// webhookSink receives webhooks and checks their signatures.
func webhookSink(t *testing.T, secret []byte, d *deliveries) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if !hmac.Equal([]byte(r.Header.Get("X-Caseflow-Signature")), []byte(activities.Sign(secret, body))) {
			d.mu.Lock()
			d.bad = append(d.bad, "bad signature")
			d.mu.Unlock()
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		d.add("webhook-"+r.Header.Get("X-Caseflow-Delivery"), "webhook:"+r.URL.Path)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// smtpSink is the least SMTP server that net/smtp will talk to; it keeps every message.
func smtpSink(t *testing.T, d *deliveries) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go serveSMTP(conn, d)
		}
	}()
	return ln.Addr().String()
}

func serveSMTP(conn net.Conn, d *deliveries) {
	defer conn.Close()
	r := bufio.NewReader(conn)
	say := func(s string) { _, _ = io.WriteString(conn, s+"\r\n") }
	say("220 sink ESMTP")
	var to string
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		cmd := strings.ToUpper(strings.TrimSpace(line))
		switch {
		case strings.HasPrefix(cmd, "EHLO"), strings.HasPrefix(cmd, "HELO"):
			say("250 sink")
		case strings.HasPrefix(cmd, "MAIL FROM"):
			say("250 ok")
		case strings.HasPrefix(cmd, "RCPT TO"):
			to = strings.Trim(strings.TrimSpace(line[len("RCPT TO:"):]), "<>")
			say("250 ok")
		case cmd == "DATA":
			say("354 go on")
			var id string
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				if v, ok := strings.CutPrefix(l, "X-Caseflow-Delivery: "); ok {
					id = strings.TrimSpace(v)
				}
			}
			d.add("email-"+id, "email:"+to)
			say("250 queued")
		case cmd == "QUIT":
			say("221 bye")
			return
		default:
			say("250 ok")
		}
	}
}
