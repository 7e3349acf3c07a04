package eval

import (
	"context"
	"flag"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/studysprint/studysprint/internal/estimate"
	"github.com/studysprint/studysprint/internal/estimate/sim"
	"github.com/studysprint/studysprint/internal/testdb"
)

// The reported evaluation: seed 3 was not looked at while the estimator
// was designed (seeds 1 and 2 were); 20 students with 8 PDFs each.
var (
	evalSeed     = flag.Uint64("eval.seed", 3, "seed of the full evaluation")
	evalStudents = flag.Int("eval.students", 20, "students in the full evaluation")
	evalPDFs     = flag.Int("eval.pdfs", 8, "PDFs per student in the full evaluation")
	evalAblation = flag.Bool("eval.ablation", false, "also run the ablation (each part of the model switched off)")
	evalRun      = flag.Bool("eval.run", false, "run the full evaluation (make eval-estimates)")
	evalAnalysis = flag.Bool("eval.analysis", false, "also print the error by document style and by student")
	evalEffects  = flag.Bool("eval.effects", false, "also rerun the evaluation with each effect of the generator switched off (reference pipeline)")
	evalWithout  = flag.String("eval.without", "", "effects of the generator to switch off, comma-separated (see sim.Effects)")
	evalOracle   = flag.Int("eval.oracle", 40, "simulated futures per case for the oracle (the noise floor); 0 leaves it out")
	evalPipeline = flag.String("eval.pipeline", "timer", "timer (events -> study.Service -> database -> page_stats) or reference (in memory)")
)

// TestFullEvaluation prints the evaluation table (make eval-estimates) and,
// with -eval.ablation, the ablation.
func TestFullEvaluation(t *testing.T) {
	if testing.Short() || !*evalRun {
		t.Skip("run with -eval.run (make eval-estimates); TestClaims checks the same run")
	}
	cfg := Config{Sim: sim.Config{Seed: *evalSeed, Students: *evalStudents, PDFs: *evalPDFs}, Oracle: *evalOracle}
	for _, e := range strings.FieldsFunc(*evalWithout, func(r rune) bool { return r == ',' }) {
		if !slices.Contains(sim.Effects, sim.Effect(e)) {
			t.Fatalf("-eval.without: no effect %q (%v)", e, sim.Effects)
		}
		cfg.Sim.Without = append(cfg.Sim.Without, sim.Effect(e))
	}
	if *evalAblation {
		cfg.Methods = append([]Method{Ours}, Ablation()...)
		cfg.Methods = append(cfg.Methods, Baselines...)
	}
	var p Pipeline
	switch *evalPipeline {
	case "timer":
		p = NewTimer(testdb.Pool(t))
	case "reference":
		p = NewReference()
	default:
		t.Fatalf("-eval.pipeline %q: want timer or reference", *evalPipeline)
	}
	start := time.Now()
	rep, err := Run(context.Background(), cfg, p)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("pipeline %s, %v\n%s", *evalPipeline, time.Since(start).Round(time.Second), rep.Markdown())
	if *evalAnalysis {
		t.Log("\n" + rep.Breakdown())
	}
	for _, k := range rep.Cases {
		for i, e := range k.Estimates {
			if !(e.LowSeconds <= e.RemainingSeconds && e.RemainingSeconds <= e.HighSeconds) {
				t.Fatalf("%s: interval out of order: %+v", rep.Methods[i], e)
			}
		}
	}
	if *evalEffects {
		t.Log("\n" + effects(t, cfg))
	}
}

// effects reruns the evaluation (reference pipeline) with each effect of
// the generator switched off, then all of them: how much of each method's
// error each effect causes.
func effects(t *testing.T, cfg Config) string {
	var b strings.Builder
	b.WriteString("Generator effects switched off one at a time: MdAPE of ours (best baseline) at 0 / 25 / 50 / 75 %\n\n")
	b.WriteString("| without | 0 % | 25 % | 50 % | 75 % |\n|---|---|---|---|---|\n")
	type run struct {
		name    string
		without []sim.Effect
		noEx    bool
	}
	runs := []run{{name: "nothing"}}
	for _, e := range sim.Effects {
		runs = append(runs, run{name: string(e), without: []sim.Effect{e}})
	}
	runs = append(runs, run{name: "all of them", without: sim.Effects},
		run{name: "(exercise dwells in page_stats)", noEx: true})
	for _, x := range runs {
		c := cfg
		c.Sim.Without = x.without
		ref := NewReference()
		ref.NoExerciseDwells = x.noEx
		rep, err := Run(context.Background(), c, ref)
		if err != nil {
			t.Fatal(err)
		}
		name := x.name
		fmt.Fprintf(&b, "| %s |", name)
		for _, cp := range Checkpoints {
			ours, _ := rep.Row("pdf", cp, rep.Methods[0])
			best := math.Inf(1)
			for _, m := range rep.Methods[1:] {
				if r, _ := rep.Row("pdf", cp, m); r.MdAPE < best {
					best = r.MdAPE
				}
			}
			fmt.Fprintf(&b, " %s (%s) |", pct(ours.MdAPE), pct(best))
		}
		b.WriteString("\n")
	}
	return b.String()
}

