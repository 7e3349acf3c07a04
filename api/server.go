// Package api is the HTTP layer: echo wiring, middleware, the error shape, one
// file per resource, and the embedded OpenAPI document and /docs page. echo
// types never leave this package.
package api

import (
	"errors"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/studysprint/studysprint/dbgen"
	"github.com/studysprint/studysprint/internal/auth"
)

// Config is what the HTTP layer needs from the service configuration.
type Config struct {
	// BodyLimit caps JSON and form request bodies, in bytes.
	BodyLimit int64
	// CORSAllowedOrigins enables CORS for these origins ("*" for any); empty disables it.
	CORSAllowedOrigins []string
	// RefreshTTL is how long a session (its refresh token) lives.
	RefreshTTL time.Duration
	// Version is reported by /health.
	Version string
}

// Deps are the collaborators the handlers use.
type Deps struct {
	Pool   *pgxpool.Pool
	Keys   *auth.KeySet
	Tokens *auth.Tokens
	Hasher *auth.Hasher
	Logger *slog.Logger
	// Now is the clock; time.Now in production, a fake in tests.
	Now func() time.Time
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

	openapiJSON []byte
	openapiYAML []byte
}

// New builds the HTTP handler with every route and middleware.
func New(cfg Config, deps Deps) (*echo.Echo, error) {
	if deps.Pool == nil || deps.Keys == nil || deps.Tokens == nil || deps.Hasher == nil {
		return nil, errors.New("api: Pool, Keys, Tokens and Hasher are required")
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
	if cfg.RefreshTTL <= 0 {
		cfg.RefreshTTL = 30 * 24 * time.Hour
	}
	clock := deps.Now
	s := &server{
		cfg: cfg, pool: deps.Pool, q: dbgen.New(deps.Pool), keys: deps.Keys, tokens: deps.Tokens,
		hasher: deps.Hasher, log: deps.Logger,
		// PostgreSQL keeps microseconds: times we store and echo back agree.
		now: func() time.Time { return clock().Truncate(time.Microsecond) },
	}
	var err error
	if s.openapiJSON, s.openapiYAML, err = loadOpenAPI(); err != nil {
		return nil, err
	}

	e := echo.New()
	e.HideBanner = true
	e.HidePort = true
	e.HTTPErrorHandler = s.handleError
	// Never trust client-sent X-Forwarded-For / X-Real-IP by default.
	e.IPExtractor = echo.ExtractIPDirect()

	e.Use(s.requestIDMiddleware, s.accessLogMiddleware, recoverMiddleware, securityHeadersMiddleware)
	if len(cfg.CORSAllowedOrigins) > 0 {
		e.Use(middleware.CORSWithConfig(middleware.CORSConfig{
			AllowOrigins:  cfg.CORSAllowedOrigins,
			AllowMethods:  []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"},
			AllowHeaders:  []string{"Authorization", "Content-Type", "X-Request-ID", "If-None-Match", "Range"},
			ExposeHeaders: []string{"X-Request-ID", "Retry-After", "ETag", "Content-Range"},
			MaxAge:        600,
		}))
	}
	e.Use(bodyLimitMiddleware(cfg.BodyLimit))
	s.routes(e)
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

	v1 := e.Group("/api/v1")
	a := v1.Group("/auth")
	a.POST("/register", s.register)
	a.POST("/login", s.login)
	a.GET("/me", s.me, s.requireAuth)
}
