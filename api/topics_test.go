package api_test

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/studysprint/studysprint/dbgen"
	"github.com/studysprint/studysprint/internal/storage"
	"github.com/studysprint/studysprint/internal/testpdf"
)

func TestTopicCRUD(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tk, _ := e.register()
	auth := withToken(tk.AccessToken)

	math := e.createTopic(tk.AccessToken, map[string]any{"name": " Mathematics ", "description": "Year 2", "color": "#00aa11", "sort_order": 2, "target_date": "2027-06-30"})
	if math.Name != "Mathematics" || math.Color != "#00AA11" || math.TargetDate == nil || *math.TargetDate != "2027-06-30" || math.ParentID != nil || math.PDFCount != 0 {
		t.Fatalf("created: %+v", math)
	}
	def := e.createTopic(tk.AccessToken, map[string]any{"name": "Biology"})
	if def.Color != "#4F46E5" || def.SortOrder != 0 || def.TargetDate != nil {
		t.Fatalf("defaults: %+v", def)
	}
	algebra := e.createTopic(tk.AccessToken, map[string]any{"name": "Algebra", "parent_id": math.ID})
	if algebra.ParentID == nil || *algebra.ParentID != math.ID {
		t.Fatalf("child: %+v", algebra)
	}
	// Names are unique among siblings, ignoring case; other parents may reuse them.
	r := e.do("POST", "/api/v1/topics", map[string]any{"name": "ALGEBRA", "parent_id": math.ID}, auth).must(t, http.StatusConflict)
	if b := r.errorBody(t); b.Code != "topic_name_taken" || b.Fields["name"] == "" {
		t.Fatalf("duplicate sibling: %+v", b)
	}
	e.do("POST", "/api/v1/topics", map[string]any{"name": "mathematics"}, auth).must(t, http.StatusConflict)
	e.createTopic(tk.AccessToken, map[string]any{"name": "Algebra", "parent_id": def.ID})
	e.createTopic(tk.AccessToken, map[string]any{"name": "Algebra"})

	for field, v := range map[string]any{"name": "", "color": "green", "target_date": "30/06/2027", "sort_order": 5_000_000, "description": strings.Repeat("d", 2001)} {
		body := map[string]any{"name": "Valid name " + field}
		body[field] = v
		if f := e.do("POST", "/api/v1/topics", body, auth).must(t, http.StatusUnprocessableEntity).errorBody(t).Fields; f[field] == "" {
			t.Errorf("%s=%v not named", field, v)
		}
	}
	e.do("POST", "/api/v1/topics", map[string]any{"name": "x", "parent_id": "nope"}, auth).must(t, http.StatusUnprocessableEntity)

	var got topicJSON
	e.do("PATCH", "/api/v1/topics/"+math.ID, map[string]any{"name": "Maths", "color": "#FFFFFF", "target_date": nil, "description": ""}, auth).
		must(t, http.StatusOK).decode(t, &got)
	if got.Name != "Maths" || got.Color != "#FFFFFF" || got.TargetDate != nil || got.Description != "" || got.SortOrder != 2 {
		t.Fatalf("patched: %+v", got)
	}
	e.do("PATCH", "/api/v1/topics/"+math.ID, map[string]any{"target_date": "2027-01-01"}, auth).must(t, http.StatusOK).decode(t, &got)
	if got.TargetDate == nil || *got.TargetDate != "2027-01-01" {
		t.Fatalf("target_date set: %+v", got)
	}
	e.do("PATCH", "/api/v1/topics/"+math.ID, map[string]any{"name": "Biology"}, auth).must(t, http.StatusConflict)
	e.do("PATCH", "/api/v1/topics/"+math.ID, map[string]any{"parent_id": 5}, auth).must(t, http.StatusBadRequest)

	// Lists: roots only, children of one, by name.
	names := func(query string) string {
		var l struct {
			Items []topicJSON `json:"items"`
		}
		e.do("GET", "/api/v1/topics"+query, nil, auth).must(t, http.StatusOK).decode(t, &l)
		var out []string
		for _, it := range l.Items {
			out = append(out, it.Name)
		}
		return strings.Join(out, ",")
	}
	if got := names("?parent_id=root"); got != "Algebra,Biology,Maths" {
		t.Fatalf("roots: %s", got)
	}
	if got := names("?parent_id=" + math.ID); got != "Algebra" {
		t.Fatalf("children: %s", got)
	}
	if got := names("?q=alg"); got != "Algebra,Algebra,Algebra" {
		t.Fatalf("q: %s", got)
	}
	if got := names("?q=%25"); got != "" {
		t.Fatalf("q with a LIKE wildcard matched: %s", got)
	}
	e.do("GET", "/api/v1/topics?archived=maybe", nil, auth).must(t, http.StatusUnprocessableEntity)
	e.do("GET", "/api/v1/topics?parent_id=xyz", nil, auth).must(t, http.StatusUnprocessableEntity)
}

