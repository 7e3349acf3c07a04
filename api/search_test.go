package api_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/studysprint/studysprint/internal/pdfinfo"
	"github.com/studysprint/studysprint/internal/testpdf"
	"github.com/studysprint/studysprint/internal/textindex"
)

// extractText runs the background text worker until the queue is empty.
func (e *env) extractText() {
	e.t.Helper()
	testpdf.RequireTool(e.t, "pdftotext")
	ex, err := pdfinfo.NewTextExtractor(pdfinfo.Limits{Timeout: 60 * time.Second, MemoryBytes: 1 << 30})
	if err != nil {
		e.t.Fatal(err)
	}
	w := &textindex.Worker{
		Pool: e.pool, Store: e.cfg.store, Extractor: ex, Now: e.clock.Now, Log: slog.New(slog.DiscardHandler),
		Languages: [2]string{"simple", "english"}, Lease: 5 * time.Minute, MaxAttempts: 3, TempDir: e.t.TempDir(),
	}
	for {
		worked, err := w.RunOnce(context.Background())
		if err != nil {
			e.t.Fatal(err)
		}
		if !worked {
			return
		}
	}
}

// textPDF writes a PDF with the given pages of text and uploads it.
func (e *env) textPDF(token, name, title string, pages [][]string, fields map[string]string) pdfJSON {
	e.t.Helper()
	p := filepath.Join(e.t.TempDir(), name)
	if err := testpdf.WriteTextPDF(p, title, pages); err != nil {
		e.t.Fatal(err)
	}
	return e.uploadOK(token, p, fields)
}

type searchResult struct {
	Type          string `json:"type"`
	ID            string `json:"id"`
	Title         string `json:"title"`
	Snippet       string `json:"snippet"`
	Rank          float64
	PDFID         *string `json:"pdf_id"`
	MatchingPages *int    `json:"matching_pages"`
	Pages         []struct {
		Page    int    `json:"page"`
		Snippet string `json:"snippet"`
	} `json:"pages"`
}

func (e *env) search(token, q string, extra string) []searchResult {
	e.t.Helper()
	var res struct {
		Items      []searchResult `json:"items"`
		NextCursor *string        `json:"next_cursor"`
	}
	e.do("GET", "/api/v1/search?q="+url.QueryEscape(q)+extra, nil, withToken(token)).must(e.t, http.StatusOK).decode(e.t, &res)
	return res.Items
}

