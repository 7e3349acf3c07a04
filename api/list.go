package api

import (
	"encoding/base64"
	"encoding/json"
	"math"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/studysprint/studysprint/internal/apperr"
	"github.com/studysprint/studysprint/internal/safetext"
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

// cursor is the sort key of the last item of a page; each list uses the
// fields its order needs (a time, a number, a string) plus the id.
type cursor struct {
	T  *time.Time `json:"t,omitempty"`
	N  *int64     `json:"n,omitempty"`
	S  *string    `json:"s,omitempty"`
	ID uuid.UUID  `json:"id"`
}

type page struct {
	limit int
	after *cursor
}

// fetch is the row limit to ask for: one more than the page, to learn
// whether another page follows.
func (p page) fetch() int32 { return int32(p.limit + 1) }

func (p page) afterTime() *time.Time {
	if p.after == nil {
		return nil
	}
	return p.after.T
}

func (p page) afterID() *uuid.UUID {
	if p.after == nil {
		return nil
	}
	return &p.after.ID
}

// afterInt32 is the cursor's number for an int32 sort key, clamped so a
// forged out-of-range cursor means "before the first" or "after the last".
func (p page) afterInt32() *int32 {
	if p.after == nil || p.after.N == nil {
		return nil
	}
	v := int32(max(math.MinInt32, min(math.MaxInt32, *p.after.N)))
	return &v
}

func (p page) afterString() *string {
	if p.after == nil {
		return nil
	}
	return p.after.S
}

// parsePage reads limit and cursor; need lists the cursor fields the list's
// order uses ('t', 'n', 's'), so a cursor from another list is refused.
func parsePage(c echo.Context, need string) (page, error) {
	p := page{limit: defaultPageLimit}
	if v := c.QueryParam("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxPageLimit {
			return p, apperr.Fields{"limit": "must be an integer between 1 and 200"}.Err()
		}
		p.limit = n
	}
	v := c.QueryParam("cursor")
	if v == "" {
		return p, nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(v)
	var cur cursor
	if err == nil && len(raw) <= 512 && json.Unmarshal(raw, &cur) == nil && cur.ID != uuid.Nil && cursorHas(cur, need) && (cur.S == nil || safetext.Valid(*cur.S)) {
		p.after = &cur
		return p, nil
	}
	e := errBadRequest("invalid_cursor", "the cursor is not one this list returned")
	e.Fields = map[string]string{"cursor": "is not valid"}
	return p, e
}

func cursorHas(c cursor, need string) bool {
	for _, f := range need {
		switch {
		case f == 't' && c.T == nil, f == 'n' && c.N == nil, f == 's' && c.S == nil:
			return false
		}
	}
	return true
}

// pageOf trims the extra row and makes the cursor of the next page from the
// sort key of the last row kept.
func pageOf[T any](p page, rows []T, key func(T) cursor) ([]T, *string) {
	if len(rows) <= p.limit {
		return rows, nil
	}
	rows = rows[:p.limit]
	return rows, encodeCursor(key(rows[len(rows)-1]))
}

func encodeCursor(c cursor) *string {
	raw, _ := json.Marshal(c)
	next := base64.RawURLEncoding.EncodeToString(raw)
	return &next
}

func timeCursor(t time.Time, id uuid.UUID) cursor { return cursor{T: &t, ID: id} }

//END
