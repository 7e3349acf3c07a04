package seed

import (
	"cmp"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/studysprint/studysprint/dbgen"
	"github.com/studysprint/studysprint/internal/library"
	"github.com/studysprint/studysprint/internal/study"
)

// sessionRows are the rows one finished session adds to the study tables.
type sessionRows struct {
	sessions []dbgen.CopyStudySessionsParams
	events   []dbgen.CopyStudyEventsParams
	pages    []dbgen.CopyStudySessionPagesParams
	buckets  []dbgen.CopyStudySessionBucketsParams
}

func (r *sessionRows) reset() {
	r.sessions, r.events, r.pages, r.buckets = r.sessions[:0], r.events[:0], r.pages[:0], r.buckets[:0]
}

// add appends the rows of session s, whose timer numbers are f, as Ingest
// would have stored them.
func (r *sessionRows) add(u *user, s *rawSession, f study.Finished) {
	userID, pdfID := u.row.ID, s.pdf.row.ID
	reason := string(f.EndedReason)
	ended := f.EndedAt
	row := dbgen.CopyStudySessionsParams{
		ID: s.id, UserID: userID, PdfID: pdfID, Source: string(study.SourceTimer), Pomodoro: s.pomodoro,
		Rules: f.Rules, IdleThresholdSeconds: f.IdleThresholdSeconds, PageCount: s.pdf.row.PageCount,
		StartedAt: s.startedAt, Status: string(study.StatusEnded), EndedAt: &ended, EndedReason: &reason,
		LastEventAt: f.LastEventAt, LastHeardAt: s.lastHeard(), CurrentPage: f.CurrentPage, CurrentPageAt: f.CurrentPageAt,
		ActiveSeconds: f.ActiveSeconds, PausedSeconds: f.PausedSeconds, IdleSeconds: f.IdleSeconds, BreakSeconds: f.BreakSeconds,
		PagesVisited: f.PagesVisited, PagesRead: f.PagesRead, Events: int32(len(f.Events)), Checkpoint: f.Checkpoint,
		Rating: s.rating, CreatedAt: s.startedAt, UpdatedAt: s.settleAt(),
	}
	if s.exercise != nil {
		row.ExerciseID = &s.exercise.row.ID
	}
	if s.startPage > 0 {
		row.StartPage = &s.startPage
	}
	r.sessions = append(r.sessions, row)
	pages := make([]int32, len(f.Events)) // one allocation for every page pointer
	for i, e := range f.Events {
		ev := dbgen.CopyStudyEventsParams{
			UserID: userID, ID: e.ID, SessionID: s.id, Seq: e.Seq, Type: string(e.Type), At: e.At, ReceivedAt: s.received[i],
		}
		if e.Type == study.EventPage {
			pages[i] = e.Page
			ev.Page = &pages[i]
		}
		r.events = append(r.events, ev)
	}
	for _, p := range f.Pages {
		r.pages = append(r.pages, dbgen.CopyStudySessionPagesParams{
			SessionID: s.id, UserID: userID, PdfID: pdfID, Page: p.Page, Seconds: p.Seconds, Visits: p.Visits,
			FirstReadAt: p.FirstReadAt, LastReadAt: p.LastReadAt,
		})
	}
	for _, b := range f.Buckets {
		r.buckets = append(r.buckets, dbgen.CopyStudySessionBucketsParams{
			SessionID: s.id, UserID: userID, PdfID: pdfID, BucketStart: b.Start,
			ActiveSeconds: b.ActiveSeconds, ReadSeconds: b.ReadSeconds, PagesRead: b.PagesRead,
		})
	}
}

type pageKey struct {
	pdf  uuid.UUID
	page int32
}

type pdfProgress struct {
	page int32
	at   time.Time
}

type exerciseProgress struct {
	seconds     int64
	completedAt time.Time // zero: not done
	score       int16
	updatedAt   time.Time
}

// rollup is what the timer keeps per user besides each session's rows, as
// the sums SaveStudyFold, RefreshUserStudyBuckets and
// RefreshExerciseTimeSpent keep: page_stats (every page a session visited,
// skims included), user_study_buckets (with the sessions started in each
// bucket), exercises.time_spent_seconds and the PDFs' current page (the
// latest page event).
type rollup struct {
	pages     map[pageKey]*dbgen.CopyPageStatsParams
	buckets   map[time.Time]*dbgen.CopyUserStudyBucketsParams
	pdfs      map[uuid.UUID]pdfProgress
	exercises map[uuid.UUID]*exerciseProgress
}

func newRollup() *rollup {
	return &rollup{
		pages:     map[pageKey]*dbgen.CopyPageStatsParams{},
		buckets:   map[time.Time]*dbgen.CopyUserStudyBucketsParams{},
		pdfs:      map[uuid.UUID]pdfProgress{},
		exercises: map[uuid.UUID]*exerciseProgress{},
	}
}

