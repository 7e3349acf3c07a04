package study

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"
)

// t0 is two minutes before a bucket boundary (10:00 UTC).
var t0 = time.Date(2026, 11, 25, 9, 58, 0, 0, time.UTC)

func sec(n int) time.Duration { return time.Duration(n) * time.Second }

// ev is an event at a whole second after the start.
type ev struct {
	at   int
	typ  EventType
	page int32
}

func page(at int, p int32) ev { return ev{at, EventPage, p} }
func beat(at int) ev          { return ev{at, EventHeartbeat, 0} }
func pause(at int) ev         { return ev{at, EventPause, 0} }
func resume(at int) ev        { return ev{at, EventResume, 0} }
func stop(at int) ev          { return ev{at, EventStop, 0} }

// mkEvents gives the events Seq 1, 2, ... in the order listed.
func mkEvents(start time.Time, evs []ev) []Event {
	out := make([]Event, len(evs))
	for i, e := range evs {
		out[i] = Event{
			ID:   uuid.NewSHA1(uuid.NameSpaceOID, fmt.Appendf(nil, "%d", i)),
			Type: e.typ, Page: e.page, At: start.Add(sec(e.at)), Seq: int64(i + 1),
		}
	}
	return out
}

var defaultRules = Rules{IdleThreshold: sec(300), PageMin: sec(5), PageMax: sec(900)}

func withPomodoro(r Rules, work, short, long, every int) Rules {
	r.Pomodoro = &Pomodoro{Work: sec(work), ShortBreak: sec(short), LongBreak: sec(long), LongBreakEvery: every}
	return r
}

// pageWant is a page's totals in whole seconds after the start; first and
// last are -1 when the page has no counted dwell.
type pageWant struct{ secs, visits, first, last int }

type summaryWant struct {
	active, paused, idle, brk int
	isPaused                  bool
	current                   int32
	pages                     map[int32]pageWant
	phase                     Phase
	cycle, left               int
}

// view is a Summary in the shape of summaryWant (offsets from t0's start).
func view(t *testing.T, s Summary) summaryWant {
	t.Helper()
	secs := func(d time.Duration) int {
		if d%time.Second != 0 {
			t.Fatalf("%v is not whole seconds", d)
		}
		return int(d / time.Second)
	}
	off := func(at time.Time) int {
		if at.IsZero() {
			return -1
		}
		return secs(at.Sub(s.StartedAt))
	}
	w := summaryWant{
		active: secs(s.Active), paused: secs(s.Paused), idle: secs(s.Idle), brk: secs(s.Break),
		isPaused: s.IsPaused, current: s.CurrentPage, pages: map[int32]pageWant{},
		phase: s.Phase, cycle: s.Cycle, left: secs(s.PhaseLeft),
	}
	for p, pt := range s.Pages {
		w.pages[p] = pageWant{secs(pt.Seconds), pt.Visits, off(pt.FirstReadAt), off(pt.LastReadAt)}
	}
	return w
}

// checkSummary asserts what holds for every summary.
func checkSummary(t *testing.T, r Rules, s Summary) {
	t.Helper()
	r = r.norm()
	for name, d := range map[string]time.Duration{"active": s.Active, "paused": s.Paused, "idle": s.Idle, "break": s.Break, "phase left": s.PhaseLeft} {
		if d < 0 {
			t.Errorf("%s is negative: %v", name, d)
		}
	}
	if got, want := s.Active+s.Paused+s.Idle+s.Break, s.Until.Sub(s.StartedAt); got != want {
		t.Errorf("classes sum to %v, the session is %v long", got, want)
	}
	var pageRead time.Duration
	visits, visited, read := 0, 0, 0
	for p, pt := range s.Pages {
		if p < 1 || pt.Seconds < 0 || pt.Visits < 0 || !pt.Visited {
			t.Errorf("page %d: %+v", p, pt)
		}
		if pt.Seconds > time.Duration(pt.Visits)*r.PageMax {
			t.Errorf("page %d: %v in %d visits is more than the cap", p, pt.Seconds, pt.Visits)
		}
		if (pt.Visits > 0) == pt.FirstReadAt.IsZero() || pt.FirstReadAt.IsZero() != pt.LastReadAt.IsZero() {
			t.Errorf("page %d: %d visits, first %v, last %v", p, pt.Visits, pt.FirstReadAt, pt.LastReadAt)
		}
		if pt.Visits > 0 && (pt.FirstReadAt.Before(s.StartedAt) || pt.LastReadAt.Before(pt.FirstReadAt) || pt.LastReadAt.After(s.Until)) {
			t.Errorf("page %d: read from %v to %v outside the session %v .. %v", p, pt.FirstReadAt, pt.LastReadAt, s.StartedAt, s.Until)
		}
		pageRead += pt.Seconds
		visits += pt.Visits
		visited++
		if pt.Visits > 0 {
			read++
		}
	}
	if pageRead > s.Active {
		t.Errorf("pages have %v, more than the %v active", pageRead, s.Active)
	}
	if s.PagesVisited != visited || s.PagesRead != read {
		t.Errorf("PagesVisited %d, PagesRead %d; the pages say %d, %d", s.PagesVisited, s.PagesRead, visited, read)
	}
	var bActive, bRead time.Duration
	bReads := 0
	for k, b := range s.Buckets {
		if k.Location() != time.UTC || !k.Equal(k.Truncate(BucketSize)) {
			t.Errorf("bucket key %v is not a UTC %v boundary", k, BucketSize)
		}
		if b.Active < 0 || b.Active > BucketSize || b.ReadSeconds < 0 || b.PagesRead < 0 || b == (BucketTotals{}) {
			t.Errorf("bucket %v: %+v", k, b)
		}
		if b.Active > 0 && (k.Add(BucketSize).Before(s.StartedAt) || k.After(s.Until)) {
			t.Errorf("bucket %v has active time outside the session", k)
		}
		bActive += b.Active
		bRead += b.ReadSeconds
		bReads += b.PagesRead
	}
	if bActive != s.Active || bRead != pageRead || bReads != visits {
		t.Errorf("buckets have %v active, %v read in %d dwells; the summary %v, %v in %d", bActive, bRead, bReads, s.Active, pageRead, visits)
	}
	if (r.Pomodoro == nil) != (s.Cycle == 0) || (r.Pomodoro == nil) != (s.Phase == "") {
		t.Errorf("pomodoro %v, phase %q, cycle %d", r.Pomodoro != nil, s.Phase, s.Cycle)
	}
}

