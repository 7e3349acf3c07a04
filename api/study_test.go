package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/studysprint/studysprint/internal/auth"
	"github.com/studysprint/studysprint/internal/testpdf"
)

type sessionJSON struct {
	ID            string  `json:"id"`
	PDFID         string  `json:"pdf_id"`
	ExerciseID    *string `json:"exercise_id"`
	Status        string  `json:"status"`
	EndedReason   *string `json:"ended_reason"`
	StartedAt     string  `json:"started_at"`
	EndedAt       *string `json:"ended_at"`
	LastEventAt   string  `json:"last_event_at"`
	ActiveSeconds int64   `json:"active_seconds"`
	PausedSeconds int64   `json:"paused_seconds"`
	IdleSeconds   int64   `json:"idle_seconds"`
	BreakSeconds  int64   `json:"break_seconds"`
	CurrentPage   *int32  `json:"current_page"`
	PagesVisited  int     `json:"pages_visited"`
	PagesRead     int     `json:"pages_read"`
	Events        int     `json:"events"`
	Pomodoro      bool    `json:"pomodoro"`
	Phase         *string `json:"phase"`
	Cycle         *int    `json:"cycle"`
	SecondsLeft   *int64  `json:"seconds_left_in_phase"`
}

type eventsResult struct {
	Accepted   []string `json:"accepted"`
	Duplicates []string `json:"duplicates"`
	Rejected   []struct {
		ID     string `json:"id"`
		Reason string `json:"reason"`
	} `json:"rejected"`
	Session sessionJSON `json:"session"`
}

// ev is an event a client sends; at is an offset from the test's t0.
type ev struct {
	id   uuid.UUID
	typ  string
	page int
	at   time.Duration
}

func (e ev) body(t0 time.Time) map[string]any {
	m := map[string]any{"id": e.id, "type": e.typ, "at": t0.Add(e.at).UTC().Format(time.RFC3339Nano)}
	if e.page != 0 {
		m["page"] = e.page
	}
	return m
}

func page(n int, at time.Duration) ev { return ev{uuid.New(), "page", n, at} }
func beat(at time.Duration) ev        { return ev{uuid.New(), "heartbeat", 0, at} }
func pause(at time.Duration) ev       { return ev{uuid.New(), "pause", 0, at} }
func resume(at time.Duration) ev      { return ev{uuid.New(), "resume", 0, at} }
func stop(at time.Duration) ev        { return ev{uuid.New(), "stop", 0, at} }

// studyPDF uploads a PDF of n pages for the user.
func (e *env) studyPDF(token string, n int) pdfJSON {
	e.t.Helper()
	path := filepath.Join(e.t.TempDir(), fmt.Sprintf("pages-%d.pdf", n))
	if err := testpdf.WriteSynthetic(path, n, 100); err != nil {
		e.t.Fatal(err)
	}
	return e.uploadOK(token, path, nil)
}

func (e *env) startSession(token string, body map[string]any) sessionJSON {
	e.t.Helper()
	var s sessionJSON
	e.do("POST", "/api/v1/study-sessions", body, withToken(token)).must(e.t, http.StatusCreated).decode(e.t, &s)
	return s
}

func (e *env) sendEvents(token, sessionID string, t0 time.Time, events ...ev) eventsResult {
	e.t.Helper()
	list := make([]map[string]any, len(events))
	for i, x := range events {
		list[i] = x.body(t0)
	}
	var r eventsResult
	e.do("POST", "/api/v1/study-sessions/"+sessionID+"/events", map[string]any{"events": list}, withToken(token)).must(e.t, http.StatusOK).decode(e.t, &r)
	return r
}

func (e *env) session(token, id string) sessionJSON {
	e.t.Helper()
	var s sessionJSON
	e.do("GET", "/api/v1/study-sessions/"+id, nil, withToken(token)).must(e.t, http.StatusOK).decode(e.t, &s)
	return s
}

