// Package kotest builds KOReader statistics databases for tests: the schema
// exactly as KOReader's statistics plugin creates it, books and page visits
// inserted through a pure-Go SQLite driver, the file closed and
// checkpointed as a copy taken off a device is.
package kotest

import (
	"database/sql"
	"os"
	"path/filepath"
	"testing"

	_ "github.com/ncruces/go-sqlite3/driver" // registers "sqlite3"
)

// DDL is what KOReader's statistics plugin runs in createDB
// (plugins/statistics.koplugin/main.lua, DB_SCHEMA_VERSION 20221111),
// WAL journal included.
const DDL = `
PRAGMA journal_mode=WAL;
CREATE TABLE IF NOT EXISTS book
    (
        id integer PRIMARY KEY autoincrement,
        title text,
        authors text,
        notes      integer,
        last_open  integer,
        highlights integer,
        pages      integer,
        series text,
        language text,
        md5 text,
        total_read_time  integer,
        total_read_pages integer
    );
CREATE UNIQUE INDEX IF NOT EXISTS book_title_authors_md5 ON book(title, authors, md5);
CREATE TABLE IF NOT EXISTS page_stat_data
    (
        id_book     integer,
        page        integer NOT NULL DEFAULT 0,
        start_time  integer NOT NULL DEFAULT 0,
        duration    integer NOT NULL DEFAULT 0,
        total_pages integer NOT NULL DEFAULT 0,
        UNIQUE (id_book, page, start_time),
        FOREIGN KEY(id_book) REFERENCES book(id)
    );
CREATE INDEX IF NOT EXISTS page_stat_data_start_time ON page_stat_data(start_time);
CREATE TABLE IF NOT EXISTS numbers
    (
        number INTEGER PRIMARY KEY
    );
WITH RECURSIVE counter AS
    (
        SELECT 1 as N UNION ALL
        SELECT N + 1 FROM counter WHERE N < 1000
    )
    INSERT INTO numbers SELECT N AS number FROM counter;
CREATE VIEW IF NOT EXISTS page_stat AS
    SELECT id_book, first_page + idx - 1 AS page, start_time, duration / (last_page - first_page + 1) AS duration
    FROM (
        SELECT id_book, page, total_pages, pages, start_time, duration,
            ((page - 1) * pages) / total_pages + 1 AS first_page,
            max(((page - 1) * pages) / total_pages + 1, (page * pages) / total_pages) AS last_page,
            idx
        FROM page_stat_data
        JOIN book ON book.id = id_book
        JOIN (SELECT number as idx FROM numbers) AS N ON idx <= (last_page - first_page + 1)
    );
PRAGMA user_version=20221111;
`

// DB is a statistics file being built.
type DB struct {
	t  testing.TB
	db *sql.DB
	tx *sql.Tx
	// Path is the file.
	Path string
}

// New creates statistics.sqlite3 in a new temporary directory and runs
// ddl in it (DDL for KOReader's schema; "" for an empty database).
func New(t testing.TB, ddl string) *DB {
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
	return &DB{t: t, db: db, Path: path}
}

// Exec runs one statement (in the open transaction, if any).
func (d *DB) Exec(q string, args ...any) sql.Result {
	d.t.Helper()
	var res sql.Result
	var err error
	if d.tx != nil {
		res, err = d.tx.Exec(q, args...)
	} else {
		res, err = d.db.Exec(q, args...)
	}
	if err != nil {
		d.t.Fatalf("%s: %v", q, err)
	}
	return res
}

// Begin starts a transaction that Close commits (for bulk inserts).
func (d *DB) Begin() {
	d.t.Helper()
	tx, err := d.db.Begin()
	if err != nil {
		d.t.Fatal(err)
	}
	d.tx = tx
}

// Book adds a book as KOReader does when a document is first opened and
// returns its id. pages and md5 may be nil (NULL).
func (d *DB) Book(title, authors string, pages, md5 any) int64 {
	d.t.Helper()
	res := d.Exec(`INSERT INTO book (title, authors, notes, last_open, highlights, pages, series, language, md5, total_read_time, total_read_pages)
		VALUES (?, ?, 0, 0, 0, ?, 'N/A', 'en', ?, 0, 0)`, title, authors, pages, md5)
	id, err := res.LastInsertId()
	if err != nil {
		d.t.Fatal(err)
	}
	return id
}

// Visit adds a row of page_stat_data: a stay of duration seconds on page,
// from start (Unix seconds), while the document had total pages. Any value
// may be of any type (SQLite stores what it is given).
func (d *DB) Visit(book, page, start, duration, total any) {
	d.t.Helper()
	d.Exec(`INSERT INTO page_stat_data (id_book, page, start_time, duration, total_pages) VALUES (?, ?, ?, ?, ?)`,
		book, page, start, duration, total)
}

// Close commits and checkpoints, so the file holds everything (as a file
// copied off a device after KOReader closed it does), and returns its path.
func (d *DB) Close() string {
	d.t.Helper()
	if d.tx != nil {
		if err := d.tx.Commit(); err != nil {
			d.t.Fatal(err)
		}
		d.tx = nil
	}
	if _, err := d.db.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		d.t.Fatal(err)
	}
	if err := d.db.Close(); err != nil {
		d.t.Fatal(err)
	}
	for _, suffix := range []string{"-wal", "-shm"} {
		if err := os.Remove(d.Path + suffix); err != nil && !os.IsNotExist(err) {
			d.t.Fatal(err)
		}
	}
	return d.Path
}