// roundTrip is c through JSON, and through the stored binary form (which
// must give the same checkpoint back).
func roundTrip(t testing.TB, c Checkpoint) Checkpoint {
	t.Helper()
	raw, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	var back Checkpoint
	if err := json.Unmarshal(raw, &back); err != nil {
		t.Fatal(err)
	}
	bin, err := c.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	var fromBin Checkpoint
	if err := fromBin.UnmarshalBinary(bin); err != nil {
		t.Fatalf("binary form of %+v: %v", c, err)
	}
	if !reflect.DeepEqual(fromBin, c) {
		t.Fatalf("a binary round trip changed the checkpoint:\n%+v\n%+v", c, fromBin)
	}
	return back
}

func TestTimerRules(t *testing.T) {
	pomo := withPomodoro(defaultRules, 100, 30, 60, 2)
	cases := []struct {
		name      string
		rules     Rules
		startPage int32
		events    []ev
		until     int
		want      summaryWant
	}{
		{
			name: "gap under the threshold is active", startPage: 1,
			events: []ev{beat(200)}, until: 200,
			want: summaryWant{active: 200, current: 1, pages: map[int32]pageWant{1: {200, 1, 0, 200}}},
		},
		{
			name: "gap exactly the threshold is active", startPage: 1,
			events: []ev{beat(300)}, until: 300,
			want: summaryWant{active: 300, current: 1, pages: map[int32]pageWant{1: {300, 1, 0, 300}}},
		},
		{
			name: "gap over the threshold is active up to it, idle beyond", startPage: 1,
			events: []ev{beat(500)}, until: 500,
			want: summaryWant{active: 300, idle: 200, current: 1, pages: map[int32]pageWant{1: {300, 1, 0, 500}}},
		},
		{
			name: "trailing time of a running session", startPage: 1,
			events: []ev{beat(100)}, until: 1000,
			want: summaryWant{active: 400, idle: 600, current: 1, pages: map[int32]pageWant{1: {400, 1, 0, 1000}}},
		},
		{
			name: "heartbeats keep a long dwell active", startPage: 1,
			events: []ev{beat(280), beat(560), beat(840), page(1100, 2)}, until: 1100,
			want: summaryWant{active: 1100, current: 2, pages: map[int32]pageWant{1: {900, 1, 0, 1100}, 2: {0, 0, -1, -1}}},
		},
		{
			name: "a 20-minute page is capped at PageMax and stays active", startPage: 1,
			events: []ev{beat(240), beat(480), beat(720), beat(960), page(1200, 2), page(1260, 3)}, until: 1260,
			want: summaryWant{active: 1260, current: 3, pages: map[int32]pageWant{1: {900, 1, 0, 1200}, 2: {60, 1, 1200, 1260}, 3: {0, 0, -1, -1}}},
		},
		{
			name: "dwell capped at PageMax", rules: Rules{IdleThreshold: sec(300), PageMin: sec(5), PageMax: sec(60)}, startPage: 1,
			events: []ev{page(100, 2), page(130, 3)}, until: 130,
			want: summaryWant{active: 130, current: 3, pages: map[int32]pageWant{1: {60, 1, 0, 100}, 2: {30, 1, 100, 130}, 3: {0, 0, -1, -1}}},
		},
		{
			name: "a skim below PageMin stays active but reads nothing", startPage: 1,
			events: []ev{page(100, 2), page(104, 3), page(107, 2)}, until: 200,
			want: summaryWant{active: 200, current: 2, pages: map[int32]pageWant{1: {100, 1, 0, 100}, 2: {93, 1, 107, 200}, 3: {0, 0, -1, -1}}},
		},
		{
			name: "a dwell of exactly PageMin counts", startPage: 1,
			events: []ev{page(5, 2)}, until: 5,
			want: summaryWant{active: 5, current: 2, pages: map[int32]pageWant{1: {5, 1, 0, 5}, 2: {0, 0, -1, -1}}},
		},
		{
			name: "a zero dwell is a skim even with PageMin 0", rules: Rules{IdleThreshold: sec(300), PageMax: sec(900)}, startPage: 1,
			events: []ev{page(0, 2), page(1, 3), pause(1)}, until: 50,
			want: summaryWant{active: 1, paused: 49, isPaused: true, current: 3, pages: map[int32]pageWant{1: {0, 0, -1, -1}, 2: {1, 1, 0, 1}, 3: {0, 0, -1, -1}}},
		},
		{
			name: "pause and resume; the visit continues on the same page after resume", startPage: 1,
			events: []ev{pause(100), resume(400), page(500, 2)}, until: 600,
			want: summaryWant{active: 300, paused: 300, current: 2, pages: map[int32]pageWant{1: {200, 2, 0, 500}, 2: {100, 1, 500, 600}}},
		},
		{
			name: "resume continues on the page the student was on", startPage: 1,
			events: []ev{page(50, 2), pause(100), resume(200)}, until: 260,
			want: summaryWant{active: 160, paused: 100, current: 2, pages: map[int32]pageWant{1: {50, 1, 0, 50}, 2: {110, 2, 50, 260}}},
		},
		{
			name: "pause inside a pause changes nothing", startPage: 1,
			events: []ev{pause(100), pause(200), beat(250), resume(400)}, until: 450,
			want: summaryWant{active: 150, paused: 300, current: 1, pages: map[int32]pageWant{1: {150, 2, 0, 450}}},
		},
		{
			name: "a paused session stays paused to until, however long", startPage: 1,
			events: []ev{pause(100)}, until: 5000,
			want: summaryWant{active: 100, paused: 4900, isPaused: true, current: 1, pages: map[int32]pageWant{1: {100, 1, 0, 100}}},
		},
		{
			name: "resume while running restarts only the idle budget", startPage: 1,
			events: []ev{resume(250)}, until: 600,
			want: summaryWant{active: 550, idle: 50, current: 1, pages: map[int32]pageWant{1: {550, 1, 0, 600}}},
		},
		{
			name: "page while paused resumes, a new visit even on the same page", startPage: 1,
			events: []ev{pause(100), page(300, 1)}, until: 400,
			want: summaryWant{active: 200, paused: 200, current: 1, pages: map[int32]pageWant{1: {200, 2, 0, 400}}},
		},
		{
			name: "page to the same page is a sign of life, not a new visit", startPage: 1,
			events: []ev{page(100, 1)}, until: 450,
			want: summaryWant{active: 400, idle: 50, current: 1, pages: map[int32]pageWant{1: {400, 1, 0, 450}}},
		},
		{
			name:   "no start page: nothing visited until a page event",
			events: []ev{beat(100), page(150, 4)}, until: 200,
			want: summaryWant{active: 200, current: 4, pages: map[int32]pageWant{4: {50, 1, 150, 200}}},
		},
		{
			name:   "resume with no page opens no visit",
			events: []ev{pause(10), resume(20)}, until: 30,
			want: summaryWant{active: 20, paused: 10, pages: map[int32]pageWant{}},
		},
		{
			name: "stop ends everything; until after it is clamped to the stop", startPage: 1,
			events: []ev{pause(100), stop(300)}, until: 1000,
			want: summaryWant{active: 100, paused: 200, current: 1, pages: map[int32]pageWant{1: {100, 1, 0, 100}}},
		},
		{
			name: "stop closes the open visit", startPage: 1,
			events: []ev{page(60, 2), stop(200)}, until: 200,
			want: summaryWant{active: 200, current: 2, pages: map[int32]pageWant{1: {60, 1, 0, 60}, 2: {140, 1, 60, 200}}},
		},
		{
			name: "events after a stop are ignored", startPage: 1,
			events: []ev{stop(300), page(300, 2), page(400, 3), pause(500)}, until: 600,
			want: summaryWant{active: 300, current: 1, pages: map[int32]pageWant{1: {300, 1, 0, 300}}},
		},
		{
			name: "a late stop: events beyond it are ignored", startPage: 1,
			events: []ev{page(100, 2), page(400, 3), beat(500), stop(200)}, until: 500,
			want: summaryWant{active: 200, current: 2, pages: map[int32]pageWant{1: {100, 1, 0, 100}, 2: {100, 1, 100, 200}}},
		},
		{
			name: "until before the last event is clamped to it", startPage: 1,
			events: []ev{beat(100)}, until: 50,
			want: summaryWant{active: 100, current: 1, pages: map[int32]pageWant{1: {100, 1, 0, 100}}},
		},
		{
			name: "equal At values apply in Seq order", startPage: 1,
			events: []ev{page(100, 2), pause(100), resume(100), page(100, 3)}, until: 150,
			want: summaryWant{active: 150, current: 3, pages: map[int32]pageWant{1: {100, 1, 0, 100}, 2: {0, 0, -1, -1}, 3: {50, 1, 100, 150}}},
		},

		// Pomodoro: work 100 s, short break 30 s, long break 60 s after every 2nd work phase.
		{
			name: "pomodoro: work, short break, work, long break after N, work, short break", rules: pomo, startPage: 1,
			events: []ev{beat(50), beat(100), beat(150), beat(200), beat(250), beat(300), beat(350)}, until: 400,
			// work 0-100, short 100-130, work 130-230, long 230-290, work 290-390, short 390-420
			want: summaryWant{active: 300, brk: 100, current: 1, pages: map[int32]pageWant{1: {300, 1, 0, 400}}, phase: PhaseShortBreak, cycle: 3, left: 20},
		},
		{
			name: "pomodoro: PhaseLeft in a work phase", rules: pomo, startPage: 1,
			events: []ev{beat(70)}, until: 70,
			want: summaryWant{active: 70, current: 1, pages: map[int32]pageWant{1: {70, 1, 0, 70}}, phase: PhaseWork, cycle: 1, left: 30},
		},
		{
			name: "pomodoro: break time is not in dwells", rules: pomo, startPage: 1,
			events: []ev{beat(90), page(125, 2), page(140, 3)}, until: 140,
			// work 0-100 on page 1 (visit to 125), short break 100-130 (the page at 125 ends it)
			want: summaryWant{active: 115, brk: 25, current: 3, pages: map[int32]pageWant{1: {100, 1, 0, 125}, 2: {15, 1, 125, 140}, 3: {0, 0, -1, -1}}, phase: PhaseWork, cycle: 2, left: 85},
		},
		{
			name: "pomodoro: a page during a break ends it", rules: pomo, startPage: 1,
			events: []ev{beat(90), page(110, 2)}, until: 160,
			want: summaryWant{active: 150, brk: 10, current: 2, pages: map[int32]pageWant{1: {100, 1, 0, 110}, 2: {50, 1, 110, 160}}, phase: PhaseWork, cycle: 2, left: 50},
		},
		{
			name: "pomodoro: the same page during a break ends it too", rules: pomo, startPage: 1,
			events: []ev{beat(90), page(110, 1)}, until: 160,
			want: summaryWant{active: 150, brk: 10, current: 1, pages: map[int32]pageWant{1: {150, 1, 0, 160}}, phase: PhaseWork, cycle: 2, left: 50},
		},
		{
			name: "pomodoro: heartbeat and resume do not end a break", rules: pomo, startPage: 1,
			events: []ev{beat(90), beat(110), resume(120)}, until: 140,
			want: summaryWant{active: 110, brk: 30, current: 1, pages: map[int32]pageWant{1: {110, 1, 0, 140}}, phase: PhaseWork, cycle: 2, left: 90},
		},
		{
			name: "pomodoro: a break due to end at a page's instant has ended; no second cycle", rules: pomo, startPage: 1,
			events: []ev{beat(90), page(130, 2)}, until: 150,
			want: summaryWant{active: 120, brk: 30, current: 2, pages: map[int32]pageWant{1: {100, 1, 0, 130}, 2: {20, 1, 130, 150}}, phase: PhaseWork, cycle: 2, left: 80},
		},
		{
			name: "pomodoro: work reaching its length at an event's instant is a break first", rules: pomo, startPage: 1,
			events: []ev{page(100, 2)}, until: 120,
			// the break began at 100 and the page at 100 ended it: cycle 2
			want: summaryWant{active: 120, current: 2, pages: map[int32]pageWant{1: {100, 1, 0, 100}, 2: {20, 1, 100, 120}}, phase: PhaseWork, cycle: 2, left: 80},
		},
		{
			name: "pomodoro: pause during a break; the break's clock runs on", rules: pomo, startPage: 1,
			events: []ev{beat(90), pause(110), resume(200)}, until: 250,
			want: summaryWant{active: 150, paused: 90, brk: 10, current: 1, pages: map[int32]pageWant{1: {150, 2, 0, 250}}, phase: PhaseWork, cycle: 2, left: 50},
		},
		{
			name: "pomodoro: paused in a break that is still running", rules: pomo, startPage: 1,
			events: []ev{beat(90), pause(110)}, until: 120,
			want: summaryWant{active: 100, paused: 10, brk: 10, isPaused: true, current: 1, pages: map[int32]pageWant{1: {100, 1, 0, 110}}, phase: PhaseShortBreak, cycle: 1, left: 10},
		},
		{
			name: "pomodoro: paused past the break's end: the next work phase has begun", rules: pomo, startPage: 1,
			events: []ev{beat(90), pause(110)}, until: 200,
			want: summaryWant{active: 100, paused: 90, brk: 10, isPaused: true, current: 1, pages: map[int32]pageWant{1: {100, 1, 0, 110}}, phase: PhaseWork, cycle: 2, left: 100},
		},
		{
			name: "pomodoro: pausing in work keeps the work done", rules: pomo, startPage: 1,
			events: []ev{pause(60), resume(500)}, until: 560,
			// work 0-60, paused, work 500-540 reaches 100, short break 540-570
			want: summaryWant{active: 100, paused: 440, brk: 20, current: 1, pages: map[int32]pageWant{1: {100, 2, 0, 560}}, phase: PhaseShortBreak, cycle: 1, left: 10},
		},
		{
			name: "pomodoro: idle time does not count as work", rules: withPomodoro(Rules{IdleThreshold: sec(60), PageMin: sec(5), PageMax: sec(900)}, 100, 30, 60, 2), startPage: 1,
			events: []ev{beat(500)}, until: 550,
			// active 0-60, idle 60-500, active 500-540 reaches 100: break 540-570
			want: summaryWant{active: 100, idle: 440, brk: 10, current: 1, pages: map[int32]pageWant{1: {100, 1, 0, 550}}, phase: PhaseShortBreak, cycle: 1, left: 20},
		},
		{
			name: "pomodoro: trailing break in a running session, then the rest of the budget, then idle", rules: withPomodoro(defaultRules, 200, 30, 60, 4), startPage: 1,
			events: nil, until: 400,
			// active 0-200, short break 200-230, active 230-330 (budget 300 used), idle 330-400
			want: summaryWant{active: 300, brk: 30, idle: 70, current: 1, pages: map[int32]pageWant{1: {300, 1, 0, 400}}, phase: PhaseWork, cycle: 2, left: 100},
		},
		{
			name: "pomodoro: inside the trailing break", rules: withPomodoro(defaultRules, 200, 30, 60, 4), startPage: 1,
			events: nil, until: 215,
			want: summaryWant{active: 200, brk: 15, current: 1, pages: map[int32]pageWant{1: {200, 1, 0, 215}}, phase: PhaseShortBreak, cycle: 1, left: 15},
		},
		{
			name: "pomodoro: a long break after every phase when N is 1", rules: withPomodoro(defaultRules, 100, 30, 60, 1), startPage: 1,
			events: []ev{beat(100), beat(200)}, until: 230,
			// work 0-100, long 100-160, work 160-260
			want: summaryWant{active: 170, brk: 60, current: 1, pages: map[int32]pageWant{1: {170, 1, 0, 230}}, phase: PhaseWork, cycle: 2, left: 30},
		},
		{
			name: "pomodoro: a stop in a break", rules: pomo, startPage: 1,
			events: []ev{beat(90), stop(115)}, until: 500,
			want: summaryWant{active: 100, brk: 15, current: 1, pages: map[int32]pageWant{1: {100, 1, 0, 115}}, phase: PhaseShortBreak, cycle: 1, left: 15},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := tc.rules
			if r == (Rules{}) {
				r = defaultRules
			}
			events := mkEvents(t0, tc.events)
			c := Replay(r, t0, tc.startPage, events)
			before := roundTrip(t, c)
			s := c.Summarize(r, t0.Add(sec(tc.until)))
			checkSummary(t, r, s)
			if !reflect.DeepEqual(c, before) {
				t.Error("Summarize changed the checkpoint")
			}
			if got := view(t, s); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got  %+v\nwant %+v", got, tc.want)
			}
			if rt := roundTrip(t, c); !reflect.DeepEqual(rt, c) {
				t.Errorf("JSON round trip changed the checkpoint:\n%+v\n%+v", rt, c)
			} else if !reflect.DeepEqual(rt.Summarize(r, t0.Add(sec(tc.until))), s) {
				t.Error("JSON round trip changed the summary")
			}
			// Apply one by one in (At, Seq) order, when that is the order listed.
			sorted := slices.IsSortedFunc(events, compareEvents)
			inc := NewCheckpoint(r, t0, tc.startPage)
			for _, e := range events {
				if err := inc.Apply(r, e); err != nil {
					if sorted || !errors.Is(err, ErrOutOfOrder) {
						t.Fatalf("Apply(%+v): %v", e, err)
					}
					inc = Replay(r, t0, tc.startPage, events[:slices.Index(events, e)+1])
				}
			}
			if !reflect.DeepEqual(inc, c) {
				t.Errorf("applying one by one differs from Replay:\n%+v\n%+v", inc, c)
			}
		})
	}
}

