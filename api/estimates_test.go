package api_test

import (
	"fmt"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/studysprint/studysprint/internal/analytics"
	"github.com/studysprint/studysprint/internal/testpdf"
)

type estimateJSON struct {
	RemainingPages   int     `json:"remaining_pages"`
	SecondsPerPage   float64 `json:"seconds_per_page"`
	RemainingSeconds int64   `json:"remaining_seconds"`
	LowSeconds       int64   `json:"low_seconds"`
	HighSeconds      int64   `json:"high_seconds"`
	Confidence       string  `json:"confidence"`
	Basis            string  `json:"basis"`
	FinishDate       *string `json:"projected_finish_date"`
	FinishReason     *string `json:"projected_finish_reason"`
	Parts            []struct {
		Kind             string  `json:"kind"`
		ID               string  `json:"id"`
		PDFID            string  `json:"pdf_id"`
		Title            string  `json:"title"`
		RemainingPages   int     `json:"remaining_pages"`
		SecondsPerPage   float64 `json:"seconds_per_page"`
		RemainingSeconds int64   `json:"remaining_seconds"`
		Basis            string  `json:"basis"`
	} `json:"parts"`
}

type accuracyJSON struct {
	Count      int64    `json:"count"`
	InProgress int64    `json:"in_progress"`
	MdAPE      *float64 `json:"median_absolute_error_percent"`
	Bias       *float64 `json:"bias_percent"`
	Inside     *float64 `json:"inside_interval_percent"`
	TopicID    *string  `json:"topic_id"`
	TopicName  *string  `json:"topic_name"`
}

func (e *env) estimate(token, path string) estimateJSON {
	e.t.Helper()
	var out estimateJSON
	e.do("GET", "/api/v1/estimates/"+path, nil, withToken(token)).must(e.t, http.StatusOK).decode(e.t, &out)
	return out
}

// topicPDF uploads a PDF of n pages into a topic ("" for none); salt makes
// its bytes its own.
func (e *env) topicPDF(token string, n, salt int, topic string) pdfJSON {
	e.t.Helper()
	path := filepath.Join(e.t.TempDir(), fmt.Sprintf("p%d-%d.pdf", n, salt))
	if err := testpdf.WriteSynthetic(path, n, 100+salt); err != nil {
		e.t.Fatal(err)
	}
	fields := map[string]string{}
	if topic != "" {
		fields["topic_id"] = topic
	}
	e.clock.Advance(time.Second) // parts come in the order the PDFs were added
	return e.uploadOK(token, path, fields)
}

// read runs a timer session at `at` that reads pages from..to of a PDF (or
// of an exercise's PDF), secs seconds each, and stops.
func (e *env) read(token string, target map[string]any, at time.Time, from, to int, secs time.Duration) sessionJSON {
	e.t.Helper()
	body := map[string]any{"start_page": from, "started_at": at.Format(time.RFC3339)}
	for k, v := range target {
		body[k] = v
	}
	s := e.startSession(token, body)
	var evs []ev
	for p := from + 1; p <= to; p++ {
		evs = append(evs, page(p, time.Duration(p-from)*secs))
	}
	evs = append(evs, stop(time.Duration(to-from+1)*secs))
	return e.sendEvents(token, s.ID, at, evs...).Session
}

