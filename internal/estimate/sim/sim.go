// Package sim generates realistic reading logs for evaluating the estimator:
// students who study PDFs over weeks and send what a reader app sends to the
// study timer — page, heartbeat, pause, resume and stop events — and never
// per-page seconds. Whatever the timer derives from those events is the
// truth an evaluation compares with.
//
// Everything is deterministic from Config.Seed (each student has a random
// stream of its own, so adding students leaves the others unchanged).
//
// The generator was written before the estimator and knows nothing of it.
// Its parameters are set from what is known of study reading, not fitted to
// any model:
//
//   - Students read study material at 120–300 words per minute (lognormal
//     around 190: Carver's "learning" rate is about 200 wpm) with a per-page
//     overhead of 4–35 s (orienting, figures, the page turn), and per-page
//     noise that is lognormal with σ between 0.35 and 0.6.
//   - PDFs are textbooks, lecture notes (sparse pages), papers (dense pages,
//     a reference list at the end), scans (no text layer) and exercise
//     sheets. Chapters differ in difficulty (lognormal σ 0.22 on the time per
//     word) and in density (σ 0.15 on words per page); pages within a chapter
//     vary (σ 0.25); some chapters hold equations that take time without
//     counting as words. Topics and PDFs have difficulties of their own
//     (σ 0.15 and 0.2).
//   - Front matter is skimmed or jumped over (a table of contents is
//     sometimes read); blank pages are flipped past; figure-only pages have
//     no text layer but take time; back matter is mostly never opened.
//   - Pace drifts from day to day (a random walk, about 4 % a week, with a
//     per-student trend), speeds up toward the end of a book (0–30 %),
//     and slows with fatigue late in a session.
//   - Sessions last about 15–120 minutes with heartbeats every 30–60 s;
//     students pause (1–30 min), get distracted (an app in the background:
//     no events for 5.5–60 min, beyond the timer's idle threshold), get
//     stuck on a page for 12–25 minutes, re-read earlier pages, and now and
//     then read a chapter out of order.
//   - Exercises cover page ranges of study PDFs, have a difficulty 1–5 and
//     are worked in timer sessions of their own after the pages are read.
//     Such a session starts on the exercise's first page, where a reader
//     app opens it (the timer needs a page to start on, and counts the
//     session's dwells there).
//   - Times are whole milliseconds, as a reader app's clock gives them.
//
// Changes since the first version, each for realism and none for an
// estimator: exercise sessions start on the exercise's first page (they
// had no page, which the real timer does not allow), and session starts
// are rounded to the millisecond (they carried nanoseconds no client sends
// and the database does not keep). Neither changes the random streams.
//
// # Analysis
//
// Config.Without switches effects off one at a time (Effects), keeping the
// random draws where it can, to measure what each effect costs an
// estimator. Log.Forecast simulates the rest of a PDF from a moment on
// with everything known about the past and the student and everything
// ahead drawn afresh: the oracle that sets the noise floor (package eval,
// Config.Oracle).
package sim

import (
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/studysprint/studysprint/internal/estimate"
)

// EventType is a timer event's type; the names are the study timer's.
type EventType string

// Event types, as a reader app sends them.
const (
	EventPage      EventType = "page"
	EventHeartbeat EventType = "heartbeat"
	EventPause     EventType = "pause"
	EventResume    EventType = "resume"
	EventStop      EventType = "stop"
)

// Event is one timer event.
type Event struct {
	Type EventType
	Page int32 // the page for page and resume events, 0 otherwise
	At   time.Time
}

// Session is one timer session: it starts at StartAt on StartPage (for an
// exercise session the exercise's first page, where a reader app opens it)
// and its events follow in time order, the last one a stop.
type Session struct {
	ID        uuid.UUID
	PDF       uuid.UUID // the PDF read, or the exercise's study PDF
	Exercise  uuid.UUID // uuid.Nil for a reading session
	StartAt   time.Time
	StartPage int32
	Events    []Event
}

// Style is the sort of document a PDF is.
type Style string

// Document styles.
const (
	StyleTextbook Style = "textbook"
	StyleNotes    Style = "notes"    // lecture notes and slides: sparse pages
	StylePaper    Style = "paper"    // dense pages, references at the end
	StyleScan     Style = "scan"     // a textbook without a text layer
	StyleProblems Style = "problems" // an exercise sheet (kind exercise)
)

// Topic is one of a student's topics.
type Topic struct {
	ID   uuid.UUID
	Name string
}

