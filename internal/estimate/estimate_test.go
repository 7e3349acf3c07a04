package estimate_test

import (
	"math"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/studysprint/studysprint/internal/estimate"
	"github.com/studysprint/studysprint/sql/migrations"
)

var day0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// reader makes observations of a student whose page takes
// (overhead + spw·words) seconds, times lognormal noise of σ 0.4.
type reader struct {
	rng      *rand.Rand
	overhead float64
	spw      float64
	t        time.Time
}

func newReader(seed uint64, overhead, spw float64) *reader {
	return &reader{rng: rand.New(rand.NewPCG(seed, 1)), overhead: overhead, spw: spw, t: day0}
}

func (r *reader) seconds(words int32) float64 {
	base := r.overhead
	if words > 0 {
		base += r.spw * float64(words)
	}
	return math.Round(base * math.Exp(0.4*r.rng.NormFloat64()))
}

// read reads pages from..to of pdf, whose page p has words(p) words; it
// returns the observations and advances the clock (a page a minute, twenty
// pages a day).
func (r *reader) read(pdf uuid.UUID, from, to int32, words func(int32) int32) []estimate.Obs {
	var out []estimate.Obs
	for p := from; p <= to; p++ {
		w := words(p)
		out = append(out, estimate.Obs{PDF: pdf, Kind: estimate.KindStudy, Page: p, Words: w, Seconds: r.seconds(w), Visits: 1, LastReadAt: r.t})
		r.t = r.t.Add(time.Minute)
		if p%20 == 0 {
			r.t = r.t.Add(23 * time.Hour)
		}
	}
	return out
}

func flat(w int32) func(int32) int32 { return func(int32) int32 { return w } }

// varied words: sparse and dense pages alternate around 300.
func varied(p int32) int32 { return []int32{80, 300, 520, 250, 350}[p%5] }

func remaining(from, to int32, words func(int32) int32) []estimate.PageInfo {
	var out []estimate.PageInfo
	for p := from; p <= to; p++ {
		out = append(out, estimate.PageInfo{Page: p, Words: words(p)})
	}
	return out
}

func newest(obs []estimate.Obs) []estimate.Obs {
	out := make([]estimate.Obs, len(obs))
	for i, o := range obs {
		out[len(obs)-1-i] = o
	}
	return out
}

func checkShape(t *testing.T, name string, e estimate.Estimate) {
	t.Helper()
	if !(e.LowSeconds <= e.RemainingSeconds && e.RemainingSeconds <= e.HighSeconds) || e.LowSeconds < 0 ||
		math.IsNaN(e.RemainingSeconds) || math.IsInf(e.HighSeconds, 0) {
		t.Errorf("%s: interval not ordered: %+v", name, e)
	}
	if e.RemainingPages > 0 && math.Abs(e.SecondsPerPage*float64(e.RemainingPages)-e.RemainingSeconds) > 1e-6*e.RemainingSeconds+1e-9 {
		t.Errorf("%s: seconds per page %v does not match %v over %d pages", name, e.SecondsPerPage, e.RemainingSeconds, e.RemainingPages)
	}
}

func TestPriorForANewStudent(t *testing.T) {
	tests := []struct {
		name  string
		kind  estimate.Kind
		words func(int32) int32
		rate  float64
	}{
		{"study, dense pages", estimate.KindStudy, flat(600), 90},
		{"study, sparse pages", estimate.KindStudy, flat(40), 90},
		{"study, a scan", estimate.KindStudy, flat(-1), 90},
		{"exercise PDF", estimate.KindExercise, varied, 120},
		{"kind unset counts as study", "", varied, 90},
	}
	for _, tc := range tests {
		e := estimate.ForPDF(estimate.PDFInput{Kind: tc.kind, Remaining: remaining(1, 200, tc.words)})
		checkShape(t, tc.name, e)
		if e.Basis != estimate.BasisDefault || e.Confidence != estimate.ConfidenceLow || e.RemainingPages != 200 ||
			math.Abs(e.SecondsPerPage-tc.rate) > 1e-9 {
			t.Errorf("%s: got %+v, want the default %v s/page, basis default, low confidence", tc.name, e, tc.rate)
		}
		if e.HighSeconds < 2*e.LowSeconds {
			t.Errorf("%s: the prior's interval is too narrow: %+v", tc.name, e)
		}
	}
	done := estimate.ForPDF(estimate.PDFInput{Kind: estimate.KindStudy})
	if done.RemainingSeconds != 0 || done.RemainingPages != 0 || done.Confidence != estimate.ConfidenceHigh {
		t.Errorf("nothing left: %+v", done)
	}
}

