package study_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/studysprint/studysprint/dbgen"
	"github.com/studysprint/studysprint/internal/database"
	"github.com/studysprint/studysprint/internal/study"
	"github.com/studysprint/studysprint/internal/testdb"
)

// fixture is a user with one PDF of `pages` pages, made with plain SQL.
func fixture(t testing.TB, pool *pgxpool.Pool, pages int) (userID, pdfID uuid.UUID) {
	t.Helper()
	ctx := context.Background()
	name := fmt.Sprintf("u%d", rand.Int64())
	if err := pool.QueryRow(ctx, `INSERT INTO users (email, username, password_hash) VALUES ($1, $2, 'x') RETURNING id`,
		name+"@example.com", name[:min(len(name), 30)]).Scan(&userID); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `INSERT INTO user_preferences (user_id) VALUES ($1)`, userID); err != nil {
		t.Fatal(err)
	}
	if err := pool.QueryRow(ctx, `INSERT INTO pdfs (user_id, title, page_count, size_bytes, sha256, storage_key)
		VALUES ($1, 'book', $2, 1, sha256(convert_to($3, 'UTF8')), $3) RETURNING id`, userID, pages, name).Scan(&pdfID); err != nil {
		t.Fatal(err)
	}
	return userID, pdfID
}

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

// TestIngestMatchesReplay: random event sequences sent in random batches, in
// random order, some twice, through the real workflow and database, end with
// the numbers the pure rules give for the whole sequence at once — in the
// session row, study_session_pages, page_stats and the user's buckets.
func TestIngestMatchesReplay(t *testing.T) {
	t.Parallel()
	pool := testdb.Pool(t)
	ctx := context.Background()
	rnd := rand.New(rand.NewPCG(7, 11))
	rounds := 12
	if testing.Short() {
		rounds = 3
	}
	for round := range rounds {
		userID, pdfID := fixture(t, pool, 12)
		if _, err := pool.Exec(ctx, `UPDATE users SET timezone = 'Asia/Kathmandu' WHERE id = $1`, userID); err != nil {
			t.Fatal(err)
		}
		clk := &clock{t: time.Date(2026, 11, 30, 23, 30, 0, 0, time.UTC)}
		svc := study.NewService(pool, clk.now, nil)
		start := clk.t.Add(-12 * time.Hour)
		st, err := svc.Start(ctx, userID, study.StartInput{PDFID: &pdfID, StartedAt: &start, StartPage: ptr(int32(1))})
		if err != nil {
			t.Fatal(err)
		}
		var events []study.Incoming
		at := start
		types := []string{"page", "page", "page", "heartbeat", "heartbeat", "pause", "resume"}
		for range 40 + rnd.IntN(80) {
			// Strictly later (equal times would tie by arrival), with
			// milliseconds, as real clients send: the stored whole seconds
			// must not depend on how the events were batched.
			at = at.Add(time.Duration(1+rnd.IntN(350))*time.Second + time.Duration(rnd.IntN(1000))*time.Millisecond)
			e := study.Incoming{ID: uuid.New(), Type: types[rnd.IntN(len(types))], At: at}
			if e.Type == "page" {
				e.Page = int32(1 + rnd.IntN(12))
			}
			events = append(events, e)
		}
		if rnd.IntN(2) == 0 {
			events = append(events, study.Incoming{ID: uuid.New(), Type: "stop", At: at.Add(time.Minute)})
		}
		sent := slices.Clone(events)
		rnd.Shuffle(len(sent), func(i, j int) { sent[i], sent[j] = sent[j], sent[i] })
		for len(sent) > 0 {
			n := min(len(sent), 1+rnd.IntN(25))
			batch := sent[:n]
			if _, err := svc.Ingest(ctx, userID, st.Row.ID, batch); err != nil {
				t.Fatal(err)
			}
			if rnd.IntN(4) == 0 { // a client that resends
				if _, err := svc.Ingest(ctx, userID, st.Row.ID, batch); err != nil {
					t.Fatal(err)
				}
			}
			sent = sent[n:]
		}
		got, err := svc.Get(ctx, userID, st.Row.ID)
		if err != nil {
			t.Fatal(err)
		}

		// The pure rules on the whole sequence, in order (seq = send order
		// within the ordered list, which only matters for equal times).
		rules := study.RulesFromPreferences(defaultPrefs(), false)
		var all []study.Event
		for i, e := range events {
			all = append(all, study.Event{ID: e.ID, Type: study.EventType(e.Type), Page: e.Page, At: e.At, Seq: int64(i)})
		}
		cp := study.Replay(rules, start, 1, all)
		until := cp.LastEventAt()
		if got.EndedAt != nil {
			until = *got.EndedAt
		}
		want := cp.Summarize(rules, until)
		if got.Row.EndedAt == nil {
			want = cp.Summarize(rules, clk.t)
		}
		secs := study.SplitSeconds(want.Active, want.Paused, want.Idle, want.Break)
		if got.ActiveSeconds != secs[0] || got.PausedSeconds != secs[1] || got.IdleSeconds != secs[2] || got.BreakSeconds != secs[3] ||
			got.PagesRead != want.PagesRead || got.CurrentPage != want.CurrentPage {
			t.Fatalf("round %d: state %+v; rules say %v read %d page %d", round, got, secs, want.PagesRead, want.CurrentPage)
		}
		stored := cp.Summarize(rules, until)
		rows, err := pool.Query(ctx, `SELECT page, seconds_read, visits FROM page_stats WHERE pdf_id = $1 AND (seconds_read > 0 OR visits > 0) ORDER BY page`, pdfID)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close() // a failure below must not leave the pool waiting
		var total time.Duration
		n := 0
		for rows.Next() {
			var page, seconds, visits int32
			if err := rows.Scan(&page, &seconds, &visits); err != nil {
				t.Fatal(err)
			}
			p := stored.Pages[page]
			if int(visits) != p.Visits || int64(seconds) != study.RoundSeconds(p.Seconds) {
				t.Fatalf("round %d page %d: page_stats %d s %d visits; rules %v %d visits", round, page, seconds, visits, p.Seconds, p.Visits)
			}
			total += p.Seconds
			n++
		}
		if rows.Err() != nil {
			t.Fatal(rows.Err())
		}
		read := 0
		for _, p := range stored.Pages {
			if p.Visits > 0 {
				read++
			}
		}
		if n != read {
			t.Fatalf("round %d: %d pages in page_stats, the rules read %d", round, n, read)
		}
		var bucketActive int64
		if err := pool.QueryRow(ctx, `SELECT coalesce(sum(active_seconds), 0) FROM user_study_buckets WHERE user_id = $1`, userID).Scan(&bucketActive); err != nil {
			t.Fatal(err)
		}
		if want := study.RoundSeconds(stored.Active); bucketActive != want {
			t.Fatalf("round %d: buckets hold %d active seconds, the session %d", round, bucketActive, want)
		}
		// Bucket by bucket, what a replay of the whole sequence stores.
		starts := slices.Collect(maps.Keys(stored.Buckets))
		slices.SortFunc(starts, func(a, b time.Time) int { return a.Compare(b) })
		active := make([]time.Duration, len(starts))
		for i, b := range starts {
			active[i] = stored.Buckets[b].Active
		}
		wantB := map[time.Time]int64{}
		for i, s := range study.CumulativeSeconds(active...) {
			if s != 0 {
				wantB[starts[i].UTC()] = s
			}
		}
		brows, err := pool.Query(ctx, `SELECT bucket_start, active_seconds FROM user_study_buckets WHERE user_id = $1 AND active_seconds > 0`, userID)
		if err != nil {
			t.Fatal(err)
		}
		defer brows.Close()
		gotB := map[time.Time]int64{}
		for brows.Next() {
			var at time.Time
			var s int64
			if err := brows.Scan(&at, &s); err != nil {
				t.Fatal(err)
			}
			gotB[at.UTC()] = s
		}
		if fmt.Sprint(gotB) != fmt.Sprint(wantB) {
			t.Fatalf("round %d: buckets %v, a replay stores %v", round, gotB, wantB)
		}
		rollupsExact(t, pool, userID)
	}
}

