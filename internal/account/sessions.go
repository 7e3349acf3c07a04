package account

import (
	"context"
	"errors"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/studysprint/studysprint/dbgen"
	"github.com/studysprint/studysprint/internal/apperr"
	"github.com/studysprint/studysprint/internal/auth"
	"github.com/studysprint/studysprint/internal/database"
)

// Session is a signed-in session: its user, id and current raw refresh
// token (only its hash is stored).
type Session struct {
	User         dbgen.User
	ID           uuid.UUID
	RefreshToken string
}

// Registration is what a new account gives.
type Registration struct {
	Email, Username, Password string
	FullName, Timezone        *string
}

// Register validates the fields, creates the account, its preferences and a
// first session in one transaction.
func (s *Service) Register(ctx context.Context, r Registration, cl Client) (Session, error) {
	fe := apperr.Fields{}
	email, err := NormalizeEmail(r.Email)
	fe.Check("email", err)
	username, err := NormalizeUsername(r.Username)
	fe.Check("username", err)
	fullName, timezone := "", "UTC"
	if r.FullName != nil {
		fullName, err = NormalizeFullName(*r.FullName)
		fe.Check("full_name", err)
	}
	if r.Timezone != nil {
		timezone, err = NormalizeTimezone(*r.Timezone)
		fe.Check("timezone", err)
	}
	fe.Check("password", auth.CheckPassword(r.Password, email, username))
	if err := fe.Err(); err != nil {
		return Session{}, err
	}
	hash, err := s.hasher.Hash(ctx, r.Password)
	if err != nil {
		return Session{}, err
	}
	var out Session
	err = database.InTx(ctx, s.pool, func(q *dbgen.Queries) error {
		var err error
		out.User, err = q.CreateUser(ctx, dbgen.CreateUserParams{
			Email: email, Username: username, FullName: fullName, Timezone: timezone, PasswordHash: hash,
		})
		if err != nil {
			return err
		}
		if err := q.CreateUserPreferences(ctx, out.User.ID); err != nil {
			return err
		}
		if out.ID, out.RefreshToken, err = s.createSession(ctx, q, out.User.ID, cl); err != nil {
			return err
		}
		return s.recordEvent(ctx, q, cl, out.User.ID, EventLoginSucceeded, &out.ID, map[string]any{"via": "register"})
	})
	return out, err
}

// Login checks a password for an email or username. The attempt is counted
// before the password is checked (auth.Lockout): past the limit the answer
// is 429 whether or not the account exists, and a wrong password costs the
// same work and the same writes for a real and an unknown identifier, all
// before the answer. If the attempt cannot be counted or the failure cannot
// be recorded, the login does not succeed (fail closed).
func (s *Service) Login(ctx context.Context, login, password string, via string, cl Client) (Session, error) {
	var user dbgen.User
	found := false
	if utf8.RuneCountInString(login) <= MaxEmailLength {
		var err error
		user, err = s.q.GetUserByLogin(ctx, login)
		switch {
		case err == nil:
			found = true
		case !errors.Is(err, pgx.ErrNoRows):
			return Session{}, err
		}
	}
	key := auth.IdentifierHash(login)
	if err := s.checkPassword(ctx, key, user, found, password, via, cl); err != nil {
		return Session{}, err
	}
	if !user.IsActive {
		return Session{}, ErrAccountDisabled
	}
	var out Session
	err := database.InTx(ctx, s.pool, func(q *dbgen.Queries) error {
		now := s.now()
		if err := q.ClearLoginAttempts(ctx, dbgen.ClearLoginAttemptsParams{IdentifierHash: key, Network: s.network(cl)}); err != nil {
			return err
		}
		if err := q.RecordUserLogin(ctx, dbgen.RecordUserLoginParams{UserID: user.ID, Now: now}); err != nil {
			return err
		}
		user.LastLoginAt = &now
		var err error
		if out.ID, out.RefreshToken, err = s.createSession(ctx, q, user.ID, cl); err != nil {
			return err
		}
		return s.recordEvent(ctx, q, cl, user.ID, EventLoginSucceeded, &out.ID, map[string]any{"via": via})
	})
	out.User = user
	return out, err
}

