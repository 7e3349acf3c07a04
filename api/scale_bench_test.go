package api_test

import (
	"context"
	"net/http"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/studysprint/studysprint/dbgen"
	"github.com/studysprint/studysprint/internal/analytics"
)

// BenchmarkScale measures the statistics and estimate endpoints for the
// daily student of a seeded database (BENCHMARKS.md, "Analytics and
// estimates at scale"):
//
//	make build
//	createdb -h 127.0.0.1 -U postgres seedbench
//	DATABASE_URL=postgres://postgres@127.0.0.1:5432/seedbench?sslmode=disable bin/studysprint migrate up
//	DATABASE_URL=... bin/studysprint seed --users 100 --days 1095 --until 2026-12-01
//	SCALE_DATABASE_URL=postgres://postgres@127.0.0.1:5432/seedbench?sslmode=disable \
//	  go test -run '^$' -bench BenchmarkScale -benchtime 300x ./api/
//
// Each sub-benchmark reports p50 and p99 over its requests (one client,
// requests one after another, over loopback HTTP). It skips without
// SCALE_DATABASE_URL.
func BenchmarkScale(b *testing.B) {
	url := os.Getenv("SCALE_DATABASE_URL")
	if url == "" {
		b.Skip("SCALE_DATABASE_URL names a seeded database")
	}
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		b.Fatal(err)
	}
	cfg.MaxConns = 20
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(pool.Close)
	user := os.Getenv("SCALE_USER")
	if user == "" {
		user = "seed-001"
	}
	var events int64
	if err := pool.QueryRow(context.Background(), `SELECT count(*) FROM study_events`).Scan(&events); err != nil {
		b.Fatal(err)
	}
	e := newEnvWith(b, envConfig{pool: pool, noValidate: true})
	tk := e.login(user, "studysprint-seed")
	auth := withToken(tk.AccessToken)
	var pdfID, topicID string
	if err := pool.QueryRow(context.Background(), `
		SELECT p.id, t.id FROM pdfs p JOIN users u ON u.id = p.user_id
		JOIN topics t ON t.user_id = u.id AND t.parent_id IS NULL
		WHERE u.username = $1 AND EXISTS (SELECT 1 FROM page_stats s WHERE s.pdf_id = p.id AND s.user_id = u.id)
		ORDER BY p.created_at LIMIT 1`, user).Scan(&pdfID, &topicID); err != nil {
		b.Fatal(err)
	}
	// The "after_read" cases change the student's newest counted page
	// before each request (outside the timing), as reading one more page
	// would: every estimate's input changes, so none is remembered from the
	// request before (store.memo) and each answer is fitted afresh. The
	// change is undone at the end.
	var bumps int
	bump := func(n int) {
		if _, err := pool.Exec(context.Background(), `
			UPDATE page_stats SET seconds_read = seconds_read + $2
			WHERE (user_id, pdf_id, page) = (
				SELECT s.user_id, s.pdf_id, s.page FROM page_stats s JOIN users u ON u.id = s.user_id
				WHERE u.username = $1 AND s.first_read_at IS NOT NULL
				ORDER BY s.first_read_at DESC LIMIT 1)`, user, n); err != nil {
			b.Fatal(err)
		}
		// The per-PDF rollup of page_stats follows, as after every write.
		if _, err := dbgen.New(pool).RefreshUserPDFReading(context.Background(), uuid.MustParse(tk.User.ID)); err != nil {
			b.Fatal(err)
		}
	}
	b.Cleanup(func() { bump(-bumps) })
	today := analytics.DateOf(time.Now(), time.UTC)
	for _, c := range []struct {
		name, path string
		afterRead  bool
	}{
		{"summary", "/api/v1/analytics/summary", false},
		{"daily_year", "/api/v1/analytics/daily?from=" + today.AddDays(-364).String() + "&to=" + today.String(), false},
		{"heatmap", "/api/v1/analytics/heatmap?days=365", false},
		{"estimate_pdf", "/api/v1/estimates/pdfs/" + pdfID, false},
		{"estimate_topic", "/api/v1/estimates/topics/" + topicID, false},
		{"estimate_library", "/api/v1/estimates/library", false},
		{"estimate_pdf_after_read", "/api/v1/estimates/pdfs/" + pdfID, true},
		{"estimate_topic_after_read", "/api/v1/estimates/topics/" + topicID, true},
		{"estimate_library_after_read", "/api/v1/estimates/library", true},
	} {
		b.Run(c.name, func(b *testing.B) {
			e.do("GET", c.path, nil, auth).must(b, http.StatusOK) // warm
			lat := make([]time.Duration, 0, b.N)
			for b.Loop() {
				if c.afterRead {
					b.StopTimer()
					bump(1)
					bumps++
					b.StartTimer()
				}
				t0 := time.Now()
				e.do("GET", c.path, nil, auth).must(b, http.StatusOK)
				lat = append(lat, time.Since(t0))
			}
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
			b.ReportMetric(float64(events), "events-in-db")
		})
	}
}
