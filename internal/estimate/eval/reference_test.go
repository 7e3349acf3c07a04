package eval

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/studysprint/studysprint/internal/estimate/sim"
)

var (
	t0      = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	pdfID   = uuid.MustParse("00000000-0000-4000-8000-000000000001")
	exID    = uuid.MustParse("00000000-0000-4000-8000-000000000002")
	student = sim.Student{
		ID:        uuid.MustParse("00000000-0000-4000-8000-000000000003"),
		PDFs:      []sim.PDF{{ID: pdfID, Words: []int32{300, -1, 120}}},
		Exercises: []sim.Exercise{{ID: exID, PDF: pdfID, PageStart: 1, PageEnd: 2, Difficulty: 3}},
	}
)

func at(s float64) time.Time { return t0.Add(time.Duration(s * float64(time.Second))) }

func ev(typ sim.EventType, page int32, s float64) sim.Event {
	return sim.Event{Type: typ, Page: page, At: at(s)}
}

type pageWant struct {
	seconds float64
	visits  int
	words   int32
}

func TestReference(t *testing.T) {
	hb := func(from, to, every float64) []sim.Event {
		var out []sim.Event
		for s := from + every; s < to; s += every {
			out = append(out, ev(sim.EventHeartbeat, 0, s))
		}
		return out
	}
	cat := func(parts ...[]sim.Event) []sim.Event {
		var out []sim.Event
		for _, p := range parts {
			out = append(out, p...)
		}
		return out
	}
	tests := []struct {
		name     string
		sessions []sim.Session
		pages    map[int32]pageWant
		exercise float64
	}{
		{
			name: "dwells between page events",
			sessions: []sim.Session{{StartPage: 1, Events: []sim.Event{
				ev(sim.EventPage, 2, 30), ev(sim.EventPage, 3, 100), ev(sim.EventStop, 0, 160)}}},
			pages: map[int32]pageWant{1: {30, 1, 300}, 2: {70, 1, -1}, 3: {60, 1, 120}},
		},
		{
			name: "a skim under 5 s counts nothing",
			sessions: []sim.Session{{StartPage: 1, Events: []sim.Event{
				ev(sim.EventPage, 2, 4.9), ev(sim.EventPage, 3, 10), ev(sim.EventStop, 0, 20)}}},
			pages: map[int32]pageWant{2: {5, 1, -1}, 3: {10, 1, 120}},
		},
		{
			name: "a gap past the idle threshold counts 300 s",
			sessions: []sim.Session{{StartPage: 1, Events: []sim.Event{
				ev(sim.EventHeartbeat, 0, 20), ev(sim.EventHeartbeat, 0, 1220), ev(sim.EventStop, 0, 1250)}}},
			pages: map[int32]pageWant{1: {350, 1, 300}},
		},
		{
			name:     "heartbeats keep a 20-minute page active; capped at 900 s",
			sessions: []sim.Session{{StartPage: 1, Events: cat(hb(0, 1200, 45), []sim.Event{ev(sim.EventStop, 0, 1200)})}},
			pages:    map[int32]pageWant{1: {900, 1, 300}},
		},
		{
			name: "pause and resume: two visits, the pause not counted",
			sessions: []sim.Session{{StartPage: 1, Events: []sim.Event{
				ev(sim.EventPause, 0, 60), ev(sim.EventResume, 1, 2000), ev(sim.EventPage, 2, 2040), ev(sim.EventStop, 0, 2050)}}},
			pages: map[int32]pageWant{1: {100, 2, 300}, 2: {10, 1, -1}},
		},
		{
			name: "a page event while paused resumes on that page",
			sessions: []sim.Session{{StartPage: 1, Events: []sim.Event{
				ev(sim.EventPause, 0, 10), ev(sim.EventPage, 3, 900), ev(sim.EventStop, 0, 930)}}},
			pages: map[int32]pageWant{1: {10, 1, 300}, 3: {30, 1, 120}},
		},
		{
			name: "totals add up across sessions",
			sessions: []sim.Session{
				{StartPage: 1, Events: []sim.Event{ev(sim.EventStop, 0, 40)}},
				{StartPage: 1, StartAt: at(3600), Events: []sim.Event{ev(sim.EventPage, 2, 3620), ev(sim.EventStop, 0, 3640)}},
			},
			pages: map[int32]pageWant{1: {60, 2, 300}, 2: {20, 1, -1}},
		},
		{
			// The timer counts an exercise session's dwells on its page:
			// two visits (the pause ends the first), each capped at 900 s.
			name: "an exercise session: active time, and the dwells on its page",
			sessions: []sim.Session{{Exercise: exID, StartPage: 3, Events: cat(hb(0, 600, 50), []sim.Event{
				ev(sim.EventPause, 0, 600), ev(sim.EventResume, 0, 900), ev(sim.EventHeartbeat, 0, 1150), ev(sim.EventHeartbeat, 0, 1400),
				ev(sim.EventHeartbeat, 0, 1650), ev(sim.EventHeartbeat, 0, 1900), ev(sim.EventStop, 0, 1920)})}},
			pages:    map[int32]pageWant{3: {600 + 900, 2, 120}},
			exercise: 600 + 1020,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ref := NewReference()
			var got Observed
			for i, s := range tc.sessions {
				s.ID, s.PDF = uuid.New(), pdfID
				if s.StartAt.IsZero() {
					s.StartAt = t0
				}
				var err error
				if got, err = ref.Feed(context.Background(), student, []sim.Session{s}); err != nil {
					t.Fatalf("session %d: %v", i, err)
				}
			}
			if len(got.Pages) != len(tc.pages) {
				t.Fatalf("got %d pages, want %d: %+v", len(got.Pages), len(tc.pages), got.Pages)
			}
			for _, o := range got.Pages {
				w, ok := tc.pages[o.Page]
				if !ok || o.Seconds != w.seconds || o.Visits != w.visits || o.Words != w.words || o.PDF != pdfID {
					t.Errorf("page %d: got %+v, want %+v", o.Page, o, w)
				}
			}
			var ex float64
			for _, x := range got.Exercises {
				if x.Exercise == exID {
					ex = x.Seconds
				}
			}
			if ex != tc.exercise {
				t.Errorf("exercise seconds %v, want %v", ex, tc.exercise)
			}
		})
	}
}

func TestReferenceRejectsDisorder(t *testing.T) {
	s := sim.Session{ID: uuid.New(), PDF: pdfID, StartAt: t0, StartPage: 1,
		Events: []sim.Event{ev(sim.EventPage, 2, 50), ev(sim.EventPage, 3, 40), ev(sim.EventStop, 0, 60)}}
	if _, err := NewReference().Feed(context.Background(), student, []sim.Session{s}); err == nil {
		t.Fatal("events out of order were accepted")
	}
	s.Events = []sim.Event{{Type: "jump", At: at(10)}}
	if _, err := NewReference().Feed(context.Background(), student, []sim.Session{s}); err == nil {
		t.Fatal("an unknown event type was accepted")
	}
}