// pageSeconds is page_stats for a PDF: page -> seconds_read (pages with any).
func (e *env) pageSeconds(pdfID string) map[int]int {
	e.t.Helper()
	rows, err := e.pool.Query(context.Background(), `SELECT page, seconds_read FROM page_stats WHERE pdf_id = $1 AND seconds_read > 0`, pdfID)
	if err != nil {
		e.t.Fatal(err)
	}
	defer rows.Close()
	out := map[int]int{}
	for rows.Next() {
		var p, s int
		if err := rows.Scan(&p, &s); err != nil {
			e.t.Fatal(err)
		}
		out[p] = s
	}
	return out
}

func sec(d time.Duration) time.Duration { return d * time.Second }

// TestStudySessionLifecycle: start, events, stop; the derived numbers, the
// PDF's statistics and current page, and the per-page breakdown.
func TestStudySessionLifecycle(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tk, _ := e.register()
	pdf := e.studyPDF(tk.AccessToken, 10)
	t0 := e.clock.Now().Add(-10 * time.Minute)
	s := e.startSession(tk.AccessToken, map[string]any{"pdf_id": pdf.ID, "start_page": 1, "started_at": t0.Format(time.RFC3339)})
	if s.Status != "running" || s.CurrentPage == nil || *s.CurrentPage != 1 {
		t.Fatalf("started: %+v", s)
	}
	r := e.sendEvents(tk.AccessToken, s.ID, t0, page(2, sec(10)), beat(sec(60)), page(3, sec(120)), page(4, sec(122)), page(5, sec(130)), stop(sec(200)))
	if len(r.Accepted) != 6 || len(r.Rejected) != 0 {
		t.Fatalf("batch: %+v", r)
	}
	got := r.Session
	if got.Status != "ended" || *got.EndedReason != "stopped" || got.ActiveSeconds != 200 || got.PausedSeconds+got.IdleSeconds+got.BreakSeconds != 0 {
		t.Fatalf("after stop: %+v", got)
	}
	// Page 3 was a 2-second skim: visited, not read.
	if got.PagesVisited != 5 || got.PagesRead != 4 || *got.CurrentPage != 5 {
		t.Fatalf("pages: %+v", got)
	}
	if ps := e.pageSeconds(pdf.ID); fmt.Sprint(ps) != fmt.Sprint(map[int]int{1: 10, 2: 110, 4: 8, 5: 70}) {
		t.Fatalf("page_stats %v", ps)
	}
	var p pdfJSON
	e.do("GET", "/api/v1/pdfs/"+pdf.ID, nil, withToken(tk.AccessToken)).must(t, http.StatusOK).decode(t, &p)
	if p.PagesRead != 4 || p.StudySeconds != 198 || p.CurrentPage != 5 {
		t.Fatalf("pdf after the session: read %d, seconds %d, current %d", p.PagesRead, p.StudySeconds, p.CurrentPage)
	}
	var pages struct {
		Items []struct {
			Page    int  `json:"page"`
			Seconds int  `json:"seconds"`
			Visits  int  `json:"visits"`
			Read    bool `json:"read"`
		} `json:"items"`
	}
	e.do("GET", "/api/v1/study-sessions/"+s.ID+"/pages", nil, withToken(tk.AccessToken)).must(t, http.StatusOK).decode(t, &pages)
	// Every visited page, the skimmed one with read false.
	if len(pages.Items) != 5 || pages.Items[2].Page != 3 || pages.Items[2].Read || pages.Items[2].Seconds != 0 || pages.Items[3].Seconds != 8 || pages.Items[4].Seconds != 70 || !pages.Items[1].Read {
		t.Fatalf("breakdown: %+v", pages.Items)
	}
	e.do("GET", "/api/v1/study-sessions/current", nil, withToken(tk.AccessToken)).must(t, http.StatusNotFound)
	var upd sessionJSON
	e.do("PATCH", "/api/v1/study-sessions/"+s.ID, map[string]any{"notes": "chapter 1", "rating": 4}, withToken(tk.AccessToken)).must(t, http.StatusOK).decode(t, &upd)
	e.do("PATCH", "/api/v1/study-sessions/"+s.ID, map[string]any{"rating": 9}, withToken(tk.AccessToken)).must(t, http.StatusUnprocessableEntity)
}

