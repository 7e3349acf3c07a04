package sim

import (
	"math/rand/v2"
	"slices"
	"time"

	"github.com/google/uuid"
)

// Forecast simulates, runs times, how the student would read the rest of
// one of their PDFs from the moment at on, given the pages with counted
// reading by then (read). It is the oracle of a noise floor: it knows
// everything the generator drew before that moment that reading could in
// principle reveal — the student's parameters (speed, overhead, noise,
// habits, their topics' difficulty), their pace up to that day and its
// trend, every page's true words (a scan's too), the chapters' bounds and
// the reading order, and, once they have read in the PDF, its difficulty,
// its speed-up toward the end and the hidden content of every chapter they
// have started — and draws everything ahead afresh: the chapters not
// started (difficulty, equations, figures), the PDF's difficulty and
// speed-up while nothing of it is read, the pace from the next day on,
// page noise, pauses, distractions, re-reads, whether the back matter is
// opened. share is the part of the student's sessions that go to this PDF
// (the rest go to other PDFs and exercises, and only move the calendar).
// Each run is one list of sessions; the timer's counted seconds of the
// pages not yet read, over the runs, are the distribution an oracle
// predicts from. The runs depend only on the arguments (seed included).
func (l Log) Forecast(pdf uuid.UUID, read []int32, at time.Time, share float64, runs int, seed uint64) [][]Session {
	w := l.world
	b0 := w.books[pdf]
	if b0 == nil || runs <= 0 {
		return nil
	}
	isRead := make([]bool, len(b0.pages))
	for _, p := range read {
		if p >= 1 && int(p) <= len(isRead) {
			isRead[p-1] = true
		}
	}
	next := 0
	for k, i := range b0.order {
		if isRead[i] {
			next = k + 1
		}
	}
	started := make([]bool, len(b0.chapters))
	for i, p := range b0.pages {
		if p.kind == pageBody && isRead[i] {
			started[p.chapter] = true
		}
	}
	out := make([][]Session, runs)
	for k := range out {
		g := &gen{rng: rand.New(rand.NewPCG(seed, uint64(k)+1)), off: w.off}
		b := *b0
		b.pages = slices.Clone(b0.pages)
		b.next, b.started = next, next > 0
		if !b.started {
			b.diff = g.unless(EffectBooks, g.logn(1, 0.2))
			b.speedup = g.uniform(0, 0.3)
			if g.off[EffectSpeedup] {
				b.speedup = 0
			}
		}
		for c, ch := range b.chapters {
			if started[c] {
				continue
			}
			diff := g.chapterDifficulty()
			eq := g.chapterEquations()
			for i := ch[0]; i < ch[1]; i++ {
				p := &b.pages[i]
				if p.kind != pageBody {
					continue
				}
				p.diff = g.pageDifficulty(diff)
				switch {
				case p.figure > 0 && p.words < 0:
					p.figure = g.figureAmount()
				case p.figure > 0:
					p.figure = 0.5 * g.figureAmount()
				}
				if p.words >= 0 {
					p.content = float64(p.words) + g.equationWords(eq)
				}
			}
		}
		r := *w.r
		r.drift = slices.Clone(w.r.drift)
		if d := dayOf(at, w.origin); d >= 0 && d+1 < days {
			g.drift(&r, d+1)
		}
		out[k] = g.sessionsFrom(&r, &b, at, w.origin, share)
	}
	return out
}

// sessionsFrom reads book b to its end from the moment at on, on study
// days as the student has them, a share of the sessions going to b.
func (g *gen) sessionsFrom(r *reader, b *book, at, origin time.Time, share float64) []Session {
	var out []Session
	t := at
	first := dayOf(at, origin)
	for day := first; b.next < len(b.order) && day < first+2*days; day++ {
		dayStart := origin.Add(time.Duration(day) * 24 * time.Hour)
		if day > first {
			if !g.chance(r.dayP) {
				continue
			}
			t = dayStart.Add(time.Duration(g.uniform(7, 20) * float64(time.Hour))).Round(time.Millisecond)
		}
		for range g.sessionsToday() {
			if b.next >= len(b.order) || t.After(dayStart.Add(23*time.Hour)) {
				break
			}
			if g.chance(share) {
				s := g.readingSession(r, b, t, origin)
				out = append(out, s)
				t = s.Events[len(s.Events)-1].At
			} else {
				t = t.Add(time.Duration(g.logn(r.sessionMin, 0.4) * float64(time.Minute))) // another PDF, an exercise
			}
			t = t.Add(time.Duration(g.uniform(1, 4) * float64(time.Hour))).Round(time.Millisecond)
		}
	}
	return out
}
