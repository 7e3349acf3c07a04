// Package sweeper deletes what has outlived its use: expired and long-revoked
// sessions, old failed-login records and security events past retention. It
// runs periodically in every instance; the deletes are idempotent, so
// instances need not coordinate.
package sweeper

import (
	"context"
	"log/slog"
	"time"

	"github.com/studysprint/studysprint/dbgen"
)

// Sweeper holds the retention settings.
type Sweeper struct {
	Q   *dbgen.Queries
	Now func() time.Time
	Log *slog.Logger
	// RevokedSessionRetention keeps revoked sessions long enough to answer a
	// replayed refresh token with refresh_token_reused.
	RevokedSessionRetention time.Duration
	// LoginFailureRetention must exceed the lockout window.
	LoginFailureRetention time.Duration
	// SecurityEventRetention is how long security events are kept.
	SecurityEventRetention time.Duration
}

// Result counts what one sweep deleted.
type Result struct {
	Sessions, LoginFailures, SecurityEvents int64
}

// Once runs one sweep.
func (s *Sweeper) Once(ctx context.Context) (Result, error) {
	now := s.Now()
	var r Result
	var err error
	if r.Sessions, err = s.Q.DeleteStaleSessions(ctx, dbgen.DeleteStaleSessionsParams{
		Now: now, RevokedBefore: now.Add(-s.RevokedSessionRetention),
	}); err != nil {
		return r, err
	}
	if r.LoginFailures, err = s.Q.DeleteOldLoginFailures(ctx, now.Add(-s.LoginFailureRetention)); err != nil {
		return r, err
	}
	if r.SecurityEvents, err = s.Q.DeleteOldSecurityEvents(ctx, now.Add(-s.SecurityEventRetention)); err != nil {
		return r, err
	}
	return r, nil
}

// Run sweeps every interval until ctx ends. Errors are logged, not fatal: the
// next sweep retries.
func (s *Sweeper) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		r, err := s.Once(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			s.Log.Warn("sweep failed", "err", err)
		case r != (Result{}):
			s.Log.Info("swept", "sessions", r.Sessions, "login_failures", r.LoginFailures, "security_events", r.SecurityEvents)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
