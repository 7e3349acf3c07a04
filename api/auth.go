package api

import (
	"context"
	"errors"
	"math"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/labstack/echo/v4"

	"github.com/studysprint/studysprint/dbgen"
	"github.com/studysprint/studysprint/internal/account"
	"github.com/studysprint/studysprint/internal/auth"
	"github.com/studysprint/studysprint/internal/database"
)

// userResponse is the public view of an account: never the password hash.
type userResponse struct {
	ID          uuid.UUID  `json:"id"`
	Email       string     `json:"email"`
	Username    string     `json:"username"`
	FullName    string     `json:"full_name"`
	Timezone    string     `json:"timezone"`
	CreatedAt   time.Time  `json:"created_at"`
	LastLoginAt *time.Time `json:"last_login_at"`
}

func toUserResponse(u dbgen.User) userResponse {
	return userResponse{
		ID: u.ID, Email: u.Email, Username: u.Username, FullName: u.FullName, Timezone: u.Timezone,
		CreatedAt: utc(u.CreatedAt), LastLoginAt: utcPtr(u.LastLoginAt),
	}
}

type tokenResponse struct {
	User         userResponse `json:"user"`
	AccessToken  string       `json:"access_token"`
	RefreshToken string       `json:"refresh_token"`
	TokenType    string       `json:"token_type"`
	ExpiresIn    int          `json:"expires_in"`
}

type registerRequest struct {
	Email    string  `json:"email"`
	Username string  `json:"username"`
	Password string  `json:"password"`
	FullName *string `json:"full_name"`
	Timezone *string `json:"timezone"`
}

// register creates the account, its preferences and a first session in one
// transaction and answers with a token pair.
func (s *server) register(c echo.Context) error {
	var req registerRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	fe := fieldErrors{}
	email, err := account.NormalizeEmail(req.Email)
	fe.check("email", err)
	username, err := account.NormalizeUsername(req.Username)
	fe.check("username", err)
	fullName, timezone := "", "UTC"
	if req.FullName != nil {
		fullName, err = account.NormalizeFullName(*req.FullName)
		fe.check("full_name", err)
	}
	if req.Timezone != nil {
		timezone, err = account.NormalizeTimezone(*req.Timezone)
		fe.check("timezone", err)
	}
	fe.check("password", auth.CheckPassword(req.Password, email, username))
	if err := fe.err(); err != nil {
		return err
	}

	ctx := c.Request().Context()
	hash, err := s.hasher.Hash(ctx, req.Password)
	if err != nil {
		return err
	}
	var user dbgen.User
	var session newSession
	err = database.InTx(ctx, s.pool, func(q *dbgen.Queries) error {
		var err error
		user, err = q.CreateUser(ctx, dbgen.CreateUserParams{
			Email: email, Username: username, FullName: fullName, Timezone: timezone, PasswordHash: hash,
		})
		if err != nil {
			return err
		}
		if err := q.CreateUserPreferences(ctx, user.ID); err != nil {
			return err
		}
		if session, err = s.createSession(c, q, user.ID); err != nil {
			return err
		}
		return s.recordEvent(ctx, c, q, user.ID, eventLoginSucceeded, &session.id, map[string]any{"via": "register"})
	})
	if err != nil {
		return err
	}
	return s.respondTokens(c, http.StatusCreated, user, session.id, session.refreshToken)
}

type loginRequest struct {
	Email    string `json:"email"`
	Username string `json:"username"`
	Password string `json:"password"`
}

