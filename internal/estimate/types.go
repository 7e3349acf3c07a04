package estimate

import (
	"time"

	"github.com/google/uuid"
)

// Kind is a PDF's kind, as in pdfs.kind.
type Kind string

// PDF kinds.
const (
	KindStudy    Kind = "study"
	KindExercise Kind = "exercise"
)

// Kinds is the one list of PDF kinds (a test keeps it equal to pdfs_kind_check).
var Kinds = []Kind{KindStudy, KindExercise}

// Basis says which level of the student's history dominates an estimate.
type Basis string

// Bases of an estimate, from the most specific to the least.
const (
	BasisPDF     Basis = "pdf"     // this PDF's own pages (or, for an exercise, the student's exercises)
	BasisTopic   Basis = "topic"   // the student's reading in other PDFs of the same topic
	BasisUser    Basis = "user"    // the student's reading anywhere
	BasisDefault Basis = "default" // no history: the documented prior
)

// Bases is the one list of bases.
var Bases = []Basis{BasisPDF, BasisTopic, BasisUser, BasisDefault}

// Confidence grades an estimate by the width of its interval.
type Confidence string

// Confidence levels.
const (
	ConfidenceLow    Confidence = "low"
	ConfidenceMedium Confidence = "medium"
	ConfidenceHigh   Confidence = "high"
)

// Confidences is the one list of confidence levels.
var Confidences = []Confidence{ConfidenceLow, ConfidenceMedium, ConfidenceHigh}

// Obs is one page's counted reading (a page_stats row with seconds_read > 0).
type Obs struct {
	PDF        uuid.UUID
	Kind       Kind // the PDF's kind; "" counts as study
	Page       int32
	Words      int32   // pdf_pages.word_count; -1 when unknown or the page has no text layer
	Seconds    float64 // page_stats.seconds_read: counted dwells, each capped
	Visits     int
	LastReadAt time.Time
}

// PageInfo is a page still to read.
type PageInfo struct {
	Page  int32
	Words int32 // -1 when unknown or the page has no text layer
}

// PDFInput is everything ForPDF looks at.
type PDFInput struct {
	Kind Kind
	// Remaining are the pages not yet read: the PDF's pages without counted
	// reading, in any order.
	Remaining []PageInfo
	// Read are this PDF's counted pages.
	Read []Obs
	// Topic is a bounded sample (newest first, e.g. at most 1000) of the
	// student's counted pages in other PDFs of the same topic (subtree).
	Topic []Obs
	// User is the same over all the student's other PDFs (it may include the
	// Topic pages).
	User []Obs
	// Library has the page counts of the student's other PDFs (at least
	// those in Topic and User): with them the estimator learns where in a
	// document this student stops reading (indexes, references and
	// appendices are often never opened). Optional.
	Library []PDFPages
}

// PDFPages is a PDF's page count.
type PDFPages struct {
	PDF   uuid.UUID
	Pages int32
}

// Estimate is a time-to-finish answer.
type Estimate struct {
	RemainingPages   int
	SecondsPerPage   float64 // expected, over the remaining pages (0 when none remain)
	RemainingSeconds float64 // expected total
	LowSeconds       float64 // 80 % interval: 10th percentile
	HighSeconds      float64 // 80 % interval: 90th percentile
	Confidence       Confidence
	Basis            Basis
}

// ExerciseObs is a worked exercise: its page span, difficulty and the timer's
// active seconds on it.
type ExerciseObs struct {
	Pages      int
	Difficulty int // 1..5
	Seconds    float64
	At         time.Time // when it was last worked on
}

// ExerciseInput is everything ForExercise looks at.
type ExerciseInput struct {
	Pages      int // the exercise's page span (page_end - page_start + 1)
	Difficulty int // 1..5
	History    []ExerciseObs
}
