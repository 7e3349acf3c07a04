package api_test

import (
	"encoding/json"
	"io"
	"net"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/studysprint/studysprint/api"
	"github.com/studysprint/studysprint/internal/database"
	"github.com/studysprint/studysprint/internal/testdb"
)

func TestEchoErrorsUseTheErrorShape(t *testing.T) {
	t.Parallel()
	e := newEnvWith(t, envConfig{bodyLimit: 4096})
	cases := []struct {
		method, path string
		body         any
		opts         []reqOpt
		status       int
		code         string
	}{
		{"GET", "/nope", nil, nil, 404, "route_not_found"},
		{"GET", "/api/v1/nope", nil, nil, 404, "route_not_found"},
		{"DELETE", "/health", nil, nil, 405, "method_not_allowed"},
		{"GET", "/api/v1/auth/register", nil, nil, 405, "method_not_allowed"},
		{"POST", "/api/v1/auth/register", rawBody(`{"email":"` + strings.Repeat("a", 5000) + `"}`), nil, 413, "body_too_large"},
		{"POST", "/api/v1/auth/register", rawBody(`{}`), []reqOpt{withHeader("Content-Type", "text/plain")}, 415, "unsupported_media_type"},
		{"GET", "/docs/../../etc/passwd", nil, nil, 404, ""},
		{"GET", "/docs/secret.txt", nil, nil, 404, "not_found"},
	}
	for _, c := range cases {
		r := e.do(c.method, c.path, c.body, c.opts...).must(t, c.status)
		b := r.errorBody(t)
		if c.code != "" && b.Code != c.code {
			t.Fatalf("%s %s: code %q, want %q", c.method, c.path, b.Code, c.code)
		}
	}
}

// TestChunkedBodyOverLimit: a body without Content-Length is cut at the limit.
func TestChunkedBodyOverLimit(t *testing.T) {
	t.Parallel()
	e := newEnvWith(t, envConfig{bodyLimit: 4096})
	pr, pw := io.Pipe()
	go func() {
		pw.Write([]byte(`{"email":"`))
		for range 100 {
			pw.Write([]byte(strings.Repeat("a", 1000)))
		}
		pw.Write([]byte(`"}`))
		pw.Close()
	}()
	req, _ := http.NewRequest("POST", e.srv.URL+"/api/v1/auth/register", pr)
	req.Header.Set("Content-Type", "application/json")
	res, err := e.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("status %d, want 413", res.StatusCode)
	}
}

func TestRequestID(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	r := e.do("GET", "/health", nil, withHeader("X-Request-ID", "proxy-abc.123"))
	if got := r.Header.Get("X-Request-ID"); got != "proxy-abc.123" {
		t.Fatalf("a sane incoming id is kept: got %q", got)
	}
	r = e.do("GET", "/health", nil, withHeader("X-Request-ID", "bad id with spaces <script>"))
	if got := r.Header.Get("X-Request-ID"); got == "" || strings.Contains(got, " ") {
		t.Fatalf("an unsafe incoming id is replaced: got %q", got)
	}
	r = e.do("GET", "/health", nil)
	id := r.Header.Get("X-Request-ID")
	if !regexp.MustCompile(`^[0-9a-f-]{36}$`).MatchString(id) {
		t.Fatalf("generated id %q", id)
	}
	// The access log line carries the id, status and duration.
	e.do("GET", "/nope", nil, withHeader("X-Request-ID", "find-me-in-the-log"))
	var found bool
	for _, line := range strings.Split(e.logs.String(), "\n") {
		if !strings.Contains(line, "find-me-in-the-log") {
			continue
		}
		var entry map[string]any
		if err := json.Unmarshal([]byte(line), &entry); err != nil {
			t.Fatal(err)
		}
		if entry["msg"] == "request" && entry["status"] == float64(404) && entry["duration_ms"] != nil {
			found = true
		}
	}
	if !found {
		t.Fatalf("no access log line with the request id:\n%s", e.logs.String())
	}
}

func TestHealth(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	var h map[string]any
	e.do("GET", "/health", nil).must(t, http.StatusOK).decode(t, &h)
	if h["status"] != "ok" {
		t.Fatalf("health = %v", h)
	}
	e.do("GET", "/health/db", nil).must(t, http.StatusOK).decode(t, &h)
	if h["schema_version"] != database.LatestMigration() {
		t.Fatalf("health/db = %v, want schema %s", h, database.LatestMigration())
	}
}

