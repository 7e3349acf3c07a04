package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/studysprint/studysprint/internal/koreader"
	"github.com/studysprint/studysprint/internal/pdfinfo"
	"github.com/studysprint/studysprint/internal/testdb"
	"github.com/studysprint/studysprint/internal/testpdf"
)

func TestMain(m *testing.M) {
	pdfinfo.RunChildIfRequested()  // the server re-executes this test binary to parse PDFs
	koreader.RunChildIfRequested() // and to read KOReader statistics files
	os.Exit(m.Run())
}

func TestVersionAndUsage(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run([]string{"version"}, &out, &errOut); code != 0 || strings.TrimSpace(out.String()) == "" {
		t.Fatalf("version: %d %q", code, out.String())
	}
	if code := run(nil, &out, &errOut); code != 2 || !strings.Contains(errOut.String(), "usage") {
		t.Fatalf("no args: %d %q", code, errOut.String())
	}
	if code := run([]string{"frobnicate"}, &out, &errOut); code != 2 {
		t.Fatalf("unknown command: %d", code)
	}
}

// TestBadConfigNamesTheVariable: serve refuses to start and says which variable is wrong.
func TestBadConfigNamesTheVariable(t *testing.T) {
	t.Setenv("BCRYPT_COST", "99")
	t.Setenv("JWT_ACCESS_TTL", "soon")
	var out, errOut bytes.Buffer
	if code := run([]string{"serve"}, &out, &errOut); code != 2 {
		t.Fatalf("exit %d", code)
	}
	for _, name := range []string{"BCRYPT_COST", "JWT_ACCESS_TTL"} {
		if !strings.Contains(errOut.String(), name) {
			t.Fatalf("message does not name %s: %s", name, errOut.String())
		}
	}
}

// TestServeGracefulShutdown runs the real serve command: it migrates a fresh
// database, generates a key under DATA_DIR, serves, and on SIGTERM lets an
// in-flight request (a slow bcrypt login) finish before exiting 0.
func TestServeGracefulShutdown(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	mln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	metricsAddr := mln.Addr().String()
	mln.Close()
	dataDir := t.TempDir()
	t.Setenv("HTTP_ADDR", addr)
	t.Setenv("METRICS_ADDR", metricsAddr)
	t.Setenv("PPROF", "true")
	t.Setenv("DATABASE_URL", testdb.EmptyURL(t))
	t.Setenv("DATA_DIR", dataDir)
	t.Setenv("BCRYPT_COST", "12") // a login takes long enough to be in flight
	// Normal priority: under the race detector on a busy CI machine a nice-19
	// bcrypt thread can wait longer for a core than this test waits.
	t.Setenv("BCRYPT_PRIORITY", "normal")
	t.Setenv("LOG_LEVEL", "warn")
	t.Setenv("SHUTDOWN_TIMEOUT", "20s")

	var out, errOut bytes.Buffer
	done := make(chan int, 1)
	go func() { done <- run([]string{"serve"}, &out, &errOut) }()

	base := "http://" + addr
	deadline := time.Now().Add(30 * time.Second)
	for {
		res, err := http.Get(base + "/health/db")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("server did not come up: %v\n%s", err, errOut.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	if _, err := os.Stat(filepath.Join(dataDir, "keys", "jwt-signing-key.pem")); err != nil {
		t.Fatalf("no generated key: %v", err)
	}
	if !strings.Contains(errOut.String(), "JWT_SIGNING_KEY_FILE is not set") {
		t.Fatalf("no warning about the generated key: %s", errOut.String())
	}

	// Metrics and pprof on the separate listener; neither on the main one.
	for _, c := range []struct {
		url, want string
		status    int
	}{
		{"http://" + metricsAddr + "/metrics", `studysprint_http_requests_total{method="GET",route="/health/db",status="200"}`, http.StatusOK},
		{"http://" + metricsAddr + "/debug/pprof/", "goroutine", http.StatusOK},
		{base + "/metrics", "", http.StatusNotFound},
		{base + "/debug/pprof/", "", http.StatusNotFound},
	} {
		res, err := http.Get(c.url)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != c.status || !strings.Contains(string(b), c.want) {
			t.Fatalf("%s: %d, want %d with %q:\n%.2000s", c.url, res.StatusCode, c.status, c.want, b)
		}
	}

	// The background text worker picks up an upload by itself.
	if _, err := exec.LookPath("pdftotext"); err == nil {
		checkTextExtraction(t, base)
		// The workers count into the server's registry.
		res, err := http.Get("http://" + metricsAddr + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if !strings.Contains(string(b), "\nstudysprint_text_pdfs_extracted_total 1\n") {
			t.Fatalf("text extraction not counted:\n%s", b)
		}
	}

	// An in-flight request on its own connection: the headers and half the
	// body go before the signal, the rest after it. (A fresh connection, not
	// an idle keep-alive one that shutdown would close.)
	body := `{"email":"grace@example.com","username":"grace","password":"graceful-shutdown-1"}`
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// A first request makes sure the server has accepted the connection (a
	// connection still in the listen backlog dies with the listener).
	br := bufio.NewReader(conn)
	fmt.Fprintf(conn, "GET /health HTTP/1.1\r\nHost: %s\r\n\r\n", addr)
	warm, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, warm.Body)
	warm.Body.Close()
	fmt.Fprintf(conn, "POST /api/v1/auth/register HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", addr, len(body), body[:20])
	time.Sleep(100 * time.Millisecond) // the server reads the headers: the connection is active
	if err := syscall.Kill(os.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond) // shutdown under way: no new connections
	if _, err := (&http.Client{Transport: &http.Transport{DisableKeepAlives: true}}).Get(base + "/health"); err == nil {
		t.Fatal("a new connection was accepted during shutdown")
	}
	if _, err := io.WriteString(conn, body[20:]); err != nil {
		t.Fatal(err)
	}
	res, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("in-flight request during shutdown: %v\n%s", err, errOut.String())
	}
	res.Body.Close()
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("in-flight request got %d during shutdown", res.StatusCode)
	}
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("serve exited %d: %s", code, errOut.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop")
	}
	if _, err := http.Get(base + "/health"); err == nil {
		t.Fatal("still accepting connections after shutdown")
	}
}

