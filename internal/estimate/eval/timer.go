package eval

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/studysprint/studysprint/dbgen"
	"github.com/studysprint/studysprint/internal/database"
	"github.com/studysprint/studysprint/internal/estimate"
	"github.com/studysprint/studysprint/internal/estimate/sim"
	"github.com/studysprint/studysprint/internal/library"
	"github.com/studysprint/studysprint/internal/study"
	"github.com/studysprint/studysprint/internal/textindex"
)

// Timer is the real timer path as a Pipeline: events -> study.Service ->
// database -> page_stats. Each generated student becomes a user of the
// database it is given, with their topics (library.CreateTopic), PDFs
// (the upload's row, CreatePDF) and per-page word counts (the text
// worker's InsertPDFPages and FinishTextExtraction: -1 is a page without a
// text layer, a PDF without any text is no_text) and exercises
// (library.CreateExercise). Every session goes through study.Service.Start
// and Ingest, its events in batches of at most study.MaxBatch, with the
// service's clock at the session's last event (as if the client sent them
// as it went). What Feed returns is read back from page_stats (joined with
// pdf_pages for the word counts) and, for exercises, from the exercise's
// time kept by the timer.
//
// The timer needs a page to start a session on; a session on an exercise
// starts on the exercise's first page (sim does so), and its dwells there
// count in page_stats like any other.
//
// Timer is safe for one Run at a time (the clock is shared).
type Timer struct {
	pool *pgxpool.Pool
	q    *dbgen.Queries
	svc  *study.Service
	lib  *library.Service

	mu    sync.Mutex
	clock time.Time
	users map[uuid.UUID]*timerUser
}

type timerUser struct {
	id        uuid.UUID
	kinds     map[uuid.UUID]estimate.Kind
	exercises map[uuid.UUID]uuid.UUID // sim id -> database id
	pages     map[uuid.UUID][]estimate.Obs
	reading   map[uuid.UUID]map[int32]float64
	exTimes   map[uuid.UUID]ExerciseTime // by sim id
}

// NewTimer is the timer pipeline on a migrated database.
func NewTimer(pool *pgxpool.Pool) *Timer {
	t := &Timer{pool: pool, q: dbgen.New(pool), users: map[uuid.UUID]*timerUser{}}
	now := func() time.Time {
		t.mu.Lock()
		defer t.mu.Unlock()
		return t.clock
	}
	t.svc = study.NewService(pool, now, nil)
	t.lib = library.NewService(library.Config{}, library.Deps{Pool: pool, Now: now})
	return t
}

func (t *Timer) setClock(at time.Time) {
	t.mu.Lock()
	t.clock = at
	t.mu.Unlock()
}

// Feed stores the sessions through the timer and returns the student's
// observations.
func (t *Timer) Feed(ctx context.Context, student sim.Student, sessions []sim.Session) (Observed, error) {
	u := t.users[student.ID]
	if u == nil {
		var err error
		if u, err = t.create(ctx, student); err != nil {
			return Observed{}, fmt.Errorf("create the student: %w", err)
		}
		t.users[student.ID] = u
	}
	touched := map[uuid.UUID]bool{}
	for _, s := range sessions {
		if err := t.session(ctx, u, s); err != nil {
			return Observed{}, fmt.Errorf("session %s: %w", s.ID, err)
		}
		touched[s.PDF] = true
	}
	for pdf := range touched {
		if err := t.readPages(ctx, u, pdf); err != nil {
			return Observed{}, err
		}
	}
	return u.observed(), nil
}

