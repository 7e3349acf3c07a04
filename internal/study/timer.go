package study

import (
	"cmp"
	"fmt"
	"slices"
	"time"
)

// maxOffset is how far after the start an event may lie (about a century).
// It keeps every offset, and every sum of two, inside an int64.
const maxOffset = 100 * 365 * 24 * time.Hour

// Checkpoint is the folded state of a session at its position (the last
// applied event, or the start): the class totals, the open visit, the
// closed per-page and per-bucket totals, the pause, pomodoro and stop state.
// It is stored as jsonb; a JSON round trip gives an equal value
// (reflect.DeepEqual) and equal summaries.
//
// Every instant but StartedAt is an offset from StartedAt in nanoseconds,
// which keeps the JSON compact and exact whatever the rules' durations are;
// StartedAt is UTC to the microsecond. A checkpoint holds maps: a copy of
// the value shares them, so Apply to one copy changes the other; copy
// through JSON.
type Checkpoint struct {
	StartedAt time.Time `json:"started_at"`

	// Applied counts the events applied (0: the position is the start).
	Applied int64 `json:"applied,omitempty"`
	// At and Seq are the position: the offset and Seq of the last applied
	// event. After a stop they stay at the stop.
	At  time.Duration `json:"at,omitempty"`
	Seq int64         `json:"seq,omitempty"`

	Stopped bool `json:"stopped,omitempty"` // the position is the session's stop
	Paused  bool `json:"paused,omitempty"`
	// Page is the current page (latest page event or the start page, 0 when
	// none); Visit is the open visit to it, present exactly when the session
	// is running (not paused, not stopped) and Page > 0.
	Page  int32  `json:"page,omitempty"`
	Visit *Visit `json:"visit,omitempty"`

	// The class totals up to the position; they sum to At.
	Active     time.Duration `json:"active,omitempty"`
	PausedTime time.Duration `json:"paused_time,omitempty"`
	Idle       time.Duration `json:"idle,omitempty"`
	Break      time.Duration `json:"break,omitempty"`

	// Pomodoro state (empty when the session started with pomodoro off).
	// WorkDone is the Active time of the current work phase; BreakEnd the
	// offset at which the current break's wall time is over.
	Phase    Phase         `json:"phase,omitempty"`
	Cycle    int           `json:"cycle,omitempty"`
	WorkDone time.Duration `json:"work_done,omitempty"`
	BreakEnd time.Duration `json:"break_end,omitempty"`

	// Pages has an entry for every page visited (skims included) with the
	// totals of its closed counted visits.
	Pages map[int32]PageState `json:"pages,omitempty"`
	// Buckets holds the totals per BucketSize bucket, keyed by the bucket's
	// index counted from the bucket StartedAt falls in.
	Buckets map[int64]BucketState `json:"buckets,omitempty"`
}

// Visit is the open visit to the checkpoint's current page.
type Visit struct {
	Start time.Duration `json:"start"` // offset of the visit's start
	Dwell time.Duration `json:"dwell"` // Active time since then
}

// PageState is the closed totals of one page: Read (sum of counted, capped
// dwells), Visits (counted dwells), First (start of the first counted dwell)
// and Last (end of the last one), as offsets; First and Last mean something
// only when Visits > 0.
type PageState struct {
	Read   time.Duration `json:"r,omitempty"`
	Visits int           `json:"v,omitempty"`
	First  time.Duration `json:"f,omitempty"`
	Last   time.Duration `json:"l,omitempty"`
}

// BucketState is the closed totals of one bucket: Active time inside it,
// Read (counted, capped dwells that began in it) and Reads (their number).
type BucketState struct {
	Active time.Duration `json:"a,omitempty"`
	Read   time.Duration `json:"r,omitempty"`
	Reads  int           `json:"n,omitempty"`
}

// NewCheckpoint is the state of a session that has just started. With
// startPage > 0 a visit to that page begins at the start.
func NewCheckpoint(r Rules, startedAt time.Time, startPage int32) Checkpoint {
	c := Checkpoint{StartedAt: normTime(startedAt)}
	if r.norm().Pomodoro != nil {
		c.Phase, c.Cycle = PhaseWork, 1
	}
	if startPage > 0 {
		c.openVisit(startPage, 0)
	}
	return c
}