// TestShrinkage: a student whose other reading is fast starts a PDF they
// read slowly. The estimate starts near their usual pace, moves toward the
// PDF's own pace as pages accumulate, the basis turns to the PDF and the
// interval narrows.
func TestShrinkage(t *testing.T) {
	self, other := uuid.New(), uuid.New()
	fast := newReader(1, 10, 0.15) // ~55 s on a 300-word page
	user := newest(fast.read(other, 1, 300, flat(300)))
	slow := newReader(2, 10, 0.45) // ~145 s on a 300-word page
	slow.t = fast.t
	pages := slow.read(self, 1, 200, flat(300))
	prevRate, prevWidth := 0.0, math.Inf(1)
	for _, n := range []int{0, 3, 10, 30, 100} {
		in := estimate.PDFInput{Kind: estimate.KindStudy, Read: pages[:n], User: user, Remaining: remaining(int32(n)+1, 200, flat(300))}
		e := estimate.ForPDF(in)
		checkShape(t, "shrinkage", e)
		width := (e.HighSeconds - e.LowSeconds) / e.RemainingSeconds
		t.Logf("%3d pages read: %.0f s/page, basis %s, width %.2f, %s", n, e.SecondsPerPage, e.Basis, width, e.Confidence)
		if n == 0 && (e.Basis != estimate.BasisUser || e.SecondsPerPage > 90) {
			t.Errorf("before the first page: %+v, want the student's fast pace (basis user)", e)
		}
		if n >= 30 && e.Basis != estimate.BasisPDF {
			t.Errorf("%d pages read: basis %s, want pdf", n, e.Basis)
		}
		// (5 % of slack: the pages read are a sample, and the prior speed-up
		// through a book lowers the pace of pages further on.)
		if e.SecondsPerPage < 0.95*prevRate {
			t.Errorf("%d pages read: %.0f s/page, fell from %.0f though every page read is slow", n, e.SecondsPerPage, prevRate)
		}
		if width > prevWidth+1e-9 {
			t.Errorf("%d pages read: interval width %.3f, wider than with fewer pages (%.3f)", n, width, prevWidth)
		}
		prevRate, prevWidth = e.SecondsPerPage, width
	}
	if prevRate < 120 || prevRate > 185 {
		t.Errorf("after 100 slow pages: %.0f s/page, want near the PDF's own ~150", prevRate)
	}
}

