package importer_test

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/studysprint/studysprint/internal/koreader"
	"github.com/studysprint/studysprint/internal/koreader/importer"
)

// benchVisits is the size of the benchmark's file.
const benchVisits = 100_000

// benchFile is a statistics file of five books read in turns, 40 visits a
// sitting (stays of 5 to 120 s, mostly one after the other, a short pause
// now and then), two hours between sittings: benchVisits visits in
// benchVisits/40 sessions.
func benchFile(b testing.TB) (string, [][4]any) {
	r := rand.New(rand.NewPCG(3, 4))
	var books [][4]any
	for k := range 5 {
		books = append(books, [4]any{fmt.Sprintf("Book %d", k), "A", 400, nil})
	}
	var visits []visit
	start := at(2000, 7, 0)
	page := make([]int64, len(books))
	for i := range benchVisits {
		k := i / 40 % len(books)
		dur := int64(5 + r.IntN(116))
		visits = append(visits, visit{k, page[k]%400 + 1, start, dur, 400})
		page[k]++
		start += dur
		switch {
		case i%40 == 39:
			start += 2 * 3600
		case r.IntN(10) == 0:
			start += int64(10 + r.IntN(300))
		}
	}
	return file(b, books, visits), books
}

// BenchmarkImport imports a file of 100,000 page visits (five books, 2,500
// sessions of 40 visits) for a new user each round, and imports it again
// (every visit a duplicate); "roundtrip" times SELECT 1 on the same pool, a
// yardstick for how loaded the database server is:
//
//	go test -run '^$' -bench Import -benchtime 3x ./internal/koreader/importer/
func BenchmarkImport(b *testing.B) {
	f := newFx(b, koreader.Limits{Timeout: 2 * time.Minute, MemoryBytes: 512 << 20, MaxRows: 200_000})
	path, books := benchFile(b)
	newUser := func() uuid.UUID {
		u := f.user()
		for k, bk := range books {
			f.pdf(u, bk[0].(string), 400, content(uint64(100+k), 4000), true)
		}
		return u
	}
	var last uuid.UUID
	b.Run("roundtrip", func(b *testing.B) {
		const n = 1000
		for b.Loop() {
			for range n {
				if _, err := f.pool.Exec(f.ctx, `SELECT 1`); err != nil {
					b.Fatal(err)
				}
			}
		}
		b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(n*b.N), "µs/roundtrip")
	})
	b.Run("new", func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			last = newUser()
			file := f.spool(path)
			b.StartTimer()
			sum, err := f.svc.Import(f.ctx, last, file, importer.Options{})
			if err != nil || sum.Totals.VisitsImported != benchVisits {
				b.Fatalf("%+v %v", sum.Totals, err)
			}
		}
		b.ReportMetric(float64(benchVisits*b.N)/b.Elapsed().Seconds(), "visits/s")
		b.ReportMetric(float64(benchVisits/40*b.N)/b.Elapsed().Seconds(), "sessions/s")
	})
	b.Run("again", func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			file := f.spool(path)
			b.StartTimer()
			sum, err := f.svc.Import(f.ctx, last, file, importer.Options{})
			if err != nil || sum.Totals.VisitsDuplicate != benchVisits {
				b.Fatalf("%+v %v", sum.Totals, err)
			}
		}
		b.ReportMetric(float64(benchVisits*b.N)/b.Elapsed().Seconds(), "visits/s")
	})
}