// Apply folds one event into the checkpoint. Events must come in (At, Seq)
// order after the checkpoint's position (c.After(e) reports whether that
// holds); otherwise Apply returns an error wrapping ErrOutOfOrder and leaves
// c unchanged, and the caller replays the session. An invalid event (see
// ErrInvalidEvent) is refused the same way. Events after a stop are ignored
// (no error, the position stays at the stop).
func (c *Checkpoint) Apply(r Rules, e Event) error {
	if !e.Type.Valid() {
		return fmt.Errorf("%w: unknown type %q", ErrInvalidEvent, e.Type)
	}
	if e.Type == EventPage && e.Page < 1 {
		return fmt.Errorf("%w: page event on page %d", ErrInvalidEvent, e.Page)
	}
	at := normTime(e.At)
	if !c.after(at, e.Seq) {
		pos, seq := c.Position()
		return fmt.Errorf("%w: event (%s, %d), position (%s, %d)", ErrOutOfOrder,
			at.Format(time.RFC3339Nano), e.Seq, pos.Format(time.RFC3339Nano), seq)
	}
	off := at.Sub(c.StartedAt)
	if off > maxOffset {
		return fmt.Errorf("%w: %s is more than a century after the start", ErrInvalidEvent, at.Format(time.RFC3339))
	}
	if c.Stopped {
		return nil
	}
	r = r.norm()
	c.advance(r, off)
	c.At, c.Seq = off, e.Seq
	c.Applied++
	switch e.Type {
	case EventPage:
		c.Paused = false
		if r.Pomodoro != nil && c.inBreak() {
			c.endBreak()
		}
		if c.Visit == nil || c.Page != e.Page {
			c.closeVisit(r, off)
			c.openVisit(e.Page, off)
		}
	case EventHeartbeat:
		// a sign of life only: the idle budget restarts at the new position
	case EventPause:
		if !c.Paused {
			c.Paused = true
			c.closeVisit(r, off)
		}
	case EventResume:
		if c.Paused {
			c.Paused = false
			if c.Page > 0 {
				c.openVisit(c.Page, off)
			}
		}
	case EventStop:
		c.closeVisit(r, off)
		c.Paused = false
		c.Stopped = true
	}
	return nil
}

// After reports whether e sorts after the last applied event in (At, Seq)
// order, or, before any event, whether e is at or after the start.
func (c Checkpoint) After(e Event) bool { return c.after(normTime(e.At), e.Seq) }

func (c Checkpoint) after(at time.Time, seq int64) bool {
	off := at.Sub(c.StartedAt)
	if c.Applied == 0 {
		return off >= 0
	}
	return off > c.At || off == c.At && seq > c.Seq
}

// Position is the last applied event's At and Seq (the start and 0 if none).
func (c Checkpoint) Position() (at time.Time, seq int64) {
	return c.StartedAt.Add(c.At), c.Seq
}

// StoppedAt is the stop's At, if the session has been stopped.
func (c Checkpoint) StoppedAt() *time.Time {
	if !c.Stopped {
		return nil
	}
	t := c.StartedAt.Add(c.At)
	return &t
}

// LastEventAt is the At of the last applied event (the start if none).
func (c Checkpoint) LastEventAt() time.Time { return c.StartedAt.Add(c.At) }

// Replay builds the checkpoint from all of a session's events in any order:
// it applies a copy sorted by (At, Seq), ties broken by ID, type and page,
// and skips the events Apply refuses (unknown type, page below 1, before the
// start, a repeated (At, Seq)).
func Replay(r Rules, startedAt time.Time, startPage int32, events []Event) Checkpoint {
	c := NewCheckpoint(r, startedAt, startPage)
	sorted := make([]Event, len(events))
	for i, e := range events {
		e.At = normTime(e.At)
		sorted[i] = e
	}
	slices.SortFunc(sorted, compareEvents)
	for _, e := range sorted {
		_ = c.Apply(r, e) // a refused event is skipped, as documented
	}
	return c
}

func compareEvents(a, b Event) int {
	if c := a.At.Compare(b.At); c != 0 {
		return c
	}
	if c := cmp.Compare(a.Seq, b.Seq); c != 0 {
		return c
	}
	if c := slices.Compare(a.ID[:], b.ID[:]); c != 0 {
		return c
	}
	if c := cmp.Compare(a.Type, b.Type); c != 0 {
		return c
	}
	return cmp.Compare(a.Page, b.Page)
}

func (c *Checkpoint) inBreak() bool {
	return c.Phase == PhaseShortBreak || c.Phase == PhaseLongBreak
}

