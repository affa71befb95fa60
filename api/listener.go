package api

import (
	"bytes"
	"encoding/json"
	"net"
	"strconv"
)

// Listen wraps a listener for the API's http.Server so that the few errors net/http answers
// by itself, before any handler runs (a header block over the limit: 431; a malformed
// request: 400), are JSON like every other error of the API.
func Listen(ln net.Listener) net.Listener { return jsonErrorListener{ln} }

type jsonErrorListener struct{ net.Listener }

func (l jsonErrorListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &jsonErrorConn{Conn: c}, nil
}

// jsonErrorConn rewrites net/http's canned plain-text error answers. They are written in
// one Write straight to the connection, always as "HTTP/1.1 <code> <text>\r\n" with
// "Connection: close", and nothing follows them.
type jsonErrorConn struct{ net.Conn }

// cannedHeaders are the headers net/http writes with its own error answers.
const cannedHeaders = "\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n"

var cannedErrors = map[string]struct{ code, msg string }{
	"431": {"header_too_large", "请求头过大 (request header fields too large)"},
	"400": {"bad_request", "请求格式错误 (malformed HTTP request)"},
	"505": {"http_version", "不支持该 HTTP 版本 (HTTP version not supported)"},
}

func (c *jsonErrorConn) Write(p []byte) (int, error) {
	if !bytes.HasPrefix(p, []byte("HTTP/1.1 ")) || !bytes.Contains(p, []byte(cannedHeaders)) {
		return c.Conn.Write(p)
	}
	line, _, _ := bytes.Cut(p, []byte("\r\n"))
	fields := bytes.SplitN(line, []byte(" "), 3)
	if len(fields) < 3 {
		return c.Conn.Write(p)
	}
	canned, ok := cannedErrors[string(fields[1])]
	if !ok || !bytes.HasSuffix(p, fields[2]) {
		return c.Conn.Write(p)
	}
	var body errorBody
	body.Error.Code, body.Error.Message = canned.code, canned.msg
	b, _ := json.Marshal(body)
	out := append([]byte(nil), line...)
	out = append(out, "\r\nContent-Type: application/json; charset=utf-8\r\nX-Content-Type-Options: nosniff\r\n"+
		"Cache-Control: no-store\r\nContent-Length: "+strconv.Itoa(len(b))+"\r\nConnection: close\r\n\r\n"...)
	out = append(out, b...)
	if _, err := c.Conn.Write(out); err != nil {
		return 0, err
	}
	return len(p), nil
}
