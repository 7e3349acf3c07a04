package export_test

import (
	"context"
	"io"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/studysprint/studysprint/internal/export"
	"github.com/studysprint/studysprint/internal/testdb"
)

// BenchmarkExport: one user with 1,000 sessions of 200 events each (200,000
// events) exported as JSON and as CSV to io.Discard; reports events/s, the
// output's size, and the peak heap seen while it ran (flat: it does not
// grow with the history).
func BenchmarkExport(b *testing.B) {
	pool := testdb.Pool(b)
	ctx := context.Background()
	var userID uuid.UUID
	err := pool.QueryRow(ctx, `
		WITH u AS (INSERT INTO users (email, username, password_hash) VALUES ('bench@example.com', 'bench', 'x') RETURNING id),
		     p AS (INSERT INTO user_preferences (user_id) SELECT id FROM u RETURNING user_id),
		     f AS (INSERT INTO pdfs (user_id, title, page_count, size_bytes, sha256, storage_key)
		           SELECT id, 'book', 400, 1, sha256('x'), 'k' FROM u RETURNING id, user_id),
		     s AS (INSERT INTO study_sessions (user_id, pdf_id, rules, idle_threshold_seconds, page_count, started_at, status,
		                 ended_at, ended_reason, last_event_at, last_heard_at, checkpoint, created_at, updated_at)
		           SELECT f.user_id, f.id, '{"idle_threshold_seconds":300}', 300, 400, t, 'ended', t + interval '1 hour', 'stopped',
		                  t + interval '1 hour', t + interval '1 hour', '\x00', t, t
		           FROM f, generate_series(timestamptz '2024-01-01', timestamptz '2024-01-01' + interval '999 days', interval '1 day') AS t
		           RETURNING id, user_id, started_at),
		     e AS (INSERT INTO study_events (user_id, id, session_id, type, page, at, received_at)
		           SELECT s.user_id, gen_random_uuid(), s.id, 'page', 1 + i, s.started_at + i * interval '15 seconds', s.started_at
		           FROM s, generate_series(1, 200) AS i)
		SELECT id FROM u`).Scan(&userID)
	if err != nil {
		b.Fatal(err)
	}
	x := export.New(pool, time.Now)
	for _, f := range export.Formats {
		b.Run(string(f), func(b *testing.B) {
			var peak atomic.Uint64
			done := make(chan struct{})
			var wg sync.WaitGroup
			wg.Go(func() {
				var m runtime.MemStats
				for {
					runtime.ReadMemStats(&m)
					if m.HeapInuse > peak.Load() {
						peak.Store(m.HeapInuse)
					}
					select {
					case <-done:
						return
					case <-time.After(20 * time.Millisecond):
					}
				}
			})
			var n countWriter
			for b.Loop() {
				if err := x.Write(ctx, userID, f, &n); err != nil {
					b.Fatal(err)
				}
			}
			close(done)
			wg.Wait()
			b.ReportMetric(float64(200_000*b.N)/b.Elapsed().Seconds(), "events/s")
			b.ReportMetric(float64(n.n)/float64(b.N)/(1<<20), "MiB/export")
			b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MiB")
		})
	}
}

type countWriter struct{ n int64 }

func (c *countWriter) Write(p []byte) (int, error) {
	c.n += int64(len(p))
	return io.Discard.Write(p)
}