// TestClaims runs the reported evaluation and asserts what the estimator
// claims there: it beats every baseline at every checkpoint, and its 80 %
// interval holds the actual for 70–90 % of the PDFs at each checkpoint.
// The run is deterministic (seeded generator, reference pipeline).
func TestClaims(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the full evaluation")
	}
	rep, err := Run(context.Background(), Config{Sim: sim.Config{Seed: 3, Students: 20, PDFs: 8}}, NewReference())
	if err != nil {
		t.Fatal(err)
	}
	if rep.PDFs < 150 {
		t.Fatalf("only %d PDFs scored", rep.PDFs)
	}
	for _, k := range rep.Cases {
		for i, e := range k.Estimates {
			if math.IsNaN(e.RemainingSeconds) || math.IsInf(e.HighSeconds, 0) ||
				!(e.LowSeconds <= e.RemainingSeconds && e.RemainingSeconds <= e.HighSeconds) {
				t.Fatalf("%s on %s at %d %%: %+v", rep.Methods[i], k.PDF.Style, k.Checkpoint, e)
			}
		}
	}
	for _, c := range Checkpoints {
		ours, _ := rep.Row("pdf", c, Ours.Name)
		for _, b := range Baselines {
			base, _ := rep.Row("pdf", c, b.Name)
			if ours.MdAPE >= base.MdAPE {
				t.Errorf("at %d %%: ours %.1f %% does not beat %s %.1f %%", c, 100*ours.MdAPE, b.Name, 100*base.MdAPE)
			}
		}
		if ours.Coverage < 0.70 || ours.Coverage > 0.90 {
			t.Errorf("at %d %%: the 80 %% interval covers %.1f %%", c, 100*ours.Coverage)
		}
	}
	for _, g := range []string{"backlog", "topic"} {
		for _, c := range SumCheckpoints {
			if r, _ := rep.Row(g, c, Ours.Name); r.Coverage < 0.65 || r.Coverage > 0.95 {
				t.Errorf("%s at %d %%: coverage %.1f %%", g, c, 100*r.Coverage)
			}
		}
	}
	if ex, _ := rep.Row("exercise", 0, Ours.Name); ex.Coverage < 0.70 || ex.Coverage > 0.90 {
		t.Errorf("exercises: coverage %.1f %%", 100*ex.Coverage)
	}
	ex, _ := rep.Row("exercise", 0, Ours.Name)
	base, _ := rep.Row("exercise", 0, "mean")
	if ex.MdAPE >= base.MdAPE {
		t.Errorf("exercises: ours %.1f %% does not beat the mean %.1f %%", 100*ex.MdAPE, 100*base.MdAPE)
	}
}

// TestSplitIsExact: cutting sessions at page turns, as Run does, gives the
// timer exactly what the whole sessions give.
func TestSplitIsExact(t *testing.T) {
	for _, l := range sim.Generate(sim.Config{Seed: 4, Students: 3, PDFs: 6}) {
		whole, pieces := NewReference(), NewReference()
		var a, b Observed
		var err error
		for _, s := range l.Sessions {
			if a, err = whole.Feed(context.Background(), l.Student, []sim.Session{s}); err != nil {
				t.Fatal(err)
			}
			parts := []sim.Session{s}
			if s.Exercise == uuid.Nil {
				parts = cut(s, func(int) bool { return true })
			}
			if b, err = pieces.Feed(context.Background(), l.Student, parts); err != nil {
				t.Fatal(err)
			}
		}
		if len(a.Pages) == 0 || !reflect.DeepEqual(a, b) {
			t.Fatalf("split sessions derive differently: %d pages whole, %d cut", len(a.Pages), len(b.Pages))
		}
	}
}