// checkPassword runs one counted password check for the identifier key:
// count (refuse past the limits), verify, and on a wrong password record the
// failure. user is the account when found (its PasswordHash is "" otherwise,
// and Verify then compares against a dummy hash at the same cost).
func (s *Service) checkPassword(ctx context.Context, key []byte, user dbgen.User, found bool, password, via string, cl Client) error {
	// Neither the count nor the failure record may be lost when the client
	// hangs up at the wrong moment.
	bookCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	l := s.cfg.Lockout
	now := s.now()
	network := s.network(cl)
	var attempt auth.Attempt
	err := database.InTx(bookCtx, s.pool, func(q *dbgen.Queries) error {
		net, err := q.CountLoginAttempt(bookCtx, dbgen.CountLoginAttemptParams{
			IdentifierHash: key, Network: network, Now: now, WindowFloor: l.WindowFloor(now),
		})
		if err != nil {
			return err
		}
		attempt.NetworkAttempts, attempt.NetworkWindowStart = int(net.Attempts), net.WindowStart
		if attempt.NetworkAttempts > l.MaxFailures {
			return nil // refused for its network: the identifier's ceiling is not touched
		}
		ident, err := q.CountIdentifierAttempt(bookCtx, dbgen.CountIdentifierAttemptParams{
			IdentifierHash: key, Now: now, WindowFloor: l.IdentifierWindowFloor(now),
			Ceiling: int32(l.IdentifierCeiling), Delays: l.Delays(),
		})
		attempt.IdentifierAllowed, attempt.IdentifierNext = ident.LastLetThrough, ident.NextAllowedAt
		return err
	})
	if err != nil {
		return errBookkeeping(err)
	}
	if refusal := l.Decide(attempt, now); refusal != nil {
		msg := "too many password attempts from your network; try again later"
		if !refusal.Network {
			msg = "too many password attempts for this login; wait before trying again"
		}
		return apperr.Retry(apperr.TooMany, "too_many_attempts", msg, refusal.RetryAfter)
	}
	ok, err := s.hasher.Verify(ctx, user.PasswordHash, password)
	if err != nil {
		return err
	}
	if ok && found {
		return nil
	}
	var userID *uuid.UUID
	if found {
		userID = &user.ID
	}
	if err := s.q.RecordLoginFailure(bookCtx, dbgen.RecordLoginFailureParams{
		IdentifierHash: key, Network: network, UserID: userID, Now: now, Ip: cl.IP,
		UserAgent: cl.UserAgent, Via: via, MaxFailures: int32(l.MaxFailures),
	}); err != nil {
		return errBookkeeping(err)
	}
	return ErrInvalidCredentials
}

// Reauthenticate checks the password of a signed-in user before a sensitive
// change, under the same lockout as login (keyed by the user). A wrong
// password is a field error on field.
func (s *Service) Reauthenticate(ctx context.Context, user dbgen.User, password, field string, cl Client) error {
	err := s.checkPassword(ctx, auth.ReauthIdentifierHash(user.ID.String()), user, true, password, "current_password", cl)
	if errors.Is(err, ErrInvalidCredentials) {
		return apperr.Field(field, "is incorrect")
	}
	return err
}

