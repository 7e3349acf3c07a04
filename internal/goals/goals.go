// Package goals keeps a student's study goals — daily_minutes, daily_pages,
// finish_pdf_by and finish_topic_by — and measures them on every read with
// the rules of internal/analytics: today's study from the rollups in the
// student's zone, and for a deadline what remains (pages, and the
// estimator's time) spread over the days left, with the finish projected
// from the recent daily study time.
package goals

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/studysprint/studysprint/dbgen"
	"github.com/studysprint/studysprint/internal/analytics"
	"github.com/studysprint/studysprint/internal/apperr"
	"github.com/studysprint/studysprint/internal/database"
	estimates "github.com/studysprint/studysprint/internal/estimate/store"
)

// Remaining is what is left of a PDF or a topic: the pages not read yet and
// the estimator's seconds for them (and, for a topic, its open exercises).
type Remaining struct {
	Pages   int64
	Seconds float64
}

// Estimator tells what remains of a PDF or a topic (its subtopics
// included) for a user; another user's object is apperr NotFound.
type Estimator interface {
	PDF(ctx context.Context, userID, pdfID uuid.UUID) (Remaining, error)
	Topic(ctx context.Context, userID, topicID uuid.UUID) (Remaining, error)
}

// DefaultMaxGoals bounds the goals of one user.
const DefaultMaxGoals = 100

// Service is the goals workflow.
type Service struct {
	pool     *pgxpool.Pool
	q        *dbgen.Queries
	stats    *analytics.Store
	estimate Estimator
	now      func() time.Time
	// MaxGoals is the most goals one user may have (DefaultMaxGoals).
	MaxGoals int
}

// NewService returns the goals workflow.
func NewService(pool *pgxpool.Pool, est Estimator, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	q := dbgen.New(pool)
	return &Service{pool: pool, q: q, stats: analytics.NewStore(q), estimate: est, now: now, MaxGoals: DefaultMaxGoals}
}

// Goal is a goal with its progress as of the moment it was read.
type Goal struct {
	Row      dbgen.Goal
	Deadline *analytics.Date
	// Daily is set for daily goals, Progress and Left for deadline goals.
	Daily    *analytics.DailyProgress
	Progress *analytics.DeadlineProgress
	Left     *Remaining
	OnTrack  bool
}

// Input is a new goal, or (Update) the fields to change.
type Input struct {
	Kind     analytics.GoalKind
	Target   *int32
	PDFID    *uuid.UUID
	TopicID  *uuid.UUID
	Deadline *analytics.Date
}

// targetMax is the largest target of each daily kind (goals_shape_check).
var targetMax = map[analytics.GoalKind]int32{analytics.GoalDailyMinutes: 1440, analytics.GoalDailyPages: 10000}

// check validates a new goal's shape; today is the student's local today.
func check(in Input, today analytics.Date) error {
	fe := apperr.Fields{}
	if !in.Kind.Valid() {
		fe.Add("kind", "must be one of daily_minutes, daily_pages, finish_pdf_by, finish_topic_by")
		return fe.Err()
	}
	if in.Kind.HasDeadline() {
		if in.Target != nil {
			fe.Add("target", "is only for daily goals")
		}
		checkDeadline(fe, in.Deadline, today)
		needPDF := in.Kind == analytics.GoalFinishPDFBy
		switch {
		case needPDF && in.PDFID == nil:
			fe.Add("pdf_id", "is required for finish_pdf_by")
		case !needPDF && in.TopicID == nil:
			fe.Add("topic_id", "is required for finish_topic_by")
		case needPDF && in.TopicID != nil:
			fe.Add("topic_id", "is only for finish_topic_by")
		case !needPDF && in.PDFID != nil:
			fe.Add("pdf_id", "is only for finish_pdf_by")
		}
		return fe.Err()
	}
	checkTarget(fe, in.Kind, in.Target, true)
	for field, set := range map[string]bool{"pdf_id": in.PDFID != nil, "topic_id": in.TopicID != nil, "deadline": in.Deadline != nil} {
		if set {
			fe.Add(field, "is only for deadline goals")
		}
	}
	return fe.Err()
}

func checkTarget(fe apperr.Fields, kind analytics.GoalKind, target *int32, required bool) {
	switch {
	case target == nil && required:
		fe.Add("target", "is required for daily goals")
	case target != nil && (*target < 1 || *target > targetMax[kind]):
		fe.Add("target", fmt.Sprintf("must be from 1 to %d", targetMax[kind]))
	}
}

