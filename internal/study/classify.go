package study

import (
	"time"

	"github.com/google/uuid"
)

// MaxFutureSkew is how far after the server's now an event may lie.
const MaxFutureSkew = 2 * time.Minute

// Incoming is an event as a client sent it.
type Incoming struct {
	ID   uuid.UUID
	Type string
	Page int32
	At   time.Time
}

// Verdict is the outcome of Classify, each list in input order.
type Verdict struct {
	Accepted   []Incoming  // to store, normalised (At UTC to the microsecond, Page 0 unless a page event)
	Duplicates []uuid.UUID // already stored (or earlier in the batch) with the same content
	Rejected   []Rejection
}

// Rejection is an incoming event refused and why.
type Rejection struct {
	ID     uuid.UUID
	Reason RejectReason
}

// Classify validates a batch against a session before anything is stored.
// existing are the stored events with the batch's ids (same user); pageCount
// bounds page numbers; stoppedAt is the session's stored stop, if any. For
// each incoming event, in order, the first that applies:
//   - unknown type: unknown_type;
//   - page event with page outside 1..pageCount: page_out_of_range;
//   - At > now + MaxFutureSkew: in_future;
//   - At < startedAt: before_start;
//   - a stop exists (stored, or accepted earlier in this batch; the earliest
//     counts) and At is after it: after_stop;
//   - id stored, or accepted earlier in the batch, with the same type, page
//     and At: a duplicate; with different content: conflicting_duplicate;
//   - otherwise accepted (and an accepted stop bounds the rest of the batch).
//
// Times compare as stored (UTC, microseconds), and a non-page event's page
// is not part of its content.
func Classify(in []Incoming, existing map[uuid.UUID]Event, startedAt time.Time, stoppedAt *time.Time, pageCount int32, now time.Time) Verdict {
	startedAt = normTime(startedAt)
	limit := normTime(now).Add(MaxFutureSkew)
	stop, stopped := time.Time{}, stoppedAt != nil
	if stopped {
		stop = normTime(*stoppedAt)
	}
	accepted := map[uuid.UUID]Event{}
	var v Verdict
	reject := func(id uuid.UUID, why RejectReason) { v.Rejected = append(v.Rejected, Rejection{id, why}) }
	for _, e := range in {
		t := EventType(e.Type)
		e.At = normTime(e.At)
		if t != EventPage {
			e.Page = 0
		}
		switch {
		case !t.Valid():
			reject(e.ID, RejectUnknownType)
		case t == EventPage && (e.Page < 1 || e.Page > pageCount):
			reject(e.ID, RejectPageOutOfRange)
		case e.At.After(limit):
			reject(e.ID, RejectInFuture)
		case e.At.Before(startedAt):
			reject(e.ID, RejectBeforeStart)
		case stopped && e.At.After(stop):
			reject(e.ID, RejectAfterStop)
		default:
			prev, seen := existing[e.ID]
			if !seen {
				prev, seen = accepted[e.ID]
			}
			if seen {
				if sameContent(prev, t, e.Page, e.At) {
					v.Duplicates = append(v.Duplicates, e.ID)
				} else {
					reject(e.ID, RejectConflictingDuplicate)
				}
				continue
			}
			accepted[e.ID] = Event{ID: e.ID, Type: t, Page: e.Page, At: e.At}
			v.Accepted = append(v.Accepted, e)
			if t == EventStop && (!stopped || e.At.Before(stop)) {
				stop, stopped = e.At, true
			}
		}
	}
	return v
}

func sameContent(prev Event, t EventType, page int32, at time.Time) bool {
	if prev.Type != t || !normTime(prev.At).Equal(at) {
		return false
	}
	return t != EventPage || prev.Page == page
}
