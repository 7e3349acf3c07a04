// Package store is the database side of the time-to-finish estimates: it
// loads the pure estimator's inputs (package estimate) with sqlc queries and
// answers for one PDF, one topic (its subtree) and the whole library, with
// the date the student would finish at their recent pace; and it keeps the
// product's own record of how accurate the estimates shown were
// (estimate_records).
//
// Everything is read from the timer's rollups, never from raw events: the
// per-PDF summary of counted pages (an index-only scan), the counted pages
// (page_stats) of the PDFs being estimated and of the bounded samples of the
// student's other reading, the page word counts (pdf_pages) and the worked
// exercises. A page counts as read once it has a counted dwell
// (page_stats.first_read_at); the samples are the newest pages by that
// first read. BENCHMARKS.md has the costs at a long history.
package store

import (
	"context"
	"errors"
	"math"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/studysprint/studysprint/dbgen"
	"github.com/studysprint/studysprint/internal/analytics"
	"github.com/studysprint/studysprint/internal/apperr"
	"github.com/studysprint/studysprint/internal/estimate"
)

// Store answers estimates for the students in its database.
type Store struct {
	pool *pgxpool.Pool
	now  func() time.Time
	memo *memo // nil: every estimate is fitted afresh
}

// New returns a Store over pool; now is the clock (time.Now when nil).
func New(pool *pgxpool.Pool, now func() time.Time) *Store {
	if now == nil {
		now = time.Now
	}
	return &Store{pool: pool, now: now, memo: newMemo()}
}

// Part is one part of a topic's or the library's answer: the rest of a PDF
// or an open exercise.
type Part struct {
	Subject Subject
	ID      uuid.UUID // the PDF or the exercise
	PDFID   uuid.UUID // the PDF (for an exercise, the study PDF it practises)
	Title   string
	// Estimate is in whole seconds (SecondsPerPage to 0.1 s). An exercise's
	// RemainingPages are the pages it covers.
	Estimate estimate.Estimate
}

// Answer is an estimate with the date it would be done by.
type Answer struct {
	// Estimate is in whole seconds (SecondsPerPage to 0.1 s). For a topic
	// or the library, RemainingSeconds is the sum of the parts',
	// RemainingPages counts the pages left in the PDFs (not the pages the
	// exercises cover) and SecondsPerPage is the PDFs' seconds over them;
	// the interval, confidence and basis are estimate.Sum's.
	Estimate estimate.Estimate
	// Finish is the date, in the student's time zone, on which the
	// remaining time is done at their daily study time of the last 14
	// days (analytics.ProjectFinish); nil with FinishReason when there is
	// none (analytics.ReasonNoRecentStudy, analytics.ReasonTooFar).
	Finish       *analytics.Date
	FinishReason string
	// Parts are a topic's or the library's PDFs with pages left and open
	// exercises, PDFs first (in the order they were added), then exercises.
	Parts []Part
}

var (
	errPDFNotFound   = apperr.NotFoundf("PDF")
	errTopicNotFound = apperr.NotFoundf("topic")
)

// read runs fn in a read-only transaction with one snapshot, so the pages,
// the summaries and the samples agree.
func (s *Store) read(ctx context.Context, fn func(q *dbgen.Queries) error) error {
	return pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly},
		func(tx pgx.Tx) error { return fn(dbgen.New(tx)) })
}

// PDF estimates the rest of one of the student's PDFs.
func (s *Store) PDF(ctx context.Context, userID, pdfID uuid.UUID) (Answer, error) {
	var out Answer
	err := s.read(ctx, func(q *dbgen.Queries) error {
		e, err := s.pdfEstimate(ctx, q, userID, pdfID)
		if err != nil {
			return err
		}
		out.Estimate = e
		return s.finish(ctx, q, userID, &out)
	})
	return out, err
}

