package koreader

import (
	"context"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

var testLimits = Limits{Timeout: 30 * time.Second, MemoryBytes: 512 << 20, MaxRows: 10_000}

func TestReadStatistics(t *testing.T) {
	t.Parallel()
	s := newDB(t, koreaderDDL)
	calculus := s.book("Calculus", "Strang", 600, "0123456789ABCDEF0123456789abcdef")
	novel := s.book("A Reflowed Novel", "Someone", 320, "fedcba9876543210fedcba9876543210")
	unread := s.book("Never Opened", "N/A", nil, nil)
	s.book("Bad MD5", "N/A", 10, "not-a-digest")

	day := at(3, "09:00")
	s.visit(calculus, 1, day, 45, 600)
	s.visit(calculus, 2, day+45, 120, 600)
	// Reflowed: the same book laid out with 320, then 290 pages.
	s.visit(novel, 10, day+3600, 60, 320)
	s.visit(novel, 11, day+3660, 60, 290)
	// One of each skip reason.
	s.visit(calculus, 0, day+200, 30, 600)                // page_below_one
	s.visit(calculus, 3, day+300, 0, 600)                 // duration_not_positive
	s.visit(calculus, 4, day+400, -5, 600)                // duration_not_positive
	s.visit(calculus, 5, day+500, 5*3600, 600)            // duration_too_long
	s.visit(calculus, 6, day+600, 30, -1)                 // total_pages_negative
	s.visit(calculus, 7, 946684799, 30, 600)              // before_year_2000
	s.visit(calculus, 8, testNow.Unix()+25*3600, 30, 600) // in_future
	s.visit(999, 1, day, 30, 10)                          // no_book: no such id
	s.visit(nil, 1, day+1, 30, 10)                        // no_book: NULL id_book
	s.visit(calculus, -3, day+700, 30, 600)               // page_below_one
	// Values of the wrong type, as SQLite lets any column hold any type.
	s.visit(calculus, "9", day+800, "30", 600) // text that reads as numbers: kept
	s.visit(calculus, "ten", day+900, 30, 600) // page 0: page_below_one
	// In the future but within a day of now: clock drift, kept.
	s.visit(calculus, 12, testNow.Unix()+3600, 30, 600)
	path := s.close()

	st, usage, err := testReader(t, testLimits).Read(context.Background(), path, testNow)
	if err != nil {
		t.Fatal(err)
	}
	if usage.Wall <= 0 || usage.MaxRSSKB <= 0 {
		t.Errorf("usage = %+v", usage)
	}
	wantSkipped := map[SkipReason]int{
		SkipPageBelowOne:        3,
		SkipDurationNotPositive: 2,
		SkipDurationTooLong:     1,
		SkipTotalPagesNegative:  1,
		SkipBeforeYear2000:      1,
		SkipInFuture:            1,
		SkipNoBook:              2,
	}
	if !maps.Equal(st.Skipped, wantSkipped) {
		t.Errorf("skipped = %v, want %v", st.Skipped, wantSkipped)
	}
	if st.Visits != 6 {
		t.Errorf("visits = %d, want 6", st.Visits)
	}
	if len(st.Books) != 4 {
		t.Fatalf("books = %+v", st.Books)
	}
	c := st.Books[0]
	if c.ID != calculus || c.Title != "Calculus" || c.Authors != "Strang" || c.Pages != 600 ||
		c.MD5 != "0123456789abcdef0123456789abcdef" || len(c.Visits) != 4 {
		t.Errorf("calculus = %+v", c)
	}
	if c.Visits[2] != (Visit{BookID: calculus, Page: 9, StartTime: day + 800, Duration: 30, TotalPages: 600}) {
		t.Errorf("text-typed visit = %+v", c.Visits[2])
	}
	n := st.Books[1]
	if n.ID != novel || len(n.Visits) != 2 || n.Visits[0].TotalPages != 320 || n.Visits[1].TotalPages != 290 || n.MaxTotalPages() != 320 {
		t.Errorf("novel = %+v", n)
	}
	if u := st.Books[2]; u.ID != unread || u.Pages != 0 || u.MD5 != "" || len(u.Visits) != 0 {
		t.Errorf("unread = %+v", u)
	}
	if b := st.Books[3]; b.MD5 != "" {
		t.Errorf("a malformed md5 is kept: %+v", b)
	}
}

func TestReadEmptyDatabase(t *testing.T) {
	t.Parallel()
	path := newDB(t, koreaderDDL).close()
	st, _, err := testReader(t, testLimits).Read(context.Background(), path, testNow)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Books) != 0 || st.Visits != 0 || len(st.Skipped) != 0 {
		t.Fatalf("statistics = %+v", st)
	}
}

