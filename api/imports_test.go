package api_test

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/studysprint/studysprint/internal/koreader"
	"github.com/studysprint/studysprint/internal/koreader/kotest"
	"github.com/studysprint/studysprint/internal/testpdf"
)

type importBookJSON struct {
	BookID           int64   `json:"book_id"`
	Title            string  `json:"title"`
	MD5              *string `json:"md5"`
	Status           string  `json:"status"`
	PDFID            *string `json:"pdf_id"`
	MatchedBy        *string `json:"matched_by"`
	UnmatchedReason  *string `json:"unmatched_reason"`
	Visits           int     `json:"visits"`
	SessionsImported int     `json:"sessions_imported"`
	VisitsImported   int     `json:"visits_imported"`
	VisitsDuplicate  int     `json:"visits_duplicate"`
	PagesMapped      int     `json:"pages_mapped"`
}

type importJSON struct {
	ID     *string `json:"id"`
	Status string  `json:"status"`
	DryRun bool    `json:"dry_run"`
	Totals struct {
		Books            int `json:"books"`
		BooksMatched     int `json:"books_matched"`
		SessionsImported int `json:"sessions_imported"`
		VisitsImported   int `json:"visits_imported"`
		VisitsDuplicate  int `json:"visits_duplicate"`
		VisitsSkipped    int `json:"visits_skipped"`
		PagesMapped      int `json:"pages_mapped"`
	} `json:"totals"`
	Skipped map[string]int   `json:"skipped"`
	Books   []importBookJSON `json:"books"`
}

// importKOReader posts a statistics file (dry_run when dry is "true" or
// "false"; not sent when empty).
func (e *env) importKOReader(token, path, dry string) response {
	e.t.Helper()
	fields := map[string]string{}
	if dry != "" {
		fields["dry_run"] = dry
	}
	return e.uploadTo("/api/v1/imports/koreader", token, path, fields)
}

// titledPDF uploads a text PDF with a title and n pages.
func (e *env) titledPDF(token, title string, n int) (pdfJSON, string) {
	e.t.Helper()
	pages := make([][]string, n)
	for i := range pages {
		pages[i] = []string{title, "page text for the reader"}
	}
	path := filepath.Join(e.t.TempDir(), "book.pdf")
	if err := testpdf.WriteTextPDF(path, title, pages); err != nil {
		e.t.Fatal(err)
	}
	return e.uploadOK(token, path, nil), path
}

