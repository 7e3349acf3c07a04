package api_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"golang.org/x/crypto/bcrypt"

	"github.com/studysprint/studysprint/dbgen"
	"github.com/studysprint/studysprint/internal/auth"
	"github.com/studysprint/studysprint/internal/database"
	"github.com/studysprint/studysprint/internal/testdb"
	"github.com/studysprint/studysprint/internal/testpdf"
)

// Benchmarks for the auth paths; results and the commands live in BENCHMARKS.md.
//
//	go test -run '^$' -bench . -benchtime 3s ./api/

func benchEnv(b *testing.B, cost int) *env {
	return benchEnvConc(b, cost, runtime.GOMAXPROCS(0))
}

func benchEnvConc(b *testing.B, cost, concurrency int) *env {
	b.Helper()
	hasher, err := auth.NewHasher(cost, concurrency, 2*time.Second)
	if err != nil {
		b.Fatal(err)
	}
	// The real clock: tokens and sessions behave as in production.
	clock := newFakeClock()
	e := newEnvWith(b, envConfig{hasher: hasher, noValidate: true, clock: clock})
	return e
}

func get(b *testing.B, client *http.Client, url, token string) int {
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := client.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res.StatusCode
}

// BenchmarkAuthenticatedRequest is GET /api/v1/auth/me end to end over HTTP:
// token verification (EdDSA), the per-request session check joined with the
// user row, and the JSON answer.
func BenchmarkAuthenticatedRequest(b *testing.B) {
	e := benchEnv(b, 4)
	tk, _ := e.register()
	url := e.srv.URL + "/api/v1/auth/me"
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if s := get(b, e.client, url, tk.AccessToken); s != http.StatusOK {
				b.Fatalf("status %d", s)
			}
		}
	})
}

// BenchmarkLogin is POST /api/v1/auth/login with the right password, at the
// production bcrypt cost (12) and at the minimum (4, which shows everything
// but bcrypt: lockout check, session and refresh token rows, event, JWT).
func BenchmarkLogin(b *testing.B) {
	for _, cost := range []int{4, 12} {
		b.Run(fmt.Sprintf("bcrypt_cost=%d", cost), func(b *testing.B) {
			e := benchEnv(b, cost)
			tk, password := e.register()
			body := fmt.Sprintf(`{"username":%q,"password":%q}`, tk.User.Username, password)
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				e.do("POST", "/api/v1/auth/login", rawBody(body)).must(b, http.StatusOK)
			}
		})
	}
}

// BenchmarkLoginWrongPassword compares a wrong password for an existing
// account with a login for an identifier no account has: both must cost the
// same, the answer and the next request on the same kept-alive connection
// (every write is done before the answer, on both paths). It reports the
// login and the following GET /health separately, in microseconds.
func BenchmarkLoginWrongPassword(b *testing.B) {
	for _, cost := range []int{4, 12} {
		e := benchEnv(b, cost)
		tk, _ := e.register()
		for _, c := range []struct{ name, username string }{{"existing", tk.User.Username}, {"unknown", "no-such-student"}} {
			b.Run(fmt.Sprintf("bcrypt_cost=%d/%s", cost, c.name), func(b *testing.B) {
				body := fmt.Sprintf(`{"username":%q,"password":"not-the-password"}`, c.username)
				var login, next time.Duration
				n := 0
				for b.Loop() {
					t0 := time.Now()
					e.do("POST", "/api/v1/auth/login", rawBody(body)).must(b, http.StatusUnauthorized)
					t1 := time.Now()
					e.do("GET", "/health", nil).must(b, http.StatusOK)
					login, next = login+t1.Sub(t0), next+time.Since(t1)
					n++
					b.StopTimer()
					e.clock.Advance(2 * time.Minute) // stay clear of the lockout: 10 attempts in 15 minutes
					b.StartTimer()
				}
				b.ReportMetric(float64(login.Microseconds())/float64(n), "login-µs")
				b.ReportMetric(float64(next.Microseconds())/float64(n), "next-µs")
			})
		}
	}
}

