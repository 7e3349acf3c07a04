// Package export writes all of one user's data — account (without secrets),
// preferences, topics, PDFs' metadata, bookmarks, exercises, study sessions
// and their events, page statistics, goals, devices and security events —
// as one JSON document or as a zip of CSV files, one per table.
//
// It streams: rows are read in keyset batches inside one read-only,
// repeatable-read transaction (one snapshot for the whole file) and written
// out as they come, so memory stays flat however long the history. The
// columns of each table are listed in the SQL (sql/queries/export.sql),
// which builds each row as a JSON object; nothing secret can appear in an
// export unless it is written there. Every query filters by the user.
package export

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/studysprint/studysprint/dbgen"
	"github.com/studysprint/studysprint/internal/apperr"
)

// Format is the shape of an export.
type Format string

// The formats.
const (
	JSON Format = "json" // one JSON object, a key per table
	CSV  Format = "csv"  // a zip with one CSV file per table
)

// Formats lists every format, for validation and the API document.
var Formats = []Format{JSON, CSV}

// ParseFormat checks a requested format.
func ParseFormat(s string) (Format, error) {
	for _, f := range Formats {
		if string(f) == s {
			return f, nil
		}
	}
	return "", apperr.Field("format", "must be json or csv")
}

// batch is the rows read per query.
const batch = 2000

// A sink receives the tables in order; rows are JSON objects whose keys
// come in the order the SQL lists them.
type sink interface {
	begin(table string, single bool) error
	row(doc []byte) error
	end() error
	close() error
}

// emitFunc passes one row to the sink.
type emitFunc func(doc []byte) error

// Table is one part of an export.
type Table struct {
	// Name is the key in the JSON document and the CSV file's name.
	Name string
	// Single is true for a table with one row (the account, preferences):
	// an object in the JSON document rather than an array.
	Single bool
	// Sources are the database tables the part is read from (for the test
	// that every user-owned table is exported or deliberately left out).
	Sources []string
	read    func(ctx context.Context, q *dbgen.Queries, userID uuid.UUID, emit emitFunc) error
}

// Exporter writes exports.
type Exporter struct {
	pool   *pgxpool.Pool
	now    func() time.Time
	tables []Table
}

// New returns an exporter over pool.
func New(pool *pgxpool.Pool, now func() time.Time) *Exporter {
	if now == nil {
		now = time.Now
	}
	return &Exporter{pool: pool, now: now, tables: Tables()}
}

// Write writes userID's export in format f to w. Once it has started
// writing, an error leaves w with an incomplete document (a JSON document
// without its end, a zip without its directory), which no reader accepts as
// whole; the caller aborts the response.
func (x *Exporter) Write(ctx context.Context, userID uuid.UUID, f Format, w io.Writer) error {
	tx, err := x.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return fmt.Errorf("export: begin: %w", err)
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	q := dbgen.New(tx)
	if err := q.SetExportTimeZone(ctx); err != nil {
		return fmt.Errorf("export: time zone: %w", err)
	}
	// The account must exist: a deleted one exports nothing.
	if _, err := q.ExportAccount(ctx, userID); errors.Is(err, pgx.ErrNoRows) {
		return apperr.New(apperr.Unauthenticated, "account_deleted", "this account no longer exists")
	} else if err != nil {
		return fmt.Errorf("export: account: %w", err)
	}
	var s sink
	switch f {
	case JSON:
		s = newJSONSink(w, x.now().UTC(), userID)
	case CSV:
		s = newCSVSink(w, x.now().UTC())
	default:
		return apperr.Field("format", "must be json or csv")
	}
	for _, t := range x.tables {
		if err := s.begin(t.Name, t.Single); err != nil {
			return err
		}
		if err := t.read(ctx, q, userID, s.row); err != nil {
			return fmt.Errorf("export %s: %w", t.Name, err)
		}
		if err := s.end(); err != nil {
			return err
		}
	}
	return s.close()
}

// keyset reads a table in batches: fetch returns the rows after a key, key
// gives a row's key, and each row goes to each. A short batch is the last.
func keyset[K, R any](first K, fetch func(after K) ([]R, error), key func(R) K, each func(R) error) error {
	after := first
	for {
		rows, err := fetch(after)
		if err != nil {
			return err
		}
		for _, r := range rows {
			if err := each(r); err != nil {
				return err
			}
		}
		if len(rows) < batch {
			return nil
		}
		after = key(rows[len(rows)-1])
	}
}

// timeKey is the key of a table paged by (time, id).
type timeKey struct {
	at time.Time
	id uuid.UUID
}

var (
	// newest is above every key of a descending (time, id) order.
	newest = timeKey{time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC), uuid.Max}
	// oldest is below every key of an ascending (time, id) order.
	oldest = timeKey{time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC), uuid.Nil}
)
