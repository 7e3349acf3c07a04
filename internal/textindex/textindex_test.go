package textindex_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/studysprint/studysprint/dbgen"
	"github.com/studysprint/studysprint/internal/pdfinfo"
	"github.com/studysprint/studysprint/internal/storage"
	"github.com/studysprint/studysprint/internal/testdb"
	"github.com/studysprint/studysprint/internal/testpdf"
	"github.com/studysprint/studysprint/internal/textindex"
)

func TestMain(m *testing.M) {
	pdfinfo.RunChildIfRequested() // pdftotext runs through a limited child of this binary
	os.Exit(m.Run())
}

type fixture struct {
	t      testing.TB
	pool   *pgxpool.Pool
	store  *storage.Local
	user   uuid.UUID
	now    atomic.Pointer[time.Time]
	worker *textindex.Worker
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	testpdf.RequireTool(t, "pdftotext")
	f := &fixture{t: t, pool: testdb.Pool(t)}
	var err error
	if f.store, err = storage.NewLocal(t.TempDir()); err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	f.now.Store(&start)
	f.user = f.newUser()
	ex, err := pdfinfo.NewTextExtractor(pdfinfo.Limits{Timeout: 60 * time.Second, MemoryBytes: 1 << 30})
	if err != nil {
		t.Fatal(err)
	}
	f.worker = f.newWorker(ex)
	return f
}

// newUser adds a user with no PDFs.
func (f *fixture) newUser() uuid.UUID {
	f.t.Helper()
	var id uuid.UUID
	n := uuid.NewString()[:8]
	if err := f.pool.QueryRow(context.Background(),
		`INSERT INTO users (email, username, password_hash) VALUES ($1, $2, 'x') RETURNING id`,
		"u"+n+"@example.com", "u"+n).Scan(&id); err != nil {
		f.t.Fatal(err)
	}
	return id
}

func (f *fixture) newWorker(ex textindex.Extractor) *textindex.Worker {
	return &textindex.Worker{
		Pool: f.pool, Store: f.store, Extractor: ex, Now: func() time.Time { return *f.now.Load() },
		Log: slog.New(slog.DiscardHandler), Languages: [2]string{"simple", "english"},
		Lease: 5 * time.Minute, MaxAttempts: 3, TempDir: f.t.TempDir(),
	}
}

func (f *fixture) advance(d time.Duration) {
	n := f.now.Load().Add(d)
	f.now.Store(&n)
}

// addPDF stores the file, its row and its text job, as an upload does.
func (f *fixture) addPDF(path string, pages int) uuid.UUID {
	f.t.Helper()
	return f.addPDFFor(f.user, path, pages)
}