// PDF is what the library knows of a document: no reading times.
type PDF struct {
	ID    uuid.UUID
	Topic uuid.UUID
	Kind  estimate.Kind
	Style Style
	// Words per page (index 0 is page 1): pdf_pages.word_count, -1 for a page
	// without a text layer.
	Words []int32
}

// PageCount is the PDF's number of pages.
func (p PDF) PageCount() int { return len(p.Words) }

// Pages lists every page with its word count.
func (p PDF) Pages() []estimate.PageInfo {
	out := make([]estimate.PageInfo, len(p.Words))
	for i, w := range p.Words {
		out[i] = estimate.PageInfo{Page: int32(i + 1), Words: w}
	}
	return out
}

// Exercise is an exercise attached to pages of a study PDF.
type Exercise struct {
	ID         uuid.UUID
	PDF        uuid.UUID
	PageStart  int
	PageEnd    int
	Difficulty int
}

// Pages is the exercise's page span.
func (e Exercise) Pages() int { return e.PageEnd - e.PageStart + 1 }

// Student is one generated student: the library as the product stores it.
type Student struct {
	ID        uuid.UUID
	Topics    []Topic
	PDFs      []PDF
	Exercises []Exercise
}

// PDF finds one of the student's PDFs by id.
func (s Student) PDF(id uuid.UUID) (PDF, bool) {
	for _, p := range s.PDFs {
		if p.ID == id {
			return p, true
		}
	}
	return PDF{}, false
}

// Log is a student and all their sessions, in time order.
type Log struct {
	Student  Student
	Sessions []Session
	world    *world // the hidden truth, for Forecast
}

// world is what generated a log.
type world struct {
	r      *reader
	books  map[uuid.UUID]*book
	origin time.Time
	off    map[Effect]bool
}

// Config sizes a generated world.
type Config struct {
	Seed     uint64
	Students int
	PDFs     int       // per student, at least 2 (about one in eight is an exercise sheet)
	Start    time.Time // the first study day; zero means 2026-01-05 UTC
	// Without switches effects off, to measure what each costs an
	// estimator; the zero value is the whole world. The random draws stay
	// the same where they can, so the rest of the world changes little.
	Without []Effect
}

// Effect is a part of the simulated behaviour that Config.Without can
// switch off.
type Effect string

// The effects.
const (
	EffectChapters  Effect = "chapters"   // chapters' difficulty and uncounted equations
	EffectPageNoise Effect = "page-noise" // per-page lognormal noise and difficulty
	EffectBooks     Effect = "books"      // a PDF's and a topic's own difficulty
	EffectDrift     Effect = "drift"      // pace drifting from day to day
	EffectSpeedup   Effect = "speedup"    // faster toward the end of a book
	EffectFatigue   Effect = "fatigue"    // slower late in a session
	EffectRereads   Effect = "rereads"    // going back to earlier pages
	EffectPauses    Effect = "pauses"     // pauses, distractions, interruptions, stuck pages
)

// Effects lists every effect.
var Effects = []Effect{EffectChapters, EffectPageNoise, EffectBooks, EffectDrift, EffectSpeedup, EffectFatigue, EffectRereads, EffectPauses}

// Generate makes one Log per student.
func Generate(cfg Config) []Log {
	start := cfg.Start
	if start.IsZero() {
		start = time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)
	}
	n := max(cfg.PDFs, 2)
	out := make([]Log, cfg.Students)
	off := map[Effect]bool{}
	for _, e := range cfg.Without {
		off[e] = true
	}
	for i := range out {
		g := &gen{rng: rand.New(rand.NewPCG(cfg.Seed, uint64(i)+1)), off: off}
		out[i] = g.student(n, start)
	}
	return out
}

// gen holds one student's random stream.
type gen struct {
	rng *rand.Rand
	off map[Effect]bool
}

// unless is x, or 1 when the effect is off.
func (g *gen) unless(e Effect, x float64) float64 {
	if g.off[e] {
		return 1
	}
	return x
}

func (g *gen) uuid() uuid.UUID {
	var u uuid.UUID
	for i := 0; i < 16; i += 8 {
		v := g.rng.Uint64()
		for j := range 8 {
			u[i+j] = byte(v >> (8 * j))
		}
	}
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	return u
}

// uniform in [lo, hi).
func (g *gen) uniform(lo, hi float64) float64 { return lo + (hi-lo)*g.rng.Float64() }

