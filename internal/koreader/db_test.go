package koreader

import (
	"database/sql"
	"os"
	"path/filepath"
	"testing"
	"time"

	_ "github.com/ncruces/go-sqlite3/driver" // registers "sqlite3" for building test files

	"github.com/studysprint/studysprint/internal/koreader/kotest"
)

func TestMain(m *testing.M) {
	RunChildIfRequested()
	os.Exit(m.Run())
}

// koreaderDDL is KOReader's schema (kotest.DDL).
const koreaderDDL = kotest.DDL

// statsDB is a statistics file a test builds.
type statsDB struct {
	t    testing.TB
	db   *sql.DB
	tx   *sql.Tx
	Path string
}

// newDB creates a database in a temporary directory and runs ddl in it.
func newDB(t testing.TB, ddl string) *statsDB {
	t.Helper()
	path := filepath.Join(t.TempDir(), "statistics.sqlite3")
	db, err := sql.Open("sqlite3", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { db.Close() })
	// KOReader's connections leave foreign keys unchecked (its files hold
	// visits of deleted books); this driver checks them by default.
	if _, err := db.Exec(`PRAGMA foreign_keys = OFF`); err != nil {
		t.Fatal(err)
	}
	if ddl != "" {
		if _, err := db.Exec(ddl); err != nil {
			t.Fatal(err)
		}
	}
	return &statsDB{t: t, db: db, Path: path}
}

func (s *statsDB) exec(q string, args ...any) sql.Result {
	s.t.Helper()
	var res sql.Result
	var err error
	if s.tx != nil {
		res, err = s.tx.Exec(q, args...)
	} else {
		res, err = s.db.Exec(q, args...)
	}
	if err != nil {
		s.t.Fatalf("%s: %v", q, err)
	}
	return res
}

// begin starts a transaction that close commits (for bulk inserts).
func (s *statsDB) begin() {
	s.t.Helper()
	tx, err := s.db.Begin()
	if err != nil {
		s.t.Fatal(err)
	}
	s.tx = tx
}

func (s *statsDB) book(title, authors string, pages any, md5 any) int64 {
	s.t.Helper()
	res := s.exec(`INSERT INTO book (title, authors, notes, last_open, highlights, pages, series, language, md5, total_read_time, total_read_pages)
		VALUES (?, ?, 0, 0, 0, ?, 'N/A', 'en', ?, 0, 0)`, title, authors, pages, md5)
	id, err := res.LastInsertId()
	if err != nil {
		s.t.Fatal(err)
	}
	return id
}

func (s *statsDB) visit(book any, page, start, duration, total any) {
	s.t.Helper()
	s.exec(`INSERT INTO page_stat_data (id_book, page, start_time, duration, total_pages) VALUES (?, ?, ?, ?, ?)`,
		book, page, start, duration, total)
}

// close commits and checkpoints, so the file holds everything (as a file
// copied off a device after KOReader closed it does), and returns its path.
func (s *statsDB) close() string {
	s.t.Helper()
	if s.tx != nil {
		if err := s.tx.Commit(); err != nil {
			s.t.Fatal(err)
		}
		s.tx = nil
	}
	if _, err := s.db.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		s.t.Fatal(err)
	}
	if err := s.db.Close(); err != nil {
		s.t.Fatal(err)
	}
	for _, suffix := range []string{"-wal", "-shm"} {
		if err := os.Remove(s.Path + suffix); err != nil && !os.IsNotExist(err) {
			s.t.Fatal(err)
		}
	}
	return s.Path
}

// testNow is the import's "now" in the tests.
var testNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// at is a Unix second before testNow.
func at(daysBefore int, hhmm string) int64 {
	d, err := time.Parse("15:04", hhmm)
	if err != nil {
		panic(err)
	}
	day := testNow.AddDate(0, 0, -daysBefore).Truncate(24 * time.Hour)
	return day.Add(time.Duration(d.Hour())*time.Hour + time.Duration(d.Minute())*time.Minute).Unix()
}

func testReader(t testing.TB, l Limits) *Reader {
	t.Helper()
	r, err := NewReader(l, 2)
	if err != nil {
		t.Fatal(err)
	}
	return r
}