// TestStudyEventsIdempotent: a resent batch changes nothing (duplicates); the
// same id with other content is a conflicting duplicate. Ids are unique
// within their session.
func TestStudyEventsIdempotent(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tk, _ := e.register()
	pdf := e.studyPDF(tk.AccessToken, 5)
	t0 := e.clock.Now().Add(-time.Hour)
	s := e.startSession(tk.AccessToken, map[string]any{"pdf_id": pdf.ID, "start_page": 1, "started_at": t0.Format(time.RFC3339)})
	batch := []ev{page(2, sec(30)), beat(sec(90)), page(3, sec(150))}
	first := e.sendEvents(tk.AccessToken, s.ID, t0, batch...)
	again := e.sendEvents(tk.AccessToken, s.ID, t0, batch...)
	if len(again.Accepted) != 0 || len(again.Duplicates) != 3 || again.Session.ActiveSeconds != first.Session.ActiveSeconds || again.Session.Events != 3 {
		t.Fatalf("resent: %+v (first %+v)", again, first.Session)
	}
	changed := batch[0]
	changed.page = 4
	r := e.sendEvents(tk.AccessToken, s.ID, t0, changed)
	if len(r.Rejected) != 1 || r.Rejected[0].Reason != "conflicting_duplicate" {
		t.Fatalf("changed content: %+v", r)
	}
	if n := e.count(`SELECT count(*) FROM study_events WHERE session_id = $1`, s.ID); n != 3 {
		t.Fatalf("%d events stored", n)
	}
}

// TestStudyEventsAnyOrder: events applied late and out of order give the
// same numbers as in order, in the session and in page_stats.
func TestStudyEventsAnyOrder(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	t0 := e.clock.Now().Add(-3 * time.Hour)
	events := []ev{page(2, sec(40)), beat(sec(100)), pause(sec(130)), resume(sec(400)), page(3, sec(420)),
		beat(sec(500)), page(1, sec(560)), page(4, sec(600)), beat(sec(1300)), page(5, sec(1400)), stop(sec(1500))}
	run := func(order func([]ev) [][]ev) (sessionJSON, map[int]int) {
		tk, _ := e.register()
		pdf := e.studyPDF(tk.AccessToken, 6)
		s := e.startSession(tk.AccessToken, map[string]any{"pdf_id": pdf.ID, "start_page": 1, "started_at": t0.Format(time.RFC3339)})
		for _, b := range order(events) {
			e.sendEvents(tk.AccessToken, s.ID, t0, b...)
		}
		return e.session(tk.AccessToken, s.ID), e.pageSeconds(pdf.ID)
	}
	inOrder, pagesInOrder := run(func(es []ev) [][]ev { return [][]ev{es} })
	reversed, pagesReversed := run(func(es []ev) [][]ev {
		var out [][]ev
		for i := len(es) - 1; i >= 0; i-- {
			out = append(out, []ev{es[i]})
		}
		return out
	})
	shuffled, pagesShuffled := run(func(es []ev) [][]ev {
		return [][]ev{{es[5], es[1], es[9]}, {es[0], es[10]}, {es[3], es[2], es[8], es[4]}, {es[7], es[6]}}
	})
	for _, got := range []sessionJSON{reversed, shuffled} {
		if got.ActiveSeconds != inOrder.ActiveSeconds || got.PausedSeconds != inOrder.PausedSeconds || got.IdleSeconds != inOrder.IdleSeconds ||
			got.PagesRead != inOrder.PagesRead || *got.CurrentPage != *inOrder.CurrentPage || got.Status != inOrder.Status {
			t.Fatalf("out of order %+v, in order %+v", got, inOrder)
		}
	}
	if fmt.Sprint(pagesReversed) != fmt.Sprint(pagesInOrder) || fmt.Sprint(pagesShuffled) != fmt.Sprint(pagesInOrder) {
		t.Fatalf("page_stats: in order %v, reversed %v, shuffled %v", pagesInOrder, pagesReversed, pagesShuffled)
	}
	// 1500 s of wall time: 270 s paused, the 700 s gap counts 300 s active and 400 s idle.
	if inOrder.ActiveSeconds+inOrder.PausedSeconds+inOrder.IdleSeconds != 1500 || inOrder.PausedSeconds != 270 || inOrder.IdleSeconds != 400 {
		t.Fatalf("in order: %+v", inOrder)
	}
}