// TestOutliers: one 20-minute page (capped at 900 s by the timer) among
// ordinary pages barely moves the estimate; skimmed pages (which the timer
// never counts) that the student passed over are not estimated as pages
// still to read.
func TestOutliers(t *testing.T) {
	self := uuid.New()
	for _, n := range []int{20, 50} {
		r := newReader(3, 10, 0.3)
		pages := r.read(self, 1, int32(n), flat(300))
		in := estimate.PDFInput{Kind: estimate.KindStudy, Read: pages, Remaining: remaining(int32(n)+1, 200, flat(300))}
		base := estimate.ForPDF(in)
		spiked := append([]estimate.Obs(nil), pages...)
		spiked[n/2].Seconds = 900
		in.Read = spiked
		got := estimate.ForPDF(in)
		change := got.RemainingSeconds/base.RemainingSeconds - 1
		// The page is still evidence of a heavy tail (long pages are real
		// time), weighed against a prior worth 50 pages.
		limit := 0.10
		if n >= 50 {
			limit = 0.05
		}
		var mean, spikedMean float64
		for i := range pages {
			mean += pages[i].Seconds / float64(n)
			spikedMean += spiked[i].Seconds / float64(n)
		}
		t.Logf("%d pages: one 900 s page moves ours by %+.1f %%, the plain mean by %+.1f %%", n, 100*change, 100*(spikedMean/mean-1))
		if math.Abs(change) > limit {
			t.Errorf("%d pages: one 900 s page moved the estimate by %.1f %% (limit %.0f %%)", n, 100*change, 100*limit)
		}
	}

	// Pages 1..100 read but every tenth one skimmed: those stay without
	// counted reading, behind the furthest page read.
	r := newReader(4, 10, 0.3)
	all := r.read(self, 1, 100, flat(300))
	var read []estimate.Obs
	var rem []estimate.PageInfo
	for _, o := range all {
		if o.Page%10 == 5 {
			rem = append(rem, estimate.PageInfo{Page: o.Page, Words: 300})
			continue
		}
		read = append(read, o)
	}
	rem = append(rem, remaining(101, 150, flat(300))...)
	withSkims := estimate.ForPDF(estimate.PDFInput{Kind: estimate.KindStudy, Read: read, Remaining: rem})
	ahead := estimate.ForPDF(estimate.PDFInput{Kind: estimate.KindStudy, Read: read, Remaining: remaining(101, 150, flat(300))})
	if extra := withSkims.RemainingSeconds/ahead.RemainingSeconds - 1; extra > 0.03 {
		t.Errorf("10 skimmed pages behind the reading add %.1f %% to the 50 pages ahead, want about nothing", 100*extra)
	}
	if withSkims.RemainingPages != 60 {
		t.Errorf("remaining pages %d, want 60 (the skimmed ones are still unread)", withSkims.RemainingPages)
	}
}

// TestWords: time follows words: dense pages take longer than sparse
// ones, and a PDF the student has not opened is estimated from their speed
// in other PDFs (seconds per word), not from the page-rate prior.
func TestWords(t *testing.T) {
	other := uuid.New()
	r := newReader(5, 12, 0.3)
	user := newest(r.read(other, 1, 400, varied))
	tests := []struct {
		name   string
		words  int32
		lo, hi float64 // seconds per page
	}{
		// true expected page: (12 + 0.3·w)·e^{σ²/2}, σ = 0.4
		{"sparse slides", 60, 25, 45},
		{"a textbook page", 300, 90, 125},
		{"dense paper pages", 650, 195, 265},
	}
	for _, tc := range tests {
		e := estimate.ForPDF(estimate.PDFInput{Kind: estimate.KindStudy, User: user, Remaining: remaining(1, 50, flat(tc.words))})
		checkShape(t, tc.name, e)
		t.Logf("%s (%d words): %.0f s/page, basis %s", tc.name, tc.words, e.SecondsPerPage, e.Basis)
		if e.SecondsPerPage < tc.lo || e.SecondsPerPage > tc.hi || e.Basis != estimate.BasisUser {
			t.Errorf("%s: %.0f s/page basis %s, want %v..%v from the student's speed", tc.name, e.SecondsPerPage, e.Basis, tc.lo, tc.hi)
		}
	}
	// Within one PDF: the dense half ahead costs more than the sparse half.
	self := uuid.New()
	read := r.read(self, 1, 60, varied)
	sparse := estimate.ForPDF(estimate.PDFInput{Kind: estimate.KindStudy, Read: read, User: user, Remaining: remaining(61, 100, flat(100))})
	dense := estimate.ForPDF(estimate.PDFInput{Kind: estimate.KindStudy, Read: read, User: user, Remaining: remaining(61, 100, flat(500))})
	if ratio := dense.RemainingSeconds / sparse.RemainingSeconds; ratio < 2.5 || ratio > 4.5 {
		t.Errorf("500-word pages vs 100-word pages: ratio %.2f, want about (12+150)/(12+30) = 3.9 shrunk toward the prior overhead", ratio)
	}
}

