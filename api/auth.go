package api

import (
	"errors"
	"net/http"
	"net/netip"
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

	hash, err := s.hasher.Hash(req.Password)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	var user dbgen.User
	var session dbgen.UserSession
	var refresh string
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
		session, refresh, err = s.createSession(c, q, user.ID)
		return err
	})
	if err != nil {
		return err
	}
	return s.respondTokens(c, http.StatusCreated, user, session.ID, refresh)
}

type loginRequest struct {
	Email    string `json:"email"`
	Username string `json:"username"`
	Password string `json:"password"`
}

// login accepts JSON {email|username, password} or an OAuth2 password-grant
// form (username may hold the email), which is what the /docs Authorize
// button sends. Wrong credentials cost one bcrypt comparison whether or not
// the account exists.
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
	var err error
	if utf8.RuneCountInString(login) <= account.MaxEmailLength {
		user, err = s.q.GetUserByLogin(ctx, login)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
	}
	// user.PasswordHash is "" when no account matched: Verify then burns the
	// same bcrypt time on a dummy hash.
	password := req.Password
	if len(password) > auth.MaxPasswordBytes {
		password, user.PasswordHash = password[:auth.MaxPasswordBytes], ""
	}
	if !s.hasher.Verify(user.PasswordHash, password) {
		return errUnauthorized("invalid_credentials", "the email, username or password is wrong")
	}
	if !user.IsActive {
		return errUnauthorized("account_disabled", "this account is disabled")
	}

	var session dbgen.UserSession
	var refresh string
	err = database.InTx(ctx, s.pool, func(q *dbgen.Queries) error {
		now := s.now()
		if err := q.RecordUserLogin(ctx, dbgen.RecordUserLoginParams{UserID: user.ID, Now: now}); err != nil {
			return err
		}
		user.LastLoginAt = &now
		var err error
		session, refresh, err = s.createSession(c, q, user.ID)
		return err
	})
	if err != nil {
		return err
	}
	return s.respondTokens(c, http.StatusOK, user, session.ID, refresh)
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

// me answers the caller's own account.
func (s *server) me(c echo.Context) error {
	return c.JSON(http.StatusOK, toUserResponse(principalOf(c).User))
}

// createSession inserts a session row for a new login and returns the raw
// refresh token (only its hash is stored).
func (s *server) createSession(c echo.Context, q *dbgen.Queries, userID uuid.UUID) (dbgen.UserSession, string, error) {
	token, hash := auth.NewRefreshToken()
	now := s.now()
	var ip *netip.Addr
	if addr, err := netip.ParseAddr(c.RealIP()); err == nil {
		addr = addr.Unmap()
		ip = &addr
	}
	session, err := q.CreateSession(c.Request().Context(), dbgen.CreateSessionParams{
		UserID: userID, RefreshTokenHash: hash, UserAgent: truncateUTF8(c.Request().UserAgent(), 512),
		Ip: ip, Now: now, ExpiresAt: now.Add(s.cfg.RefreshTTL),
	})
	return session, token, err
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

func utc(t time.Time) time.Time { return t.UTC() }

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}
