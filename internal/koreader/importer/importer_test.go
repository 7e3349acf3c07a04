package importer_test

import (
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/studysprint/studysprint/internal/apperr"
	"github.com/studysprint/studysprint/internal/koreader"
	"github.com/studysprint/studysprint/internal/koreader/importer"
	"github.com/studysprint/studysprint/internal/koreader/kotest"
	"github.com/studysprint/studysprint/internal/study"
)

// library is a user's PDFs for the main scenario.
type library struct {
	user                  uuid.UUID
	algebra, novel, other uuid.UUID
	algebraMD5            string
}

// scenarioLibrary: "Linear Algebra" (60 pages) stored before partial MD5s
// existed, so the import computes its MD5 from the file; "The Reflowed
// Novel" (100 pages) with an MD5 no book has; "Other" (10 pages).
func scenarioLibrary(f *fx) library {
	l := library{user: f.user()}
	l.algebra, l.algebraMD5 = f.pdf(l.user, "Linear Algebra", 60, content(1, 5000), false)
	l.novel, _ = f.pdf(l.user, "The Reflowed Novel", 100, content(2, 3000), true)
	l.other, _ = f.pdf(l.user, "Other", 10, content(3, 2000), true)
	return l
}

// Books of the scenario file, by index.
const (
	bookAlgebra = iota // matched by MD5 (its title differs)
	bookNovel          // matched by title; reflowed page counts
	bookUnknown        // no PDF: unmatched
	bookOther          // title of "Other", but 50 pages against its 10
	bookUnread         // no visits
)

func scenarioBooks(l library) [][4]any {
	return [][4]any{
		{"LinAlg-scan.pdf", "Axler", 60, strings.ToUpper(l.algebraMD5)},
		{"the reflowed novel", "Someone", 105, "fedcba9876543210fedcba9876543210"},
		{"Unknown Book", "Nobody", 10, "0123456789abcdef0123456789abcdef"},
		{"OTHER", "N/A", 50, nil},
		{"Never Opened", "N/A", 80, nil},
	}
}

// scenarioVisits are sane visits: skims, dwells over page_max_seconds, a
// page visited twice, sessions split by gaps over 30 minutes, reflowed
// page counts (one pair of visits mapping to one PDF page), and visits of
// the unmatched books.
func scenarioVisits() []visit {
	d3 := at(3, 9, 0)
	d2 := at(2, 20, 0)
	d1 := at(1, 7, 30)
	return []visit{
		// Algebra, session 1: contiguous visits, a skim (3 s), a dwell of
		// 1000 s (capped at 900), a pause of 2 minutes, page 4 again.
		{bookAlgebra, 1, d3, 45, 60},
		{bookAlgebra, 2, d3 + 45, 120, 60},
		{bookAlgebra, 3, d3 + 165, 3, 60},
		{bookAlgebra, 4, d3 + 168, 1000, 60},
		{bookAlgebra, 4, d3 + 1288, 30, 60},
		// Session 2, 40 minutes later.
		{bookAlgebra, 5, d3 + 1318 + 2400, 60, 60},
		{bookAlgebra, 6, d3 + 1318 + 2460, 20, 60},
		// Session 3, the next day.
		{bookAlgebra, 7, d2, 300, 60},
		{bookAlgebra, 8, d2 + 300, 4, 60},
		{bookAlgebra, 2, d2 + 400, 61, 60},
		// The novel: laid out with 105 pages (mapped to the PDF's 100),
		// then 100 (as is), then 200 pages (a large font: pages 59 and 60
		// both map to PDF page 30 and make one dwell).
		{bookNovel, 10, d1, 60, 105},
		{bookNovel, 11, d1 + 60, 60, 105},
		{bookNovel, 12, d1 + 200, 90, 100},
		{bookNovel, 59, d1 + 400, 30, 200},
		{bookNovel, 60, d1 + 430, 30, 200},
		{bookNovel, 61, d1 + 460, 2, 200},
		{bookNovel, 62, d1 + 462, 40, 200},
		{bookUnknown, 1, d1, 100, 10},
		{bookOther, 1, d2, 100, 50},
	}
}