// addPDFFor is addPDF for another user.
func (f *fixture) addPDFFor(user uuid.UUID, path string, pages int) uuid.UUID {
	f.t.Helper()
	ctx := context.Background()
	data, err := os.ReadFile(path)
	if err != nil {
		f.t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	id := uuid.New()
	key := "users/" + user.String() + "/pdfs/" + id.String() + ".pdf"
	if err := f.store.Put(ctx, key, bytesReader(data), int64(len(data))); err != nil {
		f.t.Fatal(err)
	}
	q := dbgen.New(f.pool)
	if _, err := q.CreatePDF(ctx, dbgen.CreatePDFParams{ID: id, UserID: user, Kind: "study", Title: filepath.Base(path),
		PageCount: int32(pages), SizeBytes: int64(len(data)), Sha256: sum[:], StorageKey: key, Now: *f.now.Load()}); err != nil {
		f.t.Fatal(err)
	}
	if err := q.CreateTextJob(ctx, dbgen.CreateTextJobParams{PdfID: id, UserID: user, Now: *f.now.Load()}); err != nil {
		f.t.Fatal(err)
	}
	return id
}

func (f *fixture) drain(w *textindex.Worker) int {
	f.t.Helper()
	n := 0
	for {
		worked, err := w.RunOnce(context.Background())
		if err != nil {
			f.t.Fatal(err)
		}
		if !worked {
			return n
		}
		n++
	}
}

type pdfText struct {
	status    string
	words     *int32
	textError *string
}

func (f *fixture) status(id uuid.UUID) pdfText {
	f.t.Helper()
	var s pdfText
	if err := f.pool.QueryRow(context.Background(), `SELECT text_status, word_count, text_error FROM pdfs WHERE id = $1`, id).
		Scan(&s.status, &s.words, &s.textError); err != nil {
		f.t.Fatal(err)
	}
	return s
}

// TestCorpusWordCounts: every text PDF of the corpus gets a word count within
// 10% of `pdftotext | wc -w`; image-only PDFs are no_text.
func TestCorpusWordCounts(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("slow: real pdftotext over a corpus or a hostile PDF; make test runs it")
	}
	f := newFixture(t)
	files := testpdf.Corpus(t)
	ids := map[string]uuid.UUID{}
	for _, p := range files {
		ids[p] = f.addPDF(p, testpdf.PdfinfoPages(t, p))
	}
	var wg sync.WaitGroup
	for range 2 { // two workers share the queue
		wg.Add(1)
		go func() { defer wg.Done(); f.drain(f.worker) }()
	}
	wg.Wait()
	textPDFs := 0
	for _, p := range files {
		s := f.status(ids[p])
		want := testpdf.PdftotextWords(t, p)
		name := filepath.Base(p)
		switch {
		case want == 0:
			if s.status != textindex.StatusNoText || s.words != nil {
				t.Errorf("%s: no text for pdftotext, got %s %v", name, s.status, s.words)
			}
		case s.status != textindex.StatusDone || s.words == nil:
			t.Errorf("%s: status %s (%v), pdftotext counts %d words", name, s.status, deref(s.textError), want)
		default:
			textPDFs++
			if diff := math.Abs(float64(*s.words-int32(want))) / float64(want); diff > 0.10 {
				t.Errorf("%s: %d words, pdftotext %d (%.1f%% apart)", name, *s.words, want, 100*diff)
			}
		}
	}
	if textPDFs < 40 {
		t.Fatalf("only %d PDFs with text compared", textPDFs)
	}
	var jobs int
	if err := f.pool.QueryRow(context.Background(), `SELECT count(*) FROM text_jobs`).Scan(&jobs); err != nil || jobs != 0 {
		t.Fatalf("%d jobs left, %v", jobs, err)
	}
}

// TestScansAndPages: a page without a text layer has a NULL word count, a
// scan-only PDF is no_text, and pages are stored in order.
func TestScansAndPages(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	mixed := filepath.Join(t.TempDir(), "mixed.pdf")
	if err := testpdf.WriteTextPDF(mixed, "", [][]string{{"first page has five words"}, {}, {"third page"}}); err != nil {
		t.Fatal(err)
	}
	id := f.addPDF(mixed, 3)
	scan := f.addPDF(testpdf.CorpusFile(t, "blank-scan.pdf"), 1)
	f.drain(f.worker)
	if s := f.status(id); s.status != textindex.StatusDone || s.words == nil || *s.words != 7 {
		t.Fatalf("mixed: %+v", s)
	}
	rows, err := f.pool.Query(context.Background(), `SELECT page, word_count FROM pdf_pages WHERE pdf_id = $1 ORDER BY page`, id)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for rows.Next() {
		var page int
		var wc *int32
		_ = rows.Scan(&page, &wc)
		got = append(got, fmt.Sprintf("%d:%v", page, derefInt(wc)))
	}
	if fmt.Sprint(got) != "[1:5 2:null 3:2]" {
		t.Fatalf("pages: %v", got)
	}
	if s := f.status(scan); s.status != textindex.StatusNoText || s.words != nil {
		t.Fatalf("scan: %+v", s)
	}
}