func TestTextStatusAndPages(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tk, _ := e.register()
	auth := withToken(tk.AccessToken)
	pdf := e.textPDF(tk.AccessToken, "notes.pdf", "", [][]string{{"Limits and continuity"}, {}, {"The derivative of x squared is two x"}}, nil)
	if pdf.TextStatus != "pending" || pdf.WordCount != nil {
		t.Fatalf("before extraction: %+v", pdf)
	}
	var b struct {
		ID string `json:"id"`
	}
	e.do("POST", "/api/v1/pdfs/"+pdf.ID+"/bookmarks", map[string]any{"page": 3}, auth).must(t, http.StatusCreated).decode(t, &b)
	ex := e.createExercise(tk.AccessToken, pdf.ID, map[string]any{"title": "Differentiate", "page_start": 2, "page_end": 3})

	type page struct {
		Page        int      `json:"page"`
		WordCount   *int     `json:"word_count"`
		SecondsRead int      `json:"seconds_read"`
		BookmarkIDs []string `json:"bookmark_ids"`
		ExerciseIDs []string `json:"exercise_ids"`
	}
	var pages struct {
		TextStatus string  `json:"text_status"`
		Items      []page  `json:"items"`
		NextCursor *string `json:"next_cursor"`
	}
	e.do("GET", "/api/v1/pdfs/"+pdf.ID+"/pages", nil, auth).must(t, http.StatusOK).decode(t, &pages)
	if pages.TextStatus != "pending" || len(pages.Items) != 3 || pages.Items[0].WordCount != nil {
		t.Fatalf("pages before extraction: %+v", pages)
	}

	e.extractText()
	e.do("GET", "/api/v1/pdfs/"+pdf.ID, nil, auth).must(t, http.StatusOK).decode(t, &pdf)
	if pdf.TextStatus != "done" || pdf.WordCount == nil || *pdf.WordCount != 11 {
		t.Fatalf("after extraction: %+v", pdf)
	}
	if _, err := e.pool.Exec(context.Background(), `INSERT INTO page_stats (user_id, pdf_id, page, seconds_read) VALUES ($1, $2, 1, 42)`, tk.User.ID, pdf.ID); err != nil {
		t.Fatal(err)
	}
	e.do("GET", "/api/v1/pdfs/"+pdf.ID+"/pages", nil, auth).must(t, http.StatusOK).decode(t, &pages)
	got := fmt.Sprintf("%v", func() []string {
		var out []string
		for _, p := range pages.Items {
			wc := "null"
			if p.WordCount != nil {
				wc = fmt.Sprint(*p.WordCount)
			}
			out = append(out, fmt.Sprintf("%d:%s:%ds:b%d:e%d", p.Page, wc, p.SecondsRead, len(p.BookmarkIDs), len(p.ExerciseIDs)))
		}
		return out
	}())
	if got != "[1:3:42s:b0:e0 2:null:0s:b0:e1 3:8:0s:b1:e1]" || pages.Items[2].BookmarkIDs[0] != b.ID || pages.Items[1].ExerciseIDs[0] != ex.ID {
		t.Fatalf("pages: %s %+v", got, pages.Items)
	}
	// Paged by page number.
	e.do("GET", "/api/v1/pdfs/"+pdf.ID+"/pages?limit=2", nil, auth).must(t, http.StatusOK).decode(t, &pages)
	if len(pages.Items) != 2 || pages.NextCursor == nil {
		t.Fatalf("first page of pages: %+v", pages)
	}
	e.do("GET", "/api/v1/pdfs/"+pdf.ID+"/pages?limit=2&cursor="+*pages.NextCursor, nil, auth).must(t, http.StatusOK).decode(t, &pages)
	if len(pages.Items) != 1 || pages.Items[0].Page != 3 || pages.NextCursor != nil {
		t.Fatalf("second page of pages: %+v", pages)
	}
	// Forged cursors: past the end, negative, huge, another PDF's.
	for _, raw := range []string{
		`{"n":3,"id":"` + pdf.ID + `"}`, `{"n":-5,"id":"` + pdf.ID + `"}`, `{"n":99999999999,"id":"` + pdf.ID + `"}`,
		`{"n":1,"id":"7f1c0c8e-0000-4000-8000-000000000000"}`,
	} {
		cur := base64.RawURLEncoding.EncodeToString([]byte(raw))
		e.do("GET", "/api/v1/pdfs/"+pdf.ID+"/pages?cursor="+cur, nil, auth).must(t, http.StatusBadRequest)
	}
}

