package store

import (
	"context"
	"testing"
	"time"

	"github.com/studysprint/studysprint/dbgen"
	"github.com/studysprint/studysprint/internal/testdb"
)

// BenchmarkEstimates: three students with one or three years of reading
// (about 5,400 or 17,500 pages read in 42 or 123 PDFs over 6 or 12 topics,
// 100 or 300 exercises done, text layers on most PDFs), their pages written
// in the order they were read, as the timer writes them; the database
// vacuumed as autovacuum would have. The middle student's answers:
//
//	go test -run '^$' -bench BenchmarkEstimates -benchtime 100x -count 5 ./internal/estimate/store/
//
// pdf (the book being read), topic (one with several PDFs left) and library
// are the whole answers, database and estimator; load_pdf and load_library
// only read the inputs (the database's part).
func BenchmarkEstimates(b *testing.B) {
	for _, size := range []struct {
		name string
		h    history
	}{
		{"1y", history{Topics: 3, Finished: 30, Unfinished: 10, Slow: 2, Pages: 160, Days: 365, Exercises: 100}},
		{"3y", history{Topics: 6, Finished: 100, Unfinished: 20, Slow: 3, Pages: 160, Days: 3 * 365, Exercises: 300}},
	} {
		b.Run(size.name, func(b *testing.B) { benchEstimates(b, size.h) })
	}
}

func benchEstimates(b *testing.B, h history) {
	pool := testdb.Sized(b, 4)
	ctx := context.Background()
	h.End, h.TextBytes = time.Now().Add(-time.Hour), 800
	var hs []history
	for k := range 3 {
		h.Seed = uint64(10 + k)
		hs = append(hs, h)
	}
	students := seedMany(b, pool, hs)
	if _, err := pool.Exec(ctx, `VACUUM ANALYZE`); err != nil {
		b.Fatal(err)
	}
	st := students[1]
	var pages int64
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM page_stats WHERE user_id = $1`, st.user).Scan(&pages); err != nil {
		b.Fatal(err)
	}
	s := New(pool, time.Now)
	lib, err := s.Library(ctx, st.user)
	if err != nil {
		b.Fatal(err)
	}
	pdfParts := 0
	for _, p := range lib.Parts {
		if p.Subject == SubjectPDF {
			pdfParts++
		}
	}
	// The book read last, and its topic (root topics hold their subtopic's PDFs too).
	book := st.unread[h.Unfinished-2]
	topic := st.topics[(h.Finished+h.Unfinished-2)%len(st.topics)&^1]
	b.Logf("%d pages read, %d PDFs; library: %d parts (%d PDFs), %.0f h left", pages, len(st.pdfs), len(lib.Parts), pdfParts, lib.Estimate.RemainingSeconds/3600)
	q := dbgen.New(pool)
	for _, bc := range []struct {
		name string
		run  func() error
	}{
		{"pdf", func() error { _, err := s.PDF(ctx, st.user, book); return err }},
		{"topic", func() error { _, err := s.Topic(ctx, st.user, topic); return err }},
		{"library", func() error { _, err := s.Library(ctx, st.user); return err }},
		{"load_pdf", func() error {
			l, err := loadLibrary(ctx, q, st.user)
			if err == nil {
				_, err = loadSample(ctx, q, st.user, l, []int{l.index[book]})
			}
			return err
		}},
		{"load_library", func() error {
			l, err := loadLibrary(ctx, q, st.user)
			if err != nil {
				return err
			}
			var targets []int
			for i, p := range l.pdfs {
				if !done(p) && !l.archived(p) {
					targets = append(targets, i)
				}
			}
			_, err = loadSample(ctx, q, st.user, l, targets)
			return err
		}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				if err := bc.run(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
