package koreader

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"

	"github.com/ncruces/go-sqlite3"
)

const (
	childEnv     = "STUDYSPRINT_KOREADER_CHILD"
	childMemEnv  = "STUDYSPRINT_KOREADER_MEMORY"
	childCPUEnv  = "STUDYSPRINT_KOREADER_CPU_SECONDS"
	childRowsEnv = "STUDYSPRINT_KOREADER_MAX_ROWS"
)

// RunChildIfRequested turns this process into a statistics reading child
// when a Reader started it, and exits; otherwise it returns at once. Call
// it first in main and in TestMain of packages whose tests read statistics
// files.
func RunChildIfRequested() {
	if os.Getenv(childEnv) != "1" {
		return
	}
	if len(os.Args) != 2 {
		os.Exit(2)
	}
	mem := limitSelf()
	maxRows, err := strconv.ParseInt(os.Getenv(childRowsEnv), 10, 64)
	if err != nil || maxRows < 1 {
		os.Exit(2)
	}
	w := bufio.NewWriterSize(os.Stdout, 64<<10)
	if werr := readStatistics(w, os.Args[1], mem, maxRows); werr != nil {
		_ = json.NewEncoder(w).Encode(record{Error: werr})
	}
	if w.Flush() != nil {
		os.Exit(1)
	}
	os.Exit(0)
}

// limitSelf applies the memory and CPU limits to this child process and
// returns the memory limit.
func limitSelf() int64 {
	mem, err := strconv.ParseInt(os.Getenv(childMemEnv), 10, 64)
	if err == nil && mem > 0 {
		debug.SetMemoryLimit(mem * 9 / 10)
		_ = syscall.Setrlimit(syscall.RLIMIT_DATA, &syscall.Rlimit{Cur: uint64(mem), Max: uint64(mem)})
	}
	if cpu, err := strconv.ParseUint(os.Getenv(childCPUEnv), 10, 64); err == nil && cpu > 0 {
		_ = syscall.Setrlimit(syscall.RLIMIT_CPU, &syscall.Rlimit{Cur: cpu, Max: cpu + 1})
	}
	return mem
}

// The tables and columns read, as KOReader's statistics plugin creates
// them (plugins/statistics.koplugin/main.lua, schema 20201010 and later;
// older files have page_stat instead of page_stat_data and are refused).
var koreaderColumns = []struct {
	table   string
	columns []string
}{
	{"book", []string{"id", "title", "authors", "pages", "md5"}},
	{"page_stat_data", []string{"id_book", "page", "start_time", "duration", "total_pages"}},
}

// Queries of the child. Every value is cast and bounded in SQL, since
// SQLite lets any column hold any type: text and blobs are cut, numbers
// become integers, NULLs become 0 or the empty string.
const (
	countBooksSQL  = `SELECT count(*) FROM book`
	countVisitsSQL = `SELECT count(*) FROM page_stat_data`
	booksSQL       = `SELECT CAST(id AS INTEGER),
		CAST(substr(coalesce(title, ''), 1, 1000) AS TEXT),
		CAST(substr(coalesce(authors, ''), 1, 1000) AS TEXT),
		coalesce(CAST(pages AS INTEGER), 0),
		CAST(substr(coalesce(md5, ''), 1, 64) AS TEXT)
		FROM book ORDER BY 1`
	visitsSQL = `SELECT CAST(id_book AS INTEGER),
		coalesce(CAST(page AS INTEGER), 0),
		coalesce(CAST(start_time AS INTEGER), 0),
		coalesce(CAST(duration AS INTEGER), 0),
		coalesce(CAST(total_pages AS INTEGER), 0)
		FROM page_stat_data`
)

// readStatistics is the child's work: it writes the records of the file at
// path to w, and returns the error record when the file is refused. The
// driver reports running out of its memory by panicking, which becomes a
// too_heavy record; the connection is left open, as the process exits
// right after.
func readStatistics(w *bufio.Writer, path string, mem, maxRows int64) (werr *wireError) {
	defer func() {
		if p := recover(); p != nil {
			werr = panicRefusal(p)
		}
	}()
	ctx := context.Background()
	if mem > 0 {
		// SQLite runs in a Wasm memory of its own; cap it below the
		// process limit.
		ctx = sqlite3.WithMaxMemory(ctx, mem/4)
	}
	// The URI's mode=ro makes the connection read-only whatever the open
	// flags (only OpenContext takes the memory cap).
	conn, err := sqlite3.OpenContext(ctx, readOnlyURI(path))
	if err != nil {
		return sqliteRefusal("open", err)
	}
	for _, p := range []string{
		"PRAGMA trusted_schema = OFF", // no functions with side effects from views or triggers
		"PRAGMA query_only = ON",
		"PRAGMA cache_size = -2048", // KiB
		"PRAGMA temp_store = MEMORY",
		"PRAGMA mmap_size = 0",
		"PRAGMA cell_size_check = ON", // detect malformed pages early
	} {
		if err := conn.Exec(p); err != nil {
			return sqliteRefusal(p, err)
		}
	}
	if werr := checkSchema(conn); werr != nil {
		return werr
	}
	for _, q := range []string{countBooksSQL, countVisitsSQL} {
		var n int64
		err := query(conn, q, func(s *sqlite3.Stmt) error {
			n = s.ColumnInt64(0)
			return nil
		})
		if err != nil {
			return sqliteRefusal("count", err)
		}
		if n > maxRows {
			return &wireError{Reason: ReasonTooLarge, Detail: fmt.Sprintf("%q: %d rows, at most %d", q, n, maxRows)}
		}
	}

	var end wireEnd
	enc := json.NewEncoder(w)
	var limitErr *wireError
	err = query(conn, booksSQL, func(s *sqlite3.Stmt) error {
		if s.ColumnType(0) == sqlite3.NULL {
			return nil // only a hand-made table lets a book id be NULL
		}
		if end.Books++; end.Books > maxRows {
			limitErr = &wireError{Reason: ReasonTooLarge, Detail: fmt.Sprintf("more than %d books", maxRows)}
			return errStop
		}
		return enc.Encode(record{Book: &wireBook{
			ID:      s.ColumnInt64(0),
			Title:   s.ColumnText(1),
			Authors: s.ColumnText(2),
			Pages:   s.ColumnInt64(3),
			MD5:     s.ColumnText(4),
		}})
	})
	if err == nil {
		var line []byte
		err = query(conn, visitsSQL, func(s *sqlite3.Stmt) error {
			if end.Visits+end.NullBook >= maxRows {
				limitErr = &wireError{Reason: ReasonTooLarge, Detail: fmt.Sprintf("more than %d visits", maxRows)}
				return errStop
			}
			if s.ColumnType(0) == sqlite3.NULL {
				end.NullBook++
				return nil
			}
			end.Visits++
			line = appendVisit(line[:0], s.ColumnInt64(0), s.ColumnInt64(1), s.ColumnInt64(2), s.ColumnInt64(3), s.ColumnInt64(4))
			_, err := w.Write(line)
			return err
		})
	}
	switch {
	case limitErr != nil:
		return limitErr
	case err != nil:
		return sqliteRefusal("read", err)
	}
	end.MaxRSSKB = peakRSSKB()
	if err := enc.Encode(record{End: &end}); err != nil {
		return sqliteRefusal("write", err)
	}
	return nil
}

