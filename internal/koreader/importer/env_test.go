package importer_test

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/studysprint/studysprint/dbgen"
	"github.com/studysprint/studysprint/internal/koreader"
	"github.com/studysprint/studysprint/internal/koreader/importer"
	"github.com/studysprint/studysprint/internal/koreader/kotest"
	"github.com/studysprint/studysprint/internal/storage"
	"github.com/studysprint/studysprint/internal/study"
	"github.com/studysprint/studysprint/internal/testdb"
)

func TestMain(m *testing.M) {
	koreader.RunChildIfRequested() // the Reader re-executes this test binary
	os.Exit(m.Run())
}

// testNow is the imports' "now".
var testNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// at is a Unix second daysBefore testNow, at hh:mm UTC.
func at(daysBefore int, hh, mm int) int64 {
	day := testNow.AddDate(0, 0, -daysBefore).Truncate(24 * time.Hour)
	return day.Add(time.Duration(hh)*time.Hour + time.Duration(mm)*time.Minute).Unix()
}

// testLimits: 512 MiB, as a race-enabled child needs it.
var testLimits = koreader.Limits{Timeout: 30 * time.Second, MemoryBytes: 512 << 20, MaxRows: 50_000}

// fx is one database with the import workflow over it.
type fx struct {
	t     testing.TB
	ctx   context.Context
	pool  *pgxpool.Pool
	store *storage.Local
	study *study.Service
	svc   *importer.Service
}

func newFx(t testing.TB, limits koreader.Limits) *fx {
	t.Helper()
	pool := testdb.Pool(t)
	store, err := storage.NewLocal(filepath.Join(t.TempDir(), "files"))
	if err != nil {
		t.Fatal(err)
	}
	reader, err := koreader.NewReader(limits, 2)
	if err != nil {
		t.Fatal(err)
	}
	// Each reading of the clock is a millisecond later (imports sort by
	// their start).
	var ticks atomic.Int64
	now := func() time.Time { return testNow.Add(time.Duration(ticks.Add(1)) * time.Millisecond) }
	st := study.NewService(pool, now, nil)
	svc := importer.NewService(importer.Config{UploadDir: t.TempDir()}, importer.Deps{
		Pool: pool, Study: st, Store: store, Reader: reader, Now: now,
	})
	return &fx{t: t, ctx: context.Background(), pool: pool, store: store, study: st, svc: svc}
}

// user is a new account with the default preferences (page_min_seconds 5,
// page_max_seconds 900, idle threshold 300 s).
func (f *fx) user() uuid.UUID {
	f.t.Helper()
	name := fmt.Sprintf("u%d", rand.Int64())
	var id uuid.UUID
	if err := f.pool.QueryRow(f.ctx, `INSERT INTO users (email, username, password_hash) VALUES ($1, $2, 'x') RETURNING id`,
		name+"@example.com", name[:min(len(name), 30)]).Scan(&id); err != nil {
		f.t.Fatal(err)
	}
	if _, err := f.pool.Exec(f.ctx, `INSERT INTO user_preferences (user_id) VALUES ($1)`, id); err != nil {
		f.t.Fatal(err)
	}
	return id
}

// pdf adds a PDF whose stored file holds content. With storeMD5 its
// partial MD5 is in the row (as an upload writes it); without, the row has
// none (a PDF from before partial MD5s) and an import computes it. It
// returns the PDF's id and the file's partial MD5.
func (f *fx) pdf(user uuid.UUID, title string, pages int, content []byte, storeMD5 bool) (uuid.UUID, string) {
	f.t.Helper()
	id := uuid.New()
	key := "users/" + user.String() + "/pdfs/" + id.String() + ".pdf"
	if err := f.store.Put(f.ctx, key, bytes.NewReader(content), int64(len(content))); err != nil {
		f.t.Fatal(err)
	}
	sum, err := koreader.PartialMD5(bytes.NewReader(content), int64(len(content)))
	if err != nil {
		f.t.Fatal(err)
	}
	var md5 *string
	if storeMD5 {
		md5 = &sum
	}
	if _, err := f.pool.Exec(f.ctx, `INSERT INTO pdfs (id, user_id, title, page_count, size_bytes, sha256, partial_md5, storage_key)
		VALUES ($1, $2, $3, $4, $5, sha256($6), $7, $8)`, id, user, title, pages, len(content), content, md5, key); err != nil {
		f.t.Fatal(err)
	}
	return id, sum
}

