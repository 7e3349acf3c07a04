package api_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/studysprint/studysprint/internal/export"
	"github.com/studysprint/studysprint/internal/koreader/kotest"
)

// exportFixture gives a user one of everything and returns the ids that
// must appear in their export.
func (e *env) exportFixture() (tokens, []string) {
	e.t.Helper()
	tk, _ := e.register()
	topic := e.createTopic(tk.AccessToken, map[string]any{"name": "Chemistry"})
	pdf := e.studyPDF(tk.AccessToken, 3)
	e.do("PATCH", "/api/v1/pdfs/"+pdf.ID, map[string]any{"topic_id": topic.ID}, withToken(tk.AccessToken)).must(e.t, http.StatusOK)
	var bm struct {
		ID string `json:"id"`
	}
	e.do("POST", "/api/v1/pdfs/"+pdf.ID+"/bookmarks", map[string]any{"page": 2, "label": "Acids", "note": "Acids, \"bases\"\nand salts"},
		withToken(tk.AccessToken)).must(e.t, http.StatusCreated).decode(e.t, &bm)
	ex := e.createExercise(tk.AccessToken, pdf.ID, map[string]any{"title": "Titration", "page_start": 1, "page_end": 2})
	t0 := e.clock.Now().Add(-time.Hour)
	s := e.startSession(tk.AccessToken, map[string]any{"pdf_id": pdf.ID, "start_page": 1, "started_at": t0.Format(time.RFC3339)})
	first := page(2, sec(90))
	e.sendEvents(tk.AccessToken, s.ID, t0, first, stop(sec(200)))
	var goalID string
	if err := e.pool.QueryRow(context.Background(), `INSERT INTO goals (user_id, kind, topic_id, deadline, created_at, updated_at)
		VALUES ($1, 'finish_topic_by', $2, current_date + 30, now(), now()) RETURNING id`, tk.User.ID, topic.ID).Scan(&goalID); err != nil {
		e.t.Fatal(err)
	}
	stats := kotest.New(e.t, kotest.DDL)
	stats.Visit(stats.Book("Not In The Library", "Nobody", 10, nil), 1, t0.Add(-24*time.Hour).Unix(), 30, 10)
	var imp importJSON
	e.importKOReader(tk.AccessToken, stats.Close(), "").must(e.t, http.StatusCreated).decode(e.t, &imp)
	return tk, []string{tk.User.ID, tk.User.Email, topic.ID, pdf.ID, bm.ID, ex.ID, s.ID, first.id.String(), goalID, deref(imp.ID)}
}

// TestExportHasEverythingOfTheUserAndNothingElse: both formats hold every
// table of the user with their rows, no other user's row, and no secret.
func TestExportHasEverythingOfTheUserAndNothingElse(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	mine, want := e.exportFixture()
	_, theirs := e.exportFixture()
	var hash string
	if err := e.pool.QueryRow(context.Background(), `SELECT password_hash FROM users WHERE id = $1`, mine.User.ID).Scan(&hash); err != nil {
		t.Fatal(err)
	}

	r := e.do("GET", "/api/v1/export", nil, withToken(mine.AccessToken)).must(t, http.StatusOK)
	if cd := r.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, `attachment; filename="studysprint-export-`) {
		t.Fatalf("Content-Disposition %q", cd)
	}
	var doc map[string]json.RawMessage
	r.decode(t, &doc)
	rows := map[string]int{}
	for _, tb := range export.Tables() {
		raw, ok := doc[tb.Name]
		if !ok {
			t.Fatalf("the export has no %q", tb.Name)
		}
		if tb.Single {
			rows[tb.Name] = 1
			continue
		}
		var list []map[string]any
		if err := json.Unmarshal(raw, &list); err != nil {
			t.Fatalf("%s: %v", tb.Name, err)
		}
		if len(list) == 0 {
			t.Errorf("%s is empty", tb.Name)
		}
		rows[tb.Name] = len(list)
	}
	checkExport(t, "json", r.Body, want, theirs, hash)

	z := e.do("GET", "/api/v1/export?format=csv", nil, withToken(mine.AccessToken)).must(t, http.StatusOK)
	if ct := z.Header.Get("Content-Type"); ct != "application/zip" {
		t.Fatalf("csv export as %q", ct)
	}
	zr, err := zip.NewReader(bytes.NewReader(z.Body), int64(len(z.Body)))
	if err != nil {
		t.Fatal(err)
	}
	var all bytes.Buffer
	for _, tb := range export.Tables() {
		f, err := zr.Open(tb.Name + ".csv")
		if err != nil {
			t.Fatalf("the zip has no %s.csv: %v", tb.Name, err)
		}
		data, _ := io.ReadAll(f)
		all.Write(data)
		records, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
		if err != nil {
			t.Fatalf("%s.csv: %v", tb.Name, err)
		}
		if len(records)-1 != rows[tb.Name] {
			t.Errorf("%s.csv has %d rows, the JSON %d", tb.Name, len(records)-1, rows[tb.Name])
		}
	}
	if len(zr.File) != len(export.Tables()) {
		t.Errorf("%d files in the zip", len(zr.File))
	}
	checkExport(t, "csv", all.Bytes(), want, theirs, hash)
	if !bytes.Contains(all.Bytes(), []byte(`"Acids, ""bases""`+"\nand salts\"")) {
		t.Error("a label with a comma, quotes and a newline is not quoted as CSV")
	}

	e.do("GET", "/api/v1/export?format=xml", nil, withToken(mine.AccessToken)).must(t, http.StatusUnprocessableEntity)
	e.do("GET", "/api/v1/export", nil).must(t, http.StatusUnauthorized)
}

func checkExport(t *testing.T, format string, body []byte, want, theirs []string, hash string) {
	t.Helper()
	for _, id := range want {
		if !bytes.Contains(body, []byte(id)) {
			t.Errorf("%s export lacks %s", format, id)
		}
	}
	for _, id := range theirs {
		if bytes.Contains(body, []byte(id)) {
			t.Errorf("%s export holds %s of another user", format, id)
		}
	}
	for _, secret := range []string{hash, "$2a$", "password", "refresh_secret", "token_hash", "storage_key"} {
		if bytes.Contains(body, []byte(secret)) {
			t.Errorf("%s export holds %q", format, secret)
		}
	}
}
