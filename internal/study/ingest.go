package study

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"sort"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/studysprint/studysprint/dbgen"
	"github.com/studysprint/studysprint/internal/apperr"
	"github.com/studysprint/studysprint/internal/database"
)

// IngestResult is what became of a batch: the ids accepted (in the order
// sent), those already stored with the same content, those rejected with a
// reason, and the session's state afterwards.
type IngestResult struct {
	Accepted   []uuid.UUID
	Duplicates []uuid.UUID
	Rejected   []Rejection
	State      State
}

// Ingest checks a batch of a session's events, stores the accepted ones and
// folds them into the session and its per-page and per-bucket parts, all in
// one transaction under the session's row lock. Events in time order after
// the last applied one are folded onto the stored checkpoint; a late one
// makes the session replay all its events, so the numbers are the same in
// any order of arrival. A session that ended for inactivity takes late
// events and runs again (unless another session of the user runs now); one
// that was stopped takes only events from before its stop.
func (s *Service) Ingest(ctx context.Context, userID, sessionID uuid.UUID, batch []Incoming) (IngestResult, error) {
	if len(batch) > MaxBatch {
		return IngestResult{}, apperr.Field("events", "at most 500 events per batch")
	}
	release, err := s.acquire(ctx)
	if err != nil {
		return IngestResult{}, err
	}
	defer release()
	// Most batches are new: they are stored without first looking their ids
	// up. When one turns out to have been stored before (a resend), the
	// transaction is rolled back and the batch goes again, looking up first.
	out, err := s.ingest(ctx, userID, sessionID, batch, false)
	if errors.Is(err, errSeenBefore) {
		out, err = s.ingest(ctx, userID, sessionID, batch, true)
	}
	if err == nil {
		s.counts.accepted.Add(uint64(len(out.Accepted)))
		s.counts.duplicates.Add(uint64(len(out.Duplicates)))
		s.counts.rejected.Add(uint64(len(out.Rejected)))
	}
	return out, err
}

// IngestCounts are the events Ingest has answered for since the Service
// was made (for /metrics; KOReader imports are not counted here).
type IngestCounts struct {
	Accepted, Duplicates, Rejected uint64
}

// IngestCounts reports the events ingested so far.
func (s *Service) IngestCounts() IngestCounts {
	return IngestCounts{Accepted: s.counts.accepted.Load(), Duplicates: s.counts.duplicates.Load(), Rejected: s.counts.rejected.Load()}
}

// errSeenBefore rolls back an optimistic ingest that met a stored id.
var errSeenBefore = errors.New("study: the batch holds events stored before")

func (s *Service) ingest(ctx context.Context, userID, sessionID uuid.UUID, batch []Incoming, lookup bool) (IngestResult, error) {
	now := s.now()
	var out IngestResult
	err := database.InTx(ctx, s.pool, func(q *dbgen.Queries) error {
		if err := q.LockUserStudy(ctx, userID); err != nil { // before any row lock: see refreshUserRollups
			return err
		}
		row, err := q.GetStudySessionForFold(ctx, dbgen.GetStudySessionForFoldParams{ID: sessionID, UserID: userID})
		if errors.Is(err, pgx.ErrNoRows) {
			return errSessionNotFound
		}
		if err != nil {
			return err
		}
		sess, err := decodeSession(row)
		if err != nil {
			return err
		}
		verdict, stored, err := s.store(ctx, q, sess, batch, now, lookup)
		if err != nil {
			return err
		}
		out.Accepted, out.Duplicates, out.Rejected = idsOf(verdict.Accepted), verdict.Duplicates, verdict.Rejected
		sc, err := s.fold(ctx, q, &sess, stored)
		if err != nil {
			return err
		}
		lastHeard := now
		prior := priorOf(row)
		if prior == EndIdle {
			// Reopening needs the user's running slot (the user's lock is held).
			other, err := q.GetRunningStudySession(ctx, userID)
			switch {
			case err == nil && other.ID != row.ID:
				lastHeard = time.Time{} // another session runs: this one stays ended
			case err != nil && !errors.Is(err, pgx.ErrNoRows):
				return err
			}
		}
		sess, err = s.settle(ctx, q, sess, sc, prior, lastHeard, now, true)
		out.State = sess.state(now)
		return err
	})
	return out, err
}