// TestScans: pages without a text layer fall back to the page pace.
func TestScans(t *testing.T) {
	other, self := uuid.New(), uuid.New()
	r := newReader(6, 12, 0.3)
	user := newest(r.read(other, 1, 300, varied)) // ~100 s a page
	e := estimate.ForPDF(estimate.PDFInput{Kind: estimate.KindStudy, User: user, Remaining: remaining(1, 120, flat(-1))})
	checkShape(t, "unopened scan", e)
	if e.SecondsPerPage < 80 || e.SecondsPerPage > 135 || e.Basis != estimate.BasisUser {
		t.Errorf("an unopened scan: %.0f s/page basis %s, want the student's page pace (~107)", e.SecondsPerPage, e.Basis)
	}
	// Reading the scan slowly moves it to its own pace.
	slow := newReader(7, 200, 0)
	slow.t = r.t
	read := slow.read(self, 1, 60, flat(-1)) // ~217 s a page
	e = estimate.ForPDF(estimate.PDFInput{Kind: estimate.KindStudy, Read: read, User: user, Remaining: remaining(61, 120, flat(-1))})
	if e.SecondsPerPage < 170 || e.Basis != estimate.BasisPDF {
		t.Errorf("a scan read at ~217 s a page: %.0f s/page basis %s", e.SecondsPerPage, e.Basis)
	}
}

// TestRecency: a student whose pace changed weeks ago is estimated from
// their recent pace more than from the old one.
func TestRecency(t *testing.T) {
	old, recent := uuid.New(), uuid.New()
	r := newReader(8, 10, 0.5)
	before := r.read(old, 1, 300, flat(300))
	r.t = r.t.Add(60 * 24 * time.Hour)
	r.spw = 0.2
	after := r.read(recent, 1, 100, flat(300))
	user := newest(append(before, after...))
	e := estimate.ForPDF(estimate.PDFInput{Kind: estimate.KindStudy, User: user, Remaining: remaining(1, 100, flat(300))})
	still := estimate.Model{Words: true, Skips: true, Ends: true, Trend: true, Hierarchy: true}.ForPDF(
		estimate.PDFInput{Kind: estimate.KindStudy, User: user, Remaining: remaining(1, 100, flat(300))})
	t.Logf("weighted toward recent reading: %.0f s/page; all alike: %.0f s/page (old ~170, recent ~77)", e.SecondsPerPage, still.SecondsPerPage)
	if e.SecondsPerPage > 0.8*still.SecondsPerPage || e.SecondsPerPage > 115 {
		t.Errorf("recent pace not favoured: %.0f s/page (all alike %.0f)", e.SecondsPerPage, still.SecondsPerPage)
	}
}

// TestEnds: a student who never opened the last tenth of their earlier
// books (index, references) is expected to leave the end of this one too.
func TestEnds(t *testing.T) {
	r := newReader(9, 10, 0.3)
	var user []estimate.Obs
	var lib []estimate.PDFPages
	for range 4 {
		id := uuid.New()
		user = append(user, r.read(id, 1, 180, flat(300))...)
		lib = append(lib, estimate.PDFPages{PDF: id, Pages: 200})
		r.t = r.t.Add(20 * 24 * time.Hour)
	}
	user = newest(user)
	in := estimate.PDFInput{Kind: estimate.KindStudy, User: user, Remaining: remaining(1, 200, flat(300)), Library: lib}
	with := estimate.ForPDF(in)
	in.Library = nil
	without := estimate.ForPDF(in)
	ratio := with.RemainingSeconds / without.RemainingSeconds
	t.Logf("with the library: %.0f s, without: %.0f s (%.2f)", with.RemainingSeconds, without.RemainingSeconds, ratio)
	// Three books count as left (the fourth was read until now), each
	// ended at 90 %; the prior is worth two books ending evenly between 90
	// and 100 %. Pages 181-200 are then reached with chance 0.32, 0.24,
	// 0.16, 0.08 by fives: 16 pages not read, against 10 without the
	// library (prior alone), so (200-16)/(200-10) = 0.968 of the time.
	if ratio > 0.98 || ratio < 0.955 {
		t.Errorf("the learnt ends give %.3f of the time without them, want about 0.968", ratio)
	}
}