func TestTopicPagination(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tk, _ := e.register()
	for i := range 7 {
		e.createTopic(tk.AccessToken, map[string]any{"name": fmt.Sprintf("Topic %c", 'G'-i), "sort_order": i % 2})
	}
	var seen []string
	cursor := ""
	for pages := 0; ; pages++ {
		var pg struct {
			Items      []topicJSON `json:"items"`
			NextCursor *string     `json:"next_cursor"`
		}
		e.do("GET", "/api/v1/topics?limit=3"+cursor, nil, withToken(tk.AccessToken)).must(t, http.StatusOK).decode(t, &pg)
		for _, it := range pg.Items {
			seen = append(seen, fmt.Sprintf("%d:%s", it.SortOrder, it.Name))
		}
		if pg.NextCursor == nil {
			break
		}
		cursor = "&cursor=" + *pg.NextCursor
	}
	want := "0:Topic A,0:Topic C,0:Topic E,0:Topic G,1:Topic B,1:Topic D,1:Topic F"
	if got := strings.Join(seen, ","); got != want {
		t.Fatalf("paged = %s\nwant    %s", got, want)
	}
	// A forged cursor with a sort key out of range is "after the last".
	huge := base64.RawURLEncoding.EncodeToString([]byte(`{"n":99999999999,"s":"z","id":"7f1c0c8e-0000-4000-8000-000000000000"}`))
	var empty struct {
		Items []topicJSON `json:"items"`
	}
	e.do("GET", "/api/v1/topics?cursor="+huge, nil, withToken(tk.AccessToken)).must(t, http.StatusOK).decode(t, &empty)
	if len(empty.Items) != 0 {
		t.Fatalf("after an out-of-range cursor: %d items", len(empty.Items))
	}
	// A cursor of a list in time order (PDFs, sessions) is refused here.
	timeCursor := base64.RawURLEncoding.EncodeToString([]byte(`{"t":"2026-01-01T00:00:00Z","id":"7f1c0c8e-0000-4000-8000-000000000000"}`))
	if code := e.do("GET", "/api/v1/topics?cursor="+timeCursor, nil, withToken(tk.AccessToken)).must(t, http.StatusBadRequest).errorBody(t).Code; code != "invalid_cursor" {
		t.Fatalf("foreign cursor: %s", code)
	}
}