func idsOf(in []Incoming) []uuid.UUID {
	out := make([]uuid.UUID, len(in))
	for i, e := range in {
		out[i] = e.ID
	}
	return out
}

// store classifies a batch against what the session and the user already
// have, and inserts the accepted events in the order sent. It returns the
// stored events with their seq.
func (s *Service) store(ctx context.Context, q *dbgen.Queries, sess session, batch []Incoming, now time.Time, lookup bool) (Verdict, []Event, error) {
	existing := map[uuid.UUID]Event{}
	if lookup {
		rows, err := q.ListStudyEventsByID(ctx, dbgen.ListStudyEventsByIDParams{SessionID: sess.row.ID, UserID: sess.row.UserID, Ids: idsOf(batch)})
		if err != nil {
			return Verdict{}, nil, err
		}
		for _, r := range rows {
			existing[r.ID] = storedEvent(r.ID, r.Type, r.Page, r.At, r.Seq)
		}
	}
	v := Classify(batch, existing, sess.row.StartedAt, sess.cp.StoppedAt(), sess.row.PageCount, now)
	if len(v.Accepted) == 0 {
		return v, nil, nil
	}
	params := dbgen.InsertStudyEventsParams{UserID: sess.row.UserID, SessionID: sess.row.ID, ReceivedAt: now}
	for _, e := range v.Accepted {
		params.Ids = append(params.Ids, e.ID)
		params.Types = append(params.Types, e.Type)
		params.Pages = append(params.Pages, e.Page)
		params.Ats = append(params.Ats, e.At)
	}
	seqs, err := q.InsertStudyEvents(ctx, params)
	if err != nil {
		return v, nil, err
	}
	if len(seqs) != len(v.Accepted) {
		return v, nil, errSeenBefore // some ids were stored already (ON CONFLICT DO NOTHING)
	}
	seqOf := make(map[uuid.UUID]int64, len(seqs))
	for _, r := range seqs {
		seqOf[r.ID] = r.Seq
	}
	stored := make([]Event, len(v.Accepted))
	for i, e := range v.Accepted {
		stored[i] = Event{ID: e.ID, Type: EventType(e.Type), Page: e.Page, At: e.At, Seq: seqOf[e.ID]}
	}
	return v, stored, nil
}

func storedEvent(id uuid.UUID, typ string, page *int32, at time.Time, seq int64) Event {
	e := Event{ID: id, Type: EventType(typ), At: at, Seq: seq}
	if page != nil {
		e.Page = *page
	}
	return e
}

// scope is what a fold can have changed in a session's stored parts: every
// page and bucket after a replay; after events folded on top of the
// checkpoint, only the pages they (and the visit open before them) touch and
// the buckets from the open visit's start or the last event on. Writing a
// batch then costs what the batch touched, not the session's size.
type scope struct {
	all   bool
	pages map[int32]bool
	since time.Time
}

// tail is the scope of ending or extending a session without new events
// (or before folding new ones on top): its open visit and its trailing time.
func (sess *session) tail() scope {
	sc := scope{pages: map[int32]bool{}, since: sess.cp.LastEventAt()}
	if sess.cp.Page > 0 {
		sc.pages[sess.cp.Page] = true
	}
	if v := sess.cp.Visit; v != nil {
		if start := sess.cp.StartedAt.Add(v.Start); start.Before(sc.since) {
			sc.since = start
		}
	}
	sc.since = bucketOf(sc.since)
	return sc
}