// TestReextractionKeepsLexemes: extracting a PDF again rewrites its
// inverted-index rows (pdf_lexemes) with its pages, in the same transaction,
// instead of adding to them; deleting the PDF removes them.
func TestReextractionKeepsLexemes(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	path := filepath.Join(t.TempDir(), "words.pdf")
	if err := testpdf.WriteTextPDF(path, "", [][]string{{"glacier glacier lake"}, {"glacier"}}); err != nil {
		t.Fatal(err)
	}
	id := f.addPDF(path, 2)
	ctx := context.Background()
	lexemes := func() (rows, glacier int) {
		if err := f.pool.QueryRow(ctx, `SELECT count(*), coalesce(sum(occurrences) FILTER (WHERE lexeme = 'glacier'), 0)
			FROM pdf_lexemes WHERE pdf_id = $1 AND user_id = $2`, id, f.user).Scan(&rows, &glacier); err != nil {
			t.Fatal(err)
		}
		return rows, glacier
	}
	f.drain(f.worker)
	rows, glacier := lexemes()
	// glacier and lake: simple and english give the same lexemes, one row
	// each, and the page vector (simple || english) has every occurrence
	// twice.
	if rows != 2 || glacier != 6 {
		t.Fatalf("after extraction: %d rows, glacier %d times", rows, glacier)
	}
	if err := dbgen.New(f.pool).CreateTextJob(ctx, dbgen.CreateTextJobParams{PdfID: id, UserID: f.user, Now: *f.now.Load()}); err != nil {
		t.Fatal(err)
	}
	f.drain(f.worker)
	if r, g := lexemes(); r != rows || g != glacier {
		t.Fatalf("after re-extraction: %d rows, glacier %d times", r, g)
	}
	if _, err := f.pool.Exec(ctx, "DELETE FROM pdfs WHERE id = $1", id); err != nil {
		t.Fatal(err)
	}
	if r, _ := lexemes(); r != 0 {
		t.Fatalf("%d rows left after the delete", r)
	}
}

// TestCorruptPDFFailsWithoutBlocking: a file pdftotext cannot read is retried
// with backoff while the rest of the queue goes on, then marked failed with
// the reason.
func TestCorruptPDFFailsWithoutBlocking(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	corrupt := filepath.Join(t.TempDir(), "corrupt.pdf")
	if err := os.WriteFile(corrupt, []byte("%PDF-1.7\nthis is not a PDF body\n%%EOF"), 0o644); err != nil {
		t.Fatal(err)
	}
	bad := f.addPDF(corrupt, 3)
	f.advance(time.Second)
	good := f.addPDF(testpdf.CorpusFile(t, "go.pdf"), 23)

	if n := f.drain(f.worker); n != 2 {
		t.Fatalf("first pass handled %d jobs, want 2 (the corrupt one fails, the good one finishes)", n)
	}
	if s := f.status(good); s.status != textindex.StatusDone {
		t.Fatalf("good PDF behind a corrupt one: %+v", s)
	}
	if s := f.status(bad); s.status != textindex.StatusPending {
		t.Fatalf("corrupt PDF after one attempt: %+v", s)
	}
	for attempt := 2; attempt <= 3; attempt++ {
		if n := f.drain(f.worker); n != 0 {
			t.Fatalf("retried before its backoff ended")
		}
		f.advance(textindex.Backoff(attempt - 1))
		if n := f.drain(f.worker); n != 1 {
			t.Fatalf("attempt %d not made", attempt)
		}
	}
	s := f.status(bad)
	if s.status != textindex.StatusFailed || s.textError == nil || *s.textError == "" {
		t.Fatalf("corrupt PDF after 3 attempts: %+v", s)
	}
	t.Logf("failure reason: %s", *s.textError)
	var jobs int
	_ = f.pool.QueryRow(context.Background(), `SELECT count(*) FROM text_jobs`).Scan(&jobs)
	if jobs != 0 {
		t.Fatalf("%d jobs left", jobs)
	}
}

// crashingExtractor stands for a worker process that dies mid-extraction:
// it reports some pages and then never returns (until the test lets go).
type crashingExtractor struct {
	started chan struct{}
	release chan struct{}
}

