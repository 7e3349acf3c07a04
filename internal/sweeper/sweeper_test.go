package sweeper_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/studysprint/studysprint/dbgen"
	"github.com/studysprint/studysprint/internal/sweeper"
	"github.com/studysprint/studysprint/internal/testdb"
)

func TestSweepOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := testdb.Pool(t)
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	var user string
	if err := pool.QueryRow(ctx, `INSERT INTO users (email, username, password_hash) VALUES ('s@example.com', 'sweep', 'x') RETURNING id`).Scan(&user); err != nil {
		t.Fatal(err)
	}
	session := func(label string, expires time.Time, revoked *time.Time) {
		reason := any(nil)
		if revoked != nil {
			reason = "logout"
		}
		if _, err := pool.Exec(ctx, `INSERT INTO user_sessions (user_id, refresh_secret, user_agent, created_at, last_used_at, expires_at, absolute_expires_at, revoked_at, revoke_reason)
			VALUES ($1, decode(repeat('ab', 32), 'hex'), $2, $3, $3, $4, $4, $5, $6)`, user, label, now.Add(-60*day), expires, revoked, reason); err != nil {
			t.Fatal(err)
		}
	}
	ago := func(d time.Duration) *time.Time { v := now.Add(-d); return &v }
	session("live", now.Add(day), nil)
	session("expired", now.Add(-time.Second), nil)
	session("revoked recently", now.Add(day), ago(day))
	session("revoked long ago", now.Add(day), ago(8*day))
	for _, at := range []time.Time{now.Add(-time.Hour), now.Add(-2 * day)} {
		if _, err := pool.Exec(ctx, `INSERT INTO login_attempts (identifier_hash, network, window_start, attempts, last_attempt_at)
			VALUES (sha256($1::text::bytea), '192.0.2.1/32', $2, 1, $2)`, at.String(), at); err != nil {
			t.Fatal(err)
		}
		if _, err := pool.Exec(ctx, `INSERT INTO security_events (user_id, kind, created_at) VALUES ($1, 'login_failed', $2)`, user, at.Add(-364*day)); err != nil {
			t.Fatal(err)
		}
	}

	s := &sweeper.Sweeper{
		Q: dbgen.New(pool), Now: func() time.Time { return now }, Log: slog.New(slog.DiscardHandler),
		RevokedSessionRetention: 7 * day, LoginAttemptRetention: day, SecurityEventRetention: 365 * day,
	}
	r, err := s.Once(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if r != (sweeper.Result{Sessions: 2, LoginAttempts: 1, SecurityEvents: 1}) {
		t.Fatalf("swept %+v", r)
	}
	rows, err := pool.Query(ctx, `SELECT user_agent FROM user_sessions ORDER BY user_agent`)
	if err != nil {
		t.Fatal(err)
	}
	var left []string
	for rows.Next() {
		var s string
		_ = rows.Scan(&s)
		left = append(left, s)
	}
	if len(left) != 2 || left[0] != "live" || left[1] != "revoked recently" {
		t.Fatalf("sessions left: %v", left)
	}
	// A second sweep finds nothing.
	if r, err := s.Once(ctx); err != nil || r != (sweeper.Result{}) {
		t.Fatalf("second sweep: %+v %v", r, err)
	}
}