// BenchmarkMeUnderLoginFlood: 64 clients hammer /login with wrong passwords
// (unknown accounts, so every attempt costs a full bcrypt at cost 12 and no
// lockout stops them) while one client calls GET /me for another user as
// fast as it can. Before each variant it measures bcrypt's own rate at cost
// 12 with every core busy (the ceiling); each variant reports the logins
// answered (401) per second and as a percentage of that ceiling, the logins
// shed (503) per second, the login latency p50/p99 and /me's p50/p99, all
// counted over the same window.
//
//	go test -run '^$' -bench BenchmarkMeUnderLoginFlood -benchtime 10s ./api/
func BenchmarkMeUnderLoginFlood(b *testing.B) {
	cores := runtime.GOMAXPROCS(0)
	variants := []struct {
		name  string
		opts  auth.HasherOptions
		procs int // GOMAXPROCS during the variant; 0 = unchanged
	}{
		{name: fmt.Sprintf("fixed=%d", max(1, cores-1)), opts: auth.HasherOptions{Concurrency: max(1, cores-1)}},
		{name: fmt.Sprintf("fixed=%d", cores), opts: auth.HasherOptions{Concurrency: cores}},
		{name: fmt.Sprintf("adaptive=%d", cores), opts: auth.HasherOptions{Concurrency: cores, Adaptive: true}},
		{name: fmt.Sprintf("fixed=%d/nice19", cores), opts: auth.HasherOptions{Concurrency: cores, LowPriority: true}},
		{name: fmt.Sprintf("fixed=%d/nice19/procs=%d", cores, cores+1), opts: auth.HasherOptions{Concurrency: cores, LowPriority: true}, procs: cores + 1},
		{name: fmt.Sprintf("adaptive=%d/nice19/procs=%d", cores, cores+1), opts: auth.HasherOptions{Concurrency: cores, Adaptive: true, LowPriority: true}, procs: cores + 1},
		{name: fmt.Sprintf("fixed=%d/nice19/procs=%d", cores, 2*cores), opts: auth.HasherOptions{Concurrency: cores, LowPriority: true}, procs: 2 * cores},
	}
	for _, v := range variants {
		b.Run(v.name, func(b *testing.B) {
			if v.procs > 0 {
				defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(v.procs))
			}
			v.opts.Cost, v.opts.MaxWait = 12, 2*time.Second
			hasher, err := auth.NewHasherWith(v.opts)
			if err != nil {
				b.Fatal(err)
			}
			defer hasher.Close()
			// The ceiling right before each variant: on a shared machine the
			// load of others changes from one minute to the next.
			ceiling := bcryptCeiling(b, 12, cores, 3*time.Second)
			b.ReportMetric(ceiling, "bcrypt_ceiling/s")
			meUnderLoginFlood(b, hasher, ceiling)
		})
	}
}

// bcryptCeiling is how many bcrypt comparisons at cost per second workers
// goroutines complete together, with nothing else running.
func bcryptCeiling(b *testing.B, cost, workers int, d time.Duration) float64 {
	hash, err := bcrypt.GenerateFromPassword([]byte("ceiling-password"), cost)
	if err != nil {
		b.Fatal(err)
	}
	var n atomic.Int64
	start := time.Now()
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for time.Since(start) < d {
				_ = bcrypt.CompareHashAndPassword(hash, []byte("wrong-password"))
				n.Add(1)
			}
		})
	}
	wg.Wait()
	return float64(n.Load()) / time.Since(start).Seconds()
}

