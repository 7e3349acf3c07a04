package seed

import (
	"math"
	"time"

	"github.com/google/uuid"

	"github.com/studysprint/studysprint/internal/study"
)

// rawSession is one generated session: what a reader app sent to the timer
// (start, events, the server time each batch arrived), before the timer's
// rules have made anything of it.
type rawSession struct {
	id        uuid.UUID
	pdf       *pdf
	exercise  *exercise
	completes bool  // the exercise is done after this session
	score     int16 // its score then
	pomodoro  bool
	rules     study.Rules
	startedAt time.Time
	startPage int32
	events    []study.Incoming
	received  []time.Time // per event: when its batch reached the server
	stopped   bool
	rating    *int16
}

// lastHeard is when the server last heard of the session: its last batch,
// or the start request.
func (s *rawSession) lastHeard() time.Time {
	if n := len(s.received); n > 0 {
		return s.received[n-1]
	}
	return s.startedAt
}

// settleAt is when the timer settles the session: at its stop, or — with
// none — the first moment the sweeper may end it for inactivity.
func (s *rawSession) settleAt() time.Time {
	if s.stopped {
		return s.lastHeard()
	}
	return s.lastHeard().Add(2*s.rules.IdleThreshold + time.Second)
}

// end is when the session ends (what study.End will say): at the stop, or
// the idle threshold after its last event.
func (s *rawSession) end() time.Time {
	last := s.startedAt
	if n := len(s.events); n > 0 {
		last = s.events[n-1].At
	}
	if s.stopped {
		return last
	}
	return last.Add(s.rules.IdleThreshold)
}

// player plays one user's history day by day.
type player struct {
	u         *user
	g         *gen
	heartbeat time.Duration
	until     time.Time
	days      int
	last      time.Time // when the previous session was settled
}

// play generates the user's sessions in time order, up to until.
func (pl *player) play(emit func(*rawSession) error) error {
	loc, h := pl.u.loc, pl.u.habits
	local := pl.until.In(loc)
	lastDay := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, loc)
	for d := pl.days - 1; d >= 0; d-- {
		day := lastDay.AddDate(0, 0, -d)
		if !h.daily && !pl.g.chance(h.dayP) {
			continue
		}
		n := 1
		switch x := pl.g.rng.Float64(); {
		case x > 0.95:
			n = 4
		case x > 0.75:
			n = 3
		case x > 0.4:
			n = 2
		}
		secs := int(pl.g.uniform(h.hourLo, h.hourHi) * 3600)
		t := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, secs, 0, loc)
		latest := time.Date(day.Year(), day.Month(), day.Day(), 23, 30, 0, 0, loc)
		for k := range n {
			if earliest := pl.last.Add(10 * time.Minute); t.Before(earliest) {
				t = earliest.Add(time.Duration(pl.g.intn(0, 1800)) * time.Second)
			}
			if k > 0 && t.After(latest) {
				break
			}
			s := pl.session(t, h.daily && k == 0)
			if s == nil {
				break
			}
			end := s.end()
			if end.After(pl.until) || s.settleAt().After(pl.until) {
				return nil // the history ends before this session does
			}
			if err := emit(s); err != nil {
				return err
			}
			// The next session starts after this one is settled: a session
			// without a stop ends for inactivity (by the sweeper) before the
			// next start, instead of being superseded by it.
			pl.last = s.settleAt()
			t = end.Add(time.Duration(pl.g.intn(20*60, 4*3600)) * time.Second)
		}
	}
	return nil
}

// session picks what the user studies at t: an exercise whose pages have
// been read, one of the (at most two) PDFs being read, or, with everything
// read, a chapter of an earlier PDF again. nil: nothing to study yet.
func (pl *player) session(t time.Time, long bool) *rawSession {
	var avail, unread []*pdf
	for _, p := range pl.u.pdfs {
		if p.available.After(t) {
			continue
		}
		avail = append(avail, p)
		if !p.finished {
			unread = append(unread, p)
		}
	}
	if len(avail) == 0 {
		return nil
	}
	var pending *exercise
	for _, e := range pl.u.exercises {
		if !e.done && !e.pdf.available.After(t) && e.pdf.next > e.row.PageEnd {
			pending = e
			break
		}
	}
	switch {
	case pending != nil && (len(unread) == 0 || pl.g.chance(0.25)):
		return pl.exerciseSession(pending, t)
	case len(unread) > 0:
		p := unread[0]
		if len(unread) > 1 && pl.g.chance(0.35) {
			p = unread[1]
		}
		return pl.reading(p, t, false, long)
	default:
		return pl.reading(pick(pl.g, avail), t, true, long)
	}
}

