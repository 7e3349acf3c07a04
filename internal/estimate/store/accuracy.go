package store

import (
	"context"
	"math"
	"time"

	"github.com/google/uuid"

	"github.com/studysprint/studysprint/dbgen"
	"github.com/studysprint/studysprint/internal/estimate"
)

// Subject is what an estimate is about (estimate_records.subject, and the
// kind of a Part).
type Subject string

// Subjects of estimates.
const (
	SubjectPDF      Subject = "pdf"      // the rest of a PDF
	SubjectExercise Subject = "exercise" // one exercise
)

// Subjects is the one list of subjects (a test keeps it equal to
// estimate_records_subject_check).
var Subjects = []Subject{SubjectPDF, SubjectExercise}

// The accuracy records are written by the timer (study.Service) and the
// exercise workflow (library.Service) in their own transactions. Each
// function below is one statement that cannot fail on the data: the
// estimate is checked here before it is written, and the finishing updates
// only set columns that no constraint can refuse. Only a failing database
// fails them, and then the caller's transaction fails as a whole and is
// retried (a timer batch is idempotent), so no event is lost.

// RecordWanted reports whether a session starting on the PDF (exerciseID
// nil) or on the exercise should record the estimate shown: a PDF or
// exercise is recorded once, at its first session (an exercise that is
// done or already has timer time is not started any more).
func RecordWanted(ctx context.Context, q dbgen.Querier, userID, pdfID uuid.UUID, exerciseID *uuid.UUID) (bool, error) {
	return q.EstimateRecordWanted(ctx, dbgen.EstimateRecordWantedParams{UserID: userID, PdfID: pdfID, ExerciseID: exerciseID})
}

// Recordable reports whether e can be recorded: something left to do, and
// finite, ordered numbers.
func Recordable(e estimate.Estimate) bool {
	ok := func(x float64) bool { return x >= 0 && !math.IsInf(x, 0) && !math.IsNaN(x) }
	return e.RemainingPages > 0 && e.RemainingSeconds > 0 && ok(e.RemainingSeconds) && ok(e.LowSeconds) && ok(e.HighSeconds) &&
		e.LowSeconds <= e.HighSeconds && e.RemainingPages <= math.MaxInt32
}

// RecordStart records e, the estimate shown at the first session on a PDF
// (exerciseID nil: pdfID is the PDF) or an exercise (pdfID is its study
// PDF), started at startedAt (the session's start), in the caller's
// transaction. An estimate that is not Recordable is skipped; a PDF or
// exercise recorded before keeps its first record.
func RecordStart(ctx context.Context, q dbgen.Querier, userID, pdfID uuid.UUID, exerciseID *uuid.UUID, startedAt, now time.Time, e estimate.Estimate) error {
	if !Recordable(e) {
		return nil
	}
	params := dbgen.CreateEstimateRecordParams{
		UserID: userID, Subject: string(SubjectPDF), PdfID: &pdfID, OfPdfID: pdfID, StartedAt: startedAt,
		RemainingPages: int32(e.RemainingPages), EstimatedSeconds: e.RemainingSeconds, LowSeconds: e.LowSeconds, HighSeconds: e.HighSeconds,
		Basis: string(e.Basis), Confidence: string(e.Confidence), Now: now,
	}
	if exerciseID != nil {
		params.Subject, params.PdfID, params.ExerciseID = string(SubjectExercise), nil, exerciseID
	}
	return q.CreateEstimateRecord(ctx, params)
}

// RecordPDFProgress is called after a fold of sessionID changed the PDF's
// counted pages: the PDF's open record is finished once no page is left to
// read, and while the finishing session goes on its actual time follows.
func RecordPDFProgress(ctx context.Context, q dbgen.Querier, userID, pdfID, sessionID uuid.UUID, now time.Time) error {
	return q.FinishPDFEstimateRecord(ctx, dbgen.FinishPDFEstimateRecordParams{UserID: userID, PdfID: pdfID, SessionID: sessionID, Now: now})
}

// RecordExerciseProgress is called after a fold of sessionID changed the
// exercise's time: if the exercise was completed while this session ran,
// its record's actual time follows.
func RecordExerciseProgress(ctx context.Context, q dbgen.Querier, userID, exerciseID, sessionID uuid.UUID) error {
	return q.FollowExerciseEstimateRecord(ctx, dbgen.FollowExerciseEstimateRecordParams{UserID: userID, ExerciseID: exerciseID, SessionID: sessionID})
}

// RecordExerciseDone is called in the transaction that completes the
// exercise: its open record takes the exercise's time.
func RecordExerciseDone(ctx context.Context, q dbgen.Querier, userID, exerciseID uuid.UUID, now time.Time) error {
	return q.FinishExerciseEstimateRecord(ctx, dbgen.FinishExerciseEstimateRecordParams{UserID: userID, ExerciseID: exerciseID, Now: now})
}

// AccuracyGroup is how the estimates shown did for a set of records.
type AccuracyGroup struct {
	TopicID   *uuid.UUID // nil: no topic (or the topic was deleted); unused for the overall group
	TopicName string
	// Measured counts the finished records with an actual time; Open the
	// records started and not finished yet.
	Measured, Open int64
	// Over the measured records, in percent of the actual time: the
	// median absolute error, the median signed error (bias; positive: the
	// estimates were too long) and the share of actual times inside the 80
	// % interval. Nil when nothing is measured.
	MedianAbsoluteErrorPercent, BiasPercent, InsideIntervalPercent *float64
}

// Accuracy is the report of GET /api/v1/analytics/estimate-accuracy.
type Accuracy struct {
	Overall AccuracyGroup
	Topics  []AccuracyGroup // by topic name, no topic last
}

// Accuracy reports how the estimates shown to the student did against the
// times they actually took, overall and per topic.
func (s *Store) Accuracy(ctx context.Context, userID uuid.UUID) (Accuracy, error) {
	rows, err := dbgen.New(s.pool).GetEstimateAccuracy(ctx, userID)
	if err != nil {
		return Accuracy{}, err
	}
	var out Accuracy
	for _, r := range rows {
		g := AccuracyGroup{Measured: r.Measured, Open: r.Open}
		if r.Measured > 0 {
			mdape, bias, inside := round1(r.MedianAbsoluteErrorPercent), round1(r.BiasPercent), round1(r.InsideIntervalPercent)
			g.MedianAbsoluteErrorPercent, g.BiasPercent, g.InsideIntervalPercent = &mdape, &bias, &inside
		}
		if r.Overall {
			out.Overall = g
			continue
		}
		g.TopicID = r.TopicID
		if r.TopicName != nil {
			g.TopicName = *r.TopicName
		}
		out.Topics = append(out.Topics, g)
	}
	return out, nil
}

func round1(x float64) float64 { return math.Round(10*x) / 10 }