// TestReadLeavesFileAlone: the child writes nothing next to the file
// (immutable, read-only), even for a WAL-mode database.
func TestReadLeavesFileAlone(t *testing.T) {
	t.Parallel()
	s := newDB(t, koreaderDDL)
	id := s.book("Walden", "Thoreau", 300, nil)
	s.visit(id, 1, at(1, "10:00"), 60, 300)
	path := s.close()
	if err := os.Chmod(path, 0o444); err != nil {
		t.Fatal(err)
	}
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if before[18] != 2 || before[19] != 2 {
		t.Fatalf("file format bytes %d %d: the test database is not in WAL mode", before[18], before[19])
	}
	st, _, err := testReader(t, testLimits).Read(context.Background(), path, testNow)
	if err != nil || st.Visits != 1 {
		t.Fatalf("read: %+v, %v", st, err)
	}
	entries, err := os.ReadDir(filepath.Dir(path))
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		t.Errorf("directory holds %v after the read", entries)
	}
	after, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(before) != string(after) {
		t.Error("the file changed")
	}
}

func writeFile(t *testing.T, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// manyVisits builds a KOReader file with n visits of one book.
func manyVisits(t testing.TB, n int) string {
	s := newDB(t, koreaderDDL)
	id := s.book("Long Book", "A", 500, nil)
	s.begin()
	start := at(400, "08:00")
	for i := range n {
		s.visit(id, i%500+1, start+int64(i)*40, 30, 500)
	}
	return s.close()
}

func TestRefusedFiles(t *testing.T) {
	t.Parallel()
	good := manyVisits(t, 3000)
	goodBytes, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	truncated := writeFile(t, "truncated.sqlite3", goodBytes[:len(goodBytes)/2])
	headerOnly := writeFile(t, "header.sqlite3", goodBytes[:100])
	flipped := append([]byte(nil), goodBytes...)
	for i := len(flipped) / 4; i < len(flipped)*3/4; i++ {
		flipped[i] ^= 0xA5
	}
	flippedPath := writeFile(t, "flipped.sqlite3", flipped)

	schema := func(ddl string) string { return newDB(t, ddl).close() }
	bigTitle := newDB(t, koreaderDDL)
	bigTitle.exec(`INSERT INTO book (title, authors) VALUES (printf('%.*c', 40000000, 'x'), 'A')`)
	bigTitlePath := bigTitle.close()

	tests := []struct {
		name   string
		path   string
		limits Limits
		want   Reason
	}{
		{"text file", writeFile(t, "notes.txt", []byte("these are not the statistics you are looking for")), testLimits, ReasonNotSQLite},
		{"empty file", writeFile(t, "empty", nil), testLimits, ReasonNotSQLite},
		{"PDF", writeFile(t, "book.pdf", []byte("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n")), testLimits, ReasonNotSQLite},
		{"SQLite without KOReader tables", schema(`CREATE TABLE notes (id integer PRIMARY KEY, body text)`), testLimits, ReasonNotKOReader},
		{"only the book table", schema(`CREATE TABLE book (id integer PRIMARY KEY, title text, authors text, pages integer, md5 text)`), testLimits, ReasonNotKOReader},
		{"a column missing", schema(`CREATE TABLE book (id integer PRIMARY KEY, title text, authors text, pages integer, md5 text);
			CREATE TABLE page_stat_data (id_book integer, page integer, start_time integer, duration integer)`), testLimits, ReasonNotKOReader},
		{"schema before 20201010", schema(`CREATE TABLE book (id integer PRIMARY KEY autoincrement, title text, authors text, notes integer,
			last_open integer, highlights integer, pages integer, series text, language text, md5 text, total_read_time integer, total_read_pages integer);
			CREATE TABLE page_stat (id_book integer, page integer NOT NULL, start_time integer NOT NULL, period integer NOT NULL)`), testLimits, ReasonNotKOReader},
		{"page_stat_data is a view", schema(`CREATE TABLE book (id integer PRIMARY KEY, title text, authors text, pages integer, md5 text);
			CREATE VIEW page_stat_data AS WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n+1 FROM c)
			SELECT 1 AS id_book, n AS page, n AS start_time, 1 AS duration, 1 AS total_pages FROM c`), testLimits, ReasonNotKOReader},
		{"a generated column", schema(`CREATE TABLE book (id integer PRIMARY KEY, title text, authors text, pages integer, md5 text);
			CREATE TABLE page_stat_data (id_book integer, page integer, start_time integer, d integer,
			duration integer GENERATED ALWAYS AS (d * 2) VIRTUAL, total_pages integer)`), testLimits, ReasonNotKOReader},
		{"header only", headerOnly, testLimits, ReasonCorrupt},
		{"truncated", truncated, testLimits, ReasonCorrupt},
		{"bytes flipped in the middle", flippedPath, testLimits, ReasonCorrupt},
		{"more visits than MaxRows", good, Limits{Timeout: 30 * time.Second, MemoryBytes: 512 << 20, MaxRows: 2999}, ReasonTooLarge},
		{"killed by the timeout", good, Limits{Timeout: time.Millisecond, MemoryBytes: 512 << 20, MaxRows: 10_000}, ReasonTooHeavy},
		{"a title larger than the memory", bigTitlePath, Limits{Timeout: 30 * time.Second, MemoryBytes: 128 << 20, MaxRows: 10_000}, ReasonTooHeavy},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			st, _, err := testReader(t, tt.limits).Read(context.Background(), tt.path, testNow)
			var refused *Error
			if !errors.As(err, &refused) {
				t.Fatalf("err = %v (statistics %+v), want %s", err, st, tt.want)
			}
			if refused.Reason != tt.want || !slices.Contains(Reasons, refused.Reason) {
				t.Fatalf("reason = %s (%v), want %s", refused.Reason, err, tt.want)
			}
			if !strings.HasPrefix(err.Error(), reasonText[tt.want]) {
				t.Errorf("message %q", err)
			}
		})
	}
}

