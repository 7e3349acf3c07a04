package study

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"
)

// fuzzBytes reads the fuzz input; past its end it reads zeros.
type fuzzBytes []byte

func (b *fuzzBytes) next() int {
	if len(*b) == 0 {
		return 0
	}
	v := (*b)[0]
	*b = (*b)[1:]
	return int(v)
}

// fuzzPageCount bounds the pages of the fuzzed PDF.
const fuzzPageCount = 8

// fuzzCase is a session decoded from fuzz bytes: rules in whole seconds, a
// start a whole second near a bucket boundary and UTC midnight, and client
// batches with server receive times.
type fuzzCase struct {
	rules     Rules
	start     time.Time // as the client's clock gives it (nanoseconds, another zone)
	startPage int32
	batches   []fuzzBatch
	extend    []time.Duration // how far past the last event to summarise
	offSecond time.Duration   // the start's fraction of a second
}

type fuzzBatch struct {
	events []Incoming
	now    time.Time
}

func decodeFuzz(data []byte) fuzzCase {
	b := fuzzBytes(data)
	flags := b.next()
	var fc fuzzCase
	fc.rules = Rules{IdleThreshold: sec(5 + b.next()%120)}
	fc.rules.PageMin = sec(b.next() % 12)
	fc.rules.PageMax = fc.rules.PageMin + sec(1+b.next()%60)
	if flags&1 != 0 {
		fc.rules.Pomodoro = &Pomodoro{
			Work: sec(10 + b.next()%200), ShortBreak: sec(b.next() % 60),
			LongBreak: sec(b.next() % 120), LongBreakEvery: 1 + b.next()%4,
		}
	}
	// 23:40:00 minus up to ~21 minutes: sessions cross 15-minute boundaries
	// and midnight; with flag 16, off the second by some microseconds.
	base := time.Date(2026, 11, 25, 23, 40, 0, 0, time.UTC).Add(-sec(b.next() * 5))
	if flags&16 != 0 {
		fc.offSecond = time.Duration(1+b.next()) * 3907 * time.Microsecond
		base = base.Add(fc.offSecond)
	}
	if flags&2 != 0 {
		fc.startPage = int32(1 + b.next()%fuzzPageCount)
	}
	// The client's clock: nanoseconds below the microsecond and another zone,
	// which the package must normalise away.
	jitter := time.Duration(b.next() % 1000)
	zone := time.FixedZone("client", (b.next()%48-24)*1800)
	fc.start = base.Add(jitter).In(zone)
	for range 1 + (flags>>2)%3 {
		fc.extend = append(fc.extend, sec(b.next()*b.next()/8))
	}

	// Events in client order, then each delayed by up to 9 places (late
	// arrivals), then cut into batches.
	type gen struct {
		in      Incoming
		arrival int
		cut     bool
		early   bool // the server's clock lags: the batch's now is 3 minutes before
	}
	var gens []gen
	clock := time.Duration(0)
	for i := 0; len(b) > 0 && i < 80; i++ {
		kind, p, d, x := b.next(), b.next(), b.next(), b.next()
		switch {
		case d < 200:
			clock += sec(d % 70)
		case d < 250:
			clock += sec((d - 200) * 7)
		default:
			clock += time.Duration(d-249) * 5 * time.Minute // past an idle end
		}
		in := Incoming{ID: uuid.NewSHA1(uuid.NameSpaceOID, fmt.Appendf(nil, "%d", i)), At: base.Add(clock).Add(jitter).In(zone)}
		switch k := kind % 32; {
		case k < 12:
			in.Type = string(EventPage)
		case k < 19:
			in.Type = string(EventHeartbeat)
		case k < 24:
			in.Type = string(EventPause)
		case k < 30 || k == 30 && kind&0x40 == 0:
			in.Type = string(EventResume)
		case k == 30:
			in.Type = string(EventStop)
		default:
			in.Type = "nap"
		}
		in.Page = int32(1 + p%fuzzPageCount)
		if p == 255 {
			in.Page = fuzzPageCount + 1
		}
		if d == 199 {
			in.At = base.Add(-sec(5)) // before the start
		}
		// x: bits 0-1 cut the batch after this event when 0; bits 2-5 resend
		// (14: exactly, 15: the id only, maybe with other content) one of the
		// last four events (bits 3-4 of p); bits 6-7 delay its arrival.
		if mode := (x >> 2) & 15; mode >= 14 && len(gens) > 0 {
			prev := gens[max(0, len(gens)-1-(p>>3)&3)].in
			if mode == 14 {
				in = prev
			} else {
				in.ID = prev.ID
			}
		}
		gens = append(gens, gen{in: in, arrival: i + (x>>6)*3, cut: x%4 == 0, early: kind>>5 == 7})
	}
	slices.SortStableFunc(gens, func(a, b gen) int { return a.arrival - b.arrival })
	var cur fuzzBatch
	early := false
	flush := func() {
		if len(cur.events) == 0 {
			return
		}
		for _, e := range cur.events {
			if e.At.After(cur.now) {
				cur.now = e.At
			}
		}
		cur.now = cur.now.Add(time.Second)
		if early {
			cur.now = cur.now.Add(-3 * time.Minute)
		}
		fc.batches = append(fc.batches, cur)
		cur, early = fuzzBatch{}, false
	}
	for _, g := range gens {
		cur.events = append(cur.events, g.in)
		early = g.early // the last event's say
		if g.cut {
			flush()
		}
	}
	flush()
	return fc
}

