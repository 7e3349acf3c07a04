package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/studysprint/studysprint/internal/testpdf"
)

type exerciseJSON struct {
	ID                string  `json:"id"`
	PDFID             string  `json:"pdf_id"`
	PageStart         int     `json:"page_start"`
	PageEnd           int     `json:"page_end"`
	Title             string  `json:"title"`
	Difficulty        int     `json:"difficulty"`
	Status            string  `json:"status"`
	Score             *int    `json:"score"`
	CompletedAt       *string `json:"completed_at"`
	ExercisePDFID     *string `json:"exercise_pdf_id"`
	ExercisePageStart *int    `json:"exercise_page_start"`
	ExercisePageEnd   *int    `json:"exercise_page_end"`
}

func (e *env) createExercise(token, pdfID string, body map[string]any) exerciseJSON {
	e.t.Helper()
	var ex exerciseJSON
	e.do("POST", "/api/v1/pdfs/"+pdfID+"/exercises", body, withToken(token)).must(e.t, http.StatusCreated).decode(e.t, &ex)
	return ex
}

// library is one user's study PDF (go.pdf, 23 pages) and exercise PDF
// (golang.pdf, 14 pages).
func exerciseLibrary(t *testing.T, e *env) (tokens, pdfJSON, pdfJSON) {
	tk, _ := e.register()
	study := e.uploadOK(tk.AccessToken, testpdf.CorpusFile(t, "go.pdf"), nil)
	sheet := e.uploadOK(tk.AccessToken, testpdf.CorpusFile(t, "golang.pdf"), map[string]string{"kind": "exercise"})
	return tk, study, sheet
}

func TestExerciseCreateAndRanges(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tk, study, sheet := exerciseLibrary(t, e)
	auth := withToken(tk.AccessToken)

	ex := e.createExercise(tk.AccessToken, study.ID, map[string]any{"title": "Goroutines", "page_start": 5, "page_end": 7, "difficulty": 4,
		"exercise_pdf_id": sheet.ID, "exercise_page_start": 2, "exercise_page_end": 3})
	if ex.PageStart != 5 || ex.PageEnd != 7 || ex.Difficulty != 4 || ex.Status != "todo" || ex.Score != nil || ex.CompletedAt != nil ||
		ex.ExercisePDFID == nil || *ex.ExercisePDFID != sheet.ID || *ex.ExercisePageStart != 2 || *ex.ExercisePageEnd != 3 {
		t.Fatalf("created: %+v", ex)
	}
	single := e.createExercise(tk.AccessToken, study.ID, map[string]any{"title": "One page", "page_start": 23})
	if single.PageEnd != 23 || single.Difficulty != 3 || single.ExercisePDFID != nil {
		t.Fatalf("defaults: %+v", single)
	}
	whole := e.createExercise(tk.AccessToken, study.ID, map[string]any{"title": "Whole sheet", "page_start": 1, "exercise_pdf_id": sheet.ID})
	if *whole.ExercisePageStart != 1 || *whole.ExercisePageEnd != 14 {
		t.Fatalf("exercise range defaults to the whole exercise PDF: %+v", whole)
	}

	bad := []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"title": "x", "page_start": 0}, "page_start"},
		{map[string]any{"title": "x", "page_start": 24}, "page_start"},
		{map[string]any{"title": "x", "page_start": 5, "page_end": 24}, "page_end"},
		{map[string]any{"title": "x", "page_start": 9, "page_end": 8}, "page_end"},
		{map[string]any{"title": "", "page_start": 1}, "title"},
		{map[string]any{"title": "x", "page_start": 1, "difficulty": 6}, "difficulty"},
		{map[string]any{"title": "x", "page_start": 1, "exercise_pdf_id": sheet.ID, "exercise_page_start": 15}, "exercise_page_start"},
		{map[string]any{"title": "x", "page_start": 1, "exercise_pdf_id": sheet.ID, "exercise_page_start": 3, "exercise_page_end": 2}, "exercise_page_end"},
		{map[string]any{"title": "x", "page_start": 1, "exercise_page_start": 2}, "exercise_pdf_id"},
		{map[string]any{"title": "x", "page_start": 1, "exercise_pdf_id": study.ID}, "exercise_pdf_id"},
		{map[string]any{"title": "x", "page_start": 1, "exercise_pdf_id": "00000000-0000-4000-8000-000000000000"}, "exercise_pdf_id"},
	}
	for _, b := range bad {
		r := e.do("POST", "/api/v1/pdfs/"+study.ID+"/exercises", b.body, auth).must(t, http.StatusUnprocessableEntity)
		if r.errorBody(t).Fields[b.field] == "" {
			t.Errorf("%v: %s not named: %s", b.body, b.field, r.Body)
		}
	}
	// Exercises attach to study PDFs, not to exercise sheets.
	if f := e.do("POST", "/api/v1/pdfs/"+sheet.ID+"/exercises", map[string]any{"title": "x", "page_start": 1}, auth).
		must(t, http.StatusUnprocessableEntity).errorBody(t).Fields; f["pdf_id"] == "" {
		t.Fatal("exercise on an exercise PDF")
	}
	e.do("POST", "/api/v1/pdfs/00000000-0000-4000-8000-000000000000/exercises", map[string]any{"title": "x", "page_start": 1}, auth).must(t, http.StatusNotFound)
}