// fold applies newly stored events to the session's checkpoint: on top of
// it when they all come after its position, by a replay of every stored
// event otherwise. It keeps the time of the latest page event (the PDF's
// current page follows it), and returns the scope of what changed.
func (s *Service) fold(ctx context.Context, q *dbgen.Queries, sess *session, stored []Event) (scope, error) {
	sc := sess.tail()
	if len(stored) == 0 {
		return sc, nil
	}
	sort.Slice(stored, func(i, j int) bool { return compareEvents(stored[i], stored[j]) < 0 })
	sess.row.Events += int32(len(stored))
	if sess.cp.After(stored[0]) {
		for _, e := range stored {
			stopped := sess.cp.StoppedAt() != nil
			if err := sess.cp.Apply(sess.rules, e); err != nil {
				return sc, err
			}
			if e.Type == EventPage && !stopped {
				sess.notePage(e)
				sc.pages[e.Page] = true
			}
		}
		return sc, nil
	}
	rows, err := q.ListStudyEvents(ctx, dbgen.ListStudyEventsParams{SessionID: sess.row.ID, UserID: sess.row.UserID})
	if err != nil {
		return sc, err
	}
	all := make([]Event, len(rows))
	for i, r := range rows {
		all[i] = storedEvent(r.ID, r.Type, r.Page, r.At, r.Seq)
	}
	startPage := int32(0)
	if sess.row.StartPage != nil {
		startPage = *sess.row.StartPage
	}
	sess.cp = Replay(sess.rules, sess.row.StartedAt, startPage, all)
	sess.row.CurrentPage, sess.row.CurrentPageAt = sess.row.StartPage, nil
	if startPage > 0 {
		at := sess.row.StartedAt
		sess.row.CurrentPageAt = &at
	}
	stop := sess.cp.StoppedAt()
	for _, e := range all {
		if e.Type == EventPage && (stop == nil || !e.At.After(*stop)) {
			sess.notePage(e)
		}
	}
	return scope{all: true}, nil
}

// notePage records a page event as the session's latest when it is.
func (sess *session) notePage(e Event) {
	if at := sess.row.CurrentPageAt; at == nil || !e.At.Before(*at) {
		page, when := e.Page, e.At
		sess.row.CurrentPage, sess.row.CurrentPageAt = &page, &when
	}
}

// pageRow and bucketRow are the stored parts of a session.
type pageRow struct {
	seconds, visits int32
	first, last     *time.Time
}

type bucketRow struct{ active, read, pages int32 }

// parts turns a summary into the rows kept per page and per bucket, in whole
// seconds. Each value depends only on what a fold within its scope can
// change (see scope): a page's seconds on that page alone (RoundSeconds),
// a bucket's on that bucket and those before it (CumulativeSeconds, so the
// buckets add up to the session's rounded total). Largest-remainder
// rounding over all parts would let a batch shift a second into a part it
// did not touch and is not rewritten: the stored rows would depend on how
// events were batched.
func parts(sum Summary) (map[int32]pageRow, map[time.Time]bucketRow) {
	pr := make(map[int32]pageRow, len(sum.Pages))
	for p, t := range sum.Pages {
		r := pageRow{seconds: int32(RoundSeconds(t.Seconds)), visits: int32(t.Visits)}
		if !t.FirstReadAt.IsZero() {
			first, last := t.FirstReadAt, t.LastReadAt
			r.first, r.last = &first, &last
		}
		pr[p] = r
	}
	starts := make([]time.Time, 0, len(sum.Buckets))
	for b := range sum.Buckets {
		starts = append(starts, b)
	}
	slices.SortFunc(starts, func(a, b time.Time) int { return a.Compare(b) })
	active, read := make([]time.Duration, len(starts)), make([]time.Duration, len(starts))
	for i, b := range starts {
		active[i], read[i] = sum.Buckets[b].Active, sum.Buckets[b].ReadSeconds
	}
	as, rs := CumulativeSeconds(active...), CumulativeSeconds(read...)
	br := make(map[time.Time]bucketRow, len(starts))
	for i, b := range starts {
		br[b] = bucketRow{active: int32(as[i]), read: int32(rs[i]), pages: int32(sum.Buckets[b].PagesRead)}
	}
	return pr, br
}