func TestApplyRefuses(t *testing.T) {
	r := defaultRules
	c := Replay(r, t0, 1, mkEvents(t0, []ev{page(100, 2), beat(200)}))
	before := roundTrip(t, c)
	at := t0.Add(sec(200))
	cases := []struct {
		name string
		e    Event
		want error
	}{
		{"unknown type", Event{Type: "nap", At: at, Seq: 9}, ErrInvalidEvent},
		{"empty type", Event{At: at, Seq: 9}, ErrInvalidEvent},
		{"page event without a page", Event{Type: EventPage, At: at, Seq: 9}, ErrInvalidEvent},
		{"negative page", Event{Type: EventPage, Page: -3, At: at, Seq: 9}, ErrInvalidEvent},
		{"a century later", Event{Type: EventHeartbeat, At: t0.Add(maxOffset + time.Second), Seq: 9}, ErrInvalidEvent},
		{"earlier At", Event{Type: EventHeartbeat, At: at.Add(-time.Microsecond), Seq: 9}, ErrOutOfOrder},
		{"same At, lower Seq", Event{Type: EventHeartbeat, At: at, Seq: 1}, ErrOutOfOrder},
		{"the same position again", Event{Type: EventHeartbeat, At: at, Seq: 2}, ErrOutOfOrder},
		{"before the start", Event{Type: EventHeartbeat, At: t0.Add(-time.Second), Seq: 9}, ErrOutOfOrder},
		{"nanoseconds later is the same microsecond", Event{Type: EventHeartbeat, At: at.Add(999), Seq: 2}, ErrOutOfOrder},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			x := roundTrip(t, c)
			if x.After(tc.e) && errors.Is(tc.want, ErrOutOfOrder) {
				t.Errorf("After(%+v) = true", tc.e)
			}
			if err := x.Apply(r, tc.e); !errors.Is(err, tc.want) {
				t.Fatalf("Apply = %v, want %v", err, tc.want)
			}
			if !reflect.DeepEqual(x, before) {
				t.Error("a refused event changed the checkpoint")
			}
		})
	}

	// Before any event, the start itself is a valid position, whatever the Seq.
	fresh := NewCheckpoint(r, t0, 0)
	if e := (Event{Type: EventHeartbeat, At: t0, Seq: 0}); !fresh.After(e) || fresh.Apply(r, e) != nil {
		t.Error("an event at the start refused")
	}
	// After a stop, later events are ignored without error; earlier ones are out of order.
	stopped := Replay(r, t0, 1, mkEvents(t0, []ev{stop(100)}))
	snap := roundTrip(t, stopped)
	if err := stopped.Apply(r, Event{Type: EventPage, Page: 4, At: t0.Add(sec(150)), Seq: 5}); err != nil {
		t.Errorf("event after the stop: %v", err)
	}
	if err := stopped.Apply(r, Event{Type: EventPage, Page: 4, At: t0.Add(sec(50)), Seq: 5}); !errors.Is(err, ErrOutOfOrder) {
		t.Errorf("event before the stop: %v", err)
	}
	if !reflect.DeepEqual(stopped, snap) {
		t.Error("events around a stop changed the checkpoint")
	}
	if got, seq := stopped.Position(); !got.Equal(t0.Add(sec(100))) || seq != 1 || !stopped.StoppedAt().Equal(got) || !stopped.LastEventAt().Equal(got) {
		t.Errorf("position %v %d, stopped at %v, last event %v", got, seq, stopped.StoppedAt(), stopped.LastEventAt())
	}
}

