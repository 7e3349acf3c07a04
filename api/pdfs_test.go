package api_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/studysprint/studysprint/dbgen"
	"github.com/studysprint/studysprint/internal/storage"
	"github.com/studysprint/studysprint/internal/sweeper"
	"github.com/studysprint/studysprint/internal/testminio"
	"github.com/studysprint/studysprint/internal/testpdf"
)

// TestUploadCorpus uploads every real PDF of pdfcpu's corpus (56 files):
// each is accepted with the page count poppler's pdfinfo reports and the
// SHA-256 of its bytes.
func TestUploadCorpus(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("slow: the whole corpus or a real MinIO; make test runs it")
	}
	e := newEnvWith(t, envConfig{uploadsPerUser: 64}) // concurrency is not what this test is about
	tk, _ := e.register()
	files := testpdf.Corpus(t)
	if len(files) < 50 {
		t.Fatalf("only %d corpus PDFs", len(files))
	}
	type result struct {
		file string
		pdf  pdfJSON
		resp response
	}
	results := make([]result, len(files))
	var wg sync.WaitGroup
	sem := make(chan struct{}, 4)
	for i, f := range files {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			r := e.upload(tk.AccessToken, f, nil)
			results[i] = result{file: f, resp: r}
			if r.Status == http.StatusCreated {
				r.decode(t, &results[i].pdf)
			}
		}()
	}
	wg.Wait()
	for _, r := range results {
		name := filepath.Base(r.file)
		if r.resp.Status != http.StatusCreated {
			t.Errorf("%s: %d %s", name, r.resp.Status, r.resp.Body)
			continue
		}
		if want := testpdf.PdfinfoPages(t, r.file); r.pdf.PageCount != want {
			t.Errorf("%s: page_count %d, pdfinfo says %d", name, r.pdf.PageCount, want)
		}
		data, _ := os.ReadFile(r.file)
		sum := sha256.Sum256(data)
		if r.pdf.SHA256 != hex.EncodeToString(sum[:]) || r.pdf.SizeBytes != int64(len(data)) {
			t.Errorf("%s: sha256/size %s/%d", name, r.pdf.SHA256, r.pdf.SizeBytes)
		}
		if r.pdf.Title == "" || r.pdf.CurrentPage != 1 || r.pdf.Kind != "study" || r.pdf.OriginalName != name {
			t.Errorf("%s: %+v", name, r.pdf)
		}
	}
	var list struct {
		Items []pdfJSON `json:"items"`
	}
	e.do("GET", "/api/v1/pdfs?limit=200", nil, withToken(tk.AccessToken)).must(t, http.StatusOK).decode(t, &list)
	if len(list.Items) != len(files) {
		t.Fatalf("listed %d PDFs, uploaded %d", len(list.Items), len(files))
	}
}

func TestUploadTitles(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tk, _ := e.register()
	walden := e.uploadOK(tk.AccessToken, testpdf.CorpusFile(t, "WaldenFull.pdf"), nil)
	if walden.Title != "Walden" || walden.Author != "Henry David Thoreau" || walden.PageCount != 249 {
		t.Fatalf("from the PDF's metadata: %+v", walden)
	}
	untitled := e.uploadOK(tk.AccessToken, testpdf.CorpusFile(t, "bookletTest.pdf"), nil)
	if untitled.Title != "bookletTest" {
		t.Fatalf("title from the file name: %q", untitled.Title)
	}
	named := e.uploadOK(tk.AccessToken, testpdf.CorpusFile(t, "go.pdf"), map[string]string{"title": "  My Go notes ", "kind": "exercise"})
	if named.Title != "My Go notes" || named.Kind != "exercise" {
		t.Fatalf("given title and kind: %+v", named)
	}
}

