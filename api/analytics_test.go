package api_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/studysprint/studysprint/internal/analytics"
)

type totalsJSON struct {
	From         string `json:"from"`
	StudySeconds int64  `json:"study_seconds"`
	PagesRead    int64  `json:"pages_read"`
	Sessions     int64  `json:"sessions"`
}

type summaryJSON struct {
	Date     string     `json:"date"`
	Timezone string     `json:"timezone"`
	Today    totalsJSON `json:"today"`
	Week     totalsJSON `json:"week"`
	Month    totalsJSON `json:"month"`
	AllTime  totalsJSON `json:"all_time"`
	Streak   struct {
		Current     int     `json:"current"`
		Longest     int     `json:"longest"`
		LongestEnd  *string `json:"longest_end"`
		TodayCounts bool    `json:"today_counts"`
		Alive       bool    `json:"alive"`
	} `json:"streak"`
}

type dailyJSON struct {
	From string `json:"from"`
	To   string `json:"to"`
	Days []struct {
		Date         string `json:"date"`
		StudySeconds int64  `json:"study_seconds"`
		PagesRead    int64  `json:"pages_read"`
		Sessions     int64  `json:"sessions"`
	} `json:"days"`
}

// byDate is a daily answer as date -> study seconds (days with study only).
func (d dailyJSON) byDate() map[string]int64 {
	out := map[string]int64{}
	for _, x := range d.Days {
		if x.StudySeconds > 0 {
			out[x.Date] = x.StudySeconds
		}
	}
	return out
}

func (e *env) setZone(token, zone string) {
	e.t.Helper()
	e.do("PATCH", "/api/v1/auth/me", map[string]any{"timezone": zone}, withToken(token)).must(e.t, http.StatusOK)
}

// studyFor records a finished session of d from start: a page turn after a
// minute, heartbeats every two minutes, a stop at the end.
func (e *env) studyFor(token, pdfID string, start time.Time, d time.Duration) string {
	e.t.Helper()
	s := e.startSession(token, map[string]any{"pdf_id": pdfID, "start_page": 1, "started_at": start.UTC().Format(time.RFC3339)})
	evs := []ev{page(2, sec(60))}
	for at := 3 * time.Minute; at < d; at += 2 * time.Minute {
		evs = append(evs, beat(at))
	}
	evs = append(evs, stop(d))
	if r := e.sendEvents(token, s.ID, start, evs...); r.Session.Status != "ended" || r.Session.ActiveSeconds != int64(d.Seconds()) {
		e.t.Fatalf("session from %s for %s: %+v", start, d, r.Session)
	}
	return s.ID
}

func (e *env) daily(token, query string) dailyJSON {
	e.t.Helper()
	var d dailyJSON
	e.do("GET", "/api/v1/analytics/daily"+query, nil, withToken(token)).must(e.t, http.StatusOK).decode(e.t, &d)
	return d
}

func (e *env) summary(token string) summaryJSON {
	e.t.Helper()
	var s summaryJSON
	e.do("GET", "/api/v1/analytics/summary", nil, withToken(token)).must(e.t, http.StatusOK).decode(e.t, &s)
	return s
}

func mustZone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func localDate(t time.Time, loc *time.Location) string { return analytics.DateOf(t, loc).String() }

// TestAnalyticsSameInstantTwoZones: two students study at the same instant;
// each sees it on their own local date, and moving to the other's zone
// moves the whole history there.
func TestAnalyticsSameInstantTwoZones(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	la, akl := mustZone(t, "America/Los_Angeles"), mustZone(t, "Pacific/Auckland")
	// 20:00 UTC two days ago: midday in Los Angeles, the next morning in Auckland.
	now := e.clock.Now()
	at := time.Date(now.Year(), now.Month(), now.Day()-2, 20, 0, 0, 0, time.UTC)
	a, _ := e.register()
	b, _ := e.register()
	e.setZone(a.AccessToken, "America/Los_Angeles")
	e.setZone(b.AccessToken, "Pacific/Auckland")
	for _, tk := range []string{a.AccessToken, b.AccessToken} {
		e.studyFor(tk, e.studyPDF(tk, 3).ID, at, 30*time.Minute)
	}
	dA, dB := localDate(at, la), localDate(at, akl)
	if dA == dB {
		t.Fatalf("the test instant %s has the same date in both zones", at)
	}
	if got := e.daily(a.AccessToken, "?from="+dA+"&to="+dB).byDate(); len(got) != 1 || got[dA] != 1800 {
		t.Fatalf("Los Angeles: %v, want 1800 s on %s", got, dA)
	}
	if got := e.daily(b.AccessToken, "?from="+dA+"&to="+dB).byDate(); len(got) != 1 || got[dB] != 1800 {
		t.Fatalf("Auckland: %v, want 1800 s on %s", got, dB)
	}
	e.setZone(a.AccessToken, "Pacific/Auckland")
	if got := e.daily(a.AccessToken, "?from="+dA+"&to="+dB).byDate(); len(got) != 1 || got[dB] != 1800 {
		t.Fatalf("after moving to Auckland: %v, want 1800 s on %s", got, dB)
	}
}