func TestPosition(t *testing.T) {
	c := NewCheckpoint(defaultRules, t0, 0)
	if at, seq := c.Position(); !at.Equal(t0) || seq != 0 || c.StoppedAt() != nil || !c.LastEventAt().Equal(t0) {
		t.Errorf("new: %v %d %v %v", at, seq, c.StoppedAt(), c.LastEventAt())
	}
	if err := c.Apply(defaultRules, Event{Type: EventHeartbeat, At: t0.Add(sec(7)), Seq: 42}); err != nil {
		t.Fatal(err)
	}
	if at, seq := c.Position(); !at.Equal(t0.Add(sec(7))) || seq != 42 || c.StoppedAt() != nil {
		t.Errorf("after one: %v %d %v", at, seq, c.StoppedAt())
	}
}

// A late stop: incrementally it is out of order (the workflow replays),
// and the replay ignores what lies beyond it.
func TestLateStop(t *testing.T) {
	r := defaultRules
	events := mkEvents(t0, []ev{page(100, 2), page(400, 3), beat(500), stop(200)})
	c := Replay(r, t0, 1, events[:3])
	if err := c.Apply(r, events[3]); !errors.Is(err, ErrOutOfOrder) {
		t.Fatalf("late stop applied: %v", err)
	}
	c = Replay(r, t0, 1, events)
	if got := c.StoppedAt(); got == nil || !got.Equal(t0.Add(sec(200))) {
		t.Fatalf("stopped at %v", got)
	}
	if c.Page != 2 || c.Applied != 2 {
		t.Errorf("page %d after %d events; the ones beyond the stop must not count", c.Page, c.Applied)
	}
}