func checkDeadline(fe apperr.Fields, d *analytics.Date, today analytics.Date) {
	switch {
	case d == nil:
		fe.Add("deadline", "is required for deadline goals")
	case d.Before(today):
		fe.Add("deadline", "must not be in the past (today is "+today.String()+" in your time zone)")
	case d.Sub(today) > analytics.MaxProjectionDays:
		fe.Add("deadline", "must be within ten years")
	}
}

// Create adds a goal. Its PDF or topic must be the user's (404 otherwise);
// a second daily goal of a kind, or a second deadline on the same PDF or
// topic, is 409 (goals_*_key).
func (s *Service) Create(ctx context.Context, userID uuid.UUID, in Input) (Goal, error) {
	clk, err := s.stats.Clock(ctx, userID, s.now())
	if err != nil {
		return Goal{}, err
	}
	if err := check(in, clk.Today); err != nil {
		return Goal{}, err
	}
	var row dbgen.Goal
	err = database.InTx(ctx, s.pool, func(q *dbgen.Queries) error {
		if err := q.LockUserGoals(ctx, userID); err != nil {
			return err
		}
		if err := s.checkObject(ctx, q, userID, in); err != nil {
			return err
		}
		n, err := q.CountGoals(ctx, userID)
		if err != nil {
			return err
		}
		if int(n) >= s.MaxGoals {
			return apperr.New(apperr.Conflict, "too_many_goals", fmt.Sprintf("an account may have at most %d goals; delete one first", s.MaxGoals))
		}
		row, err = q.CreateGoal(ctx, dbgen.CreateGoalParams{
			UserID: userID, Kind: string(in.Kind), Target: in.Target, PdfID: in.PDFID, TopicID: in.TopicID,
			Deadline: dateTime(in.Deadline), Now: s.now(),
		})
		return err
	})
	if err != nil {
		return Goal{}, err
	}
	return s.measure(ctx, userID, clk, row)
}

func (s *Service) checkObject(ctx context.Context, q *dbgen.Queries, userID uuid.UUID, in Input) error {
	var err error
	switch {
	case in.PDFID != nil:
		_, err = q.GetPDF(ctx, dbgen.GetPDFParams{ID: *in.PDFID, UserID: userID})
		if errors.Is(err, pgx.ErrNoRows) {
			return apperr.NotFoundf("PDF")
		}
	case in.TopicID != nil:
		_, err = q.GetTopic(ctx, dbgen.GetTopicParams{ID: *in.TopicID, UserID: userID})
		if errors.Is(err, pgx.ErrNoRows) {
			return apperr.NotFoundf("topic")
		}
	}
	return err
}

var errNotFound = apperr.NotFoundf("goal")

// Get reads one goal with its progress.
func (s *Service) Get(ctx context.Context, userID, id uuid.UUID) (Goal, error) {
	row, err := s.q.GetGoal(ctx, dbgen.GetGoalParams{ID: id, UserID: userID})
	if errors.Is(err, pgx.ErrNoRows) {
		return Goal{}, errNotFound
	}
	if err != nil {
		return Goal{}, err
	}
	clk, err := s.stats.Clock(ctx, userID, s.now())
	if err != nil {
		return Goal{}, err
	}
	return s.measure(ctx, userID, clk, row)
}