// TestTopicHierarchyRules: at most 5 levels; no cycles; moves keep both.
func TestTopicHierarchyRules(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tk, _ := e.register()
	auth := withToken(tk.AccessToken)
	chain := []topicJSON{e.createTopic(tk.AccessToken, map[string]any{"name": "L1"})}
	for i := 2; i <= 5; i++ {
		chain = append(chain, e.createTopic(tk.AccessToken, map[string]any{"name": fmt.Sprintf("L%d", i), "parent_id": chain[len(chain)-1].ID}))
	}
	r := e.do("POST", "/api/v1/topics", map[string]any{"name": "L6", "parent_id": chain[4].ID}, auth).must(t, http.StatusUnprocessableEntity)
	if !strings.Contains(r.errorBody(t).Fields["parent_id"], "deeper than 5") {
		t.Fatalf("depth: %s", r.Body)
	}
	// Cycles: under itself, under its own descendant.
	for _, target := range []topicJSON{chain[0], chain[2], chain[4]} {
		r := e.do("PATCH", "/api/v1/topics/"+chain[0].ID, map[string]any{"parent_id": target.ID}, auth).must(t, http.StatusUnprocessableEntity)
		if !strings.Contains(r.errorBody(t).Fields["parent_id"], "inside itself") {
			t.Fatalf("cycle under %s: %s", target.Name, r.Body)
		}
	}
	// A subtree of height 3 (L3-L4-L5) fits under a root (depth 1 + 3 = 4)...
	other := e.createTopic(tk.AccessToken, map[string]any{"name": "Other"})
	e.do("PATCH", "/api/v1/topics/"+chain[2].ID, map[string]any{"parent_id": other.ID}, auth).must(t, http.StatusOK)
	// ...but not under a depth-3 topic (3 + 3 = 6).
	deep := e.createTopic(tk.AccessToken, map[string]any{"name": "Deep", "parent_id": chain[1].ID}) // depth 3
	e.do("PATCH", "/api/v1/topics/"+chain[2].ID, map[string]any{"parent_id": deep.ID}, auth).must(t, http.StatusUnprocessableEntity)
	// To the top level with null.
	var moved topicJSON
	e.do("PATCH", "/api/v1/topics/"+chain[2].ID, map[string]any{"parent_id": nil}, auth).must(t, http.StatusOK).decode(t, &moved)
	if moved.ParentID != nil {
		t.Fatal("parent_id null did not move to the top level")
	}
	e.do("PATCH", "/api/v1/topics/"+chain[2].ID, map[string]any{"parent_id": "00000000-0000-4000-8000-000000000000"}, auth).must(t, http.StatusUnprocessableEntity)
}

func TestTopicArchiveRestore(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tk, _ := e.register()
	auth := withToken(tk.AccessToken)
	parent := e.createTopic(tk.AccessToken, map[string]any{"name": "Old course"})
	child := e.createTopic(tk.AccessToken, map[string]any{"name": "Week 1", "parent_id": parent.ID})
	e.createTopic(tk.AccessToken, map[string]any{"name": "Current"})

	var got topicJSON
	e.do("POST", "/api/v1/topics/"+parent.ID+"/archive", nil, auth).must(t, http.StatusOK).decode(t, &got)
	if got.ArchivedAt == nil {
		t.Fatal("not archived")
	}
	e.do("GET", "/api/v1/topics/"+child.ID, nil, auth).must(t, http.StatusOK).decode(t, &got)
	if got.ArchivedAt == nil {
		t.Fatal("archiving did not reach the subtopic")
	}
	var l struct {
		Items []topicJSON `json:"items"`
	}
	e.do("GET", "/api/v1/topics", nil, auth).must(t, http.StatusOK).decode(t, &l)
	if len(l.Items) != 1 || l.Items[0].Name != "Current" {
		t.Fatalf("default list shows archived topics: %+v", l.Items)
	}
	e.do("GET", "/api/v1/topics?archived=true", nil, auth).must(t, http.StatusOK).decode(t, &l)
	if len(l.Items) != 2 {
		t.Fatalf("archived=true: %d", len(l.Items))
	}
	e.do("GET", "/api/v1/topics?archived=all", nil, auth).must(t, http.StatusOK).decode(t, &l)
	if len(l.Items) != 3 {
		t.Fatalf("archived=all: %d", len(l.Items))
	}
	// No new topics under an archived one; the child waits for its parent.
	if e.do("POST", "/api/v1/topics", map[string]any{"name": "Week 2", "parent_id": parent.ID}, auth).must(t, http.StatusConflict).errorBody(t).Code != "parent_archived" {
		t.Fatal("created under an archived topic")
	}
	if e.do("POST", "/api/v1/topics/"+child.ID+"/restore", nil, auth).must(t, http.StatusConflict).errorBody(t).Code != "parent_archived" {
		t.Fatal("restored a child of an archived topic")
	}
	e.do("POST", "/api/v1/topics/"+parent.ID+"/restore", nil, auth).must(t, http.StatusOK)
	e.do("GET", "/api/v1/topics/"+child.ID, nil, auth).must(t, http.StatusOK).decode(t, &got)
	if got.ArchivedAt != nil {
		t.Fatal("restoring did not reach the subtopic")
	}
}

