package api_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/studysprint/studysprint/internal/analytics"
)

type goalJSON struct {
	ID       string  `json:"id"`
	Kind     string  `json:"kind"`
	Target   *int    `json:"target"`
	PDFID    *string `json:"pdf_id"`
	TopicID  *string `json:"topic_id"`
	Deadline *string `json:"deadline"`
	OnTrack  bool    `json:"on_track"`
	Progress struct {
		Done                  *int64   `json:"done"`
		Percent               *float64 `json:"percent"`
		RemainingPages        *int64   `json:"remaining_pages"`
		RemainingSeconds      *float64 `json:"remaining_seconds"`
		DaysLeft              *int     `json:"days_left"`
		RequiredPagesPerDay   *float64 `json:"required_pages_per_day"`
		RequiredMinutesPerDay *float64 `json:"required_minutes_per_day"`
		ProjectedFinishDate   *string  `json:"projected_finish_date"`
		ProjectedReason       *string  `json:"projected_finish_reason"`
	} `json:"progress"`
}

// createGoal makes a goal a second after the last one (goals list oldest
// first).
func (e *env) createGoal(token string, body map[string]any) goalJSON {
	e.t.Helper()
	e.clock.Advance(time.Second)
	var g goalJSON
	e.do("POST", "/api/v1/goals", body, withToken(token)).must(e.t, http.StatusCreated).decode(e.t, &g)
	return g
}

