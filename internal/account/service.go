package account

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/netip"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/studysprint/studysprint/dbgen"
	"github.com/studysprint/studysprint/internal/apperr"
	"github.com/studysprint/studysprint/internal/auth"
	"github.com/studysprint/studysprint/internal/database"
	"github.com/studysprint/studysprint/internal/ratelimit"
	"github.com/studysprint/studysprint/internal/safetext"
)

// Client is who is asking, as far as the service keeps it: the client's
// address (after trusted proxies) and its user agent. Any caller can make
// one: the HTTP layer from the request, a CLI or a job with a zero value.
type Client struct {
	IP        *netip.Addr
	UserAgent string
}

// MaxUserAgent is how much of a user agent is kept (bytes).
const MaxUserAgent = 512

// NewClient makes a Client from raw values: the address is unmapped (an
// IPv4-mapped IPv6 address is IPv4) and the user agent is repaired (valid
// UTF-8, no control characters) and cut to MaxUserAgent bytes.
func NewClient(ip string, userAgent string) Client {
	c := Client{UserAgent: safetext.Header(userAgent, MaxUserAgent)}
	if a, err := netip.ParseAddr(ip); err == nil {
		a = a.Unmap().WithZone("")
		c.IP = &a
	}
	return c
}

// Config is the session and lockout policy.
type Config struct {
	// RefreshTTL is how long a session lives without use; each refresh
	// slides it, never past SessionMaxLifetime after login.
	RefreshTTL         time.Duration
	SessionMaxLifetime time.Duration
	// RefreshReuseGrace is how long after a rotation the rotated-away token
	// is still answered (with its successor) instead of counting as reuse.
	RefreshReuseGrace time.Duration
	Lockout           auth.Lockout
	// IPv6Prefix is how many bits of an IPv6 address name one client network.
	IPv6Prefix int
}

func (c Config) withDefaults() Config {
	if c.RefreshTTL <= 0 {
		c.RefreshTTL = 30 * 24 * time.Hour
	}
	if c.SessionMaxLifetime < c.RefreshTTL {
		c.SessionMaxLifetime = max(c.RefreshTTL, 90*24*time.Hour)
	}
	if c.RefreshReuseGrace <= 0 {
		c.RefreshReuseGrace = 10 * time.Second
	}
	c.Lockout = c.Lockout.WithDefaults()
	if c.IPv6Prefix <= 0 || c.IPv6Prefix > 128 {
		c.IPv6Prefix = ratelimit.DefaultIPv6Prefix
	}
	return c
}

// FileRemover deletes stored files by key prefix (the blob store).
type FileRemover interface {
	DeletePrefix(ctx context.Context, prefix string) error
}

// Service holds the account and session workflows: registration, login with
// the lockout, refresh-token rotation, logout, profile and password changes,
// account deletion. Every method takes plain values and a Client.
type Service struct {
	pool   *pgxpool.Pool
	q      *dbgen.Queries
	hasher *auth.Hasher
	cfg    Config
	files  FileRemover
	// UserPrefix names the stored files of a user (for deletion).
	userPrefix func(uuid.UUID) string
	now        func() time.Time
	log        *slog.Logger
}

// Deps are the Service's collaborators.
type Deps struct {
	Pool   *pgxpool.Pool
	Hasher *auth.Hasher
	// Files and UserPrefix remove a deleted account's stored files; nil
	// Files skips that (the orphan sweeper then does it).
	Files      FileRemover
	UserPrefix func(uuid.UUID) string
	Now        func() time.Time
	Log        *slog.Logger
}

// NewService returns the account workflows.
func NewService(cfg Config, d Deps) *Service {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	clock := d.Now
	return &Service{
		// The per-request session check behind every authenticated route is
		// two unique-key lookups whatever the tables hold (its generic plan
		// is that even on an empty, never-analysed database): prepared once
		// per connection, not planned per request. BENCHMARKS.md, load test:
		// GET /auth/me went from 0.46 to 0.68 of the floor's throughput.
		pool: d.Pool, q: dbgen.New(database.PreparedQueries(d.Pool, "GetActiveSessionUser")), hasher: d.Hasher, cfg: cfg.withDefaults(), files: d.Files, userPrefix: d.UserPrefix,
		// PostgreSQL keeps microseconds: times we store and hand back agree.
		now: func() time.Time { return clock().Truncate(time.Microsecond) },
		log: d.Log,
	}
}