// login accepts JSON {email|username, password} or an OAuth2 password-grant
// form (username may hold the email), which is what the /docs Authorize
// button sends. Wrong credentials cost one bcrypt comparison whether or not
// the account exists. After Lockout.MaxFailures failures within the window
// the account answers 429 until the window passes.
func (s *server) login(c echo.Context) error {
	if err := requireMediaType(c, echo.MIMEApplicationJSON, echo.MIMEApplicationForm); err != nil {
		return err
	}
	var req loginRequest
	if mt, _ := mediaType(c.Request()); mt == echo.MIMEApplicationForm {
		if err := bindLoginForm(c, &req); err != nil {
			return err
		}
	} else if err := decodeJSON(c.Request().Body, &req); err != nil {
		return err
	}

	login := strings.TrimSpace(req.Email)
	fe := fieldErrors{}
	switch {
	case login != "" && strings.TrimSpace(req.Username) != "":
		fe.add("email", "send either email or username, not both")
	case login == "":
		login = strings.TrimSpace(req.Username)
		if login == "" {
			fe.add("username", "email or username is required")
		}
	}
	if req.Password == "" {
		fe.add("password", "is required")
	}
	if err := fe.err(); err != nil {
		return err
	}

	ctx := c.Request().Context()
	var user dbgen.User
	found := false
	if utf8.RuneCountInString(login) <= account.MaxEmailLength {
		var err error
		user, err = s.q.GetUserByLogin(ctx, login)
		switch {
		case err == nil:
			found = true
		case !errors.Is(err, pgx.ErrNoRows):
			return err
		}
	}
	// Both paths do the same work before answering, so the answer takes as
	// long whether or not the account exists: the lockout query (for no
	// account it finds nothing), then one bcrypt comparison (user.PasswordHash
	// is "" when no account matched, and Verify then uses a dummy hash).
	if err := s.checkLockout(c, user.ID); err != nil {
		return err
	}
	ok, err := s.hasher.Verify(ctx, user.PasswordHash, req.Password)
	if err != nil {
		return err
	}
	if !ok {
		wrong := errUnauthorized("invalid_credentials", "the email, username or password is wrong")
		if !found {
			return wrong
		}
		// Answer first, then count the failure: recording it is a write the
		// unknown-account path does not do, and must not show in the timing.
		// The connection reads no further request until this handler returns.
		at := s.now()
		s.handleError(wrong, c)
		c.Response().Flush()
		if err := s.recordLoginFailure(c, user.ID, "login", at); err != nil {
			requestLogger(c).Error("record login failure", "err", err)
		}
		return nil
	}
	if !user.IsActive {
		return errUnauthorized("account_disabled", "this account is disabled")
	}

	var session newSession
	err = database.InTx(ctx, s.pool, func(q *dbgen.Queries) error {
		now := s.now()
		if err := q.ClearLoginFailures(ctx, user.ID); err != nil {
			return err
		}
		if err := q.RecordUserLogin(ctx, dbgen.RecordUserLoginParams{UserID: user.ID, Now: now}); err != nil {
			return err
		}
		user.LastLoginAt = &now
		var err error
		if session, err = s.createSession(c, q, user.ID); err != nil {
			return err
		}
		return s.recordEvent(ctx, c, q, user.ID, eventLoginSucceeded, &session.id, map[string]any{"via": "password"})
	})
	if err != nil {
		return err
	}
	return s.respondTokens(c, http.StatusOK, user, session.id, session.refreshToken)
}

// checkLockout answers 429 with Retry-After while the account has had too
// many failed password checks within the window.
func (s *server) checkLockout(c echo.Context, userID uuid.UUID) error {
	now := s.now()
	recent, err := s.q.GetRecentLoginFailures(c.Request().Context(), dbgen.GetRecentLoginFailuresParams{
		UserID: userID, Since: s.cfg.Lockout.Since(now), MaxFailures: int32(s.cfg.Lockout.MaxFailures),
	})
	if err != nil {
		return err
	}
	if locked, retry := s.cfg.Lockout.Check(int(recent.Failures), recent.Oldest, now); locked {
		return errTooMany("account_locked", "too many failed logins for this account; try again later", retry)
	}
	return nil
}

