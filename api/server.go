// Package api is the HTTP layer: echo wiring, middleware, the error shape, one
// file per resource, and the embedded OpenAPI document and /docs page. echo
// types never leave this package.
package api

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/studysprint/studysprint/dbgen"
	"github.com/studysprint/studysprint/internal/account"
	"github.com/studysprint/studysprint/internal/analytics"
	"github.com/studysprint/studysprint/internal/auth"
	"github.com/studysprint/studysprint/internal/database"
	estimates "github.com/studysprint/studysprint/internal/estimate/store"
	"github.com/studysprint/studysprint/internal/export"
	"github.com/studysprint/studysprint/internal/goals"
	"github.com/studysprint/studysprint/internal/koreader"
	"github.com/studysprint/studysprint/internal/koreader/importer"
	"github.com/studysprint/studysprint/internal/library"
	"github.com/studysprint/studysprint/internal/pdfinfo"
	"github.com/studysprint/studysprint/internal/ratelimit"
	"github.com/studysprint/studysprint/internal/readcache"
	"github.com/studysprint/studysprint/internal/search"
	"github.com/studysprint/studysprint/internal/storage"
	"github.com/studysprint/studysprint/internal/study"
)

// preparedReads are the read queries of the hottest list endpoints that
// the handlers run as prepared statements (database.PreparedQueries): with
// a plan made per execution, planning cost more than running them (measured
// with pgbench on the loadtest seed: the topic statistics 2,560/s planned
// each time, 9,800/s prepared; ListPDFPages 3,900/s and 17,500/s). Each is
// a chain of index lookups within one user's rows (topics, their PDFs,
// pdf_reading and exercises by key; one PDF's pages, page_stats, bookmarks
// and exercises by key range), so the generic plan PostgreSQL keeps after
// five executions is the one a custom plan would be at any table size; and
// it plans again when ANALYZE updates the statistics.
var preparedReads = []string{"ListTopics", "ListTopicStats", "GetPDFPaging", "ListPDFPages"}

// Config is what the HTTP layer needs from the service configuration.
type Config struct {
	// BodyLimit caps JSON and form request bodies, in bytes.
	BodyLimit int64
	// CORSAllowedOrigins enables CORS for these origins ("*" for any); empty disables it.
	CORSAllowedOrigins []string
	// RefreshTTL is how long a session lives without use; each refresh
	// slides it, never past SessionMaxLifetime after login.
	RefreshTTL time.Duration
	// SessionMaxLifetime is the absolute limit of a session.
	SessionMaxLifetime time.Duration
	// RefreshReuseGrace is how long after a rotation the rotated-away token
	// is still answered (with its successor) instead of counting as reuse.
	RefreshReuseGrace time.Duration
	// AuthRateLimitPerMinute limits register, login and refresh per client IP
	// (0 disables the limit).
	AuthRateLimitPerMinute int
	// UserRatePerSecond and UserRateBurst limit each signed-in user's
	// requests (a token bucket per user; 0 turns it off).
	UserRatePerSecond float64
	UserRateBurst     int
	// SearchesPerUser bounds one user's concurrent searches (429 beyond).
	SearchesPerUser int
	// ReadCacheSize is the memory of the read cache (readcache.New; 0
	// turns it off).
	ReadCacheSize int64
	// TrustedProxies are the peers whose X-Forwarded-For is believed; from
	// anyone else the header is ignored.
	TrustedProxies []netip.Prefix
	// Lockout is the brute-force policy of password checks.
	Lockout auth.Lockout
	// IPv6Prefix is how many bits of an IPv6 address name one client for
	// the per-IP limits and the lockout (default 64).
	IPv6Prefix int
	// MaxUploadBytes caps one PDF upload (413 beyond).
	MaxUploadBytes int64
	// UploadTimeout is how long an upload may take to arrive in all.
	UploadTimeout time.Duration
	// UploadGrace and UploadMinRate: after the grace period an upload must
	// have arrived at UploadMinRate bytes/s on average, or it is cut (408).
	UploadGrace   time.Duration
	UploadMinRate int64
	// UploadsPerUser and Uploads bound concurrent uploads per user (429
	// beyond) and in all (503 beyond).
	UploadsPerUser, Uploads int
	// StorageQuota is the bytes of PDFs one user may keep (413
	// quota_exceeded beyond; 0 means no limit).
	StorageQuota int64
	// UploadDir holds uploads while they are checked (on the same
	// filesystem as a local store, so storing one is a rename).
	UploadDir string
	// KOReaderMaxFileBytes caps an uploaded KOReader statistics file (413
	// beyond; default 100 MiB); KOReaderMaxBooks the books it may hold
	// (422 invalid_koreader_db too_large beyond; default 10,000).
	KOReaderMaxFileBytes int64
	KOReaderMaxBooks     int
	// SearchLanguages are the two text search configurations pages are
	// indexed with and queries normalised by (default simple and english).
	SearchLanguages [2]string
	// Version is reported by /health.
	Version string
	// MetricsToken, when set, routes GET /metrics on this handler behind
	// that bearer token (METRICS_TOKEN with METRICS_ADDR empty); empty
	// leaves /metrics unrouted here (404).
	MetricsToken string
}

