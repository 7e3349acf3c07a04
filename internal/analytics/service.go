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

// Store reads a student's study rollups (user_study_buckets) as local
// days. It is the database side of this package: every figure it returns
// is summed in SQL from the rollup the timer keeps exact on write, never
// from raw events.
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
// inclusive that has any, in date order (FillDays adds the empty ones).
func (s *Store) Days(ctx context.Context, userID uuid.UUID, loc *time.Location, from, to Date) ([]Day, error) {
	if to.Before(from) {
		return nil, nil
	}
	rows, err := s.q.ListUserStudyDays(ctx, dbgen.ListUserStudyDaysParams{
		Tz:     loc.String(),
		UserID: userID,
		FromAt: from.Start(loc),
		ToAt:   to.AddDays(1).Start(loc),
	})
	if err != nil {
		return nil, fmt.Errorf("read the study days: %w", err)
	}
	days := make([]Day, len(rows))
	for i, r := range rows {
		y, m, d := r.Day.Date()
		days[i] = Day{Date: Date{y, m, d}, Seconds: r.ActiveSeconds, ReadSeconds: r.ReadSeconds, Pages: r.PagesRead, Sessions: r.Sessions}
	}
	return days, nil
}

// Recent returns the days ProjectFinish needs: the RecentDays days before
// today and today itself (zero when not studied yet).
func (s *Store) Recent(ctx context.Context, userID uuid.UUID, c Clock) (recent []Day, today Day, err error) {
	days, err := s.Days(ctx, userID, c.Loc, c.Today.AddDays(-RecentDays), c.Today)
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