// settle decides how the session stands (End, from its prior end and when it
// was last heard from), summarises it to the end of its timeline (its end,
// or its last event while running: stored parts never depend on the wall
// clock), and stores the session row, the per-page and per-bucket parts that
// changed, the rollups those feed (page_stats and its per-PDF pdf_reading,
// user_study_buckets), the
// PDF's current page, the exercise's time and the estimate accuracy records
// (recordFold).
func (s *Service) settle(ctx context.Context, q *dbgen.Queries, sess session, sc scope, prior EndReason, lastHeard, now time.Time, heard bool) (session, error) {
	row := sess.row
	endAt, reason, ended := End(sess.cp, sess.rules, prior, lastHeard, now)
	if Source(row.Source) != SourceTimer && sess.cp.StoppedAt() == nil {
		// An imported session ends at its last event (see ImportSession).
		endAt, reason, ended = sess.cp.LastEventAt(), EndStopped, true
	}
	until := sess.cp.LastEventAt()
	if ended {
		until = endAt
		row.Status, row.EndedAt = string(StatusEnded), &endAt
		r := string(reason)
		row.EndedReason = &r
	} else {
		row.EndedAt, row.EndedReason = nil, nil
	}
	sum := sess.cp.Summarize(sess.rules, until)
	if !ended {
		row.Status = string(StatusRunning)
		if sum.IsPaused {
			row.Status = string(StatusPaused)
		}
	}
	secs := SplitSeconds(sum.Active, sum.Paused, sum.Idle, sum.Break)
	activeBefore := row.ActiveSeconds
	row.ActiveSeconds, row.PausedSeconds, row.IdleSeconds, row.BreakSeconds = secs[0], secs[1], secs[2], secs[3]
	row.PagesVisited, row.PagesRead = int32(sum.PagesVisited), int32(sum.PagesRead)
	row.LastEventAt = sess.cp.LastEventAt()
	if heard {
		row.LastHeardAt = now
	}
	rawCP, err := sess.cp.MarshalBinary()
	if err != nil {
		return sess, err
	}
	params := dbgen.SaveStudyFoldParams{
		SessionID: row.ID, UserID: row.UserID, PdfID: row.PdfID, Status: row.Status, EndedAt: row.EndedAt, EndedReason: row.EndedReason,
		LastEventAt: row.LastEventAt, LastHeardAt: row.LastHeardAt, CurrentPage: row.CurrentPage, CurrentPageAt: row.CurrentPageAt,
		ActiveSeconds: row.ActiveSeconds, PausedSeconds: row.PausedSeconds, IdleSeconds: row.IdleSeconds, BreakSeconds: row.BreakSeconds,
		PagesVisited: row.PagesVisited, PagesRead: row.PagesRead, Events: row.Events, Checkpoint: rawCP, Now: now,
		Pages: []int32{}, Seconds: []int32{}, Visits: []int32{}, FirstReadAts: []time.Time{}, LastReadAts: []time.Time{}, GonePages: []int32{},
		BucketStarts: []time.Time{}, ActiveSecondsB: []int32{}, ReadSecondsB: []int32{}, PagesReadB: []int32{}, GoneBuckets: []time.Time{},
	}
	if row.CurrentPage != nil && row.CurrentPageAt != nil && !sameTime(row.CurrentPageAt, sess.pageAtBefore) {
		params.PdfPage, params.PdfPageAt = row.CurrentPage, row.CurrentPageAt
	}
	pageRows, bucketRows := parts(sum)
	if err := diffParts(ctx, q, row, sc, pageRows, bucketRows, &params); err != nil {
		return sess, err
	}
	if err := q.SaveStudyFold(ctx, params); err != nil {
		return sess, err
	}
	pagesChanged := len(params.Pages) > 0 || len(params.GonePages) > 0
	if pagesChanged {
		// The PDF's rollup of the page_stats SaveStudyFold just wrote.
		if err := q.RefreshPDFReading(ctx, dbgen.RefreshPDFReadingParams{UserID: row.UserID, PdfID: row.PdfID}); err != nil {
			return sess, err
		}
	}
	if touched := slices.Concat(params.BucketStarts, params.GoneBuckets); len(touched) > 0 {
		if err := q.RefreshUserStudyDays(ctx, dbgen.RefreshUserStudyDaysParams{UserID: row.UserID, BucketStarts: touched}); err != nil {
			return sess, err
		}
	}
	row.Checkpoint, row.UpdatedAt = rawCP, now
	sess.row, sess.pageAtBefore = row, row.CurrentPageAt
	timeChanged := row.ActiveSeconds != activeBefore
	if row.ExerciseID != nil && timeChanged {
		if err := q.RefreshExerciseTimeSpent(ctx, dbgen.RefreshExerciseTimeSpentParams{ExerciseID: *row.ExerciseID, UserID: row.UserID}); err != nil {
			return sess, err
		}
	}
	return sess, recordFold(ctx, q, row, pagesChanged, timeChanged, now)
}