func TestTopicTree(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tk, _ := e.register()
	auth := withToken(tk.AccessToken)
	a := e.createTopic(tk.AccessToken, map[string]any{"name": "A"})
	b := e.createTopic(tk.AccessToken, map[string]any{"name": "B", "parent_id": a.ID})
	e.createTopic(tk.AccessToken, map[string]any{"name": "C", "parent_id": b.ID})
	e.createTopic(tk.AccessToken, map[string]any{"name": "D", "parent_id": a.ID})
	z := e.createTopic(tk.AccessToken, map[string]any{"name": "Z"})
	e.do("POST", "/api/v1/topics/"+z.ID+"/archive", nil, auth).must(t, http.StatusOK)
	e.uploadOK(tk.AccessToken, testpdf.CorpusFile(t, "go.pdf"), map[string]string{"topic_id": b.ID})

	render := func(query string) string {
		var tree struct {
			Items []topicJSON `json:"items"`
		}
		e.do("GET", "/api/v1/topics/tree"+query, nil, auth).must(t, http.StatusOK).decode(t, &tree)
		var walk func([]topicJSON) string
		walk = func(ns []topicJSON) string {
			var parts []string
			for _, n := range ns {
				s := fmt.Sprintf("%s[%d]", n.Name, n.PDFCount)
				if len(n.Children) > 0 {
					s += "(" + walk(n.Children) + ")"
				}
				parts = append(parts, s)
			}
			return strings.Join(parts, " ")
		}
		return walk(tree.Items)
	}
	if got := render(""); got != "A[1](B[1](C[0]) D[0])" {
		t.Fatalf("tree = %s", got)
	}
	if got := render("?include_archived=true"); got != "A[1](B[1](C[0]) D[0]) Z[0]" {
		t.Fatalf("tree with archived = %s", got)
	}
	e.do("GET", "/api/v1/topics/tree?include_archived=perhaps", nil, auth).must(t, http.StatusUnprocessableEntity)
}