// hostileVisits are rows every import skips, with the reason counted.
func hostileVisits() ([]visit, map[koreader.SkipReason]int) {
	d := at(5, 10, 0)
	return []visit{
			{bookAlgebra, 9, d, -5, 60},                        // duration_not_positive
			{bookAlgebra, 9, d + 10, 0, 60},                    // duration_not_positive
			{bookAlgebra, 0, d + 20, 30, 60},                   // page_below_one
			{bookAlgebra, -7, d + 30, 30, 60},                  // page_below_one
			{bookAlgebra, 9, d + 40, 30, -2},                   // total_pages_negative
			{bookAlgebra, 9, d + 50, 5 * 3600, 60},             // duration_too_long
			{bookAlgebra, 9, 900000000, 30, 60},                // before_year_2000
			{bookAlgebra, 9, testNow.Unix() + 3*86400, 30, 60}, // in_future (the reader)
			{bookAlgebra, 9, testNow.Unix() - 10, 600, 60},     // in_future: ends after now
			{-1, 1, d, 30, 10},                                 // no_book
		}, map[koreader.SkipReason]int{
			koreader.SkipDurationNotPositive: 2, koreader.SkipPageBelowOne: 2, koreader.SkipTotalPagesNegative: 1,
			koreader.SkipDurationTooLong: 1, koreader.SkipBeforeYear2000: 1, koreader.SkipInFuture: 2, koreader.SkipNoBook: 1,
		}
}

func allSkipReasons(counts map[koreader.SkipReason]int) map[koreader.SkipReason]int {
	out := map[koreader.SkipReason]int{}
	for _, r := range importer.SkipReasons {
		out[r] = counts[r]
	}
	return out
}