// diffParts compares the per-page and per-bucket rows a fold produced with
// the stored ones (within its scope) and puts those that changed, and those
// gone, into the parameters of SaveStudyFold.
func diffParts(ctx context.Context, q *dbgen.Queries, row dbgen.StudySession, sc scope, pages map[int32]pageRow, buckets map[time.Time]bucketRow, out *dbgen.SaveStudyFoldParams) error {
	var oldPages []dbgen.ListStudySessionPagesRow
	var err error
	if sc.all {
		oldPages, err = q.ListStudySessionPages(ctx, dbgen.ListStudySessionPagesParams{SessionID: row.ID, UserID: row.UserID})
	} else {
		inScope := make([]int32, 0, len(sc.pages))
		for p := range sc.pages {
			inScope = append(inScope, p)
		}
		for p := range pages {
			if !sc.pages[p] {
				delete(pages, p) // untouched by this fold: stored as it is
			}
		}
		if len(inScope) > 0 {
			var rows []dbgen.ListStudySessionPagesInRow
			rows, err = q.ListStudySessionPagesIn(ctx, dbgen.ListStudySessionPagesInParams{SessionID: row.ID, UserID: row.UserID, Pages: inScope})
			for _, r := range rows {
				oldPages = append(oldPages, dbgen.ListStudySessionPagesRow(r))
			}
		}
	}
	if err != nil {
		return err
	}
	seen := map[int32]bool{}
	for _, o := range oldPages {
		seen[o.Page] = true
		n, ok := pages[o.Page]
		switch {
		case !ok:
			out.GonePages = append(out.GonePages, o.Page)
		case n.seconds != o.Seconds || n.visits != o.Visits || !sameTime(n.first, o.FirstReadAt) || !sameTime(n.last, o.LastReadAt):
			addPage(out, o.Page, n)
		}
	}
	for p, n := range pages {
		if !seen[p] {
			addPage(out, p, n)
		}
	}

	var oldBuckets []dbgen.ListStudySessionBucketsRow
	if sc.all {
		oldBuckets, err = q.ListStudySessionBuckets(ctx, dbgen.ListStudySessionBucketsParams{SessionID: row.ID, UserID: row.UserID})
	} else {
		for b := range buckets {
			if b.Before(sc.since) {
				delete(buckets, b)
			}
		}
		var rows []dbgen.ListStudySessionBucketsSinceRow
		rows, err = q.ListStudySessionBucketsSince(ctx, dbgen.ListStudySessionBucketsSinceParams{SessionID: row.ID, UserID: row.UserID, Since: sc.since})
		for _, r := range rows {
			oldBuckets = append(oldBuckets, dbgen.ListStudySessionBucketsRow(r))
		}
	}
	if err != nil {
		return err
	}
	seenB := map[time.Time]bool{}
	for _, o := range oldBuckets {
		start := o.BucketStart.UTC()
		seenB[start] = true
		n, ok := buckets[start]
		switch {
		case !ok:
			out.GoneBuckets = append(out.GoneBuckets, start)
		case n.active != o.ActiveSeconds || n.read != o.ReadSeconds || n.pages != o.PagesRead:
			addBucket(out, start, n)
		}
	}
	for b, n := range buckets {
		if !seenB[b] {
			addBucket(out, b, n)
		}
	}
	return nil
}