// TestUploadHostileFiles: broken, fake, empty and encrypted files get a 4xx
// with a clear code, never a 5xx, and leave nothing stored.
func TestUploadHostileFiles(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tk, _ := e.register()
	src := testpdf.CorpusFile(t, "go.pdf")
	for name, path := range testpdf.Broken(t, src) {
		r := e.upload(tk.AccessToken, path, nil)
		if r.Status != http.StatusUnprocessableEntity {
			t.Errorf("%s: status %d %s", name, r.Status, r.Body)
			continue
		}
		if code := r.errorBody(t).Code; code != "invalid_pdf" {
			t.Errorf("%s: code %s", name, code)
		}
	}
	locked := testpdf.Encrypt(t, src, "user-secret")
	if code := e.upload(tk.AccessToken, locked, nil).must(t, http.StatusUnprocessableEntity).errorBody(t).Code; code != "encrypted_pdf" {
		t.Fatalf("password-protected: %s", code)
	}
	// Encrypted with only an owner password: anyone can open it, so it is accepted.
	open := e.uploadOK(tk.AccessToken, testpdf.Encrypt(t, src, ""), nil)
	if open.PageCount != 23 {
		t.Fatalf("owner-password-only PDF: %+v", open)
	}
	// Not a PDF at all, whatever the name says.
	for name, data := range map[string][]byte{
		"image.pdf":  {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 0},
		"script.pdf": []byte("<script>alert(1)</script>"),
		"zip.pdf":    []byte("PK\x03\x04 not a pdf"),
	} {
		if code := e.uploadBytes(tk.AccessToken, name, data, nil).must(t, http.StatusUnprocessableEntity).errorBody(t).Code; code != "invalid_pdf" {
			t.Errorf("%s: %s", name, code)
		}
	}
	var stored int
	if err := e.pool.QueryRow(context.Background(), `SELECT count(*) FROM pdfs`).Scan(&stored); err != nil || stored != 1 {
		t.Fatalf("%d rows stored, want only the readable encrypted one (%v)", stored, err)
	}
	keys := 0
	_ = e.cfg.store.List(context.Background(), "users/", func(storage.Info) error { keys++; return nil })
	if keys != 1 {
		t.Fatalf("%d files stored, want 1", keys)
	}
}

func TestUploadLimitsAndForm(t *testing.T) {
	t.Parallel()
	e := newEnvWith(t, envConfig{maxUpload: 256 << 10})
	tk, _ := e.register()
	other, _ := e.register()
	small := testpdf.CorpusFile(t, "test.pdf")

	big := testpdf.CorpusFile(t, "go.pdf") // 250 KB < 256 KiB limit
	e.uploadOK(tk.AccessToken, big, nil)
	tooBig := testpdf.CorpusFile(t, "RA_CI.pdf") // 627 KB
	if code := e.upload(tk.AccessToken, tooBig, nil).must(t, http.StatusRequestEntityTooLarge).errorBody(t).Code; code != "body_too_large" {
		t.Fatalf("too big: %s", code)
	}
	// Declared length over the limit is refused before reading.
	req, _ := http.NewRequest("POST", e.srv.URL+"/api/v1/pdfs", strings.NewReader("x"))
	req.ContentLength = 10 << 20
	req.Header.Set("Content-Type", "multipart/form-data; boundary=x")
	req.Header.Set("Authorization", "Bearer "+tk.AccessToken)
	if res, err := http.DefaultClient.Do(req); err == nil {
		res.Body.Close()
		if res.StatusCode != http.StatusRequestEntityTooLarge {
			t.Fatalf("declared 10 MiB: %d", res.StatusCode)
		}
	}

	e.do("POST", "/api/v1/pdfs", map[string]any{"file": "x"}, withToken(tk.AccessToken)).must(t, http.StatusUnsupportedMediaType)
	if f := e.upload(tk.AccessToken, "", map[string]string{"title": "no file"}).must(t, http.StatusUnprocessableEntity).errorBody(t).Fields; f["file"] == "" {
		t.Fatal("missing file not named")
	}
	if f := e.upload(tk.AccessToken, small, map[string]string{"kind": "novel"}).must(t, http.StatusUnprocessableEntity).errorBody(t).Fields; f["kind"] == "" {
		t.Fatal("bad kind not named")
	}
	e.upload(tk.AccessToken, small, map[string]string{"colour": "red"}).must(t, http.StatusBadRequest)
	e.upload(tk.AccessToken, small, map[string]string{"title": strings.Repeat("t", 301)}).must(t, http.StatusUnprocessableEntity)
	// A topic must be the uploader's own: another user's is as unknown as a made-up one.
	theirs := e.createTopic(other.AccessToken, map[string]any{"name": "Theirs"})
	for _, id := range []string{theirs.ID, "00000000-0000-4000-8000-000000000000", "not-a-uuid"} {
		if f := e.upload(tk.AccessToken, small, map[string]string{"topic_id": id}).must(t, http.StatusUnprocessableEntity).errorBody(t).Fields; f["topic_id"] == "" {
			t.Fatalf("topic %s not named", id)
		}
	}
	// Two files in one form.
	var body bytes.Buffer
	body.WriteString("--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.pdf\"\r\n\r\n%PDF-1\r\n")
	body.WriteString("--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"b.pdf\"\r\n\r\n%PDF-1\r\n--b--\r\n")
	e.do("POST", "/api/v1/pdfs", rawBody(body.String()), withHeader("Content-Type", "multipart/form-data; boundary=b"), withToken(tk.AccessToken)).
		must(t, http.StatusBadRequest)
	// A multipart body cut short.
	e.do("POST", "/api/v1/pdfs", rawBody("--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.pdf\"\r\n\r\n%PDF-1.7 trunc"),
		withHeader("Content-Type", "multipart/form-data; boundary=b"), withToken(tk.AccessToken)).must(t, http.StatusBadRequest)
	e.upload("", small, nil).must(t, http.StatusUnauthorized)
}

