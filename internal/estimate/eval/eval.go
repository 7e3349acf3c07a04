// Package eval measures time-to-finish estimators on generated reading
// logs (package sim) passed through a timer Pipeline.
//
// For every PDF the student finishes, at 0 % (before its first session), 25
// %, 50 % and 75 % of its pages read, each method predicts the time for the
// rest from what the timer had derived by then: that PDF's counted pages,
// and the student's other reading (newest first, bounded as the product
// bounds it, with the page counts of their PDFs). A checkpoint is the first
// moment the share of pages with counted reading reaches the mark: a
// replay with the timer's rules finds the page turn where that happens, and
// the reading session is cut there into two sessions, which the timer
// derives exactly as the whole (TestSplitIsExact); Run checks that the
// pipeline reaches the mark at that turn. The actual is the sum of the
// final counted seconds, from reading sessions, of the pages that had no
// counted reading at that moment (pages never read count nothing; the time
// of sessions on exercises is the exercises', scored on their own).
// Exercises are predicted before their session from the exercises worked
// before. Sums (the whole backlog, each topic) are checked at 25, 50 and 75
// % of the student's sessions over the PDFs that still have sessions ahead.
//
// Errors are percentages of the actual: MdAPE is the median absolute
// error, bias the median signed error (positive: overestimate), coverage
// the share of actuals inside the 80 % interval.
//
// Timer is the real timer path (study.Service and the database; what `make
// eval-estimates` runs); Reference is an in-memory rendering of the timer's
// rules, for tests and as a cross-check (TestTimerAgreesWithReference).
//
// With Config.Oracle the report also scores an oracle that knows the
// student's true parameters and everything already read and predicts from
// simulated futures (sim.Log.Forecast): the floor of the error on these
// logs. Report.Breakdown gives the error by document style and student.
package eval

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"time"

	"github.com/google/uuid"

	"github.com/studysprint/studysprint/internal/estimate"
	"github.com/studysprint/studysprint/internal/estimate/sim"
)

// Method is one way to estimate a PDF's remaining time.
type Method struct {
	Name string
	PDF  func(estimate.PDFInput) estimate.Estimate
	// Interval is whether the method gives an 80 % interval worth scoring.
	Interval bool
}

// Ours is the estimator under test.
var Ours = Method{Name: "ours", PDF: estimate.ForPDF, Interval: true}

// Baselines are the rules to beat, each times the pages left and each
// falling back to the default prior when the PDF has no pages read.
var Baselines = []Method{
	{Name: "koreader", PDF: KOReader},
	{Name: "mean", PDF: Mean},
	{Name: "trimmed20", PDF: Trimmed},
}

// Checkpoints are the shares of a PDF's pages read at which it is scored.
var Checkpoints = []int{0, 25, 50, 75}

// SumCheckpoints are the shares of a student's sessions at which sums are scored.
var SumCheckpoints = []int{25, 50, 75}

// Config says what to generate and what to measure.
type Config struct {
	Sim     sim.Config
	Methods []Method // nil: Ours, then Baselines
	Sample  int      // bound on the Topic and User samples; 0 means 1000
	// Oracle, when above 0, also scores the oracle (OracleName) with that
	// many simulated futures per case: it knows the student's true
	// parameters and everything already read and predicts from the
	// distribution of what the rest would take (sim.Log.Forecast), so its
	// error is the floor no estimator can go below on these logs.
	Oracle int
}

// OracleName is the oracle's name in a report.
const OracleName = "oracle"

// Case is one scored PDF at one checkpoint.
type Case struct {
	Student    uuid.UUID
	PDF        sim.PDF
	Checkpoint int
	PagesRead  int
	Remaining  int // pages without counted reading at the checkpoint
	ReadLater  int // how many of those got counted reading by the end
	Actual     float64
	Estimates  []estimate.Estimate // one per method, in Config order
}

// ExerciseCase is one scored exercise.
type ExerciseCase struct {
	Student  uuid.UUID
	Exercise sim.Exercise
	History  int
	Actual   float64
	Ours     estimate.Estimate
	Baseline estimate.Estimate
}

// SumCase is one scored sum: the backlog or one topic.
type SumCase struct {
	Student    uuid.UUID
	Topic      uuid.UUID // uuid.Nil for the whole backlog
	Checkpoint int
	Parts      int
	Actual     float64
	Estimate   estimate.Estimate
}