// recordLoginFailure counts a wrong password (tried at now) against the
// account and logs the security events (login_failed, and account_locked
// when this one locks it).
//
// It does not stop when the client goes away: disconnecting as soon as the
// answer arrives must not keep a wrong guess from counting.
func (s *server) recordLoginFailure(c echo.Context, userID uuid.UUID, via string, now time.Time) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(c.Request().Context()), 10*time.Second)
	defer cancel()
	return database.InTx(ctx, s.pool, func(q *dbgen.Queries) error {
		if err := q.RecordLoginFailure(ctx, dbgen.RecordLoginFailureParams{UserID: userID, Now: now, Ip: clientIP(c)}); err != nil {
			return err
		}
		if err := s.recordEventAt(ctx, c, q, now, userID, eventLoginFailed, nil, map[string]any{"via": via}); err != nil {
			return err
		}
		recent, err := q.GetRecentLoginFailures(ctx, dbgen.GetRecentLoginFailuresParams{
			UserID: userID, Since: s.cfg.Lockout.Since(now), MaxFailures: int32(s.cfg.Lockout.MaxFailures),
		})
		if err != nil {
			return err
		}
		if locked, retry := s.cfg.Lockout.Check(int(recent.Failures), recent.Oldest, now); locked {
			return s.recordEventAt(ctx, c, q, now, userID, eventAccountLocked, nil, map[string]any{"retry_after_seconds": ceilSeconds(retry)})
		}
		return nil
	})
}

// bindLoginForm reads an OAuth2 password-grant form. Fields other than
// grant_type, username and password (scope, client_id, ...) are ignored, as
// OAuth2 clients send them.
func bindLoginForm(c echo.Context, req *loginRequest) error {
	r := c.Request()
	if err := r.ParseForm(); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return errTooLarge(mbe.Limit)
		}
		return errBadRequest("malformed_form", "the form body could not be parsed")
	}
	if gt := r.PostForm.Get("grant_type"); gt != "" && gt != "password" {
		e := errBadRequest("unsupported_grant_type", "only grant_type=password is supported here")
		e.Fields = map[string]string{"grant_type": "must be password"}
		return e
	}
	req.Username = r.PostForm.Get("username")
	req.Password = r.PostForm.Get("password")
	return nil
}

type refreshRequest struct {
	RefreshToken string `json:"refresh_token"`
}

// refresh rotates the refresh token: the live token is exchanged for its
// successor; the token rotated away within RefreshReuseGrace gets that same
// successor again (two tabs, a retried request); any other reuse revokes the
// whole session and answers 401 refresh_token_reused. The session row is
// locked, so concurrent refreshes of one session run one after the other.
func (s *server) refresh(c echo.Context) error {
	var req refreshRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	if req.RefreshToken == "" {
		return fieldErrors{"refresh_token": "is required"}.err()
	}
	invalid := errUnauthorized("invalid_refresh_token", "the refresh token is not valid; log in again")
	if !auth.WellFormedRefreshToken(req.RefreshToken) {
		return invalid
	}
	// Not cancelled with the request: a client hanging up must not roll back
	// the revocation of a session whose token was reused.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(c.Request().Context()), 10*time.Second)
	defer cancel()
	presentedHash := auth.HashRefreshToken(req.RefreshToken)
	var (
		user      dbgen.User
		sessionID uuid.UUID
		successor string
		reused    bool
	)
	err := database.InTx(ctx, s.pool, func(q *dbgen.Queries) error {
		row, err := q.GetRefreshTokenForUpdate(ctx, presentedHash)
		if errors.Is(err, pgx.ErrNoRows) {
			return invalid
		}
		if err != nil {
			return err
		}
		now := s.now()
		sess := row.UserSession
		user, sessionID = row.User, sess.ID
		var successorHash []byte
		successor, successorHash = auth.DeriveRefreshToken(sess.RefreshSecret, req.RefreshToken)
		st := auth.RefreshState{RotatedAt: row.RotatedAt, SessionRevoked: sess.RevokedAt != nil, SessionExpires: sess.ExpiresAt}
		if row.RotatedAt != nil {
			if st.SuccessorLive, err = q.IsLiveRefreshToken(ctx, dbgen.IsLiveRefreshTokenParams{
				TokenHash: successorHash, SessionID: sess.ID, UserID: sess.UserID,
			}); err != nil {
				return err
			}
		}
		switch auth.DecideRefresh(st, now, s.cfg.RefreshReuseGrace) {
		case auth.RefreshSessionEnded:
			if sess.RevokedAt != nil && sess.RevokeReason != nil && *sess.RevokeReason == revokeReasonReuse {
				return errUnauthorized("refresh_token_reused", "this session was ended because a refresh token was used twice; log in again")
			}
			return errUnauthorized("session_expired", "this session has ended; log in again")
		case auth.RefreshReuse:
			reused = true
			if _, err := q.RevokeSession(ctx, dbgen.RevokeSessionParams{SessionID: sess.ID, UserID: sess.UserID, Now: now, Reason: revokeReasonReuse}); err != nil {
				return err
			}
			return s.recordEvent(ctx, c, q, sess.UserID, eventRefreshTokenReused, &sess.ID, map[string]any{
				"token_issued_at": utc(row.IssuedAt), "token_rotated_at": utcPtr(row.RotatedAt),
			})
		case auth.RefreshRotate:
			if !user.IsActive {
				return errUnauthorized("account_disabled", "this account is disabled")
			}
			n, err := q.RotateRefreshToken(ctx, dbgen.RotateRefreshTokenParams{TokenHash: presentedHash, UserID: sess.UserID, Now: now})
			if err != nil {
				return err
			}
			if n != 1 {
				return errInternal(errors.New("refresh token changed under the session lock"))
			}
			if err := q.CreateRefreshToken(ctx, dbgen.CreateRefreshTokenParams{
				TokenHash: successorHash, SessionID: sess.ID, UserID: sess.UserID, Now: now,
			}); err != nil {
				return err
			}
		case auth.RefreshRepeat:
			if !user.IsActive {
				return errUnauthorized("account_disabled", "this account is disabled")
			}
		}
		return q.ExtendSession(ctx, dbgen.ExtendSessionParams{
			SessionID: sess.ID, UserID: sess.UserID, Now: now, ExpiresAt: now.Add(s.cfg.RefreshTTL),
		})
	})
	if err != nil {
		return err
	}
	if reused {
		return errUnauthorized("refresh_token_reused", "this refresh token was already used; the session is ended; log in again")
	}
	return s.respondTokens(c, http.StatusOK, user, sessionID, successor)
}