func TestUploadDedupe(t *testing.T) {
	t.Parallel()
	e := newEnvWith(t, envConfig{uploadsPerUser: 64}) // concurrency is not what this test is about
	tk, _ := e.register()
	other, _ := e.register()
	f := testpdf.CorpusFile(t, "golang.pdf")
	first := e.uploadOK(tk.AccessToken, f, nil)
	r := e.upload(tk.AccessToken, f, map[string]string{"title": "again"}).must(t, http.StatusConflict)
	var body struct {
		Error struct {
			Code    string         `json:"code"`
			Details map[string]any `json:"details"`
		} `json:"error"`
	}
	r.decode(t, &body)
	if body.Error.Code != "duplicate_pdf" || body.Error.Details["existing_id"] != first.ID || r.Header.Get("Location") != "/api/v1/pdfs/"+first.ID {
		t.Fatalf("duplicate: %s %v", r.Body, r.Header)
	}
	// Another user has their own library.
	e.uploadOK(other.AccessToken, f, nil)
	// Racing uploads of the same bytes: one wins, the rest are 409.
	f2 := testpdf.CorpusFile(t, "go-lecture.pdf")
	var wg sync.WaitGroup
	statuses := make([]int, 4)
	for i := range statuses {
		wg.Add(1)
		go func() { defer wg.Done(); statuses[i] = e.upload(tk.AccessToken, f2, nil).Status }()
	}
	wg.Wait()
	created := 0
	for _, s := range statuses {
		switch s {
		case http.StatusCreated:
			created++
		case http.StatusConflict:
		default:
			t.Fatalf("race statuses %v", statuses)
		}
	}
	if created != 1 {
		t.Fatalf("race statuses %v", statuses)
	}
	keys := 0
	_ = e.cfg.store.List(context.Background(), "users/", func(storage.Info) error { keys++; return nil })
	if keys != 3 {
		t.Fatalf("%d stored files, want 3 (losers of the race leave none)", keys)
	}
}