// TestSearch covers ranking (a title hit above a body hit), the page numbers
// of matches with snippets, phrase and prefix queries, exclusion, and the
// kinds of results.
func TestSearch(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tk, _ := e.register()
	auth := withToken(tk.AccessToken)
	topic := e.createTopic(tk.AccessToken, map[string]any{"name": "Thermodynamics", "description": "Heat, entropy and engines"})
	titled := e.textPDF(tk.AccessToken, "a.pdf", "Entropy explained", [][]string{{"An introduction for beginners"}}, map[string]string{"topic_id": topic.ID})
	body := e.textPDF(tk.AccessToken, "b.pdf", "Lecture notes", [][]string{
		{"Chapter one is about energy"},
		{"Nothing to see here"},
		{"The second law: entropy never decreases in an isolated system"},
		{"Entropy again, with <script>alert(1)</script> and 1 < 2 & 3 > 2 in the text"},
	}, nil)
	calc := e.textPDF(tk.AccessToken, "c.pdf", "Analysis", [][]string{
		{"Calculus of variations"},
		{"The exact phrase appears here: partial derivatives of smooth functions"},
		{"Derivatives that are partial, in another order"},
	}, nil)
	e.createExercise(tk.AccessToken, calc.ID, map[string]any{"title": "Entropy problem set", "page_start": 1, "description": "Compute the entropy change"})
	e.extractText()

	// A title hit ranks above a body hit.
	res := e.search(tk.AccessToken, "entropy", "&types=pdf")
	if len(res) != 2 || res[0].ID != titled.ID || res[1].ID != body.ID || res[0].Rank <= res[1].Rank {
		t.Fatalf("title above body: %+v", res)
	}
	// The page numbers of the matches, with highlighted, escaped snippets.
	b := res[1]
	if b.MatchingPages == nil || *b.MatchingPages != 2 || len(b.Pages) != 2 || b.Pages[0].Page != 3 || b.Pages[1].Page != 4 {
		t.Fatalf("matching pages: %+v", b)
	}
	if !strings.Contains(b.Pages[0].Snippet, "<mark>entropy</mark>") || !strings.Contains(b.Pages[1].Snippet, "1 &lt; 2 &amp; 3 &gt; 2") ||
		strings.Contains(b.Pages[1].Snippet, "<script") {
		t.Fatalf("snippets: %q / %q", b.Pages[0].Snippet, b.Pages[1].Snippet)
	}
	// All kinds: the exercise (title hit) and the topic (description) appear too.
	kinds := map[string]bool{}
	for _, r := range e.search(tk.AccessToken, "entropy", "") {
		kinds[r.Type] = true
		if r.Type == "exercise" && (r.PDFID == nil || *r.PDFID != calc.ID) {
			t.Fatalf("exercise result without its PDF: %+v", r)
		}
		if r.Type == "topic" && !strings.Contains(r.Snippet, "<mark>entropy</mark>") {
			t.Fatalf("topic snippet: %q", r.Snippet)
		}
	}
	if !kinds["pdf"] || !kinds["topic"] || !kinds["exercise"] {
		t.Fatalf("kinds found: %v", kinds)
	}
	// Stemming: "decrease" finds "decreases".
	if res := e.search(tk.AccessToken, "decrease", "&types=pdf"); len(res) != 1 || res[0].ID != body.ID {
		t.Fatalf("stemmed search: %+v", res)
	}
	// A phrase matches words in order only.
	res = e.search(tk.AccessToken, `"partial derivatives"`, "&types=pdf")
	if len(res) != 1 || res[0].ID != calc.ID || len(res[0].Pages) != 1 || res[0].Pages[0].Page != 2 {
		t.Fatalf("phrase: %+v", res)
	}
	res = e.search(tk.AccessToken, "partial derivatives", "&types=pdf")
	if len(res) != 1 || len(res[0].Pages) != 2 {
		t.Fatalf("words in any order: %+v", res)
	}
	// Prefixes.
	res = e.search(tk.AccessToken, "calcul*", "&types=pdf")
	if len(res) != 1 || res[0].ID != calc.ID || res[0].Pages[0].Page != 1 {
		t.Fatalf("prefix: %+v", res)
	}
	if res := e.search(tk.AccessToken, "thermo*", ""); len(res) != 1 || res[0].Type != "topic" || res[0].ID != topic.ID {
		t.Fatalf("prefix on a topic name: %+v", res)
	}
	// Exclusion and OR.
	// Exclusion works per document: the lecture notes mention "isolated".
	if res := e.search(tk.AccessToken, "entropy -isolated", "&types=pdf"); len(res) != 1 || res[0].ID != titled.ID {
		t.Fatalf("exclusion: %+v", res)
	}
	// Words on different pages of one PDF match it (no single page has both).
	if res := e.search(tk.AccessToken, "energy isolated", "&types=pdf"); len(res) != 1 || res[0].ID != body.ID || len(res[0].Pages) != 0 || *res[0].MatchingPages != 0 {
		t.Fatalf("words across pages: %+v", res)
	}
	if res := e.search(tk.AccessToken, "energy OR calculus", "&types=pdf"); len(res) != 2 {
		t.Fatalf("OR: %+v", res)
	}
	if res := e.search(tk.AccessToken, "zeppelin", ""); len(res) != 0 {
		t.Fatalf("no match: %+v", res)
	}
	// Bad input.
	for _, q := range []string{"", "!!!", strings.Repeat("x", 201), "-only"} {
		if f := e.do("GET", "/api/v1/search?q="+url.QueryEscape(q), nil, auth).must(t, http.StatusUnprocessableEntity).errorBody(t).Fields; f["q"] == "" {
			t.Fatalf("q %q not named", q)
		}
	}
	e.do("GET", "/api/v1/search?q=x&types=pdf,books", nil, auth).must(t, http.StatusUnprocessableEntity)
	// Hostile queries are just words (or none).
	for _, q := range []string{"'; DROP TABLE pdfs; --", `a:* & b | !c`, "entropy:B", "x <-> y"} {
		e.do("GET", "/api/v1/search?q="+url.QueryEscape(q), nil, auth).must(t, http.StatusOK)
	}
	for _, q := range []string{`\'`, "((((", "!!", "<->"} {
		e.do("GET", "/api/v1/search?q="+url.QueryEscape(q), nil, auth).must(t, http.StatusUnprocessableEntity)
	}
}

