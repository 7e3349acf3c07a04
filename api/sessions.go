package api

import (
	"net/http"
	"net/netip"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/studysprint/studysprint/dbgen"
)

type sessionResponse struct {
	ID         uuid.UUID   `json:"id"`
	CreatedAt  time.Time   `json:"created_at"`
	LastUsedAt time.Time   `json:"last_used_at"`
	ExpiresAt  time.Time   `json:"expires_at"`
	UserAgent  string      `json:"user_agent"`
	IP         *netip.Addr `json:"ip"`
	Current    bool        `json:"current"`
}

// listSessions answers the caller's live sessions (devices), newest first,
// marking the one making the request.
func (s *server) listSessions(c echo.Context) error {
	pg, err := parsePage(c, "t")
	if err != nil {
		return err
	}
	p := principalOf(c)
	rows, err := s.q.ListLiveSessions(c.Request().Context(), dbgen.ListLiveSessionsParams{
		UserID: p.User.ID, Now: s.now(), AfterCreatedAt: pg.afterTime(), AfterID: pg.afterID(), RowLimit: pg.fetch(),
	})
	if err != nil {
		return err
	}
	rows, next := pageOf(pg, rows, func(r dbgen.UserSession) cursor { return timeCursor(r.CreatedAt, r.ID) })
	items := make([]sessionResponse, len(rows))
	for i, r := range rows {
		items[i] = sessionResponse{
			ID: r.ID, CreatedAt: utc(r.CreatedAt), LastUsedAt: utc(r.LastUsedAt), ExpiresAt: utc(r.ExpiresAt),
			UserAgent: r.UserAgent, IP: r.Ip, Current: r.ID == p.SessionID,
		}
	}
	return c.JSON(http.StatusOK, listResponse[sessionResponse]{Items: items, NextCursor: next})
}

// revokeSession ends one of the caller's live sessions. Unknown ids, ended
// sessions and other users' sessions are all 404.
func (s *server) revokeSession(c echo.Context) error {
	id, err := pathUUID(c, "id", "session")
	if err != nil {
		return err
	}
	if err := s.accounts.RevokeSession(c.Request().Context(), principalOf(c).User.ID, id, clientOf(c)); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
