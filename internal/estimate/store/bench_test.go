package store

import (
	"context"
	"os"
	"strconv"
	"strings"
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
// only read the inputs (the database's part). Besides the wall time, which
// on a crowded machine is mostly waiting for a core, each reports the CPU
// time spent per answer by this process (go-cpu-ms/op) and by the
// PostgreSQL backend serving it (pg-cpu-ms/op, from /proc; one connection).
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
	pool := testdb.Sized(b, 1)
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
			var backend int
			if err := pool.QueryRow(ctx, `SELECT pg_backend_pid()`).Scan(&backend); err != nil {
				b.Fatal(err)
			}
			goBefore, pgBefore := processCPU(os.Getpid()), processCPU(backend)
			for b.Loop() {
				if err := bc.run(); err != nil {
					b.Fatal(err)
				}
			}
			goAfter, pgAfter := processCPU(os.Getpid()), processCPU(backend)
			if goBefore >= 0 && pgBefore >= 0 {
				b.ReportMetric(float64(goAfter-goBefore)/float64(time.Millisecond)/float64(b.N), "go-cpu-ms/op")
				b.ReportMetric(float64(pgAfter-pgBefore)/float64(time.Millisecond)/float64(b.N), "pg-cpu-ms/op")
			}
		})
	}
}

// processCPU is the user and system CPU time of a process so far, from
// /proc (Linux, 100 ticks a second); -1 when it cannot be read.
func processCPU(pid int) time.Duration {
	raw, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return -1
	}
	// The command name (field 2) may hold spaces; the fields after it do not.
	fields := strings.Fields(string(raw[strings.LastIndexByte(string(raw), ')')+1:]))
	if len(fields) < 13 {
		return -1
	}
	user, err1 := strconv.ParseInt(fields[11], 10, 64)
	sys, err2 := strconv.ParseInt(fields[12], 10, 64)
	if err1 != nil || err2 != nil {
		return -1
	}
	return time.Duration(user+sys) * 10 * time.Millisecond
}