// TestAnalyticsAcrossMidnight: a session across local midnight is split
// between the two days; deleting it and late events keep the days exact.
func TestAnalyticsAcrossMidnight(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tk, _ := e.register()
	e.setZone(tk.AccessToken, "America/Los_Angeles")
	la := mustZone(t, "America/Los_Angeles")
	today := analytics.DateOf(e.clock.Now(), la)
	midnight := today.AddDays(-1).Start(la) // the midnight that began yesterday
	pdf := e.studyPDF(tk.AccessToken, 3)
	id := e.studyFor(tk.AccessToken, pdf.ID, midnight.Add(-10*time.Minute), 20*time.Minute)
	before, after := today.AddDays(-2).String(), today.AddDays(-1).String()
	d := e.daily(tk.AccessToken, "?from="+before+"&to="+today.String())
	if len(d.Days) != 3 || d.Days[0].StudySeconds != 600 || d.Days[1].StudySeconds != 600 || d.Days[2].StudySeconds != 0 {
		t.Fatalf("across midnight: %+v", d.Days)
	}
	if d.Days[0].Sessions != 1 || d.Days[1].Sessions != 0 || d.Days[0].Date != before || d.Days[1].Date != after {
		t.Fatalf("sessions count on the day they start: %+v", d.Days)
	}

	// Late events (a heartbeat from before the stop changes nothing; one
	// more session later that day adds exactly its time).
	e.studyFor(tk.AccessToken, pdf.ID, midnight.Add(3*time.Hour), 15*time.Minute)
	if got := e.daily(tk.AccessToken, "?from="+before+"&to="+after).byDate(); got[before] != 600 || got[after] != 600+900 {
		t.Fatalf("with a second session: %v", got)
	}
	e.do("DELETE", "/api/v1/study-sessions/"+id, nil, withToken(tk.AccessToken)).must(t, http.StatusNoContent)
	if got := e.daily(tk.AccessToken, "?from="+before+"&to="+after).byDate(); len(got) != 1 || got[after] != 900 {
		t.Fatalf("after deleting the midnight session: %v", got)
	}
}

