package goals_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/studysprint/studysprint/internal/analytics"
	"github.com/studysprint/studysprint/internal/apperr"
	"github.com/studysprint/studysprint/internal/goals"
	"github.com/studysprint/studysprint/internal/testdb"
)

// fixedEstimator answers the same remaining work for every object: the
// goals workflow is tested here, the estimator in its own package.
type fixedEstimator struct{ left goals.Remaining }

func (f fixedEstimator) PDF(context.Context, uuid.UUID, uuid.UUID) (goals.Remaining, error) {
	return f.left, nil
}

func (f fixedEstimator) Topic(context.Context, uuid.UUID, uuid.UUID) (goals.Remaining, error) {
	return f.left, nil
}

func user(t *testing.T, pool *pgxpool.Pool, zone string) uuid.UUID {
	t.Helper()
	ctx := context.Background()
	name := fmt.Sprintf("g%019d", rand.Int64N(1e18)) // 20 characters, always
	var id uuid.UUID
	if err := pool.QueryRow(ctx, `INSERT INTO users (email, username, password_hash, timezone) VALUES ($1, $2, 'x', $3) RETURNING id`,
		name+"@example.com", name, zone).Scan(&id); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `INSERT INTO user_preferences (user_id) VALUES ($1)`, id); err != nil {
		t.Fatal(err)
	}
	return id
}