func (r *rollup) add(u *user, s *rawSession, f study.Finished) {
	pdfID := s.pdf.row.ID
	for _, p := range f.Pages {
		k := pageKey{pdfID, p.Page}
		ps := r.pages[k]
		if ps == nil {
			ps = &dbgen.CopyPageStatsParams{UserID: u.row.ID, PdfID: pdfID, Page: p.Page}
			r.pages[k] = ps
		}
		ps.SecondsRead += p.Seconds
		ps.Visits += p.Visits
		if p.FirstReadAt != nil && (ps.FirstReadAt == nil || p.FirstReadAt.Before(*ps.FirstReadAt)) {
			ps.FirstReadAt = p.FirstReadAt
		}
		if p.LastReadAt != nil && (ps.LastReadAt == nil || p.LastReadAt.After(*ps.LastReadAt)) {
			ps.LastReadAt = p.LastReadAt
		}
	}
	bucket := func(start time.Time) *dbgen.CopyUserStudyBucketsParams {
		b := r.buckets[start]
		if b == nil {
			b = &dbgen.CopyUserStudyBucketsParams{UserID: u.row.ID, BucketStart: start}
			r.buckets[start] = b
		}
		return b
	}
	for _, sb := range f.Buckets {
		b := bucket(sb.Start)
		b.ActiveSeconds += sb.ActiveSeconds
		b.ReadSeconds += sb.ReadSeconds
		b.PagesRead += sb.PagesRead
	}
	bucket(study.BucketOf(s.startedAt)).Sessions++
	if f.PageMoved {
		if cur, ok := r.pdfs[pdfID]; !ok || !f.CurrentPageAt.Before(cur.at) {
			r.pdfs[pdfID] = pdfProgress{page: *f.CurrentPage, at: *f.CurrentPageAt}
		}
	}
	if e := s.exercise; e != nil {
		ep := r.exercises[e.row.ID]
		if ep == nil {
			ep = &exerciseProgress{}
			r.exercises[e.row.ID] = ep
		}
		ep.seconds += f.ActiveSeconds
		ep.updatedAt = s.startedAt // StartExercise, or the completion below
		if s.completes && ep.completedAt.IsZero() {
			ep.completedAt, ep.score = f.EndedAt, s.score
		}
		if !ep.completedAt.IsZero() {
			ep.updatedAt = ep.completedAt
		}
	}
}

// pageStats are the page_stats rows, in key order.
func (r *rollup) pageStats() []dbgen.CopyPageStatsParams {
	out := make([]dbgen.CopyPageStatsParams, 0, len(r.pages))
	for _, ps := range r.pages {
		out = append(out, *ps)
	}
	slices.SortFunc(out, func(a, b dbgen.CopyPageStatsParams) int {
		if c := slices.Compare(a.PdfID[:], b.PdfID[:]); c != 0 {
			return c
		}
		return cmp.Compare(a.Page, b.Page)
	})
	return out
}

// userBuckets are the user_study_buckets rows (those with anything in
// them, as RefreshUserStudyBuckets keeps), by start.
func (r *rollup) userBuckets() []dbgen.CopyUserStudyBucketsParams {
	out := make([]dbgen.CopyUserStudyBucketsParams, 0, len(r.buckets))
	for _, b := range r.buckets {
		if b.ActiveSeconds > 0 || b.ReadSeconds > 0 || b.PagesRead > 0 || b.Sessions > 0 {
			out = append(out, *b)
		}
	}
	slices.SortFunc(out, func(a, b dbgen.CopyUserStudyBucketsParams) int { return a.BucketStart.Compare(b.BucketStart) })
	return out
}

func (r *rollup) pdfParams(userID uuid.UUID) dbgen.SetSeedPDFProgressParams {
	p := dbgen.SetSeedPDFProgressParams{UserID: userID, Ids: []uuid.UUID{}, CurrentPages: []int32{}, CurrentPageAts: []time.Time{}}
	for id, pr := range r.pdfs {
		p.Ids, p.CurrentPages, p.CurrentPageAts = append(p.Ids, id), append(p.CurrentPages, pr.page), append(p.CurrentPageAts, pr.at)
	}
	return p
}

func (r *rollup) exerciseParams(userID uuid.UUID) dbgen.SetSeedExerciseProgressParams {
	p := dbgen.SetSeedExerciseProgressParams{UserID: userID, Ids: []uuid.UUID{}, Statuses: []string{}, Scores: []int32{},
		CompletedAts: []time.Time{}, TimeSpentSeconds: []int64{}, UpdatedAts: []time.Time{}}
	for id, ep := range r.exercises {
		status, score := string(library.StatusInProgress), int32(-1)
		if !ep.completedAt.IsZero() {
			status, score = string(library.StatusDone), int32(ep.score)
		}
		p.Ids, p.Statuses, p.Scores = append(p.Ids, id), append(p.Statuses, status), append(p.Scores, score)
		p.CompletedAts, p.TimeSpentSeconds, p.UpdatedAts = append(p.CompletedAts, ep.completedAt), append(p.TimeSpentSeconds, ep.seconds), append(p.UpdatedAts, ep.updatedAt)
	}
	return p
}