func (c *crashingExtractor) Pages(ctx context.Context, path string, pages int, fn func(int, string) error) error {
	_ = fn(1, "half done")
	close(c.started)
	select {
	case <-c.release:
	case <-ctx.Done():
	}
	return ctx.Err()
}

// TestRestartMidExtraction: a worker dies holding a job (its transaction
// never commits); after the lease another worker (a restarted server) takes
// the job and finishes it. Nothing half-written shows meanwhile.
func TestRestartMidExtraction(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	id := f.addPDF(testpdf.CorpusFile(t, "go.pdf"), 23)
	crash := &crashingExtractor{started: make(chan struct{}), release: make(chan struct{})}
	dying := f.newWorker(crash)
	ctx, kill := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _, _ = dying.RunOnce(ctx); close(done) }()
	<-crash.started
	var pages int
	_ = f.pool.QueryRow(context.Background(), `SELECT count(*) FROM pdf_pages WHERE pdf_id = $1`, id).Scan(&pages)
	if pages != 0 {
		t.Fatalf("%d pages visible before the extraction committed", pages)
	}
	kill() // the process dies: its transaction rolls back
	<-done

	// While the lease runs, nobody else takes the job.
	if n := f.drain(f.worker); n != 0 {
		t.Fatal("job taken while leased")
	}
	f.advance(5*time.Minute + time.Second)
	if n := f.drain(f.worker); n != 1 {
		t.Fatal("job not taken after the lease ended")
	}
	if s := f.status(id); s.status != textindex.StatusDone || s.words == nil || *s.words < 900 {
		t.Fatalf("after the restart: %+v", s)
	}
	_ = f.pool.QueryRow(context.Background(), `SELECT count(*) FROM pdf_pages WHERE pdf_id = $1`, id).Scan(&pages)
	if pages != 23 {
		t.Fatalf("%d pages stored, want 23", pages)
	}
}

// TestWorkerDiesEveryTime: a job whose worker dies on every attempt is
// failed once the attempts run out.
func TestWorkerDiesEveryTime(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	id := f.addPDF(testpdf.CorpusFile(t, "test.pdf"), 1)
	q := dbgen.New(f.pool)
	for range 3 {
		now := *f.now.Load()
		if _, err := q.ClaimTextJob(context.Background(), dbgen.ClaimTextJobParams{Now: now, LeaseUntil: now.Add(time.Minute)}); err != nil {
			t.Fatal(err)
		}
		f.advance(2 * time.Minute) // the lease ends without a result
	}
	if n := f.drain(f.worker); n != 1 {
		t.Fatal("job not handled")
	}
	if s := f.status(id); s.status != textindex.StatusFailed || s.textError == nil {
		t.Fatalf("after 3 dead workers: %+v", s)
	}
}