// TestImportScenario (issue 14): several books, matched by MD5 (computed
// from the stored file on this first import), by title, and not at all;
// the imported seconds per page equal the source's durations under the
// timer's rules; hostile rows are skipped and counted; the running session
// is left alone; importing the same file again adds nothing.
func TestImportScenario(t *testing.T) {
	t.Parallel()
	f := newFx(t, testLimits)
	l := scenarioLibrary(f)
	running, err := f.study.Start(f.ctx, l.user, study.StartInput{PDFID: &l.other})
	if err != nil {
		t.Fatal(err)
	}
	visits := scenarioVisits()
	bad, wantSkipped := hostileVisits()
	path := file(t, scenarioBooks(l), append(visits, bad...))

	sum := f.mustImport(l.user, path, false)
	if sum.ID == uuid.Nil || sum.Status != importer.StatusCompleted || sum.DryRun {
		t.Fatalf("summary: %+v", sum)
	}
	type outcome struct {
		status   importer.BookStatus
		pdf      uuid.UUID
		by       koreader.MatchedBy
		reason   koreader.UnmatchedReason
		visits   int
		sessions int
		mapped   int
	}
	want := []outcome{
		{importer.BookImported, l.algebra, koreader.ByMD5, "", 10, 3, 0},
		{importer.BookImported, l.novel, koreader.ByTitle, "", 7, 1, 6},
		{importer.BookUnmatched, uuid.Nil, "", koreader.UnmatchedNoPDF, 1, 0, 0},
		{importer.BookUnmatched, uuid.Nil, "", koreader.UnmatchedPageCountDiffers, 1, 0, 0},
		{importer.BookUnmatched, uuid.Nil, "", koreader.UnmatchedNoVisits, 0, 0, 0},
	}
	if len(sum.Books) != len(want) {
		t.Fatalf("%d book results, want %d: %+v", len(sum.Books), len(want), sum.Books)
	}
	for i, w := range want {
		b := sum.Books[i]
		pdf := uuid.Nil
		if b.PDFID != nil {
			pdf = *b.PDFID
		}
		imported := 0
		if w.status == importer.BookImported {
			imported = w.visits
		}
		if b.Status != w.status || pdf != w.pdf || b.MatchedBy != w.by || b.Reason != w.reason || b.Visits != w.visits ||
			b.VisitsImported != imported || b.SessionsImported != w.sessions || b.SessionsExtended != 0 ||
			b.VisitsDuplicate != 0 || b.VisitsRejected != 0 || b.PagesMapped != w.mapped {
			t.Errorf("book %d (%s): %+v, want %+v", i, b.Title, b, w)
		}
	}
	if !maps.Equal(sum.Skipped, allSkipReasons(wantSkipped)) {
		t.Errorf("skipped %v, want %v", sum.Skipped, allSkipReasons(wantSkipped))
	}
	tot := sum.Totals
	if tot.Books != 5 || tot.BooksMatched != 2 || tot.SessionsImported != 4 || tot.VisitsImported != 17 ||
		tot.PagesMapped != 6 || tot.VisitsSkipped != 10 || tot.VisitsDuplicate != 0 {
		t.Errorf("totals %+v", tot)
	}

	// Seconds per page, as the timer's rules make them of the durations.
	for _, c := range []struct {
		name  string
		pdf   uuid.UUID
		book  int
		pages int
	}{{"algebra", l.algebra, bookAlgebra, 60}, {"novel", l.novel, bookNovel, 100}} {
		wantPages := expectPages(visits, c.book, c.pages, 5, 900)
		if got := f.pageStats(l.user, c.pdf); !maps.Equal(got, wantPages) {
			t.Errorf("%s page_stats %v, want %v", c.name, got, wantPages)
		}
	}
	// The expectations themselves, spelled out for the algebra book: the
	// skims of pages 3 and 8 are dropped, page 4's 1000 s are capped at
	// 900 and its second stay counts as a visit of its own.
	if got := expectPages(visits, bookAlgebra, 60, 5, 900); got[3].Visits != 0 || got[8].Visits != 0 ||
		got[4] != (pageStat{930, 2}) || got[2] != (pageStat{181, 2}) {
		t.Fatalf("expectations: %v", got)
	}
	if got := f.pageStats(l.user, l.novel); got[30] != (pageStat{60, 1}) || got[10] != (pageStat{60, 1}) {
		t.Errorf("novel pages 10 and 30: %v", got)
	}

	// The MD5 computed from the stored file is now in the row.
	var stored *string
	if err := f.pool.QueryRow(f.ctx, `SELECT partial_md5 FROM pdfs WHERE id = $1`, l.algebra).Scan(&stored); err != nil || stored == nil || *stored != l.algebraMD5 {
		t.Errorf("backfilled partial_md5 = %v, %v; want %s", stored, err, l.algebraMD5)
	}
	// Imported sessions are ended; the running one still runs, untouched.
	if n := f.count(`SELECT count(*) FROM study_sessions WHERE user_id = $1 AND source = 'koreader' AND status = 'ended' AND ended_reason = 'stopped'`, l.user); n != 4 {
		t.Errorf("%d ended imported sessions, want 4", n)
	}
	cur, err := f.study.Current(f.ctx, l.user)
	if err != nil || cur.Row.ID != running.Row.ID || cur.Row.Events != running.Row.Events || cur.Status == study.StatusEnded {
		t.Errorf("running session after the import: %+v, %v", cur.Row, err)
	}
	if n := f.count(`SELECT count(*) FROM imports WHERE user_id = $1 AND visits_imported = 17 AND books = 5`, l.user); n != 1 {
		t.Errorf("%d import rows", n)
	}

	// The same file again: every visit is a duplicate, nothing changes.
	before := f.footprint(l.user)
	again := f.mustImport(l.user, path, false)
	if again.Totals.VisitsImported != 0 || again.Totals.VisitsDuplicate != 17 || again.Totals.SessionsImported != 0 ||
		again.Totals.SessionsExtended != 0 || again.Totals.VisitsSkipped != 10 {
		t.Errorf("re-import totals %+v", again.Totals)
	}
	after := f.footprint(l.user)
	before.Imports++
	if after != before {
		t.Errorf("re-import changed the history: %+v, before %+v", after, before)
	}

	// The list has both, newest first.
	list, err := f.svc.List(f.ctx, l.user, importer.ListInput{Limit: 10})
	if err != nil || len(list) != 2 || list[0].ID != again.ID || list[1].ID != sum.ID {
		t.Fatalf("list: %d, %v", len(list), err)
	}
	if !reflect.DeepEqual(list[1].Books, sum.Books) || list[1].Totals != sum.Totals || !maps.Equal(list[1].Skipped, sum.Skipped) {
		t.Errorf("listed summary differs:\n%+v\n%+v", list[1], sum)
	}
}