// List reads every goal of the user (oldest first) with its progress.
func (s *Service) List(ctx context.Context, userID uuid.UUID) ([]Goal, error) {
	rows, err := s.q.ListGoals(ctx, userID)
	if err != nil {
		return nil, err
	}
	clk, err := s.stats.Clock(ctx, userID, s.now())
	if err != nil {
		return nil, err
	}
	recent, today, err := s.stats.Recent(ctx, userID, clk)
	if err != nil {
		return nil, err
	}
	out := make([]Goal, len(rows))
	for i, r := range rows {
		if out[i], err = s.measureWith(ctx, userID, r, recent, today); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Update changes a goal's target (daily goals) or deadline (deadline
// goals); the kind and the object stay.
func (s *Service) Update(ctx context.Context, userID, id uuid.UUID, target *int32, deadline *analytics.Date) (Goal, error) {
	cur, err := s.q.GetGoal(ctx, dbgen.GetGoalParams{ID: id, UserID: userID})
	if errors.Is(err, pgx.ErrNoRows) {
		return Goal{}, errNotFound
	}
	if err != nil {
		return Goal{}, err
	}
	clk, err := s.stats.Clock(ctx, userID, s.now())
	if err != nil {
		return Goal{}, err
	}
	kind := analytics.GoalKind(cur.Kind)
	fe := apperr.Fields{}
	if kind.HasDeadline() {
		if target != nil {
			fe.Add("target", "is only for daily goals")
		}
		if deadline != nil {
			checkDeadline(fe, deadline, clk.Today)
		}
	} else {
		checkTarget(fe, kind, target, false)
		if deadline != nil {
			fe.Add("deadline", "is only for deadline goals")
		}
	}
	if err := fe.Err(); err != nil {
		return Goal{}, err
	}
	row, err := s.q.UpdateGoal(ctx, dbgen.UpdateGoalParams{ID: id, UserID: userID, Target: target, Deadline: dateTime(deadline), Now: s.now()})
	if errors.Is(err, pgx.ErrNoRows) {
		return Goal{}, errNotFound
	}
	if err != nil {
		return Goal{}, err
	}
	return s.measure(ctx, userID, clk, row)
}

// Delete removes a goal.
func (s *Service) Delete(ctx context.Context, userID, id uuid.UUID) error {
	n, err := s.q.DeleteGoal(ctx, dbgen.DeleteGoalParams{ID: id, UserID: userID})
	if err != nil {
		return err
	}
	if n == 0 {
		return errNotFound
	}
	return nil
}

func (s *Service) measure(ctx context.Context, userID uuid.UUID, clk analytics.Clock, row dbgen.Goal) (Goal, error) {
	recent, today, err := s.stats.Recent(ctx, userID, clk)
	if err != nil {
		return Goal{}, err
	}
	return s.measureWith(ctx, userID, row, recent, today)
}

// measureWith computes a goal's progress from today's study and the recent
// days (analytics.Store.Recent).
func (s *Service) measureWith(ctx context.Context, userID uuid.UUID, row dbgen.Goal, recent []analytics.Day, today analytics.Day) (Goal, error) {
	g := Goal{Row: row, Deadline: toDate(row.Deadline)}
	kind := analytics.GoalKind(row.Kind)
	if !kind.HasDeadline() {
		var p analytics.DailyProgress
		if kind == analytics.GoalDailyMinutes {
			p = analytics.DailyMinutes(int64(*row.Target), today)
		} else {
			p = analytics.DailyPages(int64(*row.Target), today)
		}
		g.Daily, g.OnTrack = &p, p.OnTrack
		return g, nil
	}
	var left Remaining
	var err error
	if row.PdfID != nil {
		left, err = s.estimate.PDF(ctx, userID, *row.PdfID)
	} else {
		left, err = s.estimate.Topic(ctx, userID, *row.TopicID)
	}
	if err != nil {
		return Goal{}, err
	}
	p := analytics.Deadline(analytics.DeadlineInput{
		RemainingPages: left.Pages, RemainingSeconds: left.Seconds, Today: today, Deadline: *g.Deadline, Recent: recent,
	})
	g.Progress, g.Left, g.OnTrack = &p, &left, p.OnTrack
	return g, nil
}

func dateTime(d *analytics.Date) *time.Time {
	if d == nil {
		return nil
	}
	t := time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC)
	return &t
}

func toDate(t *time.Time) *analytics.Date {
	if t == nil {
		return nil
	}
	y, m, d := t.Date()
	return &analytics.Date{Year: y, Month: m, Day: d}
}

// Estimates is the Estimator over the estimates store: what remains is what
// GET /api/v1/estimates/pdfs/{id} and /topics/{id} answer.
func Estimates(s *estimates.Store) Estimator { return storeEstimator{s} }

type storeEstimator struct{ s *estimates.Store }

func (e storeEstimator) PDF(ctx context.Context, userID, pdfID uuid.UUID) (Remaining, error) {
	a, err := e.s.PDF(ctx, userID, pdfID)
	return remainingOf(a), err
}

func (e storeEstimator) Topic(ctx context.Context, userID, topicID uuid.UUID) (Remaining, error) {
	a, err := e.s.Topic(ctx, userID, topicID)
	return remainingOf(a), err
}

func remainingOf(a estimates.Answer) Remaining {
	return Remaining{Pages: int64(a.Estimate.RemainingPages), Seconds: a.Estimate.RemainingSeconds}
}
