package api

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"runtime/debug"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/studysprint/studysprint/dbgen"
	"github.com/studysprint/studysprint/internal/auth"
	"github.com/studysprint/studysprint/internal/safetext"
)

const (
	ctxRequestID = "request_id"
	ctxLogger    = "logger"
	ctxPrincipal = "principal"
)

// requestIDMiddleware honours a sane incoming X-Request-ID (so a proxy's id
// links the logs) and otherwise makes one; either way it is echoed on the
// response and attached to every log line of the request.
func (s *server) requestIDMiddleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		id := c.Request().Header.Get(echo.HeaderXRequestID)
		if !validRequestID(id) {
			id = uuid.NewString()
		}
		c.Set(ctxRequestID, id)
		c.Set(ctxLogger, s.log.With("request_id", id))
		c.Response().Header().Set(echo.HeaderXRequestID, id)
		return next(c)
	}
}

func validRequestID(id string) bool {
	if id == "" || len(id) > 128 {
		return false
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.' || r == ':') {
			return false
		}
	}
	return true
}

func requestID(c echo.Context) string {
	id, _ := c.Get(ctxRequestID).(string)
	return id
}

func requestLogger(c echo.Context) *slog.Logger {
	if l, ok := c.Get(ctxLogger).(*slog.Logger); ok {
		return l
	}
	return slog.Default()
}

// accessLogMiddleware writes one line per request once the answer (or the
// error answer) is written.
func (s *server) accessLogMiddleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		if err != nil {
			c.Error(err) // writes the error answer so its status is logged
		}
		req, res := c.Request(), c.Response()
		// Typed attributes (LogAttrs): the same line without boxing each
		// value, on the one path every request takes.
		attrs := make([]slog.Attr, 0, 8)
		attrs = append(attrs,
			slog.String("method", req.Method),
			slog.String("path", req.URL.Path),
			slog.String("route", c.Path()),
			slog.Int("status", res.Status),
			slog.Float64("duration_ms", float64(time.Since(start).Microseconds())/1000),
			slog.Int64("bytes_out", res.Size),
			slog.String("remote_ip", c.RealIP()),
		)
		if p := principalOf(c); p != nil {
			attrs = append(attrs, slog.String("user_id", p.User.ID.String()))
		}
		level := slog.LevelInfo
		switch {
		case res.Status == http.StatusInternalServerError:
			level = slog.LevelError
		case res.Status >= 500:
			level = slog.LevelWarn
		case req.URL.Path == "/health" || req.URL.Path == "/health/db":
			level = slog.LevelDebug
		}
		requestLogger(c).LogAttrs(req.Context(), level, "request", attrs...)
		return nil
	}
}

// recoverMiddleware turns a panic in a handler into a logged 500.
func recoverMiddleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) (err error) {
		defer func() {
			if r := recover(); r != nil {
				if r == http.ErrAbortHandler {
					panic(r)
				}
				requestLogger(c).Error("panic", "panic", r, "stack", string(debug.Stack()))
				err = errInternal(nil)
			}
		}()
		return next(c)
	}
}

// bodyLimitMiddleware refuses bodies over limit: at once when Content-Length
// says so, otherwise when reading passes it (MaxBytesError → 413). Routes in
// exempt set their own limit.
func bodyLimitMiddleware(limit int64, exempt ...string) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			req := c.Request()
			for _, route := range exempt {
				if c.Path() == route && req.Method == http.MethodPost {
					return next(c)
				}
			}
			if req.ContentLength > limit {
				return errTooLarge(limit)
			}
			if req.Body != nil && req.Body != http.NoBody {
				req.Body = http.MaxBytesReader(c.Response(), req.Body, limit)
			}
			return next(c)
		}
	}
}

// securityHeadersMiddleware sets conservative headers for an API; /docs
// relaxes the content security policy for its own assets.
func securityHeadersMiddleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
		h.Set("Cache-Control", "no-store")
		return next(c)
	}
}

// queryTextMiddleware refuses a query string that is not safe text: a
// malformed escape (which url.Query would drop silently), invalid UTF-8 or
// NUL in a name or a value. Each is a 400 naming the parameter, before any
// handler reads it.
func queryTextMiddleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		raw := c.Request().URL.RawQuery
		if raw == "" {
			return next(c)
		}
		values, err := url.ParseQuery(raw)
		if err != nil {
			e := errBadRequest("malformed_query", "the query string has a malformed escape")
			e.Fields = map[string]string{"query": "has a malformed % escape"}
			return e
		}
		for name, vs := range values {
			if !safetext.Valid(name) {
				e := errBadRequest("malformed_query", "a query parameter name is not valid UTF-8 or holds NUL")
				e.Fields = map[string]string{"query": "has a parameter name that is not valid text"}
				return e
			}
			for _, v := range vs {
				if !safetext.Valid(v) {
					e := errBadRequest("malformed_query", fmt.Sprintf("query parameter %q is not valid UTF-8 or holds NUL", name))
					e.Fields = map[string]string{name: "must be valid UTF-8 without NUL characters"}
					return e
				}
			}
		}
		return next(c)
	}
}

// principal is the authenticated caller.
type principal struct {
	User      dbgen.User
	SessionID uuid.UUID
}

func principalOf(c echo.Context) *principal {
	p, _ := c.Get(ctxPrincipal).(*principal)
	return p
}

// requireAuth verifies the bearer token, then checks on every request that
// its session is live and its user active (account.Service.Authenticate).
func (s *server) requireAuth(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		scheme, token, ok := strings.Cut(c.Request().Header.Get(echo.HeaderAuthorization), " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
			return errUnauthorized("missing_token", "send an access token: Authorization: Bearer <token>")
		}
		claims, err := s.tokens.Verify(strings.TrimSpace(token))
		switch {
		case errors.Is(err, auth.ErrTokenExpired):
			return errUnauthorized("token_expired", "the access token has expired; refresh it")
		case err != nil:
			return errUnauthorized("invalid_token", "the access token is not valid")
		}
		user, err := s.accounts.Authenticate(c.Request().Context(), claims.UserID, claims.SessionID)
		if err != nil {
			return err
		}
		c.Set(ctxPrincipal, &principal{User: user, SessionID: claims.SessionID})
		if s.userLimiter != nil {
			if ok, retry := s.userLimiter.Allow(user.ID.String(), s.now()); !ok {
				return errTooMany("rate_limited", "too many requests from this account; slow down", retry)
			}
		}
		return next(c)
	}
}

// limitByIP applies the per-client-IP limit of the credential endpoints.
func (s *server) limitByIP(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if s.ipLimiter != nil {
			if ok, retry := s.ipLimiter.Allow(s.clientNetworkKey(c), s.now()); !ok {
				return errTooMany("rate_limited", "too many requests from this address; slow down", retry)
			}
		}
		return next(c)
	}
}

// isPasswordRoute reports the routes whose work is a bcrypt computation.
func isPasswordRoute(method, route string) bool {
	switch route {
	case "/api/v1/auth/register", "/api/v1/auth/login", "/api/v1/auth/change-password":
		return method == http.MethodPost
	case "/api/v1/auth/me":
		return method == http.MethodDelete
	}
	return false
}

// otherWorkMiddleware tells the Hasher while a request that does no
// password work is in flight: an adaptive Hasher then holds a bcrypt slot
// back for it (two atomic adds per request).
func (s *server) otherWorkMiddleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if isPasswordRoute(c.Request().Method, c.Path()) {
			return next(c)
		}
		s.hasher.OtherStarted()
		defer s.hasher.OtherDone()
		return next(c)
	}
}
