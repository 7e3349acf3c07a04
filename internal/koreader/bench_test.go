package koreader

import (
	"context"
	"testing"
	"time"
)

// BenchmarkReadChild reads a statistics file of 100,000 visits through the
// child process: go test -bench ReadChild -run '^$' ./internal/koreader/
func BenchmarkReadChild(b *testing.B) {
	const visits = 100_000
	path := manyVisits(b, visits)
	rd := testReader(b, Limits{Timeout: time.Minute, MemoryBytes: 512 << 20, MaxRows: visits})
	var rss int64
	b.ResetTimer()
	for b.Loop() {
		st, usage, err := rd.Read(context.Background(), path, testNow)
		if err != nil {
			b.Fatal(err)
		}
		if st.Visits != visits {
			b.Fatalf("%d visits, want %d", st.Visits, visits)
		}
		rss = max(rss, usage.MaxRSSKB)
	}
	b.ReportMetric(float64(visits*b.N)/b.Elapsed().Seconds(), "visits/s")
	b.ReportMetric(float64(rss), "child-max-rss-KB")
}
