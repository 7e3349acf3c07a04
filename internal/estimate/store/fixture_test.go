package store

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// history describes a student's generated reading history, written
// straight into the rollups the timer keeps (page_stats, pdf_pages,
// exercises): what the estimates read.
type history struct {
	Topics     int       // root topics, each with one subtopic
	Finished   int       // PDFs read to the end, one after the other
	Unfinished int       // then PDFs partly read (every other one not started)
	Slow       int       // reference PDFs read a few pages a week over the whole history
	Pages      int       // mean page count
	Days       int       // span of the history, ending at End
	End        time.Time // the newest reading
	Exercises  int       // done exercises with timer time (and a quarter as many open)
	TextBytes  int       // page text stored per page (the width of pdf_pages rows)
	Seed       uint64
}

// student is what seed created.
type student struct {
	user     uuid.UUID
	topics   []uuid.UUID // roots and subtopics, in creation order
	pdfs     []uuid.UUID
	unread   []uuid.UUID // unfinished PDFs
	finished []uuid.UUID
}

func newUser(t testing.TB, pool *pgxpool.Pool, tz string) uuid.UUID {
	t.Helper()
	ctx := context.Background()
	name := "u" + strings.ReplaceAll(uuid.NewString(), "-", "")[:20]
	var id uuid.UUID
	if err := pool.QueryRow(ctx, `INSERT INTO users (email, username, password_hash, timezone) VALUES ($1, $2, 'x', $3) RETURNING id`,
		name+"@example.com", name, tz).Scan(&id); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `INSERT INTO user_preferences (user_id) VALUES ($1)`, id); err != nil {
		t.Fatal(err)
	}
	return id
}

func newTopic(t testing.TB, pool *pgxpool.Pool, user uuid.UUID, parent *uuid.UUID, name string) uuid.UUID {
	t.Helper()
	var id uuid.UUID
	if err := pool.QueryRow(context.Background(), `INSERT INTO topics (user_id, parent_id, name) VALUES ($1, $2, $3) RETURNING id`,
		user, parent, name).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

func newPDF(t testing.TB, pool *pgxpool.Pool, user uuid.UUID, topic *uuid.UUID, kind string, pages int, created time.Time) uuid.UUID {
	t.Helper()
	id := uuid.New()
	if _, err := pool.Exec(context.Background(), `INSERT INTO pdfs (id, user_id, topic_id, kind, title, page_count, size_bytes, sha256, storage_key, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, 1, sha256(convert_to($8, 'UTF8')), $8, $7)`,
		id, user, topic, kind, "PDF "+id.String()[:8], pages, created, id.String()); err != nil {
		t.Fatal(err)
	}
	return id
}

// pageRow is one page_stats row to write.
type pageRow struct {
	pdf         uuid.UUID
	page        int
	seconds     int
	first, last time.Time
}

func writePages(t testing.TB, pool *pgxpool.Pool, user uuid.UUID, rows []pageRow) {
	t.Helper()
	src := make([][]any, len(rows))
	for i, r := range rows {
		src[i] = []any{user, r.pdf, int32(r.page), int32(r.seconds), int32(1), r.first, r.last}
	}
	if _, err := pool.CopyFrom(context.Background(), pgx.Identifier{"page_stats"},
		[]string{"user_id", "pdf_id", "page", "seconds_read", "visits", "first_read_at", "last_read_at"}, pgx.CopyFromRows(src)); err != nil {
		t.Fatal(err)
	}
}

// writeWords gives pages 1..pages of a PDF word counts (every 13th page has
// no text layer) and marks its text extracted.
func writeWords(t testing.TB, pool *pgxpool.Pool, user, pdf uuid.UUID, pages, textBytes int, rnd *rand.Rand) {
	t.Helper()
	text := strings.Repeat("x", textBytes)
	src := make([][]any, pages)
	for p := 1; p <= pages; p++ {
		var words any
		if p%13 != 0 {
			words = int32(150 + rnd.IntN(400))
		}
		src[p-1] = []any{user, pdf, int32(p), words, text, ""}
	}
	ctx := context.Background()
	if _, err := pool.CopyFrom(ctx, pgx.Identifier{"pdf_pages"}, []string{"user_id", "pdf_id", "page", "word_count", "text", "tsv"}, pgx.CopyFromRows(src)); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `UPDATE pdfs SET text_status = 'done' WHERE id = $1`, pdf); err != nil {
		t.Fatal(err)
	}
}

// seed writes a history for a new user.
func seed(t testing.TB, pool *pgxpool.Pool, h history) student {
	t.Helper()
	st, rows := generate(t, pool, h)
	writePages(t, pool, st.user, rows)
	return st
}