func topic(t *testing.T, pool *pgxpool.Pool, userID uuid.UUID) uuid.UUID {
	t.Helper()
	var id uuid.UUID
	if err := pool.QueryRow(context.Background(), `INSERT INTO topics (user_id, name) VALUES ($1, $2) RETURNING id`,
		userID, fmt.Sprintf("t%d", rand.Int64())).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

// TestGoalLimitUnderConcurrency: many creations at once never pass the
// per-user limit.
func TestGoalLimitUnderConcurrency(t *testing.T) {
	t.Parallel()
	pool := testdb.Pool(t)
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	svc := goals.NewService(pool, fixedEstimator{goals.Remaining{Pages: 10, Seconds: 900}}, func() time.Time { return now })
	svc.MaxGoals = 5
	u := user(t, pool, "UTC")
	deadline := analytics.Date{Year: 2026, Month: time.December, Day: 20}
	topics := make([]uuid.UUID, 12)
	for i := range topics {
		topics[i] = topic(t, pool, u)
	}
	var wg sync.WaitGroup
	errs := make([]error, len(topics))
	for i, tp := range topics {
		wg.Go(func() {
			_, errs[i] = svc.Create(context.Background(), u, goals.Input{Kind: analytics.GoalFinishTopicBy, TopicID: &tp, Deadline: &deadline})
		})
	}
	wg.Wait()
	made, refused := 0, 0
	for _, err := range errs {
		switch e, ok := apperr.As(err); {
		case err == nil:
			made++
		case ok && e.Code == "too_many_goals":
			refused++
		default:
			t.Errorf("unexpected: %v", err)
		}
	}
	if made != 5 || refused != 7 {
		t.Fatalf("%d made, %d refused; want 5 and 7", made, refused)
	}
	list, err := svc.List(context.Background(), u)
	if err != nil || len(list) != 5 {
		t.Fatalf("list: %d goals, %v", len(list), err)
	}
}

// TestGoalRules: shapes, the past measured in the student's zone, another
// user's object, one goal per kind or object, and progress on read.
func TestGoalRules(t *testing.T) {
	t.Parallel()
	pool := testdb.Pool(t)
	ctx := context.Background()
	// 11:30 UTC on 1 December is already 2 December in Kiritimati (UTC+14).
	now := time.Date(2026, 12, 1, 11, 30, 0, 0, time.UTC)
	svc := goals.NewService(pool, fixedEstimator{goals.Remaining{Pages: 30, Seconds: 3 * 3600}}, func() time.Time { return now })
	kiri, other := user(t, pool, "Pacific/Kiritimati"), user(t, pool, "UTC")
	mine, theirs := topic(t, pool, kiri), topic(t, pool, other)
	dec1, dec2, dec11 := analytics.Date{Year: 2026, Month: 12, Day: 1}, analytics.Date{Year: 2026, Month: 12, Day: 2}, analytics.Date{Year: 2026, Month: 12, Day: 11}
	i32 := func(v int32) *int32 { return &v }
	for _, c := range []struct {
		name  string
		in    goals.Input
		field string
	}{
		{"unknown kind", goals.Input{Kind: "weekly_minutes", Target: i32(5)}, "kind"},
		{"daily without target", goals.Input{Kind: analytics.GoalDailyMinutes}, "target"},
		{"daily over a day", goals.Input{Kind: analytics.GoalDailyMinutes, Target: i32(1441)}, "target"},
		{"daily with a deadline", goals.Input{Kind: analytics.GoalDailyPages, Target: i32(20), Deadline: &dec11}, "deadline"},
		{"deadline without a topic", goals.Input{Kind: analytics.GoalFinishTopicBy, Deadline: &dec11}, "topic_id"},
		{"deadline yesterday in Kiritimati", goals.Input{Kind: analytics.GoalFinishTopicBy, TopicID: &mine, Deadline: &dec1}, "deadline"},
		{"deadline with a target", goals.Input{Kind: analytics.GoalFinishTopicBy, TopicID: &mine, Deadline: &dec11, Target: i32(3)}, "target"},
	} {
		_, err := svc.Create(ctx, kiri, c.in)
		if e, ok := apperr.As(err); !ok || e.Kind != apperr.Invalid || e.Fields[c.field] == "" {
			t.Errorf("%s: %v, want a 422 on %s", c.name, err, c.field)
		}
	}
	if _, err := svc.Create(ctx, kiri, goals.Input{Kind: analytics.GoalFinishTopicBy, TopicID: &theirs, Deadline: &dec11}); !apperr.IsKind(err, apperr.NotFound) {
		t.Errorf("another user's topic: %v", err)
	}
	g, err := svc.Create(ctx, kiri, goals.Input{Kind: analytics.GoalFinishTopicBy, TopicID: &mine, Deadline: &dec2})
	if err != nil {
		t.Fatalf("a deadline of today in Kiritimati: %v", err)
	}
	// Today counts: one day left, everything remaining is due today; no
	// study lately, so no projection and not on track.
	if p := g.Progress; p.DaysLeft != 1 || p.RequiredPagesPerDay != 30 || p.RequiredMinutesPerDay != 180 || p.ProjectedFinish != nil || g.OnTrack {
		t.Fatalf("progress %+v on track %v", p, g.OnTrack)
	}
	var pgErr *pgconn.PgError
	if _, err := svc.Create(ctx, kiri, goals.Input{Kind: analytics.GoalFinishTopicBy, TopicID: &mine, Deadline: &dec11}); !errors.As(err, &pgErr) || pgErr.ConstraintName != "goals_topic_key" {
		t.Errorf("a second deadline on the topic: %v", err)
	}
	d, err := svc.Create(ctx, kiri, goals.Input{Kind: analytics.GoalDailyMinutes, Target: i32(30)})
	if err != nil || d.Daily == nil || d.Daily.Done != 0 || d.OnTrack {
		t.Fatalf("daily goal: %+v %v", d, err)
	}
	if _, err := svc.Update(ctx, kiri, d.Row.ID, nil, &dec11); !apperr.IsKind(err, apperr.Invalid) {
		t.Errorf("a deadline on a daily goal: %v", err)
	}
	if u, err := svc.Update(ctx, kiri, d.Row.ID, i32(45), nil); err != nil || *u.Row.Target != 45 {
		t.Errorf("new target: %+v %v", u.Row, err)
	}
	if _, err := svc.Get(ctx, other, d.Row.ID); !apperr.IsKind(err, apperr.NotFound) {
		t.Errorf("another user's goal: %v", err)
	}
	if err := svc.Delete(ctx, other, d.Row.ID); !apperr.IsKind(err, apperr.NotFound) {
		t.Errorf("deleting another user's goal: %v", err)
	}
	if err := svc.Delete(ctx, kiri, d.Row.ID); err != nil {
		t.Fatal(err)
	}
	// Deleting the topic takes its goal with it.
	if _, err := pool.Exec(ctx, `DELETE FROM topics WHERE id = $1`, mine); err != nil {
		t.Fatal(err)
	}
	if list, err := svc.List(ctx, kiri); err != nil || len(list) != 0 {
		t.Fatalf("after deleting the topic: %d goals, %v", len(list), err)
	}
}