// Row is a summary of one method at one checkpoint.
type Row struct {
	Group      string // "pdf", "exercise", "backlog", "topic"
	Checkpoint int
	Method     string
	N          int
	MdAPE      float64 // fraction (0.07 is 7 %)
	Bias       float64 // median signed error, fraction
	Coverage   float64 // share inside the 80 % interval; NaN without an interval
	Width      float64 // median (high-low)/expected; NaN without an interval
}

// Report is the outcome of Run.
type Report struct {
	Config        Config
	Methods       []string
	Students      int
	PDFs          int // finished PDFs scored
	Skipped       int // PDFs that never reached every checkpoint, or whose actual was 0
	Cases         []Case
	ExerciseCases []ExerciseCase
	SumCases      []SumCase
	Rows          []Row
}

// interval reports whether method mi gives an interval worth scoring.
func (r Report) interval(mi int) bool {
	return mi >= len(r.Config.Methods) || r.Config.Methods[mi].Interval
}

// Row finds a summary row.
func (r Report) Row(group string, checkpoint int, method string) (Row, bool) {
	for _, x := range r.Rows {
		if x.Group == group && x.Checkpoint == checkpoint && x.Method == method {
			return x, true
		}
	}
	return Row{}, false
}

// Run generates the logs, feeds each student's sessions to p one at a time
// and scores every method.
func Run(ctx context.Context, cfg Config, p Pipeline) (Report, error) {
	if cfg.Methods == nil {
		cfg.Methods = append([]Method{Ours}, Baselines...)
	}
	if cfg.Sample <= 0 {
		cfg.Sample = 1000
	}
	rep := Report{Config: cfg}
	for _, m := range cfg.Methods {
		rep.Methods = append(rep.Methods, m.Name)
	}
	if cfg.Oracle > 0 {
		rep.Methods = append(rep.Methods, OracleName)
	}
	for _, l := range sim.Generate(cfg.Sim) {
		if err := runStudent(ctx, cfg, p, l, &rep); err != nil {
			return Report{}, fmt.Errorf("student %s: %w", l.Student.ID, err)
		}
		rep.Students++
	}
	rep.summarize()
	return rep, nil
}

// pending is a snapshot waiting for its actual.
type pending struct {
	pdf        sim.PDF
	checkpoint int
	read       int
	remaining  []int32
	estimates  []estimate.Estimate
}

type pendingSum struct {
	topic      uuid.UUID
	checkpoint int
	remaining  map[uuid.UUID][]int32
	estimate   estimate.Estimate
}

