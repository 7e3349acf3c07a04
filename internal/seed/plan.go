package seed

import (
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/studysprint/studysprint/dbgen"
	"github.com/studysprint/studysprint/internal/library"
	"github.com/studysprint/studysprint/internal/textindex"
)

// gen is one user's random streams: rng decides what the user has and does
// (the same for the same seed and user number, whatever the prefix), ids
// makes the ids (another prefix, other ids).
type gen struct {
	rng *rand.Rand
	ids *rand.Rand
}

func newGen(seed uint64, prefix string, index int) *gen {
	h := fnv.New64a()
	h.Write([]byte(prefix))
	return &gen{
		rng: rand.New(rand.NewPCG(seed, uint64(index)+1)),
		ids: rand.New(rand.NewPCG(seed^h.Sum64(), uint64(index)+1)),
	}
}

// id is a version 7 UUID for time t (random bits from the id stream): ids
// made in time order are inserted in index order, which keeps the primary
// keys of the big tables compact and their inserts on a few hot pages.
func (g *gen) id(t time.Time) uuid.UUID {
	var u uuid.UUID
	ms := uint64(t.UnixMilli())
	for i := range 6 {
		u[i] = byte(ms >> (40 - 8*i))
	}
	a, b := g.ids.Uint64(), g.ids.Uint64()
	for i := 6; i < 16; i++ {
		if i < 8 {
			u[i] = byte(a >> (8 * (i - 6)))
		} else {
			u[i] = byte(b >> (8 * (i - 8)))
		}
	}
	u[6] = u[6]&0x0f | 0x70
	u[8] = u[8]&0x3f | 0x80
	return u
}

func (g *gen) uniform(lo, hi float64) float64 { return lo + (hi-lo)*g.rng.Float64() }

// logn is lognormal with the given median and σ.
func (g *gen) logn(median, sigma float64) float64 {
	return median * math.Exp(sigma*g.rng.NormFloat64())
}

func (g *gen) chance(p float64) bool { return g.rng.Float64() < p }

// intn is uniform in lo..hi (inclusive).
func (g *gen) intn(lo, hi int) int { return lo + g.rng.IntN(hi-lo+1) }

func pick[T any](g *gen, xs []T) T { return xs[g.rng.IntN(len(xs))] }

func clamp(v, lo, hi float64) float64 { return math.Max(lo, math.Min(hi, v)) }

// user is one seeded account with its library and habits.
type user struct {
	gen       *gen
	row       dbgen.CopyUsersParams
	prefs     dbgen.CopyUserPreferencesParams
	prefsRow  dbgen.UserPreference // as study.RulesFromPreferences reads it
	loc       *time.Location
	topics    []dbgen.CopyTopicsParams
	pdfs      []*pdf
	exercises []*exercise
	habits    habits
}

// habits is how a user studies (hidden: only the events show it).
type habits struct {
	daily      bool    // studies every day
	dayP       float64 // otherwise: chance of studying on a day
	hourLo     float64 // local hours the first session of a day starts in
	hourHi     float64
	sessionMin float64 // median planned session length, minutes
	spw        float64 // seconds per word
	overhead   float64 // seconds per page
	noise      float64 // σ of the per-page lognormal
	pomodoroP  float64 // chance a session runs with pomodoro
	pausePM    float64 // per minute of reading: an explicit pause
	distractPM float64 // per minute: the app left in the background beyond the idle threshold
	rereadP    float64 // per page: back to an earlier page
	flipP      float64 // per page: flip a few pages forward
	stopP      float64 // a session ends with a stop (else the timer ends it idle)
	jumpFront  bool    // skips the front matter of a new PDF
}

type pageKind uint8

const (
	pageBody pageKind = iota
	pageFront
	pageBlank
	pageFigure
	pageBack
)

// pdf is one seeded PDF: its row, its pages and the reading state the
// generator keeps.
type pdf struct {
	row       dbgen.CopyPDFsParams
	subject   *subject
	words     []int32 // per page (index 0 is page 1); -1: no text layer
	kinds     []pageKind
	diff      []float64 // per page: difficulty multiplier on the time per word
	chapters  []int32   // first page of each chapter
	bodyEnd   int32     // last page of the body
	available time.Time // created: sessions may use it from then on
	textSeed  uint64

	next     int32 // the next page to read for the first time
	finished bool  // the body has been read
	current  int32 // the PDF's current page as the timer keeps it
}

