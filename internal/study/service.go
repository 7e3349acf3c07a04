package study

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/studysprint/studysprint/dbgen"
	"github.com/studysprint/studysprint/internal/apperr"
	"github.com/studysprint/studysprint/internal/database"
	"github.com/studysprint/studysprint/internal/estimate/store"
	"github.com/studysprint/studysprint/internal/safetext"
)

// Service is the timer's workflow: it starts sessions, ingests batches of
// events (check, store, fold with the rules above, and keep the per-page and
// per-bucket parts and their rollups exact in the same transaction), ends
// quiet sessions and deletes sessions. The HTTP handlers and the KOReader
// import go through it (the seed command derives its rows with Finish, the
// same rules without the database). Every method takes plain values;
// nothing of a session lives only in memory.
type Service struct {
	pool *pgxpool.Pool
	q    *dbgen.Queries
	now  func() time.Time
	log  *slog.Logger
	// writes bounds the ingestion transactions running at once to half the
	// pool, so a flood of batches leaves connections for every other request.
	writes chan struct{}
	// estimator, when set, gives the estimate recorded at a first session.
	estimator Estimator
	// counts are the events Ingest answered for (IngestCounts).
	counts struct{ accepted, duplicates, rejected atomic.Uint64 }
}

// NewService returns the timer workflows.
func NewService(pool *pgxpool.Pool, now func() time.Time, log *slog.Logger, opts ...Option) *Service {
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	slots := int32(4)
	if pool != nil {
		slots = max(1, pool.Config().MaxConns/2)
	}
	s := &Service{pool: pool, q: dbgen.New(pool), now: func() time.Time { return normTime(now()) }, log: log, writes: make(chan struct{}, slots)}
	for _, o := range opts {
		o(s)
	}
	return s
}

// writeWait bounds the wait for an ingestion slot.
const writeWait = 10 * time.Second