// createSession inserts a session for a new login with its first refresh token.
func (s *Service) createSession(ctx context.Context, q *dbgen.Queries, userID uuid.UUID, cl Client) (uuid.UUID, string, error) {
	now := s.now()
	absolute := now.Add(s.cfg.SessionMaxLifetime)
	session, err := q.CreateSession(ctx, dbgen.CreateSessionParams{
		UserID: userID, RefreshSecret: auth.NewSessionSecret(), UserAgent: cl.UserAgent, Ip: cl.IP,
		Now: now, ExpiresAt: minTime(now.Add(s.cfg.RefreshTTL), absolute), AbsoluteExpiresAt: absolute,
	})
	if err != nil {
		return uuid.Nil, "", err
	}
	token, err := s.issueRefreshToken(ctx, q, session.ID, userID)
	return session.ID, token, err
}

// issueRefreshToken stores a fresh random refresh token as the session's live one.
func (s *Service) issueRefreshToken(ctx context.Context, q *dbgen.Queries, sessionID, userID uuid.UUID) (string, error) {
	token, hash := auth.NewRefreshToken()
	err := q.CreateRefreshToken(ctx, dbgen.CreateRefreshTokenParams{TokenHash: hash, SessionID: sessionID, UserID: userID, Now: s.now()})
	return token, err
}

// Refresh rotates a refresh token: the live token is exchanged for its
// successor; the token rotated away within RefreshReuseGrace gets that same
// successor again (two tabs, a retried request); any other reuse revokes the
// whole session (ErrRefreshReused). The session row is locked, so concurrent
// refreshes of one session run one after the other. The work is not
// cancelled with the caller: hanging up must not roll back a revocation.
func (s *Service) Refresh(ctx context.Context, token string, cl Client) (Session, error) {
	if token == "" {
		return Session{}, apperr.Field("refresh_token", "is required")
	}
	if !auth.WellFormedRefreshToken(token) {
		return Session{}, ErrInvalidRefresh
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	presentedHash := auth.HashRefreshToken(token)
	var out Session
	reused := false
	err := database.InTx(ctx, s.pool, func(q *dbgen.Queries) error {
		row, err := q.GetRefreshTokenForUpdate(ctx, presentedHash)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrInvalidRefresh
		}
		if err != nil {
			return err
		}
		now := s.now()
		sess := row.UserSession
		out.User, out.ID = row.User, sess.ID
		var successorHash []byte
		out.RefreshToken, successorHash = auth.DeriveRefreshToken(sess.RefreshSecret, token)
		st := auth.RefreshState{RotatedAt: row.RotatedAt, SessionRevoked: sess.RevokedAt != nil, SessionExpires: sess.ExpiresAt}
		if row.RotatedAt != nil {
			if st.SuccessorLive, err = q.CheckLiveRefreshToken(ctx, dbgen.CheckLiveRefreshTokenParams{
				TokenHash: successorHash, SessionID: sess.ID, UserID: sess.UserID,
			}); err != nil {
				return err
			}
		}
		switch auth.DecideRefresh(st, now, s.cfg.RefreshReuseGrace) {
		case auth.RefreshSessionEnded:
			if sess.RevokeReason != nil && RevokeReason(*sess.RevokeReason) == RevokeTokenReused {
				return ErrSessionEndedReuse
			}
			return ErrSessionExpired
		case auth.RefreshReuse:
			reused = true
			if _, err := q.RevokeSession(ctx, dbgen.RevokeSessionParams{SessionID: sess.ID, UserID: sess.UserID, Now: now, Reason: string(RevokeTokenReused)}); err != nil {
				return err
			}
			return s.recordEvent(ctx, q, cl, sess.UserID, EventRefreshTokenReused, &sess.ID, map[string]any{
				"token_issued_at": row.IssuedAt.UTC(), "token_rotated_at": utcPtr(row.RotatedAt),
			})
		case auth.RefreshRotate:
			if !out.User.IsActive {
				return ErrAccountDisabled
			}
			n, err := q.RotateRefreshToken(ctx, dbgen.RotateRefreshTokenParams{TokenHash: presentedHash, UserID: sess.UserID, Now: now})
			if err != nil {
				return err
			}
			if n != 1 {
				return errors.New("refresh token changed under the session lock")
			}
			if err := q.CreateRefreshToken(ctx, dbgen.CreateRefreshTokenParams{
				TokenHash: successorHash, SessionID: sess.ID, UserID: sess.UserID, Now: now,
			}); err != nil {
				return err
			}
		case auth.RefreshRepeat:
			if !out.User.IsActive {
				return ErrAccountDisabled
			}
		}
		return q.ExtendSession(ctx, dbgen.ExtendSessionParams{
			SessionID: sess.ID, UserID: sess.UserID, Now: now, ExpiresAt: now.Add(s.cfg.RefreshTTL),
		})
	})
	if err != nil {
		return Session{}, err
	}
	if reused {
		return Session{}, ErrRefreshReused
	}
	return out, nil
}