func TestDownload(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tk, _ := e.register()
	path := testpdf.CorpusFile(t, "WaldenFull.pdf")
	data, _ := os.ReadFile(path)
	pdf := e.uploadOK(tk.AccessToken, path, nil)
	url := "/api/v1/pdfs/" + pdf.ID + "/file"
	auth := withToken(tk.AccessToken)

	r := e.do("GET", url, nil, auth).must(t, http.StatusOK)
	if !bytes.Equal(r.Body, data) {
		t.Fatalf("body differs: %d bytes, want %d", len(r.Body), len(data))
	}
	etag := `"` + pdf.SHA256 + `"`
	h := r.Header
	if h.Get("Content-Type") != "application/pdf" || h.Get("ETag") != etag || h.Get("X-Content-Type-Options") != "nosniff" ||
		h.Get("Accept-Ranges") != "bytes" || !strings.HasPrefix(h.Get("Content-Disposition"), "attachment;") ||
		!strings.Contains(h.Get("Content-Disposition"), `filename=Walden.pdf`) {
		t.Fatalf("headers: %v", h)
	}
	if cd := e.do("GET", url+"?inline=1", nil, auth).must(t, http.StatusOK).Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "inline;") {
		t.Fatalf("inline: %q", cd)
	}
	e.do("GET", url+"?inline=maybe", nil, auth).must(t, http.StatusUnprocessableEntity)

	r = e.do("GET", url, nil, auth, withHeader("Range", "bytes=1000-1999")).must(t, http.StatusPartialContent)
	if !bytes.Equal(r.Body, data[1000:2000]) || r.Header.Get("Content-Range") != fmt.Sprintf("bytes 1000-1999/%d", len(data)) {
		t.Fatalf("range: %d bytes, %q", len(r.Body), r.Header.Get("Content-Range"))
	}
	r = e.do("GET", url, nil, auth, withHeader("Range", "bytes=-100")).must(t, http.StatusPartialContent)
	if !bytes.Equal(r.Body, data[len(data)-100:]) {
		t.Fatal("suffix range")
	}
	r = e.do("GET", url, nil, auth, withHeader("Range", fmt.Sprintf("bytes=%d-", len(data)+10))).must(t, http.StatusRequestedRangeNotSatisfiable)
	if r.errorBody(t).Code != "range_not_satisfiable" {
		t.Fatalf("416: %s", r.Body)
	}
	r = e.do("GET", url, nil, auth, withHeader("If-None-Match", etag)).must(t, http.StatusNotModified)
	if len(r.Body) != 0 {
		t.Fatal("304 with a body")
	}
	e.do("GET", url, nil, auth, withHeader("If-None-Match", `"other"`)).must(t, http.StatusOK)
	// If-Range with a stale ETag answers the whole file.
	r = e.do("GET", url, nil, auth, withHeader("Range", "bytes=0-9"), withHeader("If-Range", `"stale"`)).must(t, http.StatusOK)
	if len(r.Body) != len(data) {
		t.Fatal("If-Range mismatch must answer the whole file")
	}
	r = e.do("HEAD", url, nil, auth).must(t, http.StatusOK)
	if len(r.Body) != 0 || r.Header.Get("Content-Length") != fmt.Sprint(len(data)) {
		t.Fatalf("HEAD: %d bytes, length %q", len(r.Body), r.Header.Get("Content-Length"))
	}

	// A PDF whose file is not in the store (a seeded one): 404 file_missing.
	if err := e.cfg.store.Delete(context.Background(), storageKey(t, e, pdf.ID)); err != nil {
		t.Fatal(err)
	}
	if r = e.do("GET", url, nil, auth).must(t, http.StatusNotFound); r.errorBody(t).Code != "file_missing" {
		t.Fatalf("missing file: %s", r.Body)
	}
	e.do("HEAD", url, nil, auth).must(t, http.StatusNotFound)
	e.do("GET", "/api/v1/pdfs/"+pdf.ID, nil, auth).must(t, http.StatusOK)
}