func TestExercisePageLookupAndLists(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tk, study, sheet := exerciseLibrary(t, e)
	auth := withToken(tk.AccessToken)
	mk := func(title string, start, end int) exerciseJSON {
		e.clock.Advance(time.Second)
		return e.createExercise(tk.AccessToken, study.ID, map[string]any{"title": title, "page_start": start, "page_end": end})
	}
	a := mk("A 1-4", 1, 4)
	mk("B 3-3", 3, 3)
	mk("C 3-10", 3, 10)
	mk("D 11-12", 11, 12)

	titles := func(path string) string {
		var l struct {
			Items []exerciseJSON `json:"items"`
		}
		e.do("GET", path, nil, auth).must(t, http.StatusOK).decode(t, &l)
		var out []string
		for _, x := range l.Items {
			out = append(out, x.Title)
		}
		return strings.Join(out, ",")
	}
	cases := map[int]string{1: "A 1-4", 3: "B 3-3,A 1-4,C 3-10", 4: "A 1-4,C 3-10", 10: "C 3-10", 11: "D 11-12", 13: "", 23: ""}
	for page, want := range cases {
		if got := titles(fmt.Sprintf("/api/v1/pdfs/%s/pages/%d/exercises", study.ID, page)); got != want {
			t.Errorf("page %d: %q, want %q", page, got, want)
		}
	}
	for _, n := range []string{"0", "24", "x", "-1"} {
		e.do("GET", "/api/v1/pdfs/"+study.ID+"/pages/"+n+"/exercises", nil, auth).must(t, http.StatusUnprocessableEntity)
	}
	if got := titles("/api/v1/pdfs/" + study.ID + "/exercises"); got != "A 1-4,B 3-3,C 3-10,D 11-12" {
		t.Fatalf("page order: %s", got)
	}
	if got := titles("/api/v1/pdfs/" + study.ID + "/exercises?limit=2"); got != "A 1-4,B 3-3" {
		t.Fatalf("first page: %s", got)
	}
	e.do("POST", "/api/v1/exercises/"+a.ID+"/complete", map[string]any{"score": 80}, auth).must(t, http.StatusOK)
	if got := titles("/api/v1/pdfs/" + study.ID + "/exercises?status=done"); got != "A 1-4" {
		t.Fatalf("done: %s", got)
	}
	if got := titles("/api/v1/pdfs/" + study.ID + "/exercises?status=todo"); got != "B 3-3,C 3-10,D 11-12" {
		t.Fatalf("todo: %s", got)
	}
	e.do("GET", "/api/v1/pdfs/"+study.ID+"/exercises?status=finished", nil, auth).must(t, http.StatusUnprocessableEntity)
	if got := titles("/api/v1/exercises"); got != "D 11-12,C 3-10,B 3-3,A 1-4" {
		t.Fatalf("across PDFs, newest first: %s", got)
	}
	_ = sheet
}

