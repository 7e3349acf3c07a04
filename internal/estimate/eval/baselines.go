package eval

import (
	"slices"

	"github.com/studysprint/studysprint/internal/estimate"
)

// perPage turns a per-page rate into a point estimate (no interval: low and
// high equal the expected value).
func perPage(in estimate.PDFInput, rate float64) estimate.Estimate {
	n := len(in.Remaining)
	total := rate * float64(n)
	return estimate.Estimate{RemainingPages: n, SecondsPerPage: rate, RemainingSeconds: total,
		LowSeconds: total, HighSeconds: total, Confidence: estimate.ConfidenceLow, Basis: estimate.BasisPDF}
}

func prior(in estimate.PDFInput) estimate.Estimate {
	e := perPage(in, estimate.DefaultSecondsPerPage(in.Kind))
	e.Basis = estimate.BasisDefault
	return e
}

// KOReader is the KOReader statistics plugin's rule: the mean of the
// per-page times, each capped at 120 s, times the pages left.
func KOReader(in estimate.PDFInput) estimate.Estimate {
	if len(in.Read) == 0 {
		return prior(in)
	}
	sum := 0.0
	for _, o := range in.Read {
		sum += min(o.Seconds, 120)
	}
	return perPage(in, sum/float64(len(in.Read)))
}

// Mean is the plain mean seconds per page read, times the pages left.
func Mean(in estimate.PDFInput) estimate.Estimate {
	if len(in.Read) == 0 {
		return prior(in)
	}
	sum := 0.0
	for _, o := range in.Read {
		sum += o.Seconds
	}
	return perPage(in, sum/float64(len(in.Read)))
}

// Trimmed is the 20 % trimmed mean (a fifth cut from each end), times the
// pages left.
func Trimmed(in estimate.PDFInput) estimate.Estimate {
	if len(in.Read) == 0 {
		return prior(in)
	}
	xs := make([]float64, len(in.Read))
	for i, o := range in.Read {
		xs[i] = o.Seconds
	}
	slices.Sort(xs)
	cut := len(xs) / 5
	xs = xs[cut : len(xs)-cut]
	sum := 0.0
	for _, x := range xs {
		sum += x
	}
	return perPage(in, sum/float64(len(xs)))
}

// ExerciseMean is the baseline for exercises: the mean seconds per page of
// the exercises worked so far, times the exercise's pages (the default
// prior without history).
func ExerciseMean(in estimate.ExerciseInput) estimate.Estimate {
	var secs, pages float64
	for _, h := range in.History {
		secs += h.Seconds
		pages += float64(max(h.Pages, 1))
	}
	rate := estimate.DefaultExerciseSeconds(1, 3)
	if pages > 0 {
		rate = secs / pages
	}
	total := rate * float64(max(in.Pages, 1))
	return estimate.Estimate{RemainingPages: max(in.Pages, 1), SecondsPerPage: rate, RemainingSeconds: total,
		LowSeconds: total, HighSeconds: total, Confidence: estimate.ConfidenceLow, Basis: estimate.BasisPDF}
}

// Ablation is the Default estimator with one part switched off at a time,
// to show what each part buys.
func Ablation() []Method {
	variant := func(name string, off func(*estimate.Model)) Method {
		m := estimate.Default
		off(&m)
		return Method{Name: name, PDF: m.ForPDF, Interval: true}
	}
	return []Method{
		variant("no-words", func(m *estimate.Model) { m.Words = false }),
		variant("no-recency", func(m *estimate.Model) { m.HalfLifeDays = 0 }),
		variant("no-skips", func(m *estimate.Model) { m.Skips = false }),
		variant("no-ends", func(m *estimate.Model) { m.Ends = false }),
		variant("no-trend", func(m *estimate.Model) { m.Trend = false }),
		variant("no-hierarchy", func(m *estimate.Model) { m.Hierarchy = false }),
	}
}