func TestPDFUpdateAndDelete(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tk, _ := e.register()
	auth := withToken(tk.AccessToken)
	topic := e.createTopic(tk.AccessToken, map[string]any{"name": "Philosophy"})
	pdf := e.uploadOK(tk.AccessToken, testpdf.CorpusFile(t, "Walden.pdf"), map[string]string{"topic_id": topic.ID})
	if pdf.TopicID == nil || *pdf.TopicID != topic.ID {
		t.Fatalf("topic_id: %+v", pdf)
	}
	var got pdfJSON
	e.do("PATCH", "/api/v1/pdfs/"+pdf.ID, map[string]any{"title": "Walden (excerpt)", "current_page": 2}, auth).must(t, http.StatusOK).decode(t, &got)
	if got.Title != "Walden (excerpt)" || got.CurrentPage != 2 || got.TopicID == nil {
		t.Fatalf("patched: %+v", got)
	}
	for _, page := range []int{0, 3, -1} {
		if f := e.do("PATCH", "/api/v1/pdfs/"+pdf.ID, map[string]any{"current_page": page}, auth).must(t, http.StatusUnprocessableEntity).errorBody(t).Fields; f["current_page"] == "" {
			t.Fatalf("page %d not named", page)
		}
	}
	e.do("PATCH", "/api/v1/pdfs/"+pdf.ID, map[string]any{"topic_id": nil}, auth).must(t, http.StatusOK).decode(t, &got)
	if got.TopicID != nil {
		t.Fatal("topic not cleared by null")
	}
	e.do("PATCH", "/api/v1/pdfs/"+pdf.ID, map[string]any{"topic_id": "00000000-0000-4000-8000-000000000000"}, auth).must(t, http.StatusUnprocessableEntity)
	e.do("PATCH", "/api/v1/pdfs/"+pdf.ID, map[string]any{"title": ""}, auth).must(t, http.StatusUnprocessableEntity)
	e.do("PATCH", "/api/v1/pdfs/"+pdf.ID, map[string]any{"page_count": 9}, auth).must(t, http.StatusBadRequest)

	e.do("POST", "/api/v1/pdfs/"+pdf.ID+"/bookmarks", map[string]any{"page": 1}, auth).must(t, http.StatusCreated)
	key := storageKey(t, e, pdf.ID)
	e.do("DELETE", "/api/v1/pdfs/"+pdf.ID, nil, auth).must(t, http.StatusNoContent)
	e.do("GET", "/api/v1/pdfs/"+pdf.ID, nil, auth).must(t, http.StatusNotFound)
	e.do("DELETE", "/api/v1/pdfs/"+pdf.ID, nil, auth).must(t, http.StatusNotFound)
	if _, err := e.cfg.store.Open(context.Background(), key); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("file still stored after delete: %v", err)
	}
	if n := e.count(`SELECT count(*) FROM bookmarks WHERE pdf_id = $1`, pdf.ID); n != 0 {
		t.Fatalf("%d bookmarks left", n)
	}
}

func storageKey(t *testing.T, e *env, pdfID string) string {
	var key string
	if err := e.pool.QueryRow(context.Background(), `SELECT storage_key FROM pdfs WHERE id = $1`, pdfID).Scan(&key); err != nil {
		t.Fatal(err)
	}
	return key
}