func TestExerciseStatusTransitions(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tk, study, _ := exerciseLibrary(t, e)
	auth := withToken(tk.AccessToken)
	ex := e.createExercise(tk.AccessToken, study.ID, map[string]any{"title": "Channels", "page_start": 8})
	url := "/api/v1/exercises/" + ex.ID

	var got exerciseJSON
	e.do("PATCH", url, map[string]any{"status": "in_progress"}, auth).must(t, http.StatusOK).decode(t, &got)
	if got.Status != "in_progress" {
		t.Fatalf("patch status: %+v", got)
	}
	if f := e.do("PATCH", url, map[string]any{"status": "done"}, auth).must(t, http.StatusUnprocessableEntity).errorBody(t).Fields; !strings.Contains(f["status"], "/complete") {
		t.Fatalf("done through PATCH: %v", f)
	}
	e.do("PATCH", url, map[string]any{"status": "finished"}, auth).must(t, http.StatusUnprocessableEntity)
	if code := e.do("POST", url+"/reopen", nil, auth).must(t, http.StatusConflict).errorBody(t).Code; code != "exercise_not_done" {
		t.Fatalf("reopen an open exercise: %s", code)
	}
	for _, bad := range []any{-1, 101, "90"} {
		r := e.do("POST", url+"/complete", map[string]any{"score": bad}, auth)
		if r.Status != http.StatusUnprocessableEntity && r.Status != http.StatusBadRequest {
			t.Fatalf("score %v: %d", bad, r.Status)
		}
	}
	e.clock.Advance(time.Minute)
	e.do("POST", url+"/complete", map[string]any{"score": 75}, auth).must(t, http.StatusOK).decode(t, &got)
	if got.Status != "done" || got.Score == nil || *got.Score != 75 || got.CompletedAt == nil {
		t.Fatalf("complete: %+v", got)
	}
	if f := e.do("PATCH", url, map[string]any{"status": "todo"}, auth).must(t, http.StatusUnprocessableEntity).errorBody(t).Fields; !strings.Contains(f["status"], "reopen") {
		t.Fatalf("PATCH a done exercise back: %v", f)
	}
	// Completing again updates the score; without a body there is no score.
	e.do("POST", url+"/complete", nil, auth).must(t, http.StatusOK).decode(t, &got)
	if got.Score != nil || got.Status != "done" {
		t.Fatalf("complete without score: %+v", got)
	}
	e.do("POST", url+"/reopen", nil, auth).must(t, http.StatusOK).decode(t, &got)
	if got.Status != "todo" || got.Score != nil || got.CompletedAt != nil {
		t.Fatalf("reopen: %+v", got)
	}
	// Other fields.
	e.do("PATCH", url, map[string]any{"title": "Select", "difficulty": 1, "page_start": 2, "page_end": 4, "description": "why"}, auth).must(t, http.StatusOK).decode(t, &got)
	if got.Title != "Select" || got.Difficulty != 1 || got.PageStart != 2 || got.PageEnd != 4 {
		t.Fatalf("patch fields: %+v", got)
	}
	e.do("PATCH", url, map[string]any{"page_start": 5}, auth).must(t, http.StatusUnprocessableEntity) // 5 > page_end 4
	e.do("PATCH", url, map[string]any{"page_end": 24}, auth).must(t, http.StatusUnprocessableEntity)
	e.do("DELETE", url, nil, auth).must(t, http.StatusNoContent)
	e.do("GET", url, nil, auth).must(t, http.StatusNotFound)
	e.do("DELETE", url, nil, auth).must(t, http.StatusNotFound)
}

