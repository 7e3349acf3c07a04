package koreader

import (
	"cmp"
	"math/bits"
	"slices"
	"time"
)

// DefaultSessionGap splits KOReader's visits into reading sessions: a
// longer pause between two visits starts a new session.
const DefaultSessionGap = 30 * time.Minute

// Session is a run of one book's visits without a gap longer than the
// session gap, in time order, none overlapping the next.
type Session struct {
	Visits []Visit
}

// Start is the Unix second the session began.
func (s Session) Start() int64 { return s.Visits[0].StartTime }

// End is the Unix second the session ended.
func (s Session) End() int64 { return s.Visits[len(s.Visits)-1].End() }

// Sessions orders one book's visits by start time and splits them where
// the time from one visit's end to the next one's start exceeds gap.
// KOReader can record overlapping visits (two devices, a clock change):
// of visits starting in the same second the longest is kept (then the
// lowest page), and a visit that runs past the next one's start is cut
// there, so the timeline is monotone. Visits without a positive duration
// are dropped, and longer ones than MaxVisitDuration are cut to it (the
// import skips those with CheckVisit first). visits is not modified.
func Sessions(visits []Visit, gap time.Duration) []Session {
	vs := make([]Visit, 0, len(visits))
	maxDur := int64(MaxVisitDuration / time.Second)
	for _, v := range visits {
		if v.Duration > 0 {
			v.Duration = min(v.Duration, maxDur)
			vs = append(vs, v)
		}
	}
	slices.SortFunc(vs, func(a, b Visit) int {
		return cmp.Or(cmp.Compare(a.StartTime, b.StartTime),
			cmp.Compare(b.Duration, a.Duration),
			cmp.Compare(a.Page, b.Page),
			cmp.Compare(a.TotalPages, b.TotalPages),
			cmp.Compare(a.BookID, b.BookID))
	})
	vs = slices.CompactFunc(vs, func(a, b Visit) bool { return a.StartTime == b.StartTime })
	for i := 0; i+1 < len(vs); i++ {
		if vs[i].End() > vs[i+1].StartTime {
			vs[i].Duration = vs[i+1].StartTime - vs[i].StartTime
		}
	}

	gapSec := int64(gap / time.Second)
	var out []Session
	first := 0
	for i := 1; i <= len(vs); i++ {
		if i == len(vs) || vs[i].StartTime-vs[i-1].End() > gapSec {
			out = append(out, Session{Visits: vs[first:i:i]})
			first = i
		}
	}
	return out
}

// MapPage maps a page recorded while the document had totalPages pages to
// a page of a PDF with pdfPages pages: unchanged when the counts agree (or
// totalPages is unknown), proportionally otherwise (reflowed documents),
// as ceil(page * pdfPages / totalPages); always within 1..pdfPages. A
// pdfPages below 1 leaves page as it is.
func MapPage(page, totalPages, pdfPages int) int {
	if pdfPages < 1 {
		return page
	}
	if page < 1 {
		return 1
	}
	if totalPages < 1 || totalPages == pdfPages {
		return min(page, pdfPages)
	}
	if page >= totalPages {
		return pdfPages
	}
	// page < totalPages, so the product's high word is below totalPages
	// and the division cannot overflow.
	hi, lo := bits.Mul64(uint64(page), uint64(pdfPages))
	q, r := bits.Div64(hi, lo, uint64(totalPages))
	if r != 0 {
		q++
	}
	return int(min(q, uint64(pdfPages)))
}

// pageMapped reports whether MapPage changes the page's numbering (a visit
// recorded with another page count than the PDF's).
func pageMapped(totalPages, pdfPages int) bool {
	return pdfPages >= 1 && totalPages >= 1 && totalPages != pdfPages
}
