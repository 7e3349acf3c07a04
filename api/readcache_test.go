package api_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/studysprint/studysprint/internal/testpdf"
)

// cacheCount is the read cache's count of a result (hit, miss, bypass) over
// every route, from /metrics.
func (e *env) cacheCount(result string) int {
	e.t.Helper()
	status, body := scrape(e.t, e.client, e.srv.URL+"/metrics", metricsToken)
	if status != http.StatusOK {
		e.t.Fatalf("/metrics: %d", status)
	}
	n := 0
	for _, line := range series(body, "studysprint_read_cache_requests_total") {
		if strings.Contains(line, `result="`+result+`"`) {
			v, err := strconv.ParseFloat(line[strings.LastIndexByte(line, ' ')+1:], 64)
			if err != nil {
				e.t.Fatal(err)
			}
			n += int(v)
		}
	}
	return n
}

// listing is what a GET answered: the body of a 200, the status otherwise
// (an error's body carries its request id).
func (e *env) listing(token, url string, fresh bool) string {
	e.t.Helper()
	opts := []reqOpt{withToken(token)}
	if fresh {
		opts = append(opts, withHeader("Cache-Control", "no-cache"))
	}
	r := e.do("GET", url, nil, opts...)
	if r.Status != http.StatusOK {
		return strconv.Itoa(r.Status)
	}
	return string(r.Body)
}

// TestReadCacheFollowsEveryChange: the cached lists (topics, a PDF's pages)
// are answered from memory while nothing changed, and after every kind of
// change the lists show — through the API, the text worker and a plain SQL
// UPDATE — the next answer equals a fresh one from the database.
func TestReadCacheFollowsEveryChange(t *testing.T) {
	t.Parallel()
	e := newEnvWith(t, envConfig{metricsToken: metricsToken})
	tk, _ := e.register()
	auth := withToken(tk.AccessToken)
	course := e.createTopic(tk.AccessToken, map[string]any{"name": "Course"})
	other := e.createTopic(tk.AccessToken, map[string]any{"name": "Other"})
	pdf := e.uploadOK(tk.AccessToken, testpdf.CorpusFile(t, "go.pdf"), map[string]string{"topic_id": course.ID}) // 23 pages
	urls := []string{
		"/api/v1/topics", "/api/v1/topics?archived=all", "/api/v1/topics?limit=1",
		"/api/v1/pdfs/" + pdf.ID + "/pages", "/api/v1/pdfs/" + pdf.ID + "/pages?limit=5&pretty",
	}
	var session string
	var bookmark, exercise string
	steps := []struct {
		name   string
		change func()
	}{
		{"create a topic", func() { e.createTopic(tk.AccessToken, map[string]any{"name": "Another"}) }},
		{"rename a topic", func() {
			e.do("PATCH", "/api/v1/topics/"+other.ID, map[string]any{"name": "Renamed"}, auth).must(t, http.StatusOK)
		}},
		{"move a topic under another", func() {
			e.do("PATCH", "/api/v1/topics/"+course.ID, map[string]any{"parent_id": other.ID}, auth).must(t, http.StatusOK)
		}},
		{"extract the text", func() { e.extractText() }},
		{"add a bookmark", func() {
			var b struct{ ID string }
			e.do("POST", "/api/v1/pdfs/"+pdf.ID+"/bookmarks", map[string]any{"page": 2}, auth).must(t, http.StatusCreated).decode(t, &b)
			bookmark = b.ID
		}},
		{"delete the bookmark", func() { e.do("DELETE", "/api/v1/bookmarks/"+bookmark, nil, auth).must(t, http.StatusNoContent) }},
		{"add an exercise", func() {
			exercise = e.createExercise(tk.AccessToken, pdf.ID, map[string]any{"title": "Slices", "page_start": 3, "page_end": 4}).ID
		}},
		{"complete the exercise", func() {
			e.do("POST", "/api/v1/exercises/"+exercise+"/complete", map[string]any{"score": 90}, auth).must(t, http.StatusOK)
		}},
		{"study two pages", func() {
			t0 := e.clock.Now().Add(-10 * time.Minute)
			session = e.startSession(tk.AccessToken, map[string]any{"pdf_id": pdf.ID, "start_page": 1, "started_at": t0.Format(time.RFC3339)}).ID
			e.sendEvents(tk.AccessToken, session, t0, page(2, time.Minute), page(3, 3*time.Minute), beat(4*time.Minute))
		}},
		{"delete the study session", func() {
			e.do("DELETE", "/api/v1/study-sessions/"+session, nil, auth).must(t, http.StatusNoContent)
		}},
		{"a DBA's UPDATE of word counts", func() {
			if _, err := e.pool.Exec(context.Background(), `UPDATE pdf_pages SET word_count = word_count + 1 WHERE pdf_id = $1 AND page = 1`, pdf.ID); err != nil {
				t.Fatal(err)
			}
		}},
		{"delete the exercise", func() { e.do("DELETE", "/api/v1/exercises/"+exercise, nil, auth).must(t, http.StatusNoContent) }},
		{"archive a topic", func() { e.do("POST", "/api/v1/topics/"+other.ID+"/archive", nil, auth).must(t, http.StatusOK) }},
		{"move the PDF out of its topic", func() {
			e.do("PATCH", "/api/v1/pdfs/"+pdf.ID, map[string]any{"topic_id": nil}, auth).must(t, http.StatusOK)
		}},
		{"delete the PDF", func() { e.do("DELETE", "/api/v1/pdfs/"+pdf.ID, nil, auth).must(t, http.StatusNoContent) }},
		{"delete a topic", func() { e.do("DELETE", "/api/v1/topics/"+course.ID, nil, auth).must(t, http.StatusNoContent) }},
	}
	for _, step := range steps {
		before := map[string]string{}
		for _, u := range urls {
			before[u] = e.listing(tk.AccessToken, u, false)
		}
		hits := e.cacheCount("hit")
		for _, u := range urls {
			if again := e.listing(tk.AccessToken, u, false); again != before[u] {
				t.Fatalf("before %q: %s answered differently twice with no change between", step.name, u)
			}
		}
		lists := 0 // answers that are lists (a 404 is not kept)
		for _, u := range urls {
			if _, err := strconv.Atoi(before[u]); err != nil {
				lists++
			}
		}
		if got := e.cacheCount("hit") - hits; got != lists {
			t.Fatalf("before %q: %d of %d repeated reads of lists were cache hits", step.name, got, lists)
		}
		step.change()
		changed := false
		for _, u := range urls {
			after, fresh := e.listing(tk.AccessToken, u, false), e.listing(tk.AccessToken, u, true)
			if after != fresh {
				t.Errorf("after %q: GET %s answered a stale list:\n got %s\nwant %s", step.name, u, after, fresh)
			}
			changed = changed || after != before[u]
		}
		if !changed {
			t.Errorf("%q changed none of the lists: the step tests nothing", step.name)
		}
	}
}