func TestBaselines(t *testing.T) {
	obs := func(secs ...float64) []estimate.Obs {
		var out []estimate.Obs
		for i, s := range secs {
			out = append(out, estimate.Obs{Page: int32(i + 1), Words: 300, Seconds: s})
		}
		return out
	}
	rem := make([]estimate.PageInfo, 10)
	tests := []struct {
		name string
		f    func(estimate.PDFInput) estimate.Estimate
		in   estimate.PDFInput
		want float64 // seconds per page
	}{
		{"koreader caps each page at 120 s", KOReader, estimate.PDFInput{Read: obs(60, 100, 900)}, (60 + 100 + 120) / 3.0},
		{"mean", Mean, estimate.PDFInput{Read: obs(60, 100, 900)}, (60 + 100 + 900) / 3.0},
		{"trimmed drops a fifth at each end", Trimmed, estimate.PDFInput{Read: obs(1000, 10, 50, 60, 70, 80, 90, 100, 110, 5)}, (50 + 60 + 70 + 80 + 90 + 100) / 6.0},
		{"trimmed with few pages is the mean", Trimmed, estimate.PDFInput{Read: obs(60, 120)}, 90},
		{"nothing read: study prior", Mean, estimate.PDFInput{Kind: estimate.KindStudy}, estimate.DefaultStudySeconds},
		{"nothing read: exercise prior", KOReader, estimate.PDFInput{Kind: estimate.KindExercise}, estimate.DefaultExercisePDFSeconds},
	}
	for _, tc := range tests {
		tc.in.Remaining = rem
		e := tc.f(tc.in)
		if math.Abs(e.SecondsPerPage-tc.want) > 1e-9 || math.Abs(e.RemainingSeconds-10*tc.want) > 1e-6 {
			t.Errorf("%s: %v s/page, %v total; want %v s/page", tc.name, e.SecondsPerPage, e.RemainingSeconds, tc.want)
		}
	}
	ex := ExerciseMean(estimate.ExerciseInput{Pages: 3, History: []estimate.ExerciseObs{{Pages: 2, Seconds: 600}, {Pages: 1, Seconds: 900}}})
	if ex.RemainingSeconds != 3*1500.0/3 {
		t.Errorf("exercise mean: %v", ex.RemainingSeconds)
	}
	if d := ExerciseMean(estimate.ExerciseInput{Pages: 2, Difficulty: 5}); d.RemainingSeconds != 2*estimate.DefaultExerciseSeconds(1, 3) {
		t.Errorf("exercise mean without history: %v", d.RemainingSeconds)
	}
}

// TestReport runs a tiny evaluation twice: the same report, with a row for
// every checkpoint and method, rendered as Markdown.
func TestReport(t *testing.T) {
	cfg := Config{Sim: sim.Config{Seed: 5, Students: 2, PDFs: 3}}
	a, err := Run(context.Background(), cfg, NewReference())
	if err != nil {
		t.Fatal(err)
	}
	b, err := Run(context.Background(), cfg, NewReference())
	if err != nil {
		t.Fatal(err)
	}
	md := a.Markdown()
	if md != b.Markdown() {
		t.Fatal("the same run gave another report")
	}
	if a.Students != 2 || a.PDFs+a.Skipped != 6 || len(a.Cases) != len(Checkpoints)*a.PDFs {
		t.Fatalf("report counts: %d students, %d PDFs (+%d skipped), %d cases", a.Students, a.PDFs, a.Skipped, len(a.Cases))
	}
	for _, c := range Checkpoints {
		for _, m := range a.Methods {
			if r, ok := a.Row("pdf", c, m); !ok || r.N != a.PDFs {
				t.Errorf("row %d %s: %+v", c, m, r)
			}
		}
	}
	for _, want := range []string{"| read | n | ours | koreader | mean | trimmed20 |", "| 50 % |", "| exercise |", "| backlog |"} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
	if _, ok := a.Row("pdf", 33, "ours"); ok {
		t.Error("a row for a checkpoint that does not exist")
	}
}

// TestOracle: with Config.Oracle the report scores the oracle too, the
// same way twice, with ordered intervals; on the logs it knows it is
// closer to the actuals than our estimator.
func TestOracle(t *testing.T) {
	cfg := Config{Sim: sim.Config{Seed: 6, Students: 3, PDFs: 4}, Oracle: 20}
	a, err := Run(context.Background(), cfg, NewReference())
	if err != nil {
		t.Fatal(err)
	}
	b, err := Run(context.Background(), cfg, NewReference())
	if err != nil {
		t.Fatal(err)
	}
	if a.Markdown() != b.Markdown() || !strings.Contains(a.Markdown(), "| "+OracleName+" |") {
		t.Fatalf("the oracle's report is not deterministic or lacks its column:\n%s", a.Markdown())
	}
	var ours, orc scores
	for _, k := range a.Cases {
		e := k.Estimates[len(k.Estimates)-1]
		if !(e.LowSeconds <= e.RemainingSeconds && e.RemainingSeconds <= e.HighSeconds) || e.RemainingSeconds <= 0 {
			t.Fatalf("oracle at %d %% on %s: %+v", k.Checkpoint, k.PDF.Style, e)
		}
		ours.add(k.Estimates[0], k.Actual)
		orc.add(e, k.Actual)
	}
	t.Logf("%d cases: MdAPE ours %.1f %%, oracle %.1f %%; oracle coverage %d/%d", orc.n, 100*median(ours.abs), 100*median(orc.abs), orc.inside, orc.n)
	if orc.n < 20 || median(orc.abs) >= median(ours.abs) || orc.inside*2 < orc.n {
		t.Errorf("oracle MdAPE %.3f against ours %.3f, coverage %d of %d", median(orc.abs), median(ours.abs), orc.inside, orc.n)
	}
}

func TestRunStopsOnCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Run(ctx, Config{Sim: sim.Config{Seed: 1, Students: 1, PDFs: 2}}, NewReference()); err == nil {
		t.Fatal("a cancelled run succeeded")
	}
}