// content is n pseudo-random bytes (a stand-in for a PDF's file).
func content(seed uint64, n int) []byte {
	r := rand.New(rand.NewPCG(seed, seed+1))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// spool hands a file to the workflow as an upload would.
func (f *fx) spool(path string) *importer.File {
	f.t.Helper()
	r, err := os.Open(path)
	if err != nil {
		f.t.Fatal(err)
	}
	defer r.Close()
	file, err := f.svc.Spool(r, filepath.Base(path))
	if err != nil {
		f.t.Fatal(err)
	}
	f.t.Cleanup(file.Remove)
	return file
}

func (f *fx) run(user uuid.UUID, path string, dry bool) (importer.Summary, error) {
	f.t.Helper()
	return f.svc.Import(f.ctx, user, f.spool(path), importer.Options{DryRun: dry})
}

func (f *fx) mustImport(user uuid.UUID, path string, dry bool) importer.Summary {
	f.t.Helper()
	sum, err := f.run(user, path, dry)
	if err != nil {
		f.t.Fatal(err)
	}
	return sum
}

// pageStat is a row of page_stats.
type pageStat struct{ Seconds, Visits int }

// pageStats is page_stats of one PDF, pages without counted visits left out.
func (f *fx) pageStats(user, pdf uuid.UUID) map[int]pageStat {
	f.t.Helper()
	// The per-PDF rollup of these rows (pdf_reading) must equal their sums.
	if diff, err := dbgen.New(f.pool).DiffPDFReading(f.ctx, user); err != nil || len(diff) > 0 {
		f.t.Fatalf("pdf_reading differs from page_stats: %+v %v", diff, err)
	}
	rows, err := f.pool.Query(f.ctx, `SELECT page, seconds_read, visits FROM page_stats WHERE user_id = $1 AND pdf_id = $2 AND visits > 0`, user, pdf)
	if err != nil {
		f.t.Fatal(err)
	}
	defer rows.Close()
	out := map[int]pageStat{}
	for rows.Next() {
		var page int
		var ps pageStat
		if err := rows.Scan(&page, &ps.Seconds, &ps.Visits); err != nil {
			f.t.Fatal(err)
		}
		out[page] = ps
	}
	if err := rows.Err(); err != nil {
		f.t.Fatal(err)
	}
	return out
}

// count runs a count(*) query.
func (f *fx) count(q string, args ...any) int {
	f.t.Helper()
	var n int
	if err := f.pool.QueryRow(f.ctx, q, args...).Scan(&n); err != nil {
		f.t.Fatal(err)
	}
	return n
}

// footprint is what a user's imports have written.
type footprint struct {
	Sessions, Events, Imports, PageStats, Buckets int
	Active, Read                                  int64
}

func (f *fx) footprint(user uuid.UUID) footprint {
	f.t.Helper()
	var fp footprint
	if err := f.pool.QueryRow(f.ctx, `SELECT
		(SELECT count(*) FROM study_sessions WHERE user_id = $1 AND source = 'koreader'),
		(SELECT count(*) FROM study_events WHERE user_id = $1),
		(SELECT count(*) FROM imports WHERE user_id = $1),
		(SELECT count(*) FROM page_stats WHERE user_id = $1 AND (visits > 0 OR seconds_read > 0)),
		(SELECT count(*) FROM user_study_buckets WHERE user_id = $1 AND active_seconds > 0),
		(SELECT coalesce(sum(active_seconds), 0)::bigint FROM study_sessions WHERE user_id = $1 AND source = 'koreader'),
		(SELECT coalesce(sum(read_seconds), 0)::bigint FROM user_study_buckets WHERE user_id = $1)`, user).
		Scan(&fp.Sessions, &fp.Events, &fp.Imports, &fp.PageStats, &fp.Buckets, &fp.Active, &fp.Read); err != nil {
		f.t.Fatal(err)
	}
	return fp
}

// visit is a row of page_stat_data a test writes.
type visit struct {
	book                    int
	page, start, dur, total int64
}

// file writes a KOReader statistics file: books (title, authors, pages,
// md5; nil for NULL) and their visits (book is the index in books).
func file(t testing.TB, books [][4]any, visits []visit) string {
	t.Helper()
	db := kotest.New(t, kotest.DDL)
	db.Begin()
	ids := make([]int64, len(books))
	for i, b := range books {
		ids[i] = db.Book(b[0].(string), b[1].(string), b[2], b[3])
	}
	for _, v := range visits {
		book := any(int64(999))
		if v.book >= 0 {
			book = ids[v.book]
		}
		db.Visit(book, v.page, v.start, v.dur, v.total)
	}
	return db.Close()
}

// expectPages is what the timer's rules make of a book's visits on a PDF of
// pdfPages pages, computed independently of the workflow: visits in time
// order (the tests write no overlapping ones), pages mapped as
// ceil(page * pdfPages / total) when total differs, a visit that follows
// the previous one without a gap on the same PDF page continuing its dwell,
// dwells below pageMin dropped and longer ones capped at pageMax.
func expectPages(visits []visit, book, pdfPages int, pageMin, pageMax int64) map[int]pageStat {
	var vs []visit
	for _, v := range visits {
		if v.book == book {
			vs = append(vs, v)
		}
	}
	slices.SortFunc(vs, func(a, b visit) int { return int(a.start - b.start) })
	mapped := func(v visit) int64 {
		if v.total <= 0 || v.total == int64(pdfPages) {
			return min(v.page, int64(pdfPages))
		}
		p := (v.page*int64(pdfPages) + v.total - 1) / v.total
		return max(1, min(p, int64(pdfPages)))
	}
	out := map[int]pageStat{}
	count := func(page, dwell int64) {
		if dwell < pageMin {
			return
		}
		ps := out[int(page)]
		ps.Seconds += int(min(dwell, pageMax))
		ps.Visits++
		out[int(page)] = ps
	}
	var page, dwell, end int64
	for _, v := range vs {
		p := mapped(v)
		if dwell > 0 && v.start == end && p == page {
			dwell += v.dur
		} else {
			if dwell > 0 {
				count(page, dwell)
			}
			page, dwell = p, v.dur
		}
		end = v.start + v.dur
	}
	if dwell > 0 {
		count(page, dwell)
	}
	return out
}
