package importer_test

import (
	"testing"

	"github.com/google/uuid"

	"github.com/studysprint/studysprint/internal/estimate"
)

// pdfEstimate is estimate.ForPDF for one of the user's PDFs, its inputs
// read from the database as an estimate of its rest is made: the PDF's
// counted pages in page_stats (Read), its other pages (Remaining; no word
// counts, the test PDFs have no text), the student's counted pages in their
// other PDFs (User) and those PDFs' page counts (Library).
func (f *fx) pdfEstimate(user, pdf uuid.UUID) estimate.Estimate {
	f.t.Helper()
	rows, err := f.pool.Query(f.ctx, `SELECT ps.pdf_id, ps.page, ps.seconds_read, ps.visits, ps.last_read_at
		FROM page_stats ps WHERE ps.user_id = $1 AND ps.seconds_read > 0`, user)
	if err != nil {
		f.t.Fatal(err)
	}
	in := estimate.PDFInput{Kind: estimate.KindStudy}
	read := map[int32]bool{}
	for rows.Next() {
		var o estimate.Obs
		var secs int32
		if err := rows.Scan(&o.PDF, &o.Page, &secs, &o.Visits, &o.LastReadAt); err != nil {
			f.t.Fatal(err)
		}
		o.Seconds, o.Words, o.Kind = float64(secs), -1, estimate.KindStudy
		if o.PDF == pdf {
			in.Read = append(in.Read, o)
			read[o.Page] = true
		} else {
			in.User = append(in.User, o)
		}
	}
	if err := rows.Err(); err != nil {
		f.t.Fatal(err)
	}
	var pages int32
	if err := f.pool.QueryRow(f.ctx, `SELECT page_count FROM pdfs WHERE id = $1 AND user_id = $2`, pdf, user).Scan(&pages); err != nil {
		f.t.Fatal(err)
	}
	for p := int32(1); p <= pages; p++ {
		if !read[p] {
			in.Remaining = append(in.Remaining, estimate.PageInfo{Page: p, Words: -1})
		}
	}
	lib, err := f.pool.Query(f.ctx, `SELECT id, page_count FROM pdfs WHERE user_id = $1 AND id <> $2`, user, pdf)
	if err != nil {
		f.t.Fatal(err)
	}
	defer lib.Close()
	for lib.Next() {
		var p estimate.PDFPages
		if err := lib.Scan(&p.PDF, &p.Pages); err != nil {
			f.t.Fatal(err)
		}
		in.Library = append(in.Library, p)
	}
	return estimate.ForPDF(in)
}

// TestImportEstimateBasis (issue 14): before the import the estimate of a
// matched PDF rests on the default prior; after it, on the PDF's own
// imported pages. (Against internal/estimate directly, with its inputs read
// from page_stats: the estimates endpoints are not on main yet.)
func TestImportEstimateBasis(t *testing.T) {
	t.Parallel()
	f := newFx(t, testLimits)
	l := scenarioLibrary(f)
	path := file(t, scenarioBooks(l), scenarioVisits())
	if e := f.pdfEstimate(l.user, l.algebra); e.Basis != estimate.BasisDefault || e.RemainingPages != 60 {
		t.Fatalf("before the import: %+v", e)
	}
	f.mustImport(l.user, path, false)
	e := f.pdfEstimate(l.user, l.algebra)
	if e.Basis != estimate.BasisPDF || e.RemainingPages != 60-6 || e.RemainingSeconds <= 0 {
		t.Fatalf("after the import: %+v", e)
	}
}
