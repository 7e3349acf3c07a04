// Package seed fills a database with realistic study history, fast, for
// benchmarks and demos (`studysprint seed`): users with preferences and a
// valid password, a topic tree, PDFs with their pages' word counts and a
// little text, exercises, and years of timer sessions with every event a
// reader app would have sent.
//
// # Derived, not invented
//
// A session is generated as what a client sends — a start, page,
// heartbeat, pause, resume and stop events, the batches they arrive in —
// and everything the timer derives from that is computed by the timer's
// own code (study.Finish: Classify, the fold of Ingest, End, Summarize and
// the whole-second split of settle): the study_sessions numbers and
// checkpoint, study_session_pages, study_session_buckets, and from those
// the sums the timer keeps (page_stats, user_study_buckets,
// exercises.time_spent_seconds, pdfs.current_page). A test replays seeded
// sessions through study.Service and finds the same rows.
//
// Event times are whole seconds (a client's clock to the millisecond would
// make the rounding of per-page seconds depend on how the events were
// batched; whole seconds make every split exact).
//
// # Fast
//
// Rows are written with COPY (the :copyfrom queries of sql/queries/seed.sql)
// in chunks of about 50,000 events, one transaction each, by a few workers,
// one user at a time each; ids are version 7 UUIDs in time order, so the
// primary keys are filled in order. pdf_pages is written with the text
// extractor's own queries (its tsvector comes from PostgreSQL's parsers).
// Indexes stay in place; at the end the seeded tables are vacuumed and
// analysed, so a benchmark run straight after sees planner statistics and
// a visibility map, not a table nobody has looked at.
//
// # Determinism and reruns
//
// The same --seed, --until, user count and days give the same history; the
// prefix names the users (prefix-001, …) and changes only the ids, so a run
// with another prefix adds users beside the existing ones. Event seqs come
// from the database's identity sequence (reserved per chunk). Seeded PDFs
// have no file in the blob store: their download answers 404 file_missing.
package seed

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"sync"
	"sync/atomic"
	"time"
	_ "time/tzdata" // the users' zones without the host's zoneinfo

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"golang.org/x/crypto/bcrypt"

	"github.com/studysprint/studysprint/dbgen"
	"github.com/studysprint/studysprint/internal/auth"
	"github.com/studysprint/studysprint/internal/database"
	"github.com/studysprint/studysprint/internal/study"
)

// Options is one seed run.
type Options struct {
	Users       int
	Days        int // of history, ending at Until
	PDFsPerUser int
	Seed        uint64
	Prefix      string // usernames are Prefix-001, …; emails Prefix-001@example.com
	Password    string // every seeded user's
	BcryptCost  int    // of the one hash all users share
	Until       time.Time
	Heartbeat   time.Duration // the client's heartbeat interval
	Workers     int           // users written at once
	Languages   [2]string     // SEARCH_LANGUAGES, for the pages' text vectors
	Vacuum      bool          // VACUUM (ANALYZE) the seeded tables at the end
	// DryRun generates and derives everything but writes nothing (no pool
	// needed): the row counts and the generator's own speed.
	DryRun bool
	Log    *slog.Logger // progress; nil: none

	passwordHash string
}

// The bounds of Options.
const (
	MaxUsers       = 100_000
	MaxDays        = 20 * 366
	MaxPDFsPerUser = 200
)

var prefixRE = regexp.MustCompile(`^[a-z0-9_]{1,20}$`)

// Validate reports the first option out of range.
func (o Options) Validate() error {
	switch {
	case o.Users < 1 || o.Users > MaxUsers:
		return fmt.Errorf("users must be 1..%d", MaxUsers)
	case o.Days < 1 || o.Days > MaxDays:
		return fmt.Errorf("days must be 1..%d", MaxDays)
	case o.PDFsPerUser < 1 || o.PDFsPerUser > MaxPDFsPerUser:
		return fmt.Errorf("pdfs per user must be 1..%d", MaxPDFsPerUser)
	case !prefixRE.MatchString(o.Prefix):
		return errors.New("user prefix must be 1..20 of a-z, 0-9 and _")
	case len(o.Password) < auth.MinPasswordBytes || len(o.Password) > auth.MaxPasswordBytes:
		return fmt.Errorf("password must be %d..%d bytes", auth.MinPasswordBytes, auth.MaxPasswordBytes)
	case o.BcryptCost < bcrypt.MinCost || o.BcryptCost > bcrypt.MaxCost:
		return fmt.Errorf("bcrypt cost must be %d..%d", bcrypt.MinCost, bcrypt.MaxCost)
	case o.Until.Year() < 2001:
		return errors.New("until must be after 2001")
	case o.Heartbeat < 5*time.Second || o.Heartbeat > 5*time.Minute || o.Heartbeat%time.Second != 0:
		return errors.New("heartbeat must be whole seconds, 5s..5m")
	case o.Workers < 1 || o.Workers > 64:
		return errors.New("workers must be 1..64")
	case !o.DryRun && (o.Languages[0] == "" || o.Languages[1] == ""):
		return errors.New("two text search languages are needed (SEARCH_LANGUAGES)")
	}
	return nil
}