// builder writes one session's events.
type builder struct {
	pl       *player
	s        *rawSession
	t        time.Time
	page     int32         // the page the student is on
	workLeft time.Duration // pomodoro: reading left in this work phase
	cycle    int
}

func (pl *player) begin(p *pdf, e *exercise, t time.Time, startPage int32) *builder {
	pomodoro := pl.g.chance(pl.u.habits.pomodoroP)
	s := &rawSession{
		id: pl.g.id(t), pdf: p, exercise: e, pomodoro: pomodoro,
		rules:     study.RulesFromPreferences(pl.u.prefsRow, pomodoro),
		startedAt: t, startPage: startPage,
	}
	if pl.g.chance(0.15) {
		r := int16(pl.g.intn(1, 5))
		s.rating = &r
	}
	b := &builder{pl: pl, s: s, t: t, page: startPage, cycle: 1}
	if pomodoro {
		b.workLeft = s.rules.Pomodoro.Work
	}
	return b
}

func (b *builder) emit(t study.EventType, page int32) {
	b.s.events = append(b.s.events, study.Incoming{ID: b.pl.g.id(b.t), Type: string(t), Page: page, At: b.t})
	if t == study.EventPage {
		b.page = page
	}
}

func (b *builder) wait(lo, hi int) { b.t = b.t.Add(time.Duration(b.pl.g.intn(lo, hi)) * time.Second) }

// turn goes to page (a page event now).
func (b *builder) turn(page int32) { b.emit(study.EventPage, page) }

// read stays on the current page for d of reading: a heartbeat every
// heartbeat interval, now and then a pause or a distraction (the app in the
// background, silent past the idle threshold), and with pomodoro a break
// (heartbeats go on: the app is open) after each work phase.
func (b *builder) read(d time.Duration) {
	h, hb := b.pl.u.habits, b.pl.heartbeat
	p := b.s.rules.Pomodoro
	for d > 0 {
		step := min(hb, d)
		if p != nil && b.workLeft <= step {
			b.t, d = b.t.Add(b.workLeft), d-b.workLeft
			brk := p.ShortBreak
			if b.cycle%p.LongBreakEvery == 0 {
				brk = p.LongBreak
			}
			end := b.t.Add(brk)
			for b.t.Add(hb).Before(end) {
				b.t = b.t.Add(hb)
				b.emit(study.EventHeartbeat, 0)
			}
			b.t, b.workLeft = end, p.Work
			b.cycle++
			continue
		}
		b.t, d = b.t.Add(step), d-step
		b.workLeft -= step
		if d <= 0 {
			break
		}
		minutes := step.Minutes()
		switch {
		case b.pl.g.chance(h.pausePM * minutes):
			b.emit(study.EventPause, 0)
			b.wait(2*60, 25*60)
			b.emit(study.EventResume, 0)
		case b.pl.g.chance(h.distractPM * minutes):
			idle := b.s.rules.IdleThreshold
			b.t = b.t.Add(time.Duration(float64(idle) * b.pl.g.uniform(1.2, 1.6))).Add(time.Duration(b.pl.g.intn(0, 1800)) * time.Second)
			b.emit(study.EventHeartbeat, 0)
		default:
			b.emit(study.EventHeartbeat, 0)
		}
	}
}