// logn is a lognormal with the given median and σ.
func (g *gen) logn(median, sigma float64) float64 {
	return median * math.Exp(sigma*g.rng.NormFloat64())
}

func (g *gen) chance(p float64) bool { return g.rng.Float64() < p }

func (g *gen) intn(lo, hi int) int { return lo + g.rng.IntN(hi-lo+1) } // inclusive

func clamp(v, lo, hi float64) float64 { return math.Max(lo, math.Min(hi, v)) }

// reader is a student's hidden reading behaviour.
type reader struct {
	spw         float64 // seconds per word on material of average difficulty
	overhead    float64 // seconds per page
	noise       float64 // σ of the per-page lognormal
	figure      float64 // median seconds on a figure-only page
	solve       float64 // exercise sheets: multiplier on the time per word
	exBase      float64 // seconds per exercise page at difficulty 3
	exSens      float64 // growth of exercise time per difficulty step
	dayP        float64 // chance of studying on a given day
	sessionMin  float64 // median session length, minutes
	distractP   float64 // per page: app left in the background past the idle threshold
	interruptP  float64 // per page: a short interruption with no events (under the threshold)
	pauseP      float64 // per page: an explicit pause
	stuckP      float64 // per page: 12–25 minutes on one page
	rereadP     float64 // per page: go back to re-read an earlier page
	jumpFront   float64 // chance of jumping straight to the first chapter
	trend       float64 // the drift's trend, log pace per week
	drift       []float64
	topicFactor map[uuid.UUID]float64
}

// page is a page's hidden content.
type page struct {
	words    int32   // visible word count (-1: no text layer)
	content  float64 // words the reader actually reads (equations included; scans have words)
	diff     float64 // chapter and page difficulty multiplier on the time per word
	figure   float64 // extra seconds for figures
	kind     pageKind
	position float64 // 0..1 through the body
	chapter  int     // index into book.chapters (body pages only)
}

type pageKind int

const (
	pageBody pageKind = iota
	pageFront
	pageTOC
	pageBlank
	pageBack
)

// book is a PDF with its hidden content and reading plan.
type book struct {
	pdf      PDF
	pages    []page
	diff     float64  // PDF difficulty
	speedup  float64  // pace falls by this fraction from start to end of the body
	order    []int    // pages (0-based) in the order the student reads them
	chapters [][2]int // body page ranges, 0-based [from, to)
	next     int      // index into order
	front    int      // front-matter pages
	back     int      // back-matter pages
	started  bool     // a session has read in it
}

const days = 400 // the drift is drawn for this many days

func (g *gen) student(nPDFs int, start time.Time) Log {
	r := &reader{
		spw:        60 / clamp(g.logn(190, 0.28), 110, 320),
		overhead:   clamp(g.logn(11, 0.5), 4, 35),
		noise:      g.uniform(0.35, 0.6),
		figure:     clamp(g.logn(35, 0.4), 10, 120),
		solve:      clamp(g.logn(3.2, 0.3), 1.5, 8),
		exBase:     clamp(g.logn(420, 0.4), 120, 1500),
		exSens:     g.uniform(1.2, 1.6),
		dayP:       g.uniform(0.4, 0.85),
		sessionMin: clamp(g.logn(42, 0.3), 20, 90),
		distractP:  g.uniform(0.005, 0.025),
		interruptP: g.uniform(0.01, 0.04),
		pauseP:     g.uniform(0.005, 0.02),
		stuckP:     g.uniform(0.001, 0.006),
		rereadP:    g.uniform(0.01, 0.05),
		jumpFront:  g.uniform(0.2, 0.7),
	}
	if g.off[EffectRereads] {
		r.rereadP = 0
	}
	if g.off[EffectPauses] {
		r.distractP, r.interruptP, r.pauseP, r.stuckP = 0, 0, 0, 0
	}
	r.trend = g.rng.NormFloat64()*0.01 - 0.004 // per week, in log pace
	r.drift = make([]float64, days)
	g.drift(r, 1)

	st := Student{ID: g.uuid()}
	r.topicFactor = map[uuid.UUID]float64{}
	topicNames := []string{"Mathematics", "History", "Biology", "Economics", "Physics", "Law"}
	g.rng.Shuffle(len(topicNames), func(i, j int) { topicNames[i], topicNames[j] = topicNames[j], topicNames[i] })
	for i := range g.intn(2, 3) {
		t := Topic{ID: g.uuid(), Name: topicNames[i]}
		st.Topics = append(st.Topics, t)
		r.topicFactor[t.ID] = g.unless(EffectBooks, g.logn(1, 0.15))
	}

	var books []*book
	for i := range nPDFs {
		style := g.style(i, nPDFs)
		topic := st.Topics[g.rng.IntN(len(st.Topics))].ID
		b := g.book(style, topic)
		books = append(books, b)
		st.PDFs = append(st.PDFs, b.pdf)
		if b.pdf.Kind == estimate.KindStudy && style != StylePaper {
			st.Exercises = append(st.Exercises, g.exercises(b)...)
		}
	}
	sessions := g.schedule(r, st, books, start)
	w := &world{r: r, books: map[uuid.UUID]*book{}, origin: start, off: g.off}
	for _, b := range books {
		w.books[b.pdf.ID] = b
	}
	return Log{Student: st, Sessions: sessions, world: w}
}

