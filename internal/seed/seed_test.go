package seed_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/studysprint/studysprint/internal/seed"
	"github.com/studysprint/studysprint/internal/study"
	"github.com/studysprint/studysprint/internal/testdb"
)

func options(prefix string) seed.Options {
	return seed.Options{
		Users: 3, Days: 12, PDFsPerUser: 3, Seed: 5, Prefix: prefix, Password: "seed-test-password", BcryptCost: 4,
		Until: time.Date(2026, 11, 20, 15, 0, 0, 0, time.UTC), Heartbeat: 30 * time.Second, Workers: 2,
		Languages: [2]string{"simple", "english"},
	}
}

// TestSeedIsWhatTheTimerStores: every seeded session, replayed through the
// timer (study.Service: Start, the batches as the client sent them, the
// sweep of a session without a stop), gives the same session numbers and
// checkpoint, study_session_pages, study_session_buckets, page_stats,
// user_study_buckets, exercise time and PDF current page as the seed wrote.
// A second run with another prefix adds users and leaves the first run's
// rows as they are; the same prefix again is refused.
func TestSeedIsWhatTheTimerStores(t *testing.T) {
	t.Parallel()
	pool := testdb.Pool(t)
	ctx := context.Background()
	rep, err := seed.Run(ctx, pool, options("a"))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Rows["study_events"] == 0 || rep.Rows["users"] != 3 {
		t.Fatalf("rows: %v", rep.Rows)
	}
	requireVariety(t, pool)

	var ids []uuid.UUID
	for _, u := range rep.Users {
		id := uuid.MustParse(u.ID)
		ids = append(ids, id)
		seeded := snapshotOf(t, pool, id)
		if len(seeded.sessions) == 0 {
			t.Fatalf("user %s has no sessions", u.Username)
		}
		redrive(t, pool, id)
		timer := snapshotOf(t, pool, id)
		compare(t, u.Username, seeded, timer)
	}

	before := fingerprint(t, pool, ids)
	rep2, err := seed.Run(ctx, pool, options("b"))
	if err != nil {
		t.Fatal(err)
	}
	var users int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM users`).Scan(&users); err != nil || users != 6 {
		t.Fatalf("%d users after the second run, %v", users, err)
	}
	for i, u := range rep2.Users {
		if u.ID == rep.Users[i].ID || u.Username != fmt.Sprintf("b-%03d", i+1) {
			t.Fatalf("second run user %d: %+v (first run: %+v)", i, u, rep.Users[i])
		}
	}
	if _, err := seed.Run(ctx, pool, options("a")); !errors.Is(err, seed.ErrPrefixInUse) {
		t.Fatalf("the same prefix again: %v", err)
	}
	if after := fingerprint(t, pool, ids); !reflect.DeepEqual(before, after) {
		t.Fatalf("the first run's rows changed:\nbefore %v\nafter  %v", before, after)
	}
}

// requireVariety: the small run holds the cases worth comparing (so a
// change to the generator that loses one shows here).
func requireVariety(t *testing.T, pool *pgxpool.Pool) {
	t.Helper()
	var pomodoro, idleEnd, exercise, paused, idle, breaks, skims, midnight int
	err := pool.QueryRow(context.Background(), `
		SELECT count(*) FILTER (WHERE s.pomodoro), count(*) FILTER (WHERE s.ended_reason = 'idle'),
		       count(*) FILTER (WHERE s.exercise_id IS NOT NULL), count(*) FILTER (WHERE s.paused_seconds > 0),
		       count(*) FILTER (WHERE s.idle_seconds > 0), count(*) FILTER (WHERE s.break_seconds > 0),
		       count(*) FILTER (WHERE s.pages_visited > s.pages_read),
		       count(*) FILTER (WHERE (s.started_at AT TIME ZONE u.timezone)::date <> (s.ended_at AT TIME ZONE u.timezone)::date)
		FROM study_sessions s JOIN users u ON u.id = s.user_id`).Scan(&pomodoro, &idleEnd, &exercise, &paused, &idle, &breaks, &skims, &midnight)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("sessions with pomodoro %d, ended idle %d, on exercises %d, paused %d, idle time %d, breaks %d, skims %d, across midnight %d",
		pomodoro, idleEnd, exercise, paused, idle, breaks, skims, midnight)
	if pomodoro == 0 || idleEnd == 0 || exercise == 0 || paused == 0 || idle == 0 || breaks == 0 || skims == 0 {
		t.Fatal("the test run lacks a kind of session")
	}
}

type sessionSnap struct {
	PdfID, ExerciseID                                       string
	Pomodoro                                                bool
	Rules                                                   string
	IdleThreshold, StartPage, PageCount                     int32
	Status, EndedReason                                     string
	EndedAt, LastEventAt, LastHeardAt                       time.Time
	CurrentPage                                             int32
	CurrentPageAt                                           time.Time
	ActiveSeconds, PausedSeconds, IdleSeconds, BreakSeconds int64
	PagesVisited, PagesRead, Events                         int32
	Checkpoint                                              study.Checkpoint // Seq cleared: the two runs' seqs differ
	PositionIsLastEvent                                     bool             // the checkpoint's seq is that of the last event
	Pages, Buckets                                          []string
}

type snapshot struct {
	sessions                                                      map[time.Time]sessionSnap
	pageStats, pdfReading, userBuckets, userDays, exercises, pdfs []string
}

func snapshotOf(t *testing.T, pool *pgxpool.Pool, userID uuid.UUID) snapshot {
	t.Helper()
	ctx := context.Background()
	rows, err := pool.Query(ctx, `
		SELECT s.id, s.started_at, s.pdf_id::text, coalesce(s.exercise_id::text, ''), s.pomodoro, s.rules::text, s.idle_threshold_seconds,
		       coalesce(s.start_page, 0), s.page_count, s.status, coalesce(s.ended_reason, ''), s.ended_at, s.last_event_at, s.last_heard_at,
		       coalesce(s.current_page, 0), coalesce(s.current_page_at, 'epoch'), s.active_seconds, s.paused_seconds, s.idle_seconds,
		       s.break_seconds, s.pages_visited, s.pages_read, s.events, s.checkpoint,
		       (SELECT e.seq FROM study_events e WHERE e.session_id = s.id AND e.user_id = s.user_id ORDER BY e.at DESC, e.seq DESC LIMIT 1)
		FROM study_sessions s WHERE s.user_id = $1`, userID)
	if err != nil {
		t.Fatal(err)
	}
	out := snapshot{sessions: map[time.Time]sessionSnap{}}
	ids := map[time.Time]uuid.UUID{}
	for rows.Next() {
		var s sessionSnap
		var id uuid.UUID
		var started time.Time
		var cp []byte
		var lastSeq *int64
		if err := rows.Scan(&id, &started, &s.PdfID, &s.ExerciseID, &s.Pomodoro, &s.Rules, &s.IdleThreshold, &s.StartPage, &s.PageCount,
			&s.Status, &s.EndedReason, &s.EndedAt, &s.LastEventAt, &s.LastHeardAt, &s.CurrentPage, &s.CurrentPageAt,
			&s.ActiveSeconds, &s.PausedSeconds, &s.IdleSeconds, &s.BreakSeconds, &s.PagesVisited, &s.PagesRead, &s.Events, &cp, &lastSeq); err != nil {
			t.Fatal(err)
		}
		if err := s.Checkpoint.UnmarshalBinary(cp); err != nil {
			t.Fatal(err)
		}
		s.PositionIsLastEvent = lastSeq == nil && s.Checkpoint.Applied == 0 || lastSeq != nil && *lastSeq == s.Checkpoint.Seq
		s.Checkpoint.Seq = 0
		out.sessions[started], ids[started] = s, id
	}
	if rows.Err() != nil {
		t.Fatal(rows.Err())
	}
	for started, id := range ids {
		s := out.sessions[started]
		s.Pages = lines(t, pool, `SELECT format('%s %s %s %s %s', page, seconds, visits, first_read_at, last_read_at)
			FROM study_session_pages WHERE session_id = $1 AND user_id = $2 ORDER BY page`, id, userID)
		s.Buckets = lines(t, pool, `SELECT format('%s %s %s %s', bucket_start, active_seconds, read_seconds, pages_read)
			FROM study_session_buckets WHERE session_id = $1 AND user_id = $2 ORDER BY bucket_start`, id, userID)
		out.sessions[started] = s
	}
	out.pageStats = lines(t, pool, `SELECT format('%s %s %s %s %s %s', pdf_id, page, seconds_read, visits, first_read_at, last_read_at)
		FROM page_stats WHERE user_id = $1 ORDER BY pdf_id, page`, userID)
	out.pdfReading = lines(t, pool, `SELECT format('%s %s %s %s', pdf_id, pages_read, study_seconds, last_studied_at)
		FROM pdf_reading WHERE user_id = $1 ORDER BY pdf_id`, userID)
	out.userBuckets = lines(t, pool, `SELECT format('%s %s %s %s %s', bucket_start, active_seconds, read_seconds, pages_read, sessions)
		FROM user_study_buckets WHERE user_id = $1 ORDER BY bucket_start`, userID)
	out.userDays = lines(t, pool, `SELECT format('%s %s %s %s %s', day, active_seconds, read_seconds, pages_read, sessions)
		FROM user_study_days WHERE user_id = $1 ORDER BY day`, userID)
	out.exercises = lines(t, pool, `SELECT format('%s %s', id, time_spent_seconds) FROM exercises WHERE user_id = $1 ORDER BY id`, userID)
	out.pdfs = lines(t, pool, `SELECT format('%s %s %s', id, current_page, current_page_at) FROM pdfs WHERE user_id = $1 ORDER BY id`, userID)
	return out
}

func lines(t *testing.T, pool *pgxpool.Pool, query string, args ...any) []string {
	t.Helper()
	rows, err := pool.Query(context.Background(), query, args...)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	if rows.Err() != nil {
		t.Fatal(rows.Err())
	}
	return out
}

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

// redrive deletes what the seed derived for the user and sends the seeded
// sessions through the timer again: each started as the client started it,
// its events in the batches they arrived in (at their arrival time), and a
// session without a stop read once the sweeper could end it.
func redrive(t *testing.T, pool *pgxpool.Pool, userID uuid.UUID) {
	t.Helper()
	ctx := context.Background()
	type seeded struct {
		id                   uuid.UUID
		pdfID                uuid.UUID
		exerciseID           *uuid.UUID
		pomodoro             bool
		startPage            *int32
		startedAt, lastHeard time.Time
		idle                 time.Duration
		events               []study.Incoming
		received             []time.Time
	}
	var sessions []*seeded
	rows, err := pool.Query(ctx, `SELECT id, pdf_id, exercise_id, pomodoro, start_page, started_at, last_heard_at, idle_threshold_seconds
		FROM study_sessions WHERE user_id = $1 ORDER BY started_at`, userID)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		s := &seeded{}
		var idle int32
		if err := rows.Scan(&s.id, &s.pdfID, &s.exerciseID, &s.pomodoro, &s.startPage, &s.startedAt, &s.lastHeard, &idle); err != nil {
			t.Fatal(err)
		}
		s.idle = time.Duration(idle) * time.Second
		sessions = append(sessions, s)
	}
	if rows.Err() != nil {
		t.Fatal(rows.Err())
	}
	for _, s := range sessions {
		rows, err := pool.Query(ctx, `SELECT id, type, coalesce(page, 0), at, received_at FROM study_events
			WHERE session_id = $1 AND user_id = $2 ORDER BY seq`, s.id, userID)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var e study.Incoming
			var received time.Time
			if err := rows.Scan(&e.ID, &e.Type, &e.Page, &e.At, &received); err != nil {
				t.Fatal(err)
			}
			s.events, s.received = append(s.events, e), append(s.received, received)
		}
		if rows.Err() != nil {
			t.Fatal(rows.Err())
		}
	}
	for _, q := range []string{
		`DELETE FROM study_sessions WHERE user_id = $1`,
		`DELETE FROM page_stats WHERE user_id = $1`,
		`DELETE FROM pdf_reading WHERE user_id = $1`,
		`DELETE FROM user_study_buckets WHERE user_id = $1`,
		`DELETE FROM user_study_days WHERE user_id = $1`,
		`UPDATE exercises SET time_spent_seconds = 0 WHERE user_id = $1`,
		`UPDATE pdfs SET current_page = 1, current_page_at = NULL WHERE user_id = $1`,
	} {
		if _, err := pool.Exec(ctx, q, userID); err != nil {
			t.Fatal(err)
		}
	}

	clk := &clock{}
	svc := study.NewService(pool, clk.now, nil)
	for _, s := range sessions {
		clk.t = s.startedAt
		in := study.StartInput{StartPage: s.startPage, Pomodoro: s.pomodoro, StartedAt: &s.startedAt}
		if s.exerciseID != nil {
			in.ExerciseID = s.exerciseID
		} else {
			in.PDFID = &s.pdfID
		}
		st, err := svc.Start(ctx, userID, in)
		if err != nil {
			t.Fatal(err)
		}
		for from := 0; from < len(s.events); {
			to := from + 1
			for to < len(s.events) && s.received[to].Equal(s.received[from]) {
				to++
			}
			clk.t = s.received[from]
			res, err := svc.Ingest(ctx, userID, st.Row.ID, s.events[from:to])
			if err != nil || len(res.Accepted) != to-from {
				t.Fatalf("batch of %d: %d accepted, %v rejected, %v", to-from, len(res.Accepted), res.Rejected, err)
			}
			from = to
		}
		clk.t = s.lastHeard.Add(2*s.idle + time.Second)
		if got, err := svc.Get(ctx, userID, st.Row.ID); err != nil || got.Status != study.StatusEnded {
			t.Fatalf("session started %s: %s, %v", s.startedAt, got.Status, err)
		}
	}
}

func compare(t *testing.T, who string, seeded, timer snapshot) {
	t.Helper()
	if len(seeded.sessions) != len(timer.sessions) {
		t.Fatalf("%s: %d seeded sessions, %d through the timer", who, len(seeded.sessions), len(timer.sessions))
	}
	for started, want := range seeded.sessions {
		got, ok := timer.sessions[started]
		if !ok {
			t.Fatalf("%s: no timer session started %s", who, started)
		}
		if !want.PositionIsLastEvent {
			t.Errorf("%s: the seeded checkpoint of %s is not at its last event", who, started)
		}
		if !reflect.DeepEqual(want, got) {
			t.Errorf("%s: session started %s\nseeded %+v\ntimer  %+v", who, started, want, got)
		}
	}
	for _, c := range []struct {
		what      string
		want, got []string
	}{
		{"page_stats", seeded.pageStats, timer.pageStats},
		{"pdf_reading", seeded.pdfReading, timer.pdfReading},
		{"user_study_buckets", seeded.userBuckets, timer.userBuckets},
		{"user_study_days", seeded.userDays, timer.userDays},
		{"exercises.time_spent_seconds", seeded.exercises, timer.exercises},
		{"pdfs.current_page", seeded.pdfs, timer.pdfs},
	} {
		if !reflect.DeepEqual(c.want, c.got) {
			t.Errorf("%s: %s\nseeded %v\ntimer  %v", who, c.what, c.want, c.got)
		}
	}
}

// fingerprint is a digest of every row the given users own, per table.
func fingerprint(t *testing.T, pool *pgxpool.Pool, users []uuid.UUID) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, table := range seed.Tables {
		col := "user_id"
		if table == "users" {
			col = "id"
		}
		var digest string
		q := fmt.Sprintf(`SELECT coalesce(md5(string_agg(t::text, ',' ORDER BY t::text)), '') FROM %s t WHERE %s = ANY($1)`, table, col)
		if err := pool.QueryRow(context.Background(), q, users).Scan(&digest); err != nil {
			t.Fatal(err)
		}
		out[table] = digest
	}
	return out
}