func runStudent(ctx context.Context, cfg Config, p Pipeline, l sim.Log, rep *Report) error {
	st := l.Student
	exercises := map[uuid.UUID]sim.Exercise{}
	for _, e := range st.Exercises {
		exercises[e.ID] = e
	}
	lastSession := map[uuid.UUID]int{} // per PDF: index of its last reading session
	for i, s := range l.Sessions {
		if s.Exercise == uuid.Nil {
			lastSession[s.PDF] = i
		}
	}
	sumAt := map[int]int{} // session index -> sum checkpoint
	for _, c := range SumCheckpoints {
		sumAt[len(l.Sessions)*c/100] = c
	}
	rules := NewReference()
	if r, ok := p.(*Reference); ok {
		rules = &Reference{IdleThreshold: r.IdleThreshold, PageMin: r.PageMin, PageMax: r.PageMax, NoExerciseDwells: r.NoExerciseDwells}
	}
	plan, err := planCuts(l, rules)
	if err != nil {
		return err
	}

	var cur Observed
	var snaps []pending
	var sums []pendingSum
	taken := map[uuid.UUID]map[int]bool{}
	exPred := map[uuid.UUID]ExerciseCase{}
	snapshot := func(pdf sim.PDF, c int, session int, at time.Time) error {
		in, remaining := pdfInput(cur, st, pdf, cfg.Sample)
		sp := pending{pdf: pdf, checkpoint: c, read: len(in.Read), remaining: remaining}
		for _, m := range cfg.Methods {
			sp.estimates = append(sp.estimates, m.PDF(in))
		}
		if cfg.Oracle > 0 {
			e, err := oracle(l, in, remaining, pdf, session, at, cfg.Oracle)
			if err != nil {
				return err
			}
			sp.estimates = append(sp.estimates, e)
		}
		snaps = append(snaps, sp)
		if taken[pdf.ID] == nil {
			taken[pdf.ID] = map[int]bool{}
		}
		taken[pdf.ID][c] = true
		return nil
	}
	for i, whole := range l.Sessions {
		if c, ok := sumAt[i]; ok {
			sums = append(sums, sumSnapshots(cur, st, lastSession, i, c, cfg.Sample)...)
		}
		pdf, ok := st.PDF(whole.PDF)
		if !ok {
			return fmt.Errorf("session %s on an unknown PDF", whole.ID)
		}
		if whole.Exercise != uuid.Nil {
			if _, done := exPred[whole.Exercise]; !done {
				ex := exercises[whole.Exercise]
				in := exerciseInput(cur, exercises, ex)
				exPred[whole.Exercise] = ExerciseCase{Student: st.ID, Exercise: ex, History: len(in.History),
					Ours: estimate.ForExercise(in), Baseline: ExerciseMean(in)}
			}
			if cur, err = p.Feed(ctx, st, []sim.Session{whole}); err != nil {
				return err
			}
			continue
		}
		if !taken[pdf.ID][0] && countRead(cur, pdf.ID) == 0 {
			if err := snapshot(pdf, 0, i, whole.StartAt); err != nil {
				return err
			}
		}
		cuts := plan.turns[i]
		pieces := cut(whole, func(turn int) bool { return slices.Contains(cuts, turn) })
		for k, s := range pieces {
			if cur, err = p.Feed(ctx, st, []sim.Session{s}); err != nil {
				return err
			}
			read := countRead(cur, pdf.ID)
			for _, c := range Checkpoints[1:] {
				if taken[pdf.ID][c] || read*100 < c*pdf.PageCount() {
					continue
				}
				if want := plan.at[checkpointKey{pdf.ID, c}]; want != (cutPoint{i, k}) && !(want.piece < 0 && want.session == i && k == len(pieces)-1) {
					return fmt.Errorf("PDF %s reached %d %% at session %d piece %d through %T, at %+v by the timer's rules",
						pdf.ID, c, i, k, p, want)
				}
				if err := snapshot(pdf, c, i, s.Events[len(s.Events)-1].At); err != nil {
					return err
				}
			}
		}
	}

	final := cur.Reading
	actual := func(pdf uuid.UUID, pages []int32) float64 {
		sum := 0.0
		for _, pg := range pages {
			sum += final[pdf][pg]
		}
		return sum
	}
	for _, pdf := range st.PDFs {
		var mine []pending
		for _, sp := range snaps {
			if sp.pdf.ID == pdf.ID {
				mine = append(mine, sp)
			}
		}
		ok := len(mine) == len(Checkpoints)
		for _, sp := range mine {
			ok = ok && actual(pdf.ID, sp.remaining) > 0
		}
		if !ok {
			rep.Skipped++
			continue
		}
		rep.PDFs++
		for _, sp := range mine {
			later := 0
			for _, pg := range sp.remaining {
				if final[pdf.ID][pg] > 0 {
					later++
				}
			}
			rep.Cases = append(rep.Cases, Case{Student: st.ID, PDF: pdf, Checkpoint: sp.checkpoint, PagesRead: sp.read,
				Remaining: len(sp.remaining), ReadLater: later, Actual: actual(pdf.ID, sp.remaining), Estimates: sp.estimates})
		}
	}
	exTotal := map[uuid.UUID]float64{}
	for _, x := range cur.Exercises {
		exTotal[x.Exercise] = x.Seconds
	}
	for _, ex := range st.Exercises {
		if c, ok := exPred[ex.ID]; ok && exTotal[ex.ID] > 0 {
			c.Actual = exTotal[ex.ID]
			rep.ExerciseCases = append(rep.ExerciseCases, c)
		}
	}
	for _, s := range sums {
		a := 0.0
		for pdf, pages := range s.remaining {
			a += actual(pdf, pages)
		}
		if a > 0 {
			rep.SumCases = append(rep.SumCases, SumCase{Student: st.ID, Topic: s.topic, Checkpoint: s.checkpoint,
				Parts: len(s.remaining), Actual: a, Estimate: s.estimate})
		}
	}
	return ctx.Err()
}