// TestStudyEventRejections: each bad event is rejected on its own with its
// reason; the others apply.
func TestStudyEventRejections(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tk, _ := e.register()
	pdf := e.studyPDF(tk.AccessToken, 5)
	t0 := e.clock.Now().Add(-time.Hour)
	s := e.startSession(tk.AccessToken, map[string]any{"pdf_id": pdf.ID, "started_at": t0.Format(time.RFC3339)})
	future, before, high, zero, none, weird, good := beat(time.Hour+3*time.Minute), beat(-time.Second), page(6, sec(5)), page(0, sec(6)), ev{uuid.New(), "page", 0, sec(7)}, ev{uuid.New(), "teleport", 0, sec(8)}, page(2, sec(9))
	r := e.sendEvents(tk.AccessToken, s.ID, t0, future, before, high, zero, none, weird, good, stop(sec(100)))
	want := map[uuid.UUID]string{future.id: "in_future", before.id: "before_start", high.id: "page_out_of_range", zero.id: "page_out_of_range", none.id: "page_out_of_range", weird.id: "unknown_type"}
	if len(r.Accepted) != 2 || len(r.Rejected) != len(want) {
		t.Fatalf("batch: %+v", r)
	}
	for _, rj := range r.Rejected {
		if want[uuid.MustParse(rj.ID)] != rj.Reason {
			t.Fatalf("%s rejected as %s, want %s", rj.ID, rj.Reason, want[uuid.MustParse(rj.ID)])
		}
	}
	late, after := beat(sec(50)), beat(sec(101))
	r = e.sendEvents(tk.AccessToken, s.ID, t0, late, after)
	if len(r.Accepted) != 1 || r.Accepted[0] != late.id.String() || len(r.Rejected) != 1 || r.Rejected[0].Reason != "after_stop" {
		t.Fatalf("after the stop: %+v", r)
	}
}

// TestStudyEventsMalformed: a malformed batch is a 4xx and stores nothing.
func TestStudyEventsMalformed(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tk, _ := e.register()
	pdf := e.studyPDF(tk.AccessToken, 3)
	s := e.startSession(tk.AccessToken, map[string]any{"pdf_id": pdf.ID})
	path := "/api/v1/study-sessions/" + s.ID + "/events"
	now := e.clock.Now().Format(time.RFC3339)
	many := make([]map[string]any, 501)
	for i := range many {
		many[i] = map[string]any{"id": uuid.NewString(), "type": "heartbeat", "at": now}
	}
	ok := map[string]any{"id": uuid.NewString(), "type": "heartbeat", "at": now}
	for _, tc := range []struct {
		body   any
		status int
	}{
		{rawBody(`{"events": {"id": "x"}}`), http.StatusBadRequest},
		{rawBody(`{"events": null}`), http.StatusUnprocessableEntity},
		{rawBody(`{"events": []}`), http.StatusUnprocessableEntity},
		{map[string]any{"events": many}, http.StatusUnprocessableEntity},
		{map[string]any{"events": []any{ok, map[string]any{"id": "not-a-uuid", "type": "page", "page": 1, "at": now}}}, http.StatusUnprocessableEntity},
		{map[string]any{"events": []any{ok, map[string]any{"id": uuid.NewString(), "type": "page", "page": 1, "at": "yesterday"}}}, http.StatusBadRequest},
		{map[string]any{"events": []any{ok, map[string]any{"type": "heartbeat", "at": now}}}, http.StatusUnprocessableEntity},
		{map[string]any{"events": []any{ok, map[string]any{"id": uuid.NewString(), "type": "heartbeat"}}}, http.StatusUnprocessableEntity},
		{map[string]any{"events": []any{ok}, "extra": 1}, http.StatusBadRequest},
	} {
		e.do("POST", path, tc.body, withToken(tk.AccessToken)).must(t, tc.status)
	}
	if n := e.count(`SELECT count(*) FROM study_events WHERE session_id = $1`, s.ID); n != 0 {
		t.Fatalf("%d events stored from malformed batches", n)
	}
}