// errStop ends a query early.
var errStop = errors.New("stop")

// query runs q and calls row for each row until it returns an error.
func query(conn *sqlite3.Conn, q string, row func(*sqlite3.Stmt) error, args ...string) error {
	s, _, err := conn.Prepare(q)
	if err != nil {
		return err
	}
	defer s.Close()
	for i, a := range args {
		if err := s.BindText(i+1, a); err != nil {
			return err
		}
	}
	for s.Step() {
		if err := row(s); err != nil {
			return err
		}
	}
	return s.Err()
}

// readOnlyURI opens path read-only and immutable: no locks, no journal, no
// WAL or shared-memory files, nothing written next to the file.
func readOnlyURI(path string) string {
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	u := url.URL{Scheme: "file", Path: path, RawQuery: "mode=ro&immutable=1"}
	return u.String()
}

// checkSchema refuses a database without KOReader's tables (real tables,
// not views or virtual tables) and the columns read (stored, not
// generated).
func checkSchema(conn *sqlite3.Conn) *wireError {
	for _, t := range koreaderColumns {
		var kind, ddl string
		found := false
		err := query(conn, `SELECT type, coalesce(sql, '') FROM sqlite_master WHERE name = ?1 COLLATE NOCASE`,
			func(s *sqlite3.Stmt) error {
				kind, ddl, found = s.ColumnText(0), s.ColumnText(1), true
				return errStop
			}, t.table)
		if err != nil && !errors.Is(err, errStop) {
			return sqliteRefusal("schema", err)
		}
		if !found {
			return &wireError{Reason: ReasonNotKOReader, Detail: "no table " + t.table}
		}
		if kind != "table" || strings.HasPrefix(strings.ToUpper(strings.TrimSpace(ddl)), "CREATE VIRTUAL") {
			return &wireError{Reason: ReasonNotKOReader, Detail: fmt.Sprintf("%s is a %s, not a table", t.table, kind)}
		}
		stored := map[string]bool{}
		err = query(conn, `SELECT lower(name), hidden FROM pragma_table_xinfo(?1)`, func(s *sqlite3.Stmt) error {
			stored[s.ColumnText(0)] = s.ColumnInt64(1) == 0
			return nil
		}, t.table)
		if err != nil {
			return sqliteRefusal("schema", err)
		}
		for _, c := range t.columns {
			if !stored[c] {
				return &wireError{Reason: ReasonNotKOReader, Detail: fmt.Sprintf("table %s has no stored column %s", t.table, c)}
			}
		}
	}
	return nil
}

// sqliteRefusal turns an SQLite error into the file's verdict: out of
// memory (or a value too big for it) is too_heavy, anything else is a
// damaged file.
func sqliteRefusal(step string, err error) *wireError {
	if errors.Is(err, sqlite3.NOMEM) || errors.Is(err, sqlite3.TOOBIG) {
		return &wireError{Reason: ReasonTooHeavy, Detail: step + ": " + err.Error()}
	}
	return &wireError{Reason: ReasonCorrupt, Detail: step + ": " + err.Error()}
}

// panicRefusal turns a panic of the driver into the file's verdict: the
// driver panics when SQLite's memory cap is reached, and its memory
// mapping fails when the process limit is; anything else is a file it
// could not read.
func panicRefusal(p any) *wireError {
	err, ok := p.(error)
	if !ok {
		err = fmt.Errorf("%v", p)
	}
	if errors.Is(err, syscall.ENOMEM) || strings.Contains(err.Error(), "out of memory") {
		return &wireError{Reason: ReasonTooHeavy, Detail: "reader: " + err.Error()}
	}
	return &wireError{Reason: ReasonCorrupt, Detail: "reader panic: " + err.Error()}
}

// peakRSSKB reads this process's peak resident memory (0 when unknown).
func peakRSSKB() int64 {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(status)) {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb
		}
	}
	return 0
}
