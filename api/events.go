package api

import (
	"context"
	"encoding/json"
	"net/http"
	"net/netip"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/studysprint/studysprint/dbgen"
)

// Security event kinds (security_events_kind_check lists the same).
const (
	eventLoginSucceeded     = "login_succeeded"
	eventLoginFailed        = "login_failed"
	eventAccountLocked      = "account_locked"
	eventRefreshTokenReused = "refresh_token_reused"
	eventPasswordChanged    = "password_changed"
	eventEmailChanged       = "email_changed"
	eventSessionRevoked     = "session_revoked"
	eventAccountDeleted     = "account_deleted"
)

// recordEvent appends a security event for the user, with the request's IP
// and user agent, inside the caller's transaction (ctx is the transaction's).
func (s *server) recordEvent(ctx context.Context, c echo.Context, q *dbgen.Queries, userID uuid.UUID, kind string, sessionID *uuid.UUID, detail map[string]any) error {
	return s.recordEventAt(ctx, c, q, s.now(), userID, kind, sessionID, detail)
}

// recordEventAt is recordEvent for something that happened at a given time.
func (s *server) recordEventAt(ctx context.Context, c echo.Context, q *dbgen.Queries, at time.Time, userID uuid.UUID, kind string, sessionID *uuid.UUID, detail map[string]any) error {
	if detail == nil {
		detail = map[string]any{}
	}
	raw, err := json.Marshal(detail)
	if err != nil {
		return err
	}
	return q.CreateSecurityEvent(ctx, dbgen.CreateSecurityEventParams{
		UserID: userID, Kind: kind, Now: at, Ip: clientIP(c), UserAgent: userAgent(c), SessionID: sessionID, Detail: raw,
	})
}

type eventResponse struct {
	ID        uuid.UUID       `json:"id"`
	Kind      string          `json:"kind"`
	CreatedAt time.Time       `json:"created_at"`
	IP        *netip.Addr     `json:"ip"`
	UserAgent string          `json:"user_agent"`
	SessionID *uuid.UUID      `json:"session_id"`
	Detail    json.RawMessage `json:"detail"`
}

// listEvents answers the caller's security events, newest first.
func (s *server) listEvents(c echo.Context) error {
	pg, err := parsePage(c, "t")
	if err != nil {
		return err
	}
	p := principalOf(c)
	rows, err := s.q.ListSecurityEvents(c.Request().Context(), dbgen.ListSecurityEventsParams{
		UserID: p.User.ID, AfterCreatedAt: pg.afterTime(), AfterID: pg.afterID(), RowLimit: pg.fetch(),
	})
	if err != nil {
		return err
	}
	rows, next := pageOf(pg, rows, func(e dbgen.SecurityEvent) cursor { return timeCursor(e.CreatedAt, e.ID) })
	items := make([]eventResponse, len(rows))
	for i, e := range rows {
		items[i] = eventResponse{ID: e.ID, Kind: e.Kind, CreatedAt: utc(e.CreatedAt), IP: e.Ip, UserAgent: e.UserAgent, SessionID: e.SessionID, Detail: e.Detail}
	}
	return c.JSON(http.StatusOK, listResponse[eventResponse]{Items: items, NextCursor: next})
}