// TestEndsByDensity: where a student stopped in earlier documents counts
// most for documents like them: the sparse handouts they read to the last
// page say little about a dense paper, whose likes they left before the
// references.
func TestEndsByDensity(t *testing.T) {
	r := newReader(12, 10, 0.3)
	var user []estimate.Obs
	var lib []estimate.PDFPages
	for i := range 6 {
		id := uuid.New()
		if i%2 == 0 {
			user = append(user, r.read(id, 1, 30, flat(100))...) // handouts: to the end
		} else {
			user = append(user, r.read(id, 1, 25, flat(650))...) // papers: the references left
		}
		lib = append(lib, estimate.PDFPages{PDF: id, Pages: 30})
		r.t = r.t.Add(20 * 24 * time.Hour)
	}
	user = newest(user)
	share := func(words int32) float64 {
		in := estimate.PDFInput{Kind: estimate.KindStudy, User: user, Library: lib, Remaining: remaining(1, 30, flat(words))}
		with := estimate.ForPDF(in)
		in.Library = nil
		return with.RemainingSeconds / estimate.ForPDF(in).RemainingSeconds
	}
	sparse, dense := share(100), share(650)
	t.Logf("time with the learnt ends over without: handout %.3f, paper %.3f", sparse, dense)
	if sparse < 1 || dense > 0.95 {
		t.Errorf("a handout keeps %.3f of its time, a paper %.3f: want the handout read to its end (>= 1) and the paper's end left (< 0.95)", sparse, dense)
	}
}

// TestTrendPrior: without evidence, the second half of a book is expected a
// little faster than the first (students speed up as they get into a
// book); a student whose pace stays the same through their books is soon
// expected to keep it.
func TestTrendPrior(t *testing.T) {
	halves := func(books int) float64 {
		r := newReader(13, 10, 0.3)
		var user []estimate.Obs
		var lib []estimate.PDFPages
		for range books {
			id := uuid.New()
			user = append(user, r.read(id, 1, 200, flat(300))...)
			lib = append(lib, estimate.PDFPages{PDF: id, Pages: 200})
		}
		if books == 0 {
			user = r.read(uuid.New(), 1, 20, flat(300)) // pages of a PDF of unknown length
		}
		in := estimate.PDFInput{Kind: estimate.KindStudy, User: newest(user), Library: lib}
		m := estimate.Default
		m.Skips = false
		// (Page 200 tells the PDF's length; one page among a hundred.)
		in.Remaining = append(remaining(1, 99, flat(300)), estimate.PageInfo{Page: 200, Words: 300})
		first := m.ForPDF(in).RemainingSeconds
		in.Remaining = remaining(101, 200, flat(300))
		return m.ForPDF(in).RemainingSeconds / first
	}
	none, flat6 := halves(0), halves(6)
	t.Logf("second half over first: %.3f with no evidence, %.3f after six books at one pace", none, flat6)
	// The prior is 10 % faster at the end than at the start: e^(-0.1/2)
	// between the halves' middles.
	if none > 0.97 || none < 0.93 || flat6 < 0.98 {
		t.Errorf("second half over first: %.3f without evidence (want about 0.95), %.3f after six flat books (want about 1)", none, flat6)
	}
}