func meUnderLoginFlood(b *testing.B, hasher *auth.Hasher, ceiling float64) {
	e := newEnvWith(b, envConfig{hasher: hasher, noValidate: true, clock: newFakeClock()})
	tk, _ := e.register()
	meURL := e.srv.URL + "/api/v1/auth/me"

	stop := make(chan struct{})
	var wg sync.WaitGroup
	var unauthorized, busy, other atomic.Int64
	var measuring atomic.Bool
	var mu sync.Mutex
	var loginLat []time.Duration
	for i := range 64 {
		wg.Go(func() {
			client := &http.Client{Transport: &http.Transport{}, Timeout: 30 * time.Second}
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				default:
				}
				req, _ := http.NewRequest("POST", e.srv.URL+"/api/v1/auth/login",
					stringsReader(fmt.Sprintf(`{"username":"flood%d_%d","password":"wrong-password-here"}`, i, n)))
				req.Header.Set("Content-Type", "application/json")
				t0 := time.Now()
				res, err := client.Do(req)
				if err != nil {
					other.Add(1)
					continue
				}
				io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if !measuring.Load() {
					continue
				}
				switch res.StatusCode {
				case http.StatusUnauthorized:
					unauthorized.Add(1)
					mu.Lock()
					loginLat = append(loginLat, time.Since(t0))
					mu.Unlock()
				case http.StatusServiceUnavailable:
					busy.Add(1)
				default:
					other.Add(1)
				}
			}
		})
	}
	time.Sleep(3 * time.Second) // let the flood fill the bcrypt queue (past one 2 s queue timeout)

	latencies := make([]time.Duration, 0, 4096)
	measuring.Store(true)
	start := time.Now()
	b.ResetTimer()
	for b.Loop() {
		t0 := time.Now()
		if s := get(b, e.client, meURL, tk.AccessToken); s != http.StatusOK {
			b.Fatalf("/me answered %d during the flood", s)
		}
		latencies = append(latencies, time.Since(t0))
	}
	b.StopTimer()
	measuring.Store(false)
	elapsed := time.Since(start).Seconds()
	ok, shed := unauthorized.Load(), busy.Load()
	close(stop)
	wg.Wait()

	pct := func(lat []time.Duration, p float64) float64 {
		if len(lat) == 0 {
			return 0
		}
		slices.Sort(lat)
		return float64(lat[min(len(lat)-1, int(p*float64(len(lat))))].Microseconds()) / 1000
	}
	b.ReportMetric(pct(latencies, 0.50), "me_p50_ms")
	b.ReportMetric(pct(latencies, 0.99), "me_p99_ms")
	b.ReportMetric(float64(ok)/elapsed, "login_401/s")
	b.ReportMetric(100*float64(ok)/elapsed/ceiling, "login_%_of_bcrypt")
	b.ReportMetric(float64(shed)/elapsed, "login_503/s")
	mu.Lock()
	b.ReportMetric(pct(loginLat, 0.50), "login_p50_ms")
	b.ReportMetric(pct(loginLat, 0.99), "login_p99_ms")
	mu.Unlock()
	if other.Load() > 0 {
		b.Fatalf("%d flood requests got neither 401 nor 503", other.Load())
	}
}

// BenchmarkUpload100MiB uploads a 100 MiB PDF (100 pages of incompressible
// image data) through the whole path: multipart streaming, SHA-256, the temp
// file, the parser child process, the store (a rename), the row. It reports
// MB/s (from SetBytes), the peak resident memory growth of this process
// (server and client) during the upload, from /proc's VmHWM after resetting
// it, and the parser child's peak RSS.
func BenchmarkUpload100MiB(b *testing.B) {
	path := filepath.Join(b.TempDir(), "big.pdf")
	if err := testpdf.WriteSynthetic(path, 100, 1<<20); err != nil {
		b.Fatal(err)
	}
	st, _ := os.Stat(path)
	e := newEnvWith(b, envConfig{noValidate: true, maxUpload: 200 << 20})
	tk, _ := e.register()
	b.SetBytes(st.Size())
	var maxGrowth, maxChild int64
	b.ResetTimer()
	for b.Loop() {
		debug.FreeOSMemory() // the baseline holds no idle heap the upload could reuse unseen
		base := resetPeakRSS(b)
		r := e.upload(tk.AccessToken, path, nil)
		growth := peakRSS(b) - base
		if r.Status != http.StatusCreated {
			b.Fatalf("upload: %d %s", r.Status, r.Body)
		}
		b.StopTimer()
		maxGrowth = max(maxGrowth, growth)
		maxChild = max(maxChild, lastParserRSS(e.logs.String()))
		var p pdfJSON
		r.decode(b, &p)
		e.do("DELETE", "/api/v1/pdfs/"+p.ID, nil, withToken(tk.AccessToken)).must(b, http.StatusNoContent)
		b.StartTimer()
	}
	b.ReportMetric(float64(maxGrowth)/(1<<20), "peak_rss_growth_MiB")
	b.ReportMetric(float64(maxChild)/(1<<10), "parser_child_rss_MiB")
}

// resetPeakRSS resets the kernel's peak-RSS mark of this process (Linux
// clear_refs "5") and returns the current RSS in bytes.
func resetPeakRSS(b *testing.B) int64 {
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		b.Skipf("cannot reset the peak RSS mark: %v", err)
	}
	return procStatusKB(b, "VmRSS:") << 10
}

func peakRSS(b *testing.B) int64 { return procStatusKB(b, "VmHWM:") << 10 }

func procStatusKB(b *testing.B, field string) int64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		b.Skip("no /proc/self/status")
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, field); ok {
			var kb int64
			fmt.Sscan(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), &kb)
			return kb
		}
	}
	b.Fatalf("%s not in /proc/self/status", field)
	return 0
}

