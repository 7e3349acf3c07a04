package store

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/studysprint/studysprint/dbgen"
	"github.com/studysprint/studysprint/internal/analytics"
	"github.com/studysprint/studysprint/internal/apperr"
	"github.com/studysprint/studysprint/internal/estimate"
	"github.com/studysprint/studysprint/internal/testdb"
)

var end = time.Date(2026, time.November, 30, 18, 0, 0, 0, time.UTC)

func obsKeys(obs []estimate.Obs) []string {
	out := make([]string, len(obs))
	for i, o := range obs {
		out[i] = fmt.Sprintf("%s/%d %s w%d %gs v%d %s", o.PDF.String()[:8], o.Page, o.Kind, o.Words, o.Seconds, o.Visits, o.LastReadAt.UTC().Format(time.RFC3339))
	}
	return out
}

// TestSampleIsTheNewestPages: the pages loadSample reads, bounded by the
// PDFs' summaries, give every target exactly the input a brute-force
// reading of the whole history gives: its counted pages, the pages left
// with their word counts, and the newest SampleSize pages of the other PDFs
// in its topic's subtree and anywhere. Reference books read a few pages a
// week over the whole history and a big book read just now make the bounds
// work; far fewer pages than the history holds are read.
func TestSampleIsTheNewestPages(t *testing.T) {
	t.Parallel()
	pool := testdb.Pool(t)
	ctx := context.Background()
	st := seed(t, pool, history{Topics: 2, Finished: 40, Unfinished: 6, Slow: 2, Pages: 200, Days: 700, End: end, Exercises: 10, Seed: 1})
	// A 1,500-page book with its 1,200 newest pages read now: the pools must
	// reach past them for the other targets, and past the rest for it.
	big := newPDF(t, pool, st.user, &st.topics[1], "study", 1500, end)
	var rows []pageRow
	for p := 1; p <= 1200; p++ {
		at := end.Add(time.Duration(p) * time.Minute)
		rows = append(rows, pageRow{pdf: big, page: p, seconds: 40 + p%50, first: at, last: at.Add(time.Minute)})
	}
	writePages(t, pool, st.user, rows)

	q := dbgen.New(pool)
	lib, err := loadLibrary(ctx, q, st.user)
	if err != nil {
		t.Fatal(err)
	}
	var targets []int
	for i, p := range lib.pdfs {
		if !done(p) {
			targets = append(targets, i)
		}
	}
	if len(targets) < 8 {
		t.Fatalf("%d targets", len(targets))
	}
	smp, err := loadSample(ctx, q, st.user, lib, targets)
	if err != nil {
		t.Fatal(err)
	}

	// The reference: every counted page of the student, newest first.
	type full struct {
		pdf                uuid.UUID
		page, secs, visits int32
		first, last        time.Time
		words              int32
	}
	all, err := pgx.CollectRows(mustQuery(t, pool, `SELECT ps.pdf_id, ps.page, ps.seconds_read, ps.visits, ps.first_read_at, ps.last_read_at, coalesce(pp.word_count, -1)
		FROM page_stats ps LEFT JOIN pdf_pages pp USING (user_id, pdf_id, page) WHERE ps.user_id = $1 AND ps.first_read_at IS NOT NULL`, st.user),
		func(r pgx.CollectableRow) (full, error) {
			var f full
			err := r.Scan(&f.pdf, &f.page, &f.secs, &f.visits, &f.first, &f.last, &f.words)
			return f, err
		})
	if err != nil {
		t.Fatal(err)
	}
	if len(smp.pages) >= len(all)/2 {
		t.Errorf("read %d of the %d pages of the history: the bounds do not bound", len(smp.pages), len(all))
	}
	slices.SortFunc(all, func(a, b full) int {
		if c := b.first.Compare(a.first); c != 0 {
			return c
		}
		if c := bytes.Compare(a.pdf[:], b.pdf[:]); c != 0 {
			return c
		}
		return cmp.Compare(a.page, b.page)
	})
	words := map[string]int32{}
	wr := mustQuery(t, pool, `SELECT pdf_id, page, word_count FROM pdf_pages WHERE user_id = $1 AND word_count IS NOT NULL`, st.user)
	for wr.Next() {
		var id uuid.UUID
		var p, w int32
		if err := wr.Scan(&id, &p, &w); err != nil {
			t.Fatal(err)
		}
		words[fmt.Sprint(id, p)] = w
	}
	kindOf := func(id uuid.UUID) estimate.Kind { return estimate.Kind(lib.pdfs[lib.index[id]].Kind) }
	obs := func(f full) estimate.Obs {
		return estimate.Obs{PDF: f.pdf, Kind: kindOf(f.pdf), Page: f.page, Words: f.words, Seconds: float64(f.secs), Visits: int(f.visits), LastReadAt: f.last}
	}
	for _, i := range targets {
		x := lib.pdfs[i]
		var want estimate.PDFInput
		var inTopic map[uuid.UUID]bool
		if x.TopicID != nil {
			inTopic = lib.subtree(*x.TopicID)
		}
		read := map[int32]bool{}
		for _, f := range all {
			if f.pdf == x.ID {
				read[f.page] = true
				want.Read = append(want.Read, obs(f))
				continue
			}
			if len(want.User) < SampleSize {
				want.User = append(want.User, obs(f))
			}
			if o := lib.pdfs[lib.index[f.pdf]]; inTopic != nil && o.TopicID != nil && inTopic[*o.TopicID] && len(want.Topic) < SampleSize {
				want.Topic = append(want.Topic, obs(f))
			}
		}
		for p := int32(1); p <= x.PageCount; p++ {
			if !read[p] {
				w, ok := words[fmt.Sprint(x.ID, p)]
				if !ok {
					w = -1
				}
				want.Remaining = append(want.Remaining, estimate.PageInfo{Page: p, Words: w})
			}
		}
		got := smp.input(i)
		if got.Kind != estimate.Kind(x.Kind) || len(got.Library) != len(lib.pdfs)-1 {
			t.Errorf("%s: kind %q, library of %d", x.Title, got.Kind, len(got.Library))
		}
		for name, pair := range map[string][2][]estimate.Obs{"read": {got.Read, want.Read}, "user": {got.User, want.User}, "topic": {got.Topic, want.Topic}} {
			if g, w := obsKeys(pair[0]), obsKeys(pair[1]); !slices.Equal(g, w) {
				t.Errorf("%s %s: %d pages, want %d (first difference at %d)", x.Title, name, len(g), len(w), firstDiff(g, w))
			}
		}
		if !slices.Equal(got.Remaining, want.Remaining) {
			t.Errorf("%s remaining: %d pages, want %d", x.Title, len(got.Remaining), len(want.Remaining))
		}
		if x.ID == big && (len(got.User) != SampleSize || len(got.Remaining) != 300) {
			t.Errorf("the big book: %d user pages, %d remaining", len(got.User), len(got.Remaining))
		}
	}
}