// TestStudyIdleEndAndReopen: a session nobody hears from for twice the idle
// threshold ends at its last event plus the threshold (when read); late
// events from an offline device reopen it and count.
func TestStudyIdleEndAndReopen(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tk, _ := e.register()
	pdf := e.studyPDF(tk.AccessToken, 8)
	t0 := e.clock.Now()
	s := e.startSession(tk.AccessToken, map[string]any{"pdf_id": pdf.ID, "start_page": 1})
	e.sendEvents(tk.AccessToken, s.ID, t0, page(2, sec(20)))
	e.clock.Advance(9 * time.Minute) // 540 s quiet: under twice 300 s
	if got := e.session(tk.AccessToken, s.ID); got.Status != "running" || got.IdleSeconds != 540-20-300 {
		t.Fatalf("after 9 quiet minutes: %+v", got)
	}
	e.clock.Advance(2 * time.Minute)
	got := e.session(tk.AccessToken, s.ID)
	if got.Status != "ended" || *got.EndedReason != "idle" || got.ActiveSeconds != 320 || got.IdleSeconds != 0 {
		t.Fatalf("after 11 quiet minutes: %+v", got)
	}
	if end, _ := time.Parse(time.RFC3339, *got.EndedAt); !end.Equal(t0.Add(320 * time.Second)) {
		t.Fatalf("ended at %s, want the last event plus the threshold", *got.EndedAt)
	}
	e.do("GET", "/api/v1/study-sessions/current", nil, withToken(tk.AccessToken)).must(t, http.StatusNotFound)
	// The offline device's events arrive now: the student was reading all along.
	r := e.sendEvents(tk.AccessToken, s.ID, t0, beat(sec(200)), page(3, sec(400)), beat(sec(600)))
	if r.Session.Status != "running" || r.Session.EndedAt != nil || *r.Session.CurrentPage != 3 {
		t.Fatalf("late events did not reopen: %+v", r.Session)
	}
	e.do("GET", "/api/v1/study-sessions/current", nil, withToken(tk.AccessToken)).must(t, http.StatusOK)
	if ps := e.pageSeconds(pdf.ID); ps[2] != 380 {
		t.Fatalf("page 2 after the late events: %v", ps)
	}
}

// TestStudySessionInThePast: a session imported with past times is not
// ended before its first batch (inactivity is server time), and takes its
// whole history.
func TestStudySessionInThePast(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tk, _ := e.register()
	pdf := e.studyPDF(tk.AccessToken, 4)
	t0 := e.clock.Now().Add(-48 * time.Hour)
	s := e.startSession(tk.AccessToken, map[string]any{"pdf_id": pdf.ID, "start_page": 1, "started_at": t0.Format(time.RFC3339)})
	if got := e.session(tk.AccessToken, s.ID); got.Status != "running" {
		t.Fatalf("a past session ended before its first batch: %+v", got)
	}
	r := e.sendEvents(tk.AccessToken, s.ID, t0, beat(sec(120)), page(2, sec(240)), stop(sec(480)))
	if r.Session.Status != "ended" || r.Session.ActiveSeconds != 480 {
		t.Fatalf("imported: %+v", r.Session)
	}
	e.do("POST", "/api/v1/study-sessions", map[string]any{"pdf_id": pdf.ID, "started_at": e.clock.Now().Add(3 * time.Minute).Format(time.RFC3339)},
		withToken(tk.AccessToken)).must(t, http.StatusUnprocessableEntity)
}