func TestSearchPagination(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tk, _ := e.register()
	for i := range 4 {
		// More occurrences rank higher (counted up to 8; each word is indexed in
		// two configurations): PDF i mentions the word i+1 times.
		e.textPDF(tk.AccessToken, fmt.Sprintf("p%d.pdf", i), fmt.Sprintf("Doc %d", i), [][]string{{strings.Repeat("quasar ", i+1) + "filler words here"}}, nil)
	}
	e.extractText()
	var seen []string
	cursor := ""
	for {
		var res struct {
			Items      []searchResult `json:"items"`
			NextCursor *string        `json:"next_cursor"`
		}
		e.do("GET", "/api/v1/search?q=quasar&limit=3"+cursor, nil, withToken(tk.AccessToken)).must(t, http.StatusOK).decode(t, &res)
		if len(res.Items) > 3 {
			t.Fatalf("page of %d", len(res.Items))
		}
		for _, r := range res.Items {
			seen = append(seen, r.Title)
		}
		if res.NextCursor == nil {
			break
		}
		cursor = "&cursor=" + *res.NextCursor
	}
	if fmt.Sprint(seen) != "[Doc 3 Doc 2 Doc 1 Doc 0]" {
		t.Fatalf("paged results: %v", seen)
	}
}

// TestSearchIsolation: another user's content never appears.
func TestSearchIsolation(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	alice, _ := e.register()
	bob, _ := e.register()
	e.createTopic(alice.AccessToken, map[string]any{"name": "Secret nebula research"})
	p := e.textPDF(alice.AccessToken, "s.pdf", "Nebula notes", [][]string{{"the nebula is private"}}, nil)
	e.createExercise(alice.AccessToken, p.ID, map[string]any{"title": "Nebula quiz", "page_start": 1})
	e.textPDF(bob.AccessToken, "b.pdf", "Bob's book", [][]string{{"nothing about space"}}, nil)
	e.extractText()
	if res := e.search(bob.AccessToken, "nebula", ""); len(res) != 0 {
		t.Fatalf("bob sees alice's content: %+v", res)
	}
	if res := e.search(alice.AccessToken, "nebula", ""); len(res) != 3 {
		t.Fatalf("alice finds %d results, want 3", len(res))
	}
}

// TestSearchStopWords: a stop word of english still counts, as the exact
// word (simple): "the -qqq" needs "the" instead of matching everything
// without qqq, and "-the" excludes instead of vanishing. A query of
// excluded words only is 422.
func TestSearchStopWords(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tk, _ := e.register()
	auth := withToken(tk.AccessToken)
	zebra := e.createTopic(tk.AccessToken, map[string]any{"name": "Zebra crossing"})
	theKernel := e.createTopic(tk.AccessToken, map[string]any{"name": "The kernel"})
	kernel := e.createTopic(tk.AccessToken, map[string]any{"name": "Kernel panics", "description": "Decreasing uptime"})
	uptime := e.createTopic(tk.AccessToken, map[string]any{"name": "Uptime", "description": "The uptime keeps decreasing"})
	pdf := e.textPDF(tk.AccessToken, "k.pdf", "Operating systems", [][]string{{"the kernel schedules the processes"}}, nil)
	e.extractText()

	ids := func(q string) []string {
		var out []string
		for _, r := range e.search(tk.AccessToken, q, "") {
			out = append(out, r.ID)
		}
		sort.Strings(out)
		return out
	}
	sorted := func(v ...string) []string { sort.Strings(v); return v }
	cases := []struct {
		q    string
		want []string
	}{
		// Was: every topic and PDF (the english half of the query was !qqq).
		{"the -qqq", sorted(theKernel.ID, uptime.ID, pdf.ID)},
		// Was: "The kernel" too (the english half was just kernel).
		{"-the kernel", sorted(kernel.ID)},
		{"the kernel", sorted(theKernel.ID, pdf.ID)},
		{`"the kernel"`, sorted(theKernel.ID, pdf.ID)},
		{"kernel -zebra", sorted(theKernel.ID, kernel.ID, pdf.ID)},
		// Stemming still works beside a stop word.
		{"the decrease", sorted(uptime.ID)},
		{"decrease", sorted(kernel.ID, uptime.ID)},
		{"zebra OR the", sorted(zebra.ID, theKernel.ID, uptime.ID, pdf.ID)},
	}
	for _, c := range cases {
		if got := ids(c.q); fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("%q: %v, want %v", c.q, got, c.want)
		}
	}
	// The matching pages are found with the same query.
	if res := e.search(tk.AccessToken, "the -qqq", "&types=pdf"); len(res) != 1 || res[0].MatchingPages == nil || *res[0].MatchingPages != 1 {
		t.Fatalf("pages for a stop word: %+v", res)
	}
	for _, q := range []string{"-the", "-the -kernel", `-"the kernel"`, "-qqq -the"} {
		b := e.do("GET", "/api/v1/search?q="+url.QueryEscape(q), nil, auth).must(t, http.StatusUnprocessableEntity).errorBody(t)
		if b.Code != "validation_failed" || b.Fields["q"] == "" {
			t.Fatalf("%q: %+v", q, b)
		}
	}

	// With english alone (SEARCH_LANGUAGES=english) nothing indexes "the":
	// it is left out, and a query left with no required word is 422.
	en := newEnvWith(t, envConfig{searchLangs: [2]string{"english", "english"}})
	etk, _ := en.register()
	en.createTopic(etk.AccessToken, map[string]any{"name": "Zebra crossing"})
	k := en.createTopic(etk.AccessToken, map[string]any{"name": "The kernel"})
	if res := en.search(etk.AccessToken, "-the kernel", ""); len(res) != 1 || res[0].ID != k.ID {
		t.Fatalf("english only, -the kernel: %+v", res)
	}
	for _, q := range []string{"the -qqq", "the", "a of the"} {
		b := en.do("GET", "/api/v1/search?q="+url.QueryEscape(q), nil, withToken(etk.AccessToken)).must(t, http.StatusUnprocessableEntity).errorBody(t)
		if b.Code != "validation_failed" || b.Fields["q"] == "" {
			t.Fatalf("english only, %q: %+v", q, b)
		}
	}
}

