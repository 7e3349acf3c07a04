package api_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/studysprint/studysprint/internal/storage"
	"github.com/studysprint/studysprint/internal/testpdf"
)

// pendingUpload is an upload whose body the test writes at its own pace.
type pendingUpload struct {
	w    *io.PipeWriter
	mw   *multipart.Writer
	file io.Writer
	done chan response
}

// startUpload opens an upload and writes the multipart header of its file
// part; the test then writes the file with write and ends it with finish.
func (e *env) startUpload(token string) *pendingUpload {
	e.t.Helper()
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	u := &pendingUpload{w: pw, mw: mw, done: make(chan response, 1)}
	req, err := http.NewRequest("POST", e.srv.URL+"/api/v1/pdfs", pr)
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+token)
	go func() {
		res, err := e.client.Do(req)
		if err != nil {
			pr.CloseWithError(err)
			u.done <- response{Status: -1, Body: []byte(err.Error())}
			return
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		pr.CloseWithError(io.ErrClosedPipe) // the server answered: stop the writer
		u.done <- response{Status: res.StatusCode, Header: res.Header, Body: body}
	}()
	part, err := mw.CreateFormFile("file", "slow.pdf")
	if err != nil {
		e.t.Fatal(err)
	}
	u.file = part
	return u
}

func (u *pendingUpload) write(b []byte) error {
	_, err := u.file.Write(b)
	return err
}

// finish writes the rest of the file, closes the form and waits for the answer.
func (u *pendingUpload) finish(rest []byte) response {
	if err := u.write(rest); err == nil {
		u.mw.Close()
		u.w.Close()
	}
	return <-u.done
}

func uploadDirEntries(t *testing.T, e *env) []string {
	t.Helper()
	entries, err := os.ReadDir(e.uploads)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	var names []string
	for _, en := range entries {
		names = append(names, en.Name())
	}
	return names
}

