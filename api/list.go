package api

import (
	"encoding/base64"
	"encoding/json"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"
)

// Lists take ?limit= (default 50, max 200) and an opaque ?cursor=, and answer
// {"items": [...], "next_cursor": "..."|null}. Cursors are keyset positions
// (the sort key of the last item), so pages stay stable while rows are added.
const (
	defaultPageLimit = 50
	maxPageLimit     = 200
)

type listResponse[T any] struct {
	Items      []T     `json:"items"`
	NextCursor *string `json:"next_cursor"`
}

type page struct {
	limit     int
	afterTime *time.Time
	afterID   *uuid.UUID
}

// fetch is the row limit to ask for: one more than the page, to learn
// whether another page follows.
func (p page) fetch() int32 { return int32(p.limit + 1) }

type cursorPayload struct {
	T  time.Time `json:"t"`
	ID uuid.UUID `json:"id"`
}

func parsePage(c echo.Context) (page, error) {
	p := page{limit: defaultPageLimit}
	if v := c.QueryParam("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxPageLimit {
			return p, fieldErrors{"limit": "must be an integer between 1 and 200"}.err()
		}
		p.limit = n
	}
	if v := c.QueryParam("cursor"); v != "" {
		raw, err := base64.RawURLEncoding.DecodeString(v)
		var cur cursorPayload
		if err != nil || len(raw) > 256 || json.Unmarshal(raw, &cur) != nil || cur.T.IsZero() || cur.ID == uuid.Nil {
			e := errBadRequest("invalid_cursor", "the cursor is not one this API returned")
			e.Fields = map[string]string{"cursor": "is not valid"}
			return p, e
		}
		p.afterTime, p.afterID = &cur.T, &cur.ID
	}
	return p, nil
}

// pageOf trims the extra row and makes the cursor of the next page.
func pageOf[T any](p page, rows []T, key func(T) (time.Time, uuid.UUID)) ([]T, *string) {
	if len(rows) <= p.limit {
		return rows, nil
	}
	rows = rows[:p.limit]
	t, id := key(rows[len(rows)-1])
	raw, _ := json.Marshal(cursorPayload{T: t, ID: id})
	next := base64.RawURLEncoding.EncodeToString(raw)
	return rows, &next
}