// pdfEstimate is the estimate of the rest of one of the student's PDFs.
func (s *Store) pdfEstimate(ctx context.Context, q dbgen.Querier, userID, pdfID uuid.UUID) (estimate.Estimate, error) {
	lib, err := loadLibrary(ctx, q, userID)
	if err != nil {
		return estimate.Estimate{}, err
	}
	i, ok := lib.index[pdfID]
	if !ok {
		return estimate.Estimate{}, errPDFNotFound
	}
	smp, err := loadSample(ctx, q, userID, lib, []int{i})
	if err != nil {
		return estimate.Estimate{}, err
	}
	return whole(s.memo.forPDF(smp.input(i))), nil
}

// Topic estimates a topic: its PDFs with pages left and its open exercises,
// subtopics included (archived ones too: the student asked for this topic).
func (s *Store) Topic(ctx context.Context, userID, topicID uuid.UUID) (Answer, error) {
	var out Answer
	err := s.read(ctx, func(q *dbgen.Queries) error {
		lib, err := loadLibrary(ctx, q, userID)
		if err != nil {
			return err
		}
		if _, ok := lib.topics[topicID]; !ok {
			return errTopicNotFound
		}
		sub := lib.subtree(topicID)
		if out, err = s.parts(ctx, q, userID, lib, func(p dbgen.ListEstimatePDFsRow) bool {
			return p.TopicID != nil && sub[*p.TopicID]
		}); err != nil {
			return err
		}
		return s.finish(ctx, q, userID, &out)
	})
	return out, err
}

// Library estimates everything not done: every PDF with pages left and
// every open exercise, except those in an archived topic (or under one).
func (s *Store) Library(ctx context.Context, userID uuid.UUID) (Answer, error) {
	var out Answer
	err := s.read(ctx, func(q *dbgen.Queries) error {
		lib, err := loadLibrary(ctx, q, userID)
		if err != nil {
			return err
		}
		if out, err = s.parts(ctx, q, userID, lib, func(p dbgen.ListEstimatePDFsRow) bool { return !lib.archived(p) }); err != nil {
			return err
		}
		return s.finish(ctx, q, userID, &out)
	})
	return out, err
}

// parts estimates the PDFs that in selects and have pages left, and the
// open exercises on the PDFs it selects, and sums them up.
func (s *Store) parts(ctx context.Context, q dbgen.Querier, userID uuid.UUID, lib *library, in func(dbgen.ListEstimatePDFsRow) bool) (Answer, error) {
	var targets []int
	var chosen []uuid.UUID
	for i, p := range lib.pdfs {
		if !in(p) {
			continue
		}
		chosen = append(chosen, p.ID)
		if !done(p) {
			targets = append(targets, i)
		}
	}
	smp, err := loadSample(ctx, q, userID, lib, targets)
	if err != nil {
		return Answer{}, err
	}
	var exercises []dbgen.ListOpenExercisesRow
	var history []estimate.ExerciseObs
	if len(chosen) > 0 {
		if exercises, err = q.ListOpenExercises(ctx, dbgen.ListOpenExercisesParams{UserID: userID, PdfIds: chosen}); err != nil {
			return Answer{}, err
		}
	}
	if len(exercises) > 0 {
		if history, err = exerciseHistory(ctx, q, userID); err != nil {
			return Answer{}, err
		}
	}
	raw := make([]estimate.Estimate, len(targets)+len(exercises))
	parallel(len(targets), func(k int) { raw[k] = s.memo.forPDF(smp.input(targets[k])) })
	out := Answer{Parts: make([]Part, 0, len(raw))}
	for k, i := range targets {
		p := lib.pdfs[i]
		out.Parts = append(out.Parts, Part{Subject: SubjectPDF, ID: p.ID, PDFID: p.ID, Title: p.Title, Estimate: whole(raw[k])})
	}
	for k, x := range exercises {
		e := estimate.ForExercise(estimate.ExerciseInput{Pages: int(x.PageEnd - x.PageStart + 1), Difficulty: int(x.Difficulty), History: history})
		raw[len(targets)+k] = e
		out.Parts = append(out.Parts, Part{Subject: SubjectExercise, ID: x.ID, PDFID: x.PdfID, Title: x.Title, Estimate: whole(e)})
	}
	out.Estimate = total(raw, out.Parts)
	return out, nil
}

