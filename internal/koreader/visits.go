package koreader

import (
	"math"
	"time"
)

// Book is one row of KOReader's book table, with the sane visits of
// page_stat_data that belong to it.
type Book struct {
	ID      int64
	Title   string
	Authors string
	// Pages is book.pages, the page count when KOReader last saw the
	// document (0 when unknown).
	Pages int
	// MD5 is book.md5, KOReader's partial MD5 of the file (lower-case hex;
	// empty when unknown).
	MD5    string
	Visits []Visit
}

// MaxTotalPages is the largest total_pages among the book's visits (0 when
// none is known).
func (b Book) MaxTotalPages() int {
	n := 0
	for _, v := range b.Visits {
		n = max(n, v.TotalPages)
	}
	return n
}

// Visit is one row of page_stat_data: a stay on a page.
type Visit struct {
	BookID int64
	Page   int
	// StartTime is Unix seconds.
	StartTime int64
	// Duration is in seconds.
	Duration int64
	// TotalPages is the document's page count when the visit was recorded
	// (it changes when a reflowable document is laid out again; 0 when
	// unknown).
	TotalPages int
}

// End is the Unix second at which the visit ended.
func (v Visit) End() int64 { return addSat(v.StartTime, v.Duration) }

// SkipReason says why a visit row was left out of an import.
type SkipReason string

// Why a visit is skipped. Each is counted, none is fatal.
const (
	SkipPageBelowOne        SkipReason = "page_below_one"
	SkipDurationNotPositive SkipReason = "duration_not_positive"
	SkipDurationTooLong     SkipReason = "duration_too_long"
	SkipTotalPagesNegative  SkipReason = "total_pages_negative"
	SkipBeforeYear2000      SkipReason = "before_year_2000"
	SkipInFuture            SkipReason = "in_future"
	SkipNoBook              SkipReason = "no_book"
)

// SkipReasons lists every SkipReason once.
var SkipReasons = []SkipReason{
	SkipPageBelowOne, SkipDurationNotPositive, SkipDurationTooLong, SkipTotalPagesNegative,
	SkipBeforeYear2000, SkipInFuture, SkipNoBook,
}

// Bounds of a sane visit.
const (
	// MaxVisitDuration is the longest stay on one page taken as reading;
	// KOReader records a page left open overnight as one visit.
	MaxVisitDuration = 4 * time.Hour
	// MaxFutureStart is how far past now a visit may start (device clocks
	// drift and time zones get mixed up).
	MaxFutureStart = 24 * time.Hour
)

// year2000 is 2000-01-01T00:00:00Z in Unix seconds.
const year2000 = 946684800

// CheckVisit reports why a visit must be skipped, or "" when it is sane.
// Whether its book exists is the caller's check (SkipNoBook).
func CheckVisit(v Visit, now time.Time) SkipReason {
	switch {
	case v.Page < 1:
		return SkipPageBelowOne
	case v.Duration <= 0:
		return SkipDurationNotPositive
	case v.Duration > int64(MaxVisitDuration/time.Second):
		return SkipDurationTooLong
	case v.TotalPages < 0:
		return SkipTotalPagesNegative
	case v.StartTime < year2000:
		return SkipBeforeYear2000
	case v.StartTime > now.Add(MaxFutureStart).Unix():
		return SkipInFuture
	}
	return ""
}

// addSat is a + b, saturated at the int64 limits.
func addSat(a, b int64) int64 {
	s := a + b
	switch {
	case b > 0 && s < a:
		return math.MaxInt64
	case b < 0 && s > a:
		return math.MinInt64
	}
	return s
}