// exercise is one seeded exercise with its progress.
type exercise struct {
	row      dbgen.CopyExercisesParams
	pdf      *pdf
	sessions int
	done     bool
}

// planUser makes user number index (0-based): the account, preferences,
// topic tree, PDFs and exercises. The first user studies every day.
func planUser(o Options, index int) (*user, error) {
	g := newGen(o.Seed, o.Prefix, index)
	u := &user{gen: g}
	tz := timezones[index%len(timezones)]
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return nil, fmt.Errorf("time zone %s: %w", tz, err)
	}
	u.loc = loc
	local := o.Until.In(loc)
	historyStart := time.Date(local.Year(), local.Month(), local.Day()-(o.Days-1), 0, 0, 0, 0, loc)
	created := historyStart.Add(-time.Duration(g.intn(2, 30)) * 24 * time.Hour).Truncate(time.Second)
	name := Username(o.Prefix, index, o.Users)
	u.row = dbgen.CopyUsersParams{
		ID: g.id(created), Email: name + "@example.com", Username: name,
		FullName: pick(g, firstNames) + " " + pick(g, lastNames), Timezone: tz,
		PasswordHash: o.passwordHash, CreatedAt: created, UpdatedAt: created,
	}
	u.habits = g.habits(index == 0)
	u.prefsRow = g.preferences(u.row.ID, created)
	u.prefs = dbgen.CopyUserPreferencesParams(u.prefsRow)

	// The topic tree: five subjects, three courses in each.
	order := g.rng.Perm(len(subjects))
	type course struct {
		topic uuid.UUID
		sub   *subject
		name  string
	}
	var courses []course
	for i, si := range order[:min(5, len(order))] {
		sub := &subjects[si]
		root := dbgen.CopyTopicsParams{
			ID: g.id(created), UserID: u.row.ID, Name: sub.name, Description: "Everything for " + sub.name + ".",
			Color: colors[(i+index)%len(colors)], SortOrder: int32(i), CreatedAt: created, UpdatedAt: created,
		}
		u.topics = append(u.topics, root)
		for j, ci := range g.rng.Perm(len(sub.courses))[:3] {
			t := dbgen.CopyTopicsParams{
				ID: g.id(created), UserID: u.row.ID, ParentID: &root.ID, Name: sub.courses[ci],
				Description: fmt.Sprintf("Course notes and reading for %s: %s and %s.", sub.courses[ci], pick(g, sub.words), pick(g, sub.words)),
				Color:       root.Color, SortOrder: int32(j), CreatedAt: created, UpdatedAt: created,
			}
			u.topics = append(u.topics, t)
			courses = append(courses, course{t.ID, sub, sub.courses[ci]})
		}
	}

	// PDFs: a third at the start of the history, the rest added over it
	// (a new term's reading).
	span := o.Until.Sub(historyStart)
	n := o.PDFsPerUser
	first := max(1, (n+2)/3)
	for k := range n {
		at := historyStart.Add(-time.Duration(g.intn(1, 20)) * time.Hour)
		if k >= first {
			at = historyStart.Add(time.Duration(float64(span) * float64(k-first+1) / float64(n-first+1) * g.uniform(0.8, 1)))
		}
		at = at.Truncate(time.Second)
		c := pick(g, courses)
		p := g.pdf(u.row.ID, c.topic, c.sub, c.name, at)
		u.pdfs = append(u.pdfs, p)
		for range g.intn(0, 5) {
			if p.bodyEnd-p.chapters[0] < 4 {
				break
			}
			span := min(int32(g.intn(1, 6)), p.bodyEnd-p.chapters[0]+1)
			start := int32(g.intn(int(p.chapters[0]), int(p.bodyEnd-span+1)))
			word := pick(g, c.sub.words)
			e := &exercise{pdf: p, row: dbgen.CopyExercisesParams{
				ID: g.id(at), UserID: u.row.ID, PdfID: p.row.ID, PageStart: start, PageEnd: start + span - 1,
				Title:       fmt.Sprintf("Exercise %d.%d: %s", 1+g.rng.IntN(12), 1+g.rng.IntN(9), strings.ToUpper(word[:1])+word[1:]),
				Description: fmt.Sprintf("Work through the %s problems on pages %d–%d.", pick(g, c.sub.words), start, start+span-1),
				Difficulty:  int16(g.intn(1, 5)), CreatedAt: at, UpdatedAt: at,
			}}
			u.exercises = append(u.exercises, e)
		}
	}
	return u, nil
}