// TestImportKOReaderAPI (issue 14): a PDF's partial MD5 is stored at
// upload, so KOReader's book matches it by content; another matches by
// title; one matches nothing. A dry run answers the same and writes
// nothing; the import is listed; the same file again adds nothing; another
// account's import of the file matches none of this account's PDFs.
func TestImportKOReaderAPI(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tk, _ := e.register()
	calculus, calculusPath := e.titledPDF(tk.AccessToken, "Calculus Volume One", 30)
	novel, _ := e.titledPDF(tk.AccessToken, "A Reflowed Novel", 40)
	md5, err := koreader.PartialMD5File(calculusPath)
	if err != nil {
		t.Fatal(err)
	}
	var stored string
	if err := e.pool.QueryRow(context.Background(), `SELECT partial_md5 FROM pdfs WHERE id = $1`, calculus.ID).Scan(&stored); err != nil || stored != md5 {
		t.Fatalf("partial_md5 at upload = %q, %v; want %s", stored, err, md5)
	}

	now := e.clock.Now().Unix()
	db := kotest.New(t, kotest.DDL)
	b1 := db.Book("calculus_v1.pdf", "Strang", 30, md5)
	b2 := db.Book("a reflowed novel", "Someone", 42, "ffffffffffffffffffffffffffffffff")
	b3 := db.Book("Not In The Library", "Nobody", 10, nil)
	d := now - 3*86400
	db.Visit(b1, 1, d, 60, 30)
	db.Visit(b1, 2, d+60, 200, 30)
	db.Visit(b1, 3, d+7200, 30, 30) // a second session
	db.Visit(b2, 10, d+20000, 45, 42)
	db.Visit(b2, 11, d+20045, 45, 42)
	db.Visit(b3, 1, d, 30, 10)
	db.Visit(b1, 4, d+100, -30, 30)      // duration_not_positive
	db.Visit(b1, 0, d+110, 30, 30)       // page_below_one
	db.Visit(b1, 5, now+5*86400, 30, 30) // in_future
	db.Visit(b1, 6, now-5, 600, 30)      // in_future: ends after now
	path := db.Close()

	var dry importJSON
	e.importKOReader(tk.AccessToken, path, "true").must(t, http.StatusOK).decode(t, &dry)
	if dry.ID != nil || !dry.DryRun || dry.Totals.VisitsImported != 5 {
		t.Fatalf("dry run: %+v", dry)
	}
	var list struct{ Items []importJSON }
	e.do("GET", "/api/v1/imports", nil, withToken(tk.AccessToken)).must(t, http.StatusOK).decode(t, &list)
	if len(list.Items) != 0 {
		t.Fatalf("a dry run was listed: %+v", list)
	}

	var imp importJSON
	e.clock.Advance(time.Second)
	e.importKOReader(tk.AccessToken, path, "").must(t, http.StatusCreated).decode(t, &imp)
	if imp.ID == nil || imp.DryRun || imp.Status != "completed" {
		t.Fatalf("import: %+v", imp)
	}
	want := []struct {
		pdf, by, reason  string
		visits, sessions int
		mapped, imported int
	}{
		{calculus.ID, "md5", "", 3, 2, 0, 3},
		{novel.ID, "title", "", 2, 1, 2, 2},
		{"", "", "no_pdf_with_this_md5_or_title", 1, 0, 0, 0},
	}
	for i, w := range want {
		b := imp.Books[i]
		if deref(b.PDFID) != w.pdf || deref(b.MatchedBy) != w.by || deref(b.UnmatchedReason) != w.reason ||
			b.Visits != w.visits || b.SessionsImported != w.sessions || b.PagesMapped != w.mapped || b.VisitsImported != w.imported {
			t.Errorf("book %d: %+v, want %+v", i, b, w)
		}
	}
	if imp.Totals.VisitsSkipped != 4 || imp.Skipped["in_future"] != 2 || imp.Skipped["duration_not_positive"] != 1 || imp.Skipped["page_below_one"] != 1 {
		t.Errorf("skipped %v (%+v)", imp.Skipped, imp.Totals)
	}
	if dry.Totals != imp.Totals || len(dry.Books) != len(imp.Books) {
		t.Errorf("dry run %+v, import %+v", dry.Totals, imp.Totals)
	}
	// The imported time shows on the PDF: 60 + 200 + 30 seconds.
	var got pdfJSON
	e.do("GET", "/api/v1/pdfs/"+calculus.ID, nil, withToken(tk.AccessToken)).must(t, http.StatusOK).decode(t, &got)
	if got.StudySeconds != 290 || got.PagesRead != 3 {
		t.Errorf("calculus after the import: %d s, %d pages read", got.StudySeconds, got.PagesRead)
	}
	var sessions struct{ Items []sessionJSON }
	e.do("GET", "/api/v1/study-sessions?pdf_id="+calculus.ID, nil, withToken(tk.AccessToken)).must(t, http.StatusOK).decode(t, &sessions)
	if len(sessions.Items) != 2 || sessions.Items[0].Status != "ended" {
		t.Errorf("sessions: %+v", sessions.Items)
	}

	var again importJSON
	e.clock.Advance(time.Second)
	e.importKOReader(tk.AccessToken, path, "false").must(t, http.StatusCreated).decode(t, &again)
	if again.Totals.VisitsImported != 0 || again.Totals.VisitsDuplicate != 5 || again.Totals.SessionsImported != 0 {
		t.Errorf("again: %+v", again.Totals)
	}
	var page1, page2 struct {
		Items      []importJSON
		NextCursor *string `json:"next_cursor"`
	}
	e.do("GET", "/api/v1/imports?limit=1", nil, withToken(tk.AccessToken)).must(t, http.StatusOK).decode(t, &page1)
	if len(page1.Items) != 1 || deref(page1.Items[0].ID) != deref(again.ID) || page1.NextCursor == nil {
		t.Fatalf("newest import: %+v", page1)
	}
	e.do("GET", "/api/v1/imports?limit=1&cursor="+*page1.NextCursor, nil, withToken(tk.AccessToken)).must(t, http.StatusOK).decode(t, &page2)
	if len(page2.Items) != 1 || deref(page2.Items[0].ID) != deref(imp.ID) || page2.NextCursor != nil ||
		page2.Items[0].Totals != imp.Totals || len(page2.Items[0].Books) != 3 {
		t.Fatalf("second page: %+v", page2)
	}

	other, _ := e.register()
	var theirs importJSON
	e.importKOReader(other.AccessToken, path, "").must(t, http.StatusCreated).decode(t, &theirs)
	if theirs.Totals.BooksMatched != 0 || theirs.Totals.VisitsImported != 0 {
		t.Errorf("another account's import matched this account's PDFs: %+v", theirs.Totals)
	}
	e.do("GET", "/api/v1/imports", nil, withToken(other.AccessToken)).must(t, http.StatusOK).decode(t, &list)
	if len(list.Items) != 1 || deref(list.Items[0].ID) != deref(theirs.ID) {
		t.Errorf("another account lists %+v", list.Items)
	}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// TestImportKOReaderRefused (issue 14): hostile uploads are a clear 4xx in
// the error shape, never a 5xx, and write nothing.
func TestImportKOReaderRefused(t *testing.T) {
	t.Parallel()
	limits := koreader.Limits{Timeout: 30 * time.Second, MemoryBytes: 512 << 20, MaxRows: 1000}
	e := newEnvWith(t, envConfig{koreaderMaxFile: 256 << 10, koreaderLimits: &limits})
	tk, _ := e.register()
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	many := kotest.New(t, kotest.DDL)
	book := many.Book("Long", "A", 100, nil)
	many.Begin()
	start := e.clock.Now().Unix() - 100*86400
	for i := range 1500 {
		many.Visit(book, i%100+1, start+int64(i)*40, 30, 100)
	}
	manyPath := many.Close()
	manyBytes, err := os.ReadFile(manyPath)
	if err != nil {
		t.Fatal(err)
	}
	big := make([]byte, 300<<10)
	copy(big, manyBytes)

	for _, tt := range []struct {
		name, path, dry string
		status          int
		code, reason    string
	}{
		{"not SQLite", write("notes.txt", []byte("plain text, not a database at all")), "", 422, "invalid_koreader_db", "not_sqlite"},
		{"SQLite without KOReader's tables", kotest.New(t, `CREATE TABLE t (x integer)`).Close(), "", 422, "invalid_koreader_db", "not_koreader"},
		{"truncated", write("cut.sqlite3", manyBytes[:len(manyBytes)/2]), "", 422, "invalid_koreader_db", "corrupt"},
		{"more visits than the limit", manyPath, "true", 422, "invalid_koreader_db", "too_large"},
		{"larger than the upload limit", write("big.sqlite3", big), "", 413, "body_too_large", ""},
		{"dry_run not a boolean", manyPath, "perhaps", 422, "validation_failed", ""},
		{"no file", "", "true", 422, "validation_failed", ""},
	} {
		r := e.importKOReader(tk.AccessToken, tt.path, tt.dry)
		if r.Status != tt.status {
			t.Errorf("%s: %d %s", tt.name, r.Status, r.Body)
			continue
		}
		var body struct {
			Error struct {
				Code    string            `json:"code"`
				Fields  map[string]string `json:"fields"`
				Details map[string]any    `json:"details"`
			} `json:"error"`
		}
		r.decode(t, &body)
		if body.Error.Code != tt.code || (tt.reason != "" && (body.Error.Details["reason"] != tt.reason || body.Error.Fields["file"] == "")) {
			t.Errorf("%s: %s", tt.name, r.Body)
		}
	}
	if r := e.do("POST", "/api/v1/imports/koreader", map[string]any{"file": "x"}, withToken(tk.AccessToken)); r.Status != http.StatusUnsupportedMediaType {
		t.Errorf("JSON body: %d", r.Status)
	}
	if r := e.uploadTo("/api/v1/imports/koreader", tk.AccessToken, manyPath, map[string]string{"title": "x"}); r.Status != http.StatusBadRequest {
		t.Errorf("unknown field: %d", r.Status)
	}
	var list struct{ Items []importJSON }
	e.do("GET", "/api/v1/imports", nil, withToken(tk.AccessToken)).must(t, http.StatusOK).decode(t, &list)
	var sessions int
	if err := e.pool.QueryRow(context.Background(), `SELECT count(*) FROM study_sessions`).Scan(&sessions); err != nil || len(list.Items) != 0 || sessions != 0 {
		t.Fatalf("refused imports wrote %d imports, %d sessions (%v)", len(list.Items), sessions, err)
	}
}