func FuzzTimer(f *testing.F) {
	f.Add([]byte("\x07\x1e\x03\x14\x30\x10\x20\x02\x10\x05\x06\x07\x08\x09\x00\x05\x05\x00\x0c\x01\x0a\x01\x14\x00\x20\x02\x1e\x00\x0c\x03\x10\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		fc := decodeFuzz(data)
		checkTimer(t, fc)
	})
}

// checkTimer runs the ingestion the workflow will run (classify each batch,
// store what is accepted with increasing Seq, fold it into a checkpoint kept
// as JSON, replaying when a batch lies before the position) and checks the
// package's promises and an independent model of the rules.
func checkTimer(t *testing.T, fc fuzzCase) {
	r := fc.rules
	stored := map[uuid.UUID]Event{}
	var all []Event
	var seq int64
	cp, err := NewCheckpoint(r, fc.start, fc.startPage).MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	var lastHeard time.Time
	for _, batch := range fc.batches {
		var c Checkpoint
		if err := c.UnmarshalBinary(cp); err != nil {
			t.Fatal(err)
		}
		if back := roundTrip(t, c); !reflect.DeepEqual(back, c) {
			t.Fatalf("a JSON round trip changed the checkpoint:\n%+v\n%+v", c, back)
		}
		existing := map[uuid.UUID]Event{}
		for _, in := range batch.events {
			if e, ok := stored[in.ID]; ok {
				existing[in.ID] = e
			}
		}
		v := Classify(batch.events, existing, fc.start, c.StoppedAt(), fuzzPageCount, batch.now)
		if n := len(v.Accepted) + len(v.Duplicates) + len(v.Rejected); n != len(batch.events) {
			t.Fatalf("Classify answered for %d of %d events", n, len(batch.events))
		}
		var fresh []Event
		for _, in := range v.Accepted {
			seq++
			e := Event{ID: in.ID, Type: EventType(in.Type), Page: in.Page, At: in.At, Seq: seq}
			if _, dup := stored[e.ID]; dup || e.At != normTime(e.At) || !e.Type.Valid() {
				t.Fatalf("Classify accepted %+v", in)
			}
			stored[e.ID] = e
			fresh = append(fresh, e)
		}
		all = append(all, fresh...)
		slices.SortFunc(fresh, compareEvents)
		if len(fresh) > 0 && c.After(fresh[0]) {
			for _, e := range fresh {
				// the client's own clock reading: nanoseconds, its zone
				e.At = e.At.Add(fc.start.Sub(normTime(fc.start))).In(fc.start.Location())
				if err := c.Apply(r, e); err != nil {
					t.Fatalf("Apply(%+v) in order: %v", e, err)
				}
			}
		} else if len(fresh) > 0 {
			if err := c.Apply(r, fresh[0]); !errors.Is(err, ErrOutOfOrder) {
				t.Fatalf("Apply of an event before the position: %v", err)
			}
			c = Replay(r, fc.start, fc.startPage, all)
		}
		if cp, err = c.MarshalBinary(); err != nil {
			t.Fatal(err)
		}
		lastHeard = batch.now
	}

	final := Replay(r, fc.start, fc.startPage, all)
	var inc Checkpoint
	if err := inc.UnmarshalBinary(cp); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(inc, final) {
		t.Fatalf("batches folded through the stored form differ from Replay:\n%+v\n%+v", inc, final)
	}
	if back := roundTrip(t, final); !reflect.DeepEqual(back, final) {
		t.Fatalf("JSON round trip:\n%+v\n%+v", back, final)
	}

	sorted := slices.Clone(all)
	slices.SortFunc(sorted, compareEvents)
	one := NewCheckpoint(r, fc.start, fc.startPage)
	for _, e := range sorted {
		if err := one.Apply(r, e); err != nil {
			t.Fatalf("Apply(%+v) one by one: %v", e, err)
		}
	}
	if !reflect.DeepEqual(one, final) {
		t.Fatalf("one by one differs from Replay:\n%+v\n%+v", one, final)
	}
	perm := slices.Clone(all)
	rand.New(rand.NewPCG(uint64(len(all)), uint64(seq))).Shuffle(len(perm), func(i, j int) { perm[i], perm[j] = perm[j], perm[i] })
	if got := Replay(r, fc.start, fc.startPage, perm); !reflect.DeepEqual(got, final) {
		t.Fatal("a permutation replays differently")
	}
	slices.Reverse(perm)
	if got := Replay(r, fc.start, fc.startPage, append(perm, all...)); !reflect.DeepEqual(got, final) {
		t.Fatal("replaying every event twice differs")
	}

	// Sending every batch again stores nothing.
	for _, batch := range fc.batches {
		existing := map[uuid.UUID]Event{}
		for _, in := range batch.events {
			if e, ok := stored[in.ID]; ok {
				existing[in.ID] = e
			}
		}
		if v := Classify(batch.events, existing, fc.start, final.StoppedAt(), fuzzPageCount, batch.now); len(v.Accepted) > 0 {
			t.Fatalf("a resent batch had %d events accepted: %+v", len(v.Accepted), v.Accepted)
		}
	}

	// Summaries at the position, at the last event and beyond.
	pos, _ := final.Position()
	untils := []time.Time{pos}
	last := pos
	for _, e := range all {
		if e.At.After(last) {
			last = e.At
		}
	}
	for _, d := range fc.extend {
		untils = append(untils, last.Add(d))
	}
	slices.SortFunc(untils, time.Time.Compare)
	model := newModel(r, normTime(fc.start), fc.startPage, sorted)
	var prev Summary
	for i, u := range untils {
		s := final.Summarize(r, u)
		checkSummary(t, r, s)
		want := model.summary(u)
		if fc.offSecond != 0 {
			// The model counts whole seconds from the start, which then
			// straddle bucket boundaries: only checkSummary's bucket sums hold.
			want.Buckets = s.Buckets
		}
		if !reflect.DeepEqual(s, want) {
			t.Fatalf("until %v: summary differs from the model\n got %+v\nwant %+v", u, s, want)
		}
		if i > 0 && (s.Active < prev.Active || s.Paused < prev.Paused || s.Idle < prev.Idle || s.Break < prev.Break) {
			t.Fatalf("summaries go back in time: %+v then %+v", prev, s)
		}
		prev = s
		// Summarize extends the timeline as Apply does: a heartbeat at
		// until changes nothing up to until.
		hb := roundTrip(t, final)
		if err := hb.Apply(r, Event{Type: EventHeartbeat, At: s.Until, Seq: seq + 1}); err != nil && !errors.Is(err, ErrOutOfOrder) {
			t.Fatal(err)
		} else if err == nil && !reflect.DeepEqual(hb.Summarize(r, s.Until), s) {
			t.Fatalf("a heartbeat at until changed the summary at until")
		}
	}

	at, why, ended := End(final, r, "", lastHeard, lastHeard.Add(3*r.IdleThreshold))
	switch {
	case final.StoppedAt() != nil:
		if !ended || why != EndStopped || !at.Equal(*final.StoppedAt()) {
			t.Fatalf("End of a stopped session: %v %q %v", at, why, ended)
		}
	case lastHeard.IsZero():
	default:
		if !ended || why != EndIdle || at.Before(final.LastEventAt()) || at.After(final.LastEventAt().Add(r.IdleThreshold)) {
			t.Fatalf("End of an unheard session: %v %q %v", at, why, ended)
		}
	}
}

