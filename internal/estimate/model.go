package estimate

import "math"

// The default priors, used when the student has no reading history at all.
const (
	// DefaultStudySeconds is the prior seconds per page of a study PDF.
	DefaultStudySeconds = 90.0
	// DefaultExercisePDFSeconds is the prior seconds per page of an exercise PDF.
	DefaultExercisePDFSeconds = 120.0
	// DefaultExercisePageSeconds is the prior for an exercise, per page of
	// the span it covers, at difficulty 3; each difficulty step multiplies
	// it by DefaultDifficultyStep (difficulty 1: 107 s a page, 5: 540 s).
	DefaultExercisePageSeconds = 240.0
	// DefaultDifficultyStep is the prior growth of exercise time per
	// difficulty step.
	DefaultDifficultyStep = 1.5
)

// usable reports whether a time is a positive, finite number of seconds.
func usable(s float64) bool { return s > 0 && !math.IsInf(s, 1) }

// DefaultSecondsPerPage is the prior seconds per page of a PDF of kind k.
func DefaultSecondsPerPage(k Kind) float64 {
	if k == KindExercise {
		return DefaultExercisePDFSeconds
	}
	return DefaultStudySeconds
}

// DefaultExerciseSeconds is the prior time of an exercise covering pages
// pages at difficulty d (clamped to 1..5).
func DefaultExerciseSeconds(pages, d int) float64 {
	d = min(max(d, 1), 5)
	return DefaultExercisePageSeconds * float64(max(pages, 1)) * math.Pow(DefaultDifficultyStep, float64(d-3))
}

// Model holds the estimator's settings. Default is what the product uses;
// the evaluation switches parts off one at a time to show what each buys.
type Model struct {
	// Words models a text page's time from its word count (a per-page
	// overhead plus seconds per word); off, every page is alike.
	Words bool
	// HalfLifeDays weights each observation by 2^(-age/half-life), age
	// counted back from the newest observation; 0 weighs all alike.
	HalfLifeDays float64
	// Skips estimates pages passed over (before the first page read, or in
	// short gaps behind the furthest page read) as probably never read,
	// and scales pages ahead by the share of pages the student actually
	// reads; off, every remaining page is read.
	Skips bool
	// Ends learns, from the student's PDFs they have moved on from (no
	// reading for endIdleDays), how far into a document they read, and
	// scales each page ahead by the chance that reading gets that far; it
	// needs PDFInput.Library, and Skips (it is part of the skip model).
	Ends bool
	// Trend lets the pace change along a document (students speed up as
	// they get into a book): a slope of log pace over the relative position
	// in the document, pooled over the student's PDFs whose page counts are
	// known and shrunk toward no trend.
	Trend bool
	// Hierarchy shrinks each level toward its parent (PDF toward topic,
	// topic toward the student, the student toward the prior) by the
	// precision of its evidence; off, the most specific level with any
	// observation is taken as it is.
	Hierarchy bool
}

// Default is the estimator ForPDF uses.
var Default = Model{Words: true, HalfLifeDays: 21, Skips: true, Ends: true, Trend: true, Hierarchy: true}

// ForPDF estimates the time for the rest of a PDF with the Default model.
func ForPDF(in PDFInput) Estimate { return Default.ForPDF(in) }

// Prior widths and structure, in log seconds. These are beliefs about study
// reading in general, not fitted to any data set.
const (
	tauUser  = 0.5  // a student's pace around the default (students differ about 1.6-fold)
	tauKind  = 0.5  // extra spread when a kind's pace is borrowed from the other kind
	tauTopic = 0.15 // a topic around the student's pace
	tauPDF   = 0.25 // a PDF around its topic (the prior of the spread measured in the student's PDFs)
	// tauDensity is how much a page's time differs between documents by how
	// full their pages are (slides of 100 words, papers of 650): the prior
	// does not look at the words, so its interval must hold it.
	tauDensity = 0.4
	// tauChannel is the spread of a channel's level (pages with words, scans,
	// figures) around the student's pace over all pages.
	tauChannel = 0.3
	// trendSD is the prior spread of the trend (log pace, start to end of a
	// document) around no trend.
	trendSD    = 0.25
	trendPrior = -0.1
	// blockPages and blockSD model stretches of pages (chapters) that are
	// harder or easier as a whole: observations within a block are not
	// independent, and the pages ahead cover few blocks.
	blockPages = 16.0
	blockSD    = 0.2
	// pageSD is the prior spread of one page's time around its level, and
	// pageSDWeight the number of pages that prior is worth.
	pageSD       = 0.5
	pageSDWeight = 8.0
	// kappaPrior is the prior per-page overhead in word-equivalents (about
	// 10 s of orientation at 0.25–0.35 s a word), kappaPriorSD its spread
	// (log), kappaMin/Max its bounds.
	kappaPrior   = 40.0
	kappaPriorSD = 1.0
	kappaMin     = 2.0
	kappaMax     = 5000.0
	// Skips: pages passed over are read later with probability
	// passedRead; a leading run of at most leadingPages unread pages
	// before the first page read, or a gap of fewer than gapPages between
	// read pages, counts as passed over.
	passedRead   = 0.05
	leadingPages = 25
	gapPages     = 5
	// Beta prior (read, skipped) on the share of pages ahead that get read:
	// text pages, and pages without text.
	aheadTextRead, aheadTextSkip     = 19.0, 1.0
	aheadNoTextRead, aheadNoTextSkip = 3.0, 2.0
	// Ends: a PDF without reading for endIdleDays counts as left where it
	// stands. The prior is endPriorWeight such PDFs whose unread end is
	// spread evenly over endPriorPoints shares from none to endPriorShare of
	// their pages: documents often end with an index, references or
	// appendices that are not read (a book's index and bibliography, a
	// paper's references), and slides or notes end with their last page.
	endIdleDays    = 14.0
	endPriorShare  = 0.1
	endPriorPoints = 5
	endPriorWeight = 2.0
	// A PDF read to endNear of its pages counts as left after
	// endNearIdleDays without reading: the student is done with it.
	endNear         = 0.8
	endNearIdleDays = 3.0
	endMinPages     = 3
	// endLengthSD is how fast the weight of a left PDF's end falls with the
	// difference in length (log page counts): a PDF twice or half as long
	// counts 0.38.
	endLengthSD = 0.5
	// endDensitySD does the same for the typical words per text page (log):
	// a PDF twice or half as dense counts 0.38; a scan and a PDF with text
	// count endScanWeight to each other.
	endDensitySD  = 0.5
	endScanWeight = 0.5
	// modelSD is the error of the model itself (log): documents, and
	// students, are not all alike in the ways it assumes (a kind of
	// document it has not seen, a habit it does not model).
	modelSD = 0.1
	// z10 is the standard normal 90th percentile: an 80 % interval spans
	// ±z10 standard deviations.
	z10 = 1.2815515655446004
)