func addPage(p *dbgen.SaveStudyFoldParams, page int32, r pageRow) {
	p.Pages = append(p.Pages, page)
	p.Seconds = append(p.Seconds, r.seconds)
	p.Visits = append(p.Visits, r.visits)
	p.FirstReadAts = append(p.FirstReadAts, derefTime(r.first))
	p.LastReadAts = append(p.LastReadAts, derefTime(r.last))
}

func addBucket(p *dbgen.SaveStudyFoldParams, start time.Time, r bucketRow) {
	p.BucketStarts = append(p.BucketStarts, start)
	p.ActiveSecondsB = append(p.ActiveSecondsB, r.active)
	p.ReadSecondsB = append(p.ReadSecondsB, r.read)
	p.PagesReadB = append(p.PagesReadB, r.pages)
}

func sameTime(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return a.Equal(*b)
}

func derefTime(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return *t
}

// Shortcut records one event of the given type at server time (the pause,
// resume, stop and heartbeat endpoints), with an id the server makes.
func (s *Service) Shortcut(ctx context.Context, userID, sessionID uuid.UUID, t EventType) (IngestResult, error) {
	return s.Ingest(ctx, userID, sessionID, []Incoming{{ID: uuid.New(), Type: string(t), At: s.now()}})
}

// Delete deletes a session and undoes exactly what it added: its pages and
// buckets go with it, and page_stats (and pdf_reading), the user's buckets and the exercise's
// time are summed again without it.
func (s *Service) Delete(ctx context.Context, userID, sessionID uuid.UUID) error {
	return database.InTx(ctx, s.pool, func(q *dbgen.Queries) error {
		if err := q.LockUserStudy(ctx, userID); err != nil {
			return err
		}
		row, err := q.GetStudySessionForFold(ctx, dbgen.GetStudySessionForFoldParams{ID: sessionID, UserID: userID})
		if errors.Is(err, pgx.ErrNoRows) {
			return errSessionNotFound
		}
		if err != nil {
			return err
		}
		pages, err := q.ListStudySessionPages(ctx, dbgen.ListStudySessionPagesParams{SessionID: row.ID, UserID: userID})
		if err != nil {
			return err
		}
		buckets, err := q.ListStudySessionBuckets(ctx, dbgen.ListStudySessionBucketsParams{SessionID: row.ID, UserID: userID})
		if err != nil {
			return err
		}
		if _, err := q.DeleteStudySession(ctx, dbgen.DeleteStudySessionParams{ID: row.ID, UserID: userID}); err != nil {
			return err
		}
		if len(pages) > 0 {
			ps := make([]int32, len(pages))
			for i, p := range pages {
				ps[i] = p.Page
			}
			if err := q.RefreshPageStats(ctx, dbgen.RefreshPageStatsParams{UserID: userID, PdfID: row.PdfID, Pages: ps}); err != nil {
				return err
			}
			if err := q.RefreshPDFReading(ctx, dbgen.RefreshPDFReadingParams{UserID: userID, PdfID: row.PdfID}); err != nil {
				return err
			}
		}
		starts := []time.Time{bucketOf(row.StartedAt)}
		for _, b := range buckets {
			if start := b.BucketStart.UTC(); !start.Equal(starts[0]) {
				starts = append(starts, start)
			}
		}
		slices.SortFunc(starts, func(a, b time.Time) int { return a.Compare(b) })
		if err := refreshUserRollups(ctx, q, userID, starts); err != nil {
			return err
		}
		if row.ExerciseID != nil {
			return q.RefreshExerciseTimeSpent(ctx, dbgen.RefreshExerciseTimeSpentParams{ExerciseID: *row.ExerciseID, UserID: userID})
		}
		return nil
	})
}

