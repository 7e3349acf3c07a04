// Package study holds the pure rules of the study timer: how a session's
// stored events become active, paused, idle and break time, per-page dwell
// and per-bucket totals; when a session has ended; which incoming events are
// accepted. No database, no I/O, no clock: every time is a parameter.
//
// # Time
//
// Every instant that enters the package (a session start, an event's At, an
// until, a now) is first normalised to UTC truncated to the microsecond: the
// precision of timestamptz and what pgx sends for a time.Time. A checkpoint
// built from a client's batch is therefore equal to one replayed from the
// rows the database stored, and every time in a Summary is UTC (the zero
// Location, so times compare with == and work as map keys).
//
// Between two consecutive events (the session start counts as one) time is
// classified in this priority: Paused, Break (pomodoro on), Active while the
// non-paused, non-break time since the last event is at most IdleThreshold,
// Idle beyond it. Break time does not use the idle budget: a student who does
// nothing after a work phase ends is on break, then active for what was left
// of the budget when the break began, then idle.
//
// # Choices where the spec leaves room
//
//   - A visit's dwell begins at the visit's start and ends at its end (page
//     change, pause, stop, end of the timeline). FirstReadAt is the start of
//     the first counted visit, LastReadAt the end of the last one, even when
//     the student went idle in between: both are moments the student was
//     there (or the session's end).
//   - A dwell of zero Active time is a skim even when PageMin is 0 (opened and
//     paused at the same instant, or opened and closed inside a break): a page
//     is never "read" for zero seconds.
//   - Any page event during a break ends it, the page already current
//     included (the visit then continues); heartbeat and resume do not.
//   - Pomodoro transitions due at an instant happen before the events at that
//     instant: a break whose wall time is over at t has ended when a page
//     event at t arrives (the page does not advance the cycle a second time),
//     and a work phase that reaches its length exactly at t has become a break
//     before the event at t is applied.
//   - A break's wall clock runs on while paused; if it ends while paused, the
//     next work phase (cycle + 1) has begun when the student resumes.
//   - A stop ends a pause: a stopped session reports IsPaused false. The
//     timeline of a stopped session ends at the stop, so its Summary has Until
//     equal to the stop whatever until is asked for.
//   - Seq is unique within a session (a bigint identity). Events are ordered
//     by (At, Seq); Replay breaks the ties a broken caller could still give it
//     by ID, type and page, keeps the first and drops the repeats, so its
//     result never depends on the input order.
//   - Replay skips what Apply refuses: unknown types, page events with a page
//     below 1, events before the start.
//   - End never reports an idle end later than now (possible only when a
//     client's clock ran ahead, within MaxFutureSkew) nor earlier than the
//     last event.
//   - Classify normalises the events it accepts (At as above; Page 0 for every
//     type but page), compares ids only with stored events and with events
//     accepted earlier in the batch (a rejected event is not stored, so it
//     claims no id), and the earliest stop, stored or accepted, bounds the
//     rest of the batch.
//
// The Rules of a session must stay the same for its whole life (store them
// with the session): a checkpoint folded with one set of rules and
// summarised or continued with another is consistent (nothing negative, the
// classes still add up) but equal to no replay.
package study

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
)

// EventType is the kind of a timer event.
type EventType string

// The event types a client sends.
const (
	EventPage      EventType = "page"      // now on page N
	EventHeartbeat EventType = "heartbeat" // still here
	EventPause     EventType = "pause"
	EventResume    EventType = "resume"
	EventStop      EventType = "stop"
)

// EventTypes is the one list of event types (a test compares it with the
// database's CHECK).
var EventTypes = []EventType{EventPage, EventHeartbeat, EventPause, EventResume, EventStop}

// Valid reports whether t is one of EventTypes.
func (t EventType) Valid() bool { return slices.Contains(EventTypes, t) }

// EndReason is why a session ended.
type EndReason string

// The reasons a session ends.
const (
	EndStopped    EndReason = "stopped"    // the client sent a stop
	EndIdle       EndReason = "idle"       // nothing heard for twice the idle threshold
	EndSuperseded EndReason = "superseded" // another session of the user took over
)

// EndReasons is the one list of end reasons.
var EndReasons = []EndReason{EndStopped, EndIdle, EndSuperseded}

// Status is how a session stands.
type Status string

// The statuses of a session.
const (
	StatusRunning Status = "running"
	StatusPaused  Status = "paused"
	StatusEnded   Status = "ended"
)

// Statuses is the one list of session statuses.
var Statuses = []Status{StatusRunning, StatusPaused, StatusEnded}

// Phase is a pomodoro phase.
type Phase string