// Deps are the collaborators the handlers use.
type Deps struct {
	Pool   *pgxpool.Pool
	Keys   *auth.KeySet
	Tokens *auth.Tokens
	Hasher *auth.Hasher
	// Store keeps uploaded files; Inspector reads PDFs in child processes.
	Store     storage.Store
	Inspector *pdfinfo.Inspector
	// KOReader reads uploaded KOReader statistics files in child processes.
	KOReader *koreader.Reader
	// TextNudge, when set, wakes this instance's text workers after an
	// upload queued a job (other instances find it by polling).
	TextNudge func()
	Logger    *slog.Logger
	// Now is the clock; time.Now in production, a fake in tests.
	Now func() time.Time
	// Metrics is the server's registry; nil makes a fresh one (it counts
	// either way; serving it is the caller's choice, see MetricsToken).
	Metrics *Metrics
}

type server struct {
	cfg    Config
	pool   *pgxpool.Pool
	q      *dbgen.Queries
	keys   *auth.KeySet
	tokens *auth.Tokens
	hasher *auth.Hasher
	log    *slog.Logger
	now    func() time.Time

	store     storage.Store
	inspector *pdfinfo.Inspector
	library   *library.Service
	study     *study.Service
	importer  *importer.Service
	analytics *analytics.Store
	exporter  *export.Exporter
	goals     *goals.Service
	exports   *ratelimit.Gate
	estimates *estimates.Store

	ipLimiter   *ratelimit.Limiter
	userLimiter *ratelimit.Limiter
	searcher    *search.Service
	accounts    *account.Service

	metrics *Metrics
	cache   *readcache.Cache
}