func TestReplayOrderAndTies(t *testing.T) {
	r := withPomodoro(defaultRules, 100, 30, 60, 2)
	events := mkEvents(t0, []ev{page(10, 2), pause(10), resume(40), page(40, 3), beat(200), page(260, 4), stop(300)})
	want := Replay(r, t0, 1, events)
	rev := slices.Clone(events)
	slices.Reverse(rev)
	if got := Replay(r, t0, 1, rev); !reflect.DeepEqual(got, want) {
		t.Error("reversed input replays differently")
	}
	// Replay keeps the first of a repeated (At, Seq), whatever the input order.
	twin := events[1]
	twin.ID, twin.Type = uuid.Max, EventHeartbeat
	a := Replay(r, t0, 1, append(slices.Clone(events), twin))
	b := Replay(r, t0, 1, append([]Event{twin}, events...))
	if !reflect.DeepEqual(a, b) || !reflect.DeepEqual(a, want) {
		t.Error("a repeated (At, Seq) depends on the input order or was applied")
	}
	// Replay skips what Apply refuses.
	junk := []Event{
		{Type: "nap", At: t0.Add(sec(5)), Seq: 100},
		{Type: EventPage, At: t0.Add(sec(6)), Seq: 101},
		{Type: EventPage, Page: 9, At: t0.Add(-sec(6)), Seq: 102},
	}
	if got := Replay(r, t0, 1, append(junk, events...)); !reflect.DeepEqual(got, want) {
		t.Error("refused events changed the replay")
	}
}