// drift draws the student's pace from day `from` on: a random walk of
// about 4 % a week around their trend.
func (g *gen) drift(r *reader, from int) {
	for d := from; d < days; d++ {
		r.drift[d] = r.drift[d-1] + r.trend/7 + 0.04/math.Sqrt(7)*g.rng.NormFloat64()
		if g.off[EffectDrift] {
			r.drift[d] = 0
		}
	}
}

// style picks a PDF's style: about one in eight is an exercise sheet.
func (g *gen) style(i, n int) Style {
	if (i+1)%8 == 0 || (n < 8 && i == n-1 && g.chance(float64(n)/8)) {
		return StyleProblems
	}
	switch x := g.rng.Float64(); {
	case x < 0.5:
		return StyleTextbook
	case x < 0.7:
		return StyleNotes
	case x < 0.85:
		return StylePaper
	default:
		return StyleScan
	}
}

// book lays out a PDF: front matter, chapters, back matter.
func (g *gen) book(style Style, topic uuid.UUID) *book {
	b := &book{diff: g.unless(EffectBooks, g.logn(1, 0.2)), speedup: g.uniform(0, 0.3)}
	if g.off[EffectSpeedup] {
		b.speedup = 0
	}
	var nPages, front, back int
	var wordsPerPage, chapterLo, chapterHi, figureP, partialP float64
	switch style {
	case StyleTextbook, StyleScan:
		nPages = int(clamp(g.logn(220, 0.4), 60, 600))
		front, back = g.intn(4, 14), int(float64(nPages)*g.uniform(0.02, 0.06))
		wordsPerPage, chapterLo, chapterHi = g.logn(420, 0.2), 12, 35
		figureP, partialP = 0.03, 0.15
	case StyleNotes:
		nPages = int(clamp(g.logn(45, 0.4), 15, 120))
		front, back = g.intn(0, 1), 0
		wordsPerPage, chapterLo, chapterHi = g.logn(110, 0.35), 8, 20
		figureP, partialP = 0.1, 0.25
	case StylePaper:
		nPages = int(clamp(g.logn(18, 0.4), 6, 45))
		front, back = 0, max(1, int(float64(nPages)*g.uniform(0.08, 0.15)))
		wordsPerPage, chapterLo, chapterHi = g.logn(650, 0.15), 3, 8
		figureP, partialP = 0.02, 0.2
	case StyleProblems:
		nPages = int(clamp(g.logn(20, 0.4), 6, 50))
		wordsPerPage, chapterLo, chapterHi = g.logn(230, 0.3), 2, 6
		figureP, partialP = 0.02, 0.1
	}
	kind := estimate.KindStudy
	if style == StyleProblems {
		kind = estimate.KindExercise
	}
	b.front, b.back = front, back
	b.pages = make([]page, nPages)
	body := nPages - front - back
	for i := range front {
		p := page{kind: pageFront, words: int32(g.intn(5, 200)), diff: 1}
		switch {
		case i == 0:
			p.words = int32(g.intn(3, 20)) // title page
		case i == 1 && front > 3:
			p.words = -1 // blank verso
			p.kind = pageBlank
		case i >= 2 && i <= 3:
			p.kind, p.words = pageTOC, int32(g.intn(150, 400))
		}
		p.content = math.Max(0, float64(p.words))
		b.pages[i] = p
	}
	var chapters [][2]int // body page ranges, 0-based [from, to)
	for i := front; i < front+body; {
		n := int(g.uniform(chapterLo, chapterHi+1))
		end := min(i+n, front+body)
		if front+body-end < int(chapterLo)/2 {
			end = front + body
		}
		chapters = append(chapters, [2]int{i, end})
		i = end
	}
	for c, ch := range chapters {
		diff := g.chapterDifficulty()
		density := g.logn(1, 0.15)
		equations := g.chapterEquations()
		for i := ch[0]; i < ch[1]; i++ {
			p := page{kind: pageBody, diff: g.pageDifficulty(diff), position: float64(i-front) / float64(max(body, 1)), chapter: c}
			w := wordsPerPage * density * g.logn(1, 0.25)
			switch {
			case i == ch[0]:
				w = g.uniform(20, 120) // chapter opening
			case i == ch[1]-1 && style == StyleTextbook && g.chance(0.2) && ch[1]-ch[0] > 4:
				p.kind, w = pageBlank, -1
			case g.chance(figureP):
				p.figure = g.figureAmount()
				w = -1
			case g.chance(partialP):
				w *= g.uniform(0.3, 0.7)
				p.figure = 0.5 * g.figureAmount()
			}
			if w < 0 {
				p.words, p.content = -1, 0
			} else {
				p.words = int32(math.Round(w))
				p.content = w + g.equationWords(equations)
			}
			b.pages[i] = p
		}
	}
	b.chapters = chapters
	for i := front + body; i < nPages; i++ {
		w := int32(g.logn(550, 0.2))
		b.pages[i] = page{kind: pageBack, words: w, content: float64(w), diff: 1, position: 1}
	}
	words := make([]int32, nPages)
	for i, p := range b.pages {
		words[i] = p.words
		if style == StyleScan {
			words[i] = -1 // the content stays: a scan is read like the textbook it is
		}
	}
	b.pdf = PDF{ID: g.uuid(), Topic: topic, Kind: kind, Style: style, Words: words}
	b.order = g.readingOrder(b, chapters, style)
	return b
}