func TestBookmarks(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tk, _ := e.register()
	auth := withToken(tk.AccessToken)
	pdf := e.uploadOK(tk.AccessToken, testpdf.CorpusFile(t, "go.pdf"), nil) // 23 pages
	for _, b := range []map[string]any{
		{"page": 12, "label": "channels"}, {"page": 3, "label": "intro", "note": "read twice"}, {"page": 23}, {"page": 3, "label": "again"},
	} {
		e.clock.Advance(time.Second) // same-page bookmarks list oldest first
		e.do("POST", "/api/v1/pdfs/"+pdf.ID+"/bookmarks", b, auth).must(t, http.StatusCreated)
	}
	for _, bad := range []map[string]any{{"page": 0}, {"page": 24}, {"page": 1, "label": strings.Repeat("l", 201)}, {"page": 1, "label": "a\nb"}, {}} {
		if f := e.do("POST", "/api/v1/pdfs/"+pdf.ID+"/bookmarks", bad, auth).must(t, http.StatusUnprocessableEntity).errorBody(t).Fields; len(f) == 0 {
			t.Fatalf("%v: no field named", bad)
		}
	}
	type bm struct {
		ID    string `json:"id"`
		Page  int    `json:"page"`
		Label string `json:"label"`
	}
	var all []bm
	cursor := ""
	for {
		var pg struct {
			Items      []bm    `json:"items"`
			NextCursor *string `json:"next_cursor"`
		}
		e.do("GET", "/api/v1/pdfs/"+pdf.ID+"/bookmarks?limit=3"+cursor, nil, auth).must(t, http.StatusOK).decode(t, &pg)
		all = append(all, pg.Items...)
		if pg.NextCursor == nil {
			break
		}
		cursor = "&cursor=" + *pg.NextCursor
	}
	var pages []int
	for _, b := range all {
		pages = append(pages, b.Page)
	}
	if fmt.Sprint(pages) != "[3 3 12 23]" || all[0].Label != "intro" {
		t.Fatalf("bookmarks in page order: %+v", all)
	}
	e.do("DELETE", "/api/v1/bookmarks/"+all[0].ID, nil, auth).must(t, http.StatusNoContent)
	e.do("DELETE", "/api/v1/bookmarks/"+all[0].ID, nil, auth).must(t, http.StatusNotFound)
}

// TestOtherUsersObjectsAre404: every verb on another user's topic, PDF, file
// and bookmarks answers 404, exactly as for an id that does not exist, and
// changes nothing.
func TestOtherUsersObjectsAre404(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner, _ := e.register()
	intruder, _ := e.register()
	topic := e.createTopic(owner.AccessToken, map[string]any{"name": "Private"})
	pdf := e.uploadOK(owner.AccessToken, testpdf.CorpusFile(t, "test.pdf"), map[string]string{"topic_id": topic.ID})
	var bookmark struct {
		ID string `json:"id"`
	}
	e.do("POST", "/api/v1/pdfs/"+pdf.ID+"/bookmarks", map[string]any{"page": 1}, withToken(owner.AccessToken)).must(t, http.StatusCreated).decode(t, &bookmark)
	mine := e.createTopic(intruder.AccessToken, map[string]any{"name": "Mine"})

	missing := "00000000-0000-4000-8000-00000000beef"
	cases := []struct {
		method, path string
		body         any
	}{
		{"GET", "/api/v1/topics/%s", nil},
		{"PATCH", "/api/v1/topics/%s", map[string]any{"name": "Stolen"}},
		{"PATCH", "/api/v1/topics/%s", map[string]any{"parent_id": mine.ID}},
		{"DELETE", "/api/v1/topics/%s", nil},
		{"DELETE", "/api/v1/topics/%s?cascade=true", nil},
		{"POST", "/api/v1/topics/%s/archive", nil},
		{"POST", "/api/v1/topics/%s/restore", nil},
	}
	for _, c := range cases {
		for _, id := range []string{topic.ID, missing} {
			r := e.do(c.method, fmt.Sprintf(c.path, id), c.body, withToken(intruder.AccessToken)).must(t, http.StatusNotFound)
			r.errorBody(t)
		}
	}
	pdfCases := []struct {
		method, path string
		body         any
	}{
		{"GET", "/api/v1/pdfs/%s", nil},
		{"PATCH", "/api/v1/pdfs/%s", map[string]any{"title": "Stolen"}},
		{"DELETE", "/api/v1/pdfs/%s", nil},
		{"GET", "/api/v1/pdfs/%s/file", nil},
		{"GET", "/api/v1/pdfs/%s/file?inline=1", nil},
		{"HEAD", "/api/v1/pdfs/%s/file", nil},
		{"GET", "/api/v1/pdfs/%s/bookmarks", nil},
		{"POST", "/api/v1/pdfs/%s/bookmarks", map[string]any{"page": 1}},
	}
	for _, c := range pdfCases {
		for _, id := range []string{pdf.ID, missing} {
			e.do(c.method, fmt.Sprintf(c.path, id), c.body, withToken(intruder.AccessToken)).must(t, http.StatusNotFound)
		}
	}
	e.do("DELETE", "/api/v1/bookmarks/"+bookmark.ID, nil, withToken(intruder.AccessToken)).must(t, http.StatusNotFound)
	// Moving one's own topic under another user's topic: the parent is unknown.
	e.do("PATCH", "/api/v1/topics/"+mine.ID, map[string]any{"parent_id": topic.ID}, withToken(intruder.AccessToken)).must(t, http.StatusUnprocessableEntity)
	e.do("POST", "/api/v1/topics", map[string]any{"name": "x", "parent_id": topic.ID}, withToken(intruder.AccessToken)).must(t, http.StatusUnprocessableEntity)
	// Lists show nothing of the owner's.
	var pdfs, topics struct {
		Items []map[string]any `json:"items"`
	}
	e.do("GET", "/api/v1/pdfs?topic_id="+topic.ID, nil, withToken(intruder.AccessToken)).must(t, http.StatusOK).decode(t, &pdfs)
	e.do("GET", "/api/v1/topics?archived=all", nil, withToken(intruder.AccessToken)).must(t, http.StatusOK).decode(t, &topics)
	if len(pdfs.Items) != 0 || len(topics.Items) != 1 {
		t.Fatalf("intruder sees %d PDFs and %d topics", len(pdfs.Items), len(topics.Items))
	}
	// Nothing changed for the owner.
	var still topicJSON
	e.do("GET", "/api/v1/topics/"+topic.ID, nil, withToken(owner.AccessToken)).must(t, http.StatusOK).decode(t, &still)
	if still.Name != "Private" || still.ArchivedAt != nil || still.PDFCount != 1 {
		t.Fatalf("owner's topic changed: %+v", still)
	}
	e.do("GET", "/api/v1/pdfs/"+pdf.ID+"/file", nil, withToken(owner.AccessToken)).must(t, http.StatusOK)
	if n := e.count(`SELECT count(*) FROM bookmarks WHERE id = $1`, bookmark.ID); n != 1 {
		t.Fatal("owner's bookmark deleted")
	}
}

