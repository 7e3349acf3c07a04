package sim

import (
	"math"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/studysprint/studysprint/internal/estimate"
)

// schedule plays the student's weeks: study days, sessions on one of the
// books in progress (two at a time, in library order) or on an exercise
// whose pages have been read.
func (g *gen) schedule(r *reader, st Student, books []*book, start time.Time) []Session {
	var sessions []Session
	var pending []Exercise
	exercises := slices.Clone(st.Exercises)
	readUpTo := map[uuid.UUID]int{} // per PDF: the highest page (1-based) read for the first time
	now := start
	inProgress := func() []*book {
		var active []*book
		for _, b := range books {
			if b.next < len(b.order) && len(active) < 2 {
				active = append(active, b)
			}
		}
		return active
	}
	for day := 0; day < days; day++ {
		exercises = slices.DeleteFunc(exercises, func(ex Exercise) bool {
			if readUpTo[ex.PDF] >= ex.PageEnd {
				pending = append(pending, ex)
				return true
			}
			return false
		})
		if len(inProgress()) == 0 && len(pending) == 0 {
			break
		}
		if !g.chance(r.dayP) {
			continue
		}
		n := g.sessionsToday()
		dayStart := start.Add(time.Duration(day) * 24 * time.Hour)
		// Times are whole milliseconds, as a reader app's clock gives them.
		t := dayStart.Add(time.Duration(g.uniform(7, 20) * float64(time.Hour))).Round(time.Millisecond)
		if t.Before(now) {
			t = now.Add(time.Hour)
		}
		for range n {
			if t.After(dayStart.Add(23 * time.Hour)) {
				break
			}
			var s Session
			active := inProgress()
			switch {
			case len(pending) > 0 && (len(active) == 0 || g.chance(0.3)):
				s = g.exerciseSession(r, st, pending[0], t, start)
				pending = pending[1:]
			case len(active) > 0:
				b := active[0]
				if len(active) > 1 && g.chance(0.35) {
					b = active[1]
				}
				s = g.readingSession(r, b, t, start)
				for _, i := range b.order[:b.next] {
					readUpTo[b.pdf.ID] = max(readUpTo[b.pdf.ID], i+1)
				}
			default:
				continue
			}
			sessions = append(sessions, s)
			now = s.Events[len(s.Events)-1].At
			t = now.Add(time.Duration(g.uniform(1, 4) * float64(time.Hour))).Round(time.Millisecond)
		}
	}
	return sessions
}

// sessionsToday is how many sessions a study day has: 1, 2 or 3.
func (g *gen) sessionsToday() int {
	switch x := g.rng.Float64(); {
	case x > 0.95:
		return 3
	case x > 0.7:
		return 2
	}
	return 1
}

// events builds one session's events.
type events struct {
	g   *gen
	t   time.Time // the time of the last event emitted (or the start)
	out []Event
}

func (e *events) at(d float64) time.Time {
	return e.t.Add(time.Duration(d * float64(time.Second)).Round(time.Millisecond))
}

func (e *events) emit(typ EventType, page int32, after float64) {
	e.t = e.at(after)
	e.out = append(e.out, Event{Type: typ, Page: page, At: e.t})
}

// active spends d seconds on the current page with the app in front:
// heartbeats every 30–60 s; the clock ends d seconds on, without an event
// (the next page, pause or stop marks the end).
func (e *events) active(d float64) {
	for d > 0 {
		step := e.g.uniform(30, 60)
		if step >= d {
			e.t = e.at(d)
			return
		}
		e.emit(EventHeartbeat, 0, step)
		d -= step
	}
}

// away leaves the app without events for d seconds, then it sends a
// heartbeat as it comes back to the front.
func (e *events) away(d float64) { e.emit(EventHeartbeat, 0, d) }

// dwell reads the current page for d active seconds with what can happen on
// a page: a short interruption, a pause, the app left in the background.
func (e *events) dwell(r *reader, page int32, d float64) {
	g := e.g
	switch {
	case g.chance(r.pauseP):
		u := d * g.rng.Float64()
		e.active(u)
		e.emit(EventPause, 0, 0)
		e.emit(EventResume, page, clamp(g.logn(300, 0.8), 60, 1800))
		e.active(d - u)
	case g.chance(r.distractP):
		u := d * g.rng.Float64()
		e.active(u)
		e.away(clamp(g.logn(900, 0.6), 330, 3600))
		e.active(d - u)
	default:
		if g.chance(r.interruptP) {
			d += g.uniform(60, 240) // the timer cannot tell this from reading
		}
		e.active(d)
	}
}

