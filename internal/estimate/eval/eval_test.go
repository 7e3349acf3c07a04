package eval

import (
	"context"
	"flag"
	"testing"

	"github.com/studysprint/studysprint/internal/estimate/sim"
)

var (
	evalStudents = flag.Int("eval.students", 20, "students in the full evaluation")
	evalPDFs     = flag.Int("eval.pdfs", 8, "PDFs per student in the full evaluation")
	evalSeed     = flag.Uint64("eval.seed", 2, "seed of the full evaluation")
)

// TestFullEvaluation is the reported evaluation (make eval-estimates).
func TestFullEvaluation(t *testing.T) {
	if testing.Short() {
		t.Skip("the full evaluation is slow")
	}
	rep, err := Run(context.Background(), Config{Sim: sim.Config{Seed: *evalSeed, Students: *evalStudents, PDFs: *evalPDFs}}, NewReference())
	if err != nil {
		t.Fatal(err)
	}
	t.Log("\n" + rep.Markdown())
}