func TestHealthDBUnmigrated(t *testing.T) {
	t.Parallel()
	e := newEnvWith(t, envConfig{pool: testdb.PoolFor(t, testdb.EmptyURL(t))})
	r := e.do("GET", "/health/db", nil).must(t, http.StatusServiceUnavailable)
	if code := r.errorBody(t).Code; code != "schema_outdated" {
		t.Fatalf("code %q", code)
	}
}

// TestHealthDBOutage puts a TCP proxy between the server and PostgreSQL and
// cuts it: /health/db answers 503 within its 2 s bound, /health stays 200,
// and once the proxy is back /health/db turns 200 by itself. A proxy that
// accepts but never answers (a hung server) also gives 503 in bounded time.
func TestHealthDBOutage(t *testing.T) {
	t.Parallel()
	dbURL := testdb.URL(t)
	proxy := startProxy(t, hostPort(t, dbURL))
	e := newEnvWith(t, envConfig{pool: testdb.PoolFor(t, strings.Replace(dbURL, hostPort(t, dbURL), proxy.addr, 1))})

	e.do("GET", "/health/db", nil).must(t, http.StatusOK)

	proxy.stop()
	start := time.Now()
	r := e.do("GET", "/health/db", nil).must(t, http.StatusServiceUnavailable)
	if took := time.Since(start); took > 3*time.Second {
		t.Fatalf("503 took %v, want within the 2s bound", took)
	}
	if b := r.errorBody(t); b.Code != "database_unavailable" || r.Header.Get("Retry-After") == "" {
		t.Fatalf("outage answer: %+v, Retry-After %q", b, r.Header.Get("Retry-After"))
	}
	e.do("GET", "/health", nil).must(t, http.StatusOK)
	// An authenticated request during the outage is a 503, not a 500.
	r = e.do("POST", "/api/v1/auth/login", map[string]any{"username": "someone", "password": "whatever-password"})
	if r.Status != http.StatusServiceUnavailable {
		t.Fatalf("login during outage: %d %s", r.Status, r.Body)
	}

	proxy.hang(true)
	proxy.start()
	start = time.Now()
	e.do("GET", "/health/db", nil).must(t, http.StatusServiceUnavailable)
	if took := time.Since(start); took > 3*time.Second {
		t.Fatalf("503 from a hung database took %v", took)
	}

	proxy.hang(false)
	deadline := time.Now().Add(10 * time.Second)
	for {
		r := e.do("GET", "/health/db", nil)
		if r.Status == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("/health/db did not recover: %d %s", r.Status, r.Body)
		}
		time.Sleep(100 * time.Millisecond)
	}
	proxy.stop() // closes the connections the pool holds before the pool closes
}

func hostPort(t *testing.T, dbURL string) string {
	t.Helper()
	m := regexp.MustCompile(`@([^/]+)/`).FindStringSubmatch(dbURL)
	if m == nil {
		t.Fatalf("no host in %s", dbURL)
	}
	return m[1]
}

// tcpProxy forwards a loopback port to target; it can be stopped, restarted
// on the same port, or made to accept connections and never answer.
type tcpProxy struct {
	t      *testing.T
	target string
	addr   string
	mu     sync.Mutex
	ln     net.Listener
	conns  map[net.Conn]bool
	hung   bool
}

func startProxy(t *testing.T, target string) *tcpProxy {
	p := &tcpProxy{t: t, target: target, addr: "127.0.0.1:0", conns: map[net.Conn]bool{}}
	p.start()
	t.Cleanup(p.stop)
	return p
}

func (p *tcpProxy) start() {
	ln, err := net.Listen("tcp", p.addr)
	if err != nil {
		p.t.Fatal(err)
	}
	p.mu.Lock()
	p.ln, p.addr = ln, ln.Addr().String()
	p.mu.Unlock()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			p.mu.Lock()
			p.conns[c] = true
			hung := p.hung
			p.mu.Unlock()
			if hung {
				continue // hold the connection open, say nothing
			}
			go p.pipe(c)
		}
	}()
}

func (p *tcpProxy) pipe(c net.Conn) {
	up, err := net.Dial("tcp", p.target)
	if err != nil {
		c.Close()
		return
	}
	p.mu.Lock()
	p.conns[up] = true
	p.mu.Unlock()
	go func() { io.Copy(up, c); up.Close() }()
	io.Copy(c, up)
	c.Close()
}

func (p *tcpProxy) hang(h bool) {
	p.mu.Lock()
	p.hung = h
	p.mu.Unlock()
}