// create makes the student's user, topics, PDFs, pages and exercises.
func (t *Timer) create(ctx context.Context, st sim.Student) (*timerUser, error) {
	first := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	t.setClock(first)
	name := "eval" + st.ID.String()[:18]
	user, err := t.q.CreateUser(ctx, dbgen.CreateUserParams{Email: name + "@example.com", Username: name, Timezone: "UTC", PasswordHash: "x"})
	if err != nil {
		return nil, err
	}
	if err := t.q.CreateUserPreferences(ctx, user.ID); err != nil {
		return nil, err
	}
	u := &timerUser{id: user.ID, kinds: map[uuid.UUID]estimate.Kind{}, exercises: map[uuid.UUID]uuid.UUID{},
		pages: map[uuid.UUID][]estimate.Obs{}, reading: map[uuid.UUID]map[int32]float64{}, exTimes: map[uuid.UUID]ExerciseTime{}}
	topics := map[uuid.UUID]uuid.UUID{}
	for _, tp := range st.Topics {
		row, err := t.lib.CreateTopic(ctx, user.ID, library.TopicInput{Name: tp.Name})
		if err != nil {
			return nil, fmt.Errorf("topic %s: %w", tp.Name, err)
		}
		topics[tp.ID] = row.ID
	}
	for _, p := range st.PDFs {
		if err := t.createPDF(ctx, user.ID, topics[p.Topic], p, first); err != nil {
			return nil, fmt.Errorf("PDF %s: %w", p.ID, err)
		}
		u.kinds[p.ID] = p.Kind
	}
	for _, ex := range st.Exercises {
		d, end := ex.Difficulty, ex.PageEnd
		row, err := t.lib.CreateExercise(ctx, user.ID, ex.PDF, library.ExerciseInput{Title: "exercise", Difficulty: &d,
			PageStart: ex.PageStart, PageEnd: &end})
		if err != nil {
			return nil, fmt.Errorf("exercise %s: %w", ex.ID, err)
		}
		u.exercises[ex.ID] = row.ID
	}
	return u, nil
}

// createPDF stores a PDF as an upload and the text worker would: the row
// (under the generated id), then its pages with their word counts and the
// text status.
func (t *Timer) createPDF(ctx context.Context, userID, topicID uuid.UUID, p sim.PDF, now time.Time) error {
	sum := sha256.Sum256(p.ID[:])
	return database.InTx(ctx, t.pool, func(q *dbgen.Queries) error {
		if _, err := q.CreatePDF(ctx, dbgen.CreatePDFParams{ID: p.ID, UserID: userID, TopicID: &topicID, Kind: string(p.Kind),
			Title: string(p.Style), OriginalFilename: "eval.pdf", PageCount: int32(p.PageCount()), SizeBytes: 1,
			Sha256: sum[:], StorageKey: library.PDFStorageKey(userID, p.ID), Now: now}); err != nil {
			return err
		}
		batch := dbgen.InsertPDFPagesParams{UserID: userID, PdfID: p.ID, Lang1: "simple", Lang2: "english"}
		words := int32(0)
		withText := false
		for i, w := range p.Words {
			batch.Pages = append(batch.Pages, int32(i+1))
			batch.WordCounts = append(batch.WordCounts, w)
			batch.Texts = append(batch.Texts, "")
			if w > 0 {
				words += w
				withText = true
			}
		}
		if err := q.InsertPDFPages(ctx, batch); err != nil {
			return err
		}
		fin := dbgen.FinishTextExtractionParams{TextStatus: textindex.StatusNoText, ID: p.ID, UserID: userID}
		if withText {
			fin.TextStatus, fin.WordCount = textindex.StatusDone, &words
		}
		return q.FinishTextExtraction(ctx, fin)
	})
}

// eventID is a client-made event id, the same for the same event of the
// same session.
func eventID(session uuid.UUID, i int) uuid.UUID {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(i))
	return uuid.NewSHA1(session, b[:])
}

// session starts one session and ingests its events.
func (t *Timer) session(ctx context.Context, u *timerUser, s sim.Session) error {
	end := s.StartAt
	if n := len(s.Events); n > 0 {
		end = s.Events[n-1].At
	}
	t.setClock(end)
	start := s.StartAt
	in := study.StartInput{StartedAt: &start}
	if s.StartPage > 0 {
		page := s.StartPage
		in.StartPage = &page
	}
	if s.Exercise != uuid.Nil {
		id, ok := u.exercises[s.Exercise]
		if !ok {
			return fmt.Errorf("unknown exercise %s", s.Exercise)
		}
		in.ExerciseID = &id
	} else {
		pdf := s.PDF
		in.PDFID = &pdf
	}
	st, err := t.svc.Start(ctx, u.id, in)
	if err != nil {
		return fmt.Errorf("start: %w", err)
	}
	batch := make([]study.Incoming, 0, min(len(s.Events), study.MaxBatch))
	var res study.IngestResult
	for i, e := range s.Events {
		batch = append(batch, study.Incoming{ID: eventID(s.ID, i), Type: string(e.Type), Page: e.Page, At: e.At})
		if len(batch) == study.MaxBatch || i == len(s.Events)-1 {
			if res, err = t.svc.Ingest(ctx, u.id, st.Row.ID, batch); err != nil {
				return fmt.Errorf("ingest: %w", err)
			}
			if len(res.Rejected) > 0 {
				return fmt.Errorf("ingest: %d events rejected, the first %s", len(res.Rejected), res.Rejected[0].Reason)
			}
			batch = batch[:0]
		}
	}
	if s.Exercise != uuid.Nil {
		ex, err := t.q.GetExercise(ctx, dbgen.GetExerciseParams{ID: u.exercises[s.Exercise], UserID: u.id})
		if err != nil {
			return err
		}
		at := end
		if res.State.EndedAt != nil {
			at = *res.State.EndedAt
		}
		u.exTimes[s.Exercise] = ExerciseTime{Exercise: s.Exercise, Seconds: float64(ex.TimeSpentSeconds), LastAt: at}
	}
	return nil
}