// TestTrend: a student who speeds up through every book is estimated
// faster for the last pages than their average so far.
func TestTrend(t *testing.T) {
	r := newReader(10, 10, 0.3)
	var user []estimate.Obs
	var lib []estimate.PDFPages
	for range 5 {
		id := uuid.New()
		for p := int32(1); p <= 200; p++ {
			r.spw = 0.4 - 0.2*float64(p)/200 // twice as fast at the end
			user = append(user, r.read(id, p, p, flat(300))...)
		}
		lib = append(lib, estimate.PDFPages{PDF: id, Pages: 200})
	}
	user = newest(user)
	self := uuid.New()
	var read []estimate.Obs
	for p := int32(1); p <= 100; p++ {
		r.spw = 0.4 - 0.2*float64(p)/200
		read = append(read, r.read(self, p, p, flat(300))...)
	}
	in := estimate.PDFInput{Kind: estimate.KindStudy, Read: read, User: user, Library: lib, Remaining: remaining(101, 200, flat(300))}
	trend := estimate.ForPDF(in)
	m := estimate.Default
	m.Trend = false
	none := m.ForPDF(in)
	// True mean over pages 101-200: (10 + 0.25·300)·e^{0.08} = 92.
	t.Logf("the second half: %.0f s/page with the trend, %.0f without (true ~92)", trend.SecondsPerPage, none.SecondsPerPage)
	if trend.SecondsPerPage > 0.92*none.SecondsPerPage {
		t.Errorf("trend not used: %.0f vs %.0f s/page", trend.SecondsPerPage, none.SecondsPerPage)
	}
}

// TestIntervals: low <= expected <= high everywhere, and fewer
// observations never give a narrower interval.
func TestIntervals(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 2))
	for i := range 200 {
		r := newReader(uint64(100+i), 5+20*rng.Float64(), 0.1+0.4*rng.Float64())
		var user []estimate.Obs
		for range rng.IntN(4) {
			user = append(user, r.read(uuid.New(), 1, int32(1+rng.IntN(150)), varied)...)
		}
		self := uuid.New()
		n := int32(rng.IntN(120))
		read := r.read(self, 1, n, varied)
		words := varied
		if rng.IntN(4) == 0 {
			words = flat(-1)
		}
		in := estimate.PDFInput{Kind: estimate.Kinds[rng.IntN(2)], Read: read, User: newest(user), Remaining: remaining(n+1, n+1+int32(rng.IntN(300)), words)}
		checkShape(t, "random input", estimate.ForPDF(in))
	}
	// Malformed input (the timer never sends it) is ignored, not propagated.
	bad := []estimate.Obs{
		{PDF: uuid.New(), Page: 1, Words: 300, Seconds: math.NaN()},
		{PDF: uuid.New(), Page: 2, Words: 300, Seconds: math.Inf(1)},
		{PDF: uuid.New(), Page: -3, Words: -7, Seconds: 60},
		{PDF: uuid.New(), Page: math.MaxInt32, Words: math.MaxInt32, Seconds: 1e9},
		{PDF: uuid.Nil, Page: 0, Words: 0, Seconds: 0.001},
	}
	for i := range bad {
		in := estimate.PDFInput{Read: bad[i : i+1], User: bad, Topic: bad,
			Remaining: []estimate.PageInfo{{Page: -1, Words: -1}, {Page: math.MaxInt32, Words: 500}, {Page: 5, Words: 0}},
			Library:   []estimate.PDFPages{{PDF: bad[i].PDF, Pages: -4}, {PDF: uuid.Nil, Pages: 0}}}
		checkShape(t, "malformed input", estimate.ForPDF(in))
	}
	checkShape(t, "malformed parts", estimate.Sum([]estimate.Estimate{{RemainingSeconds: math.NaN()}, {RemainingSeconds: math.Inf(1), HighSeconds: math.Inf(1)}}))
	checkShape(t, "malformed exercises", estimate.ForExercise(estimate.ExerciseInput{Pages: -2, Difficulty: 0,
		History: []estimate.ExerciseObs{{Pages: 0, Difficulty: 9, Seconds: math.NaN()}, {Pages: -1, Difficulty: -1, Seconds: 50}}}))
	// Widths along one steady reader.
	r := newReader(12, 10, 0.3)
	self := uuid.New()
	pages := r.read(self, 1, 160, flat(300))
	prev := math.Inf(1)
	for _, n := range []int{1, 2, 5, 10, 20, 40, 80} {
		e := estimate.ForPDF(estimate.PDFInput{Kind: estimate.KindStudy, Read: pages[:n], Remaining: remaining(161, 260, flat(300))})
		w := math.Log(e.HighSeconds / e.LowSeconds)
		if w > prev+1e-9 {
			t.Errorf("%d pages read: log width %.3f, wider than with fewer (%.3f)", n, w, prev)
		}
		prev = w
	}
}

