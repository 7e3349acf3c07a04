package api

import (
	"encoding/json"
	"net/http"
	"net/netip"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/studysprint/studysprint/dbgen"
)

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