// Times enter as UTC microseconds: a checkpoint built from a client's
// nanosecond times in another zone equals one replayed from the database's.
func TestTimeNormalisation(t *testing.T) {
	r := defaultRules
	zone := time.FixedZone("UTC+5:45", 5*3600+45*60)
	startNS := t0.Add(123456789).In(zone)
	startDB := t0.Add(123456000)
	client := mkEvents(startNS, []ev{page(100, 2), pause(130), resume(160), page(200, 3)})
	stored := mkEvents(startDB, []ev{page(100, 2), pause(130), resume(160), page(200, 3)})
	inc := NewCheckpoint(r, startNS, 1)
	for _, e := range client {
		if err := inc.Apply(r, e); err != nil {
			t.Fatal(err)
		}
	}
	db := Replay(r, startDB, 1, stored)
	if !reflect.DeepEqual(inc, db) {
		t.Fatalf("client times and stored times fold differently:\n%+v\n%+v", inc, db)
	}
	if inc.StartedAt != startDB {
		t.Errorf("StartedAt %v (%v), want %v", inc.StartedAt, inc.StartedAt.Location(), startDB)
	}
	s := inc.Summarize(r, startDB.Add(sec(250)).Add(999).In(zone))
	if s.Until != startDB.Add(sec(250)) || s.Pages[3].LastReadAt != startDB.Add(sec(250)) || s.Pages[2].FirstReadAt.Location() != time.UTC {
		t.Errorf("summary times not normalised: until %v, last read %v", s.Until, s.Pages[3].LastReadAt)
	}
	checkSummary(t, r, s)
}