func TestExercises(t *testing.T) {
	// No history: the default per page and difficulty.
	for _, tc := range []struct{ pages, diff int }{{1, 3}, {4, 1}, {2, 5}, {0, 9}} {
		e := estimate.ForExercise(estimate.ExerciseInput{Pages: tc.pages, Difficulty: tc.diff})
		checkShape(t, "default exercise", e)
		want := estimate.DefaultExerciseSeconds(tc.pages, tc.diff)
		if math.Abs(e.RemainingSeconds-want) > 1e-6*want || e.Basis != estimate.BasisDefault || e.Confidence != estimate.ConfidenceLow {
			t.Errorf("pages %d difficulty %d: %+v, want %.0f s (default)", tc.pages, tc.diff, e, want)
		}
	}
	if a, b := estimate.DefaultExerciseSeconds(2, 2), estimate.DefaultExerciseSeconds(2, 4); b/a != estimate.DefaultDifficultyStep*estimate.DefaultDifficultyStep {
		t.Errorf("difficulty steps: %v -> %v", a, b)
	}
	// History of a student at 300 s a page at difficulty 3 and doubling per
	// step: learnt, with the step.
	rng := rand.New(rand.NewPCG(13, 3))
	var hist []estimate.ExerciseObs
	for i := range 40 {
		d := 1 + rng.IntN(5)
		pages := 1 + rng.IntN(4)
		secs := 300 * float64(pages) * math.Pow(2, float64(d-3)) * math.Exp(0.3*rng.NormFloat64())
		hist = append(hist, estimate.ExerciseObs{Pages: pages, Difficulty: d, Seconds: secs, At: day0.Add(time.Duration(i) * time.Hour)})
	}
	prev := 0.0
	for d := 1; d <= 5; d++ {
		e := estimate.ForExercise(estimate.ExerciseInput{Pages: 2, Difficulty: d, History: hist})
		checkShape(t, "learnt exercise", e)
		want := 600 * math.Pow(2, float64(d-3)) * math.Exp(0.045)
		t.Logf("difficulty %d: %.0f s (true mean %.0f), basis %s", d, e.RemainingSeconds, want, e.Basis)
		if e.RemainingSeconds < 0.7*want || e.RemainingSeconds > 1.35*want || e.Basis != estimate.BasisUser || e.RemainingSeconds <= prev {
			t.Errorf("difficulty %d: %.0f s, want about %.0f and more than difficulty %d", d, e.RemainingSeconds, want, d-1)
		}
		prev = e.RemainingSeconds
	}
	// One exercise that took all afternoon does not swing it.
	base := estimate.ForExercise(estimate.ExerciseInput{Pages: 2, Difficulty: 3, History: hist})
	spiked := append([]estimate.ExerciseObs(nil), hist...)
	spiked[0].Seconds *= 20
	got := estimate.ForExercise(estimate.ExerciseInput{Pages: 2, Difficulty: 3, History: spiked})
	if math.Abs(got.RemainingSeconds/base.RemainingSeconds-1) > 0.1 {
		t.Errorf("one exercise 20 times as long moved the estimate from %.0f to %.0f", base.RemainingSeconds, got.RemainingSeconds)
	}
}