const (
	revokeReasonReuse       = "refresh_token_reused"
	revokeReasonLogout      = "logout"
	revokeReasonLogoutAll   = "logout_all"
	revokeReasonByUser      = "revoked_by_user"
	revokeReasonPasswordChg = "password_changed"
)

// logout ends the caller's session.
func (s *server) logout(c echo.Context) error {
	p := principalOf(c)
	ctx := c.Request().Context()
	err := database.InTx(ctx, s.pool, func(q *dbgen.Queries) error {
		if _, err := q.RevokeSession(ctx, dbgen.RevokeSessionParams{SessionID: p.SessionID, UserID: p.User.ID, Now: s.now(), Reason: revokeReasonLogout}); err != nil {
			return err
		}
		return s.recordEvent(ctx, c, q, p.User.ID, eventSessionRevoked, &p.SessionID, map[string]any{"reason": revokeReasonLogout})
	})
	if err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// logoutAll ends every session of the caller, this one included.
func (s *server) logoutAll(c echo.Context) error {
	p := principalOf(c)
	ctx := c.Request().Context()
	err := database.InTx(ctx, s.pool, func(q *dbgen.Queries) error {
		ids, err := q.RevokeUserSessions(ctx, dbgen.RevokeUserSessionsParams{UserID: p.User.ID, Now: s.now(), Reason: revokeReasonLogoutAll})
		if err != nil {
			return err
		}
		return s.recordEvent(ctx, c, q, p.User.ID, eventSessionRevoked, &p.SessionID, map[string]any{"reason": revokeReasonLogoutAll, "sessions": len(ids)})
	})
	if err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// me answers the caller's own account.
func (s *server) me(c echo.Context) error {
	return c.JSON(http.StatusOK, toUserResponse(principalOf(c).User))
}

// newSession is a just-created session and its first (raw) refresh token.
type newSession struct {
	id           uuid.UUID
	refreshToken string
}

// createSession inserts a session row for a new login with its first
// refresh token (only the token's hash is stored).
func (s *server) createSession(c echo.Context, q *dbgen.Queries, userID uuid.UUID) (newSession, error) {
	ctx := c.Request().Context()
	now := s.now()
	absolute := now.Add(s.cfg.SessionMaxLifetime)
	session, err := q.CreateSession(ctx, dbgen.CreateSessionParams{
		UserID: userID, RefreshSecret: auth.NewSessionSecret(), UserAgent: userAgent(c), Ip: clientIP(c),
		Now: now, ExpiresAt: minTime(now.Add(s.cfg.RefreshTTL), absolute), AbsoluteExpiresAt: absolute,
	})
	if err != nil {
		return newSession{}, err
	}
	token, err := s.issueRefreshToken(c, q, session.ID, userID)
	return newSession{id: session.ID, refreshToken: token}, err
}

// issueRefreshToken stores a fresh random refresh token as the session's live one.
func (s *server) issueRefreshToken(c echo.Context, q *dbgen.Queries, sessionID, userID uuid.UUID) (string, error) {
	token, hash := auth.NewRefreshToken()
	err := q.CreateRefreshToken(c.Request().Context(), dbgen.CreateRefreshTokenParams{
		TokenHash: hash, SessionID: sessionID, UserID: userID, Now: s.now(),
	})
	return token, err
}

func (s *server) respondTokens(c echo.Context, status int, user dbgen.User, sessionID uuid.UUID, refresh string) error {
	access, _, err := s.tokens.Issue(user.ID, sessionID)
	if err != nil {
		return err
	}
	return c.JSON(status, tokenResponse{
		User: toUserResponse(user), AccessToken: access, RefreshToken: refresh,
		TokenType: "Bearer", ExpiresIn: int(s.tokens.TTL().Seconds()),
	})
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

// sessionTouchInterval limits last_used_at writes to one per session per minute.
const sessionTouchInterval = time.Minute

// requireAuth verifies the bearer token and then checks, on every request,
// that its session is neither revoked nor expired and its user is active: a
// revoked session stops working at once, not when the token expires.
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
		ctx := c.Request().Context()
		now := s.now()
		row, err := s.q.GetActiveSessionUser(ctx, dbgen.GetActiveSessionUserParams{
			SessionID: claims.SessionID, UserID: claims.UserID, Now: now,
		})
		if errors.Is(err, pgx.ErrNoRows) {
			return errUnauthorized("session_revoked", "this session has ended; log in again")
		}
		if err != nil {
			return err
		}
		if now.Sub(row.SessionLastUsedAt) > sessionTouchInterval {
			if err := s.q.TouchSession(ctx, dbgen.TouchSessionParams{SessionID: claims.SessionID, UserID: claims.UserID, Now: now}); err != nil {
				requestLogger(c).Warn("touch session", "err", err)
			}
		}
		c.Set(ctxPrincipal, &principal{User: row.User, SessionID: claims.SessionID})
		return next(c)
	}
}

// limitByIP applies the per-client-IP limit of the credential endpoints.
func (s *server) limitByIP(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if s.ipLimiter != nil {
			if ok, retry := s.ipLimiter.Allow(c.RealIP(), s.now()); !ok {
				return errTooMany("rate_limited", "too many requests from this address; slow down", retry)
			}
		}
		return next(c)
	}
}

func clientIP(c echo.Context) *netip.Addr {
	addr, err := netip.ParseAddr(c.RealIP())
	if err != nil {
		return nil
	}
	addr = addr.Unmap()
	return &addr
}

func userAgent(c echo.Context) string { return truncateUTF8(c.Request().UserAgent(), 512) }

func truncateUTF8(s string, max int) string {
	if len(s) <= max {
		return s
	}
	s = s[:max]
	for len(s) > 0 && !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s
}

func ceilSeconds(d time.Duration) int { return int(math.Ceil(d.Seconds())) }

func retryAfterHeader(d time.Duration) string { return strconv.Itoa(max(1, ceilSeconds(d))) }

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

func utc(t time.Time) time.Time { return t.UTC() }

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}