// TestReadCacheIsPerUser: the same URL answers each user their own rows, and
// another user's cached PDF is still a 404.
func TestReadCacheIsPerUser(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a, _ := e.register()
	b, _ := e.register()
	e.createTopic(a.AccessToken, map[string]any{"name": "Alpha only"})
	e.createTopic(b.AccessToken, map[string]any{"name": "Beta only"})
	pdf := e.uploadOK(a.AccessToken, testpdf.CorpusFile(t, "go.pdf"), nil)
	for range 2 { // the second round is answered from the cache
		if got := e.listing(a.AccessToken, "/api/v1/topics", false); !strings.Contains(got, "Alpha only") || strings.Contains(got, "Beta only") {
			t.Fatalf("a's topics: %s", got)
		}
		if got := e.listing(b.AccessToken, "/api/v1/topics", false); !strings.Contains(got, "Beta only") || strings.Contains(got, "Alpha only") {
			t.Fatalf("b's topics: %s", got)
		}
		e.listing(a.AccessToken, "/api/v1/pdfs/"+pdf.ID+"/pages", false)
		if got := e.listing(b.AccessToken, "/api/v1/pdfs/"+pdf.ID+"/pages", false); got != "404" {
			t.Fatalf("b read a's pages: %s", got)
		}
	}
}