func TestBuckets(t *testing.T) {
	r := defaultRules
	day := func(h, m, s int) time.Time { return time.Date(2026, 11, 25, h, m, s, 0, time.UTC) }
	type bw struct {
		active, read time.Duration
		reads        int
	}
	cases := []struct {
		name   string
		start  time.Time
		events []ev
		until  int
		want   map[time.Time]bw
	}{
		{
			name: "across a bucket boundary", start: day(9, 58, 0),
			events: []ev{beat(240)}, until: 240,
			want: map[time.Time]bw{day(9, 45, 0): {sec(120), sec(240), 1}, day(10, 0, 0): {sec(120), 0, 0}},
		},
		{
			name: "across UTC midnight", start: day(23, 50, 0),
			events: []ev{beat(280), beat(560), page(660, 2), beat(840), pause(1000)}, until: 1100,
			want: map[time.Time]bw{
				day(23, 45, 0): {sec(600), sec(660), 1},
				time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC): {sec(400), sec(340), 1},
			},
		},
		{
			name: "a start off the second; idle and paused time are in no bucket", start: day(10, 14, 59).Add(654321 * time.Microsecond),
			events: []ev{page(1, 2), pause(1000), resume(2000), page(2100, 3)}, until: 2100,
			// page 1 is a skim across the 10:15 boundary; page 2 is active from
			// 10:15:00.654321 for 300 s, then idle, paused; resumed at 10:48:19.654321
			// for 100 s; page 3 a skim at the end.
			want: map[time.Time]bw{
				day(10, 0, 0):  {345679 * time.Microsecond, 0, 0},
				day(10, 15, 0): {sec(300) + 654321*time.Microsecond, sec(300), 1},
				day(10, 45, 0): {sec(100), sec(100), 1},
			},
		},
		{
			name: "many buckets of a long, heart-beaten session", start: day(8, 0, 0),
			events: []ev{beat(290), beat(580), beat(870), beat(1160), beat(1450), beat(1740), beat(2030), beat(2320), beat(2610)}, until: 2700,
			want: map[time.Time]bw{day(8, 0, 0): {sec(900), sec(900), 1}, day(8, 15, 0): {sec(900), 0, 0}, day(8, 30, 0): {sec(900), 0, 0}},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := Replay(r, tc.start, 1, mkEvents(tc.start, tc.events))
			s := c.Summarize(r, tc.start.Add(sec(tc.until)))
			checkSummary(t, r, s)
			got := map[time.Time]bw{}
			var sum time.Duration
			for k, b := range s.Buckets {
				got[k] = bw{b.Active, b.ReadSeconds, b.PagesRead}
				sum += b.Active
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("buckets\n got %v\nwant %v", got, tc.want)
			}
			if sum != s.Active {
				t.Errorf("bucket active %v, summary %v", sum, s.Active)
			}
		})
	}
}

func TestEnd(t *testing.T) {
	r := defaultRules
	running := Replay(r, t0, 1, mkEvents(t0, []ev{beat(100)}))
	stopped := Replay(r, t0, 1, mkEvents(t0, []ev{beat(100), stop(150)}))
	future := Replay(r, t0, 1, mkEvents(t0, []ev{beat(700)})) // a client clock 100 s ahead
	at := func(s int) time.Time { return t0.Add(sec(s)) }
	cases := []struct {
		name           string
		c              Checkpoint
		rules          Rules
		prior          EndReason
		lastHeard, now time.Time
		wantAt         time.Time
		wantWhy        EndReason
		wantEnded      bool
	}{
		{"stopped", stopped, r, "", at(150), at(160), at(150), EndStopped, true},
		{"stopped wins over superseded", stopped, r, EndSuperseded, at(150), at(160), at(150), EndStopped, true},
		{"superseded", running, r, EndSuperseded, at(100), at(101), at(100), EndSuperseded, true},
		{"heard from recently", running, r, "", at(100), at(400), time.Time{}, "", false},
		{"exactly twice the threshold is still running", running, r, "", at(100), at(700), time.Time{}, "", false},
		{"idle: ended at the last event plus the threshold", running, r, "", at(100), at(701), at(400), EndIdle, true},
		{"idle is decided by lastHeard, not by event times", running, r, "", at(1000), at(1500), time.Time{}, "", false},
		{"idle is not sticky: heard from again, running again", running, r, EndIdle, at(2000), at(2100), time.Time{}, "", false},
		{"a stored stopped without a stop is not trusted", running, r, EndStopped, at(100), at(200), time.Time{}, "", false},
		{"idle end never after now", future, Rules{IdleThreshold: sec(30), PageMax: sec(60)}, "", at(650), at(711), at(711), EndIdle, true},
		{"idle end never before the last event", future, Rules{IdleThreshold: sec(30), PageMax: sec(60)}, "", at(500), at(561), at(700), EndIdle, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			gotAt, why, ended := End(tc.c, tc.rules, tc.prior, tc.lastHeard, tc.now)
			if !gotAt.Equal(tc.wantAt) || why != tc.wantWhy || ended != tc.wantEnded {
				t.Errorf("End = %v %q %v, want %v %q %v", gotAt, why, ended, tc.wantAt, tc.wantWhy, tc.wantEnded)
			}
		})
	}
	// An idle-ended session summarised at its end: active to the threshold, no idle.
	endAt, _, _ := End(running, r, "", at(100), at(701))
	s := running.Summarize(r, endAt)
	if s.Active != sec(400) || s.Idle != 0 || s.Until != endAt {
		t.Errorf("summary at the idle end: %+v", s)
	}
}