// TestEstimateEndpoints (issue 12): a PDF's, a topic's and the library's
// estimates as real timer events come in — the default prior first, then
// the student's pace, their pace in the topic and the PDF's own pages, with
// the interval narrowing; a topic and the library are the sums of their
// parts; a PDF with no pages left; the projected finish in the student's
// time zone; other students' objects are 404; and the accuracy report after
// finishing a PDF and an exercise.
func TestEstimateEndpoints(t *testing.T) {
	t.Parallel()
	// 20:00 UTC is 09:00 the next day in Auckland (NZDT, +13).
	clock := &fakeClock{t: time.Date(2026, time.December, 10, 20, 0, 0, 0, time.UTC)}
	e := newEnvWith(t, envConfig{clock: clock})
	tk, _ := e.register()
	a := tk.AccessToken
	e.do("PATCH", "/api/v1/auth/me", map[string]any{"timezone": "Pacific/Auckland"}, withToken(a)).must(t, http.StatusOK)
	auckland, err := time.LoadLocation("Pacific/Auckland")
	if err != nil {
		t.Fatal(err)
	}
	today := analytics.DateOf(clock.Now(), auckland)
	if today.String() != "2026-12-11" {
		t.Fatalf("today in Auckland: %s", today)
	}
	topic := e.createTopic(a, map[string]any{"name": "Algebra"}).ID
	sub := e.createTopic(a, map[string]any{"name": "Groups", "parent_id": topic}).ID
	other := e.createTopic(a, map[string]any{"name": "History"}).ID
	book := e.topicPDF(a, 20, 1, topic)
	notes := e.topicPDF(a, 30, 2, sub)
	essay := e.topicPDF(a, 8, 3, other)
	loose := e.topicPDF(a, 5, 4, "")
	var ex struct{ ID string }
	e.do("POST", "/api/v1/pdfs/"+book.ID+"/exercises", map[string]any{"title": "Problems", "page_start": 3, "page_end": 4}, withToken(a)).
		must(t, http.StatusCreated).decode(t, &ex)

	// A new student: the default prior, no recent study.
	first := e.estimate(a, "pdfs/"+book.ID)
	if first.Basis != "default" || first.Confidence != "low" || first.RemainingPages != 20 || first.RemainingSeconds != 20*90 ||
		first.SecondsPerPage != 90 || first.FinishDate != nil || first.FinishReason == nil || *first.FinishReason != "no_recent_study" {
		t.Fatalf("before any reading: %+v", first)
	}

	// Yesterday in Auckland (from 03:00), the student reads the whole essay
	// at 60 s a page: it is done, and the book's estimate is the student's pace.
	day := clock.Now().Add(-30 * time.Hour)
	active := map[string]int64{}
	s := e.read(a, map[string]any{"pdf_id": essay.ID}, day, 1, 8, 60*time.Second)
	active["essay"] = s.ActiveSeconds
	done := e.estimate(a, "pdfs/"+essay.ID)
	if done.RemainingPages != 0 || done.RemainingSeconds != 0 || done.Basis != "pdf" || done.Confidence != "high" ||
		done.FinishDate == nil || *done.FinishDate != today.String() || done.FinishReason != nil {
		t.Fatalf("a PDF with no pages left: %+v", done)
	}
	user := e.estimate(a, "pdfs/"+book.ID)
	if user.Basis != "user" || user.SecondsPerPage >= 90 || user.RemainingPages != 20 {
		t.Fatalf("after reading elsewhere: %+v", user)
	}

	// Then most of the notes in the book's topic (a subtopic), slower.
	s = e.read(a, map[string]any{"pdf_id": notes.ID}, day.Add(time.Hour), 1, 28, 100*time.Second)
	active["notes"] = s.ActiveSeconds
	inTopic := e.estimate(a, "pdfs/"+book.ID)
	if inTopic.Basis != "topic" || inTopic.SecondsPerPage <= user.SecondsPerPage {
		t.Fatalf("after reading in the topic: %+v (before %+v)", inTopic, user)
	}

	// Then half of the book itself: its own pages dominate, the interval narrows.
	s = e.read(a, map[string]any{"pdf_id": book.ID}, day.Add(2*time.Hour), 1, 10, 80*time.Second)
	active["book"] = s.ActiveSeconds
	own := e.estimate(a, "pdfs/"+book.ID)
	width := func(x estimateJSON) float64 { return float64(x.HighSeconds-x.LowSeconds) / float64(x.RemainingSeconds) }
	if own.Basis != "pdf" || own.RemainingPages != 10 || own.Confidence == "low" || width(own) >= width(user) || width(user) >= width(first) {
		t.Fatalf("after reading the book: %+v (widths %.2f, %.2f, %.2f)", own, width(first), width(user), width(own))
	}
	// Finished at the recent pace, counted in Auckland's days.
	recent := []analytics.Day{{Date: today.AddDays(-1), Seconds: active["essay"] + active["notes"] + active["book"]}}
	want, reason := analytics.ProjectFinish(float64(own.RemainingSeconds), recent, analytics.Day{Date: today})
	if want == nil || reason != "" || own.FinishDate == nil || *own.FinishDate != want.String() {
		t.Fatalf("projected %v %v, want %v", own.FinishDate, own.FinishReason, want)
	}

	// The topic: the book's and the notes' pages left and the open exercise.
	tp := e.estimate(a, "topics/"+topic)
	if len(tp.Parts) != 3 || tp.Parts[0].ID != book.ID || tp.Parts[1].ID != notes.ID || tp.Parts[2].Kind != "exercise" || tp.Parts[2].ID != ex.ID ||
		tp.Parts[2].PDFID != book.ID || tp.Parts[2].RemainingPages != 2 || tp.Parts[0].RemainingSeconds != own.RemainingSeconds {
		t.Fatalf("topic parts: %+v", tp.Parts)
	}
	sumOf := func(x estimateJSON) (secs int64, pages int) {
		for _, p := range x.Parts {
			secs += p.RemainingSeconds
			if p.Kind == "pdf" {
				pages += p.RemainingPages
			}
		}
		return secs, pages
	}
	if secs, pages := sumOf(tp); tp.RemainingSeconds != secs || tp.RemainingPages != pages || pages != 10+2 ||
		tp.LowSeconds > secs || tp.HighSeconds < secs || tp.FinishDate == nil {
		t.Fatalf("topic total %+v, parts %d s, %d pages", tp, secs, pages)
	}
	if sp := e.estimate(a, "topics/"+sub); len(sp.Parts) != 1 || sp.Parts[0].ID != notes.ID || sp.RemainingPages != 2 {
		t.Fatalf("subtopic: %+v", sp)
	}
	lib := e.estimate(a, "library")
	ids := []string{}
	for _, p := range lib.Parts {
		ids = append(ids, p.ID)
	}
	if fmt.Sprint(ids) != fmt.Sprint([]string{book.ID, notes.ID, loose.ID, ex.ID}) {
		t.Fatalf("library parts %v", ids)
	}
	if secs, pages := sumOf(lib); lib.RemainingSeconds != secs || lib.RemainingPages != pages || pages != 10+2+5 {
		t.Fatalf("library total %+v, parts %d s, %d pages", lib, secs, pages)
	}

	// Another student sees none of it.
	tk2, _ := e.register()
	for _, path := range []string{"pdfs/" + book.ID, "topics/" + topic, "pdfs/00000000-0000-4000-8000-000000000000", "pdfs/not-an-id"} {
		e.do("GET", "/api/v1/estimates/"+path, nil, withToken(tk2.AccessToken)).must(t, http.StatusNotFound)
	}
	if l := e.estimate(tk2.AccessToken, "library"); len(l.Parts) != 0 || l.RemainingSeconds != 0 {
		t.Fatalf("another student's library: %+v", l)
	}

	// Accuracy: the essay's estimate at its first session was the default
	// (8 × 90 s) and it took 8 × 60 s; the exercise's was the default (2
	// pages at difficulty 3: 480 s) and it takes 300 s.
	s = e.read(a, map[string]any{"exercise_id": ex.ID}, day.Add(3*time.Hour), 3, 3, 300*time.Second)
	e.do("POST", "/api/v1/exercises/"+ex.ID+"/complete", map[string]any{"score": 80}, withToken(a)).must(t, http.StatusOK)
	var acc struct {
		Overall accuracyJSON   `json:"overall"`
		Topics  []accuracyJSON `json:"topics"`
	}
	e.do("GET", "/api/v1/analytics/estimate-accuracy", nil, withToken(a)).must(t, http.StatusOK).decode(t, &acc)
	o := acc.Overall
	// Open: the notes and the book (their first sessions recorded them).
	if o.Count != 2 || o.InProgress != 2 || o.MdAPE == nil || *o.MdAPE != 55 || *o.Bias != 55 {
		t.Fatalf("overall accuracy: %+v", o)
	}
	// The notes were started in the subtopic.
	if len(acc.Topics) != 3 || *acc.Topics[0].TopicName != "Algebra" || acc.Topics[0].Count != 1 || *acc.Topics[0].MdAPE != 60 ||
		acc.Topics[0].InProgress != 1 || *acc.Topics[1].TopicName != "Groups" || acc.Topics[1].Count != 0 || acc.Topics[1].MdAPE != nil ||
		acc.Topics[1].InProgress != 1 || *acc.Topics[2].TopicName != "History" || *acc.Topics[2].Bias != 50 || *acc.Topics[2].Inside != 100 {
		t.Fatalf("per topic: %+v", acc.Topics)
	}
	e.do("GET", "/api/v1/analytics/estimate-accuracy", nil, withToken(tk2.AccessToken)).must(t, http.StatusOK).decode(t, &acc)
	if acc.Overall.Count != 0 || acc.Overall.MdAPE != nil || len(acc.Topics) != 0 {
		t.Fatalf("another student's accuracy: %+v", acc)
	}
}