// finish ends the session: a stop (most of the time) or silence, then the
// batches the client sent.
func (b *builder) finish() *rawSession {
	s := b.s
	if b.pl.g.chance(b.pl.u.habits.stopP) {
		b.wait(1, 15)
		b.emit(study.EventStop, 0)
		s.stopped = true
	}
	// A client sends a batch every 20 events, before going quiet for more
	// than two minutes, and at once for a pause or a stop.
	s.received = make([]time.Time, len(s.events))
	from := 0
	for i, e := range s.events {
		last := i == len(s.events)-1
		if last || i-from == 19 || e.Type == string(study.EventPause) || e.Type == string(study.EventStop) ||
			s.events[i+1].At.Sub(e.At) > 2*time.Minute {
			for k := from; k <= i; k++ {
				s.received[k] = e.At
			}
			from = i + 1
		}
	}
	return s
}

// reading is a session on p: from its current page to where the reading
// goes on (or, in review, a chapter read again), page after page for about
// the planned time, with a re-read or a flip now and then.
func (pl *player) reading(p *pdf, t time.Time, review, long bool) *rawSession {
	h := pl.u.habits
	b := pl.begin(p, nil, t, p.current)
	planned := time.Duration(clamp(pl.g.logn(h.sessionMin, 0.45), 10, 180) * float64(time.Minute))
	if long {
		planned = max(planned, 30*time.Minute)
	}
	target := p.next
	switch {
	case review:
		target = pick(pl.g, p.chapters)
	case p.next == 1 && h.jumpFront:
		target = p.chapters[0]
	}
	if target != b.page {
		b.wait(2, 8)
		b.turn(target)
	}
	for {
		b.read(pl.dwell(p, b.page))
		if !review {
			p.next = max(p.next, b.page+1)
			p.finished = p.next > p.bodyEnd
		}
		if b.t.Sub(t) >= planned {
			break
		}
		next := b.page + 1
		switch {
		case b.page > 1 && pl.g.chance(h.rereadP):
			next = max(1, b.page-int32(pl.g.intn(1, 3)))
		case pl.g.chance(h.flipP):
			for range pl.g.intn(2, 4) {
				if next >= p.bodyEnd {
					break
				}
				b.turn(next)
				b.wait(1, 2)
				next++
			}
		}
		if next > p.bodyEnd {
			break
		}
		b.turn(next)
	}
	p.current = b.page
	return b.finish()
}

// exerciseSession works exercise e: its pages one after the other, each
// for minutes (more the harder it is), sometimes back to the first page to
// check; done after it most of the time.
func (pl *player) exerciseSession(e *exercise, t time.Time) *rawSession {
	p := e.pdf
	b := pl.begin(p, e, t, e.row.PageStart)
	per := 420 * math.Pow(1.35, float64(e.row.Difficulty-3))
	for page := e.row.PageStart; page <= e.row.PageEnd; page++ {
		if page != b.page {
			b.turn(page)
		}
		b.read(time.Duration(clamp(pl.g.logn(per, 0.4), 60, 2400)) * time.Second)
	}
	if pl.g.chance(0.4) {
		b.turn(e.row.PageStart)
		b.read(time.Duration(pl.g.intn(60, 300)) * time.Second)
	}
	p.current = b.page
	s := b.finish()
	e.sessions++
	if e.sessions >= 3 || pl.g.chance(0.7) {
		e.done = true
		s.completes, s.score = true, int16(pl.g.intn(40, 100))
	}
	return s
}

// dwell is how long the student stays on a page: words at their pace,
// times the page's difficulty and lognormal noise, plus a per-page
// overhead; front matter and blank pages are flipped past, figures looked
// at, and once in a long while the student is stuck on a page.
func (pl *player) dwell(p *pdf, page int32) time.Duration {
	g, h := pl.g, pl.u.habits
	i := page - 1
	var s float64
	switch p.kinds[i] {
	case pageBlank:
		return time.Second
	case pageFront:
		if p.words[i] < 100 || g.chance(0.7) {
			return time.Duration(g.intn(1, 4)) * time.Second
		}
		s = float64(p.words[i]) * h.spw
	case pageFigure:
		s = g.logn(35, 0.4)
	default:
		s = float64(max(p.words[i], 0)) * h.spw * p.diff[i]
	}
	s = s*g.logn(1, h.noise) + h.overhead
	if g.chance(0.003) {
		s += g.uniform(12, 25) * 60
	}
	return time.Duration(math.Round(clamp(s, 2, 2400))) * time.Second
}
