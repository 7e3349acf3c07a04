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

// Markdown renders the report: PDFs per checkpoint and method (MdAPE, with
// the bias in parentheses), then exercises and sums.
func (r Report) Markdown() string {
	var b strings.Builder
	c := r.Config.Sim
	fmt.Fprintf(&b, "Seed %d: %d students, %d PDFs each; %d finished PDFs scored (%d skipped), %d exercises, %d sums.\n\n",
		c.Seed, r.Students, c.PDFs, r.PDFs, r.Skipped, len(r.ExerciseCases), len(r.SumCases))
	b.WriteString("Time for the rest of a PDF: MdAPE (bias)\n\n| read | n |")
	for _, m := range r.Methods {
		fmt.Fprintf(&b, " %s |", m)
	}
	var interval []string
	for _, m := range r.Config.Methods {
		if m.Interval {
			interval = append(interval, m.Name)
			fmt.Fprintf(&b, " %s 80 %% coverage | %s width |", m.Name, m.Name)
		}
	}
	b.WriteString("\n|---|---|")
	b.WriteString(strings.Repeat("---|", len(r.Methods)+2*len(interval)))
	b.WriteString("\n")
	for _, cp := range Checkpoints {
		n := 0
		if x, ok := r.Row("pdf", cp, r.Methods[0]); ok {
			n = x.N
		}
		fmt.Fprintf(&b, "| %d %% | %d |", cp, n)
		for _, m := range r.Methods {
			x, _ := r.Row("pdf", cp, m)
			fmt.Fprintf(&b, " %s (%s) |", pct(x.MdAPE), signedPct(x.Bias))
		}
		for _, m := range interval {
			x, _ := r.Row("pdf", cp, m)
			fmt.Fprintf(&b, " %s | %s |", pct(x.Coverage), pct(x.Width))
		}
		b.WriteString("\n")
	}
	b.WriteString("\nExercises (before they are worked) and sums (at a share of the student's sessions)\n\n")
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