// TestExercisePDFDeletion: deleting the study PDF deletes its exercises;
// deleting the exercise PDF only unlinks it.
func TestExercisePDFDeletion(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tk, study, sheet := exerciseLibrary(t, e)
	auth := withToken(tk.AccessToken)
	linked := e.createExercise(tk.AccessToken, study.ID, map[string]any{"title": "Linked", "page_start": 2, "page_end": 6,
		"exercise_pdf_id": sheet.ID, "exercise_page_start": 4, "exercise_page_end": 5})

	e.do("DELETE", "/api/v1/pdfs/"+sheet.ID, nil, auth).must(t, http.StatusNoContent)
	var got exerciseJSON
	e.do("GET", "/api/v1/exercises/"+linked.ID, nil, auth).must(t, http.StatusOK).decode(t, &got)
	if got.ExercisePDFID != nil || got.PageStart != 2 || got.PageEnd != 6 {
		t.Fatalf("after deleting the exercise PDF: %+v", got)
	}
	// Relink to another exercise PDF, then unlink with null.
	other := e.uploadOK(tk.AccessToken, testpdf.CorpusFile(t, "T6.pdf"), map[string]string{"kind": "exercise"})
	e.do("PATCH", "/api/v1/exercises/"+linked.ID, map[string]any{"exercise_pdf_id": other.ID, "exercise_page_start": 2}, auth).must(t, http.StatusOK).decode(t, &got)
	if got.ExercisePDFID == nil || *got.ExercisePageStart != 2 || *got.ExercisePageEnd != 2 {
		t.Fatalf("relinked: %+v", got)
	}
	e.do("PATCH", "/api/v1/exercises/"+linked.ID, map[string]any{"exercise_page_end": 11}, auth).must(t, http.StatusOK).decode(t, &got)
	if *got.ExercisePageStart != 2 || *got.ExercisePageEnd != 11 {
		t.Fatalf("exercise range end: %+v", got)
	}
	e.do("PATCH", "/api/v1/exercises/"+linked.ID, map[string]any{"exercise_pdf_id": nil}, auth).must(t, http.StatusOK).decode(t, &got)
	if got.ExercisePDFID != nil || got.ExercisePageStart != nil {
		t.Fatalf("unlinked: %+v", got)
	}

	e.do("DELETE", "/api/v1/pdfs/"+study.ID, nil, auth).must(t, http.StatusNoContent)
	e.do("GET", "/api/v1/exercises/"+linked.ID, nil, auth).must(t, http.StatusNotFound)
}

// TestExerciseCounts: topic (over the subtree) and PDF answers count
// exercises and how many are done.
func TestExerciseCounts(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tk, _ := e.register()
	auth := withToken(tk.AccessToken)
	course := e.createTopic(tk.AccessToken, map[string]any{"name": "Course"})
	unit := e.createTopic(tk.AccessToken, map[string]any{"name": "Unit", "parent_id": course.ID})
	p1 := e.uploadOK(tk.AccessToken, testpdf.CorpusFile(t, "go.pdf"), map[string]string{"topic_id": course.ID})
	p2 := e.uploadOK(tk.AccessToken, testpdf.CorpusFile(t, "golang.pdf"), map[string]string{"topic_id": unit.ID})
	e.createExercise(tk.AccessToken, p1.ID, map[string]any{"title": "a", "page_start": 1})
	done := e.createExercise(tk.AccessToken, p1.ID, map[string]any{"title": "b", "page_start": 2})
	e.createExercise(tk.AccessToken, p2.ID, map[string]any{"title": "c", "page_start": 3})
	e.do("POST", "/api/v1/exercises/"+done.ID+"/complete", nil, auth).must(t, http.StatusOK)

	var pdf struct {
		ExerciseCount int `json:"exercise_count"`
		ExercisesDone int `json:"exercises_done"`
	}
	e.do("GET", "/api/v1/pdfs/"+p1.ID, nil, auth).must(t, http.StatusOK).decode(t, &pdf)
	if pdf.ExerciseCount != 2 || pdf.ExercisesDone != 1 {
		t.Fatalf("pdf counts: %+v", pdf)
	}
	var topic struct {
		ExerciseCount int `json:"exercise_count"`
		ExercisesDone int `json:"exercises_done"`
	}
	e.do("GET", "/api/v1/topics/"+course.ID, nil, auth).must(t, http.StatusOK).decode(t, &topic)
	if topic.ExerciseCount != 3 || topic.ExercisesDone != 1 {
		t.Fatalf("course counts over the subtree: %+v", topic)
	}
	e.do("GET", "/api/v1/topics/"+unit.ID, nil, auth).must(t, http.StatusOK).decode(t, &topic)
	if topic.ExerciseCount != 1 || topic.ExercisesDone != 0 {
		t.Fatalf("unit counts: %+v", topic)
	}
	var list struct {
		Items []exerciseJSON `json:"items"`
	}
	e.do("GET", "/api/v1/exercises?topic_id="+unit.ID, nil, auth).must(t, http.StatusOK).decode(t, &list)
	if len(list.Items) != 1 || list.Items[0].Title != "c" {
		t.Fatalf("exercises of the unit: %+v", list.Items)
	}
	e.do("GET", "/api/v1/exercises?topic_id="+course.ID+"&status=done", nil, auth).must(t, http.StatusOK).decode(t, &list)
	if len(list.Items) != 1 || list.Items[0].Title != "b" {
		t.Fatalf("done exercises of the course subtree: %+v", list.Items)
	}
	e.do("GET", "/api/v1/exercises?topic_id=nope", nil, auth).must(t, http.StatusUnprocessableEntity)
}

