package api

import (
	"errors"
	"math"
	"net/netip"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/studysprint/studysprint/internal/account"
	"github.com/studysprint/studysprint/internal/apperr"
	"github.com/studysprint/studysprint/internal/ratelimit"
	"github.com/studysprint/studysprint/internal/safetext"
)

// Small helpers shared by the resource files: times, ids and addresses.

func utc(t time.Time) time.Time { return t.UTC() }

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

func ceilSeconds(d time.Duration) int { return int(math.Ceil(d.Seconds())) }

func retryAfterHeader(d time.Duration) string { return strconv.Itoa(max(1, ceilSeconds(d))) }

// parseID reads an id in its canonical form only (safetext.ParseID).
func parseID(s string) (uuid.UUID, bool) { return safetext.ParseID(s) }

// pathUUID parses an id path parameter; a malformed id names nothing, so it
// is a 404 like an unknown one.
func pathUUID(c echo.Context, name, what string) (uuid.UUID, error) {
	id, ok := parseID(c.Param(name))
	if !ok {
		return uuid.Nil, apperr.NotFoundf(what)
	}
	return id, nil
}

// queryUUID reads an optional id query parameter (nil when absent); a
// malformed one is a 422 naming it.
func queryUUID(c echo.Context, name, what string) (*uuid.UUID, error) {
	v := c.QueryParam(name)
	if v == "" {
		return nil, nil
	}
	id, ok := parseID(v)
	if !ok {
		return nil, apperr.Field(name, "must be "+what+" id")
	}
	return &id, nil
}

// clientNetworkKey is the rate-limit key of the caller: its IPv4 address or
// IPv6 /64 (configurable), so one home connection is one client.
func (s *server) clientNetworkKey(c echo.Context) string {
	a, err := netip.ParseAddr(c.RealIP())
	if err != nil {
		return c.RealIP()
	}
	return ratelimit.Network(a, s.cfg.IPv6Prefix).String()
}

// clientOf is who is asking, for the workflows: the client address (after
// trusted proxies) and the user agent, repaired to safe text.
func clientOf(c echo.Context) account.Client {
	return account.NewClient(c.RealIP(), c.Request().UserAgent())
}

// boolQuery reads an optional true/false query parameter (1/0 and t/f too);
// anything else is a 422 naming it.
func boolQuery(c echo.Context, name string) (bool, error) {
	v := c.QueryParam(name)
	if v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, apperr.Fields{name: "must be true or false"}.Err()
	}
	return b, nil
}

// queryTime reads an optional RFC 3339 time query parameter.
func queryTime(c echo.Context, name string) (*time.Time, error) {
	v := c.QueryParam(name)
	if v == "" {
		return nil, nil
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return nil, errors.New("must be a time like 2026-12-01T08:00:00Z")
	}
	return &t, nil
}

func itoa(i int) string { return strconv.Itoa(i) }