// TestImportLaterCopy: a later copy of the file (a session continued
// within the gap, two sessions joined by visits between them, a new
// session) adds only its new visits, and leaves exactly the history that
// importing the later copy alone leaves.
func TestImportLaterCopy(t *testing.T) {
	t.Parallel()
	f := newFx(t, testLimits)
	d := at(10, 8, 0)
	books := [][4]any{{"Physics", "Feynman", 40, "00112233445566778899aabbccddeeff"}}
	first := []visit{
		{0, 1, d, 60, 40}, {0, 2, d + 60, 60, 40}, // session A
		{0, 3, d + 4000, 60, 40}, {0, 4, d + 4060, 70, 40}, // session B, over an hour later
		{0, 5, d + 20000, 80, 40}, // session C
	}
	later := append(first[:len(first):len(first)],
		visit{0, 9, d + 1000, 50, 40}, visit{0, 10, d + 2500, 50, 40}, // join A and B (gaps under 30 min)
		visit{0, 6, d + 20080, 90, 40}, visit{0, 7, d + 21000, 40, 40}, // continue C
		visit{0, 8, d + 90000, 100, 40}, // a new session, a day later
	)
	firstPath, laterPath := file(t, books, first), file(t, books, later)

	u1, u2 := f.user(), f.user()
	p1, _ := f.pdf(u1, "Physics", 40, content(4, 4000), true)
	p2, _ := f.pdf(u2, "Physics", 40, content(4, 4000), true)

	if s := f.mustImport(u1, firstPath, false); s.Totals.SessionsImported != 3 || s.Totals.VisitsImported != 5 {
		t.Fatalf("first copy: %+v", s.Totals)
	}
	s := f.mustImport(u1, laterPath, false)
	if tt := s.Totals; tt.VisitsImported != 5 || tt.VisitsDuplicate != 5 || tt.SessionsImported != 1 || tt.SessionsExtended != 2 {
		t.Fatalf("later copy: %+v", tt)
	}
	if s := f.mustImport(u2, laterPath, false); s.Totals.SessionsImported != 3 || s.Totals.VisitsImported != 10 {
		t.Fatalf("later copy alone: %+v", s.Totals)
	}
	want := expectPages(later, 0, 40, 5, 900)
	if got1, got2 := f.pageStats(u1, p1), f.pageStats(u2, p2); !maps.Equal(got1, want) || !maps.Equal(got2, want) {
		t.Fatalf("page_stats after both copies %v, after the later alone %v, want %v", got1, got2, want)
	}
	fp1, fp2 := f.footprint(u1), f.footprint(u2)
	// For u1, A (with the joining visits) and B stay two sessions, and the
	// pause that ended C in the first copy stays where the later copy's C
	// runs on without one: one session and one event more, the same time.
	if fp1.Sessions != fp2.Sessions+1 || fp1.Events != fp2.Events+1 || fp1.Imports != 2 || fp2.Imports != 1 {
		t.Fatalf("after both copies %+v, after the later alone %+v", fp1, fp2)
	}
	fp1.Sessions, fp1.Events, fp1.Imports = fp2.Sessions, fp2.Events, fp2.Imports
	if fp1 != fp2 {
		t.Fatalf("history after both copies %+v, after the later alone %+v", fp1, fp2)
	}
	// And the later copy once more changes nothing.
	if s := f.mustImport(u1, laterPath, false); s.Totals.VisitsImported != 0 || s.Totals.VisitsDuplicate != 10 {
		t.Fatalf("later copy again: %+v", s.Totals)
	}
}

// TestImportDryRun: a dry run answers what the import would do and writes
// nothing (not even the partial MD5 it computed).
func TestImportDryRun(t *testing.T) {
	t.Parallel()
	f := newFx(t, testLimits)
	l := scenarioLibrary(f)
	bad, _ := hostileVisits()
	path := file(t, scenarioBooks(l), append(scenarioVisits(), bad...))

	dry := f.mustImport(l.user, path, true)
	if dry.ID != uuid.Nil || !dry.DryRun {
		t.Fatalf("dry run: %+v", dry)
	}
	if fp := f.footprint(l.user); fp != (footprint{}) {
		t.Fatalf("a dry run wrote %+v", fp)
	}
	if n := f.count(`SELECT count(*) FROM pdfs WHERE user_id = $1 AND partial_md5 IS NULL`, l.user); n != 1 {
		t.Fatalf("a dry run stored partial MD5s (%d left without)", n)
	}
	real := f.mustImport(l.user, path, false)
	if !reflect.DeepEqual(dry.Books, real.Books) || dry.Totals != real.Totals || !maps.Equal(dry.Skipped, real.Skipped) {
		t.Fatalf("dry run %+v\nimport %+v", dry, real)
	}
}

