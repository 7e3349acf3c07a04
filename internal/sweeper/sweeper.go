// Package sweeper deletes what has outlived its use: expired and long-revoked
// sessions, old login-attempt counts, security events past retention, stored
// files whose row is gone (a crash between deleting a row and its file, or
// between storing a file and writing its row) and abandoned upload temp
// files. It runs periodically in every instance; the deletes are idempotent,
// so instances need not coordinate.
package sweeper

import (
	"context"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/studysprint/studysprint/dbgen"
	"github.com/studysprint/studysprint/internal/storage"
)

// Sweeper holds the retention settings.
type Sweeper struct {
	Q   *dbgen.Queries
	Now func() time.Time
	Log *slog.Logger
	// RevokedSessionRetention keeps revoked sessions long enough to answer a
	// replayed refresh token with refresh_token_reused.
	RevokedSessionRetention time.Duration
	// LoginAttemptRetention must exceed the lockout windows and delays.
	LoginAttemptRetention time.Duration
	// SecurityEventRetention is how long security events are kept.
	SecurityEventRetention time.Duration
	// Store holds the uploaded files; orphans older than OrphanGrace (so an
	// upload between storing its file and writing its row is left alone)
	// are removed. Nil skips the file sweep.
	Store       storage.Store
	OrphanGrace time.Duration
	// UploadDir holds uploads in progress; files older than a day are
	// leftovers of crashed requests.
	UploadDir string
	// Stats, when set, counts the runs of Run.
	Stats *Stats
}

// Stats counts sweeps, for /metrics.
type Stats struct {
	Runs, Failures atomic.Uint64
}

// Record counts one run that ended with err.
func (s *Stats) Record(err error) {
	if s == nil {
		return
	}
	s.Runs.Add(1)
	if err != nil {
		s.Failures.Add(1)
	}
}

// Result counts what one sweep deleted.
type Result struct {
	Sessions, LoginAttempts, SecurityEvents, OrphanFiles, TempFiles int64
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
	if r.LoginAttempts, err = s.Q.DeleteOldLoginAttempts(ctx, now.Add(-s.LoginAttemptRetention)); err != nil {
		return r, err
	}
	if r.SecurityEvents, err = s.Q.DeleteOldSecurityEvents(ctx, now.Add(-s.SecurityEventRetention)); err != nil {
		return r, err
	}
	if s.Store != nil {
		if r.OrphanFiles, err = s.sweepOrphans(ctx, now); err != nil {
			return r, err
		}
	}
	if s.UploadDir != "" {
		n, err := storage.SweepDir(s.UploadDir, 24*time.Hour, now)
		r.TempFiles += int64(n)
		if err != nil {
			return r, err
		}
	}
	if local, ok := s.Store.(*storage.Local); ok {
		n, err := local.SweepTemp(24*time.Hour, now)
		r.TempFiles += int64(n)
		if err != nil {
			return r, err
		}
	}
	return r, nil
}

// orphanBatch is how many stored keys are checked against the database at once.
const orphanBatch = 500

// sweepOrphans deletes stored files under users/ that no row refers to and
// that are older than the grace period.
func (s *Sweeper) sweepOrphans(ctx context.Context, now time.Time) (int64, error) {
	var deleted int64
	var batch []string
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		existing, err := s.Q.ListExistingStorageKeys(ctx, batch)
		if err != nil {
			return err
		}
		keep := make(map[string]bool, len(existing))
		for _, k := range existing {
			keep[k] = true
		}
		for _, k := range batch {
			if keep[k] {
				continue
			}
			if err := s.Store.Delete(ctx, k); err != nil {
				return err
			}
			deleted++
		}
		batch = batch[:0]
		return nil
	}
	err := s.Store.List(ctx, "users/", func(i storage.Info) error {
		if now.Sub(i.ModTime) < s.OrphanGrace {
			return nil
		}
		batch = append(batch, i.Key)
		if len(batch) >= orphanBatch {
			return flush()
		}
		return nil
	})
	if err != nil {
		return deleted, err
	}
	return deleted, flush()
}

// Run sweeps every interval until ctx ends. Errors are logged, not fatal: the
// next sweep retries.
func (s *Sweeper) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		r, err := s.Once(ctx)
		if ctx.Err() == nil {
			s.Stats.Record(err)
		}
		switch {
		case err != nil && ctx.Err() == nil:
			s.Log.Warn("sweep failed", "err", err)
		case r != (Result{}):
			s.Log.Info("swept", "sessions", r.Sessions, "login_attempts", r.LoginAttempts, "security_events", r.SecurityEvents,
				"orphan_files", r.OrphanFiles, "temp_files", r.TempFiles)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
