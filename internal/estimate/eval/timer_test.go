package eval

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/studysprint/studysprint/internal/estimate/sim"
	"github.com/studysprint/studysprint/internal/testdb"
)

// agree fails unless the timer's observations are the reference's: the
// same pages with the same visits, words and last reads, and seconds that
// differ only by the timer's rounding (whole seconds per page per session,
// so at most one a visit).
func agree(t *testing.T, what string, ref, db Observed) {
	t.Helper()
	if len(ref.Pages) == 0 || len(ref.Pages) != len(db.Pages) {
		t.Fatalf("%s: %d pages from the reference, %d from the timer", what, len(ref.Pages), len(db.Pages))
	}
	var sumRef, sumDB float64
	for i, r := range ref.Pages {
		d := db.Pages[i]
		if r.PDF != d.PDF || r.Page != d.Page || r.Visits != d.Visits || r.Words != d.Words || r.Kind != d.Kind ||
			!r.LastReadAt.Equal(d.LastReadAt) || math.Abs(r.Seconds-d.Seconds) > float64(r.Visits) {
			t.Fatalf("%s: page %d of %s: reference %+v, timer %+v", what, r.Page, r.PDF, r, d)
		}
		sumRef += r.Seconds
		sumDB += d.Seconds
	}
	if math.Abs(sumRef-sumDB) > 1e-3*sumRef {
		t.Fatalf("%s: %.0f s counted by the reference, %.0f by the timer", what, sumRef, sumDB)
	}
	if len(ref.Reading) != len(db.Reading) {
		t.Fatalf("%s: reading time of %d PDFs from the reference, %d from the timer", what, len(ref.Reading), len(db.Reading))
	}
	for pdf, pages := range ref.Reading {
		if len(pages) != len(db.Reading[pdf]) {
			t.Fatalf("%s: reading time of %d pages of %s from the reference, %d from the timer", what, len(pages), pdf, len(db.Reading[pdf]))
		}
		for page, secs := range pages {
			if d := db.Reading[pdf][page]; math.Abs(secs-d) > math.Max(2, 0.01*secs) {
				t.Fatalf("%s: reading time of page %d of %s: reference %.0f s, timer %.0f s", what, page, pdf, secs, d)
			}
		}
	}
	if len(ref.Exercises) != len(db.Exercises) {
		t.Fatalf("%s: %d exercises from the reference, %d from the timer", what, len(ref.Exercises), len(db.Exercises))
	}
	for i, r := range ref.Exercises {
		d := db.Exercises[i]
		if r.Exercise != d.Exercise || math.Abs(r.Seconds-d.Seconds) > 1 || !r.LastAt.Equal(d.LastAt) {
			t.Fatalf("%s: exercise: reference %+v, timer %+v", what, r, d)
		}
	}
}

// TestTimerAgreesWithReference feeds the same generated logs to the real
// timer (database) and to the reference, session by session, whole and cut
// at page turns as Run cuts them: both derive the same page_stats.
func TestTimerAgreesWithReference(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	timer := NewTimer(testdb.Pool(t))
	ref, pieces := NewReference(), NewReference()
	logs := sim.Generate(sim.Config{Seed: 4, Students: 2, PDFs: 3})
	if testing.Short() {
		logs = logs[:1]
	}
	for _, l := range logs {
		var a, b, c Observed
		var err error
		for _, s := range l.Sessions {
			if a, err = ref.Feed(ctx, l.Student, []sim.Session{s}); err != nil {
				t.Fatal(err)
			}
			parts := []sim.Session{s}
			if s.Exercise == uuid.Nil {
				parts = cut(s, func(turn int) bool { return turn%3 == 0 })
			}
			if b, err = timer.Feed(ctx, l.Student, parts); err != nil {
				t.Fatal(err)
			}
			if c, err = pieces.Feed(ctx, l.Student, parts); err != nil {
				t.Fatal(err)
			}
		}
		agree(t, "whole sessions vs the timer", a, b)
		agree(t, "cut sessions vs the timer", c, b)
	}
}

// TestTimerRun: a small evaluation through the timer scores the same
// cases as through the reference, with the same actuals (to the timer's
// rounding).
func TestTimerRun(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("a small evaluation against the database")
	}
	cfg := Config{Sim: sim.Config{Seed: 5, Students: 2, PDFs: 3}}
	start := time.Now()
	db, err := Run(context.Background(), cfg, NewTimer(testdb.Pool(t)))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("through the timer in %v", time.Since(start).Round(time.Millisecond))
	ref, err := Run(context.Background(), cfg, NewReference())
	if err != nil {
		t.Fatal(err)
	}
	if db.PDFs != ref.PDFs || len(db.Cases) != len(ref.Cases) || len(db.Cases) == 0 {
		t.Fatalf("timer: %d PDFs, %d cases; reference: %d PDFs, %d cases", db.PDFs, len(db.Cases), ref.PDFs, len(ref.Cases))
	}
	for i, r := range ref.Cases {
		d := db.Cases[i]
		if r.PDF.ID != d.PDF.ID || r.Checkpoint != d.Checkpoint || r.Remaining != d.Remaining ||
			math.Abs(r.Actual-d.Actual) > 0.01*r.Actual+float64(r.Remaining) {
			t.Errorf("case %d: reference %s at %d %%: %d left, %.0f s; timer %s: %d left, %.0f s", i,
				r.PDF.ID, r.Checkpoint, r.Remaining, r.Actual, d.PDF.ID, d.Remaining, d.Actual)
		}
	}
}
