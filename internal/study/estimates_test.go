package study_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/studysprint/studysprint/internal/estimate"
	"github.com/studysprint/studysprint/internal/estimate/store"
	"github.com/studysprint/studysprint/internal/library"
	"github.com/studysprint/studysprint/internal/study"
	"github.com/studysprint/studysprint/internal/testdb"
)

// record is a PDF's or an exercise's estimate_records row.
type record struct {
	n                   int
	estimated           float64
	basis, subject      string
	startedAt           time.Time
	finishedAt          *time.Time
	finishedSession     *uuid.UUID
	actual              *int64
	remainingPages      int
	topicSet, pdfLinked bool
}

func recordOf(t *testing.T, pool *pgxpool.Pool, user uuid.UUID, column string, id uuid.UUID) record {
	t.Helper()
	var r record
	err := pool.QueryRow(context.Background(), `SELECT count(*) OVER (), estimated_seconds, basis, subject, started_at, finished_at, finished_session_id,
		actual_seconds, remaining_pages, topic_id IS NOT NULL, pdf_id IS NOT NULL
		FROM estimate_records WHERE user_id = $1 AND `+column+` = $2`, user, id).
		Scan(&r.n, &r.estimated, &r.basis, &r.subject, &r.startedAt, &r.finishedAt, &r.finishedSession, &r.actual, &r.remainingPages, &r.topicSet, &r.pdfLinked)
	if err != nil {
		return record{}
	}
	return r
}

func events(start time.Time, list ...study.Incoming) []study.Incoming {
	for i := range list {
		list[i].ID = uuid.New()
		list[i].At = start.Add(time.Duration(list[i].At.Unix()) * time.Second)
	}
	return list
}

func at(sec int64, typ string, page int32) study.Incoming {
	return study.Incoming{Type: typ, Page: page, At: time.Unix(sec, 0)}
}