// total is the answer for a set of parts: estimate.Sum's interval,
// confidence and basis; the parts' seconds added up (so the whole seconds
// of the answer are exactly the sum of the parts'); the PDFs' pages.
func total(raw []estimate.Estimate, parts []Part) estimate.Estimate {
	sum := estimate.Sum(raw)
	out := estimate.Estimate{Confidence: sum.Confidence, Basis: sum.Basis}
	var pdfSeconds float64
	for _, p := range parts {
		out.RemainingSeconds += p.Estimate.RemainingSeconds
		if p.Subject == SubjectPDF {
			out.RemainingPages += p.Estimate.RemainingPages
			pdfSeconds += p.Estimate.RemainingSeconds
		}
	}
	out.LowSeconds = math.Min(math.Round(sum.LowSeconds), out.RemainingSeconds)
	out.HighSeconds = math.Max(math.Round(sum.HighSeconds), out.RemainingSeconds)
	if out.RemainingPages > 0 {
		out.SecondsPerPage = round1(pdfSeconds / float64(out.RemainingPages))
	}
	return out
}

// whole rounds an estimate to whole seconds (seconds per page to 0.1 s).
func whole(e estimate.Estimate) estimate.Estimate {
	e.RemainingSeconds, e.LowSeconds, e.HighSeconds = math.Round(e.RemainingSeconds), math.Round(e.LowSeconds), math.Round(e.HighSeconds)
	e.SecondsPerPage = 0
	if e.RemainingPages > 0 {
		e.SecondsPerPage = round1(e.RemainingSeconds / float64(e.RemainingPages))
	}
	return e
}

// finish sets the projected finish date from the student's recent study.
func (s *Store) finish(ctx context.Context, q dbgen.Querier, userID uuid.UUID, a *Answer) error {
	st := analytics.NewStore(q)
	clock, err := st.Clock(ctx, userID, s.now())
	if err != nil {
		return err
	}
	recent, today, err := st.Recent(ctx, userID, clock)
	if err != nil {
		return err
	}
	a.Finish, a.FinishReason = analytics.ProjectFinish(a.Estimate.RemainingSeconds, recent, today)
	return nil
}

// parallel runs fn(0..n-1) on up to GOMAXPROCS goroutines (the estimator
// is pure, so parts are independent).
func parallel(n int, fn func(int)) {
	workers := min(runtime.GOMAXPROCS(0), n)
	if workers <= 1 {
		for k := range n {
			fn(k)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < n; i = int(next.Add(1) - 1) {
				fn(i)
			}
		})
	}
	wg.Wait()
}

// EstimateStart is the estimate shown when the student starts a session on
// a PDF (exerciseID nil: the rest of the PDF) or on an exercise (the whole
// exercise), for the accuracy record (study.Estimator).
func (s *Store) EstimateStart(ctx context.Context, userID, pdfID uuid.UUID, exerciseID *uuid.UUID) (estimate.Estimate, error) {
	var out estimate.Estimate
	err := s.read(ctx, func(q *dbgen.Queries) error {
		if exerciseID == nil {
			var err error
			out, err = s.pdfEstimate(ctx, q, userID, pdfID)
			return err
		}
		ex, err := q.GetExercise(ctx, dbgen.GetExerciseParams{ID: *exerciseID, UserID: userID})
		if errors.Is(err, pgx.ErrNoRows) {
			return apperr.NotFoundf("exercise")
		}
		if err != nil {
			return err
		}
		history, err := exerciseHistory(ctx, q, userID)
		if err != nil {
			return err
		}
		out = whole(estimate.ForExercise(estimate.ExerciseInput{
			Pages: int(ex.PageEnd - ex.PageStart + 1), Difficulty: int(ex.Difficulty), History: history,
		}))
		return nil
	})
	return out, err
}