// TestSweepEndsQuietSessions: the sweeper ends a running session nobody
// heard from for twice its threshold, at its last event plus the threshold,
// and leaves one heard from recently.
func TestSweepEndsQuietSessions(t *testing.T) {
	t.Parallel()
	pool := testdb.Pool(t)
	ctx := context.Background()
	clk := &clock{t: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)}
	svc := study.NewService(pool, clk.now, nil)
	quietUser, quietPDF := fixture(t, pool, 3)
	busyUser, busyPDF := fixture(t, pool, 3)
	quiet, err := svc.Start(ctx, quietUser, study.StartInput{PDFID: &quietPDF})
	if err != nil {
		t.Fatal(err)
	}
	clk.t = clk.t.Add(9 * time.Minute)
	busy, err := svc.Start(ctx, busyUser, study.StartInput{PDFID: &busyPDF})
	if err != nil {
		t.Fatal(err)
	}
	clk.t = clk.t.Add(2 * time.Minute)
	n, err := svc.SweepQuiet(ctx, 100)
	if err != nil || n != 1 {
		t.Fatalf("swept %d, %v; want 1", n, err)
	}
	var status string
	var endedAt time.Time
	if err := pool.QueryRow(ctx, `SELECT status, ended_at FROM study_sessions WHERE id = $1`, quiet.Row.ID).Scan(&status, &endedAt); err != nil {
		t.Fatal(err)
	}
	if status != "ended" || !endedAt.Equal(quiet.Row.StartedAt.Add(5*time.Minute)) {
		t.Fatalf("quiet session: %s at %v", status, endedAt)
	}
	if err := pool.QueryRow(ctx, `SELECT status FROM study_sessions WHERE id = $1`, busy.Row.ID).Scan(&status); err != nil || status != "running" {
		t.Fatalf("busy session: %s %v", status, err)
	}
}