// checkTextExtraction uploads a small text PDF to the running server and
// waits for its background text extraction to finish.
func checkTextExtraction(t *testing.T, base string) {
	t.Helper()
	post := func(path, ct string, body io.Reader, token string) map[string]any {
		req, _ := http.NewRequest("POST", base+path, body)
		req.Header.Set("Content-Type", ct)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var out map[string]any
		_ = json.NewDecoder(res.Body).Decode(&out)
		if res.StatusCode >= 300 {
			t.Fatalf("POST %s: %d %v", path, res.StatusCode, out)
		}
		return out
	}
	reg := post("/api/v1/auth/register", "application/json",
		strings.NewReader(`{"email":"text@example.com","username":"texter","password":"extract-the-text-1"}`), "")
	token, _ := reg["access_token"].(string)
	pdfPath := filepath.Join(t.TempDir(), "words.pdf")
	if err := testpdf.WriteTextPDF(pdfPath, "", [][]string{{"background workers extract these six words"}}); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("file", "words.pdf")
	data, _ := os.ReadFile(pdfPath)
	fw.Write(data)
	mw.Close()
	pdf := post("/api/v1/pdfs", mw.FormDataContentType(), &buf, token)
	deadline := time.Now().Add(30 * time.Second)
	for {
		req, _ := http.NewRequest("GET", base+"/api/v1/pdfs/"+pdf["id"].(string), nil)
		req.Header.Set("Authorization", "Bearer "+token)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var got map[string]any
		_ = json.NewDecoder(res.Body).Decode(&got)
		res.Body.Close()
		if got["text_status"] == "done" {
			if got["word_count"] != float64(6) {
				t.Fatalf("word_count %v", got["word_count"])
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("text extraction did not finish: %v", got)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestReindexText queues every PDF for extraction again.
func TestReindexText(t *testing.T) {
	url := testdb.URL(t)
	t.Setenv("DATABASE_URL", url)
	pool := testdb.PoolFor(t, url)
	ctx := context.Background()
	var user string
	if err := pool.QueryRow(ctx, `INSERT INTO users (email, username, password_hash) VALUES ('r@example.com', 'reindex', 'x') RETURNING id`).Scan(&user); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if _, err := pool.Exec(ctx, `INSERT INTO pdfs (user_id, title, page_count, size_bytes, sha256, storage_key, text_status) VALUES ($1, 't', 1, 1, $2, $3, 'done')`,
			user, bytes.Repeat([]byte{byte(i)}, 32), fmt.Sprintf("k%d", i)); err != nil {
			t.Fatal(err)
		}
	}
	var out, errOut bytes.Buffer
	if code := run([]string{"reindex-text"}, &out, &errOut); code != 0 || !strings.Contains(out.String(), "queued 3 PDFs") {
		t.Fatalf("exit %d: %s %s", code, out.String(), errOut.String())
	}
	var jobs, pending int
	_ = pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM text_jobs), (SELECT count(*) FROM pdfs WHERE text_status = 'pending')`).Scan(&jobs, &pending)
	if jobs != 3 || pending != 3 {
		t.Fatalf("jobs %d, pending %d", jobs, pending)
	}
}

// TestSeedFlags: bad seed flags exit 2 naming the problem; a dry run
// generates without a database and prints its report.
func TestSeedFlags(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run([]string{"seed", "--users", "0"}, &out, &errOut); code != 2 || !strings.Contains(errOut.String(), "users must be") {
		t.Fatalf("--users 0: exit %d, %q", code, errOut.String())
	}
	errOut.Reset()
	if code := run([]string{"seed", "--until", "soon"}, &out, &errOut); code != 2 || !strings.Contains(errOut.String(), "--until") {
		t.Fatalf("--until soon: exit %d, %q", code, errOut.String())
	}
	out.Reset()
	code := run([]string{"seed", "--dry-run", "--users", "2", "--days", "5", "--bcrypt-cost", "4", "--until", "2026-06-01"}, &out, &errOut)
	if code != 0 || !strings.Contains(out.String(), "dry run") || !strings.Contains(out.String(), "seed-001") {
		t.Fatalf("dry run: exit %d\n%s\n%s", code, out.String(), errOut.String())
	}
}

// TestRaiseFileLimit: serve lifts the soft open-file limit to the hard one
// (each upload in flight holds a socket and a temporary file).
func TestRaiseFileLimit(t *testing.T) {
	var orig syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &orig); err != nil {
		t.Fatal(err)
	}
	if orig.Max < 256 {
		t.Skipf("hard limit %d: nothing to raise to", orig.Max)
	}
	low := orig
	low.Cur = 128
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &low); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = syscall.Setrlimit(syscall.RLIMIT_NOFILE, &orig) })
	raiseFileLimit(slog.New(slog.DiscardHandler))
	var got syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &got); err != nil {
		t.Fatal(err)
	}
	if got.Cur != orig.Max {
		t.Fatalf("soft limit %d after raising, want the hard limit %d", got.Cur, orig.Max)
	}
}
