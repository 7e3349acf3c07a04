package analytics

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/studysprint/studysprint/dbgen"
	"github.com/studysprint/studysprint/internal/apperr"
)

// Clock is what the statistics need to know about a student's calendar:
// their time zone, the first day of their week, the study a day needs to
// count for the streak, and today's date in their zone at the moment the
// clock was read.
type Clock struct {
	Loc              *time.Location
	WeekStart        time.Weekday
	StreakMinSeconds int64
	DailyGoalMinutes int64
	Today            Date
	Now              time.Time
	Joined           Date // the date the account was created, in Loc
}

// Store reads a student's study rollups as local days. It is the database
// side of this package: every figure it returns comes from the rollups the
// timer keeps exact on write — user_study_days (per user per local day, in
// their current zone) and, for a PDF's or topic's pace, the sessions'
// 15-minute buckets — never from raw events.
type Store struct {
	q dbgen.Querier
}

// NewStore returns a Store over q (a pool or a transaction).
func NewStore(q dbgen.Querier) *Store { return &Store{q: q} }

// Clock reads the student's calendar settings; now is the current instant.
// A zone name the tz database no longer knows falls back to UTC (the name
// was checked when it was saved).
func (s *Store) Clock(ctx context.Context, userID uuid.UUID, now time.Time) (Clock, error) {
	row, err := s.q.GetUserStudyClock(ctx, userID)
	if errors.Is(err, pgx.ErrNoRows) {
		return Clock{}, apperr.New(apperr.Unauthenticated, "account_deleted", "this account no longer exists")
	}
	if err != nil {
		return Clock{}, fmt.Errorf("read the calendar settings: %w", err)
	}
	loc, err := time.LoadLocation(row.Timezone)
	if err != nil {
		loc = time.UTC
	}
	first := time.Monday
	if row.WeekStart == "sunday" {
		first = time.Sunday
	}
	return Clock{
		Loc:              loc,
		WeekStart:        first,
		StreakMinSeconds: int64(row.StreakMinMinutes) * 60,
		DailyGoalMinutes: int64(row.DailyGoalMinutes),
		Today:            DateOf(now, loc),
		Now:              now,
		Joined:           DateOf(row.CreatedAt, loc),
	}, nil
}

// Days returns the student's study on each local day from from to to
// inclusive that has any, in date order (FillDays adds the empty ones), from
// the day rollup kept in the zone the users row names: loc must be that
// zone (Clock's), which it is unless the zone changed since the clock was
// read.
func (s *Store) Days(ctx context.Context, userID uuid.UUID, from, to Date) ([]Day, error) {
	if to.Before(from) {
		return nil, nil
	}
	rows, err := s.q.ListUserStudyDays(ctx, dbgen.ListUserStudyDaysParams{UserID: userID, FromDay: from.utc(), ToDay: to.utc()})
	if err != nil {
		return nil, fmt.Errorf("read the study days: %w", err)
	}
	days := make([]Day, len(rows))
	for i, r := range rows {
		days[i] = Day{Date: dateOfUTC(r.Day), Seconds: r.ActiveSeconds, ReadSeconds: r.ReadSeconds, Pages: r.PagesRead, Sessions: r.Sessions}
	}
	return days, nil
}

// utc is d as the UTC midnight that sqlc maps a date column to.
func (d Date) utc() time.Time { return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC) }

// dateOfUTC is the date of a date column as sqlc reads it.
func dateOfUTC(t time.Time) Date {
	y, m, d := t.Date()
	return Date{y, m, d}
}

// Recent returns the days ProjectFinish needs: the RecentDays days before
// today and today itself (zero when not studied yet).
func (s *Store) Recent(ctx context.Context, userID uuid.UUID, c Clock) (recent []Day, today Day, err error) {
	days, err := s.Days(ctx, userID, c.Today.AddDays(-RecentDays), c.Today)
	if err != nil {
		return nil, Day{}, err
	}
	today = Day{Date: c.Today}
	if n := len(days); n > 0 && days[n-1].Date == c.Today {
		today = days[n-1]
		days = days[:n-1]
	}
	return days, today, nil
}

// all is the first date of "all time": before any history, imported
// reading from another app included.
var all = Date{1970, time.January, 1}

// Summary is the student's summary as of c.Today: today, this week, this
// month and all time, with the streaks.
func (s *Store) Summary(ctx context.Context, userID uuid.UUID, c Clock) (Summary, error) {
	days, err := s.Days(ctx, userID, all, c.Today)
	if err != nil {
		return Summary{}, err
	}
	return Summarize(days, c.Today, c.WeekStart, c.StreakMinSeconds), nil
}

// MaxRangeDays bounds the days one daily or heatmap answer covers.
const MaxRangeDays = 366

// Daily is every day from from to to inclusive, zeros for days without
// study. The range must be at most MaxRangeDays long and not reversed.
func (s *Store) Daily(ctx context.Context, userID uuid.UUID, c Clock, from, to Date) ([]Day, error) {
	if err := checkRange(from, to); err != nil {
		return nil, err
	}
	days, err := s.Days(ctx, userID, from, to)
	if err != nil {
		return nil, err
	}
	return FillDays(days, from, to), nil
}

func checkRange(from, to Date) error {
	switch {
	case to.Before(from):
		return apperr.Field("to", "must not be before from")
	case to.Sub(from)+1 > MaxRangeDays:
		return apperr.Field("from", fmt.Sprintf("the range may cover at most %d days", MaxRangeDays))
	}
	return nil
}

// HeatmapDay is one day of a heatmap.
type HeatmapDay struct {
	Day
	Level int
}

