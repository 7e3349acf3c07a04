package study

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"
)

// FinishInput is a whole timer session whose events are known up front
// (history written in bulk, such as the seed command's): how it started,
// every event in the order it was sent, and when the server last heard from
// the client.
type FinishInput struct {
	Rules     Rules
	StartedAt time.Time
	StartPage int32 // 0: no start page
	PageCount int32
	// Events in the order they were sent; the n-th stored event gets seq
	// FirstSeq+n (the database's identity in arrival order).
	Events   []Incoming
	FirstSeq int64
	// LastHeard is the server time of the last batch, Now the moment the
	// session is settled: a session without a stop ends for inactivity only
	// when Now is more than twice the idle threshold after LastHeard.
	LastHeard, Now time.Time
}

// Finished is what the timer stores for a session that has ended: the
// numbers of its study_sessions row, its study_session_pages and
// study_session_buckets rows, its checkpoint and its stored events. Finish
// computes it with the timer's own rules — Classify, the in-order fold of
// Ingest, End, Summarize and the whole-second split of settle — so rows
// written from it are the rows Ingest would have written for those events.
type Finished struct {
	Rules                []byte // study_sessions.rules
	IdleThresholdSeconds int32
	Checkpoint           []byte // study_sessions.checkpoint
	EndedAt              time.Time
	EndedReason          EndReason
	LastEventAt          time.Time
	// CurrentPage is the page of the latest page event before any stop, or
	// the start page; CurrentPageAt that event's time (the start for the
	// start page). Both nil when the session has no page at all.
	CurrentPage   *int32
	CurrentPageAt *time.Time
	// PageMoved reports a page event (before any stop): only then does the
	// timer move the PDF's current page.
	PageMoved                                               bool
	ActiveSeconds, PausedSeconds, IdleSeconds, BreakSeconds int64
	PagesVisited, PagesRead                                 int32
	// Events are the stored events (normalised by Classify, with their seq)
	// in the order sent.
	Events  []Event
	Pages   []FinishedPage   // by page
	Buckets []FinishedBucket // by bucket start
}

// FinishedPage is one study_session_pages row.
type FinishedPage struct {
	Page, Seconds, Visits   int32
	FirstReadAt, LastReadAt *time.Time // nil when the page was only skimmed
}

// FinishedBucket is one study_session_buckets row.
type FinishedBucket struct {
	Start                                 time.Time
	ActiveSeconds, ReadSeconds, PagesRead int32
}

// ErrNotFinished: the session would still be running at FinishInput.Now.
var ErrNotFinished = errors.New("study: the session has neither a stop nor gone quiet by now")

// Finish checks the events as Ingest would (every one must be accepted:
// no rejected and no repeated event), folds them and ends the session as
// settle does: at its stop, or for inactivity at its last event plus the
// idle threshold.
func Finish(in FinishInput) (Finished, error) {
	r := in.Rules
	if err := r.Validate(); err != nil {
		return Finished{}, err
	}
	startedAt := normTime(in.StartedAt)
	v := Classify(in.Events, nil, startedAt, nil, in.PageCount, in.Now)
	if len(v.Rejected) > 0 {
		return Finished{}, fmt.Errorf("study: event %s would be rejected: %s", v.Rejected[0].ID, v.Rejected[0].Reason)
	}
	if len(v.Duplicates) > 0 {
		return Finished{}, fmt.Errorf("study: event %s is sent twice", v.Duplicates[0])
	}
	if in.StartPage < 0 || in.StartPage > in.PageCount {
		return Finished{}, fmt.Errorf("study: start page %d outside 1..%d", in.StartPage, in.PageCount)
	}
	stored := make([]Event, len(v.Accepted))
	for i, e := range v.Accepted {
		stored[i] = Event{ID: e.ID, Type: EventType(e.Type), Page: e.Page, At: e.At, Seq: in.FirstSeq + int64(i)}
	}

	// The session as create leaves it, then the fold of Ingest: events in
	// (At, Seq) order on top of the checkpoint (a fresh one: every accepted
	// event sorts after it).
	sess := session{rules: r, cp: NewCheckpoint(r, startedAt, in.StartPage)}
	if in.StartPage > 0 {
		page := in.StartPage
		sess.row.CurrentPage, sess.row.CurrentPageAt = &page, &startedAt
	}
	ordered := slices.Clone(stored)
	slices.SortFunc(ordered, compareEvents)
	moved := false
	for _, e := range ordered {
		stopped := sess.cp.StoppedAt() != nil
		if err := sess.cp.Apply(r, e); err != nil {
			return Finished{}, err
		}
		if e.Type == EventPage && !stopped {
			sess.notePage(e)
			moved = true
		}
	}

	endAt, reason, ended := End(sess.cp, r, "", in.LastHeard, in.Now)
	if !ended {
		return Finished{}, ErrNotFinished
	}
	sum := sess.cp.Summarize(r, endAt)
	secs := SplitSeconds(sum.Active, sum.Paused, sum.Idle, sum.Break)
	rawRules, err := json.Marshal(r.store())
	if err != nil {
		return Finished{}, err
	}
	rawCP, err := sess.cp.MarshalBinary()
	if err != nil {
		return Finished{}, err
	}
	out := Finished{
		Rules: rawRules, IdleThresholdSeconds: int32(max(1, r.IdleThreshold/time.Second)), Checkpoint: rawCP,
		EndedAt: endAt, EndedReason: reason, LastEventAt: sess.cp.LastEventAt(),
		CurrentPage: sess.row.CurrentPage, CurrentPageAt: sess.row.CurrentPageAt, PageMoved: moved,
		ActiveSeconds: secs[0], PausedSeconds: secs[1], IdleSeconds: secs[2], BreakSeconds: secs[3],
		PagesVisited: int32(sum.PagesVisited), PagesRead: int32(sum.PagesRead),
		Events: stored,
	}
	pages, buckets := parts(sum)
	for p, row := range pages {
		out.Pages = append(out.Pages, FinishedPage{Page: p, Seconds: row.seconds, Visits: row.visits, FirstReadAt: row.first, LastReadAt: row.last})
	}
	slices.SortFunc(out.Pages, func(a, b FinishedPage) int { return int(a.Page - b.Page) })
	for start, row := range buckets {
		out.Buckets = append(out.Buckets, FinishedBucket{Start: start, ActiveSeconds: row.active, ReadSeconds: row.read, PagesRead: row.pages})
	}
	slices.SortFunc(out.Buckets, func(a, b FinishedBucket) int { return a.Start.Compare(b.Start) })
	return out, nil
}

// BucketOf is the start of the BucketSize bucket t falls in (UTC), the key
// of study_session_buckets and user_study_buckets.
func BucketOf(t time.Time) time.Time { return bucketOf(t) }