// Username is the username of seeded user number index (0-based) of n.
func Username(prefix string, index, n int) string {
	width := max(3, len(fmt.Sprint(n)))
	return fmt.Sprintf("%s-%0*d", prefix, width, index+1)
}

func (g *gen) habits(daily bool) habits {
	h := habits{
		daily:      daily,
		dayP:       g.uniform(0.5, 0.95),
		sessionMin: clamp(g.logn(45, 0.3), 20, 90),
		spw:        60 / clamp(g.logn(190, 0.28), 110, 320),
		overhead:   clamp(g.logn(11, 0.5), 4, 35),
		noise:      g.uniform(0.35, 0.6),
		pausePM:    g.uniform(0.002, 0.008),
		distractPM: g.uniform(0.001, 0.006),
		rereadP:    g.uniform(0.01, 0.05),
		flipP:      g.uniform(0.01, 0.04),
		stopP:      g.uniform(0.8, 0.95),
		jumpFront:  g.chance(0.5),
	}
	switch g.rng.IntN(3) {
	case 0: // mornings
		h.hourLo, h.hourHi = 6.5, 11
	case 1: // evenings
		h.hourLo, h.hourHi = 17, 22.5
	default:
		h.hourLo, h.hourHi = 8, 21
	}
	if g.chance(0.35) {
		h.pomodoroP = g.uniform(0.6, 0.95)
	}
	if daily {
		h.sessionMin = max(h.sessionMin, 40)
	}
	return h
}

// preferences are a user's settings: mostly the defaults, some changed.
func (g *gen) preferences(userID uuid.UUID, at time.Time) dbgen.UserPreference {
	p := dbgen.UserPreference{
		UserID: userID, Theme: pick(g, []string{"system", "system", "light", "dark"}),
		PomodoroWorkMinutes: 25, PomodoroShortBreakMinutes: 5, PomodoroLongBreakMinutes: 15, PomodoroLongBreakEvery: 4,
		AutoStartBreaks: g.chance(0.3), DailyGoalMinutes: int32(15 * g.intn(2, 8)), StreakMinMinutes: pick(g, []int32{5, 10, 10, 15, 20}),
		IdleThresholdSeconds: 300, PageMinSeconds: 5, PageMaxSeconds: 900, WeekStart: pick(g, []string{"monday", "monday", "sunday"}),
		CreatedAt: at, UpdatedAt: at,
	}
	if g.chance(0.3) {
		p.PomodoroWorkMinutes = pick(g, []int32{45, 50, 30})
		p.PomodoroShortBreakMinutes = pick(g, []int32{10, 5, 8})
		p.PomodoroLongBreakMinutes = pick(g, []int32{20, 30})
		p.PomodoroLongBreakEvery = pick(g, []int32{3, 4})
	}
	if g.chance(0.4) {
		p.IdleThresholdSeconds = pick(g, []int32{120, 180, 240, 420, 600})
	}
	if g.chance(0.3) {
		p.PageMinSeconds = pick(g, []int32{2, 3, 8, 10})
	}
	if g.chance(0.3) {
		p.PageMaxSeconds = pick(g, []int32{600, 1200, 1800})
	}
	return p
}