// TestAnalyticsSummaryStreak: three days in a row, today not studied yet:
// the streak is alive; a short session today does not count; a long one
// does; the periods add up.
func TestAnalyticsSummaryStreak(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tk, _ := e.register()
	e.setZone(tk.AccessToken, "Europe/Berlin")
	berlin := mustZone(t, "Europe/Berlin")
	today := analytics.DateOf(e.clock.Now(), berlin)
	pdf := e.studyPDF(tk.AccessToken, 3)
	// A streak day needs streak_min_minutes (10 by default). Four days ago
	// had only five minutes: it breaks the run.
	e.studyFor(tk.AccessToken, pdf.ID, today.AddDays(-4).Start(berlin).Add(9*time.Hour), 5*time.Minute)
	for i := 3; i >= 1; i-- {
		e.studyFor(tk.AccessToken, pdf.ID, today.AddDays(-i).Start(berlin).Add(9*time.Hour), 12*time.Minute)
	}
	s := e.summary(tk.AccessToken)
	if s.Date != today.String() || s.Timezone != "Europe/Berlin" {
		t.Fatalf("date %s zone %s", s.Date, s.Timezone)
	}
	if !s.Streak.Alive || s.Streak.TodayCounts || s.Streak.Current != 3 || s.Streak.Longest != 3 {
		t.Fatalf("before studying today: %+v", s.Streak)
	}
	if s.AllTime.StudySeconds != 5*60+3*12*60 || s.AllTime.Sessions != 4 || s.Today.StudySeconds != 0 {
		t.Fatalf("totals: all %+v today %+v", s.AllTime, s.Today)
	}
	start := today.Start(berlin)
	if e.clock.Now().Sub(start) < 30*time.Minute {
		t.Skip("too close to midnight in Berlin to study today")
	}
	e.studyFor(tk.AccessToken, pdf.ID, start.Add(time.Minute), 4*time.Minute)
	if s := e.summary(tk.AccessToken); s.Streak.Current != 3 || s.Streak.TodayCounts || s.Today.StudySeconds != 240 || s.Today.Sessions != 1 {
		t.Fatalf("after four minutes today: %+v today %+v", s.Streak, s.Today)
	}
	e.studyFor(tk.AccessToken, pdf.ID, start.Add(10*time.Minute), 8*time.Minute)
	s = e.summary(tk.AccessToken)
	if s.Streak.Current != 4 || !s.Streak.TodayCounts || s.Streak.Longest != 4 || s.Streak.LongestEnd == nil || *s.Streak.LongestEnd != today.String() {
		t.Fatalf("after twelve minutes today: %+v", s.Streak)
	}
	if s.Week.From != analytics.WeekStart(today, time.Monday).String() || s.Month.From != analytics.MonthStart(today).String() {
		t.Fatalf("periods from %s and %s", s.Week.From, s.Month.From)
	}
	// A week starting on Sunday moves the week's first day.
	e.do("PATCH", "/api/v1/auth/preferences", map[string]any{"week_start": "sunday"}, withToken(tk.AccessToken)).must(t, http.StatusOK)
	if s := e.summary(tk.AccessToken); s.Week.From != analytics.WeekStart(today, time.Sunday).String() {
		t.Fatalf("week from %s with Sunday weeks", s.Week.From)
	}
}

// TestAnalyticsHeatmapAndValidation: the heatmap window and levels, and
// every malformed range a 422 naming the parameter.
func TestAnalyticsHeatmapAndValidation(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tk, _ := e.register()
	pdf := e.studyPDF(tk.AccessToken, 3)
	now := e.clock.Now()
	today := analytics.DateOf(now, time.UTC)
	e.studyFor(tk.AccessToken, pdf.ID, today.AddDays(-2).Start(time.UTC).Add(8*time.Hour), 10*time.Minute)
	e.studyFor(tk.AccessToken, pdf.ID, today.AddDays(-1).Start(time.UTC).Add(8*time.Hour), 40*time.Minute)
	var h struct {
		From string `json:"from"`
		To   string `json:"to"`
		Days []struct {
			Date         string `json:"date"`
			StudySeconds int64  `json:"study_seconds"`
			Level        int    `json:"level"`
		} `json:"days"`
	}
	e.do("GET", "/api/v1/analytics/heatmap?days=7", nil, withToken(tk.AccessToken)).must(t, http.StatusOK).decode(t, &h)
	if len(h.Days) != 7 || h.To != today.String() || h.From != today.AddDays(-6).String() {
		t.Fatalf("window %s..%s with %d days", h.From, h.To, len(h.Days))
	}
	if h.Days[4].Level != 2 || h.Days[5].Level != 4 || h.Days[6].Level != 0 || h.Days[0].Level != 0 {
		t.Fatalf("levels: %+v", h.Days)
	}
	if d := e.daily(tk.AccessToken, ""); len(d.Days) != 30 || d.To != today.String() {
		t.Fatalf("default daily range: %s..%s, %d days", d.From, d.To, len(d.Days))
	}
	for _, q := range []struct{ path, field string }{
		{"/api/v1/analytics/heatmap?days=0", "days"},
		{"/api/v1/analytics/heatmap?days=367", "days"},
		{"/api/v1/analytics/heatmap?days=ten", "days"},
		{"/api/v1/analytics/daily?from=2026-02-30", "from"},
		{"/api/v1/analytics/daily?from=2026-12-02&to=2026-12-01", "to"},
		{"/api/v1/analytics/daily?from=2024-01-01&to=2026-01-01", "from"},
		{"/api/v1/analytics/daily?to=yesterday", "to"},
		{"/api/v1/analytics/pace?weeks=0", "weeks"},
		{"/api/v1/analytics/pace?pdf_id=nope", "pdf_id"},
		{"/api/v1/analytics/pace?pdf_id=" + pdf.ID + "&topic_id=" + pdf.ID, "pdf_id"},
	} {
		r := e.do("GET", q.path, nil, withToken(tk.AccessToken)).must(t, http.StatusUnprocessableEntity)
		if f := r.errorBody(t).Fields; f[q.field] == "" {
			t.Errorf("%s: fields %v, want %s", q.path, f, q.field)
		}
	}
}