// oracle predicts the rest of a PDF from runs simulated futures (see
// Config.Oracle): the point that minimises the mean absolute percentage
// error over them (a median weighted by 1/actual) and their 10th and 90th
// percentiles. session is the index of the session under way.
func oracle(l sim.Log, in estimate.PDFInput, remaining []int32, pdf sim.PDF, session int, at time.Time, runs int) (estimate.Estimate, error) {
	// The share of the student's sessions that went to this PDF since it
	// was opened (half before it was).
	share, first := 0.5, -1
	for j, s := range l.Sessions[:session] {
		if s.PDF == pdf.ID && s.Exercise == uuid.Nil && first < 0 {
			first = j
		}
	}
	if first >= 0 {
		n := 0
		for _, s := range l.Sessions[first : session+1] {
			if s.PDF == pdf.ID && s.Exercise == uuid.Nil {
				n++
			}
		}
		share = float64(n) / float64(session+1-first)
	}
	read := make([]int32, len(in.Read))
	for i, o := range in.Read {
		read[i] = o.Page
	}
	// A seed of its own for every case: the session, the pages read, the PDF.
	seed := uint64(session)<<8 | uint64(len(read))
	for _, b := range pdf.ID[:8] {
		seed = seed*131 + uint64(b)
	}
	ref := NewReference()
	var totals []float64
	for _, future := range l.Forecast(pdf.ID, read, at, share, runs, seed) {
		st := newRefStudent()
		for _, s := range future {
			if err := ref.apply(st, s); err != nil {
				return estimate.Estimate{}, fmt.Errorf("oracle: %w", err)
			}
		}
		sum := 0.0
		for _, pg := range remaining {
			sum += math.Round(st.reading[pageKey{pdf.ID, pg}])
		}
		totals = append(totals, sum)
	}
	if len(totals) == 0 {
		return estimate.Estimate{}, fmt.Errorf("oracle: no future for PDF %s", pdf.ID)
	}
	slices.Sort(totals)
	type weighted struct{ x, w float64 }
	var ws []weighted
	var total float64
	for _, x := range totals {
		if x > 0 {
			ws = append(ws, weighted{x, 1 / x})
			total += 1 / x
		}
	}
	point := 0.0
	for acc, i := 0.0, 0; i < len(ws); i++ {
		if acc += ws[i].w; acc >= total/2 {
			point = ws[i].x
			break
		}
	}
	q := func(p float64) float64 { return totals[min(len(totals)-1, int(p*float64(len(totals))))] }
	e := estimate.Estimate{RemainingPages: len(remaining), RemainingSeconds: point, Confidence: estimate.ConfidenceHigh, Basis: estimate.BasisPDF,
		LowSeconds: math.Min(q(0.1), point), HighSeconds: math.Max(q(0.9), point)}
	if len(remaining) > 0 {
		e.SecondsPerPage = point / float64(len(remaining))
	}
	return e, nil
}

// checkpointKey is one PDF at one checkpoint.
type checkpointKey struct {
	pdf        uuid.UUID
	checkpoint int
}

// cutPoint is where a checkpoint is reached: the piece (after cutting at
// the planned turns) of a session that ends there; piece -1 is the
// session's last.
type cutPoint struct{ session, piece int }

// cutPlan says where Run cuts the reading sessions.
type cutPlan struct {
	turns map[int][]int // session index -> page turns to cut at, in order
	at    map[checkpointKey]cutPoint
}