// Tables lists the tables a run fills, in the order the report gives them.
var Tables = []string{
	"users", "user_preferences", "topics", "pdfs", "exercises", "pdf_pages", "pdf_lexemes",
	"study_sessions", "study_events", "study_session_pages", "study_session_buckets", "page_stats", "pdf_reading",
	"user_study_buckets",
}

// Report is what a run did.
type Report struct {
	Users    []SeededUser
	Password string
	Rows     map[string]int64 // per table (Tables)
	// Load is the time to generate and write everything; Vacuum that of
	// VACUUM (ANALYZE) afterwards.
	Load, Vacuum time.Duration
}

// SeededUser is one account a run made. The first one studies every day.
type SeededUser struct {
	ID              string
	Username, Email string
	Timezone        string
}

// TotalRows is the sum of Rows.
func (r Report) TotalRows() int64 {
	var n int64
	for _, v := range r.Rows {
		n += v
	}
	return n
}

// ErrPrefixInUse: users with the run's usernames exist already.
var ErrPrefixInUse = errors.New("seed: users with this prefix exist already; choose another --user-prefix")

// chunkEvents is about how many events one COPY transaction writes.
const chunkEvents = 50_000

type run struct {
	o     Options
	pool  *pgxpool.Pool
	rows  map[string]*atomic.Int64
	local atomic.Int64 // dry run: the seq counter
}