// Heatmap is the last n days up to today, each with its shade (0–4).
func (s *Store) Heatmap(ctx context.Context, userID uuid.UUID, c Clock, n int) ([]HeatmapDay, error) {
	if n < 1 || n > MaxRangeDays {
		return nil, apperr.Field("days", fmt.Sprintf("must be from 1 to %d", MaxRangeDays))
	}
	days, err := s.Daily(ctx, userID, c, c.Today.AddDays(1-n), c.Today)
	if err != nil {
		return nil, err
	}
	levels := HeatmapLevels(days)
	out := make([]HeatmapDay, len(days))
	for i, d := range days {
		out[i] = HeatmapDay{Day: d, Level: levels[i]}
	}
	return out, nil
}

// TopicStats is one topic's reading over its whole subtree.
type TopicStats struct {
	TopicID         uuid.UUID
	ParentID        *uuid.UUID
	Name            string
	Archived        bool
	PDFs            int32
	TotalPages      int64
	PagesRead       int64
	ProgressPercent float64
	StudySeconds    int64
	LastStudiedAt   *time.Time
	Exercises       int32
	ExercisesDone   int32
}

// Topics is every topic of the student with the totals of its subtree
// (its own PDFs and those of its subtopics), in tree order of the topic
// list (sort order, name).
func (s *Store) Topics(ctx context.Context, userID uuid.UUID) ([]TopicStats, error) {
	topics, err := s.q.ListAllTopics(ctx, userID)
	if err != nil {
		return nil, fmt.Errorf("list the topics: %w", err)
	}
	ids := make([]uuid.UUID, len(topics))
	for i, t := range topics {
		ids[i] = t.ID
	}
	stats, err := s.q.ListTopicStats(ctx, dbgen.ListTopicStatsParams{UserID: userID, TopicIds: ids})
	if err != nil {
		return nil, fmt.Errorf("read the topic statistics: %w", err)
	}
	byID := make(map[uuid.UUID]dbgen.ListTopicStatsRow, len(stats))
	for _, st := range stats {
		byID[st.TopicID] = st
	}
	out := make([]TopicStats, len(topics))
	for i, t := range topics {
		st := byID[t.ID]
		out[i] = TopicStats{
			TopicID: t.ID, ParentID: t.ParentID, Name: t.Name, Archived: t.ArchivedAt != nil,
			PDFs: st.PdfCount, TotalPages: st.TotalPages, PagesRead: st.PagesRead, ProgressPercent: st.ProgressPercent,
			StudySeconds: st.StudySeconds, LastStudiedAt: st.LastStudiedAt, Exercises: st.ExerciseCount, ExercisesDone: st.ExercisesDone,
		}
	}
	return out, nil
}

// PaceScope says whose reading a pace is about: one PDF, one topic with
// its subtopics, or (both nil) everything.
type PaceScope struct {
	PDFID   *uuid.UUID
	TopicID *uuid.UUID
}

// MaxPaceWeeks bounds the weeks of one pace answer.
const MaxPaceWeeks = 156

// Pace is the weekly reading pace over the last weeks weeks (the current
// week included), weeks starting on the student's week start. Another
// user's PDF or topic is not found.
func (s *Store) Pace(ctx context.Context, userID uuid.UUID, c Clock, scope PaceScope, weeks int) ([]WeekPace, error) {
	if weeks < 1 || weeks > MaxPaceWeeks {
		return nil, apperr.Field("weeks", fmt.Sprintf("must be from 1 to %d", MaxPaceWeeks))
	}
	if scope.PDFID != nil && scope.TopicID != nil {
		return nil, apperr.Field("pdf_id", "give pdf_id or topic_id, not both")
	}
	if err := s.checkScope(ctx, userID, scope); err != nil {
		return nil, err
	}
	from := WeekStart(c.Today, c.WeekStart).AddDays(-7 * (weeks - 1))
	var days []Day
	if scope.PDFID == nil && scope.TopicID == nil {
		all, err := s.Days(ctx, userID, from, c.Today)
		if err != nil {
			return nil, err
		}
		days = all
	} else {
		rows, err := s.q.ListPaceDays(ctx, dbgen.ListPaceDaysParams{
			Tz: c.Loc.String(), UserID: userID, FromAt: from.Start(c.Loc), ToAt: c.Today.AddDays(1).Start(c.Loc),
			TopicID: scope.TopicID, PdfID: scope.PDFID,
		})
		if err != nil {
			return nil, fmt.Errorf("read the pace: %w", err)
		}
		days = make([]Day, len(rows))
		for i, r := range rows {
			days[i] = Day{Date: dateOfUTC(r.Day), ReadSeconds: r.ReadSeconds, Pages: r.PagesRead}
		}
	}
	return WeeklyPace(days, c.WeekStart), nil
}

func (s *Store) checkScope(ctx context.Context, userID uuid.UUID, scope PaceScope) error {
	var err error
	switch {
	case scope.PDFID != nil:
		_, err = s.q.GetPDF(ctx, dbgen.GetPDFParams{ID: *scope.PDFID, UserID: userID})
		if errors.Is(err, pgx.ErrNoRows) {
			return apperr.NotFoundf("PDF")
		}
	case scope.TopicID != nil:
		_, err = s.q.GetTopic(ctx, dbgen.GetTopicParams{ID: *scope.TopicID, UserID: userID})
		if errors.Is(err, pgx.ErrNoRows) {
			return apperr.NotFoundf("topic")
		}
	}
	if err != nil {
		return fmt.Errorf("check the pace scope: %w", err)
	}
	return nil
}
