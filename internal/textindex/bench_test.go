package textindex_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/studysprint/studysprint/dbgen"
	"github.com/studysprint/studysprint/internal/testpdf"
)

// BenchmarkExtractCorpus extracts the text of the whole corpus (56 real
// PDFs) and stores it, with one worker and with two sharing the queue, and
// reports pages per second.
//
//	go test -run '^$' -bench BenchmarkExtractCorpus -benchtime 3x ./internal/textindex/
func BenchmarkExtractCorpus(b *testing.B) {
	for _, workers := range []int{1, 2} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			f := newFixture(b)
			pages := 0
			for _, p := range testpdf.Corpus(b) {
				n := testpdf.PdfinfoPages(b, p)
				f.addPDF(p, n)
				pages += n
			}
			q := dbgen.New(f.pool)
			b.ResetTimer()
			for b.Loop() {
				var wg sync.WaitGroup
				for range workers {
					wg.Add(1)
					go func() { defer wg.Done(); f.drain(f.worker) }()
				}
				wg.Wait()
				b.StopTimer()
				if _, err := q.RequeueAllTextJobs(context.Background(), *f.now.Load()); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
			}
			b.ReportMetric(float64(pages*b.N)/b.Elapsed().Seconds(), "pages/s")
			b.ReportMetric(float64(pages), "pages/op")
		})
	}
}
