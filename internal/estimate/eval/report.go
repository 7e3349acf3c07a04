package eval

import (
	"fmt"
	"math"
	"strings"
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
	for _, m := range r.Config.Methods {
		if m.Interval {
			interval = append(interval, m.Name)
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
