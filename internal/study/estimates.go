package study

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/studysprint/studysprint/dbgen"
	"github.com/studysprint/studysprint/internal/apperr"
	"github.com/studysprint/studysprint/internal/estimate"
	"github.com/studysprint/studysprint/internal/estimate/store"
)

// Estimator answers the estimate a student sees when they start a PDF (the
// rest of it; exerciseID nil) or an exercise: *store.Store. The timer
// records it at the first session (estimate_records), so the product can
// tell how accurate its estimates are.
type Estimator interface {
	EstimateStart(ctx context.Context, userID, pdfID uuid.UUID, exerciseID *uuid.UUID) (estimate.Estimate, error)
}

// Option configures a Service.
type Option func(*Service)

// WithEstimator makes Start record the estimate shown at the first session
// on each PDF and exercise. Without it nothing is recorded at the start;
// finishing (the fold, exercise completion) is recorded either way.
func WithEstimator(e Estimator) Option { return func(s *Service) { s.estimator = e } }

// startEstimate is what Start records, computed before its transaction from
// the committed data (so the estimate never holds the user's start lock): ok
// is false when nothing is to be recorded. The bookkeeping never fails a
// start: an error is logged and the session starts unrecorded.
func (s *Service) startEstimate(ctx context.Context, userID uuid.UUID, in StartInput) (e estimate.Estimate, ok bool) {
	if s.estimator == nil {
		return e, false
	}
	pdfID := uuid.Nil
	if in.PDFID != nil {
		pdfID = *in.PDFID
	}
	wanted, err := store.RecordWanted(ctx, s.q, userID, pdfID, in.ExerciseID)
	if err == nil && wanted {
		e, err = s.estimator.EstimateStart(ctx, userID, pdfID, in.ExerciseID)
	}
	if err != nil {
		// A PDF or exercise that is not the user's is Start's 404 to answer.
		if ctx.Err() == nil && !apperr.IsKind(err, apperr.NotFound) {
			s.log.Warn("study: estimate at start not recorded", "user_id", userID, "pdf_id", in.PDFID, "exercise_id", in.ExerciseID, "error", err)
		}
		return e, false
	}
	return e, wanted && store.Recordable(e)
}

// recordFold keeps the accuracy records after a fold: a PDF whose last
// unread page got read is finished; a record finished while this session
// ran follows it. Only what the fold changed is looked at.
func recordFold(ctx context.Context, q *dbgen.Queries, row dbgen.StudySession, pagesChanged, timeChanged bool, now time.Time) error {
	if pagesChanged {
		if err := store.RecordPDFProgress(ctx, q, row.UserID, row.PdfID, row.ID, now); err != nil {
			return err
		}
	}
	if timeChanged && row.ExerciseID != nil {
		return store.RecordExerciseProgress(ctx, q, row.UserID, *row.ExerciseID, row.ID)
	}
	return nil
}
