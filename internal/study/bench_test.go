package study

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
)

// benchEvents is a long pomodoro session: an event every 5 s on average
// (heartbeats, a page turn about every 80 s, a pause now and then), from
// seq first on, starting at offset from.
func benchEvents(start time.Time, n int, first int64, from time.Duration) []Event {
	out := make([]Event, n)
	page := int32(1)
	at := from
	for i := range out {
		at += time.Duration(3+i%5) * time.Second
		e := Event{ID: uuid.NewSHA1(uuid.NameSpaceOID, fmt.Appendf(nil, "%d", first+int64(i))), Type: EventHeartbeat, At: start.Add(at), Seq: first + int64(i)}
		switch {
		case i%16 == 0:
			page++
			e.Type, e.Page = EventPage, page
		case i%97 == 0:
			e.Type = EventPause
		case i%97 == 5:
			e.Type = EventResume
		}
		out[i] = e
	}
	return out
}

var benchRules = withPomodoro(defaultRules, 1500, 300, 900, 4)

// BenchmarkApply100 folds a batch of 100 events into the checkpoint of a
// session that already has 5,000 (about 7 hours and 300 pages).
func BenchmarkApply100(b *testing.B) {
	long := Replay(benchRules, t0, 1, benchEvents(t0, 5000, 1, 0))
	batch := benchEvents(t0, 100, 5001, long.At)
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		c := roundTrip(b, long)
		b.StartTimer()
		for _, e := range batch {
			if err := c.Apply(benchRules, e); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkIngest100 is the pure part of ingesting a batch of 100 into that
// session: decode the stored checkpoint, Apply, Summarize, encode it again.
func BenchmarkIngest100(b *testing.B) {
	long := Replay(benchRules, t0, 1, benchEvents(t0, 5000, 1, 0))
	raw, err := json.Marshal(long)
	if err != nil {
		b.Fatal(err)
	}
	batch := benchEvents(t0, 100, 5001, long.At)
	b.ReportAllocs()
	for b.Loop() {
		var c Checkpoint
		if err := json.Unmarshal(raw, &c); err != nil {
			b.Fatal(err)
		}
		for _, e := range batch {
			if err := c.Apply(benchRules, e); err != nil {
				b.Fatal(err)
			}
		}
		_ = c.Summarize(benchRules, c.LastEventAt())
		if _, err := json.Marshal(c); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(raw)), "checkpoint-bytes")
}

// BenchmarkReplay5000 rebuilds that session from its 5,000 events, given
// in reverse order.
func BenchmarkReplay5000(b *testing.B) {
	events := benchEvents(t0, 5000, 1, 0)
	for i, j := 0, len(events)-1; i < j; i, j = i+1, j-1 {
		events[i], events[j] = events[j], events[i]
	}
	b.ReportAllocs()
	for b.Loop() {
		_ = Replay(benchRules, t0, 1, events)
	}
}

// BenchmarkSummarize is the state endpoint's work on that session.
func BenchmarkSummarize(b *testing.B) {
	long := Replay(benchRules, t0, 1, benchEvents(t0, 5000, 1, 0))
	now := long.LastEventAt().Add(2 * time.Minute)
	b.ReportAllocs()
	for b.Loop() {
		_ = long.Summarize(benchRules, now)
	}
}
