package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/labstack/echo/v4"
	"github.com/lestrrat-go/jwx/v2/jwk"

	"github.com/studysprint/studysprint/api"
	"github.com/studysprint/studysprint/internal/auth"
	"github.com/studysprint/studysprint/internal/koreader"
	"github.com/studysprint/studysprint/internal/pdfinfo"
	"github.com/studysprint/studysprint/internal/storage"
	"github.com/studysprint/studysprint/internal/testdb"
)

func TestMain(m *testing.M) {
	pdfinfo.RunChildIfRequested()  // the Inspector re-executes this test binary to parse PDFs
	koreader.RunChildIfRequested() // and the KOReader reader to read statistics files
	os.Exit(m.Run())
}

var koreaderOnce struct {
	sync.Once
	r   *koreader.Reader
	err error
}

// koreaderFor is a reader with the limits, or the shared one.
func koreaderFor(t testing.TB, limits *koreader.Limits) *koreader.Reader {
	if limits == nil {
		return sharedKOReader(t)
	}
	r, err := koreader.NewReader(*limits, 1)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// sharedKOReader is one statistics reader for the whole test binary, as in
// the server.
func sharedKOReader(t testing.TB) *koreader.Reader {
	koreaderOnce.Do(func() {
		koreaderOnce.r, koreaderOnce.err = koreader.NewReader(koreader.Limits{Timeout: 60 * time.Second, MemoryBytes: 512 << 20, MaxRows: 100_000}, 2)
	})
	if koreaderOnce.err != nil {
		t.Fatal(koreaderOnce.err)
	}
	return koreaderOnce.r
}

var inspectorOnce struct {
	sync.Once
	in  *pdfinfo.Inspector
	err error
}

// sharedInspector is one parser pool for the whole test binary, as in the
// server: at most two PDFs are parsed at once however many tests run.
func sharedInspector(t testing.TB) *pdfinfo.Inspector {
	inspectorOnce.Do(func() {
		inspectorOnce.in, inspectorOnce.err = pdfinfo.NewInspector(pdfinfo.Limits{Timeout: 60 * time.Second, MemoryBytes: 1 << 30}, 2)
		if inspectorOnce.in != nil {
			// Tests upload many PDFs at once from one account; they wait for slots, not fail.
			inspectorOnce.in.QueueTimeout = 5 * time.Minute
		}
	})
	if inspectorOnce.err != nil {
		t.Fatal(inspectorOnce.err)
	}
	return inspectorOnce.in
}

// fakeClock is the injected clock: tests move time instead of sleeping.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{t: time.Now().UTC().Truncate(time.Second)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// env is one API under test: a real echo server over its own database.
type env struct {
	t      testing.TB
	srv    *httptest.Server
	echo   *echo.Echo
	pool   *pgxpool.Pool
	clock  *fakeClock
	key    jwk.Key
	cfg    envConfig
	client *http.Client
	logs   *syncBuffer
	// uploads is the server's UploadDir.
	uploads string
}

type envConfig struct {
	pool            *pgxpool.Pool // when set, used instead of a fresh database
	bodyLimit       int64
	issuer          string
	audience        string
	corsOrigins     []string
	rateLimit       int // per IP per minute on register/login/refresh; 0 = off
	trustedProxies  []netip.Prefix
	hasher          *auth.Hasher
	keys            *auth.KeySet // signing key plus retired ones; nil = a fresh key
	clock           *fakeClock
	noValidate      bool // benchmarks: skip the OpenAPI check of each response
	store           storage.Store
	maxUpload       int64
	inspector       *pdfinfo.Inspector
	lockout         auth.Lockout // zero: the default policy
	ipv6Prefix      int
	uploadsPerUser  int // zero: the default (2)
	storageQuota    int64
	uploadGrace     time.Duration
	uploadMinRate   int64
	uploadTimeout   time.Duration
	userRate        float64 // per-user requests per second; 0: off
	userBurst       int
	searches        int
	searchLangs     [2]string        // SEARCH_LANGUAGES; zero = simple, english
	koreaderMaxFile int64            // zero: the default (100 MiB)
	koreaderLimits  *koreader.Limits // nil: the shared reader's
	metricsToken    string           // routes /metrics behind this token
	metrics         *api.Metrics     // nil: the server makes its own
	readCache       int64            // READ_CACHE_SIZE; 0: the production default (32 MiB), -1: off
}

func newEnv(t testing.TB) *env { return newEnvWith(t, envConfig{}) }

func newEnvWith(t testing.TB, cfg envConfig) *env {
	t.Helper()
	if cfg.pool == nil {
		cfg.pool = testdb.Pool(t)
	}
	if cfg.issuer == "" {
		cfg.issuer = "studysprint-test"
	}
	if cfg.audience == "" {
		cfg.audience = "studysprint-test-api"
	}
	keys, key := cfg.keys, jwk.Key(nil)
	if keys == nil {
		key = newKey(t)
		var err error
		if keys, err = auth.NewKeySet(key); err != nil {
			t.Fatal(err)
		}
	}
	clock := cfg.clock
	if clock == nil {
		clock = newFakeClock()
	}
	hasher := cfg.hasher
	if hasher == nil {
		var err error
		if hasher, err = auth.NewHasher(4, 4, 5*time.Second); err != nil { // bcrypt.MinCost: tests stay fast
			t.Fatal(err)
		}
	}
	if cfg.store == nil {
		local, err := storage.NewLocal(filepath.Join(t.TempDir(), "files"))
		if err != nil {
			t.Fatal(err)
		}
		cfg.store = local
	}
	if cfg.inspector == nil {
		cfg.inspector = sharedInspector(t)
	}
	switch cfg.readCache {
	case 0: // every test runs through the read cache, as production does
		cfg.readCache = 32 << 20
	case -1:
		cfg.readCache = 0
	}
	logs := &syncBuffer{}
	uploads := filepath.Join(t.TempDir(), "uploads")
	e, err := api.New(api.Config{
		BodyLimit: cfg.bodyLimit, CORSAllowedOrigins: cfg.corsOrigins, Version: "test",
		AuthRateLimitPerMinute: cfg.rateLimit, TrustedProxies: cfg.trustedProxies,
		MaxUploadBytes: cfg.maxUpload, UploadDir: uploads, SearchLanguages: cfg.searchLangs,
		Lockout: cfg.lockout, IPv6Prefix: cfg.ipv6Prefix,
		UploadsPerUser: cfg.uploadsPerUser, StorageQuota: cfg.storageQuota,
		UploadGrace: cfg.uploadGrace, UploadMinRate: cfg.uploadMinRate, UploadTimeout: cfg.uploadTimeout,
		UserRatePerSecond: cfg.userRate, UserRateBurst: cfg.userBurst, SearchesPerUser: cfg.searches,
		KOReaderMaxFileBytes: cfg.koreaderMaxFile, MetricsToken: cfg.metricsToken, ReadCacheSize: cfg.readCache,
	}, api.Deps{
		Metrics:   cfg.metrics,
		Store:     cfg.store,
		Inspector: cfg.inspector,
		KOReader:  koreaderFor(t, cfg.koreaderLimits),
		Pool:      cfg.pool,
		Keys:      keys,
		Tokens:    auth.NewTokens(keys, cfg.issuer, cfg.audience, 15*time.Minute, clock.Now),
		Hasher:    hasher,
		Logger:    slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Now:       clock.Now,
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(e)
	srv.Listener = api.ShapeProtocolErrors(srv.Listener, nil)
	srv.Start()
	t.Cleanup(srv.Close)
	var transport http.RoundTripper = newValidator(t, srv.URL)
	if cfg.noValidate {
		transport = &http.Transport{MaxIdleConnsPerHost: 256}
	}
	return &env{
		t: t, srv: srv, echo: e, pool: cfg.pool, clock: clock, key: key, cfg: cfg, logs: logs, uploads: uploads,
		client: &http.Client{Transport: transport, Timeout: 30 * time.Second},
	}
}

func newKey(t testing.TB) jwk.Key {
	t.Helper()
	pemBytes, err := auth.NewEd25519PEM()
	if err != nil {
		t.Fatal(err)
	}
	key, err := auth.ParseKeyPEM(pemBytes)
	if err != nil {
		t.Fatal(err)
	}
	return key
}

// syncBuffer collects the server's log lines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// response is what a test request got back.
type response struct {
	Status int
	Header http.Header
	Body   []byte
}

func (r response) decode(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %s: %v", r.Body, err)
	}
}

// errorBody decodes the one error shape and checks it is complete.
func (r response) errorBody(t testing.TB) apiError {
	t.Helper()
	var body struct {
		Error apiError `json:"error"`
	}
	r.decode(t, &body)
	if body.Error.Code == "" || body.Error.Message == "" || body.Error.RequestID == "" {
		t.Fatalf("incomplete error shape: %s", r.Body)
	}
	if got := r.Header.Get("X-Request-ID"); got != body.Error.RequestID {
		t.Fatalf("request_id %q differs from X-Request-ID %q", body.Error.RequestID, got)
	}
	return body.Error
}

type apiError struct {
	Code      string            `json:"code"`
	Message   string            `json:"message"`
	RequestID string            `json:"request_id"`
	Fields    map[string]string `json:"fields"`
}

type reqOpt func(*http.Request)

func withHeader(k, v string) reqOpt { return func(r *http.Request) { r.Header.Set(k, v) } }
func withToken(tok string) reqOpt   { return withHeader("Authorization", "Bearer "+tok) }

// rawBody marks a body that is sent as is (no JSON encoding); the content type
// defaults to application/json unless an option sets another.
type rawBody string

func (e *env) do(method, path string, body any, opts ...reqOpt) response {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case rawBody:
		rd = strings.NewReader(string(b))
	case []byte:
		rd = bytes.NewReader(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, e.srv.URL+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for _, o := range opts {
		o(req)
	}
	res, err := e.client.Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return response{Status: res.StatusCode, Header: res.Header, Body: data}
}

// must asserts the status and returns the response.
func (r response) must(t testing.TB, status int) response {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status = %d, want %d; body: %.500s", r.Status, status, r.Body)
	}
	return r
}

type tokens struct {
	User struct {
		ID       string `json:"id"`
		Email    string `json:"email"`
		Username string `json:"username"`
	} `json:"user"`
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int    `json:"expires_in"`
}

var userSeq struct {
	sync.Mutex
	n int
}

// register creates a fresh user and returns its tokens and password.
func (e *env) register() (tokens, string) {
	e.t.Helper()
	userSeq.Lock()
	userSeq.n++
	n := userSeq.n
	userSeq.Unlock()
	password := fmt.Sprintf("study-hard-%d-sprint", n)
	var tk tokens
	e.do("POST", "/api/v1/auth/register", map[string]any{
		"email": fmt.Sprintf("student%d@example.com", n), "username": fmt.Sprintf("student%d", n), "password": password,
	}).must(e.t, http.StatusCreated).decode(e.t, &tk)
	return tk, password
}

// validator is an http.RoundTripper that checks every response against the
// OpenAPI document: an undocumented status or a body that does not match its
// schema fails the test.
type validator struct {
	t      testing.TB
	router routers.Router
	errSch *openapi3.Schema
}

func newValidator(t testing.TB, serverURL string) *validator {
	t.Helper()
	doc, err := api.OpenAPIDocument()
	if err != nil {
		t.Fatal(err)
	}
	doc.Servers = openapi3.Servers{{URL: serverURL}}
	router, err := legacy.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	return &validator{t: t, router: router, errSch: doc.Components.Schemas["Error"].Value}
}

func (v *validator) RoundTrip(req *http.Request) (*http.Response, error) {
	res, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	body, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil {
		return nil, err
	}
	res.Body = io.NopCloser(bytes.NewReader(body))
	v.check(req, res, body)
	return res, nil
}

func (v *validator) check(req *http.Request, res *http.Response, body []byte) {
	v.t.Helper()
	mt, _, _ := mime.ParseMediaType(res.Header.Get("Content-Type"))
	if res.StatusCode >= 400 || res.StatusCode < 200 {
		if req.Method == http.MethodHead {
			return
		}
		// Every error, routed or not, has the one shape.
		if mt != "application/json" {
			v.t.Errorf("%s %s: error answer %d has Content-Type %q", req.Method, req.URL.Path, res.StatusCode, mt)
			return
		}
		var doc any
		if err := json.Unmarshal(body, &doc); err != nil {
			v.t.Errorf("%s %s: error body is not JSON: %s", req.Method, req.URL.Path, body)
			return
		}
		if err := v.errSch.VisitJSON(doc); err != nil {
			v.t.Errorf("%s %s: error body does not match the Error schema: %v\n%s", req.Method, req.URL.Path, err, body)
		}
	}
	if req.Method == http.MethodOptions {
		return // CORS preflight, answered by middleware for every route
	}
	route, params, err := v.router.FindRoute(req)
	if err != nil {
		if res.StatusCode != http.StatusNotFound && res.StatusCode != http.StatusMethodNotAllowed {
			v.t.Errorf("%s %s answered %d but is not in the OpenAPI document: %v", req.Method, req.URL.Path, res.StatusCode, err)
		}
		return
	}
	// `default` catches any status for the schema, but every status the server
	// gives must be listed explicitly: a client learns from the document
	// what can happen.
	if route.Operation.Responses.Status(res.StatusCode) == nil {
		v.t.Errorf("%s %s answered %d, which the OpenAPI operation %s does not list", req.Method, req.URL.Path, res.StatusCode, route.Operation.OperationID)
	}
	input := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{
			Request: req, PathParams: params, Route: route,
			Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc},
		},
		Status:  res.StatusCode,
		Header:  res.Header,
		Options: &openapi3filter.Options{IncludeResponseStatus: true, ExcludeResponseBody: mt != "application/json"},
	}
	input.SetBodyBytes(body)
	if err := openapi3filter.ValidateResponse(context.Background(), input); err != nil {
		v.t.Errorf("%s %s: response %d does not match the OpenAPI document: %v\n%.400s", req.Method, req.URL.Path, res.StatusCode, err, body)
	}
}

type netipPrefix = netip.Prefix

func mustPrefix(s string) netip.Prefix { return netip.MustParsePrefix(s) }

func stringsReader(s string) io.Reader { return strings.NewReader(s) }