// TestEstimateRecordedAndFinished: the first session on a PDF records the
// estimate shown; a later start does not record again; the batch in which
// the last unread page gets counted reading finishes it with the counted
// seconds of the pages read since, and while that session goes on the
// actual time follows it; a later session changes nothing.
func TestEstimateRecordedAndFinished(t *testing.T) {
	t.Parallel()
	pool := testdb.Pool(t)
	ctx := context.Background()
	user, pdf := fixture(t, pool, 4)
	clk := &clock{t: time.Now().UTC().Truncate(time.Second)}
	svc := study.NewService(pool, clk.now, nil, study.WithEstimator(store.New(pool, clk.now)))
	t0 := clk.t.Add(-3 * time.Hour)
	s1, err := svc.Start(ctx, user, study.StartInput{PDFID: &pdf, StartPage: ptr(int32(1)), StartedAt: &t0})
	if err != nil {
		t.Fatal(err)
	}
	r := recordOf(t, pool, user, "pdf_id", pdf)
	if r.n != 1 || r.subject != "pdf" || r.estimated != 4*estimate.DefaultStudySeconds || r.basis != "default" || r.remainingPages != 4 ||
		!r.startedAt.Equal(t0) || r.finishedAt != nil || r.actual != nil {
		t.Fatalf("after the first start: %+v", r)
	}
	// Pages 1-3 read (60 s each), page 4 not yet.
	if _, err := svc.Ingest(ctx, user, s1.Row.ID, events(t0, at(60, "page", 2), at(120, "page", 3), at(180, "stop", 0))); err != nil {
		t.Fatal(err)
	}
	if r := recordOf(t, pool, user, "pdf_id", pdf); r.finishedAt != nil {
		t.Fatalf("finished with a page left: %+v", r)
	}
	t1 := t0.Add(time.Hour)
	s2, err := svc.Start(ctx, user, study.StartInput{PDFID: &pdf, StartPage: ptr(int32(4)), StartedAt: &t1})
	if err != nil {
		t.Fatal(err)
	}
	if r := recordOf(t, pool, user, "pdf_id", pdf); r.n != 1 || !r.startedAt.Equal(t0) {
		t.Fatalf("a second start recorded again: %+v", r)
	}
	// Page 4 gets 30 s: the PDF has no page left.
	if _, err := svc.Ingest(ctx, user, s2.Row.ID, events(t1, at(30, "heartbeat", 0))); err != nil {
		t.Fatal(err)
	}
	r = recordOf(t, pool, user, "pdf_id", pdf)
	if r.finishedAt == nil || !r.finishedAt.Equal(clk.t) || r.finishedSession == nil || *r.finishedSession != s2.Row.ID || r.actual == nil || *r.actual != 3*60+30 {
		t.Fatalf("after the last page: %+v", r)
	}
	// The session goes on: the last page takes 90 s in all.
	clk.t = clk.t.Add(time.Minute)
	if _, err := svc.Ingest(ctx, user, s2.Row.ID, events(t1, at(90, "stop", 0))); err != nil {
		t.Fatal(err)
	}
	r = recordOf(t, pool, user, "pdf_id", pdf)
	if *r.actual != 3*60+90 || !r.finishedAt.Equal(clk.t.Add(-time.Minute)) {
		t.Fatalf("while the finishing session went on: %+v", r)
	}
	// Re-reading later is not part of it.
	t2 := t1.Add(time.Hour)
	s3, err := svc.Start(ctx, user, study.StartInput{PDFID: &pdf, StartPage: ptr(int32(1)), StartedAt: &t2})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Ingest(ctx, user, s3.Row.ID, events(t2, at(100, "stop", 0))); err != nil {
		t.Fatal(err)
	}
	if r := recordOf(t, pool, user, "pdf_id", pdf); *r.actual != 3*60+90 {
		t.Fatalf("a later session changed the record: %+v", r)
	}
	// Deleting the finishing session keeps the record (its session link goes).
	if err := svc.Delete(ctx, user, s2.Row.ID); err != nil {
		t.Fatal(err)
	}
	if r := recordOf(t, pool, user, "pdf_id", pdf); r.n != 1 || r.finishedAt == nil || r.finishedSession != nil {
		t.Fatalf("after deleting the finishing session: %+v", r)
	}
}

