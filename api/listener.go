package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"regexp"
	"strconv"

	"github.com/google/uuid"
)

// ShapeProtocolErrors wraps the server's listener so that the answers
// net/http writes itself, before any handler runs — a malformed escape in
// the path, a NUL or control character in a header, headers too large, an
// unsupported transfer encoding — carry the API's error shape and a request
// id instead of a plain-text body. net/http writes those answers in one
// write straight to the connection, in a fixed form (status line,
// "Content-Type: text/plain; charset=utf-8", "Connection: close", the
// status text as the body) that no handler of ours ever produces; exactly
// that form is rewritten, everything else passes through untouched.
func ShapeProtocolErrors(ln net.Listener, log *slog.Logger) net.Listener {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &shapingListener{Listener: ln, log: log}
}

type shapingListener struct {
	net.Listener
	log *slog.Logger
}

func (l *shapingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &shapingConn{Conn: c, log: l.log}, nil
}

type shapingConn struct {
	net.Conn
	log *slog.Logger
}

// protocolError matches the reply net/http writes for a request it cannot parse.
var protocolError = regexp.MustCompile(`^HTTP/1\.1 ([0-9]{3}) ([^\r\n]*)\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n`)

func (c *shapingConn) Write(p []byte) (int, error) {
	if !bytes.HasPrefix(p, []byte("HTTP/1.1 4")) && !bytes.HasPrefix(p, []byte("HTTP/1.1 5")) {
		return c.Conn.Write(p)
	}
	m := protocolError.FindSubmatch(p)
	if m == nil {
		return c.Conn.Write(p)
	}
	status, _ := strconv.Atoi(string(m[1]))
	code := map[int]string{
		http.StatusBadRequest:                  "malformed_request",
		http.StatusRequestHeaderFieldsTooLarge: "headers_too_large",
		http.StatusNotImplemented:              "not_implemented",
		http.StatusHTTPVersionNotSupported:     "http_version_not_supported",
	}[status]
	if code == "" {
		code = "malformed_request"
	}
	id := uuid.NewString()
	body, _ := json.Marshal(errorBody{Error: errorDetail{
		Code: code, RequestID: id,
		Message: "the request could not be read as HTTP: " + string(bytes.ToLower(m[2])),
	}})
	c.log.Info("request refused by the HTTP parser", "request_id", id, "status", status, "reason", string(m[2]), "remote_ip", c.RemoteAddr().String())
	out := fmt.Sprintf("HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nX-Request-Id: %s\r\nCache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\nContent-Length: %d\r\n\r\n%s",
		status, http.StatusText(status), id, len(body), body)
	if _, err := c.Conn.Write([]byte(out)); err != nil {
		return 0, err
	}
	return len(p), nil
}