// Config returns the policy in effect (defaults filled in).
func (s *Service) Config() Config { return s.cfg }

// network is the unit the lockout counts a client by; a client without a
// known address counts as the unspecified address.
func (s *Service) network(cl Client) netip.Prefix {
	if cl.IP == nil {
		return netip.PrefixFrom(netip.IPv6Unspecified(), 128)
	}
	return ratelimit.Network(*cl.IP, s.cfg.IPv6Prefix)
}

// EventKind is the kind of a security event (security_events_kind_check).
type EventKind string

// Security event kinds.
const (
	EventLoginSucceeded     EventKind = "login_succeeded"
	EventLoginFailed        EventKind = "login_failed"
	EventAccountLocked      EventKind = "account_locked"
	EventRefreshTokenReused EventKind = "refresh_token_reused"
	EventPasswordChanged    EventKind = "password_changed"
	EventEmailChanged       EventKind = "email_changed"
	EventSessionRevoked     EventKind = "session_revoked"
	EventAccountDeleted     EventKind = "account_deleted"
)

// EventKinds lists every kind; a test keeps it equal to the CHECK constraint.
var EventKinds = []EventKind{
	EventLoginSucceeded, EventLoginFailed, EventAccountLocked, EventRefreshTokenReused,
	EventPasswordChanged, EventEmailChanged, EventSessionRevoked, EventAccountDeleted,
}

// RevokeReason says why a session ended (user_sessions_revoke_reason_check).
type RevokeReason string

// Revoke reasons.
const (
	RevokeTokenReused     RevokeReason = "refresh_token_reused"
	RevokeLogout          RevokeReason = "logout"
	RevokeLogoutAll       RevokeReason = "logout_all"
	RevokeByUser          RevokeReason = "revoked_by_user"
	RevokePasswordChanged RevokeReason = "password_changed"
)

// RevokeReasons lists every reason; a test keeps it equal to the CHECK constraint.
var RevokeReasons = []RevokeReason{RevokeTokenReused, RevokeLogout, RevokeLogoutAll, RevokeByUser, RevokePasswordChanged}

// recordEvent appends a security event inside the caller's transaction.
func (s *Service) recordEvent(ctx context.Context, q *dbgen.Queries, cl Client, userID uuid.UUID, kind EventKind, sessionID *uuid.UUID, detail map[string]any) error {
	if detail == nil {
		detail = map[string]any{}
	}
	raw, err := json.Marshal(detail)
	if err != nil {
		return err
	}
	return q.CreateSecurityEvent(ctx, dbgen.CreateSecurityEventParams{
		UserID: userID, Kind: string(kind), Now: s.now(), Ip: cl.IP,
		UserAgent: safetext.Header(cl.UserAgent, MaxUserAgent), SessionID: sessionID, Detail: raw,
	})
}

// errBookkeeping is the answer when a security record cannot be written: the
// request does not succeed (fail closed), and the client may retry.
func errBookkeeping(err error) error {
	e := apperr.Retry(apperr.Unavailable, "try_again", "the attempt could not be recorded; try again in a moment", 2*time.Second)
	e.Cause = err
	return e
}

// Errors of the session workflows.
var (
	ErrInvalidCredentials = apperr.New(apperr.Unauthenticated, "invalid_credentials", "the email, username or password is wrong")
	ErrAccountDisabled    = apperr.New(apperr.Unauthenticated, "account_disabled", "this account is disabled")
	ErrInvalidRefresh     = apperr.New(apperr.Unauthenticated, "invalid_refresh_token", "the refresh token is not valid; log in again")
	ErrSessionExpired     = apperr.New(apperr.Unauthenticated, "session_expired", "this session has ended; log in again")
	ErrSessionRevoked     = apperr.New(apperr.Unauthenticated, "session_revoked", "this session has ended; log in again")
	ErrRefreshReused      = apperr.New(apperr.Unauthenticated, "refresh_token_reused", "this refresh token was already used; the session is ended; log in again")
	ErrSessionEndedReuse  = apperr.New(apperr.Unauthenticated, "refresh_token_reused", "this session was ended because a refresh token was used twice; log in again")
)