// TestOrphanSweep: a stored file with no row (a crash between the two) is
// removed once it is older than the grace period; files with rows and fresh
// orphans (an upload in progress) stay.
func TestOrphanSweep(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tk, _ := e.register()
	pdf := e.uploadOK(tk.AccessToken, testpdf.CorpusFile(t, "test.pdf"), nil)
	ctx := context.Background()
	put := func(key string) {
		if err := e.cfg.store.Put(ctx, key, strings.NewReader("%PDF-orphan"), 11); err != nil {
			t.Fatal(err)
		}
	}
	oldOrphan := "users/" + tk.User.ID + "/pdfs/00000000-0000-4000-8000-000000000001.pdf"
	newOrphan := "users/" + tk.User.ID + "/pdfs/00000000-0000-4000-8000-000000000002.pdf"
	goneUser := "users/00000000-0000-4000-8000-00000000dead/pdfs/x.pdf"
	put(oldOrphan)
	put(newOrphan)
	put(goneUser)
	now := time.Now()
	s := &sweeper.Sweeper{
		Q: dbgen.New(e.pool), Now: func() time.Time { return now.Add(2 * time.Hour) }, Log: slog.New(slog.DiscardHandler),
		RevokedSessionRetention: time.Hour, LoginAttemptRetention: time.Hour, SecurityEventRetention: time.Hour,
		Store: e.cfg.store, OrphanGrace: time.Hour,
	}
	// newOrphan was just written: make it "fresh" relative to the sweep time.
	local := e.cfg.store.(*storage.Local)
	touch(t, local, newOrphan, now.Add(2*time.Hour))
	r, err := s.Once(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if r.OrphanFiles != 2 {
		t.Fatalf("swept %d orphans, want 2", r.OrphanFiles)
	}
	for key, want := range map[string]bool{oldOrphan: false, goneUser: false, newOrphan: true, storageKey(t, e, pdf.ID): true} {
		_, err := e.cfg.store.Open(ctx, key)
		if exists := err == nil; exists != want {
			t.Errorf("%s exists=%v, want %v", key, exists, want)
		}
	}
}

func touch(t *testing.T, l *storage.Local, key string, at time.Time) {
	t.Helper()
	p := filepath.Join(strings.TrimPrefix(l.Name(), "local:"), filepath.FromSlash(key))
	if err := os.Chtimes(p, at, at); err != nil {
		t.Fatal(err)
	}
}

func TestAccountDeletionRemovesFiles(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tk, password := e.register()
	keep, _ := e.register()
	topic := e.createTopic(tk.AccessToken, map[string]any{"name": "All of it"})
	e.uploadOK(tk.AccessToken, testpdf.CorpusFile(t, "test.pdf"), map[string]string{"topic_id": topic.ID})
	e.uploadOK(tk.AccessToken, testpdf.CorpusFile(t, "empty.pdf"), nil)
	kept := e.uploadOK(keep.AccessToken, testpdf.CorpusFile(t, "test.pdf"), nil)
	e.do("DELETE", "/api/v1/auth/me", map[string]any{"password": password}, withToken(tk.AccessToken)).must(t, http.StatusNoContent)
	n := 0
	_ = e.cfg.store.List(context.Background(), "users/"+tk.User.ID+"/", func(storage.Info) error { n++; return nil })
	if n != 0 {
		t.Fatalf("%d files left after deleting the account", n)
	}
	for _, table := range []string{"topics", "pdfs", "bookmarks", "page_stats"} {
		if c := e.count(fmt.Sprintf(`SELECT count(*) FROM %s WHERE user_id = $1`, table), tk.User.ID); c != 0 {
			t.Fatalf("%d rows left in %s", c, table)
		}
	}
	e.do("GET", "/api/v1/pdfs/"+kept.ID+"/file", nil, withToken(keep.AccessToken)).must(t, http.StatusOK)
}

// TestS3Backend runs an upload, a ranged download and a delete against a
// real MinIO server.
func TestS3Backend(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("slow: the whole corpus or a real MinIO; make test runs it")
	}
	m := testminio.Start(t)
	s3, err := storage.Open(context.Background(), m.URL("studysprint-api-test"), storage.Options{AccessKeyID: m.AccessKey, SecretAccessKey: m.SecretKey})
	if err != nil {
		t.Fatal(err)
	}
	e := newEnvWith(t, envConfig{store: s3})
	tk, _ := e.register()
	path := testpdf.CorpusFile(t, "go.pdf")
	data, _ := os.ReadFile(path)
	pdf := e.uploadOK(tk.AccessToken, path, nil)
	r := e.do("GET", "/api/v1/pdfs/"+pdf.ID+"/file", nil, withToken(tk.AccessToken), withHeader("Range", "bytes=100-199")).must(t, http.StatusPartialContent)
	if !bytes.Equal(r.Body, data[100:200]) {
		t.Fatal("ranged read from S3 differs")
	}
	r = e.do("GET", "/api/v1/pdfs/"+pdf.ID+"/file", nil, withToken(tk.AccessToken)).must(t, http.StatusOK)
	if !bytes.Equal(r.Body, data) {
		t.Fatal("read from S3 differs")
	}
	key := storageKey(t, e, pdf.ID)
	e.do("DELETE", "/api/v1/pdfs/"+pdf.ID, nil, withToken(tk.AccessToken)).must(t, http.StatusNoContent)
	if _, err := s3.Open(context.Background(), key); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("S3 object after delete: %v", err)
	}
}
