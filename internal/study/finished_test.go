package study_test

import (
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/studysprint/studysprint/internal/study"
)

// TestFinish: a whole session's numbers are those of the pure rules on its
// events (Replay, End, Summarize, SplitSeconds); its parts add up to them;
// a session that would still run, or events the timer would refuse, are
// errors.
func TestFinish(t *testing.T) {
	t.Parallel()
	rules := study.RulesFromPreferences(defaultPrefs(), false)
	start := time.Date(2026, 3, 29, 0, 50, 0, 0, time.UTC) // buckets across 01:00
	n := 0
	ev := func(typ string, page int32, after time.Duration) study.Incoming {
		n++
		return study.Incoming{ID: uuid.NewSHA1(uuid.NameSpaceOID, []byte{byte(n)}), Type: typ, Page: page, At: start.Add(after)}
	}
	reading := []study.Incoming{
		ev("heartbeat", 0, 30*time.Second), ev("page", 3, 70*time.Second), ev("page", 4, 72*time.Second), // 4 is a skim
		ev("page", 5, 74*time.Second), ev("pause", 0, 9*time.Minute), ev("resume", 0, 15*time.Minute),
		ev("heartbeat", 0, 20*time.Minute), ev("page", 6, 40*time.Minute), // a gap past the idle threshold
	}
	stop := ev("stop", 0, 41*time.Minute)
	last := start.Add(40 * time.Minute)
	tests := []struct {
		name       string
		events     []study.Incoming
		lastHeard  time.Time
		now        time.Time
		wantReason study.EndReason
		wantEnd    time.Time
		wantErr    error
	}{
		{"stopped", append(append([]study.Incoming{}, reading...), stop), start.Add(41 * time.Minute), start.Add(41 * time.Minute),
			study.EndStopped, start.Add(41 * time.Minute), nil},
		{"gone quiet", reading, last, last.Add(2*rules.IdleThreshold + time.Second), study.EndIdle, last.Add(rules.IdleThreshold), nil},
		{"still running", reading, last, last.Add(2 * rules.IdleThreshold), "", time.Time{}, study.ErrNotFinished},
		{"no events", nil, start, start.Add(time.Hour), study.EndIdle, start.Add(rules.IdleThreshold), nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, err := study.Finish(study.FinishInput{
				Rules: rules, StartedAt: start, StartPage: 2, PageCount: 10, Events: tc.events, FirstSeq: 100,
				LastHeard: tc.lastHeard, Now: tc.now,
			})
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("error %v, want %v", err, tc.wantErr)
			}
			if err != nil {
				return
			}
			if f.EndedReason != tc.wantReason || !f.EndedAt.Equal(tc.wantEnd) {
				t.Fatalf("ended %s at %s, want %s at %s", f.EndedReason, f.EndedAt, tc.wantReason, tc.wantEnd)
			}
			var stored []study.Event
			for i, e := range tc.events {
				stored = append(stored, study.Event{ID: e.ID, Type: study.EventType(e.Type), Page: e.Page, At: e.At, Seq: 100 + int64(i)})
				if f.Events[i] != stored[i] {
					t.Fatalf("stored event %d: %+v, want %+v", i, f.Events[i], stored[i])
				}
			}
			cp := study.Replay(rules, start, 2, stored)
			sum := cp.Summarize(rules, tc.wantEnd)
			secs := study.SplitSeconds(sum.Active, sum.Paused, sum.Idle, sum.Break)
			if f.ActiveSeconds != secs[0] || f.PausedSeconds != secs[1] || f.IdleSeconds != secs[2] || f.BreakSeconds != secs[3] ||
				int(f.PagesRead) != sum.PagesRead || int(f.PagesVisited) != sum.PagesVisited || !f.LastEventAt.Equal(cp.LastEventAt()) {
				t.Fatalf("numbers %+v, the rules say %v, %d read of %d", f, secs, sum.PagesRead, sum.PagesVisited)
			}
			var back study.Checkpoint
			if err := back.UnmarshalBinary(f.Checkpoint); err != nil || back.Applied != cp.Applied || back.Seq != cp.Seq || back.Active != cp.Active {
				t.Fatalf("checkpoint %+v (%v), replay %+v", back, err, cp)
			}
			var pageSecs, visits, bucketActive int64
			for _, p := range f.Pages {
				pageSecs += int64(p.Seconds)
				visits += int64(p.Visits)
				if want := sum.Pages[p.Page]; int(p.Visits) != want.Visits || (p.FirstReadAt == nil) != want.FirstReadAt.IsZero() {
					t.Fatalf("page %d: %+v, the rules say %+v", p.Page, p, want)
				}
			}
			for _, b := range f.Buckets {
				bucketActive += int64(b.ActiveSeconds)
				if !b.Start.Equal(study.BucketOf(b.Start)) {
					t.Fatalf("bucket %s is not aligned", b.Start)
				}
			}
			var read time.Duration
			for _, p := range sum.Pages {
				read += p.Seconds
			}
			if pageSecs != study.SplitSeconds(read)[0] || bucketActive != f.ActiveSeconds || len(f.Pages) != sum.PagesVisited {
				t.Fatalf("parts: %d page seconds (read %v), %d bucket seconds (active %d), %d pages", pageSecs, read, bucketActive, f.ActiveSeconds, len(f.Pages))
			}
			wantPage, moved := int32(2), false
			for _, e := range tc.events {
				if e.Type == "page" {
					wantPage, moved = e.Page, true
				}
			}
			if f.CurrentPage == nil || *f.CurrentPage != wantPage || f.PageMoved != moved {
				t.Fatalf("current page %v moved %v, want %d %v", f.CurrentPage, f.PageMoved, wantPage, moved)
			}
		})
	}

	refused := map[string][]study.Incoming{
		"page out of range": {ev("page", 11, time.Minute)},
		"sent twice":        {reading[0], reading[0]},
		"after the stop":    {stop, ev("heartbeat", 0, 50*time.Minute)},
		"before the start":  {ev("heartbeat", 0, -time.Minute)},
	}
	for name, events := range refused {
		if _, err := study.Finish(study.FinishInput{Rules: rules, StartedAt: start, StartPage: 2, PageCount: 10, Events: events,
			LastHeard: start.Add(time.Hour), Now: start.Add(2 * time.Hour)}); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