// SweepQuiet ends the running sessions nobody has heard from for twice their
// idle threshold (at their last event plus the threshold), at most limit of
// them; it reports how many it ended.
func (s *Service) SweepQuiet(ctx context.Context, limit int) (int, error) {
	now := s.now()
	quiet, err := s.q.ListQuietStudySessions(ctx, dbgen.ListQuietStudySessionsParams{Now: now, RowLimit: int32(limit)})
	if err != nil {
		return 0, err
	}
	ended := 0
	for _, qs := range quiet {
		err := database.InTx(ctx, s.pool, func(q *dbgen.Queries) error {
			if err := q.LockUserStudy(ctx, qs.UserID); err != nil {
				return err
			}
			row, err := q.GetStudySessionForFold(ctx, dbgen.GetStudySessionForFoldParams(qs))
			if err != nil {
				return err
			}
			if row.EndedAt != nil {
				return nil
			}
			sess, err := decodeSession(row)
			if err != nil {
				return err
			}
			sess, err = s.settle(ctx, q, sess, sess.tail(), priorOf(row), row.LastHeardAt, now, false)
			if err == nil && sess.row.EndedAt != nil {
				ended++
			}
			return err
		})
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return ended, err
		}
	}
	return ended, nil
}

// PageBreakdown is one page of a session: counted seconds and visits, and
// whether the session read it.
type PageBreakdown struct {
	Page            int32
	Seconds, Visits int32
	Read            bool
}

// Pages is a session's per-page breakdown, in page order.
func (s *Service) Pages(ctx context.Context, userID, sessionID uuid.UUID) ([]PageBreakdown, error) {
	if _, err := s.q.GetStudySession(ctx, dbgen.GetStudySessionParams{ID: sessionID, UserID: userID}); errors.Is(err, pgx.ErrNoRows) {
		return nil, errSessionNotFound
	} else if err != nil {
		return nil, err
	}
	rows, err := s.q.ListStudySessionPages(ctx, dbgen.ListStudySessionPagesParams{SessionID: sessionID, UserID: userID})
	out := make([]PageBreakdown, len(rows))
	for i, r := range rows {
		out[i] = PageBreakdown{Page: r.Page, Seconds: r.Seconds, Visits: r.Visits, Read: r.Visits > 0}
	}
	return out, err
}

// NotesChange changes a session's notes and rating (RatingSet with nil
// clears the rating).
type NotesChange struct {
	Notes     *string
	RatingSet bool
	Rating    *int
}