// pdf lays out one PDF: a textbook, lecture notes or a paper, with front
// matter, chapters and back matter, and a word count for every page.
func (g *gen) pdf(userID, topicID uuid.UUID, sub *subject, course string, at time.Time) *pdf {
	var nPages, front, back int
	var perPage, chLo, chHi float64
	var title, author string
	author = pick(g, firstNames)[:1] + ". " + pick(g, lastNames)
	w1, w2 := pick(g, sub.words), pick(g, sub.words)
	switch x := g.rng.Float64(); {
	case x < 0.5:
		nPages = int(clamp(g.logn(220, 0.4), 60, 600))
		front, back = g.intn(4, 14), int(float64(nPages)*g.uniform(0.02, 0.06))
		perPage, chLo, chHi = g.logn(420, 0.2), 12, 35
		title = pick(g, []string{"Introduction to ", "Principles of ", "A First Course in ", "Foundations of "}) + course
	case x < 0.8:
		nPages = int(clamp(g.logn(45, 0.4), 15, 120))
		front = g.intn(0, 1)
		perPage, chLo, chHi = g.logn(110, 0.35), 8, 20
		title = fmt.Sprintf("%s — Lecture Notes, Week %d", course, g.intn(1, 12))
	default:
		nPages = int(clamp(g.logn(18, 0.4), 6, 45))
		back = max(1, int(float64(nPages)*g.uniform(0.08, 0.15)))
		perPage, chLo, chHi = g.logn(650, 0.15), 3, 8
		title = fmt.Sprintf("On the %s of %s", w1, w2)
		author += " et al."
	}
	p := &pdf{subject: sub, available: at, textSeed: g.rng.Uint64(), next: 1, current: 1}
	p.words = make([]int32, nPages)
	p.kinds = make([]pageKind, nPages)
	p.diff = make([]float64, nPages)
	for i := range front {
		p.kinds[i], p.words[i], p.diff[i] = pageFront, int32(g.intn(5, 200)), 1
		if i == 1 && front > 3 {
			p.kinds[i], p.words[i] = pageBlank, -1
		}
	}
	body := nPages - front - back
	for i := front; i < front+body; {
		n := int(g.uniform(chLo, chHi+1))
		end := min(i+n, front+body)
		if front+body-end < int(chLo)/2 {
			end = front + body
		}
		p.chapters = append(p.chapters, int32(i+1))
		diff, density := g.logn(1, 0.22), g.logn(1, 0.15)
		for k := i; k < end; k++ {
			p.kinds[k], p.diff[k] = pageBody, diff*g.logn(1, 0.1)
			w := perPage * density * g.logn(1, 0.25)
			switch {
			case k == i:
				w = g.uniform(20, 120) // a chapter opening
			case g.chance(0.03):
				p.kinds[k], w = pageFigure, -1
			}
			p.words[k] = int32(math.Round(w))
			if w < 0 {
				p.words[k] = -1
			}
		}
		i = end
	}
	p.bodyEnd = int32(front + body)
	for i := front + body; i < nPages; i++ {
		p.kinds[i], p.words[i], p.diff[i] = pageBack, int32(g.logn(550, 0.2)), 1
	}
	var total int32
	for _, w := range p.words {
		total += max(w, 0)
	}
	id := g.id(at)
	sha := make([]byte, 32)
	for i := 0; i < 32; i += 8 {
		v := g.ids.Uint64()
		for j := range 8 {
			sha[i+j] = byte(v >> (8 * j))
		}
	}
	p.row = dbgen.CopyPDFsParams{
		ID: id, UserID: userID, TopicID: &topicID, Kind: string(library.KindStudy), Title: title, Author: author,
		OriginalFilename: filename(title), PageCount: int32(nPages), SizeBytes: int64(nPages) * int64(g.intn(20_000, 90_000)),
		Sha256: sha, StorageKey: library.PDFStorageKey(userID, id), TextStatus: textindex.StatusDone, WordCount: &total,
		CreatedAt: at, UpdatedAt: at,
	}
	return p
}

// filename is a plausible upload name for a title.
func filename(title string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(title) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		case b.Len() > 0 && !strings.HasSuffix(b.String(), "-"):
			b.WriteByte('-')
		}
	}
	return strings.Trim(b.String(), "-") + ".pdf"
}

// pageText is a short excerpt of page `page` (a few sentences of the
// subject's words among common ones); the stored word count is the page's
// full count, as the extractor counts it.
func (p *pdf) pageText(page int32) string {
	if p.words[page-1] < 0 {
		return ""
	}
	r := rand.New(rand.NewPCG(p.textSeed, uint64(page)))
	n := min(int(p.words[page-1]), 40+r.IntN(41))
	var b strings.Builder
	start := true
	for i := range n {
		w := filler[r.IntN(len(filler))]
		if r.IntN(3) == 0 {
			w = p.subject.words[r.IntN(len(p.subject.words))]
		}
		if start {
			w = strings.ToUpper(w[:1]) + w[1:]
			start = false
		}
		b.WriteString(w)
		switch {
		case i == n-1:
			b.WriteByte('.')
		case r.IntN(12) == 0:
			b.WriteString(". ")
			start = true
		default:
			b.WriteByte(' ')
		}
	}
	return b.String()
}