// The hidden content of a chapter and its pages (drawn again by Forecast
// for the chapters not started).

// chapterDifficulty is a chapter's multiplier on the time per word.
func (g *gen) chapterDifficulty() float64 { return g.unless(EffectChapters, g.logn(1, 0.22)) }

// chapterEquations is, for the three chapters in ten that hold equations,
// the word-equivalents per page not counted as words; 0 for the others.
func (g *gen) chapterEquations() float64 {
	if g.chance(0.3) && !g.off[EffectChapters] {
		return g.uniform(20, 150)
	}
	return 0
}

// pageDifficulty is a page's multiplier in a chapter of difficulty d.
func (g *gen) pageDifficulty(d float64) float64 { return d * g.unless(EffectPageNoise, g.logn(1, 0.1)) }

// equationWords is a page's uncounted word-equivalents in a chapter with
// eq of them a page.
func (g *gen) equationWords(eq float64) float64 { return eq * g.logn(1, 0.3) }

// figureAmount scales the time on a page's figures.
func (g *gen) figureAmount() float64 { return g.logn(1, 0.4) }

// readingOrder is the order of first reading: front matter, the chapters
// (once in a while one chapter read after the next one), back matter.
func (g *gen) readingOrder(b *book, chapters [][2]int, style Style) []int {
	var order []int
	for i := range b.front {
		order = append(order, i)
	}
	chs := slices.Clone(chapters)
	if style == StyleTextbook && len(chs) > 4 && g.chance(0.12) {
		k := g.intn(1, len(chs)-3)
		chs[k], chs[k+1] = chs[k+1], chs[k]
	}
	for _, ch := range chs {
		for i := ch[0]; i < ch[1]; i++ {
			order = append(order, i)
		}
	}
	for i, p := range b.pages {
		if p.kind == pageBack {
			order = append(order, i)
		}
	}
	return order
}

// exercises attaches 0–5 exercises to page ranges of a study PDF's body.
func (g *gen) exercises(b *book) []Exercise {
	var out []Exercise
	first, last := b.front+1, len(b.pages)-b.back // the body, 1-based
	for range g.intn(0, 5) {
		span := g.intn(1, min(8, max(1, (last-first+1)/10)))
		start := g.intn(first, max(first, last-span+1))
		out = append(out, Exercise{ID: g.uuid(), PDF: b.pdf.ID, PageStart: start, PageEnd: min(last, start+span-1), Difficulty: g.intn(1, 5)})
	}
	slices.SortFunc(out, func(a, c Exercise) int { return a.PageEnd - c.PageEnd })
	return out
}