// TestAnalyticsTopicsAndPace: a parent topic rolls up its subtopic's
// reading; the pace of a PDF, a topic and everything; another user's PDF
// or topic is 404.
func TestAnalyticsTopicsAndPace(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tk, _ := e.register()
	parent := e.createTopic(tk.AccessToken, map[string]any{"name": "Physics"})
	child := e.createTopic(tk.AccessToken, map[string]any{"name": "Optics", "parent_id": parent.ID})
	pdf := e.studyPDF(tk.AccessToken, 4)
	e.do("PATCH", "/api/v1/pdfs/"+pdf.ID, map[string]any{"topic_id": child.ID}, withToken(tk.AccessToken)).must(t, http.StatusOK)
	t0 := e.clock.Now().Add(-3 * time.Hour)
	s := e.startSession(tk.AccessToken, map[string]any{"pdf_id": pdf.ID, "start_page": 1, "started_at": t0.Format(time.RFC3339)})
	e.sendEvents(tk.AccessToken, s.ID, t0, page(2, sec(100)), page(3, sec(160)), stop(sec(400)))
	// Counted: page 1 100 s, page 2 60 s, page 3 240 s.

	var topics struct {
		Topics []struct {
			TopicID         string  `json:"topic_id"`
			ParentID        *string `json:"parent_id"`
			PDFCount        int     `json:"pdf_count"`
			TotalPages      int     `json:"total_pages"`
			PagesRead       int     `json:"pages_read"`
			ProgressPercent float64 `json:"progress_percent"`
			StudySeconds    int     `json:"study_seconds"`
		} `json:"topics"`
	}
	e.do("GET", "/api/v1/analytics/topics", nil, withToken(tk.AccessToken)).must(t, http.StatusOK).decode(t, &topics)
	if len(topics.Topics) != 2 {
		t.Fatalf("%d topics", len(topics.Topics))
	}
	for _, x := range topics.Topics {
		if x.PDFCount != 1 || x.TotalPages != 4 || x.PagesRead != 3 || x.ProgressPercent != 75 || x.StudySeconds != 400 {
			t.Errorf("topic %s: %+v", x.TopicID, x)
		}
	}

	type paceJSON struct {
		Weeks []struct {
			PagesRead      int     `json:"pages_read"`
			ReadSeconds    int     `json:"read_seconds"`
			SecondsPerPage float64 `json:"seconds_per_page"`
		} `json:"weeks"`
	}
	pagesOf := func(p paceJSON) (pages, secs int) {
		for _, w := range p.Weeks {
			pages, secs = pages+w.PagesRead, secs+w.ReadSeconds
		}
		return pages, secs
	}
	for _, q := range []string{"?pdf_id=" + pdf.ID, "?topic_id=" + parent.ID, "?topic_id=" + child.ID, ""} {
		var p paceJSON
		e.do("GET", "/api/v1/analytics/pace"+q, nil, withToken(tk.AccessToken)).must(t, http.StatusOK).decode(t, &p)
		if pages, secs := pagesOf(p); pages != 3 || secs != 400 {
			t.Errorf("pace %s: %+v", q, p.Weeks)
		}
	}
	other, _ := e.register()
	e.do("GET", "/api/v1/analytics/pace?pdf_id="+pdf.ID, nil, withToken(other.AccessToken)).must(t, http.StatusNotFound)
	e.do("GET", "/api/v1/analytics/pace?topic_id="+parent.ID, nil, withToken(other.AccessToken)).must(t, http.StatusNotFound)
	var none paceJSON
	e.do("GET", "/api/v1/analytics/pace", nil, withToken(other.AccessToken)).must(t, http.StatusOK).decode(t, &none)
	if len(none.Weeks) != 0 {
		t.Fatalf("another user sees pace %+v", none.Weeks)
	}
	var empty struct {
		Topics []any `json:"topics"`
	}
	e.do("GET", "/api/v1/analytics/topics", nil, withToken(other.AccessToken)).must(t, http.StatusOK).decode(t, &empty)
	if len(empty.Topics) != 0 {
		t.Fatalf("another user sees topics %v", empty.Topics)
	}
}