// planCuts replays the log with the timer's rules (ref, a reference with
// the pipeline's settings) page turn by page turn and finds the first turn
// at which each PDF's counted pages reach each checkpoint. Run cuts the
// sessions there and only there, so the pipeline is asked for its
// observations at exactly those moments, and it checks that the pipeline
// reaches each checkpoint where the rules do.
func planCuts(l sim.Log, ref *Reference) (cutPlan, error) {
	plan := cutPlan{turns: map[int][]int{}, at: map[checkpointKey]cutPoint{}}
	st := newRefStudent()
	for i, s := range l.Sessions {
		if s.Exercise != uuid.Nil {
			if err := ref.apply(st, s); err != nil {
				return plan, err
			}
			continue
		}
		pdf, _ := l.Student.PDF(s.PDF)
		pieces := cut(s, func(int) bool { return true })
		for k, piece := range pieces {
			if err := ref.apply(st, piece); err != nil {
				return plan, err
			}
			for _, c := range Checkpoints[1:] {
				key := checkpointKey{s.PDF, c}
				if _, done := plan.at[key]; done || st.counted[s.PDF]*100 < c*pdf.PageCount() {
					continue
				}
				if k == len(pieces)-1 {
					plan.at[key] = cutPoint{i, -1}
					continue
				}
				turn := k + 1
				if ts := plan.turns[i]; len(ts) == 0 || ts[len(ts)-1] != turn {
					plan.turns[i] = append(ts, turn)
				}
				plan.at[key] = cutPoint{i, len(plan.turns[i]) - 1}
			}
		}
	}
	return plan, nil
}

// cut cuts a reading session at the page turns where at says so (1 is its
// first page event) into sessions that the timer derives exactly as the
// whole: a stop at the instant of the page turn, and a new session
// starting there on the new page (a page event ends the previous visit and
// is never inside a pause, and a session's start restarts the idle budget
// as the event would).
func cut(s sim.Session, at func(turn int) bool) []sim.Session {
	var out []sim.Session
	cur := s
	cur.Events = nil
	turns := 0
	for _, e := range s.Events {
		if e.Type == sim.EventPage {
			turns++
			if at(turns) {
				cur.Events = append(cur.Events, sim.Event{Type: sim.EventStop, At: e.At})
				out = append(out, cur)
				cur = sim.Session{ID: uuid.NewSHA1(s.ID, []byte(fmt.Sprint(len(out)))), PDF: s.PDF,
					StartAt: e.At, StartPage: e.Page}
				continue
			}
		}
		cur.Events = append(cur.Events, e)
	}
	return append(out, cur)
}

func countRead(cur Observed, pdf uuid.UUID) int {
	n := 0
	for _, o := range cur.Pages {
		if o.PDF == pdf && o.Seconds > 0 {
			n++
		}
	}
	return n
}

// pdfInput builds what the product would pass to the estimator for pdf now,
// and the pages it estimates.
func pdfInput(cur Observed, st sim.Student, pdf sim.PDF, sample int) (estimate.PDFInput, []int32) {
	in := estimate.PDFInput{Kind: pdf.Kind}
	topic := map[uuid.UUID]bool{}
	for _, p := range st.PDFs {
		topic[p.ID] = p.Topic == pdf.Topic && p.ID != pdf.ID
		if p.ID != pdf.ID {
			in.Library = append(in.Library, estimate.PDFPages{PDF: p.ID, Pages: int32(p.PageCount())})
		}
	}
	read := map[int32]bool{}
	var others []estimate.Obs
	for _, o := range cur.Pages {
		switch {
		case o.Seconds <= 0:
		case o.PDF == pdf.ID:
			in.Read = append(in.Read, o)
			read[o.Page] = true
		default:
			others = append(others, o)
		}
	}
	sort.SliceStable(others, func(i, j int) bool { return others[i].LastReadAt.After(others[j].LastReadAt) })
	for _, o := range others {
		if topic[o.PDF] && len(in.Topic) < sample {
			in.Topic = append(in.Topic, o)
		}
		if len(in.User) < sample {
			in.User = append(in.User, o)
		}
	}
	var remaining []int32
	for _, pg := range pdf.Pages() {
		if !read[pg.Page] {
			in.Remaining = append(in.Remaining, pg)
			remaining = append(remaining, pg.Page)
		}
	}
	return in, remaining
}

func exerciseInput(cur Observed, defs map[uuid.UUID]sim.Exercise, ex sim.Exercise) estimate.ExerciseInput {
	in := estimate.ExerciseInput{Pages: ex.Pages(), Difficulty: ex.Difficulty}
	for _, x := range cur.Exercises {
		if d, ok := defs[x.Exercise]; ok && x.Seconds > 0 && x.Exercise != ex.ID {
			in.History = append(in.History, estimate.ExerciseObs{Pages: d.Pages(), Difficulty: d.Difficulty, Seconds: x.Seconds, At: x.LastAt})
		}
	}
	slices.SortFunc(in.History, func(a, b estimate.ExerciseObs) int { return b.At.Compare(a.At) })
	return in
}