// UpdateNotes applies a NotesChange.
func (s *Service) UpdateNotes(ctx context.Context, userID, sessionID uuid.UUID, ch NotesChange) (State, error) {
	fe := apperr.Fields{}
	if ch.Notes != nil && (len([]rune(*ch.Notes)) > 5000 || !validText(*ch.Notes)) {
		fe.Add("notes", "must be at most 5000 characters without NUL")
	}
	var rating *int16
	if ch.Rating != nil {
		if *ch.Rating < 1 || *ch.Rating > 5 {
			fe.Add("rating", "must be between 1 and 5")
		}
		r := int16(*ch.Rating)
		rating = &r
	}
	if err := fe.Err(); err != nil {
		return State{}, err
	}
	row, err := s.q.UpdateStudySessionNotes(ctx, dbgen.UpdateStudySessionNotesParams{
		ID: sessionID, UserID: userID, Notes: ch.Notes, SetRating: ch.RatingSet, Rating: rating, Now: s.now(),
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return State{}, errSessionNotFound
	}
	if err != nil {
		return State{}, err
	}
	sess, err := decodeSession(row)
	if err != nil {
		return State{}, err
	}
	return sess.state(s.now()), nil
}

// ImportInput is one finished session from another app (the KOReader
// import): its id and its events' ids are derived from what they were
// imported from, so importing the same history again adds nothing and a
// later copy that holds more adds only the new events.
type ImportInput struct {
	SessionID uuid.UUID
	PDFID     uuid.UUID
	Source    Source
	StartedAt time.Time
	StartPage int32
	Events    []Incoming
}

// ImportResult is what an import of one session did.
type ImportResult struct {
	Created    bool // the session is new (not found from an earlier import)
	Accepted   int
	Duplicates int
	Rejected   []Rejection
}

// ImportSession stores a finished session in the caller's transaction (q),
// through the same checks and fold as the timer's batches. An imported
// session is ended at its last event (reason stopped) without a stop event,
// so a later, longer copy can extend it; it never touches the session the
// user is running.
func (s *Service) ImportSession(ctx context.Context, q *dbgen.Queries, userID uuid.UUID, in ImportInput) (ImportResult, error) {
	now := s.now()
	if err := q.LockUserStudy(ctx, userID); err != nil {
		return ImportResult{}, err
	}
	row, err := q.GetStudySessionForFold(ctx, dbgen.GetStudySessionForFoldParams{ID: in.SessionID, UserID: userID})
	created := false
	if errors.Is(err, pgx.ErrNoRows) {
		pdf, perr := q.GetPDF(ctx, dbgen.GetPDFParams{ID: in.PDFID, UserID: userID})
		if perr != nil {
			return ImportResult{}, perr
		}
		prefs, perr := q.GetUserPreferences(ctx, userID)
		if perr != nil {
			return ImportResult{}, perr
		}
		rules := RulesFromPreferences(prefs, false)
		startPage := in.StartPage
		if startPage < 1 || startPage > pdf.Pdf.PageCount {
			startPage = 0
		}
		cp := NewCheckpoint(rules, in.StartedAt, startPage)
		rawRules, _ := json.Marshal(rules.store())
		rawCP, _ := cp.MarshalBinary()
		if _, err := q.CreateClosedStudySession(ctx, dbgen.CreateClosedStudySessionParams{
			ID: in.SessionID, UserID: userID, PdfID: pdf.Pdf.ID, Source: string(in.Source), Rules: rawRules,
			IdleThresholdSeconds: int32(max(1, rules.IdleThreshold/time.Second)), PageCount: pdf.Pdf.PageCount,
			StartedAt: cp.StartedAt, Now: now, Checkpoint: rawCP,
		}); err != nil {
			return ImportResult{}, err
		}
		if err := refreshUserRollups(ctx, q, userID, []time.Time{bucketOf(cp.StartedAt)}); err != nil {
			return ImportResult{}, err
		}
		created = true
		row, err = q.GetStudySessionForFold(ctx, dbgen.GetStudySessionForFoldParams{ID: in.SessionID, UserID: userID})
	}
	if err != nil {
		return ImportResult{}, err
	}
	sess, err := decodeSession(row)
	if err != nil {
		return ImportResult{}, err
	}
	// A session made just now has no events to look up.
	verdict, stored, err := s.store(ctx, q, sess, in.Events, now, !created)
	if err != nil {
		return ImportResult{}, err
	}
	sc, err := s.fold(ctx, q, &sess, stored)
	if err != nil {
		return ImportResult{}, err
	}
	if _, err := s.settle(ctx, q, sess, sc, EndStopped, row.LastHeardAt, now, false); err != nil {
		return ImportResult{}, err
	}
	return ImportResult{Created: created, Accepted: len(verdict.Accepted), Duplicates: len(verdict.Duplicates), Rejected: verdict.Rejected}, nil
}

// refreshUserRollups sums the user's rollups again for the listed buckets:
// user_study_buckets, then the local days of user_study_days. Every write of
// a user's rollups holds the user's study lock (LockUserStudy), taken as the
// first lock of its transaction — before any session or PDF row — so two
// batches of the same user (two sessions on two PDFs) never sum from each
// other's stale snapshot, and the locks are always taken in one order.
func refreshUserRollups(ctx context.Context, q *dbgen.Queries, userID uuid.UUID, starts []time.Time) error {
	if err := q.RefreshUserStudyBuckets(ctx, dbgen.RefreshUserStudyBucketsParams{UserID: userID, BucketStarts: starts}); err != nil {
		return err
	}
	return q.RefreshUserStudyDays(ctx, dbgen.RefreshUserStudyDaysParams{UserID: userID, BucketStarts: starts})
}