func firstDiff(a, b []string) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

func mustQuery(t *testing.T, pool interface {
	Query(context.Context, string, ...any) (pgx.Rows, error)
}, sql string, args ...any) pgx.Rows {
	t.Helper()
	rows, err := pool.Query(context.Background(), sql, args...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(rows.Close)
	return rows
}

// TestTopicAndLibrary: a topic is the sum of its PDFs with pages left and
// its open exercises, subtopics included (an archived subtopic too); the
// library leaves out archived subtrees; a PDF with no pages left answers
// zero, finished today; other students' objects are not found.
func TestTopicAndLibrary(t *testing.T) {
	t.Parallel()
	pool := testdb.Pool(t)
	ctx := context.Background()
	user := newUser(t, pool, "America/Los_Angeles")
	topicA := newTopic(t, pool, user, nil, "A")
	sub := newTopic(t, pool, user, &topicA, "A1")
	topicB := newTopic(t, pool, user, nil, "B")
	// A1 is archived; A2, made under it later, is not, but sits in an archived subtree.
	if _, err := pool.Exec(ctx, `UPDATE topics SET archived_at = now() WHERE id = $1`, sub); err != nil {
		t.Fatal(err)
	}
	deep := newTopic(t, pool, user, &sub, "A2")
	a1 := newPDF(t, pool, user, &topicA, "study", 10, end)
	a2 := newPDF(t, pool, user, &sub, "study", 5, end.Add(time.Second))
	a3 := newPDF(t, pool, user, &topicA, "study", 3, end.Add(2*time.Second))
	b1 := newPDF(t, pool, user, &topicB, "exercise", 8, end.Add(3*time.Second))
	loose := newPDF(t, pool, user, nil, "study", 6, end.Add(4*time.Second))
	a4 := newPDF(t, pool, user, &deep, "study", 2, end.Add(5*time.Second))
	var rows []pageRow
	for p := 1; p <= 4; p++ {
		rows = append(rows, pageRow{pdf: a1, page: p, seconds: 100, first: end.Add(time.Duration(p) * time.Minute), last: end.Add(time.Duration(p+1) * time.Minute)})
	}
	for p := 1; p <= 3; p++ {
		rows = append(rows, pageRow{pdf: a3, page: p, seconds: 80, first: end.Add(time.Duration(10+p) * time.Minute), last: end.Add(time.Duration(11+p) * time.Minute)})
	}
	writePages(t, pool, user, rows)
	exercise := func(pdf uuid.UUID, title string, done bool) {
		status, at, secs := "todo", (*time.Time)(nil), 0
		if done {
			status, at, secs = "done", &end, 900
		}
		if _, err := pool.Exec(ctx, `INSERT INTO exercises (user_id, pdf_id, page_start, page_end, title, difficulty, status, completed_at, time_spent_seconds)
			VALUES ($1, $2, 1, 2, $3, 3, $4, $5, $6)`, user, pdf, title, status, at, secs); err != nil {
			t.Fatal(err)
		}
	}
	exercise(a1, "open on a1", false)
	exercise(a3, "open on a3", false)
	exercise(a1, "done on a1", true)
	exercise(b1, "open on b1", false)

	// Study on each of the last 14 days, so there is a projected finish.
	today := analytics.DateOf(time.Now(), mustZone(t, "America/Los_Angeles"))
	for d := 1; d <= 14; d++ {
		at := today.AddDays(-d).Start(mustZone(t, "America/Los_Angeles")).Add(10 * time.Hour)
		if _, err := pool.Exec(ctx, `INSERT INTO user_study_buckets (user_id, bucket_start, active_seconds, read_seconds, pages_read, sessions) VALUES ($1, $2, 1800, 1500, 10, 1)`, user, at); err != nil {
			t.Fatal(err)
		}
	}
	// The day rollup of those buckets, as the timer's writes keep it.
	if err := dbgen.New(pool).RebuildUserStudyDays(ctx, user); err != nil {
		t.Fatal(err)
	}
	s := New(pool, time.Now)

	titles := func(a Answer) []string {
		var out []string
		for _, p := range a.Parts {
			out = append(out, string(p.Subject)+":"+p.Title)
		}
		return out
	}
	title := func(id uuid.UUID) string { return "pdf:PDF " + id.String()[:8] }
	check := func(name string, a Answer, want []string) {
		t.Helper()
		if got := titles(a); !slices.Equal(got, want) {
			t.Fatalf("%s parts %v, want %v", name, got, want)
		}
		var secs float64
		pages := 0
		for _, p := range a.Parts {
			secs += p.Estimate.RemainingSeconds
			if p.Subject == SubjectPDF {
				pages += p.Estimate.RemainingPages
			}
			if p.Estimate.RemainingSeconds <= 0 || p.Estimate.RemainingSeconds != math.Round(p.Estimate.RemainingSeconds) {
				t.Errorf("%s: part %s: %v", name, p.Title, p.Estimate)
			}
		}
		e := a.Estimate
		if e.RemainingSeconds != secs || e.RemainingPages != pages || !(e.LowSeconds <= e.RemainingSeconds && e.RemainingSeconds <= e.HighSeconds) {
			t.Errorf("%s: total %+v, parts add up to %g s, %d pages", name, e, secs, pages)
		}
		if a.Finish == nil || a.FinishReason != "" || a.Finish.Before(today) {
			t.Errorf("%s: finish %v %q", name, a.Finish, a.FinishReason)
		}
	}
	topic, err := s.Topic(ctx, user, topicA)
	if err != nil {
		t.Fatal(err)
	}
	check("topic A", topic, []string{title(a1), title(a2), title(a4), "exercise:open on a1", "exercise:open on a3"})
	if topic.Estimate.RemainingPages != 6+5+2 {
		t.Errorf("topic A pages %d", topic.Estimate.RemainingPages)
	}
	lib, err := s.Library(ctx, user)
	if err != nil {
		t.Fatal(err)
	}
	check("library", lib, []string{title(a1), title(b1), title(loose), "exercise:open on a1", "exercise:open on a3", "exercise:open on b1"})
	// The exercises learnt from the one done (900 s for 2 pages at difficulty 3).
	for _, p := range lib.Parts {
		if p.Subject == SubjectExercise && p.Estimate.Basis != estimate.BasisUser {
			t.Errorf("exercise %s: basis %s", p.Title, p.Estimate.Basis)
		}
	}

	finished, err := s.PDF(ctx, user, a3)
	if err != nil {
		t.Fatal(err)
	}
	if e := finished.Estimate; e.RemainingPages != 0 || e.RemainingSeconds != 0 || e.Basis != estimate.BasisPDF || e.Confidence != estimate.ConfidenceHigh ||
		finished.Finish == nil || *finished.Finish != today {
		t.Errorf("a finished PDF: %+v, finish %v", finished.Estimate, finished.Finish)
	}
	started, err := s.PDF(ctx, user, a1)
	if err != nil {
		t.Fatal(err)
	}
	if e := started.Estimate; e.RemainingPages != 6 || e.Basis != estimate.BasisPDF || started.Estimate != lib.Parts[0].Estimate {
		t.Errorf("a1: %+v; its part of the library %+v", e, lib.Parts[0].Estimate)
	}

	other := newUser(t, pool, "UTC")
	for name, err := range map[string]error{
		"pdf":   second(s.PDF(ctx, other, a1)),
		"topic": second(s.Topic(ctx, other, topicA)),
		"start": second(s.EstimateStart(ctx, other, a1, nil)),
	} {
		if !apperr.IsKind(err, apperr.NotFound) {
			t.Errorf("%s of another student: %v", name, err)
		}
	}
	empty, err := s.Library(ctx, other)
	if err != nil {
		t.Fatal(err)
	}
	if len(empty.Parts) != 0 || empty.Estimate.RemainingSeconds != 0 || empty.Finish == nil {
		t.Errorf("an empty library: %+v", empty)
	}
	if empty, err = s.PDF(ctx, other, newPDF(t, pool, other, nil, "study", 4, end)); err != nil {
		t.Fatal(err)
	}
	if e := empty.Estimate; e.Basis != estimate.BasisDefault || e.RemainingSeconds != 4*estimate.DefaultStudySeconds ||
		empty.Finish != nil || empty.FinishReason != analytics.ReasonNoRecentStudy {
		t.Errorf("a new student's PDF: %+v, finish %v %q", e, empty.Finish, empty.FinishReason)
	}
}

func second[T any](_ T, err error) error { return err }

func mustZone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// TestAccuracyReport: the median absolute percentage error, the bias and
// the interval coverage of finished records, overall and per topic, with
// counts; records still open are counted apart.
func TestAccuracyReport(t *testing.T) {
	t.Parallel()
	pool := testdb.Pool(t)
	ctx := context.Background()
	user := newUser(t, pool, "UTC")
	alpha := newTopic(t, pool, user, nil, "Alpha")
	beta := newTopic(t, pool, user, nil, "Beta")
	record := func(topic *uuid.UUID, est, low, high float64, actual *int64) {
		t.Helper()
		var finished *time.Time
		if actual != nil {
			finished = &end
		}
		if _, err := pool.Exec(ctx, `INSERT INTO estimate_records (user_id, subject, topic_id, started_at, remaining_pages, estimated_seconds, low_seconds, high_seconds,
			basis, confidence, finished_at, actual_seconds, created_at) VALUES ($1, 'exercise', $2, $3, 1, $4, $5, $6, 'user', 'medium', $7, $8, $3)`,
			user, topic, end, est, low, high, finished, actual); err != nil {
			t.Fatal(err)
		}
	}
	n := func(v int64) *int64 { return &v }
	record(&alpha, 1000, 850, 1300, n(800)) // +25 %, outside
	record(&alpha, 500, 300, 1100, n(1000)) // -50 %, inside
	record(&beta, 900, 700, 1200, n(1000))  // -10 %, inside
	record(&beta, 900, 700, 1200, nil)      // open
	record(nil, 600, 500, 700, n(600))      // 0 %, inside, no topic
	record(&alpha, 400, 300, 500, n(0))     // no actual time: not measured
	other := newUser(t, pool, "UTC")        // another student's records do not count
	if _, err := pool.Exec(ctx, `INSERT INTO estimate_records (user_id, subject, started_at, remaining_pages, estimated_seconds, low_seconds, high_seconds,
		basis, confidence, finished_at, actual_seconds, created_at) VALUES ($1, 'pdf', $2, 1, 10, 1, 20, 'user', 'low', $2, 1000, $2)`, other, end); err != nil {
		t.Fatal(err)
	}
	got, err := New(pool, nil).Accuracy(ctx, user)
	if err != nil {
		t.Fatal(err)
	}
	show := func(g AccuracyGroup) string {
		f := func(p *float64) string {
			if p == nil {
				return "-"
			}
			return fmt.Sprint(*p)
		}
		return fmt.Sprintf("%s n%d open%d mdape %s bias %s inside %s", g.TopicName, g.Measured, g.Open, f(g.MedianAbsoluteErrorPercent), f(g.BiasPercent), f(g.InsideIntervalPercent))
	}
	// Errors +25, -50, -10, 0: |e| median (10+25)/2, e median (-10+0)/2.
	want := []string{
		" n4 open1 mdape 17.5 bias -5 inside 75",
		"Alpha n2 open0 mdape 37.5 bias -12.5 inside 50",
		"Beta n1 open1 mdape 10 bias -10 inside 100",
		" n1 open0 mdape 0 bias 0 inside 100",
	}
	var lines []string
	lines = append(lines, show(got.Overall))
	for _, g := range got.Topics {
		lines = append(lines, show(g))
	}
	if !slices.Equal(lines, want) {
		t.Errorf("report\n%v\nwant\n%v", lines, want)
	}
	if got.Topics[0].TopicID == nil || *got.Topics[0].TopicID != alpha || got.Topics[2].TopicID != nil {
		t.Errorf("topic ids %+v", got.Topics)
	}
	none, err := New(pool, nil).Accuracy(ctx, newUser(t, pool, "UTC"))
	if err != nil || none.Overall.Measured != 0 || none.Overall.MedianAbsoluteErrorPercent != nil || len(none.Topics) != 0 {
		t.Errorf("no records: %+v %v", none, err)
	}
}

// TestRecordable: only finite, ordered estimates with something to do are
// recorded (so the insert cannot break estimate_records_estimate_check).
func TestRecordable(t *testing.T) {
	t.Parallel()
	ok := estimate.Estimate{RemainingPages: 3, RemainingSeconds: 300, LowSeconds: 200, HighSeconds: 450}
	for _, c := range []struct {
		name string
		edit func(*estimate.Estimate)
		want bool
	}{
		{"ok", func(*estimate.Estimate) {}, true},
		{"nothing left", func(e *estimate.Estimate) { e.RemainingPages, e.RemainingSeconds = 0, 0 }, false},
		{"no time", func(e *estimate.Estimate) { e.RemainingSeconds = 0 }, false},
		{"NaN", func(e *estimate.Estimate) { e.LowSeconds = math.NaN() }, false},
		{"infinite", func(e *estimate.Estimate) { e.HighSeconds = math.Inf(1) }, false},
		{"negative", func(e *estimate.Estimate) { e.LowSeconds = -1 }, false},
		{"inverted", func(e *estimate.Estimate) { e.LowSeconds, e.HighSeconds = 500, 400 }, false},
	} {
		e := ok
		c.edit(&e)
		if got := Recordable(e); got != c.want {
			t.Errorf("%s: %v", c.name, got)
		}
	}
}