// lastParserRSS finds the parser child's peak RSS (KiB) in the debug log line
// of the last parse.
func lastParserRSS(logs string) int64 {
	var kb int64
	for _, line := range strings.Split(logs, "\n") {
		if !strings.Contains(line, `"pdf parsed"`) {
			continue
		}
		var entry struct {
			RSS int64 `json:"parser_max_rss_kb"`
		}
		if json.Unmarshal([]byte(line), &entry) == nil {
			kb = entry.RSS
		}
	}
	return kb
}

// BenchmarkSearch measures GET /api/v1/search over one student's library of
// 500 PDFs and 100,000 pages. Page text is real prose: 250-word windows of
// Walden (pdftotext of the corpus copy) at random offsets, indexed exactly
// as the text worker does. Each iteration is one query from a mix of rare
// and common words, phrases, prefixes and exclusions; p50/p99 are reported,
// overall and (in the log) per query class.
//
//	go test -run '^$' -bench 'BenchmarkSearch$' -benchtime 1000x ./api/
//
// Building the library takes about 80 s. With SEARCH_BENCH_DATABASE_URL
// (a database on the test server, created and migrated if missing) the
// library is built once and kept there; later runs migrate it up and reuse
// it.
func BenchmarkSearch(b *testing.B) {
	e, tk := searchBenchLibrary(b)
	type class struct{ name, query string }
	queries := []class{
		{"common", "pond"}, {"rare", "woodchuck"}, {"rare", "railroad"}, {"rare", "philosophy"},
		{"two_words", "winter ice"}, {"phrase", `"the pond"`}, {"prefix", "solitude*"}, {"exclusion", "beans -pond"},
		{"rare", "economy"}, {"common", "walden"}, {"common", "the"}, {"two_words", "house OR cabin"},
		{"phrase", `"simple life"`}, {"prefix", "thaw*"}, {"rare", "loon"}, {"common", "morning"},
	}
	var lat []time.Duration
	perQuery := map[string][]time.Duration{}
	perClass := map[string][]time.Duration{}
	client := e.client
	b.ResetTimer()
	i := 0
	for b.Loop() {
		q := queries[i%len(queries)]
		i++
		t0 := time.Now()
		if s := get(b, client, e.srv.URL+"/api/v1/search?limit=20&q="+url.QueryEscape(q.query), tk.AccessToken); s != http.StatusOK {
			b.Fatalf("%q: %d", q.query, s)
		}
		d := time.Since(t0)
		lat = append(lat, d)
		perQuery[q.query] = append(perQuery[q.query], d)
		perClass[q.name] = append(perClass[q.name], d)
	}
	b.StopTimer()
	// The table goes to stdout: a benchmark's log keeps only 10 lines.
	pct := func(ls []time.Duration, p float64) time.Duration {
		return ls[min(len(ls)-1, int(p*float64(len(ls))))]
	}
	ms := func(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }
	for _, q := range queries {
		if ls := perQuery[q.query]; len(ls) > 0 {
			slices.Sort(ls)
			fmt.Printf("%-10s %-16q p50 %8s  p99 %8s  max %8s\n", q.name, q.query, ms(pct(ls, 0.5)), ms(pct(ls, 0.99)), ms(ls[len(ls)-1]))
			delete(perQuery, q.query)
		}
	}
	for _, c := range []string{"rare", "common", "two_words", "phrase", "prefix", "exclusion"} {
		if ls := perClass[c]; len(ls) > 0 {
			slices.Sort(ls)
			fmt.Printf("class %-10s n=%-4d p50 %8s  p99 %8s\n", c, len(ls), ms(pct(ls, 0.5)), ms(pct(ls, 0.99)))
		}
	}
	if load, err := os.ReadFile("/proc/loadavg"); err == nil {
		fmt.Printf("load average: %s\n", strings.TrimSpace(string(load)))
	}
	slices.Sort(lat)
	b.ReportMetric(float64(pct(lat, 0.5).Microseconds())/1000, "p50_ms")
	b.ReportMetric(float64(pct(lat, 0.99).Microseconds())/1000, "p99_ms")
}