// The pomodoro phases.
const (
	PhaseWork       Phase = "work"
	PhaseShortBreak Phase = "short_break"
	PhaseLongBreak  Phase = "long_break"
)

// Phases is the one list of pomodoro phases.
var Phases = []Phase{PhaseWork, PhaseShortBreak, PhaseLongBreak}

// RejectReason is why Classify refused an incoming event.
type RejectReason string

// The reasons an incoming event is rejected.
const (
	RejectInFuture             RejectReason = "in_future"
	RejectBeforeStart          RejectReason = "before_start"
	RejectPageOutOfRange       RejectReason = "page_out_of_range"
	RejectAfterStop            RejectReason = "after_stop"
	RejectUnknownType          RejectReason = "unknown_type"
	RejectConflictingDuplicate RejectReason = "conflicting_duplicate"
)

// RejectReasons is the one list of reject reasons.
var RejectReasons = []RejectReason{
	RejectInFuture, RejectBeforeStart, RejectPageOutOfRange,
	RejectAfterStop, RejectUnknownType, RejectConflictingDuplicate,
}

// Event is one stored event. Seq is the arrival order (a bigint identity in
// the database; in one batch, the order the client sent them). Events are
// applied in (At, Seq) order.
type Event struct {
	ID   uuid.UUID // client-made
	Type EventType
	Page int32 // 1..page count for page events; 0 for the other types (ignored there)
	At   time.Time
	Seq  int64
}

// Pomodoro is the pomodoro cycle of a session.
type Pomodoro struct {
	Work, ShortBreak, LongBreak time.Duration
	LongBreakEvery              int // a long break after every Nth work phase
}

// Rules are the timer settings of a session (from the user's preferences,
// fixed when the session starts).
type Rules struct {
	IdleThreshold time.Duration // > 0 (preferences: 30 s .. 1 h, default 300 s)
	PageMin       time.Duration // >= 0 (default 5 s)
	PageMax       time.Duration // > PageMin (default 900 s)
	Pomodoro      *Pomodoro     // nil: pomodoro off
}

// maxRule bounds every duration in Rules. It is far above any preference
// and keeps every sum of offsets inside an int64 and every fold linear in
// the number of events.
const maxRule = 24 * time.Hour

// Errors of Rules.Validate.
var (
	ErrIdleThreshold = fmt.Errorf("idle threshold must be above 0 and at most %v", maxRule)
	ErrPageBounds    = fmt.Errorf("page minimum must be at least 0 and below the page maximum, at most %v", maxRule)
	ErrPomodoro      = fmt.Errorf("pomodoro work must be 1 s .. %v, breaks 0 .. %v, long break every 1 .. 1000", maxRule, maxRule)
)

// Validate reports whether the rules are within what the timer supports.
// The functions of this package never fail on invalid rules; they use them
// clamped: IdleThreshold into 0..24h (0: no time is ever active), PageMin
// into 0..24h, PageMax into PageMin..24h, and a pomodoro with any field out
// of range is off.
func (r Rules) Validate() error {
	if r.IdleThreshold <= 0 || r.IdleThreshold > maxRule {
		return ErrIdleThreshold
	}
	if r.PageMin < 0 || r.PageMax <= r.PageMin || r.PageMax > maxRule {
		return ErrPageBounds
	}
	if p := r.Pomodoro; p != nil && !p.valid() {
		return ErrPomodoro
	}
	return nil
}

func (p *Pomodoro) valid() bool {
	return p.Work >= time.Second && p.Work <= maxRule &&
		p.ShortBreak >= 0 && p.ShortBreak <= maxRule &&
		p.LongBreak >= 0 && p.LongBreak <= maxRule &&
		p.LongBreakEvery >= 1 && p.LongBreakEvery <= 1000
}

// norm returns the rules as the timer uses them (see Validate).
func (r Rules) norm() Rules {
	r.IdleThreshold = min(max(r.IdleThreshold, 0), maxRule)
	r.PageMin = min(max(r.PageMin, 0), maxRule)
	r.PageMax = min(max(r.PageMax, r.PageMin), maxRule)
	if r.Pomodoro != nil && !r.Pomodoro.valid() {
		r.Pomodoro = nil
	}
	return r
}

// normTime is an instant as the database stores it: UTC, microseconds.
func normTime(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// Errors of Checkpoint.Apply.
var (
	// ErrOutOfOrder: the event does not sort after the checkpoint's position
	// (or lies before the session start); replay the session instead.
	ErrOutOfOrder = errors.New("study: event does not sort after the checkpoint's position")
	// ErrInvalidEvent: unknown type, page event without a page, or an At
	// more than a century after the start.
	ErrInvalidEvent = errors.New("study: invalid event")
)