func TestRulesValidate(t *testing.T) {
	good := withPomodoro(defaultRules, 1500, 300, 900, 4)
	if err := good.Validate(); err != nil {
		t.Fatal(err)
	}
	bad := map[string]Rules{
		"zero threshold":     {PageMin: sec(5), PageMax: sec(900)},
		"threshold too long": {IdleThreshold: 25 * time.Hour, PageMax: sec(900)},
		"negative page min":  {IdleThreshold: sec(300), PageMin: -1, PageMax: sec(900)},
		"max equal to min":   {IdleThreshold: sec(300), PageMin: sec(5), PageMax: sec(5)},
		"no work":            withPomodoro(defaultRules, 0, 300, 900, 4),
		"negative break":     withPomodoro(defaultRules, 1500, -1, 900, 4),
		"long break every 0": withPomodoro(defaultRules, 1500, 300, 900, 0),
	}
	for name, r := range bad {
		if r.Validate() == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// Invalid rules never panic, loop or go negative; they are used clamped.
func TestInvalidRulesClamped(t *testing.T) {
	events := mkEvents(t0, []ev{beat(100), page(200, 2), pause(250), resume(300)})
	cases := []struct {
		name   string
		rules  Rules
		active int
		page1  int
	}{
		{"no threshold: nothing is active", Rules{PageMax: sec(10)}, 0, 0},
		{"negative threshold", Rules{IdleThreshold: -sec(5), PageMax: sec(10)}, 0, 0},
		{"page max below page min: capped at page min", Rules{IdleThreshold: sec(300), PageMin: sec(20), PageMax: sec(10)}, 350, 20},
		{"pomodoro without work is off", withPomodoro(Rules{IdleThreshold: sec(300), PageMax: sec(900)}, 0, 5, 5, 0), 350, 200},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := Replay(tc.rules, t0, 1, events).Summarize(tc.rules, t0.Add(sec(400)))
			checkSummary(t, tc.rules, s)
			if s.Active != sec(tc.active) || s.Pages[1].Seconds != sec(tc.page1) {
				t.Errorf("active %v, page 1 %v", s.Active, s.Pages[1].Seconds)
			}
		})
	}
}

// Pomodoro rules on a checkpoint that started without: cycle 1 begins at
// the checkpoint's position (the rules must not change; this only keeps it sane).
func TestPomodoroSwitchedOn(t *testing.T) {
	off := defaultRules
	on := withPomodoro(defaultRules, 100, 30, 60, 2)
	c := Replay(off, t0, 1, mkEvents(t0, []ev{beat(200)}))
	if c.Phase != "" || c.Cycle != 0 {
		t.Fatalf("pomodoro state without pomodoro: %q %d", c.Phase, c.Cycle)
	}
	s := c.Summarize(on, t0.Add(sec(320)))
	checkSummary(t, on, s)
	if s.Phase != PhaseShortBreak || s.Cycle != 1 || s.Active != sec(300) || s.Break != sec(20) || s.PhaseLeft != sec(10) {
		t.Errorf("%+v", s)
	}
}

// A session over 300 pages, each read in two visits, keeps its checkpoint
// small enough for a jsonb column rewritten on every batch.
func TestCheckpointCompact(t *testing.T) {
	r := withPomodoro(defaultRules, 1500, 300, 900, 4)
	var evs []ev
	at := 0
	for p := int32(1); p <= 350; p++ {
		evs = append(evs, page(at, p), beat(at+200), page(at+400, p+1), page(at+407, p))
		at += 420
	}
	c := Replay(r, t0, 1, mkEvents(t0.Add(123456*time.Microsecond), evs))
	raw, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d pages, %d buckets over %v: %d bytes of JSON", len(c.Pages), len(c.Buckets), c.At, len(raw))
	if len(raw) > 40<<10 {
		t.Errorf("checkpoint is %d bytes", len(raw))
	}
	if !reflect.DeepEqual(roundTrip(t, c), c) {
		t.Error("round trip")
	}
}