// pageStats reads one PDF's counted pages: page_stats with the pages' word
// counts. (The estimates' loader has queries of its own; the evaluation
// reads the tables the timer keeps.)
const pageStats = `
SELECT ps.page, ps.seconds_read, ps.visits, ps.last_read_at, coalesce(pp.word_count, -1)
FROM page_stats ps
LEFT JOIN pdf_pages pp ON pp.user_id = ps.user_id AND pp.pdf_id = ps.pdf_id AND pp.page = ps.page
WHERE ps.user_id = $1 AND ps.pdf_id = $2 AND ps.seconds_read > 0
ORDER BY ps.page`

// readingSeconds is the same PDF's counted seconds per page from the
// sessions not on an exercise (study_session_pages, whose sum page_stats is).
const readingSeconds = `
SELECT sp.page, sum(sp.seconds)::integer
FROM study_session_pages sp
JOIN study_sessions s ON s.id = sp.session_id AND s.user_id = sp.user_id
WHERE sp.user_id = $1 AND sp.pdf_id = $2 AND s.exercise_id IS NULL AND sp.seconds > 0
GROUP BY sp.page`

func (t *Timer) readPages(ctx context.Context, u *timerUser, pdf uuid.UUID) error {
	rows, err := t.pool.Query(ctx, pageStats, u.id, pdf)
	if err != nil {
		return err
	}
	out := u.pages[pdf][:0]
	for rows.Next() {
		o := estimate.Obs{PDF: pdf, Kind: u.kinds[pdf]}
		var secs, visits int32
		var last *time.Time
		if err := rows.Scan(&o.Page, &secs, &visits, &last, &o.Words); err != nil {
			rows.Close()
			return err
		}
		o.Seconds, o.Visits = float64(secs), int(visits)
		if last != nil {
			o.LastReadAt = last.UTC()
		}
		out = append(out, o)
	}
	if rows.Close(); rows.Err() != nil {
		return rows.Err()
	}
	u.pages[pdf] = out
	if rows, err = t.pool.Query(ctx, readingSeconds, u.id, pdf); err != nil {
		return err
	}
	defer rows.Close()
	reading := map[int32]float64{}
	for rows.Next() {
		var page, secs int32
		if err := rows.Scan(&page, &secs); err != nil {
			return err
		}
		reading[page] = float64(secs)
	}
	u.reading[pdf] = reading
	return rows.Err()
}

func (u *timerUser) observed() Observed {
	var out Observed
	for _, ps := range u.pages {
		out.Pages = append(out.Pages, ps...)
	}
	slices.SortFunc(out.Pages, func(a, b estimate.Obs) int {
		return cmp.Or(slices.Compare(a.PDF[:], b.PDF[:]), cmp.Compare(a.Page, b.Page))
	})
	for _, x := range u.exTimes {
		out.Exercises = append(out.Exercises, x)
	}
	slices.SortFunc(out.Exercises, func(a, b ExerciseTime) int { return slices.Compare(a.Exercise[:], b.Exercise[:]) })
	out.Reading = make(map[uuid.UUID]map[int32]float64, len(u.reading))
	for pdf, r := range u.reading {
		out.Reading[pdf] = maps.Clone(r)
	}
	return out
}