// advance extends the timeline from the position to offset t (no event in
// between), classifying the time and moving the pomodoro.
func (c *Checkpoint) advance(r Rules, t time.Duration) {
	cur := c.At
	p := r.Pomodoro
	if p != nil && c.Cycle == 0 {
		// pomodoro rules on a checkpoint started without: cycle 1 from here
		c.Phase, c.Cycle = PhaseWork, 1
	}
	if c.Paused {
		c.PausedTime += t - cur
		if p != nil && c.inBreak() && c.BreakEnd <= t {
			c.endBreak()
		}
		return
	}
	var used time.Duration // idle budget used since the position (an event)
	for {
		if p != nil {
			if !c.inBreak() && c.WorkDone >= p.Work {
				c.startBreak(p, cur)
			}
			if c.inBreak() {
				if c.BreakEnd > cur {
					end := min(c.BreakEnd, t)
					c.Break += end - cur
					cur = end
					if cur < c.BreakEnd {
						return
					}
				}
				c.endBreak()
			}
		}
		if cur == t {
			return
		}
		if used >= r.IdleThreshold {
			c.Idle += t - cur
			return
		}
		seg := min(t-cur, r.IdleThreshold-used)
		if p != nil {
			seg = min(seg, p.Work-c.WorkDone)
			c.WorkDone += seg
		}
		c.addActive(cur, seg)
		cur += seg
		used += seg
	}
}

func (c *Checkpoint) startBreak(p *Pomodoro, at time.Duration) {
	c.Phase, c.BreakEnd = PhaseShortBreak, at+p.ShortBreak
	if c.Cycle%p.LongBreakEvery == 0 {
		c.Phase, c.BreakEnd = PhaseLongBreak, at+p.LongBreak
	}
	c.WorkDone = 0
}

func (c *Checkpoint) endBreak() {
	c.Phase, c.BreakEnd, c.WorkDone = PhaseWork, 0, 0
	c.Cycle++
}

// bucketOf is the bucket index of offset off.
func (c *Checkpoint) bucketOf(off time.Duration) int64 {
	base := c.StartedAt.Sub(c.StartedAt.Truncate(BucketSize))
	return int64((base + off) / BucketSize)
}

// bucketStart is the offset at which bucket k begins (negative for bucket 0
// unless StartedAt is aligned).
func (c *Checkpoint) bucketStart(k int64) time.Duration {
	base := c.StartedAt.Sub(c.StartedAt.Truncate(BucketSize))
	return time.Duration(k)*BucketSize - base
}

// addActive adds d of Active time from offset from: to the totals, the open
// visit's dwell and the buckets, split at their boundaries.
func (c *Checkpoint) addActive(from, d time.Duration) {
	if d <= 0 {
		return
	}
	c.Active += d
	if c.Visit != nil {
		c.Visit.Dwell += d
	}
	if c.Buckets == nil {
		c.Buckets = map[int64]BucketState{}
	}
	for d > 0 {
		k := c.bucketOf(from)
		n := min(d, c.bucketStart(k+1)-from)
		b := c.Buckets[k]
		b.Active += n
		c.Buckets[k] = b
		from += n
		d -= n
	}
}

func (c *Checkpoint) openVisit(page int32, at time.Duration) {
	c.Page = page
	c.Visit = &Visit{Start: at}
	if c.Pages == nil {
		c.Pages = map[int32]PageState{}
	}
	if _, ok := c.Pages[page]; !ok {
		c.Pages[page] = PageState{}
	}
}

// closeVisit ends the open visit (if any) at offset end and, unless it is a
// skim, credits its page and the bucket it began in.
func (c *Checkpoint) closeVisit(r Rules, end time.Duration) {
	v := c.Visit
	if v == nil {
		return
	}
	c.Visit = nil
	if v.Dwell <= 0 || v.Dwell < r.PageMin {
		return
	}
	sec := min(v.Dwell, r.PageMax)
	ps := c.Pages[c.Page]
	if ps.Visits == 0 {
		ps.First = v.Start
	}
	ps.Visits++
	ps.Read += sec
	ps.Last = end
	c.Pages[c.Page] = ps
	if c.Buckets == nil {
		c.Buckets = map[int64]BucketState{}
	}
	k := c.bucketOf(v.Start)
	b := c.Buckets[k]
	b.Read += sec
	b.Reads++
	c.Buckets[k] = b
}