// TestExerciseEstimateRecorded: the first session on an exercise records its
// estimate; completing it records its timer time, which follows the session
// that was running until it ends.
func TestExerciseEstimateRecorded(t *testing.T) {
	t.Parallel()
	pool := testdb.Pool(t)
	ctx := context.Background()
	user, pdf := fixture(t, pool, 10)
	clk := &clock{t: time.Now().UTC().Truncate(time.Second)}
	svc := study.NewService(pool, clk.now, nil, study.WithEstimator(store.New(pool, clk.now)))
	lib := library.NewService(library.Config{}, library.Deps{Pool: pool, Now: clk.now})
	ex, err := lib.CreateExercise(ctx, user, pdf, library.ExerciseInput{Title: "Ex", PageStart: 2, PageEnd: ptr(3), Difficulty: ptr(4)})
	if err != nil {
		t.Fatal(err)
	}
	t0 := clk.t.Add(-time.Hour)
	s, err := svc.Start(ctx, user, study.StartInput{ExerciseID: &ex.ID, StartedAt: &t0})
	if err != nil {
		t.Fatal(err)
	}
	r := recordOf(t, pool, user, "exercise_id", ex.ID)
	want := estimate.ForExercise(estimate.ExerciseInput{Pages: 2, Difficulty: 4})
	if r.n != 1 || r.subject != "exercise" || r.pdfLinked || r.remainingPages != 2 || r.estimated != float64(int64(want.RemainingSeconds+0.5)) || r.basis != "default" {
		t.Fatalf("after the start: %+v (want %v s)", r, want.RemainingSeconds)
	}
	if _, err := svc.Ingest(ctx, user, s.Row.ID, events(t0, at(240, "heartbeat", 0))); err != nil {
		t.Fatal(err)
	}
	if _, err := lib.CompleteExercise(ctx, user, ex.ID, ptr(90)); err != nil {
		t.Fatal(err)
	}
	r = recordOf(t, pool, user, "exercise_id", ex.ID)
	if r.finishedAt == nil || r.actual == nil || *r.actual != 240 || r.finishedSession == nil || *r.finishedSession != s.Row.ID {
		t.Fatalf("after completing: %+v", r)
	}
	if _, err := svc.Ingest(ctx, user, s.Row.ID, events(t0, at(300, "stop", 0))); err != nil {
		t.Fatal(err)
	}
	if r := recordOf(t, pool, user, "exercise_id", ex.ID); *r.actual != 300 {
		t.Fatalf("the running session went on: %+v", r)
	}
	// Completing again (a new score) keeps the first finish.
	clk.t = clk.t.Add(time.Hour)
	if _, err := lib.CompleteExercise(ctx, user, ex.ID, ptr(100)); err != nil {
		t.Fatal(err)
	}
	if r2 := recordOf(t, pool, user, "exercise_id", ex.ID); !r2.finishedAt.Equal(*r.finishedAt) || *r2.actual != 300 {
		t.Fatalf("completed again: %+v", r2)
	}
	// An exercise with timer time from before is not started any more: no record.
	ex2, err := lib.CreateExercise(ctx, user, pdf, library.ExerciseInput{Title: "Ex2", PageStart: 5})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `UPDATE exercises SET time_spent_seconds = 60 WHERE id = $1`, ex2.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Start(ctx, user, study.StartInput{ExerciseID: &ex2.ID}); err != nil {
		t.Fatal(err)
	}
	if r := recordOf(t, pool, user, "exercise_id", ex2.ID); r.n != 0 {
		t.Fatalf("recorded an exercise already worked on: %+v", r)
	}
}

type failingEstimator struct{ calls int }

func (f *failingEstimator) EstimateStart(context.Context, uuid.UUID, uuid.UUID, *uuid.UUID) (estimate.Estimate, error) {
	f.calls++
	return estimate.Estimate{}, errors.New("estimator down")
}

// TestEstimateFailureDoesNotFailStart: when the estimate cannot be had, the
// session starts anyway and nothing is recorded; without an estimator
// nothing is recorded at the start, and finishing still works.
func TestEstimateFailureDoesNotFailStart(t *testing.T) {
	t.Parallel()
	pool := testdb.Pool(t)
	ctx := context.Background()
	user, pdf := fixture(t, pool, 3)
	clk := &clock{t: time.Now().UTC().Truncate(time.Second)}
	f := &failingEstimator{}
	svc := study.NewService(pool, clk.now, nil, study.WithEstimator(f))
	t0 := clk.t.Add(-time.Hour)
	s, err := svc.Start(ctx, user, study.StartInput{PDFID: &pdf, StartPage: ptr(int32(1)), StartedAt: &t0})
	if err != nil || f.calls != 1 {
		t.Fatalf("start: %v, %d calls", err, f.calls)
	}
	if r := recordOf(t, pool, user, "pdf_id", pdf); r.n != 0 {
		t.Fatalf("recorded: %+v", r)
	}
	r, err := svc.Ingest(ctx, user, s.Row.ID, events(t0, at(60, "page", 2), at(120, "page", 3), at(180, "stop", 0)))
	if err != nil || len(r.Accepted) != 3 {
		t.Fatalf("batch: %v %+v", err, r)
	}
	if _, err := study.NewService(pool, clk.now, nil).Start(ctx, user, study.StartInput{PDFID: &pdf}); err != nil {
		t.Fatal(err)
	}
	if r := recordOf(t, pool, user, "pdf_id", pdf); r.n != 0 {
		t.Fatalf("recorded without an estimator: %+v", r)
	}
}