// TestStudySupersede: starting a session ends the running one at its last
// activity.
func TestStudySupersede(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tk, _ := e.register()
	pdf := e.studyPDF(tk.AccessToken, 4)
	t0 := e.clock.Now()
	a := e.startSession(tk.AccessToken, map[string]any{"pdf_id": pdf.ID, "start_page": 1})
	e.sendEvents(tk.AccessToken, a.ID, t0, page(2, sec(30)))
	e.clock.Advance(2 * time.Minute)
	b := e.startSession(tk.AccessToken, map[string]any{"pdf_id": pdf.ID})
	got := e.session(tk.AccessToken, a.ID)
	if got.Status != "ended" || *got.EndedReason != "superseded" || got.ActiveSeconds != 30 {
		t.Fatalf("superseded: %+v", got)
	}
	var cur sessionJSON
	e.do("GET", "/api/v1/study-sessions/current", nil, withToken(tk.AccessToken)).must(t, http.StatusOK).decode(t, &cur)
	if cur.ID != b.ID {
		t.Fatalf("current is %s, want %s", cur.ID, b.ID)
	}
	// Late events of the superseded session still count; it stays ended.
	r := e.sendEvents(tk.AccessToken, a.ID, t0, beat(sec(60)))
	if r.Session.Status != "ended" || r.Session.ActiveSeconds != 60 {
		t.Fatalf("late events of a superseded session: %+v", r.Session)
	}
}

// TestStudyDeleteUndoes: deleting a session takes exactly its contribution
// out of page_stats and the user's buckets.
func TestStudyDeleteUndoes(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tk, _ := e.register()
	pdf := e.studyPDF(tk.AccessToken, 4)
	t0 := e.clock.Now().Add(-2 * time.Hour)
	keep := e.startSession(tk.AccessToken, map[string]any{"pdf_id": pdf.ID, "start_page": 1, "started_at": t0.Format(time.RFC3339)})
	e.sendEvents(tk.AccessToken, keep.ID, t0, page(2, sec(60)), stop(sec(120)))
	before := e.pageSeconds(pdf.ID)
	buckets := e.count(`SELECT coalesce(sum(active_seconds), 0)::int FROM user_study_buckets WHERE user_id = $1`, tk.User.ID)
	t1 := t0.Add(time.Hour)
	gone := e.startSession(tk.AccessToken, map[string]any{"pdf_id": pdf.ID, "start_page": 2, "started_at": t1.Format(time.RFC3339)})
	e.sendEvents(tk.AccessToken, gone.ID, t1, page(3, sec(100)), page(4, sec(200)), stop(sec(300)))
	if ps := e.pageSeconds(pdf.ID); ps[2] != before[2]+100 || ps[3] != 100 {
		t.Fatalf("both sessions: %v", ps)
	}
	e.do("DELETE", "/api/v1/study-sessions/"+gone.ID, nil, withToken(tk.AccessToken)).must(t, http.StatusNoContent)
	if after := e.pageSeconds(pdf.ID); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Fatalf("after delete %v, before %v", after, before)
	}
	if n := e.count(`SELECT coalesce(sum(active_seconds), 0)::int FROM user_study_buckets WHERE user_id = $1`, tk.User.ID); n != buckets || n != 120 {
		t.Fatalf("user buckets %d, want %d", n, buckets)
	}
	if n := e.count(`SELECT coalesce(sum(sessions), 0)::int FROM user_study_buckets WHERE user_id = $1`, tk.User.ID); n != 1 {
		t.Fatalf("%d sessions counted", n)
	}
	e.do("GET", "/api/v1/study-sessions/"+gone.ID, nil, withToken(tk.AccessToken)).must(t, http.StatusNotFound)
}