// TestSearchRankingFromLexemes: PDF text is ranked by BM25 over the
// inverted index (pdf_lexemes): more occurrences rank first, exclusions and
// phrases stay exact, and the rows go with the PDF.
func TestSearchRankingFromLexemes(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tk, _ := e.register()
	many := e.textPDF(tk.AccessToken, "many.pdf", "Notes one", [][]string{
		{"The glacier moved. A glacier carves valleys; every glacier melts."},
		{"Glaciers and a frozen lake under the glacier."},
	}, nil)
	once := e.textPDF(tk.AccessToken, "once.pdf", "Notes two", [][]string{
		{"One glacier, and the lake was frozen solid."},
		{"Nothing else about ice here."},
	}, nil)
	none := e.textPDF(tk.AccessToken, "none.pdf", "Notes three", [][]string{{"A frozen lake without the word."}}, nil)
	e.extractText()

	res := e.search(tk.AccessToken, "glacier", "&types=pdf")
	if len(res) != 2 || res[0].ID != many.ID || res[1].ID != once.ID || !(res[0].Rank > res[1].Rank) || res[1].Rank <= 0 {
		t.Fatalf("more occurrences first: %+v", res)
	}
	if res[0].Rank >= 0.1 {
		t.Fatalf("a text rank stays below 0.1 (title hits rank above): %v", res[0].Rank)
	}
	// Exclusion is exact per PDF: "ice" is only in once.pdf.
	if res := e.search(tk.AccessToken, "glacier -ice", "&types=pdf"); len(res) != 1 || res[0].ID != many.ID {
		t.Fatalf("exclusion: %+v", res)
	}
	// A prefix matches every lexeme it starts (glacier, glaciers).
	if res := e.search(tk.AccessToken, "glaci*", "&types=pdf"); len(res) != 2 || res[0].ID != many.ID {
		t.Fatalf("prefix: %+v", res)
	}
	// A phrase needs the words in order on one page: once.pdf has "lake was
	// frozen", none.pdf and many.pdf "frozen lake".
	res = e.search(tk.AccessToken, `"frozen lake"`, "&types=pdf")
	ids := map[string]bool{}
	for _, r := range res {
		ids[r.ID] = true
	}
	if len(res) != 2 || !ids[many.ID] || !ids[none.ID] {
		t.Fatalf("phrase: %+v", res)
	}
	// The index rows go with the PDF.
	count := func(id string) (n int) {
		if err := e.pool.QueryRow(context.Background(), "SELECT count(*) FROM pdf_lexemes WHERE pdf_id = $1", id).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if count(once.ID) == 0 {
		t.Fatal("no lexemes indexed")
	}
	e.do("DELETE", "/api/v1/pdfs/"+once.ID, nil, withToken(tk.AccessToken)).must(t, http.StatusNoContent)
	if n := count(once.ID); n != 0 {
		t.Fatalf("%d lexeme rows left after the delete", n)
	}
	if res := e.search(tk.AccessToken, "glacier", "&types=pdf"); len(res) != 1 || res[0].ID != many.ID {
		t.Fatalf("after the delete: %+v", res)
	}
}