// readTime is the time the student really spends on a body page.
func (r *reader) readTime(g *gen, b *book, p page, day int, sessionSeconds float64) float64 {
	perWord := r.spw * p.diff * b.diff * r.topicFactor[b.pdf.Topic]
	noise := r.noise
	if b.pdf.Kind == estimate.KindExercise {
		perWord *= r.solve
		noise += 0.15
	}
	base := r.overhead + perWord*p.content + r.figure*p.figure
	mult := math.Exp(r.drift[min(day, days-1)]) *
		(1 - b.speedup*p.position) *
		g.unless(EffectFatigue, 1+0.1*sessionSeconds/3600) *
		g.unless(EffectPageNoise, g.logn(1, noise))
	return base * mult
}

func dayOf(t, start time.Time) int { return int(t.Sub(start).Hours() / 24) }

// readingSession reads on in book b from where the student left it.
func (g *gen) readingSession(r *reader, b *book, t0 time.Time, origin time.Time) Session {
	target := clamp(g.logn(r.sessionMin*60, 0.4), 15*60, 120*60)
	day := dayOf(t0, origin)
	s := Session{ID: g.uuid(), PDF: b.pdf.ID, StartAt: t0}
	e := &events{g: g, t: t0}
	if b.next == 0 && b.front > 0 && g.chance(r.jumpFront) {
		b.next = b.front // straight to the first chapter: the front matter is never opened
	}
	spent := 0.0 // active seconds so far
	if b.started && g.chance(0.25) && !g.off[EffectRereads] {
		// Look back at the last page read before going on.
		s.StartPage = int32(b.order[b.next-1] + 1)
		d := g.uniform(8, 40)
		e.active(d)
		spent += d
		e.emit(EventPage, int32(b.order[b.next]+1), 0)
	} else {
		s.StartPage = int32(b.order[b.next] + 1)
	}
	b.started = true
	for b.next < len(b.order) {
		i := b.order[b.next]
		p := b.pages[i]
		num := int32(i + 1)
		var d float64
		switch p.kind {
		case pageFront:
			d = g.uniform(0.8, 4)
			if p.words > 100 && g.chance(0.3) { // a preface read
				d = r.readTime(g, b, p, day, spent)
			}
		case pageTOC:
			d = g.uniform(1, 4)
			if g.chance(0.5) {
				d = g.uniform(8, 40)
			}
		case pageBlank:
			d = g.uniform(0.5, 3)
		case pageBack:
			d = g.uniform(0.8, 4)
		default:
			d = r.readTime(g, b, p, day, spent)
			if g.chance(r.stuckP) {
				d = g.uniform(12*60, 25*60)
			}
		}
		e.dwell(r, num, d)
		spent += d
		b.next++
		if b.next < len(b.order) && b.pages[b.order[b.next]].kind == pageBack && p.kind != pageBack && g.chance(0.7) {
			b.next = len(b.order) // done with the book: the back matter is never opened
		}
		if p.kind == pageBody && b.next > 3 && g.chance(r.rereadP) {
			back := b.order[b.next-1-g.intn(1, min(6, b.next-1))]
			e.emit(EventPage, int32(back+1), 0)
			d := g.uniform(15, 90)
			e.active(d)
			spent += d
		}
		if b.next >= len(b.order) {
			break
		}
		nextIsChapter := b.pages[b.order[b.next]].kind == pageBody && b.order[b.next] != i+1
		if spent >= target || (spent >= 0.8*target && nextIsChapter && g.chance(0.5)) {
			break
		}
		e.emit(EventPage, int32(b.order[b.next]+1), 0)
	}
	e.emit(EventStop, 0, 0)
	s.Events = e.out
	return s
}

// exerciseSession works one exercise from start to end.
func (g *gen) exerciseSession(r *reader, st Student, ex Exercise, t0 time.Time, origin time.Time) Session {
	var topic uuid.UUID
	if p, ok := st.PDF(ex.PDF); ok {
		topic = p.Topic
	}
	d := r.exBase * math.Pow(float64(ex.Pages()), 0.9) * math.Pow(r.exSens, float64(ex.Difficulty-3)) *
		r.topicFactor[topic] * math.Exp(r.drift[min(dayOf(t0, origin), days-1)]) * g.logn(1, 0.45)
	s := Session{ID: g.uuid(), PDF: ex.PDF, Exercise: ex.ID, StartAt: t0, StartPage: int32(ex.PageStart)}
	e := &events{g: g, t: t0}
	for d > 0 {
		chunk := math.Min(d, g.uniform(5*60, 20*60))
		e.active(chunk)
		d -= chunk
		if d <= 0 {
			break
		}
		switch x := g.rng.Float64(); {
		case x < 0.15:
			e.emit(EventPause, 0, 0)
			e.emit(EventResume, 0, clamp(g.logn(400, 0.7), 60, 1800))
		case x < 0.2:
			e.away(clamp(g.logn(900, 0.6), 330, 3600))
		default:
			e.emit(EventHeartbeat, 0, 0)
		}
	}
	e.emit(EventStop, 0, 0)
	s.Events = e.out
	return s
}