// TestStudyRestartLosesNothing: a second server on the same database (a
// restart, or another instance) continues a session where the first left
// it.
func TestStudyRestartLosesNothing(t *testing.T) {
	t.Parallel()
	first := newEnv(t)
	keys, err := auth.NewKeySet(first.key)
	if err != nil {
		t.Fatal(err)
	}
	tk, _ := first.register()
	pdf := first.studyPDF(tk.AccessToken, 5)
	t0 := first.clock.Now()
	s := first.startSession(tk.AccessToken, map[string]any{"pdf_id": pdf.ID, "start_page": 1})
	first.sendEvents(tk.AccessToken, s.ID, t0, page(2, sec(40)), beat(sec(100)))
	first.srv.Close()

	second := newEnvWith(t, envConfig{pool: first.pool, keys: keys, clock: first.clock})
	first.clock.Advance(3 * time.Minute)
	r := second.sendEvents(tk.AccessToken, s.ID, t0, page(3, sec(160)), stop(sec(180)))
	if r.Session.Events != 4 || r.Session.ActiveSeconds != 180 || r.Session.PagesRead != 3 {
		t.Fatalf("after the restart: %+v", r.Session)
	}
}

// TestStudyOtherUsers404: every verb on another user's session is a 404.
func TestStudyOtherUsers404(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner, _ := e.register()
	other, _ := e.register()
	pdf := e.studyPDF(owner.AccessToken, 3)
	s := e.startSession(owner.AccessToken, map[string]any{"pdf_id": pdf.ID})
	auth := withToken(other.AccessToken)
	base := "/api/v1/study-sessions/" + s.ID
	for _, c := range []struct {
		method, path string
		body         any
	}{
		{"GET", base, nil}, {"PATCH", base, map[string]any{"notes": "x"}}, {"DELETE", base, nil}, {"GET", base + "/pages", nil},
		{"POST", base + "/events", map[string]any{"events": []any{beat(0).body(e.clock.Now())}}},
		{"POST", base + "/pause", nil}, {"POST", base + "/resume", nil}, {"POST", base + "/stop", nil}, {"POST", base + "/heartbeat", nil},
	} {
		e.do(c.method, c.path, c.body, auth).must(t, http.StatusNotFound)
	}
	e.do("POST", "/api/v1/study-sessions", map[string]any{"pdf_id": pdf.ID}, auth).must(t, http.StatusNotFound)
	var list struct{ Items []sessionJSON }
	e.do("GET", "/api/v1/study-sessions", nil, auth).must(t, http.StatusOK).decode(t, &list)
	if len(list.Items) != 0 {
		t.Fatalf("another user sees %d sessions", len(list.Items))
	}
	e.do("GET", "/api/v1/study-sessions/current", nil, auth).must(t, http.StatusNotFound)
}

// TestStudyShortcutsAndPomodoro: the server-time shortcuts, and the
// pomodoro phase in the state.
func TestStudyShortcutsAndPomodoro(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tk, _ := e.register()
	pdf := e.studyPDF(tk.AccessToken, 3)
	s := e.startSession(tk.AccessToken, map[string]any{"pdf_id": pdf.ID, "pomodoro": true, "start_page": 1})
	if !s.Pomodoro || *s.Phase != "work" || *s.Cycle != 1 || *s.SecondsLeft != 25*60 {
		t.Fatalf("pomodoro start: %+v", s)
	}
	do := func(action string) eventsResult {
		var r eventsResult
		e.do("POST", "/api/v1/study-sessions/"+s.ID+"/"+action, nil, withToken(tk.AccessToken)).must(t, http.StatusOK).decode(t, &r)
		return r
	}
	e.clock.Advance(time.Minute)
	do("heartbeat")
	e.clock.Advance(time.Minute)
	if r := do("pause"); r.Session.Status != "paused" || r.Session.ActiveSeconds != 120 {
		t.Fatalf("pause: %+v", r.Session)
	}
	e.clock.Advance(5 * time.Minute)
	if r := do("resume"); r.Session.Status != "running" || r.Session.PausedSeconds != 300 {
		t.Fatalf("resume: %+v", r.Session)
	}
	e.clock.Advance(time.Minute)
	if r := do("stop"); r.Session.Status != "ended" || r.Session.ActiveSeconds != 180 || *r.Session.SecondsLeft != 25*60-180 {
		t.Fatalf("stop: %+v", r.Session)
	}
}