// New builds the HTTP handler with every route and middleware.
func New(cfg Config, deps Deps) (*echo.Echo, error) {
	if deps.Pool == nil || deps.Keys == nil || deps.Tokens == nil || deps.Hasher == nil || deps.Store == nil || deps.Inspector == nil || deps.KOReader == nil {
		return nil, errors.New("api: Pool, Keys, Tokens, Hasher, Store, Inspector and KOReader are required")
	}
	if cfg.SearchLanguages[0] == "" {
		cfg.SearchLanguages = [2]string{"simple", "english"}
	}
	if cfg.SearchLanguages[1] == "" {
		cfg.SearchLanguages[1] = cfg.SearchLanguages[0]
	}
	if cfg.MaxUploadBytes <= 0 {
		cfg.MaxUploadBytes = 200 << 20
	}
	if cfg.UploadTimeout <= 0 {
		cfg.UploadTimeout = 15 * time.Minute
	}
	if cfg.UploadGrace <= 0 {
		cfg.UploadGrace = 30 * time.Second
	}
	if cfg.UploadMinRate < 0 {
		cfg.UploadMinRate = 0
	}
	if cfg.UploadDir == "" {
		cfg.UploadDir = os.TempDir()
	}
	if err := os.MkdirAll(cfg.UploadDir, 0o750); err != nil {
		return nil, fmt.Errorf("api: upload directory: %w", err)
	}
	if deps.Logger == nil {
		deps.Logger = slog.New(slog.DiscardHandler)
	}
	if deps.Now == nil {
		deps.Now = time.Now
	}
	if cfg.BodyLimit <= 0 {
		cfg.BodyLimit = 1 << 20
	}
	if cfg.IPv6Prefix <= 0 || cfg.IPv6Prefix > 128 {
		cfg.IPv6Prefix = ratelimit.DefaultIPv6Prefix
	}
	clock := deps.Now
	s := &server{
		cfg: cfg, pool: deps.Pool, q: dbgen.New(database.PreparedQueries(deps.Pool, preparedReads...)), keys: deps.Keys, tokens: deps.Tokens,
		hasher: deps.Hasher, log: deps.Logger, store: deps.Store, inspector: deps.Inspector,
		// PostgreSQL keeps microseconds: times we store and echo back agree.
		now: func() time.Time { return clock().Truncate(time.Microsecond) },
	}
	s.accounts = account.NewService(account.Config{
		RefreshTTL: cfg.RefreshTTL, SessionMaxLifetime: cfg.SessionMaxLifetime, RefreshReuseGrace: cfg.RefreshReuseGrace,
		Lockout: cfg.Lockout, IPv6Prefix: cfg.IPv6Prefix,
	}, account.Deps{
		Pool: deps.Pool, Hasher: deps.Hasher, Files: deps.Store, UserPrefix: library.UserStoragePrefix, Now: clock, Log: deps.Logger,
	})
	s.library = library.NewService(library.Config{
		MaxUploadBytes: cfg.MaxUploadBytes, UploadDir: cfg.UploadDir,
		UploadsPerUser: cfg.UploadsPerUser, Uploads: cfg.Uploads, StorageQuota: cfg.StorageQuota,
	}, library.Deps{Pool: deps.Pool, Store: deps.Store, Inspector: deps.Inspector, Now: clock, Log: deps.Logger, Nudge: deps.TextNudge})
	s.estimates = estimates.New(deps.Pool, clock)
	s.study = study.NewService(deps.Pool, clock, deps.Logger, study.WithEstimator(s.estimates))
	s.importer = importer.NewService(importer.Config{
		MaxFileBytes: cfg.KOReaderMaxFileBytes, MaxBooks: cfg.KOReaderMaxBooks, UploadDir: cfg.UploadDir,
	}, importer.Deps{Pool: deps.Pool, Study: s.study, Store: deps.Store, Reader: deps.KOReader, Now: clock, Log: deps.Logger})
	s.analytics = analytics.NewStore(s.q)
	s.exporter = export.New(deps.Pool, clock)
	s.exports = ratelimit.NewGate(1)
	s.goals = goals.NewService(deps.Pool, goals.Estimates(s.estimates), clock)
	if cfg.AuthRateLimitPerMinute > 0 {
		s.ipLimiter = ratelimit.New(cfg.AuthRateLimitPerMinute, 100_000)
	}
	if cfg.UserRatePerSecond > 0 {
		s.userLimiter = ratelimit.NewRate(cfg.UserRatePerSecond, max(cfg.UserRateBurst, 1), 1_000_000)
	}
	if cfg.SearchesPerUser <= 0 {
		cfg.SearchesPerUser = 2
		s.cfg.SearchesPerUser = 2
	}
	s.searcher = search.NewService(s.q, cfg.SearchLanguages, cfg.SearchesPerUser)
	s.cache = readcache.New(cfg.ReadCacheSize)
	s.metrics = deps.Metrics
	if s.metrics == nil {
		s.metrics = NewMetrics()
	}
	s.metrics.watch(deps.Pool, deps.Hasher, s.study, s.cache, clock)

	e := echo.New()
	e.HideBanner = true
	e.HidePort = true
	e.HTTPErrorHandler = s.handleError
	e.IPExtractor = ipExtractor(cfg.TrustedProxies)

	e.Use(s.requestIDMiddleware, s.accessLogMiddleware, s.metrics.middleware, recoverMiddleware, securityHeadersMiddleware, queryTextMiddleware, s.otherWorkMiddleware)
	if len(cfg.CORSAllowedOrigins) > 0 {
		e.Use(middleware.CORSWithConfig(middleware.CORSConfig{
			AllowOrigins:  cfg.CORSAllowedOrigins,
			AllowMethods:  []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"},
			AllowHeaders:  []string{"Authorization", "Content-Type", "X-Request-ID", "If-None-Match", "Range"},
			ExposeHeaders: []string{"X-Request-ID", "Retry-After", "ETag", "Content-Range"},
			MaxAge:        600,
		}))
	}
	e.Use(bodyLimitMiddleware(cfg.BodyLimit, uploadRoute, importRoute))
	s.routes(e)
	s.metrics.routes = map[routeKey]bool{}
	for _, r := range e.Routes() {
		if !strings.HasPrefix(r.Name, "github.com/labstack/echo") { // echo's own 404/405 handlers
			s.metrics.routes[routeKey{r.Method, r.Path}] = true
		}
	}
	return e, nil
}