// TestReadCacheUnderConcurrentWrites: readers of the cached lists while
// writers complete and reopen exercises and add bookmarks (each write moves
// the version while reads of the old one are in flight); when the writers
// are done, the lists equal fresh answers.
func TestReadCacheUnderConcurrentWrites(t *testing.T) {
	t.Parallel()
	e := newEnvWith(t, envConfig{metricsToken: metricsToken})
	tk, _ := e.register()
	topic := e.createTopic(tk.AccessToken, map[string]any{"name": "Busy"})
	pdf := e.uploadOK(tk.AccessToken, testpdf.CorpusFile(t, "go.pdf"), map[string]string{"topic_id": topic.ID})
	var exercises []string
	for i := range 4 {
		exercises = append(exercises, e.createExercise(tk.AccessToken, pdf.ID, map[string]any{"title": fmt.Sprintf("E%d", i), "page_start": i + 1}).ID)
	}
	urls := []string{"/api/v1/topics", "/api/v1/pdfs/" + pdf.ID + "/pages"}
	var wg sync.WaitGroup
	done := make(chan struct{})
	for w, id := range exercises {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 8 {
				verb := "complete"
				if i%2 == 1 {
					verb = "reopen"
				}
				if r := e.do("POST", "/api/v1/exercises/"+id+"/"+verb, map[string]any{}, withToken(tk.AccessToken)); r.Status != http.StatusOK {
					t.Errorf("%s: %d %s", verb, r.Status, r.Body)
					return
				}
				if r := e.do("POST", "/api/v1/pdfs/"+pdf.ID+"/bookmarks", map[string]any{"page": 1 + (w*8+i)%23}, withToken(tk.AccessToken)); r.Status != http.StatusCreated {
					t.Errorf("bookmark: %d %s", r.Status, r.Body)
					return
				}
			}
		}()
	}
	var readers sync.WaitGroup
	for r := range 4 {
		readers.Add(1)
		go func() {
			defer readers.Done()
			for {
				select {
				case <-done:
					return
				default:
				}
				if got := e.listing(tk.AccessToken, urls[r%2], false); strings.HasPrefix(got, "5") {
					t.Errorf("GET %s: %s", urls[r%2], got)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(done)
	readers.Wait()
	for _, u := range urls {
		if got, fresh := e.listing(tk.AccessToken, u, false), e.listing(tk.AccessToken, u, true); got != fresh {
			t.Errorf("after the writers: GET %s is stale:\n got %s\nwant %s", u, got, fresh)
		}
	}
	if e.cacheCount("hit") == 0 {
		t.Error("no read was a cache hit: the test did not exercise the cache")
	}
}

// TestReadCacheOff: with READ_CACHE_SIZE=0 the lists are answered from the
// database every time and nothing is counted as a hit.
func TestReadCacheOff(t *testing.T) {
	t.Parallel()
	e := newEnvWith(t, envConfig{metricsToken: metricsToken, readCache: -1})
	tk, _ := e.register()
	e.createTopic(tk.AccessToken, map[string]any{"name": "Uncached"})
	for range 3 {
		if got := e.listing(tk.AccessToken, "/api/v1/topics", false); !strings.Contains(got, "Uncached") {
			t.Fatalf("topics: %s", got)
		}
	}
	if n := e.cacheCount("hit") + e.cacheCount("miss"); n != 0 {
		t.Fatalf("%d cache reads counted with the cache off", n)
	}
}

// cachedQueries are the statements whose results the read cache keeps
// (listTopics and listPDFPages): every table they read must move
// users.library_version on every change.
var cachedQueries = []string{"ListTopics", "GetPDFPaging", "ListPDFPages"}

// TestCachedQueriesReadOnlyVersionedTables reads the cached statements in
// sql/queries and checks that each table they name has the three
// library_version triggers (insert, update, delete); a view or a new table
// in one of them fails here until it is covered.
func TestCachedQueriesReadOnlyVersionedTables(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	files, err := os.ReadDir("../sql/queries")
	if err != nil {
		t.Fatal(err)
	}
	text := map[string]string{}
	for _, f := range files {
		b, err := os.ReadFile("../sql/queries/" + f.Name())
		if err != nil {
			t.Fatal(err)
		}
		for _, block := range strings.Split(string(b), "-- name: ")[1:] {
			name, _, _ := strings.Cut(block, " ")
			text[name] = block
		}
	}
	relation := regexp.MustCompile(`(?i)\b(?:FROM|JOIN)\s+([a-z_][a-z0-9_]*)`)
	tables := map[string]bool{}
	for _, q := range cachedQueries {
		sql, ok := text[q]
		if !ok {
			t.Fatalf("query %s not found in sql/queries", q)
		}
		for _, m := range relation.FindAllStringSubmatch(sql, -1) {
			tables[strings.ToLower(m[1])] = true
		}
	}
	checked := 0
	for name := range tables {
		var kind string
		err := e.pool.QueryRow(context.Background(), `SELECT relkind::text FROM pg_class WHERE relname = $1 AND relnamespace = 'public'::regnamespace`, name).Scan(&kind)
		if err != nil { // a CTE's name, LATERAL, a function
			continue
		}
		if kind != "r" {
			t.Errorf("a cached query reads %s (relkind %s): only tables with library_version triggers may be cached", name, kind)
			continue
		}
		for _, event := range []string{"insert", "update", "delete"} {
			var n int
			if err := e.pool.QueryRow(context.Background(), `SELECT count(*) FROM pg_trigger WHERE tgrelid = $1::regclass AND tgname = $2 AND tgenabled <> 'D'`,
				name, name+"_library_version_"+event).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n != 1 {
				t.Errorf("table %s, read by a cached query, has no %s_library_version_%s trigger", name, name, event)
			}
		}
		checked++
	}
	if checked < 7 { // topics, pdfs, pdf_reading, exercises, pdf_pages, page_stats, bookmarks
		t.Fatalf("found %d tables in the cached queries: the parser missed some", checked)
	}
}

// TestLibraryVersionLocksOnlyAtCommit: a transaction that changed a user's
// library (a text extraction writes pages for as long as it takes) does not
// hold up another write of the same user's library, and its bump of
// users.library_version becomes visible at its commit, not before.
func TestLibraryVersionLocksOnlyAtCommit(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tk, _ := e.register()
	pdf := e.uploadOK(tk.AccessToken, testpdf.CorpusFile(t, "go.pdf"), nil)
	ctx := context.Background()
	version := func() int64 {
		var v int64
		if err := e.pool.QueryRow(ctx, `SELECT library_version FROM users WHERE id = $1`, tk.User.ID).Scan(&v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	base := version()
	long, err := e.pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer long.Rollback(ctx)
	if _, err := long.Exec(ctx, `INSERT INTO bookmarks (user_id, pdf_id, page) VALUES ($1, $2, 1)`, tk.User.ID, pdf.ID); err != nil {
		t.Fatal(err)
	}
	if v := version(); v != base {
		t.Fatalf("library_version %d before the commit, want %d", v, base)
	}
	// Another write of the same user's library, while the first is open.
	other, err := e.pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Rollback(ctx)
	if _, err := other.Exec(ctx, `SET LOCAL lock_timeout = '2s'`); err != nil {
		t.Fatal(err)
	}
	if _, err := other.Exec(ctx, `INSERT INTO bookmarks (user_id, pdf_id, page) VALUES ($1, $2, 2)`, tk.User.ID, pdf.ID); err != nil {
		t.Fatal(err)
	}
	if err := other.Commit(ctx); err != nil {
		t.Fatalf("a second writer waited for the first one's transaction: %v", err)
	}
	if v := version(); v != base+1 {
		t.Fatalf("library_version %d after the second writer's commit, want %d", v, base+1)
	}
	if _, err := long.Exec(ctx, `UPDATE bookmarks SET note = 'x' WHERE user_id = $1 AND page = 1`, tk.User.ID); err != nil {
		t.Fatal(err)
	}
	if err := long.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if v := version(); v != base+2 {
		t.Fatalf("library_version %d after both commits, want %d (one bump per transaction)", v, base+2)
	}
	var notes int
	if err := e.pool.QueryRow(ctx, `SELECT count(*) FROM library_changes`).Scan(&notes); err != nil {
		t.Fatal(err)
	}
	if notes != 0 {
		t.Fatalf("%d notes left in library_changes after the commits", notes)
	}
}
