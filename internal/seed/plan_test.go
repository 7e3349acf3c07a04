package seed

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/google/uuid"
)

// content is a session without its ids: when and what the client sent.
func content(s *rawSession) string {
	out := fmt.Sprintf("%s p%d %v %v|", s.startedAt.Format(time.RFC3339), s.startPage, s.pomodoro, s.stopped)
	for i, e := range s.events {
		out += fmt.Sprintf("%s %d %s %s;", e.Type, e.Page, e.At.Format(time.RFC3339), s.received[i].Format(time.RFC3339))
	}
	return out
}

func history(t *testing.T, o Options, index int) (contents []string, ids []uuid.UUID) {
	t.Helper()
	u, err := planUser(o, index)
	if err != nil {
		t.Fatal(err)
	}
	ids = append(ids, u.row.ID)
	pl := &player{u: u, g: u.gen, heartbeat: o.Heartbeat, until: o.Until, days: o.Days}
	err = pl.play(func(s *rawSession) error {
		contents = append(contents, content(s))
		ids = append(ids, s.id)
		for _, e := range s.events {
			ids = append(ids, e.ID)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return contents, ids
}

// TestHistoryIsDeterministic: the same options give the same history; a
// prefix changes only the ids; another seed another history. The first
// user studies every day.
func TestHistoryIsDeterministic(t *testing.T) {
	t.Parallel()
	o := Options{Users: 2, Days: 30, PDFsPerUser: 4, Seed: 3, Prefix: "x", Heartbeat: 30 * time.Second,
		Until: time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)}
	a, aIDs := history(t, o, 0)
	b, bIDs := history(t, o, 0)
	if len(a) == 0 || !reflect.DeepEqual(a, b) || !reflect.DeepEqual(aIDs, bIDs) {
		t.Fatalf("two runs differ (%d and %d sessions)", len(a), len(b))
	}
	days := map[string]bool{}
	for _, s := range a {
		days[s[:10]] = true
	}
	if len(days) < o.Days-1 { // the last day may end before its session does
		t.Fatalf("the daily user studied on %d of %d days", len(days), o.Days)
	}

	o.Prefix = "y"
	c, cIDs := history(t, o, 0)
	if !reflect.DeepEqual(a, c) {
		t.Fatal("another prefix changed the history")
	}
	seen := map[uuid.UUID]bool{}
	for _, id := range aIDs {
		seen[id] = true
	}
	for _, id := range cIDs {
		if seen[id] {
			t.Fatalf("id %s in both prefixes' runs", id)
		}
	}

	o.Seed = 4
	if d, _ := history(t, o, 0); reflect.DeepEqual(a, d) {
		t.Fatal("another seed gave the same history")
	}
}