// seedMany writes the histories of several students, their pages in the
// order they were read (interleaved, as the timer writes them over years).
func seedMany(t testing.TB, pool *pgxpool.Pool, hs []history) []student {
	t.Helper()
	type owned struct {
		user uuid.UUID
		row  pageRow
	}
	var all []owned
	var out []student
	for _, h := range hs {
		st, rows := generate(t, pool, h)
		out = append(out, st)
		for _, r := range rows {
			all = append(all, owned{st.user, r})
		}
	}
	slices.SortFunc(all, func(a, b owned) int { return a.row.first.Compare(b.row.first) })
	src := make([][]any, len(all))
	for i, o := range all {
		r := o.row
		src[i] = []any{o.user, r.pdf, int32(r.page), int32(r.seconds), int32(1), r.first, r.last}
	}
	if _, err := pool.CopyFrom(context.Background(), pgx.Identifier{"page_stats"},
		[]string{"user_id", "pdf_id", "page", "seconds_read", "visits", "first_read_at", "last_read_at"}, pgx.CopyFromRows(src)); err != nil {
		t.Fatal(err)
	}
	return out
}

// generate creates a student's topics, PDFs (with word counts) and
// exercises, and returns the pages they read, not yet written.
func generate(t testing.TB, pool *pgxpool.Pool, h history) (student, []pageRow) {
	t.Helper()
	ctx := context.Background()
	rnd := rand.New(rand.NewPCG(h.Seed, 99))
	st := student{user: newUser(t, pool, "Europe/Berlin")}
	for i := range h.Topics {
		root := newTopic(t, pool, st.user, nil, fmt.Sprintf("Topic %d", i))
		st.topics = append(st.topics, root, newTopic(t, pool, st.user, &root, "Part"))
	}
	start := h.End.Add(-time.Duration(h.Days) * 24 * time.Hour)
	n := h.Finished + h.Unfinished
	span := time.Duration(h.Days) * 24 * time.Hour / time.Duration(n+1)
	var rows []pageRow
	// A student reads at a pace of their own, slower on exercise PDFs;
	// pages vary around it.
	pace := 50 + rnd.Float64()*60
	readPage := func(pdf uuid.UUID, page int, at time.Time, kind string) {
		s := pace * math.Exp(rnd.NormFloat64()*0.5)
		if kind == "exercise" {
			s *= 1.4
		}
		rows = append(rows, pageRow{pdf: pdf, page: page, seconds: max(1, int(s)), first: at, last: at.Add(time.Duration(s) * time.Second)})
	}
	for i := range n {
		topic := &st.topics[i%len(st.topics)]
		kind := "study"
		if i%7 == 6 {
			kind = "exercise"
		}
		pages := max(5, h.Pages/2+rnd.IntN(h.Pages+1))
		at := start.Add(time.Duration(i) * span)
		id := newPDF(t, pool, st.user, topic, kind, pages, at)
		st.pdfs = append(st.pdfs, id)
		if i%5 != 4 {
			writeWords(t, pool, st.user, id, pages, h.TextBytes, rnd)
		}
		read := pages
		if i >= h.Finished {
			st.unread = append(st.unread, id)
			read = 0
			if (i-h.Finished)%2 == 0 {
				read = pages * (1 + rnd.IntN(8)) / 10
			}
		} else {
			st.finished = append(st.finished, id)
		}
		step := span / time.Duration(pages+1)
		for p := 1; p <= read; p++ {
			readPage(id, p, at.Add(time.Duration(p)*step), kind)
		}
	}
	for k := range h.Slow {
		pages := 300
		id := newPDF(t, pool, st.user, &st.topics[k%len(st.topics)], "study", pages, start)
		st.pdfs = append(st.pdfs, id)
		st.unread = append(st.unread, id)
		step := time.Duration(h.Days) * 24 * time.Hour / time.Duration(pages)
		for p := 1; p < pages; p += 2 {
			readPage(id, p, start.Add(time.Duration(p)*step+time.Duration(k)*time.Minute), "study")
		}
	}
	for k := range h.Exercises + h.Exercises/4 {
		pdf := st.pdfs[rnd.IntN(len(st.pdfs))]
		ps := 1 + rnd.IntN(4)
		status, secs, done := "todo", int64(0), (*time.Time)(nil)
		if k < h.Exercises {
			at := start.Add(time.Duration(rnd.Int64N(int64(h.End.Sub(start)))))
			status, secs, done = "done", int64(300*ps)+rnd.Int64N(600), &at
		}
		if _, err := pool.Exec(ctx, `INSERT INTO exercises (user_id, pdf_id, page_start, page_end, title, difficulty, status, completed_at, time_spent_seconds)
			VALUES ($1, $2, 1, $3, $4, $5, $6, $7, $8)`, st.user, pdf, ps, fmt.Sprintf("Exercise %d", k), 1+rnd.IntN(5), status, done, secs); err != nil {
			t.Fatal(err)
		}
	}
	return st, rows
}