// TestTopicStats: counts come from the rows, over the whole subtree, and the
// reading fields come from page_stats (filled by the study timer later; here
// rows are written directly to show the join).
func TestTopicStats(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tk, _ := e.register()
	auth := withToken(tk.AccessToken)
	course := e.createTopic(tk.AccessToken, map[string]any{"name": "Go"})
	part := e.createTopic(tk.AccessToken, map[string]any{"name": "Concurrency", "parent_id": course.ID})
	a := e.uploadOK(tk.AccessToken, testpdf.CorpusFile(t, "go.pdf"), map[string]string{"topic_id": course.ID})   // 23 pages
	b := e.uploadOK(tk.AccessToken, testpdf.CorpusFile(t, "golang.pdf"), map[string]string{"topic_id": part.ID}) // 14 pages
	e.uploadOK(tk.AccessToken, testpdf.CorpusFile(t, "test.pdf"), nil)                                           // no topic

	get := func(id string) topicJSON {
		var tj topicJSON
		e.do("GET", "/api/v1/topics/"+id, nil, auth).must(t, http.StatusOK).decode(t, &tj)
		return tj
	}
	c := get(course.ID)
	if c.PDFCount != 2 || c.TotalPages != 37 || c.PagesRead != 0 || c.ProgressPercent != 0 || c.StudySeconds != 0 || c.LastStudiedAt != nil {
		t.Fatalf("course stats before reading: %+v", c)
	}
	if p := get(part.ID); p.PDFCount != 1 || p.TotalPages != 14 {
		t.Fatalf("part stats: %+v", p)
	}
	read := time.Date(2026, 11, 20, 18, 30, 0, 0, time.UTC)
	for _, row := range []struct {
		pdf     string
		page    int
		seconds int
	}{{a.ID, 1, 60}, {a.ID, 2, 90}, {a.ID, 3, 0}, {b.ID, 1, 120}} {
		if _, err := e.pool.Exec(context.Background(), `INSERT INTO page_stats (user_id, pdf_id, page, seconds_read, visits, first_read_at, last_read_at) VALUES ($1, $2, $3, $4, 1, $5, $5)`,
			tk.User.ID, row.pdf, row.page, row.seconds, read.Add(time.Duration(row.page)*time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	// Every write of page_stats is followed by the refresh of its PDF's
	// rollup (pdf_reading), as the timer's writes are.
	for _, id := range []string{a.ID, b.ID} {
		if err := dbgen.New(e.pool).RefreshPDFReading(context.Background(), dbgen.RefreshPDFReadingParams{UserID: uuid.MustParse(tk.User.ID), PdfID: uuid.MustParse(id)}); err != nil {
			t.Fatal(err)
		}
	}
	c = get(course.ID)
	if c.PagesRead != 3 || c.StudySeconds != 270 || c.ProgressPercent != 8.1 || c.LastStudiedAt == nil {
		t.Fatalf("course stats after reading: %+v", c)
	}
	var pdf pdfJSON
	e.do("GET", "/api/v1/pdfs/"+a.ID, nil, auth).must(t, http.StatusOK).decode(t, &pdf)
	if pdf.PagesRead != 2 || pdf.StudySeconds != 150 || pdf.ProgressPercent != 8.7 || pdf.LastStudiedAt == nil {
		t.Fatalf("pdf stats: %+v", pdf)
	}
}

func TestTopicDelete(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tk, _ := e.register()
	auth := withToken(tk.AccessToken)
	empty := e.createTopic(tk.AccessToken, map[string]any{"name": "Empty"})
	e.do("DELETE", "/api/v1/topics/"+empty.ID, nil, auth).must(t, http.StatusNoContent)
	e.do("GET", "/api/v1/topics/"+empty.ID, nil, auth).must(t, http.StatusNotFound)

	parent := e.createTopic(tk.AccessToken, map[string]any{"name": "Parent"})
	child := e.createTopic(tk.AccessToken, map[string]any{"name": "Child", "parent_id": parent.ID})
	grandchild := e.createTopic(tk.AccessToken, map[string]any{"name": "Grandchild", "parent_id": child.ID})
	withPDF := e.createTopic(tk.AccessToken, map[string]any{"name": "With PDF"})
	p1 := e.uploadOK(tk.AccessToken, testpdf.CorpusFile(t, "test.pdf"), map[string]string{"topic_id": grandchild.ID})
	p2 := e.uploadOK(tk.AccessToken, testpdf.CorpusFile(t, "empty.pdf"), map[string]string{"topic_id": withPDF.ID})
	keep := e.uploadOK(tk.AccessToken, testpdf.CorpusFile(t, "testRot.pdf"), nil)

	for _, topic := range []topicJSON{parent, withPDF} {
		r := e.do("DELETE", "/api/v1/topics/"+topic.ID, nil, auth).must(t, http.StatusConflict)
		if r.errorBody(t).Code != "topic_not_empty" {
			t.Fatalf("%s: %s", topic.Name, r.Body)
		}
	}
	e.do("DELETE", "/api/v1/topics/"+parent.ID+"?cascade=nope", nil, auth).must(t, http.StatusUnprocessableEntity)

	k1 := storageKey(t, e, p1.ID)
	e.do("DELETE", "/api/v1/topics/"+parent.ID+"?cascade=true", nil, auth).must(t, http.StatusNoContent)
	for _, id := range []string{parent.ID, child.ID, grandchild.ID} {
		e.do("GET", "/api/v1/topics/"+id, nil, auth).must(t, http.StatusNotFound)
	}
	e.do("GET", "/api/v1/pdfs/"+p1.ID, nil, auth).must(t, http.StatusNotFound)
	if _, err := e.cfg.store.Open(context.Background(), k1); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("file of a cascaded PDF still stored: %v", err)
	}
	e.do("GET", "/api/v1/pdfs/"+p2.ID, nil, auth).must(t, http.StatusOK)
	e.do("GET", "/api/v1/pdfs/"+keep.ID, nil, auth).must(t, http.StatusOK)
	e.do("DELETE", "/api/v1/topics/"+withPDF.ID+"?cascade=true", nil, auth).must(t, http.StatusNoContent)
	e.do("GET", "/api/v1/pdfs/"+p2.ID, nil, auth).must(t, http.StatusNotFound)
}
