package eval

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/google/uuid"

	"github.com/studysprint/studysprint/internal/estimate/sim"
)

func pct(x float64) string {
	if math.IsNaN(x) {
		return "—"
	}
	return fmt.Sprintf("%.1f %%", 100*x)
}

func signedPct(x float64) string {
	if math.IsNaN(x) {
		return "—"
	}
	return fmt.Sprintf("%+.1f %%", 100*x)
}

// Markdown renders the report: the error of each method per checkpoint
// (MdAPE, with the bias in parentheses), the 80 % intervals of the methods
// that have them (coverage, with the median width in parentheses), then
// exercises and sums.
func (r Report) Markdown() string {
	var b strings.Builder
	c := r.Config.Sim
	fmt.Fprintf(&b, "Seed %d: %d students, %d PDFs each; %d finished PDFs scored (%d skipped), %d exercises, %d sums.\n\n",
		c.Seed, r.Students, c.PDFs, r.PDFs, r.Skipped, len(r.ExerciseCases), len(r.SumCases))
	table := func(title string, names []string, cell func(Row) string) {
		b.WriteString(title + "\n\n| read | n |")
		for _, m := range names {
			fmt.Fprintf(&b, " %s |", m)
		}
		b.WriteString("\n|---|---|" + strings.Repeat("---|", len(names)) + "\n")
		for _, cp := range Checkpoints {
			first, _ := r.Row("pdf", cp, names[0])
			fmt.Fprintf(&b, "| %d %% | %d |", cp, first.N)
			for _, m := range names {
				x, _ := r.Row("pdf", cp, m)
				fmt.Fprintf(&b, " %s |", cell(x))
			}
			b.WriteString("\n")
		}
		b.WriteString("\n")
	}
	table("Time for the rest of a PDF: MdAPE (bias)", r.Methods, func(x Row) string {
		return fmt.Sprintf("%s (%s)", pct(x.MdAPE), signedPct(x.Bias))
	})
	var interval []string
	for mi, m := range r.Methods {
		if r.interval(mi) {
			interval = append(interval, m)
		}
	}
	if len(interval) > 0 {
		table("80 % interval: share of actuals inside (median width / expected)", interval, func(x Row) string {
			return fmt.Sprintf("%s (%s)", pct(x.Coverage), pct(x.Width))
		})
	}
	b.WriteString("Exercises (before they are worked) and sums (at a share of the student's sessions)\n\n")
	b.WriteString("| what | at | method | n | MdAPE | bias | 80 % coverage | width |\n|---|---|---|---|---|---|---|---|\n")
	for _, x := range r.Rows {
		if x.Group == "pdf" {
			continue
		}
		at := "—"
		if x.Group != "exercise" {
			at = fmt.Sprintf("%d %%", x.Checkpoint)
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %d | %s | %s | %s | %s |\n", x.Group, at, x.Method, x.N,
			pct(x.MdAPE), signedPct(x.Bias), pct(x.Coverage), pct(x.Width))
	}
	return b.String()
}

// Breakdown renders, per checkpoint, the error of each method by document
// style (MdAPE, bias in parentheses; coverage of the methods with an
// interval), and per student the error of the first method at each
// checkpoint: where the error comes from.
func (r Report) Breakdown() string {
	var b strings.Builder
	styles := []sim.Style{}
	for _, k := range r.Cases {
		if !slices.Contains(styles, k.PDF.Style) {
			styles = append(styles, k.PDF.Style)
		}
	}
	slices.Sort(styles)
	for _, cp := range Checkpoints {
		fmt.Fprintf(&b, "At %d %%: MdAPE (bias) by style; coverage of the first method\n\n| style | n | pages (median) |", cp)
		for _, m := range r.Methods {
			fmt.Fprintf(&b, " %s |", m)
		}
		b.WriteString(" coverage |\n|---|---|---|" + strings.Repeat("---|", len(r.Methods)+1) + "\n")
		for _, st := range styles {
			var cases []Case
			var pages []float64
			for _, k := range r.Cases {
				if k.Checkpoint == cp && k.PDF.Style == st {
					cases = append(cases, k)
					pages = append(pages, float64(k.PDF.PageCount()))
				}
			}
			fmt.Fprintf(&b, "| %s | %d | %.0f |", st, len(cases), median(pages))
			var first scores
			for mi := range r.Methods {
				var s scores
				for _, k := range cases {
					s.add(k.Estimates[mi], k.Actual)
				}
				if mi == 0 {
					first = s
				}
				fmt.Fprintf(&b, " %s (%s) |", pct(median(s.abs)), signedPct(median(s.signed)))
			}
			fmt.Fprintf(&b, " %s |\n", pct(float64(first.inside)/float64(max(first.n, 1))))
		}
		b.WriteString("\n")
	}
	var students []uuid.UUID
	for _, k := range r.Cases {
		if !slices.Contains(students, k.Student) {
			students = append(students, k.Student)
		}
	}
	fmt.Fprintf(&b, "Per student: MdAPE (bias) of %s\n\n| student | PDFs |", r.Methods[0])
	for _, cp := range Checkpoints {
		fmt.Fprintf(&b, " %d %% |", cp)
	}
	b.WriteString("\n|---|---|" + strings.Repeat("---|", len(Checkpoints)) + "\n")
	for _, id := range students {
		fmt.Fprintf(&b, "| %s |", id.String()[:8])
		for i, cp := range Checkpoints {
			var s scores
			for _, k := range r.Cases {
				if k.Student == id && k.Checkpoint == cp {
					s.add(k.Estimates[0], k.Actual)
				}
			}
			if i == 0 {
				fmt.Fprintf(&b, " %d |", s.n)
			}
			fmt.Fprintf(&b, " %s (%s) |", pct(median(s.abs)), signedPct(median(s.signed)))
		}
		b.WriteString("\n")
	}
	return b.String()
}