// routes is the whole route table; the OpenAPI test checks it against the document.
func (s *server) routes(e *echo.Echo) {
	e.GET("/health", s.health)
	e.GET("/health/db", s.healthDB)
	e.GET("/.well-known/jwks.json", s.jwks)
	e.GET("/openapi.json", s.openapiJSONHandler)
	e.GET("/openapi.yaml", s.openapiYAMLHandler)
	e.GET("/docs", s.docsIndex)
	e.GET("/docs/:file", s.docsAsset)
	if s.cfg.MetricsToken != "" {
		e.GET("/metrics", echo.WrapHandler(s.metrics.Handler()), requireMetricsToken(s.cfg.MetricsToken))
	}

	v1 := e.Group("/api/v1")
	a := v1.Group("/auth")
	a.POST("/register", s.register, s.limitByIP)
	a.POST("/login", s.login, s.limitByIP)
	a.POST("/refresh", s.refresh, s.limitByIP)
	a.POST("/logout", s.logout, s.requireAuth)
	a.POST("/logout-all", s.logoutAll, s.requireAuth)
	a.GET("/me", s.me, s.requireAuth)
	a.PATCH("/me", s.updateMe, s.requireAuth)
	a.DELETE("/me", s.deleteMe, s.requireAuth)
	a.POST("/change-password", s.changePassword, s.requireAuth)
	a.GET("/sessions", s.listSessions, s.requireAuth)
	a.DELETE("/sessions/:id", s.revokeSession, s.requireAuth)
	a.GET("/preferences", s.getPreferences, s.requireAuth)
	a.PATCH("/preferences", s.updatePreferences, s.requireAuth)
	a.POST("/preferences/reset", s.resetPreferences, s.requireAuth)
	a.GET("/events", s.listEvents, s.requireAuth)

	v1.POST("/topics", s.createTopic, s.requireAuth)
	v1.GET("/topics", s.listTopics, s.requireAuth)
	v1.GET("/topics/tree", s.topicTree, s.requireAuth)
	v1.GET("/topics/:id", s.getTopic, s.requireAuth)
	v1.PATCH("/topics/:id", s.updateTopic, s.requireAuth)
	v1.DELETE("/topics/:id", s.deleteTopic, s.requireAuth)
	v1.POST("/topics/:id/archive", s.archiveTopic, s.requireAuth)
	v1.POST("/topics/:id/restore", s.restoreTopic, s.requireAuth)

	v1.POST("/pdfs", s.uploadPDF, s.requireAuth)
	v1.GET("/pdfs", s.listPDFs, s.requireAuth)
	v1.GET("/pdfs/:id", s.getPDF, s.requireAuth)
	v1.PATCH("/pdfs/:id", s.updatePDF, s.requireAuth)
	v1.DELETE("/pdfs/:id", s.deletePDF, s.requireAuth)
	v1.GET("/pdfs/:id/file", s.downloadPDF, s.requireAuth)
	v1.HEAD("/pdfs/:id/file", s.downloadPDF, s.requireAuth)
	v1.GET("/pdfs/:id/bookmarks", s.listBookmarks, s.requireAuth)
	v1.POST("/pdfs/:id/bookmarks", s.createBookmark, s.requireAuth)
	v1.DELETE("/bookmarks/:id", s.deleteBookmark, s.requireAuth)

	v1.POST("/pdfs/:id/exercises", s.createExercise, s.requireAuth)
	v1.GET("/pdfs/:id/exercises", s.listPDFExercises, s.requireAuth)
	v1.GET("/pdfs/:id/pages/:n/exercises", s.listPageExercises, s.requireAuth)
	v1.GET("/exercises", s.listExercises, s.requireAuth)
	v1.GET("/exercises/:id", s.getExercise, s.requireAuth)
	v1.PATCH("/exercises/:id", s.updateExercise, s.requireAuth)
	v1.DELETE("/exercises/:id", s.deleteExercise, s.requireAuth)
	v1.POST("/exercises/:id/complete", s.completeExercise, s.requireAuth)
	v1.POST("/exercises/:id/reopen", s.reopenExercise, s.requireAuth)

	v1.GET("/pdfs/:id/pages", s.listPDFPages, s.requireAuth)

	v1.POST("/study-sessions", s.startStudySession, s.requireAuth)
	v1.GET("/study-sessions", s.listStudySessions, s.requireAuth)
	v1.GET("/study-sessions/current", s.currentStudySession, s.requireAuth)
	v1.GET("/study-sessions/:id", s.getStudySession, s.requireAuth)
	v1.PATCH("/study-sessions/:id", s.updateStudySession, s.requireAuth)
	v1.DELETE("/study-sessions/:id", s.deleteStudySession, s.requireAuth)
	v1.GET("/study-sessions/:id/pages", s.listStudySessionPages, s.requireAuth)
	v1.POST("/study-sessions/:id/events", s.postStudyEvents, s.requireAuth)
	v1.POST("/study-sessions/:id/pause", s.studyShortcut(study.EventPause), s.requireAuth)
	v1.POST("/study-sessions/:id/resume", s.studyShortcut(study.EventResume), s.requireAuth)
	v1.POST("/study-sessions/:id/stop", s.studyShortcut(study.EventStop), s.requireAuth)
	v1.POST("/study-sessions/:id/heartbeat", s.studyShortcut(study.EventHeartbeat), s.requireAuth)
	v1.GET("/estimates/pdfs/:id", s.estimatePDF, s.requireAuth)
	v1.GET("/estimates/topics/:id", s.estimateTopic, s.requireAuth)
	v1.GET("/estimates/library", s.estimateLibrary, s.requireAuth)
	v1.GET("/analytics/estimate-accuracy", s.estimateAccuracy, s.requireAuth)
	v1.GET("/search", s.search, s.requireAuth)

	v1.POST("/imports/koreader", s.importKOReader, s.requireAuth)
	v1.GET("/imports", s.listImports, s.requireAuth)
	v1.GET("/analytics/summary", s.analyticsSummary, s.requireAuth)
	v1.GET("/analytics/daily", s.analyticsDaily, s.requireAuth)
	v1.GET("/analytics/heatmap", s.analyticsHeatmap, s.requireAuth)
	v1.GET("/analytics/topics", s.analyticsTopics, s.requireAuth)
	v1.GET("/analytics/pace", s.analyticsPace, s.requireAuth)

	v1.POST("/goals", s.createGoal, s.requireAuth)
	v1.GET("/goals", s.listGoals, s.requireAuth)
	v1.GET("/goals/:id", s.getGoal, s.requireAuth)
	v1.PATCH("/goals/:id", s.updateGoal, s.requireAuth)
	v1.DELETE("/goals/:id", s.deleteGoal, s.requireAuth)

	v1.GET("/export", s.exportData, s.requireAuth)
}

// ipExtractor believes X-Forwarded-For only from the trusted proxies (walking
// it from the right, past trusted hops); with none configured it uses the
// direct peer address, so a client cannot choose its own IP.
func ipExtractor(trusted []netip.Prefix) echo.IPExtractor {
	if len(trusted) == 0 {
		return echo.ExtractIPDirect()
	}
	opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
	for _, p := range trusted {
		opts = append(opts, echo.TrustIPRange(prefixToIPNet(p)))
	}
	return echo.ExtractIPFromXFFHeader(opts...)
}

func prefixToIPNet(p netip.Prefix) *net.IPNet {
	p = p.Masked()
	return &net.IPNet{IP: p.Addr().AsSlice(), Mask: net.CIDRMask(p.Bits(), p.Addr().BitLen())}
}