// Run seeds the database behind pool (nil with DryRun).
func Run(ctx context.Context, pool *pgxpool.Pool, o Options) (Report, error) {
	if err := o.Validate(); err != nil {
		return Report{}, err
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	o.Until = o.Until.UTC().Truncate(time.Second)
	hash, err := bcrypt.GenerateFromPassword([]byte(o.Password), o.BcryptCost)
	if err != nil {
		return Report{}, err
	}
	o.passwordHash = string(hash)
	r := &run{o: o, pool: pool, rows: map[string]*atomic.Int64{}}
	for _, t := range Tables {
		r.rows[t] = &atomic.Int64{}
	}
	began := time.Now()

	users := make([]*user, o.Users)
	names := make([]string, o.Users)
	for i := range users {
		if users[i], err = planUser(o, i); err != nil {
			return Report{}, err
		}
		names[i] = users[i].row.Username
	}
	rep := Report{Password: o.Password, Rows: map[string]int64{}}
	for _, u := range users {
		rep.Users = append(rep.Users, SeededUser{ID: u.row.ID.String(), Username: u.row.Username, Email: u.row.Email, Timezone: u.row.Timezone})
	}
	if err := r.base(ctx, users, names); err != nil {
		return Report{}, err
	}

	stopProgress := r.progress(began)
	err = r.each(ctx, users)
	stopProgress()
	rep.Load = time.Since(began)
	for t, n := range r.rows {
		rep.Rows[t] = n.Load()
	}
	if err != nil {
		return rep, err
	}
	if o.Vacuum && !o.DryRun {
		t := time.Now()
		for _, table := range Tables {
			if _, err := pool.Exec(ctx, "VACUUM (ANALYZE) "+pgx.Identifier{table}.Sanitize()); err != nil {
				return rep, fmt.Errorf("vacuum %s: %w", table, err)
			}
		}
		rep.Vacuum = time.Since(t)
	}
	return rep, nil
}

// base writes every user's account, preferences, topics, PDFs and
// exercises in one transaction (refused when the prefix is in use).
func (r *run) base(ctx context.Context, users []*user, names []string) error {
	var (
		us   []dbgen.CopyUsersParams
		ps   []dbgen.CopyUserPreferencesParams
		ts   []dbgen.CopyTopicsParams
		pdfs []dbgen.CopyPDFsParams
		exs  []dbgen.CopyExercisesParams
	)
	for _, u := range users {
		us, ps = append(us, u.row), append(ps, u.prefs)
		ts = append(ts, u.topics...)
		for _, p := range u.pdfs {
			pdfs = append(pdfs, p.row)
		}
		for _, e := range u.exercises {
			exs = append(exs, e.row)
		}
	}
	if r.o.DryRun {
		r.count("users", len(us), nil)
		r.count("user_preferences", len(ps), nil)
		r.count("topics", len(ts), nil)
		r.count("pdfs", len(pdfs), nil)
		r.count("exercises", len(exs), nil)
		return nil
	}
	return database.InTx(ctx, r.pool, func(q *dbgen.Queries) error {
		taken, err := q.CountUsersNamed(ctx, names)
		if err != nil {
			return err
		}
		if taken > 0 {
			return ErrPrefixInUse
		}
		for _, step := range []struct {
			table string
			copy  func() (int64, error)
		}{
			{"users", func() (int64, error) { return q.CopyUsers(ctx, us) }},
			{"user_preferences", func() (int64, error) { return q.CopyUserPreferences(ctx, ps) }},
			{"topics", func() (int64, error) { return q.CopyTopics(ctx, ts) }},
			{"pdfs", func() (int64, error) { return q.CopyPDFs(ctx, pdfs) }},
			{"exercises", func() (int64, error) { return q.CopyExercises(ctx, exs) }},
		} {
			n, err := step.copy()
			if err := r.count(step.table, int(n), err); err != nil {
				return err
			}
		}
		return nil
	})
}

func (r *run) count(table string, n int, err error) error {
	if err != nil {
		return fmt.Errorf("%s: %w", table, err)
	}
	r.rows[table].Add(int64(n))
	return nil
}

// each runs Workers workers over the users (the first, the biggest, first).
func (r *run) each(ctx context.Context, users []*user) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	next := make(chan *user)
	var wg sync.WaitGroup
	for range min(r.o.Workers, len(users)) {
		wg.Go(func() {
			for u := range next {
				if err := r.user(ctx, u); err != nil {
					cancel(fmt.Errorf("user %s: %w", u.row.Username, err))
					return
				}
			}
		})
	}
feed:
	for _, u := range users {
		select {
		case next <- u:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	if err := context.Cause(ctx); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return ctx.Err()
}

// progress logs the rows written every ten seconds until stopped.
func (r *run) progress(began time.Time) func() {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(10 * time.Second)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				ev := r.rows["study_events"].Load()
				el := time.Since(began)
				r.o.Log.Info("seeding", "study_events", ev, "study_sessions", r.rows["study_sessions"].Load(),
					"elapsed", el.Round(time.Second).String(), "events_per_second", int64(float64(ev)/el.Seconds()))
			}
		}
	})
	return func() { close(done); wg.Wait() }
}