// sumSnapshots estimates the backlog and each topic: the PDFs with reading
// sessions from session index i on.
func sumSnapshots(cur Observed, st sim.Student, lastSession map[uuid.UUID]int, i, c, sample int) []pendingSum {
	all := pendingSum{checkpoint: c, remaining: map[uuid.UUID][]int32{}}
	topics := map[uuid.UUID]*pendingSum{}
	var allParts []estimate.Estimate
	parts := map[uuid.UUID][]estimate.Estimate{}
	for _, pdf := range st.PDFs {
		if last, ok := lastSession[pdf.ID]; !ok || last < i {
			continue
		}
		in, remaining := pdfInput(cur, st, pdf, sample)
		e := estimate.ForPDF(in)
		all.remaining[pdf.ID] = remaining
		allParts = append(allParts, e)
		tp := topics[pdf.Topic]
		if tp == nil {
			tp = &pendingSum{topic: pdf.Topic, checkpoint: c, remaining: map[uuid.UUID][]int32{}}
			topics[pdf.Topic] = tp
		}
		tp.remaining[pdf.ID] = remaining
		parts[pdf.Topic] = append(parts[pdf.Topic], e)
	}
	if len(allParts) == 0 {
		return nil
	}
	all.estimate = estimate.Sum(allParts)
	out := []pendingSum{all}
	for _, t := range st.Topics {
		if tp := topics[t.ID]; tp != nil {
			tp.estimate = estimate.Sum(parts[t.ID])
			out = append(out, *tp)
		}
	}
	return out
}

// scores summarises predictions against actuals.
type scores struct {
	abs, signed, widths []float64
	inside, n           int
}

func (s *scores) add(e estimate.Estimate, actual float64) {
	err := (e.RemainingSeconds - actual) / actual
	s.abs = append(s.abs, math.Abs(err))
	s.signed = append(s.signed, err)
	if e.RemainingSeconds > 0 {
		s.widths = append(s.widths, (e.HighSeconds-e.LowSeconds)/e.RemainingSeconds)
	}
	if e.LowSeconds <= actual && actual <= e.HighSeconds {
		s.inside++
	}
	s.n++
}

func (s *scores) row(group string, c int, method string, interval bool) Row {
	r := Row{Group: group, Checkpoint: c, Method: method, N: s.n, MdAPE: median(s.abs), Bias: median(s.signed),
		Coverage: math.NaN(), Width: math.NaN()}
	if interval && s.n > 0 {
		r.Coverage = float64(s.inside) / float64(s.n)
		r.Width = median(s.widths)
	}
	return r
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

func (r *Report) summarize() {
	for _, c := range Checkpoints {
		for mi, m := range r.Methods {
			var s scores
			for _, k := range r.Cases {
				if k.Checkpoint == c {
					s.add(k.Estimates[mi], k.Actual)
				}
			}
			r.Rows = append(r.Rows, s.row("pdf", c, m, r.interval(mi)))
		}
	}
	var ours, base scores
	for _, k := range r.ExerciseCases {
		ours.add(k.Ours, k.Actual)
		base.add(k.Baseline, k.Actual)
	}
	r.Rows = append(r.Rows, ours.row("exercise", 0, "ours", true), base.row("exercise", 0, "mean", false))
	for _, c := range SumCheckpoints {
		var backlog, topic scores
		for _, k := range r.SumCases {
			if k.Checkpoint != c {
				continue
			}
			if k.Topic == uuid.Nil {
				backlog.add(k.Estimate, k.Actual)
			} else {
				topic.add(k.Estimate, k.Actual)
			}
		}
		r.Rows = append(r.Rows, backlog.row("backlog", c, "ours", true), topic.row("topic", c, "ours", true))
	}
	slices.SortStableFunc(r.Rows, func(a, b Row) int {
		return cmp.Compare(groupOrder(a.Group), groupOrder(b.Group))
	})
}

func groupOrder(g string) int {
	return slices.Index([]string{"pdf", "exercise", "backlog", "topic"}, g)
}