// Logout ends one session of the user (the caller's own).
func (s *Service) Logout(ctx context.Context, userID, sessionID uuid.UUID, cl Client) error {
	return database.InTx(ctx, s.pool, func(q *dbgen.Queries) error {
		if _, err := q.RevokeSession(ctx, dbgen.RevokeSessionParams{SessionID: sessionID, UserID: userID, Now: s.now(), Reason: string(RevokeLogout)}); err != nil {
			return err
		}
		return s.recordEvent(ctx, q, cl, userID, EventSessionRevoked, &sessionID, map[string]any{"reason": RevokeLogout})
	})
}

// LogoutAll ends every session of the user, the current one included.
func (s *Service) LogoutAll(ctx context.Context, userID, currentID uuid.UUID, cl Client) error {
	return database.InTx(ctx, s.pool, func(q *dbgen.Queries) error {
		ids, err := q.RevokeUserSessions(ctx, dbgen.RevokeUserSessionsParams{UserID: userID, Now: s.now(), Reason: string(RevokeLogoutAll)})
		if err != nil {
			return err
		}
		return s.recordEvent(ctx, q, cl, userID, EventSessionRevoked, &currentID, map[string]any{"reason": RevokeLogoutAll, "sessions": len(ids)})
	})
}

// RevokeSession ends one of the user's live sessions; unknown ids, ended
// sessions and other users' sessions are all not found.
func (s *Service) RevokeSession(ctx context.Context, userID, sessionID uuid.UUID, cl Client) error {
	return database.InTx(ctx, s.pool, func(q *dbgen.Queries) error {
		n, err := q.RevokeSession(ctx, dbgen.RevokeSessionParams{SessionID: sessionID, UserID: userID, Now: s.now(), Reason: string(RevokeByUser)})
		if err != nil {
			return err
		}
		if n == 0 {
			return apperr.NotFoundf("session")
		}
		return s.recordEvent(ctx, q, cl, userID, EventSessionRevoked, &sessionID, map[string]any{"reason": RevokeByUser})
	})
}

// sessionTouchInterval limits last_used_at writes to one per session per minute.
const sessionTouchInterval = time.Minute

// Authenticate checks, for a verified access token, that its session is
// neither revoked nor expired and its user is active (a revoked session
// stops working at once, not when the token expires), and returns the user.
func (s *Service) Authenticate(ctx context.Context, userID, sessionID uuid.UUID) (dbgen.User, error) {
	now := s.now()
	row, err := s.q.GetActiveSessionUser(ctx, dbgen.GetActiveSessionUserParams{SessionID: sessionID, UserID: userID, Now: now})
	if errors.Is(err, pgx.ErrNoRows) {
		return dbgen.User{}, ErrSessionRevoked
	}
	if err != nil {
		return dbgen.User{}, err
	}
	if now.Sub(row.SessionLastUsedAt) > sessionTouchInterval {
		if err := s.q.TouchSession(ctx, dbgen.TouchSessionParams{SessionID: sessionID, UserID: userID, Now: now}); err != nil {
			s.log.Warn("touch session", "err", err)
		}
	}
	return row.User, nil
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}
