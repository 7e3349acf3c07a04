package api

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
)

// cachedJSON answers an authenticated GET from the read cache when the
// entry for this user and URL was computed at the library version the
// session check just read (users.library_version, which the database moves
// with every change the answer depends on; see internal/readcache), and
// otherwise runs build, answers with its result and keeps it. A request with
// Cache-Control: no-cache (or Pragma: no-cache) skips the lookup; its answer
// is kept all the same. Errors are never kept.
//
// The key is the user and the request URI as sent, so everything an answer
// depends on besides the stored rows (path parameters, filters, cursor,
// limit, ?pretty) is in it; build must not read anything else of the
// request, and only state that the library version covers.
func (s *server) cachedJSON(c echo.Context, build func(ctx context.Context) (any, error)) error {
	if s.cache == nil {
		v, err := build(c.Request().Context())
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, v)
	}
	req := c.Request()
	user := principalOf(c).User
	owner, key := user.ID.String(), req.URL.RequestURI()
	route := c.Path()
	if noCache(req.Header) {
		s.metrics.readCache(route, "bypass")
	} else if body, ok := s.cache.Get(owner, key, user.LibraryVersion); ok {
		s.metrics.readCache(route, "hit")
		return c.JSONBlob(http.StatusOK, body)
	} else {
		s.metrics.readCache(route, "miss")
	}
	v, err := build(req.Context())
	if err != nil {
		return err
	}
	body, err := encodeJSON(c, v)
	if err != nil {
		return err
	}
	s.cache.Put(owner, key, user.LibraryVersion, body)
	return c.JSONBlob(http.StatusOK, body)
}

// encodeJSON is the body c.JSON would write: encoding/json with a trailing
// newline, indented under ?pretty or echo's debug mode.
func encodeJSON(c echo.Context, v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	if _, pretty := c.QueryParams()["pretty"]; pretty || c.Echo().Debug {
		enc.SetIndent("", "  ")
	}
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// noCache reports a request that asks for an answer fresh from the
// database (RFC 9111 §5.2.1.4; Pragma for HTTP/1.0 clients).
func noCache(h http.Header) bool {
	for _, v := range h.Values("Cache-Control") {
		for d := range strings.SplitSeq(v, ",") {
			if strings.EqualFold(strings.TrimSpace(d), "no-cache") {
				return true
			}
		}
	}
	return strings.EqualFold(strings.TrimSpace(h.Get("Pragma")), "no-cache")
}