// TestStudyExerciseSession: a session on an exercise studies its PDF, moves
// it to in_progress and adds its active time to the exercise.
func TestStudyExerciseSession(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tk, _ := e.register()
	pdf := e.studyPDF(tk.AccessToken, 6)
	var ex struct {
		ID               string `json:"id"`
		Status           string `json:"status"`
		TimeSpentSeconds int64  `json:"time_spent_seconds"`
	}
	e.do("POST", "/api/v1/pdfs/"+pdf.ID+"/exercises", map[string]any{"title": "Problems", "page_start": 2, "page_end": 4}, withToken(tk.AccessToken)).
		must(t, http.StatusCreated).decode(t, &ex)
	t0 := e.clock.Now().Add(-10 * time.Minute)
	s := e.startSession(tk.AccessToken, map[string]any{"exercise_id": ex.ID, "start_page": 2, "started_at": t0.Format(time.RFC3339)})
	if s.PDFID != pdf.ID || s.ExerciseID == nil || *s.ExerciseID != ex.ID {
		t.Fatalf("exercise session: %+v", s)
	}
	e.sendEvents(tk.AccessToken, s.ID, t0, page(3, sec(200)), stop(sec(330)))
	e.do("GET", "/api/v1/exercises/"+ex.ID, nil, withToken(tk.AccessToken)).must(t, http.StatusOK).decode(t, &ex)
	if ex.Status != "in_progress" || ex.TimeSpentSeconds != 330 {
		t.Fatalf("exercise after the session: %+v", ex)
	}
	e.do("DELETE", "/api/v1/study-sessions/"+s.ID, nil, withToken(tk.AccessToken)).must(t, http.StatusNoContent)
	e.do("GET", "/api/v1/exercises/"+ex.ID, nil, withToken(tk.AccessToken)).must(t, http.StatusOK).decode(t, &ex)
	if ex.TimeSpentSeconds != 0 {
		t.Fatalf("time after deleting the session: %d", ex.TimeSpentSeconds)
	}
}

// TestStudyDevicesConcurrently: two devices send interleaved batches to one
// session at the same time; the result equals one ordered replay.
func TestStudyDevicesConcurrently(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tk, _ := e.register()
	pdf := e.studyPDF(tk.AccessToken, 20)
	t0 := e.clock.Now().Add(-2 * time.Hour)
	s := e.startSession(tk.AccessToken, map[string]any{"pdf_id": pdf.ID, "start_page": 1, "started_at": t0.Format(time.RFC3339)})
	var all []ev
	for i := range 120 {
		all = append(all, page(1+i%20, time.Duration(i)*30*time.Second))
	}
	var wg sync.WaitGroup
	for dev := range 2 {
		wg.Go(func() {
			for start := dev * 10; start < len(all); start += 20 {
				e.sendEvents(tk.AccessToken, s.ID, t0, all[start:start+10]...)
			}
		})
	}
	wg.Wait()
	got := e.session(tk.AccessToken, s.ID)
	if got.Events != 120 || got.ActiveSeconds < 119*30 {
		t.Fatalf("after two devices: %+v", got)
	}
	ps := e.pageSeconds(pdf.ID)
	total := 0
	for _, v := range ps {
		total += v
	}
	// Every page visit is 30 s; the last one runs to the last event (0 s).
	if total != 119*30 {
		t.Fatalf("page seconds sum to %d, want %d: %v", total, 119*30, ps)
	}
	keys := make([]int, 0, len(ps))
	for k := range ps {
		keys = append(keys, k)
	}
	sort.Ints(keys)
	raw, _ := json.Marshal(keys)
	if len(keys) != 20 {
		t.Fatalf("pages read %s", raw)
	}
}