func (p *tcpProxy) stop() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for c := range p.conns {
		c.Close()
	}
	p.conns = map[net.Conn]bool{}
}

func TestJWKS(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	var set struct {
		Keys []map[string]any `json:"keys"`
	}
	e.do("GET", "/.well-known/jwks.json", nil).must(t, http.StatusOK).decode(t, &set)
	if len(set.Keys) != 1 || set.Keys[0]["kid"] != e.key.KeyID() || set.Keys[0]["alg"] != "EdDSA" {
		t.Fatalf("jwks = %v", set)
	}
	if _, ok := set.Keys[0]["d"]; ok {
		t.Fatal("JWKS leaks the private key")
	}
}

// TestOpenAPICoversRoutes fails when a registered route is missing from the
// OpenAPI document or the document lists a route the server does not have.
func TestOpenAPICoversRoutes(t *testing.T) {
	t.Parallel()
	doc, err := api.OpenAPIDocument()
	if err != nil {
		t.Fatal(err)
	}
	documented := map[string]bool{}
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			documented[method+" "+path] = true
		}
	}
	e := newEnvWith(t, envConfig{metricsToken: "a-metrics-token-for-the-test"}) // every optional route
	param := regexp.MustCompile(`:([a-zA-Z_]+)`)
	registered := map[string]bool{}
	for _, r := range e.echo.Routes() {
		if strings.HasPrefix(r.Name, "github.com/labstack/echo") {
			continue // echo's internal not-found/method-not-allowed handlers
		}
		registered[r.Method+" "+param.ReplaceAllString(r.Path, "{$1}")] = true
	}
	var missing, extra []string
	for r := range registered {
		if !documented[r] {
			missing = append(missing, r)
		}
	}
	for d := range documented {
		if !registered[d] {
			extra = append(extra, d)
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	if len(missing) > 0 {
		t.Errorf("routes missing from api/openapi.yaml: %v", missing)
	}
	if len(extra) > 0 {
		t.Errorf("documented but not routed: %v", extra)
	}
	if len(registered) < 10 {
		t.Fatalf("only %d routes found: %v", len(registered), registered)
	}
}

func TestDocsAndOpenAPIServed(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	r := e.do("GET", "/docs", nil).must(t, http.StatusOK)
	if !strings.Contains(string(r.Body), "swagger-ui-bundle.js") || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("docs page: %s", r.Body)
	}
	if csp := r.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") {
		t.Fatalf("docs CSP = %q", csp)
	}
	for _, asset := range []string{"swagger-ui-bundle.js", "swagger-ui.css", "init.js", "favicon-32x32.png"} {
		r := e.do("GET", "/docs/"+asset, nil).must(t, http.StatusOK)
		if len(r.Body) == 0 {
			t.Fatalf("%s is empty", asset)
		}
	}
	var doc map[string]any
	e.do("GET", "/openapi.json", nil).must(t, http.StatusOK).decode(t, &doc)
	if doc["openapi"] == nil || doc["paths"] == nil {
		t.Fatalf("openapi.json: %v", doc)
	}
	r = e.do("GET", "/openapi.yaml", nil).must(t, http.StatusOK)
	if !strings.HasPrefix(string(r.Body), "openapi: 3") {
		t.Fatalf("openapi.yaml starts %.40q", r.Body)
	}
	// No CDN: the page only references its own assets.
	if strings.Contains(string(e.do("GET", "/docs", nil).Body), "//cdn") {
		t.Fatal("docs page loads from a CDN")
	}
}

func TestCORS(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	// CORS is off unless configured: no Access-Control headers.
	r := e.do("GET", "/health", nil, withHeader("Origin", "https://evil.example"))
	if r.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Fatal("CORS answered without configuration")
	}

	e = newEnvWith(t, envConfig{pool: e.pool, corsOrigins: []string{"https://app.example.com"}})
	r = e.do("OPTIONS", "/api/v1/auth/login", nil,
		withHeader("Origin", "https://app.example.com"), withHeader("Access-Control-Request-Method", "POST"))
	if r.Status != http.StatusNoContent || r.Header.Get("Access-Control-Allow-Origin") != "https://app.example.com" {
		t.Fatalf("preflight from an allowed origin: %d %v", r.Status, r.Header)
	}
	r = e.do("GET", "/health", nil, withHeader("Origin", "https://evil.example"))
	if r.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Fatal("CORS allowed an unlisted origin")
	}
}