// TestUploadsBoundedPerUser (finding 6): a user gets UploadsPerUser uploads
// at a time; the next is a 429 with Retry-After, while another user uploads
// freely.
func TestUploadsBoundedPerUser(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	hog, _ := e.register()
	other, _ := e.register()
	pdf, err := os.ReadFile(testpdf.CorpusFile(t, "test.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	first, second := e.startUpload(hog.AccessToken), e.startUpload(hog.AccessToken)
	if err := first.write(pdf[:100]); err != nil {
		t.Fatal(err)
	}
	if err := second.write(pdf[:100]); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { return len(uploadDirEntries(t, e)) == 2 })
	r := e.uploadBytes(hog.AccessToken, "third.pdf", pdf, nil).must(t, http.StatusTooManyRequests)
	if r.errorBody(t).Code != "too_many_uploads" || r.Header.Get("Retry-After") == "" {
		t.Fatalf("third upload: %s (Retry-After %q)", r.Body, r.Header.Get("Retry-After"))
	}
	e.uploadBytes(other.AccessToken, "other.pdf", pdf, nil).must(t, http.StatusCreated)
	first.finish(pdf[100:]).must(t, http.StatusCreated)
	r = second.finish(pdf[100:]).must(t, http.StatusConflict) // the same bytes as the first
	if r.errorBody(t).Code != "duplicate_pdf" {
		t.Fatalf("second: %s", r.Body)
	}
	e.uploadBytes(hog.AccessToken, "again.pdf", append(bytes.Clone(pdf), '\n'), nil).must(t, http.StatusCreated)
}

// TestTrickleUploadIsCut (finding 6): after the grace period an upload that
// averages less than the minimum rate is cut with 408 even while the server
// is blocked reading it, and its temporary file is gone.
func TestTrickleUploadIsCut(t *testing.T) {
	t.Parallel()
	e := newEnvWith(t, envConfig{uploadGrace: 300 * time.Millisecond, uploadMinRate: 64 << 10})
	tk, _ := e.register()
	u := e.startUpload(tk.AccessToken)
	start := time.Now()
	go func() {
		for i := 0; i < 100; i++ {
			if u.write([]byte("%PDF-1.7 slow\n")) != nil {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
	}()
	var r response
	select {
	case r = <-u.done:
	case <-time.After(20 * time.Second):
		t.Fatal("the trickle was not cut")
	}
	if r.Status != http.StatusRequestTimeout || !strings.Contains(string(r.Body), "upload_too_slow") {
		t.Fatalf("trickle answered %d %s", r.Status, r.Body)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Fatalf("cut after %v", took)
	}
	waitFor(t, func() bool { return len(uploadDirEntries(t, e)) == 0 })
}

// TestStorageQuota: the bytes a user keeps are bounded; past the quota an
// upload is a 413 quota_exceeded (refused early from Content-Length, or
// after the file arrived when the length was not known).
func TestStorageQuota(t *testing.T) {
	t.Parallel()
	a := testpdf.CorpusFile(t, "test.pdf")
	st, err := os.Stat(a)
	if err != nil {
		t.Fatal(err)
	}
	e := newEnvWith(t, envConfig{storageQuota: st.Size() + 100})
	tk, _ := e.register()
	e.uploadOK(tk.AccessToken, a, nil)
	for _, send := range []func() response{
		func() response { return e.upload(tk.AccessToken, testpdf.CorpusFile(t, "empty.pdf"), nil) },
		func() response {
			data, _ := os.ReadFile(testpdf.CorpusFile(t, "empty.pdf"))
			return e.uploadBytes(tk.AccessToken, "known-length.pdf", data, nil)
		},
	} {
		r := send().must(t, http.StatusRequestEntityTooLarge)
		if r.errorBody(t).Code != "quota_exceeded" {
			t.Fatalf("over quota: %s", r.Body)
		}
	}
	other, _ := e.register()
	e.uploadOK(other.AccessToken, testpdf.CorpusFile(t, "empty.pdf"), nil)
}

// TestAccountDeletedDuringUpload (finding 11): an upload in flight when its
// account is deleted ends with a clean 401 and leaves no file behind.
func TestAccountDeletedDuringUpload(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tk, password := e.register()
	pdf, err := os.ReadFile(testpdf.CorpusFile(t, "test.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	u := e.startUpload(tk.AccessToken)
	if err := u.write(pdf[:200]); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { return len(uploadDirEntries(t, e)) == 1 })
	e.do("DELETE", "/api/v1/auth/me", map[string]any{"password": password}, withToken(tk.AccessToken)).must(t, http.StatusNoContent)
	r := u.finish(pdf[200:])
	if r.Status != http.StatusUnauthorized || !strings.Contains(string(r.Body), "account_deleted") {
		t.Fatalf("upload after the account went: %d %s", r.Status, r.Body)
	}
	n := 0
	if err := e.cfg.store.List(context.Background(), "users/", func(storage.Info) error { n++; return nil }); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Fatalf("%d stored files left", n)
	}
	waitFor(t, func() bool { return len(uploadDirEntries(t, e)) == 0 })
}

// TestRangeEdges (finding 11): a zero-length suffix range and more than 16
// ranges are 416 with a valid Content-Range; a few ranges still work.
func TestRangeEdges(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tk, _ := e.register()
	p := e.uploadOK(tk.AccessToken, testpdf.CorpusFile(t, "test.pdf"), nil)
	path := "/api/v1/pdfs/" + p.ID + "/file"
	var many []string
	for i := range 1000 {
		many = append(many, fmt.Sprintf("%d-%d", i, i))
	}
	for _, rng := range []string{"bytes=-0", "bytes=0-1,-0", "bytes=" + strings.Join(many[:17], ","), "bytes=" + strings.Join(many, ",")} {
		for _, method := range []string{"GET", "HEAD"} {
			r := e.do(method, path, nil, withToken(tk.AccessToken), withHeader("Range", rng)).must(t, http.StatusRequestedRangeNotSatisfiable)
			if got, want := r.Header.Get("Content-Range"), fmt.Sprintf("bytes */%d", p.SizeBytes); got != want {
				t.Fatalf("%s %.40s: Content-Range %q, want %q", method, rng, got, want)
			}
		}
	}
	r := e.do("GET", path, nil, withToken(tk.AccessToken), withHeader("Range", "bytes="+strings.Join(many[:16], ","))).must(t, http.StatusPartialContent)
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/byteranges") {
		t.Fatalf("16 ranges: %s", r.Header.Get("Content-Type"))
	}
	e.do("GET", path, nil, withToken(tk.AccessToken), withHeader("Range", "bytes=-10")).must(t, http.StatusPartialContent)
}

// waitFor polls cond for up to 10 seconds.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 10 s")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