func TestReadMissingFile(t *testing.T) {
	t.Parallel()
	_, _, err := testReader(t, testLimits).Read(context.Background(), filepath.Join(t.TempDir(), "nope"), testNow)
	var refused *Error
	if !errors.Is(err, os.ErrNotExist) || errors.As(err, &refused) {
		t.Fatalf("err = %v, want a not-exist error that is not a refusal", err)
	}
}

func TestReadCanceled(t *testing.T) {
	t.Parallel()
	path := manyVisits(t, 10)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, _, err := testReader(t, testLimits).Read(ctx, path, testNow)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want canceled", err)
	}
}

func TestReadBusy(t *testing.T) {
	t.Parallel()
	path := manyVisits(t, 10)
	rd := testReader(t, testLimits)
	for range cap(rd.slots) {
		rd.slots <- struct{}{} // every slot taken
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, _, err := rd.Read(ctx, path, testNow); !errors.Is(err, ErrBusy) {
		t.Fatalf("err = %v, want ErrBusy", err)
	}
	<-rd.slots
	if st, _, err := rd.Read(context.Background(), path, testNow); err != nil || st.Visits != 10 {
		t.Fatalf("with a slot free: %+v, %v", st, err)
	}
}

func TestNewReaderLimits(t *testing.T) {
	t.Parallel()
	for _, l := range []Limits{
		{},
		{Timeout: time.Second, MemoryBytes: 1 << 30},
		{Timeout: time.Second, MaxRows: 1, MemoryBytes: MinMemoryBytes - 1},
		{MaxRows: 1, MemoryBytes: 1 << 30},
	} {
		if _, err := NewReader(l, 1); err == nil {
			t.Errorf("NewReader(%+v) accepted", l)
		}
	}
}

// TestDamagedFiles damages a real file in many places: every read ends in
// statistics or a refusal (never a panic, a hang or another error), and
// skipped rows are counted, not lost.
func TestDamagedFiles(t *testing.T) {
	t.Parallel()
	good, err := os.ReadFile(manyVisits(t, 2000))
	if err != nil {
		t.Fatal(err)
	}
	rd := testReader(t, testLimits)
	const cuts = 24
	for i := range cuts {
		off := 100 + (len(good)-200)*i/cuts
		for _, kind := range []string{"flip", "truncate"} {
			data := append([]byte(nil), good...)
			if kind == "flip" {
				for j := off; j < min(off+64, len(data)); j++ {
					data[j] ^= byte(0x5a + j)
				}
			} else {
				data = data[:off]
			}
			path := writeFile(t, "damaged.sqlite3", data)
			st, _, err := rd.Read(context.Background(), path, testNow)
			var refused *Error
			switch {
			case err == nil:
				skipped := 0
				for _, n := range st.Skipped {
					skipped += n
				}
				if st.Visits+skipped > 2000 {
					t.Errorf("%s at %d: %d visits and %d skipped from 2000 rows", kind, off, st.Visits, skipped)
				}
			case errors.As(err, &refused):
				if refused.Reason != ReasonCorrupt && refused.Reason != ReasonNotKOReader {
					t.Errorf("%s at %d: %v", kind, off, err)
				}
			default:
				t.Errorf("%s at %d: %v", kind, off, err)
			}
		}
	}
}