// model is a second-by-second simulation of the rules, written from the
// spec independently of the checkpoint's interval arithmetic. It needs the
// rules and the event times in whole seconds.
type model struct {
	r         Rules
	start     time.Time
	startPage int32
	events    []Event
}

func newModel(r Rules, start time.Time, startPage int32, sorted []Event) model {
	return model{r.norm(), start, startPage, sorted}
}

func (m model) summary(until time.Time) Summary {
	r, p := m.r, m.r.Pomodoro
	secOf := func(t time.Time) int64 { return int64(t.Sub(m.start) / time.Second) }
	end := secOf(until)
	thr := int64(r.IdleThreshold / time.Second)
	s := Summary{StartedAt: m.start, Pages: map[int32]PageTotals{}, Buckets: map[time.Time]BucketTotals{}}
	bucketOf := func(off int64) time.Time { return m.start.Add(sec(int(off))).Truncate(BucketSize) }

	paused, stopped := false, false
	cur := int32(0)
	open, openAt, dwell := false, int64(0), int64(0)
	inBreak, breakEnd, cycle, work := false, int64(0), 1, int64(0)
	var budget int64
	open1 := func(page int32, at int64) {
		cur, open, openAt, dwell = page, true, at, 0
		if _, ok := s.Pages[page]; !ok {
			s.Pages[page] = PageTotals{Visited: true}
		}
	}
	close1 := func(at int64) {
		if !open {
			return
		}
		open = false
		d := sec(int(dwell))
		if dwell == 0 || d < r.PageMin {
			return
		}
		pt := s.Pages[cur]
		if pt.Visits == 0 {
			pt.FirstReadAt = m.start.Add(sec(int(openAt)))
		}
		pt.Visits++
		pt.Seconds += min(d, r.PageMax)
		pt.LastReadAt = m.start.Add(sec(int(at)))
		s.Pages[cur] = pt
		b := s.Buckets[bucketOf(openAt)]
		b.ReadSeconds += min(d, r.PageMax)
		b.PagesRead++
		s.Buckets[bucketOf(openAt)] = b
	}
	if m.startPage > 0 {
		open1(m.startPage, 0)
	}
	i := 0
	var at int64
	for at = 0; ; at++ {
		if p != nil && inBreak && breakEnd <= at {
			inBreak, cycle, work = false, cycle+1, 0
		}
		for ; i < len(m.events) && secOf(m.events[i].At) == at && !stopped; i++ {
			e := m.events[i]
			budget = 0
			switch e.Type {
			case EventPage:
				wasPaused := paused
				paused = false
				if p != nil && inBreak {
					inBreak, cycle, work = false, cycle+1, 0
				}
				if wasPaused || !open || cur != e.Page {
					close1(at)
					open1(e.Page, at)
				}
			case EventPause:
				if !paused {
					paused = true
					close1(at)
				}
			case EventResume:
				if paused {
					paused = false
					if cur > 0 {
						open1(cur, at)
					}
				}
			case EventStop:
				close1(at)
				paused, stopped = false, true
			}
		}
		if stopped || at >= end && i == len(m.events) {
			break
		}
		switch {
		case paused:
			s.Paused += time.Second
		case p != nil && inBreak:
			s.Break += time.Second
		case budget < thr:
			budget++
			s.Active += time.Second
			if open {
				dwell++
			}
			b := s.Buckets[bucketOf(at)]
			b.Active += time.Second
			s.Buckets[bucketOf(at)] = b
			if p != nil {
				work++
				if sec(int(work)) >= p.Work {
					inBreak, work = true, 0
					breakEnd = at + 1 + int64(p.ShortBreak/time.Second)
					if cycle%p.LongBreakEvery == 0 {
						breakEnd = at + 1 + int64(p.LongBreak/time.Second)
					}
				}
			}
		default:
			s.Idle += time.Second
		}
	}
	close1(at)
	s.Until = m.start.Add(sec(int(at)))
	s.IsPaused, s.CurrentPage = paused, cur
	s.PagesVisited = len(s.Pages)
	for _, pt := range s.Pages {
		if pt.Visits > 0 {
			s.PagesRead++
		}
	}
	if p != nil {
		s.Cycle = cycle
		s.Phase, s.PhaseLeft = PhaseWork, p.Work-sec(int(work))
		if inBreak {
			s.Phase, s.PhaseLeft = PhaseShortBreak, sec(int(breakEnd-at))
			if cycle%p.LongBreakEvery == 0 {
				s.Phase = PhaseLongBreak
			}
		}
	}
	return s
}