// TestImportRefusedFiles: files that are not KOReader statistics are a 422
// invalid_koreader_db with the reason, and write nothing.
func TestImportRefusedFiles(t *testing.T) {
	t.Parallel()
	f := newFx(t, koreader.Limits{Timeout: 30 * time.Second, MemoryBytes: 512 << 20, MaxRows: 1000})
	user := f.user()
	f.pdf(user, "Physics", 40, content(5, 3000), false)
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	var many []visit
	for i := range 1500 {
		many = append(many, visit{0, int64(i%40 + 1), at(30, 8, 0) + int64(i)*40, 30, 40})
	}
	big := file(t, [][4]any{{"Physics", "F", 40, nil}}, many)
	bigBytes, err := os.ReadFile(big)
	if err != nil {
		t.Fatal(err)
	}
	noTables := kotest.New(t, `CREATE TABLE notes (id integer, text text)`).Close()
	tests := []struct {
		name string
		path string
		want koreader.Reason
	}{
		{"not SQLite", write("notes.txt", []byte("these are my reading notes, not a database")), koreader.ReasonNotSQLite},
		{"empty", write("empty.sqlite3", nil), koreader.ReasonNotSQLite},
		{"SQLite without KOReader's tables", noTables, koreader.ReasonNotKOReader},
		{"truncated", write("cut.sqlite3", bigBytes[:len(bigBytes)/2]), koreader.ReasonCorrupt},
		{"more visits than the limit", big, koreader.ReasonTooLarge},
	}
	for _, tt := range tests {
		_, err := f.run(user, tt.path, false)
		e, ok := apperr.As(err)
		if !ok || e.Kind != apperr.Invalid || e.Code != importer.CodeInvalidDB || e.Details["reason"] != string(tt.want) || e.Fields["file"] == "" {
			t.Errorf("%s: %v (%+v), want invalid_koreader_db %s", tt.name, err, e, tt.want)
		}
	}
	if fp := f.footprint(user); fp != (footprint{}) {
		t.Fatalf("refused files wrote %+v", fp)
	}
}

// TestImportFailureLeavesNoHalfBook: when a book's transaction fails
// part-way (here a trigger refuses its second session), none of that book
// is written, the book before it stays, the one after is not attempted,
// and the import is recorded as failed.
func TestImportFailureLeavesNoHalfBook(t *testing.T) {
	t.Parallel()
	f := newFx(t, testLimits)
	user := f.user()
	pa, _ := f.pdf(user, "Alpha", 20, content(6, 2000), true)
	pb, _ := f.pdf(user, "Beta", 20, content(7, 2000), true)
	pc, _ := f.pdf(user, "Gamma", 20, content(8, 2000), true)
	d := at(4, 9, 0)
	poison := d + 10000
	path := file(t, [][4]any{{"Alpha", "", 20, nil}, {"Beta", "", 20, nil}, {"Gamma", "", 20, nil}}, []visit{
		{0, 1, d, 60, 20},
		{1, 1, d + 3000, 60, 20}, {1, 2, poison, 60, 20}, // Beta's second session is refused
		{2, 1, d + 20000, 60, 20},
	})
	if _, err := f.pool.Exec(f.ctx, `
		CREATE FUNCTION refuse_session() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN RAISE EXCEPTION 'refused for the test'; END $$;
		CREATE TRIGGER refuse_session BEFORE INSERT ON study_sessions
		FOR EACH ROW WHEN (NEW.started_at = to_timestamp(`+strconv.FormatInt(poison, 10)+`)) EXECUTE FUNCTION refuse_session()`); err != nil {
		t.Fatal(err)
	}
	sum, err := f.run(user, path, false)
	if err == nil || !strings.Contains(err.Error(), "refused for the test") {
		t.Fatalf("err = %v", err)
	}
	if sum.Status != importer.StatusFailed || sum.ID == uuid.Nil {
		t.Fatalf("summary %+v", sum)
	}
	statuses := []importer.BookStatus{sum.Books[0].Status, sum.Books[1].Status, sum.Books[2].Status}
	if !reflect.DeepEqual(statuses, []importer.BookStatus{importer.BookImported, importer.BookFailed, importer.BookNotAttempted}) ||
		sum.Books[1].VisitsImported != 0 || sum.Totals.VisitsImported != 1 {
		t.Fatalf("books %+v", sum.Books)
	}
	for pdf, want := range map[uuid.UUID]int{pa: 1, pb: 0, pc: 0} {
		if n := f.count(`SELECT count(*) FROM study_sessions WHERE user_id = $1 AND pdf_id = $2`, user, pdf); n != want {
			t.Errorf("PDF %v: %d sessions, want %d", pdf, n, want)
		}
	}
	if n := f.count(`SELECT count(*) FROM imports WHERE user_id = $1 AND status = 'failed' AND visits_imported = 1`, user); n != 1 {
		t.Fatalf("%d failed import rows", n)
	}
}