func TestBackoff(t *testing.T) {
	want := []time.Duration{10 * time.Second, time.Minute, 6 * time.Minute, 36 * time.Minute, time.Hour, time.Hour}
	for i, w := range want {
		if got := textindex.Backoff(i + 1); got != w {
			t.Errorf("Backoff(%d) = %v, want %v", i+1, got, w)
		}
	}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func derefInt(p *int32) string {
	if p == nil {
		return "null"
	}
	return fmt.Sprint(*p)
}

func bytesReader(b []byte) *bytes.Reader { return bytes.NewReader(b) }

// queueJob adds a PDF row (no file) and its text job at the current time,
// for tests of the claim order.
func (f *fixture) queueJob(user uuid.UUID) uuid.UUID {
	f.t.Helper()
	ctx := context.Background()
	id := uuid.New()
	sum := sha256.Sum256(id[:])
	q := dbgen.New(f.pool)
	if _, err := q.CreatePDF(ctx, dbgen.CreatePDFParams{ID: id, UserID: user, Kind: "study", Title: id.String(),
		PageCount: 1, SizeBytes: 1, Sha256: sum[:], StorageKey: "users/" + user.String() + "/pdfs/" + id.String() + ".pdf", Now: *f.now.Load()}); err != nil {
		f.t.Fatal(err)
	}
	if err := q.CreateTextJob(ctx, dbgen.CreateTextJobParams{PdfID: id, UserID: user, Now: *f.now.Load()}); err != nil {
		f.t.Fatal(err)
	}
	return id
}

// claim takes the next job as a worker does; it returns the job's user
// ("" when nothing is due).
func (f *fixture) claim(names map[uuid.UUID]string) (dbgen.ClaimTextJobRow, string) {
	f.t.Helper()
	now := *f.now.Load()
	job, err := dbgen.New(f.pool).ClaimTextJob(context.Background(), dbgen.ClaimTextJobParams{Now: now, LeaseUntil: now.Add(5 * time.Minute)})
	if errors.Is(err, pgx.ErrNoRows) {
		return job, ""
	}
	if err != nil {
		f.t.Fatal(err)
	}
	return job, names[job.UserID]
}

func (f *fixture) finish(job dbgen.ClaimTextJobRow) {
	f.t.Helper()
	if err := dbgen.New(f.pool).DeleteTextJob(context.Background(), dbgen.DeleteTextJobParams{PdfID: job.PdfID, UserID: job.UserID}); err != nil {
		f.t.Fatal(err)
	}
}

// TestClaimsTakeTurns: one worker serving a user with 50 queued PDFs, then
// users with 2 and 1 queued after them, goes round the users instead of
// first come, first served; the clock standing still makes no difference.
func TestClaimsTakeTurns(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	names := map[uuid.UUID]string{}
	for _, q := range []struct {
		name string
		jobs int
	}{{"a", 50}, {"b", 2}, {"c", 1}} {
		u := f.newUser()
		names[u] = q.name
		for range q.jobs {
			f.queueJob(u)
		}
		f.advance(time.Second)
	}
	var order strings.Builder
	for {
		job, user := f.claim(names)
		if user == "" {
			break
		}
		order.WriteString(user)
		f.finish(job)
	}
	// a is first because its jobs are the oldest; b and c do not wait for a's 50.
	if got, want := order.String(), "abcab"+strings.Repeat("a", 48); got != want {
		t.Fatalf("claim order %s, want %s", got, want)
	}
}

// TestClaimsServeIdleUsersFirst: with several workers, a user whose job is
// still running does not get a second worker while another user waits,
// even when that other user was served more recently.
func TestClaimsServeIdleUsersFirst(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	a, b := f.newUser(), f.newUser()
	names := map[uuid.UUID]string{a: "a", b: "b"}
	for range 3 {
		f.queueJob(a)
	}
	f.advance(time.Second)
	f.queueJob(b)
	f.queueJob(b)
	slow, user := f.claim(names) // worker 1: a's first job, which takes long
	if user != "a" {
		t.Fatalf("first claim for %s", user)
	}
	quick, user := f.claim(names) // worker 2
	if user != "b" {
		t.Fatalf("second claim for %s", user)
	}
	f.finish(quick)
	f.advance(time.Second)
	// a's last claim is older than b's, but a has a job running and b none.
	if _, user := f.claim(names); user != "b" {
		t.Fatalf("third claim for %s, want b (a still has one running)", user)
	}
	// With both users busy, a (served longest ago) is next.
	if _, user := f.claim(names); user != "a" {
		t.Fatalf("fourth claim for %s", user)
	}
	// A job whose attempt failed and backs off no longer counts as running.
	msg := "failed"
	if err := dbgen.New(f.pool).PostponeTextJob(context.Background(), dbgen.PostponeTextJobParams{
		PdfID: slow.PdfID, UserID: slow.UserID, LastError: &msg, RunAfter: f.now.Load().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	var running int
	if err := f.pool.QueryRow(context.Background(), `SELECT count(*) FROM text_jobs WHERE user_id = $1 AND leased_until > $2`, a, *f.now.Load()).Scan(&running); err != nil || running != 1 {
		t.Fatalf("a's running jobs after a postponement: %d, %v", running, err)
	}
}

// TestHostilePDF: a 23 KiB PDF whose 100 pages all draw one 22 MiB content
// stream (about 250 s of pdftotext) is failed after its CPU budget for 100
// pages, on its first attempt, with the reason; meanwhile the second worker
// extracts another user's PDF queued after it. The wall-clock limit is far
// off, so that a busy machine (15 s of CPU time can take a minute) does not
// decide which limit stops it.
func TestHostilePDF(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("slow: real pdftotext over a corpus or a hostile PDF; make test runs it")
	}
	f := newFixture(t)
	ex, err := pdfinfo.NewTextExtractor(pdfinfo.Limits{Timeout: 10 * time.Minute, MemoryBytes: 1 << 30})
	if err != nil {
		t.Fatal(err)
	}
	bombPath := filepath.Join(t.TempDir(), "bomb.pdf")
	if err := testpdf.WriteSharedStream(bombPath, 100, 612, func(w io.Writer) error {
		return testpdf.Repeat(w, "q Q ", 22<<20/4)
	}); err != nil {
		t.Fatal(err)
	}
	bomb := f.addPDF(bombPath, 100)
	f.advance(time.Second)
	other := f.newUser()
	good := f.addPDFFor(other, testpdf.CorpusFile(t, "go.pdf"), 23)

	start := time.Now()
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() { defer wg.Done(); f.drain(f.newWorker(ex)) }()
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	for f.status(good).status == textindex.StatusPending {
		select {
		case <-done:
			t.Fatal("the workers stopped with the other user's PDF pending")
		case <-time.After(50 * time.Millisecond):
		}
	}
	goodAfter := time.Since(start)
	if s := f.status(good); s.status != textindex.StatusDone {
		t.Fatalf("the other user's PDF: %+v", s)
	}
	var attempts int
	var leased *time.Time
	if err := f.pool.QueryRow(context.Background(), `SELECT attempts, leased_until FROM text_jobs WHERE pdf_id = $1`, bomb).Scan(&attempts, &leased); err != nil {
		t.Fatalf("the hostile PDF's job when the other finished: %v", err)
	}
	if s := f.status(bomb); s.status != textindex.StatusPending || attempts != 1 || leased == nil {
		t.Fatalf("the hostile PDF was not being extracted when the other finished: %+v, attempt %d", s, attempts)
	}
	<-done
	s := f.status(bomb)
	if s.status != textindex.StatusFailed || s.textError == nil || !strings.Contains(*s.textError, "CPU time") {
		t.Fatalf("hostile PDF after one pass: %+v %v", s, deref(s.textError))
	}
	var jobs int
	if err := f.pool.QueryRow(context.Background(), `SELECT count(*) FROM text_jobs`).Scan(&jobs); err != nil || jobs != 0 {
		t.Fatalf("%d jobs left (a retry was scheduled?), %v", jobs, err)
	}
	t.Logf("other user's PDF done after %v; hostile PDF failed after %v: %s", goodAfter.Round(time.Millisecond), time.Since(start).Round(time.Millisecond), *s.textError)
}

// TestConcurrentClaims: claims racing each other never hand out one job twice.
func TestConcurrentClaims(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	const users, perUser = 4, 10
	for range users {
		u := f.newUser()
		for range perUser {
			f.queueJob(u)
		}
	}
	var mu sync.Mutex
	seen := map[uuid.UUID]int{}
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			now := *f.now.Load()
			for {
				job, err := dbgen.New(f.pool).ClaimTextJob(context.Background(), dbgen.ClaimTextJobParams{Now: now, LeaseUntil: now.Add(time.Minute)})
				if errors.Is(err, pgx.ErrNoRows) {
					return
				}
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				seen[job.PdfID]++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(seen) != users*perUser {
		t.Fatalf("%d of %d jobs claimed", len(seen), users*perUser)
	}
	for id, n := range seen {
		if n != 1 {
			t.Fatalf("job %s claimed %d times", id, n)
		}
	}
}