// searchBenchLibrary is the server and student of BenchmarkSearch with the
// library built: in a fresh database, or kept in SEARCH_BENCH_DATABASE_URL.
func searchBenchLibrary(b *testing.B) (*env, tokens) {
	const pdfs, pagesPerPDF, wordsPerPage = 500, 200, 250
	ctx := context.Background()
	kept := os.Getenv("SEARCH_BENCH_DATABASE_URL")
	cfg := envConfig{noValidate: true}
	if kept != "" {
		m, err := database.NewMigrator(kept, nil)
		if err != nil {
			b.Fatal(err)
		}
		if err := m.CreateAndMigrate(ctx); err != nil {
			b.Fatalf("SEARCH_BENCH_DATABASE_URL: %v", err)
		}
		cfg.pool = testdb.PoolFor(b, kept)
	}
	e := newEnvWith(b, cfg)
	var tk tokens
	const username, password = "search-bench", "search-bench-password"
	if kept != "" {
		r := e.do("POST", "/api/v1/auth/login", map[string]any{"username": username, "password": password})
		if r.Status == http.StatusOK {
			r.decode(b, &tk)
			var done int
			if err := e.pool.QueryRow(ctx, `SELECT count(*) FROM pdfs p
				WHERE p.user_id = $1 AND p.page_count = $2 AND p.word_count = $3
				AND EXISTS (SELECT 1 FROM pdf_lexemes l WHERE l.pdf_id = p.id AND l.user_id = p.user_id)`,
				tk.User.ID, pagesPerPDF, pagesPerPDF*wordsPerPage).Scan(&done); err != nil {
				b.Fatal(err)
			}
			if done == pdfs {
				b.Logf("reusing the library of %d PDFs in SEARCH_BENCH_DATABASE_URL", pdfs)
				return e, tk
			}
			if _, err := e.pool.Exec(ctx, "DELETE FROM pdfs WHERE user_id = $1", tk.User.ID); err != nil {
				b.Fatal(err)
			}
		} else {
			e.do("POST", "/api/v1/auth/register", map[string]any{
				"email": "search-bench@example.com", "username": username, "password": password,
			}).must(b, http.StatusCreated).decode(b, &tk)
		}
	} else {
		tk, _ = e.register()
	}
	words := strings.Fields(waldenText(b))
	rng := rand.New(rand.NewPCG(1, 2))
	setup := time.Now()
	q := dbgen.New(e.pool)
	uid := uuid.MustParse(tk.User.ID)
	for p := range pdfs {
		id := uuid.New()
		title := strings.Join(words[rng.IntN(len(words)-5):][:4], " ")
		if _, err := e.pool.Exec(ctx, `INSERT INTO pdfs (id, user_id, title, page_count, size_bytes, sha256, storage_key, text_status, word_count)
			VALUES ($1, $2, $3, $4, 1, $5, $6, 'done', $7)`, id, tk.User.ID, fmt.Sprintf("%s %d", title, p), pagesPerPDF,
			sha256.New().Sum([]byte(id.String()))[:32], "bench/"+id.String(), pagesPerPDF*wordsPerPage); err != nil {
			b.Fatal(err)
		}
		pages := make([]int32, pagesPerPDF)
		counts := make([]int32, pagesPerPDF)
		texts := make([]string, pagesPerPDF)
		for i := range pagesPerPDF {
			start := rng.IntN(len(words) - wordsPerPage)
			pages[i], counts[i], texts[i] = int32(i+1), wordsPerPage, strings.Join(words[start:start+wordsPerPage], " ")
		}
		if err := q.InsertPDFPages(ctx, dbgen.InsertPDFPagesParams{
			UserID: uid, PdfID: id, Pages: pages, WordCounts: counts, Texts: texts, Lang1: "simple", Lang2: "english",
		}); err != nil {
			b.Fatal(err)
		}
		if _, err := q.BuildPDFLexemes(ctx, dbgen.BuildPDFLexemesParams{PdfID: id, UserID: uid}); err != nil {
			b.Fatal(err)
		}
	}
	// As after seeding: the measured requests set no hint or visibility-map
	// bits and plan with statistics.
	for _, table := range []string{"pdfs", "pdf_pages", "pdf_lexemes"} {
		if _, err := e.pool.Exec(ctx, "VACUUM (ANALYZE) "+table); err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("library of %d PDFs / %d pages built in %v", pdfs, pdfs*pagesPerPDF, time.Since(setup).Round(time.Second))
	return e, tk
}

// waldenText is the text of the corpus's Walden, as pdftotext reads it.
func waldenText(b testing.TB) string {
	bin := testpdf.RequireTool(b, "pdftotext")
	out, err := exec.Command(bin, "-enc", "UTF-8", testpdf.CorpusFile(b, "WaldenFull.pdf"), "-").Output()
	if err != nil {
		b.Fatal(err)
	}
	return string(out)
}

// BenchmarkIngest: 50 sessions of 50 users send batches of 100 timer events
// (page turns and heartbeats, in time order) over HTTP at once, b.N batches
// in all, while one more client polls GET /study-sessions/current. It
// reports accepted events per second and that poll's p50/p99.
//
//	go test -run '^$' -bench BenchmarkIngest -benchtime 2000x ./api/
func BenchmarkIngest(b *testing.B) {
	// The service's default pool (DATABASE_MAX_CONNS=20).
	e := newEnvWith(b, envConfig{noValidate: true, pool: testdb.Sized(b, 20)})
	const sessions, perBatch = 50, 100
	type worker struct {
		token, id string
		t0        time.Time
		next      int
	}
	path := filepath.Join(b.TempDir(), "book.pdf")
	if err := testpdf.WriteSynthetic(path, 400, 100); err != nil {
		b.Fatal(err)
	}
	workers := make([]*worker, sessions)
	for i := range workers {
		tk, _ := e.register()
		pdf := e.uploadOK(tk.AccessToken, path, nil)
		t0 := e.clock.Now().Add(-90 * 24 * time.Hour)
		s := e.startSession(tk.AccessToken, map[string]any{"pdf_id": pdf.ID, "start_page": 1, "started_at": t0.Format(time.RFC3339)})
		workers[i] = &worker{token: tk.AccessToken, id: s.ID, t0: t0}
	}
	watcher, _ := e.register()
	wpdf := e.studyPDF(watcher.AccessToken, 3)
	e.startSession(watcher.AccessToken, map[string]any{"pdf_id": wpdf.ID})
	// The load generator shares the machine with the server: its bodies are
	// built with appends, not maps and reflection.
	body := func(w *worker) []byte {
		raw := make([]byte, 0, perBatch*110)
		raw = append(raw, `{"events":[`...)
		for k := range perBatch {
			n := w.next
			w.next++
			if k > 0 {
				raw = append(raw, ',')
			}
			raw = append(raw, `{"id":"`...)
			raw = append(raw, uuid.NewString()...)
			raw = append(raw, `","at":"`...)
			raw = w.t0.Add(time.Duration(n)*15*time.Second).UTC().AppendFormat(raw, time.RFC3339)
			if n%3 == 2 {
				raw = append(raw, `","type":"page","page":`...)
				raw = strconv.AppendInt(raw, int64(1+(n/3)%400), 10)
				raw = append(raw, '}')
			} else {
				raw = append(raw, `","type":"heartbeat"}`...)
			}
		}
		return append(raw, "]}"...)
	}
	var accepted, left atomic.Int64
	left.Store(int64(b.N))
	stop := make(chan struct{})
	var pollWG sync.WaitGroup
	var latencies []time.Duration
	pollWG.Go(func() {
		for {
			select {
			case <-stop:
				return
			default:
			}
			t := time.Now()
			if s := get(b, e.client, e.srv.URL+"/api/v1/study-sessions/current", watcher.AccessToken); s != http.StatusOK {
				b.Errorf("current answered %d", s)
				return
			}
			latencies = append(latencies, time.Since(t))
		}
	})
	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	for _, w := range workers {
		wg.Go(func() {
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
			for left.Add(-1) >= 0 {
				req, _ := http.NewRequest("POST", e.srv.URL+"/api/v1/study-sessions/"+w.id+"/events", bytes.NewReader(body(w)))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Authorization", "Bearer "+w.token)
				res, err := client.Do(req)
				if err != nil {
					b.Error(err)
					return
				}
				raw, _ := io.ReadAll(res.Body)
				res.Body.Close()
				if res.StatusCode != http.StatusOK {
					b.Errorf("batch answered %d", res.StatusCode)
					return
				}
				// Count the accepted ids without decoding the whole answer.
				head, _, _ := bytes.Cut(raw, []byte(`"duplicates"`))
				accepted.Add(int64(bytes.Count(head, []byte(`-`)) / 4))
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start).Seconds()
	b.StopTimer()
	close(stop)
	pollWG.Wait()
	if accepted.Load() != int64(b.N)*perBatch {
		b.Fatalf("%d events accepted of %d", accepted.Load(), int64(b.N)*perBatch)
	}
	slices.Sort(latencies)
	pct := func(p float64) float64 {
		if len(latencies) == 0 {
			return 0
		}
		return float64(latencies[min(len(latencies)-1, int(p*float64(len(latencies))))].Microseconds()) / 1000
	}
	b.ReportMetric(float64(accepted.Load())/elapsed, "events/s")
	b.ReportMetric(pct(0.50), "current_p50_ms")
	b.ReportMetric(pct(0.99), "current_p99_ms")
}