func ptr[T any](v T) *T { return &v }

// defaultPrefs are the preferences a new user has (the table's defaults).
func defaultPrefs() dbgen.UserPreference {
	return dbgen.UserPreference{
		IdleThresholdSeconds: 300, PageMinSeconds: 5, PageMaxSeconds: 900,
		PomodoroWorkMinutes: 25, PomodoroShortBreakMinutes: 5, PomodoroLongBreakMinutes: 15, PomodoroLongBreakEvery: 4,
	}
}

// TestImportSession: an imported session is ended at its last event, never
// touches the running session, and importing it again (or a longer copy)
// adds only what is new.
func TestImportSession(t *testing.T) {
	t.Parallel()
	pool := testdb.Pool(t)
	ctx := context.Background()
	clk := &clock{t: time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)}
	svc := study.NewService(pool, clk.now, nil)
	userID, pdfID := fixture(t, pool, 10)
	running, err := svc.Start(ctx, userID, study.StartInput{PDFID: &pdfID})
	if err != nil {
		t.Fatal(err)
	}
	start := clk.t.Add(-48 * time.Hour)
	id := uuid.NewSHA1(uuid.NameSpaceOID, []byte("book-session"))
	ev := func(n int, typ string, page int32, at time.Duration) study.Incoming {
		return study.Incoming{ID: uuid.NewSHA1(id, []byte{byte(n)}), Type: typ, Page: page, At: start.Add(at)}
	}
	first := []study.Incoming{ev(1, "page", 2, 0), ev(2, "page", 3, 60*time.Second), ev(3, "pause", 0, 150*time.Second)}
	imp := func(events []study.Incoming) study.ImportResult {
		var res study.ImportResult
		err := database.InTx(ctx, pool, func(q *dbgen.Queries) error {
			var err error
			res, err = svc.ImportSession(ctx, q, userID, study.ImportInput{SessionID: id, PDFID: pdfID, Source: study.SourceKOReader, StartedAt: start, StartPage: 2, Events: events})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	if r := imp(first); !r.Created || r.Accepted != 3 {
		t.Fatalf("first import: %+v", r)
	}
	if r := imp(first); r.Created || r.Accepted != 0 || r.Duplicates != 3 {
		t.Fatalf("again: %+v", r)
	}
	longer := append(slices.Clone(first), ev(4, "page", 4, 200*time.Second), ev(5, "pause", 0, 290*time.Second))
	if r := imp(longer); r.Accepted != 2 || r.Duplicates != 3 {
		t.Fatalf("a longer copy: %+v", r)
	}
	got, err := svc.Get(ctx, userID, id)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != study.StatusEnded || *got.EndedReason != study.EndStopped || !got.EndedAt.Equal(start.Add(290*time.Second)) || got.PagesRead != 3 {
		t.Fatalf("imported session: %+v", got)
	}
	cur, err := svc.Current(ctx, userID)
	if err != nil || cur.Row.ID != running.Row.ID {
		t.Fatalf("the running session after the import: %+v %v", cur.Row.ID, err)
	}
	pdfReadingExact(t, pool, userID)
	var pages int32
	if err := pool.QueryRow(ctx, `SELECT pages_read FROM pdf_reading WHERE user_id = $1 AND pdf_id = $2`, userID, pdfID).Scan(&pages); err != nil || pages == 0 {
		t.Fatalf("pdf_reading after the import: %d pages, %v", pages, err)
	}
}

// rollupsExact checks the user's rollups against their parts: every
// user_study_buckets row is the sum of the sessions' buckets (and the
// sessions started in it), and every user_study_days row the sum of the
// user's buckets of that local day in the user's zone.
func rollupsExact(t *testing.T, pool *pgxpool.Pool, userID uuid.UUID) {
	t.Helper()
	var bad int
	if err := pool.QueryRow(context.Background(), `
		WITH parts AS (
			SELECT bucket_start, sum(active_seconds) AS a, sum(read_seconds) AS r, sum(pages_read) AS p
			FROM study_session_buckets WHERE user_id = $1 GROUP BY 1
		)
		SELECT count(*) FROM parts FULL JOIN (SELECT * FROM user_study_buckets WHERE user_id = $1) u USING (bucket_start)
		WHERE coalesce(parts.a, 0) <> coalesce(u.active_seconds, 0) OR coalesce(parts.r, 0) <> coalesce(u.read_seconds, 0)
		   OR coalesce(parts.p, 0) <> coalesce(u.pages_read, 0)`, userID).Scan(&bad); err != nil {
		t.Fatal(err)
	}
	if bad > 0 {
		t.Fatalf("%d user buckets differ from the sum of the sessions' buckets", bad)
	}
	if err := pool.QueryRow(context.Background(), `
		WITH days AS (
			SELECT (b.bucket_start AT TIME ZONE u.timezone)::date AS day, sum(b.active_seconds) AS a, sum(b.read_seconds) AS r,
			       sum(b.pages_read) AS p, sum(b.sessions) AS s
			FROM user_study_buckets b JOIN users u ON u.id = b.user_id WHERE b.user_id = $1 GROUP BY 1
		)
		SELECT count(*) FROM days FULL JOIN (SELECT * FROM user_study_days WHERE user_id = $1) x USING (day)
		WHERE coalesce(days.a, 0) <> coalesce(x.active_seconds, 0) OR coalesce(days.r, 0) <> coalesce(x.read_seconds, 0)
		   OR coalesce(days.p, 0) <> coalesce(x.pages_read, 0) OR coalesce(days.s, 0) <> coalesce(x.sessions, 0)`, userID).Scan(&bad); err != nil {
		t.Fatal(err)
	}
	if bad > 0 {
		t.Fatalf("%d user days differ from the sum of the user's buckets", bad)
	}
	pdfReadingExact(t, pool, userID)
}

// pdfReadingExact checks pdf_reading, the per-PDF rollup of page_stats,
// against a recomputation from page_stats: no row missing, extra or
// different.
func pdfReadingExact(t *testing.T, pool *pgxpool.Pool, userID uuid.UUID) {
	t.Helper()
	diff, err := dbgen.New(pool).DiffPDFReading(context.Background(), userID)
	if err != nil {
		t.Fatal(err)
	}
	if len(diff) > 0 {
		t.Fatalf("pdf_reading differs from page_stats: %+v", diff)
	}
}

// TestPDFReadingExact: pdf_reading follows page_stats through ingestion, a
// late batch, a second session, the deletion of a session, a move of the PDF
// to another topic and the deletion of the PDF.
func TestPDFReadingExact(t *testing.T) {
	t.Parallel()
	pool := testdb.Pool(t)
	ctx := context.Background()
	userID, pdfID := fixture(t, pool, 20)
	clk := &clock{t: time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)}
	svc := study.NewService(pool, clk.now, nil)
	reading := func() (pages int32, seconds int64, last *time.Time, ok bool) {
		err := pool.QueryRow(ctx, `SELECT pages_read, study_seconds, last_studied_at FROM pdf_reading WHERE user_id = $1 AND pdf_id = $2`,
			userID, pdfID).Scan(&pages, &seconds, &last)
		if errors.Is(err, pgx.ErrNoRows) {
			return 0, 0, nil, false
		}
		if err != nil {
			t.Fatal(err)
		}
		return pages, seconds, last, true
	}
	pageEvents := func(from time.Time, first, n int) []study.Incoming {
		var out []study.Incoming
		for k := range n {
			out = append(out, study.Incoming{ID: uuid.New(), Type: "page", Page: int32(first + k), At: from.Add(time.Duration(k) * 45 * time.Second)})
		}
		return out
	}

	t0 := clk.t.Add(-3 * time.Hour)
	a, err := svc.Start(ctx, userID, study.StartInput{PDFID: &pdfID, StartedAt: &t0, StartPage: ptr(int32(1))})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, _, ok := reading(); ok {
		t.Fatal("a pdf_reading row before any reading")
	}
	live := pageEvents(t0.Add(10*time.Minute), 6, 6) // pages 6..11
	if _, err := svc.Ingest(ctx, userID, a.Row.ID, live); err != nil {
		t.Fatal(err)
	}
	pdfReadingExact(t, pool, userID)
	p1, s1, _, ok := reading()
	if !ok || p1 == 0 || s1 == 0 {
		t.Fatalf("after a batch: %d pages, %d s, row %v", p1, s1, ok)
	}
	// A late batch: earlier pages, before the live ones.
	if _, err := svc.Ingest(ctx, userID, a.Row.ID, pageEvents(t0.Add(time.Minute), 1, 5)); err != nil {
		t.Fatal(err)
	}
	pdfReadingExact(t, pool, userID)
	if p2, s2, _, _ := reading(); p2 <= p1 || s2 <= s1 {
		t.Fatalf("after a late batch: %d pages %d s, before %d pages %d s", p2, s2, p1, s1)
	}
	if _, err := svc.Ingest(ctx, userID, a.Row.ID, []study.Incoming{{ID: uuid.New(), Type: "stop", At: t0.Add(20 * time.Minute)}}); err != nil {
		t.Fatal(err)
	}
	pdfReadingExact(t, pool, userID)
	_, sA, lastA, _ := reading()

	// A second session later on the same PDF, then the first one deleted:
	// what is left is the second's reading, and the last read is its own.
	t1 := clk.t.Add(-time.Hour)
	b, err := svc.Start(ctx, userID, study.StartInput{PDFID: &pdfID, StartedAt: &t1, StartPage: ptr(int32(10))})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Ingest(ctx, userID, b.Row.ID, append(pageEvents(t1.Add(time.Minute), 10, 4),
		study.Incoming{ID: uuid.New(), Type: "stop", At: t1.Add(10 * time.Minute)})); err != nil {
		t.Fatal(err)
	}
	pdfReadingExact(t, pool, userID)
	_, sAB, lastAB, _ := reading()
	if sAB <= sA || lastAB == nil || lastA == nil || !lastAB.After(*lastA) {
		t.Fatalf("after the second session: %d s last %v; after the first %d s last %v", sAB, lastAB, sA, lastA)
	}
	if err := svc.Delete(ctx, userID, a.Row.ID); err != nil {
		t.Fatal(err)
	}
	pdfReadingExact(t, pool, userID)
	if _, sB, lastB, ok := reading(); !ok || sB >= sAB || sB == 0 || !lastB.Equal(*lastAB) {
		t.Fatalf("after deleting the first session: %d s last %v (row %v); both %d s", sB, lastB, ok, sAB)
	}
	// Deleting the last session leaves page_stats rows at zero: the rollup
	// says zero pages and no last read, as a recomputation does.
	if err := svc.Delete(ctx, userID, b.Row.ID); err != nil {
		t.Fatal(err)
	}
	pdfReadingExact(t, pool, userID)
	if p, sec, last, ok := reading(); !ok || p != 0 || sec != 0 || last != nil {
		t.Fatalf("after deleting every session: %d pages %d s last %v (row %v)", p, sec, last, ok)
	}

	// Moving the PDF between topics changes no reading; deleting it removes
	// its rollup with its page_stats.
	c, err := svc.Start(ctx, userID, study.StartInput{PDFID: &pdfID, StartedAt: &t1, StartPage: ptr(int32(1))})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Ingest(ctx, userID, c.Row.ID, pageEvents(t1.Add(time.Minute), 1, 4)); err != nil {
		t.Fatal(err)
	}
	var topicA, topicB uuid.UUID
	for _, tp := range []*uuid.UUID{&topicA, &topicB} {
		if err := pool.QueryRow(ctx, `INSERT INTO topics (user_id, name) VALUES ($1, $2) RETURNING id`, userID, uuid.NewString()[:8]).Scan(tp); err != nil {
			t.Fatal(err)
		}
	}
	for _, tp := range []uuid.UUID{topicA, topicB} {
		if _, err := pool.Exec(ctx, `UPDATE pdfs SET topic_id = $3 WHERE id = $1 AND user_id = $2`, pdfID, userID, tp); err != nil {
			t.Fatal(err)
		}
		pdfReadingExact(t, pool, userID)
	}
	if _, err := pool.Exec(ctx, `DELETE FROM pdfs WHERE id = $1 AND user_id = $2`, pdfID, userID); err != nil {
		t.Fatal(err)
	}
	pdfReadingExact(t, pool, userID)
	if _, _, _, ok := reading(); ok {
		t.Fatal("a pdf_reading row after the PDF was deleted")
	}
}

// TestRollupsExactUnderConcurrency: two sessions of one user, on two PDFs,
// covering the same hours, take batches at the same time; the user's
// buckets and days (in a zone 13:45 ahead of UTC) stay the sums of their
// parts, and a change of zone rebuilds the days.
func TestRollupsExactUnderConcurrency(t *testing.T) {
	t.Parallel()
	pool := testdb.Pool(t)
	ctx := context.Background()
	userID, pdfA := fixture(t, pool, 50)
	var pdfB uuid.UUID
	if err := pool.QueryRow(ctx, `INSERT INTO pdfs (user_id, title, page_count, size_bytes, sha256, storage_key)
		VALUES ($1, 'other', 50, 1, sha256('b'), $2) RETURNING id`, userID, "b-"+userID.String()).Scan(&pdfB); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `UPDATE users SET timezone = 'Pacific/Chatham' WHERE id = $1`, userID); err != nil {
		t.Fatal(err)
	}
	clk := &clock{t: time.Date(2026, 11, 30, 23, 0, 0, 0, time.UTC)}
	svc := study.NewService(pool, clk.now, nil)
	t0 := clk.t.Add(-20 * time.Hour)
	a, err := svc.Start(ctx, userID, study.StartInput{PDFID: &pdfA, StartedAt: &t0, StartPage: ptr(int32(1))})
	if err != nil {
		t.Fatal(err)
	}
	b, err := svc.Start(ctx, userID, study.StartInput{PDFID: &pdfB, StartedAt: &t0, StartPage: ptr(int32(1))}) // supersedes a
	if err != nil {
		t.Fatal(err)
	}
	// Both get the same hours of events, in batches sent side by side: a's
	// arrive late (a was superseded), b's live.
	batch := func(i int) []study.Incoming {
		var out []study.Incoming
		for k := range 20 {
			at := t0.Add(time.Duration(i*20+k)*40*time.Second + 250*time.Millisecond)
			out = append(out, study.Incoming{ID: uuid.New(), Type: "page", Page: int32(1 + (i*20+k)%50), At: at})
		}
		return out
	}
	for i := range 30 {
		var wg sync.WaitGroup
		for _, id := range []uuid.UUID{a.Row.ID, b.Row.ID} {
			wg.Go(func() {
				if _, err := svc.Ingest(ctx, userID, id, batch(i)); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
	}
	rollupsExact(t, pool, userID)
	// The rebuild a change of zone runs (account.UpdateProfile; the API
	// test TestAnalyticsSameInstantTwoZones goes through it).
	if _, err := pool.Exec(ctx, `UPDATE users SET timezone = 'America/Los_Angeles' WHERE id = $1`, userID); err != nil {
		t.Fatal(err)
	}
	q := dbgen.New(pool)
	if err := q.DeleteUserStudyDays(ctx, userID); err != nil {
		t.Fatal(err)
	}
	if err := q.RebuildUserStudyDays(ctx, userID); err != nil {
		t.Fatal(err)
	}
	rollupsExact(t, pool, userID)
}
