package importer

import (
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/studysprint/studysprint/internal/koreader"
)

// Source is where an import's history comes from (imports_source_check).
type Source string

// Import sources.
const SourceKOReader Source = "koreader"

// Sources lists every Source; a test keeps it equal to the CHECK constraint.
var Sources = []Source{SourceKOReader}

// Status is how an import ended (imports_status_check).
type Status string

// Import statuses.
const (
	// StatusCompleted: every matched book was imported.
	StatusCompleted Status = "completed"
	// StatusFailed: a book's transaction failed; it and the books after it
	// wrote nothing, the books before it stay imported.
	StatusFailed Status = "failed"
)

// Statuses lists every Status; a test keeps it equal to the CHECK constraint.
var Statuses = []Status{StatusCompleted, StatusFailed}

// BookStatus is what became of one book of the file.
type BookStatus string

// Book outcomes.
const (
	// BookImported: matched, and its visits are in the study history (or,
	// in a dry run, would be); a re-import reports it with only duplicates.
	BookImported BookStatus = "imported"
	// BookUnmatched: no PDF of the user matched (UnmatchedReason says why).
	BookUnmatched BookStatus = "unmatched"
	// BookFailed: its transaction failed and was rolled back.
	BookFailed BookStatus = "failed"
	// BookNotAttempted: matched, but an earlier book failed first.
	BookNotAttempted BookStatus = "not_attempted"
)

// BookStatuses lists every BookStatus.
var BookStatuses = []BookStatus{BookImported, BookUnmatched, BookFailed, BookNotAttempted}

// SkipSameStartTime counts visits of a book that started in the same second
// as a longer one of the same book (the timeline keeps one visit per
// instant; see koreader.Sessions).
const SkipSameStartTime koreader.SkipReason = "same_start_time"

// SkipReasons lists every reason a visit of a file is left out: the
// reader's row checks (koreader.SkipReasons; in_future also covers visits
// that end after now, which the timer would refuse) and SkipSameStartTime.
var SkipReasons = append(slices.Clone(koreader.SkipReasons), SkipSameStartTime)

// BookResult is the outcome for one book of the file. Counts are visits
// (rows of page_stat_data) unless named otherwise.
type BookResult struct {
	// BookID is the book's id in the file.
	BookID  int64  `json:"book_id"`
	Title   string `json:"title"`
	Authors string `json:"authors"`
	// MD5 is the book's partial MD5 ("" when the file has none).
	MD5 string `json:"md5"`
	// Pages is the book's page count in the file (0 when unknown).
	Pages  int        `json:"pages"`
	Status BookStatus `json:"status"`
	// PDFID and MatchedBy name the matched PDF and how it matched; Reason
	// says why none did.
	PDFID     *uuid.UUID               `json:"pdf_id"`
	MatchedBy koreader.MatchedBy       `json:"matched_by,omitempty"`
	Reason    koreader.UnmatchedReason `json:"unmatched_reason,omitempty"`
	// Visits is the book's sane visits in the file.
	Visits int `json:"visits"`
	// SessionsImported counts the new sessions, SessionsExtended the ones
	// an earlier import had stored that gained visits.
	SessionsImported int `json:"sessions_imported"`
	SessionsExtended int `json:"sessions_extended"`
	VisitsImported   int `json:"visits_imported"`
	// VisitsDuplicate were imported before (same deterministic event ids).
	VisitsDuplicate int `json:"visits_duplicate"`
	// VisitsRejected had their page event refused by the timer.
	VisitsRejected int `json:"visits_rejected"`
	// PagesMapped counts the visits recorded with another page count than
	// the PDF's, whose page was mapped proportionally (reflowed documents).
	PagesMapped int `json:"pages_mapped"`
}

// Totals sum the book results.
type Totals struct {
	Books            int `json:"books"`
	BooksMatched     int `json:"books_matched"`
	SessionsImported int `json:"sessions_imported"`
	SessionsExtended int `json:"sessions_extended"`
	VisitsImported   int `json:"visits_imported"`
	VisitsDuplicate  int `json:"visits_duplicate"`
	VisitsRejected   int `json:"visits_rejected"`
	PagesMapped      int `json:"pages_mapped"`
	// VisitsSkipped is the sum of Summary.Skipped.
	VisitsSkipped int `json:"visits_skipped"`
}

// Summary is what an import did (or, in a dry run, would do).
type Summary struct {
	// ID is the import's row; uuid.Nil for a dry run (nothing is written).
	ID        uuid.UUID
	DryRun    bool
	Source    Source
	Status    Status
	Filename  string
	SizeBytes int64
	SHA256    []byte
	StartedAt time.Time
	// FinishedAt is when the last book was done.
	FinishedAt time.Time
	Books      []BookResult
	Totals     Totals
	// Skipped counts the visits left out, by reason (every reason of
	// SkipReasons is present).
	Skipped map[koreader.SkipReason]int
}

// sum fills the totals from the book results and the skip counts.
func (s *Summary) sum() {
	t := Totals{Books: len(s.Books)}
	for _, b := range s.Books {
		if b.PDFID != nil {
			t.BooksMatched++
		}
		t.SessionsImported += b.SessionsImported
		t.SessionsExtended += b.SessionsExtended
		t.VisitsImported += b.VisitsImported
		t.VisitsDuplicate += b.VisitsDuplicate
		t.VisitsRejected += b.VisitsRejected
		t.PagesMapped += b.PagesMapped
	}
	for _, n := range s.Skipped {
		t.VisitsSkipped += n
	}
	s.Totals = t
}