func TestExerciseOwnership(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner, study, sheet := exerciseLibrary(t, e)
	intruder, _ := e.register()
	theirStudy := e.uploadOK(intruder.AccessToken, testpdf.CorpusFile(t, "T4.pdf"), nil)
	ex := e.createExercise(owner.AccessToken, study.ID, map[string]any{"title": "Mine", "page_start": 1})
	auth := withToken(intruder.AccessToken)
	for _, c := range []struct {
		method, path string
		body         any
	}{
		{"GET", "/api/v1/exercises/" + ex.ID, nil},
		{"PATCH", "/api/v1/exercises/" + ex.ID, map[string]any{"title": "Stolen"}},
		{"DELETE", "/api/v1/exercises/" + ex.ID, nil},
		{"POST", "/api/v1/exercises/" + ex.ID + "/complete", nil},
		{"POST", "/api/v1/exercises/" + ex.ID + "/reopen", nil},
		{"GET", "/api/v1/pdfs/" + study.ID + "/exercises", nil},
		{"POST", "/api/v1/pdfs/" + study.ID + "/exercises", map[string]any{"title": "x", "page_start": 1}},
		{"GET", "/api/v1/pdfs/" + study.ID + "/pages/1/exercises", nil},
	} {
		e.do(c.method, c.path, c.body, auth).must(t, http.StatusNotFound)
	}
	// Linking one's exercise to another user's exercise PDF: unknown.
	if f := e.do("POST", "/api/v1/pdfs/"+theirStudy.ID+"/exercises", map[string]any{"title": "x", "page_start": 1, "exercise_pdf_id": sheet.ID}, auth).
		must(t, http.StatusUnprocessableEntity).errorBody(t).Fields; f["exercise_pdf_id"] == "" {
		t.Fatal("linked another user's exercise PDF")
	}
	var list struct {
		Items []exerciseJSON `json:"items"`
	}
	e.do("GET", "/api/v1/exercises", nil, auth).must(t, http.StatusOK).decode(t, &list)
	if len(list.Items) != 0 {
		t.Fatalf("intruder lists %d exercises", len(list.Items))
	}
	var got exerciseJSON
	e.do("GET", "/api/v1/exercises/"+ex.ID, nil, withToken(owner.AccessToken)).must(t, http.StatusOK).decode(t, &got)
	if got.Title != "Mine" || got.Status != "todo" {
		t.Fatalf("owner's exercise changed: %+v", got)
	}
}