// user writes one user's pages, history and rollups.
func (r *run) user(ctx context.Context, u *user) error {
	if err := r.pages(ctx, u); err != nil {
		return err
	}
	acc := newRollup()
	var chunk []*rawSession
	events := 0
	var rows sessionRows
	flush := func() error {
		if len(chunk) == 0 {
			return nil
		}
		seq, err := r.reserve(ctx, events)
		if err != nil {
			return err
		}
		rows.reset()
		for _, s := range chunk {
			f, err := study.Finish(study.FinishInput{
				Rules: s.rules, StartedAt: s.startedAt, StartPage: s.startPage, PageCount: s.pdf.row.PageCount,
				Events: s.events, FirstSeq: seq, LastHeard: s.lastHeard(), Now: s.settleAt(),
			})
			if err != nil {
				return fmt.Errorf("session at %s: %w", s.startedAt.Format(time.RFC3339), err)
			}
			seq += int64(len(s.events))
			rows.add(u, s, f)
			acc.add(u, s, f)
		}
		chunk, events = chunk[:0], 0
		return r.write(ctx, &rows)
	}
	pl := &player{u: u, g: u.gen, heartbeat: r.o.Heartbeat, until: r.o.Until, days: r.o.Days}
	err := pl.play(func(s *rawSession) error {
		chunk = append(chunk, s)
		events += len(s.events)
		if events >= chunkEvents {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	if err != nil {
		return err
	}
	return r.rollups(ctx, u, acc)
}

// reserve takes n event seqs and returns the first.
func (r *run) reserve(ctx context.Context, n int) (int64, error) {
	if r.o.DryRun {
		return r.local.Add(int64(n)) - int64(n) + 1, nil
	}
	last, err := dbgen.New(r.pool).ReserveStudyEventSeqs(ctx, int64(n))
	return last - int64(n) + 1, err
}

// write copies one chunk of sessions in one transaction.
func (r *run) write(ctx context.Context, rows *sessionRows) error {
	if r.o.DryRun {
		r.count("study_sessions", len(rows.sessions), nil)
		r.count("study_events", len(rows.events), nil)
		r.count("study_session_pages", len(rows.pages), nil)
		r.count("study_session_buckets", len(rows.buckets), nil)
		return nil
	}
	return database.InTx(ctx, r.pool, func(q *dbgen.Queries) error {
		n, err := q.CopyStudySessions(ctx, rows.sessions)
		if err := r.count("study_sessions", int(n), err); err != nil {
			return err
		}
		n, err = q.CopyStudyEvents(ctx, rows.events)
		if err := r.count("study_events", int(n), err); err != nil {
			return err
		}
		n, err = q.CopyStudySessionPages(ctx, rows.pages)
		if err := r.count("study_session_pages", int(n), err); err != nil {
			return err
		}
		n, err = q.CopyStudySessionBuckets(ctx, rows.buckets)
		return r.count("study_session_buckets", int(n), err)
	})
}

// pages writes the pages of the user's PDFs (word counts, an excerpt of
// text and its search vector) with the text extractor's queries.
func (r *run) pages(ctx context.Context, u *user) error {
	const batch = 500
	for _, p := range u.pdfs {
		if r.o.DryRun {
			r.count("pdf_pages", len(p.words), nil)
			r.count("pdf_lexemes", 0, nil) // depends on the text: not known without writing it
			continue
		}
		err := database.InTx(ctx, r.pool, func(q *dbgen.Queries) error {
			for from := int32(1); from <= p.row.PageCount; from += batch {
				params := dbgen.InsertPDFPagesParams{UserID: u.row.ID, PdfID: p.row.ID, Lang1: r.o.Languages[0], Lang2: r.o.Languages[1]}
				for page := from; page < from+batch && page <= p.row.PageCount; page++ {
					params.Pages = append(params.Pages, page)
					params.WordCounts = append(params.WordCounts, p.words[page-1])
					params.Texts = append(params.Texts, p.pageText(page))
				}
				if err := r.count("pdf_pages", len(params.Pages), q.InsertPDFPages(ctx, params)); err != nil {
					return err
				}
			}
			n, err := q.BuildPDFLexemes(ctx, dbgen.BuildPDFLexemesParams{PdfID: p.row.ID, UserID: u.row.ID})
			return r.count("pdf_lexemes", int(n), err)
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// rollups writes the user's page_stats (and pdf_reading), user_study_buckets and
// user_study_days and moves its
// PDFs and exercises to where the sessions left them.
func (r *run) rollups(ctx context.Context, u *user, acc *rollup) error {
	stats, buckets := acc.pageStats(), acc.userBuckets()
	if r.o.DryRun {
		r.count("page_stats", len(stats), nil)
		r.count("user_study_buckets", len(buckets), nil)
		return nil
	}
	return database.InTx(ctx, r.pool, func(q *dbgen.Queries) error {
		n, err := q.CopyPageStats(ctx, stats)
		if err := r.count("page_stats", int(n), err); err != nil {
			return err
		}
		// pdf_reading, the per-PDF rollup of those rows, by the query
		// that checks it.
		n, err = q.RefreshUserPDFReading(ctx, u.row.ID)
		if err := r.count("pdf_reading", int(n), err); err != nil {
			return err
		}
		n, err = q.CopyUserStudyBuckets(ctx, buckets)
		if err := r.count("user_study_buckets", int(n), err); err != nil {
			return err
		}
		// The day rollup in the user's zone, by the query a change of zone
		// uses.
		if err := q.RebuildUserStudyDays(ctx, u.row.ID); err != nil {
			return err
		}
		if err := q.SetSeedPDFProgress(ctx, acc.pdfParams(u.row.ID)); err != nil {
			return err
		}
		return q.SetSeedExerciseProgress(ctx, acc.exerciseParams(u.row.ID))
	})
}
