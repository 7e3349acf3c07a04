package study

import (
	"maps"
	"time"
)

// BucketSize: per-bucket totals split time at 15-minute UTC boundaries (every
// real time zone offset is a multiple of 15 minutes, so any local day is a
// whole number of buckets).
const BucketSize = 15 * time.Minute

// PageTotals is what a session did on one page.
type PageTotals struct {
	//lint:ignore ST1011 the name is the spec's contract (page_stats.seconds_read)
	Seconds     time.Duration // counted, capped dwells
	Visits      int           // counted dwells
	FirstReadAt time.Time     // start of the first counted dwell; zero when none
	LastReadAt  time.Time     // end of the last counted dwell; zero when none
	Visited     bool          // any visit, skims included
}

// BucketTotals is what a session did in one BucketSize bucket.
type BucketTotals struct {
	Active time.Duration // the Active time that falls inside the bucket (split exactly)
	//lint:ignore ST1011 the name is the spec's contract
	ReadSeconds time.Duration // counted, capped dwells, attributed to the bucket the dwell began in
	PagesRead   int           // counted dwells that began in the bucket
}

// Summary is a session up to Until.
type Summary struct {
	StartedAt time.Time
	Until     time.Time
	// Active, Paused, Idle and Break always sum to Until - StartedAt, none
	// negative.
	Active, Paused, Idle, Break time.Duration
	IsPaused                    bool  // the state at Until
	CurrentPage                 int32 // latest page (by At) or the start page; 0 when none
	// Pages has an entry for every page visited, skims included.
	Pages map[int32]PageTotals
	// Buckets has an entry for every bucket with Active time or a counted
	// dwell that began in it; key: bucket start, UTC, aligned to BucketSize.
	Buckets                 map[time.Time]BucketTotals
	PagesVisited, PagesRead int
	// Pomodoro state at Until (zero values when off). PhaseLeft is the Active
	// time the work phase still needs, or the wall time left of the break.
	Phase     Phase
	Cycle     int
	PhaseLeft time.Duration
}

// Summarize reports the session up to until (>= Position; earlier values
// are clamped to it; a stopped session ends at its stop): the timeline is
// extended from the last event to until with the same rules as Apply, and
// the open visit is closed at until. The checkpoint is not changed.
func (c Checkpoint) Summarize(r Rules, until time.Time) Summary {
	r = r.norm()
	t := c.At
	if !c.Stopped {
		t = max(t, min(normTime(until).Sub(c.StartedAt), maxOffset))
	}
	// Extend a copy. Only the buckets and the open visit's page can change,
	// so the copy holds those and not the other pages.
	x := c
	x.Buckets = maps.Clone(c.Buckets)
	x.Pages = nil
	if c.Visit != nil {
		v := *c.Visit
		x.Visit = &v
		x.Pages = map[int32]PageState{c.Page: c.Pages[c.Page]}
	}
	x.advance(r, t)
	x.closeVisit(r, t)

	s := Summary{
		StartedAt:   x.StartedAt,
		Until:       x.StartedAt.Add(t),
		Active:      x.Active,
		Paused:      x.PausedTime,
		Idle:        x.Idle,
		Break:       x.Break,
		IsPaused:    x.Paused,
		CurrentPage: x.Page,
		Pages:       make(map[int32]PageTotals, len(c.Pages)),
		Buckets:     make(map[time.Time]BucketTotals, len(x.Buckets)),
	}
	for page, ps := range c.Pages {
		if open, ok := x.Pages[page]; ok {
			ps = open
		}
		pt := PageTotals{Seconds: ps.Read, Visits: ps.Visits, Visited: true}
		if ps.Visits > 0 {
			pt.FirstReadAt = x.StartedAt.Add(ps.First)
			pt.LastReadAt = x.StartedAt.Add(ps.Last)
			s.PagesRead++
		}
		s.Pages[page] = pt
	}
	s.PagesVisited = len(s.Pages)
	for k, b := range x.Buckets {
		s.Buckets[x.StartedAt.Add(x.bucketStart(k))] = BucketTotals{Active: b.Active, ReadSeconds: b.Read, PagesRead: b.Reads}
	}
	if p := r.Pomodoro; p != nil {
		s.Phase, s.Cycle = x.Phase, x.Cycle
		if x.inBreak() {
			s.PhaseLeft = x.BreakEnd - t
		} else {
			s.PhaseLeft = p.Work - x.WorkDone
		}
	}
	return s
}
