package importer_test

import (
	"testing"
	"time"

	"github.com/studysprint/studysprint/internal/estimate"
	estimates "github.com/studysprint/studysprint/internal/estimate/store"
)

// TestImportEstimateBasis (issue 14): before the import the estimate of a
// matched PDF rests on the default prior; after it, on the PDF's own
// imported pages — read by the estimates' own loader (what GET
// /api/v1/estimates/pdfs/{id} answers).
func TestImportEstimateBasis(t *testing.T) {
	t.Parallel()
	f := newFx(t, testLimits)
	l := scenarioLibrary(f)
	path := file(t, scenarioBooks(l), scenarioVisits())
	store := estimates.New(f.pool, func() time.Time { return testNow })
	before, err := store.PDF(f.ctx, l.user, l.algebra)
	if err != nil || before.Estimate.Basis != estimate.BasisDefault || before.Estimate.RemainingPages != 60 {
		t.Fatalf("before the import: %+v %v", before, err)
	}
	f.mustImport(l.user, path, false)
	after, err := store.PDF(f.ctx, l.user, l.algebra)
	if err != nil || after.Estimate.Basis != estimate.BasisPDF || after.Estimate.RemainingPages != 60-6 || after.Estimate.RemainingSeconds <= 0 {
		t.Fatalf("after the import: %+v %v", after, err)
	}
}