// acquire takes an ingestion slot (503 server_busy after writeWait).
func (s *Service) acquire(ctx context.Context) (func(), error) {
	select {
	case s.writes <- struct{}{}:
		return func() { <-s.writes }, nil
	default:
	}
	t := time.NewTimer(writeWait)
	defer t.Stop()
	select {
	case s.writes <- struct{}{}:
		return func() { <-s.writes }, nil
	case <-t.C:
		return nil, apperr.Retry(apperr.Unavailable, "server_busy", "too many timer batches at once; retry in a moment", time.Second)
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// MaxBatch is the largest batch of events one call takes.
const MaxBatch = 500

// Source says where a session came from (study_sessions_source_check).
type Source string

// Sources of sessions.
const (
	SourceTimer    Source = "timer"
	SourceKOReader Source = "koreader"
)

// Sources lists every source.
var Sources = []Source{SourceTimer, SourceKOReader}

// storedRules is how a session's Rules are kept (study_sessions.rules).
type storedRules struct {
	IdleThresholdSeconds int64          `json:"idle_threshold_seconds"`
	PageMinSeconds       int64          `json:"page_min_seconds"`
	PageMaxSeconds       int64          `json:"page_max_seconds"`
	Pomodoro             *storedPomodor `json:"pomodoro,omitempty"`
}

type storedPomodor struct {
	WorkSeconds       int64 `json:"work_seconds"`
	ShortBreakSeconds int64 `json:"short_break_seconds"`
	LongBreakSeconds  int64 `json:"long_break_seconds"`
	LongBreakEvery    int   `json:"long_break_every"`
}

func (r Rules) store() storedRules {
	out := storedRules{
		IdleThresholdSeconds: int64(r.IdleThreshold / time.Second),
		PageMinSeconds:       int64(r.PageMin / time.Second), PageMaxSeconds: int64(r.PageMax / time.Second),
	}
	if p := r.Pomodoro; p != nil {
		out.Pomodoro = &storedPomodor{
			WorkSeconds: int64(p.Work / time.Second), ShortBreakSeconds: int64(p.ShortBreak / time.Second),
			LongBreakSeconds: int64(p.LongBreak / time.Second), LongBreakEvery: p.LongBreakEvery,
		}
	}
	return out
}

func (s storedRules) rules() Rules {
	r := Rules{
		IdleThreshold: time.Duration(s.IdleThresholdSeconds) * time.Second,
		PageMin:       time.Duration(s.PageMinSeconds) * time.Second, PageMax: time.Duration(s.PageMaxSeconds) * time.Second,
	}
	if p := s.Pomodoro; p != nil {
		r.Pomodoro = &Pomodoro{
			Work: time.Duration(p.WorkSeconds) * time.Second, ShortBreak: time.Duration(p.ShortBreakSeconds) * time.Second,
			LongBreak: time.Duration(p.LongBreakSeconds) * time.Second, LongBreakEvery: p.LongBreakEvery,
		}
	}
	return r
}

// RulesFromPreferences are the timer rules of a user's preferences.
func RulesFromPreferences(p dbgen.UserPreference, pomodoro bool) Rules {
	r := Rules{
		IdleThreshold: time.Duration(p.IdleThresholdSeconds) * time.Second,
		PageMin:       time.Duration(p.PageMinSeconds) * time.Second,
		PageMax:       time.Duration(p.PageMaxSeconds) * time.Second,
	}
	if pomodoro {
		r.Pomodoro = &Pomodoro{
			Work: time.Duration(p.PomodoroWorkMinutes) * time.Minute, ShortBreak: time.Duration(p.PomodoroShortBreakMinutes) * time.Minute,
			LongBreak: time.Duration(p.PomodoroLongBreakMinutes) * time.Minute, LongBreakEvery: int(p.PomodoroLongBreakEvery),
		}
	}
	return r
}

// session is a loaded session row with its decoded rules and checkpoint.
type session struct {
	row   dbgen.StudySession
	rules Rules
	cp    Checkpoint
	// pageAtBefore is the stored current_page_at, to tell whether a fold
	// moved the session's current page.
	pageAtBefore *time.Time
}

func decodeSession(row dbgen.StudySession) (session, error) {
	s := session{row: row, pageAtBefore: row.CurrentPageAt}
	var sr storedRules
	if err := json.Unmarshal(row.Rules, &sr); err != nil {
		return s, fmt.Errorf("study session %s: rules: %w", row.ID, err)
	}
	s.rules = sr.rules()
	if err := s.cp.UnmarshalBinary(row.Checkpoint); err != nil {
		return s, fmt.Errorf("study session %s: checkpoint: %w", row.ID, err)
	}
	return s, nil
}

// State is a session as a client sees it: for a running session the numbers
// run up to now; an ended one's are final.
type State struct {
	Row                                                     dbgen.StudySession
	Status                                                  Status
	EndedReason                                             *EndReason
	EndedAt                                                 *time.Time
	ActiveSeconds, PausedSeconds, IdleSeconds, BreakSeconds int64
	CurrentPage                                             int32
	PagesVisited, PagesRead                                 int
	Phase                                                   Phase
	Cycle                                                   int
	SecondsLeftInPhase                                      int64
}

// state reads a session's state at now (live for a running session).
func (s session) state(now time.Time) State {
	st := State{Row: s.row, Status: Status(s.row.Status), EndedAt: s.row.EndedAt}
	until := now
	if s.row.EndedAt != nil {
		until = *s.row.EndedAt
		r := EndReason(*s.row.EndedReason)
		st.EndedReason = &r
	}
	sum := s.cp.Summarize(s.rules, until)
	secs := SplitSeconds(sum.Active, sum.Paused, sum.Idle, sum.Break)
	st.ActiveSeconds, st.PausedSeconds, st.IdleSeconds, st.BreakSeconds = secs[0], secs[1], secs[2], secs[3]
	if s.row.EndedAt == nil {
		st.Status = StatusRunning
		if sum.IsPaused {
			st.Status = StatusPaused
		}
	}
	st.CurrentPage, st.PagesVisited, st.PagesRead = sum.CurrentPage, sum.PagesVisited, sum.PagesRead
	if s.rules.Pomodoro != nil {
		st.Phase, st.Cycle = sum.Phase, sum.Cycle
		st.SecondsLeftInPhase = int64((sum.PhaseLeft + time.Second - 1) / time.Second)
	}
	return st
}

// Errors of the timer workflows.
var (
	ErrNoRunningSession = apperr.New(apperr.NotFound, "no_running_session", "no study session is running")
	errSessionNotFound  = apperr.NotFoundf("study session")
)

// StartInput is a new session: on a PDF or on an exercise (which studies
// its PDF's pages). StartPage defaults to the PDF's current page, StartedAt
// to now; it may lie in the past (an offline session), never more than
// MaxFutureSkew ahead.
type StartInput struct {
	PDFID, ExerciseID *uuid.UUID
	StartPage         *int32
	Pomodoro          bool
	StartedAt         *time.Time
}

// Start begins a session. A session of the user that is running ends first,
// at its last activity (superseded). Starting a session on a todo exercise
// moves it to in_progress. The first session on a PDF or an exercise
// records the estimate shown (WithEstimator).
func (s *Service) Start(ctx context.Context, userID uuid.UUID, in StartInput) (State, error) {
	now := s.now()
	fe := apperr.Fields{}
	if (in.PDFID == nil) == (in.ExerciseID == nil) {
		fe.Add("pdf_id", "send either pdf_id or exercise_id")
	}
	startedAt := now
	if in.StartedAt != nil {
		startedAt = normTime(*in.StartedAt)
		if startedAt.After(now.Add(MaxFutureSkew)) {
			fe.Add("started_at", "must not be more than 2 minutes in the future")
		}
		if startedAt.Year() < 2000 {
			fe.Add("started_at", "must be a time after 2000")
		}
	}
	if err := fe.Err(); err != nil {
		return State{}, err
	}
	shown, record := s.startEstimate(ctx, userID, in)
	var out session
	err := database.InTx(ctx, s.pool, func(q *dbgen.Queries) error {
		if err := q.LockUserStudy(ctx, userID); err != nil {
			return err
		}
		pdfID := in.PDFID
		if in.ExerciseID != nil {
			ex, err := q.GetExercise(ctx, dbgen.GetExerciseParams{ID: *in.ExerciseID, UserID: userID})
			if errors.Is(err, pgx.ErrNoRows) {
				return apperr.NotFoundf("exercise")
			}
			if err != nil {
				return err
			}
			pdfID = &ex.PdfID
		}
		pdf, err := q.GetPDF(ctx, dbgen.GetPDFParams{ID: *pdfID, UserID: userID})
		if errors.Is(err, pgx.ErrNoRows) {
			return apperr.NotFoundf("PDF")
		}
		if err != nil {
			return err
		}
		startPage := pdf.Pdf.CurrentPage
		if in.StartPage != nil {
			if *in.StartPage < 1 || *in.StartPage > pdf.Pdf.PageCount {
				return apperr.Field("start_page", fmt.Sprintf("must be between 1 and %d", pdf.Pdf.PageCount))
			}
			startPage = *in.StartPage
		}
		prefs, err := q.GetUserPreferences(ctx, userID)
		if err != nil {
			return err
		}
		running, err := q.GetRunningStudySession(ctx, userID)
		if err == nil {
			running, err = q.GetStudySessionForFold(ctx, dbgen.GetStudySessionForFoldParams{ID: running.ID, UserID: userID})
		}
		switch {
		case err == nil:
			prev, err := decodeSession(running)
			if err != nil {
				return err
			}
			if _, err := s.settle(ctx, q, prev, prev.tail(), EndSuperseded, prev.row.LastHeardAt, now, false); err != nil {
				return err
			}
		case !errors.Is(err, pgx.ErrNoRows):
			return err
		}
		out, err = s.create(ctx, q, userID, pdf.Pdf.ID, in.ExerciseID, SourceTimer, RulesFromPreferences(prefs, in.Pomodoro),
			pdf.Pdf.PageCount, startPage, startedAt, now)
		if err != nil {
			return err
		}
		if record {
			if err := store.RecordStart(ctx, q, userID, pdf.Pdf.ID, in.ExerciseID, out.cp.StartedAt, now, shown); err != nil {
				return err
			}
		}
		if in.ExerciseID != nil {
			return q.StartExercise(ctx, dbgen.StartExerciseParams{ID: *in.ExerciseID, UserID: userID, Now: now})
		}
		return nil
	})
	if err != nil {
		return State{}, err
	}
	return out.state(now), nil
}

// create inserts a session row (and counts it in its start bucket).
func (s *Service) create(ctx context.Context, q *dbgen.Queries, userID, pdfID uuid.UUID, exerciseID *uuid.UUID, source Source,
	rules Rules, pageCount, startPage int32, startedAt, now time.Time) (session, error) {
	cp := NewCheckpoint(rules, startedAt, startPage)
	rawRules, err := json.Marshal(rules.store())
	if err != nil {
		return session{}, err
	}
	rawCP, err := cp.MarshalBinary()
	if err != nil {
		return session{}, err
	}
	params := dbgen.CreateStudySessionParams{
		UserID: userID, PdfID: pdfID, ExerciseID: exerciseID, Source: string(source), Pomodoro: rules.Pomodoro != nil,
		Rules: rawRules, IdleThresholdSeconds: int32(max(1, rules.IdleThreshold/time.Second)),
		PageCount: pageCount, StartedAt: cp.StartedAt, Now: now, Checkpoint: rawCP,
	}
	if startPage > 0 {
		params.StartPage, params.CurrentPage, params.CurrentPageAt = &startPage, &startPage, &cp.StartedAt
	}
	row, err := q.CreateStudySession(ctx, params)
	if err != nil {
		return session{}, err
	}
	if err := refreshUserRollups(ctx, q, userID, []time.Time{bucketOf(cp.StartedAt)}); err != nil {
		return session{}, err
	}
	return session{row: row, rules: rules, cp: cp}, nil
}

func bucketOf(t time.Time) time.Time { return t.UTC().Truncate(BucketSize) }

// Get is one of the user's sessions. A running session nobody has heard
// from for twice its idle threshold is ended (idle) first.
func (s *Service) Get(ctx context.Context, userID, id uuid.UUID) (State, error) {
	return s.read(ctx, userID, func(q *dbgen.Queries, lock bool) (dbgen.StudySession, error) {
		if lock {
			return q.GetStudySessionForFold(ctx, dbgen.GetStudySessionForFoldParams{ID: id, UserID: userID})
		}
		return q.GetStudySession(ctx, dbgen.GetStudySessionParams{ID: id, UserID: userID})
	}, errSessionNotFound)
}

// Current is the user's running session (ErrNoRunningSession when none; a
// quiet one is ended first and then is not current).
func (s *Service) Current(ctx context.Context, userID uuid.UUID) (State, error) {
	st, err := s.read(ctx, userID, func(q *dbgen.Queries, lock bool) (dbgen.StudySession, error) {
		row, err := q.GetRunningStudySession(ctx, userID)
		if err != nil || !lock {
			return row, err
		}
		return q.GetStudySessionForFold(ctx, dbgen.GetStudySessionForFoldParams{ID: row.ID, UserID: userID})
	}, ErrNoRunningSession)
	if err == nil && st.Status == StatusEnded {
		return State{}, ErrNoRunningSession
	}
	return st, err
}

// read loads a session; when it is running but should have ended, it is
// ended in a transaction (re-read under its row lock) before answering.
func (s *Service) read(ctx context.Context, userID uuid.UUID, load func(q *dbgen.Queries, lock bool) (dbgen.StudySession, error), notFound error) (State, error) {
	now := s.now()
	row, err := load(s.q, false)
	if errors.Is(err, pgx.ErrNoRows) {
		return State{}, notFound
	}
	if err != nil {
		return State{}, err
	}
	sess, err := decodeSession(row)
	if err != nil {
		return State{}, err
	}
	if row.EndedAt != nil {
		return sess.state(now), nil
	}
	if _, _, ended := End(sess.cp, sess.rules, "", row.LastHeardAt, now); !ended {
		return sess.state(now), nil
	}
	err = database.InTx(ctx, s.pool, func(q *dbgen.Queries) error {
		if err := q.LockUserStudy(ctx, userID); err != nil { // see refreshUserRollups
			return err
		}
		row, err := load(q, true)
		if err != nil {
			return err
		}
		if sess, err = decodeSession(row); err != nil {
			return err
		}
		if row.EndedAt == nil {
			sess, err = s.settle(ctx, q, sess, sess.tail(), priorOf(row), row.LastHeardAt, now, false)
		}
		return err
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return State{}, notFound
	}
	if err != nil {
		return State{}, err
	}
	return sess.state(now), nil
}

func priorOf(row dbgen.StudySession) EndReason {
	if row.EndedReason == nil {
		return ""
	}
	return EndReason(*row.EndedReason)
}

func validText(s string) bool { return safetext.Valid(s) }

// ListFilter narrows a list of sessions; After* continue after a given
// session (keyset, newest first).
type ListFilter struct {
	PDFID, ExerciseID, TopicID *uuid.UUID
	From, To                   *time.Time
	AfterStartedAt             *time.Time
	AfterID                    *uuid.UUID
	Limit                      int32
}

// List is the user's sessions, newest first, with their states.
func (s *Service) List(ctx context.Context, userID uuid.UUID, f ListFilter) ([]State, error) {
	rows, err := s.q.ListStudySessions(ctx, dbgen.ListStudySessionsParams{
		UserID: userID, PdfID: f.PDFID, ExerciseID: f.ExerciseID, TopicID: f.TopicID, FromTime: f.From, ToTime: f.To,
		AfterStartedAt: f.AfterStartedAt, AfterID: f.AfterID, RowLimit: f.Limit,
	})
	if err != nil {
		return nil, err
	}
	now := s.now()
	out := make([]State, len(rows))
	for i, r := range rows {
		sess, err := decodeSession(r)
		if err != nil {
			return nil, err
		}
		out[i] = sess.state(now)
	}
	return out, nil
}