func TestSum(t *testing.T) {
	part := estimate.Estimate{RemainingPages: 100, SecondsPerPage: 100, RemainingSeconds: 10000, LowSeconds: 7000, HighSeconds: 13500, Basis: estimate.BasisPDF}
	def := estimate.Estimate{RemainingPages: 10, SecondsPerPage: 90, RemainingSeconds: 900, LowSeconds: 400, HighSeconds: 1600, Basis: estimate.BasisDefault}
	tests := []struct {
		name  string
		parts []estimate.Estimate
		pages int
		secs  float64
		basis estimate.Basis
	}{
		{"nothing", nil, 0, 0, estimate.BasisDefault},
		{"one part", []estimate.Estimate{part}, 100, 10000, estimate.BasisPDF},
		{"four alike", []estimate.Estimate{part, part, part, part}, 400, 40000, estimate.BasisPDF},
		{"mixed", []estimate.Estimate{part, def, {}}, 110, 10900, estimate.BasisPDF},
		{"all default", []estimate.Estimate{def, def}, 20, 1800, estimate.BasisDefault},
	}
	for _, tc := range tests {
		s := estimate.Sum(tc.parts)
		checkShape(t, tc.name, s)
		if s.RemainingPages != tc.pages || math.Abs(s.RemainingSeconds-tc.secs) > 1e-6 || s.Basis != tc.basis {
			t.Errorf("%s: %+v, want %d pages, %.0f s, basis %s", tc.name, s, tc.pages, tc.secs, tc.basis)
		}
	}
	// The relative width of a sum of like parts lies between that of
	// independent parts (shrinking as 1/sqrt(n)) and of one shared error.
	one := estimate.Sum([]estimate.Estimate{part})
	four := estimate.Sum([]estimate.Estimate{part, part, part, part})
	w1 := math.Log(one.HighSeconds / one.LowSeconds)
	w4 := math.Log(four.HighSeconds / four.LowSeconds)
	if !(w4 < w1 && w4 > w1/2) {
		t.Errorf("four like parts: log width %.3f, one part %.3f: want between %.3f and %.3f", w4, w1, w1/2, w1)
	}
}

// TestKindsMatchSchema keeps Kinds equal to the pdfs_kind_check constraint.
func TestKindsMatchSchema(t *testing.T) {
	entries, err := migrations.FS.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`CONSTRAINT pdfs_kind_check CHECK \(kind IN \(([^)]*)\)\)`)
	var found []string
	for _, e := range entries {
		b, err := migrations.FS.ReadFile(e.Name())
		if err != nil {
			t.Fatal(err)
		}
		if m := re.FindSubmatch(b); m != nil {
			found = nil
			for _, v := range strings.Split(string(m[1]), ",") {
				found = append(found, strings.Trim(strings.TrimSpace(v), "'"))
			}
		}
	}
	if len(found) != len(estimate.Kinds) {
		t.Fatalf("schema kinds %v, estimate.Kinds %v", found, estimate.Kinds)
	}
	for i, k := range estimate.Kinds {
		if string(k) != found[i] {
			t.Errorf("schema kinds %v, estimate.Kinds %v", found, estimate.Kinds)
		}
	}
}

func TestEnums(t *testing.T) {
	if len(estimate.Bases) != 4 || len(estimate.Confidences) != 3 {
		t.Fatalf("bases %v, confidences %v", estimate.Bases, estimate.Confidences)
	}
	seen := map[string]bool{}
	for _, b := range estimate.Bases {
		seen[string(b)] = true
	}
	for _, c := range estimate.Confidences {
		seen[string(c)] = true
	}
	if len(seen) != 7 {
		t.Errorf("duplicate enum values: %v", seen)
	}
}