// TestGoals: the CRUD, daily goals met and not, deadline goals on and off
// track from the estimate and the recent pace, and every refusal.
func TestGoals(t *testing.T) {
	t.Parallel()
	// Noon UTC yesterday: "today" has room for study before now.
	clock := &fakeClock{t: time.Now().UTC().Truncate(24 * time.Hour).Add(-12 * time.Hour)}
	e := newEnvWith(t, envConfig{clock: clock})
	tk, _ := e.register()
	auth := withToken(tk.AccessToken)
	topic := e.createTopic(tk.AccessToken, map[string]any{"name": "Algebra"})
	pdf := e.studyPDF(tk.AccessToken, 10)
	e.do("PATCH", "/api/v1/pdfs/"+pdf.ID, map[string]any{"topic_id": topic.ID}, auth).must(t, http.StatusOK)
	now := clock.Now()
	today := analytics.DateOf(now, time.UTC)
	// Yesterday: pages 1–3 for ten minutes each (the recent pace);
	// today: 25 minutes on page 4.
	y := now.Add(-24 * time.Hour)
	s := e.startSession(tk.AccessToken, map[string]any{"pdf_id": pdf.ID, "start_page": 1, "started_at": y.Format(time.RFC3339)})
	e.sendEvents(tk.AccessToken, s.ID, y, beat(sec(300)), page(2, sec(600)), beat(sec(900)), page(3, sec(1200)), beat(sec(1500)), stop(sec(1800)))
	e.studyFor(tk.AccessToken, pdf.ID, now.Add(-30*time.Minute), 25*time.Minute)

	minutes := e.createGoal(tk.AccessToken, map[string]any{"kind": "daily_minutes", "target": 20})
	if !minutes.OnTrack || *minutes.Progress.Done != 25 || *minutes.Progress.Percent != 100 {
		t.Fatalf("daily minutes: %+v", minutes)
	}
	pages := e.createGoal(tk.AccessToken, map[string]any{"kind": "daily_pages", "target": 50})
	if pages.OnTrack || *pages.Progress.Done > 2 {
		t.Fatalf("daily pages: %+v", pages)
	}
	far := today.AddDays(3650 - 1).String()
	relaxed := e.createGoal(tk.AccessToken, map[string]any{"kind": "finish_pdf_by", "pdf_id": pdf.ID, "deadline": far})
	p := relaxed.Progress
	if !relaxed.OnTrack || p.ProjectedFinishDate == nil || *p.RemainingPages != 7 || *p.RemainingSeconds <= 0 || *p.DaysLeft != 3650 {
		t.Fatalf("a far deadline: %+v", relaxed)
	}
	tight := e.createGoal(tk.AccessToken, map[string]any{"kind": "finish_topic_by", "topic_id": topic.ID, "deadline": today.String()})
	p = tight.Progress
	if tight.OnTrack || *p.DaysLeft != 1 || *p.RequiredPagesPerDay != 7 || *p.RequiredMinutesPerDay*60 < *p.RemainingSeconds-1 {
		t.Fatalf("a deadline of today: %+v", tight)
	}

	var list struct {
		Items []goalJSON `json:"items"`
	}
	e.do("GET", "/api/v1/goals", nil, auth).must(t, http.StatusOK).decode(t, &list)
	if len(list.Items) != 4 || list.Items[0].ID != minutes.ID || list.Items[3].ID != tight.ID {
		t.Fatalf("list: %+v", list.Items)
	}
	var got goalJSON
	e.do("PATCH", "/api/v1/goals/"+pages.ID, map[string]any{"target": 2}, auth).must(t, http.StatusOK).decode(t, &got)
	if *got.Target != 2 || got.OnTrack != (*got.Progress.Done >= 2) {
		t.Fatalf("patched target: %+v", got)
	}
	e.do("PATCH", "/api/v1/goals/"+tight.ID, map[string]any{"deadline": today.AddDays(3000).String()}, auth).must(t, http.StatusOK).decode(t, &got)
	if !got.OnTrack || *got.Deadline != today.AddDays(3000).String() {
		t.Fatalf("a later deadline: %+v", got)
	}

	for _, c := range []struct {
		method, path string
		body         map[string]any
		status       int
		field        string
	}{
		{"POST", "/api/v1/goals", map[string]any{"kind": "daily_minutes", "target": 30}, http.StatusConflict, ""},
		{"POST", "/api/v1/goals", map[string]any{"kind": "finish_pdf_by", "pdf_id": pdf.ID, "deadline": today.AddDays(-1).String()}, http.StatusUnprocessableEntity, "deadline"},
		{"POST", "/api/v1/goals", map[string]any{"kind": "finish_pdf_by", "pdf_id": pdf.ID, "deadline": "2026-13-01"}, http.StatusUnprocessableEntity, "deadline"},
		{"POST", "/api/v1/goals", map[string]any{"kind": "weekly_minutes", "target": 30}, http.StatusUnprocessableEntity, "kind"},
		{"POST", "/api/v1/goals", map[string]any{"target": 30}, http.StatusUnprocessableEntity, "kind"},
		{"POST", "/api/v1/goals", map[string]any{"kind": "daily_pages", "target": 0}, http.StatusUnprocessableEntity, "target"},
		{"POST", "/api/v1/goals", map[string]any{"kind": "finish_topic_by", "deadline": far}, http.StatusUnprocessableEntity, "topic_id"},
		{"POST", "/api/v1/goals", map[string]any{"kind": "daily_minutes", "target": 30, "colour": "red"}, http.StatusBadRequest, ""},
		{"PATCH", "/api/v1/goals/" + minutes.ID, map[string]any{"deadline": far}, http.StatusUnprocessableEntity, "deadline"},
		{"PATCH", "/api/v1/goals/" + relaxed.ID, map[string]any{"target": 3}, http.StatusUnprocessableEntity, "target"},
	} {
		r := e.do(c.method, c.path, c.body, auth)
		if r.Status != c.status {
			t.Errorf("%s %s %v: %d %s, want %d", c.method, c.path, c.body, r.Status, r.Body, c.status)
			continue
		}
		if c.field != "" && r.errorBody(t).Fields[c.field] == "" {
			t.Errorf("%s %v: fields do not name %s: %s", c.method, c.body, c.field, r.Body)
		}
	}

	// Another user sees none of it and cannot aim a goal at it.
	other, _ := e.register()
	oauth := withToken(other.AccessToken)
	e.do("GET", "/api/v1/goals/"+minutes.ID, nil, oauth).must(t, http.StatusNotFound)
	e.do("PATCH", "/api/v1/goals/"+minutes.ID, map[string]any{"target": 5}, oauth).must(t, http.StatusNotFound)
	e.do("DELETE", "/api/v1/goals/"+minutes.ID, nil, oauth).must(t, http.StatusNotFound)
	e.do("POST", "/api/v1/goals", map[string]any{"kind": "finish_pdf_by", "pdf_id": pdf.ID, "deadline": far}, oauth).must(t, http.StatusNotFound)
	e.do("POST", "/api/v1/goals", map[string]any{"kind": "finish_topic_by", "topic_id": topic.ID, "deadline": far}, oauth).must(t, http.StatusNotFound)
	var none struct {
		Items []goalJSON `json:"items"`
	}
	e.do("GET", "/api/v1/goals", nil, oauth).must(t, http.StatusOK).decode(t, &none)
	if len(none.Items) != 0 {
		t.Fatalf("another user lists %d goals", len(none.Items))
	}

	e.do("DELETE", "/api/v1/goals/"+minutes.ID, nil, auth).must(t, http.StatusNoContent)
	e.do("GET", "/api/v1/goals/"+minutes.ID, nil, auth).must(t, http.StatusNotFound)
	// A goal goes with its PDF.
	e.do("DELETE", "/api/v1/pdfs/"+pdf.ID, nil, auth).must(t, http.StatusNoContent)
	e.do("GET", "/api/v1/goals/"+relaxed.ID, nil, auth).must(t, http.StatusNotFound)
}
