package analytics

import "math"

// GoalKind is the kind of a study goal.
type GoalKind string

// The goal kinds: two daily targets, two deadlines.
const (
	GoalDailyMinutes  GoalKind = "daily_minutes"   // study at least N minutes each day
	GoalDailyPages    GoalKind = "daily_pages"     // read at least N pages each day
	GoalFinishPDFBy   GoalKind = "finish_pdf_by"   // finish one PDF by a date
	GoalFinishTopicBy GoalKind = "finish_topic_by" // finish a topic (its PDFs and exercises) by a date
)

// GoalKinds lists every goal kind, the one list the database CHECK and the
// API document must match.
var GoalKinds = []GoalKind{GoalDailyMinutes, GoalDailyPages, GoalFinishPDFBy, GoalFinishTopicBy}

// Valid reports whether k is one of GoalKinds.
func (k GoalKind) Valid() bool {
	for _, g := range GoalKinds {
		if k == g {
			return true
		}
	}
	return false
}

// HasDeadline reports whether goals of kind k have a deadline date (and are
// measured with Deadline) rather than a daily target.
func (k GoalKind) HasDeadline() bool {
	return k == GoalFinishPDFBy || k == GoalFinishTopicBy
}

// DailyProgress is today's progress toward a daily goal.
type DailyProgress struct {
	Target  int64   // the goal: minutes or pages
	Done    int64   // done today, in the same unit (whole minutes, rounded down)
	Percent float64 // 0 to 100, capped at 100; not rounded
	OnTrack bool    // today's target is reached
}

// DailyMinutes is today's progress toward studying targetMinutes minutes a
// day, from today's totals (the student's local today).
//
// OnTrack means "done today": the seconds studied so far reach the target.
// It does not mean "on pace for the time of day": students study at very
// different hours, so a morning reading of "off track" would be wrong for
// an evening student, and the honest statement is what has been done.
// Done is in whole minutes rounded down, so 59 min 59 s shows as 59 of 60,
// never as a met goal that is not. A target of 0 or less asks for nothing:
// it is met, at 100 %.
func DailyMinutes(targetMinutes int64, today Day) DailyProgress {
	done := max(today.Seconds, 0)
	target := max(targetMinutes, 0) * 60
	return DailyProgress{
		Target:  targetMinutes,
		Done:    done / 60,
		Percent: percent(done, target),
		OnTrack: done >= target,
	}
}

// DailyPages is today's progress toward reading target pages a day (counted
// page reads), with the same rules as DailyMinutes.
func DailyPages(target int64, today Day) DailyProgress {
	done := max(today.Pages, 0)
	return DailyProgress{
		Target:  target,
		Done:    done,
		Percent: percent(done, max(target, 0)),
		OnTrack: done >= target,
	}
}

// percent is done as a percentage of target, capped at 100; 100 when
// target is 0.
func percent(done, target int64) float64 {
	if done >= target {
		return 100
	}
	return 100 * float64(done) / float64(target)
}

// RecentDays is the window of the recent pace: the RecentDays days before
// today, in the student's zone (today is partial and kept apart).
const RecentDays = 14

// MaxProjectionDays bounds a projected finish: about ten years ahead. A
// pace that needs longer gives no date (ReasonTooFar).
const MaxProjectionDays = 3653

// Reasons why a projected finish date is missing.
const (
	ReasonNoRecentStudy = "no_recent_study" // no study in the RecentDays days before today
	ReasonTooFar        = "too_far"         // at the recent pace, more than MaxProjectionDays away
	ReasonDone          = "done"            // a deadline goal with nothing remaining
)

// ProjectedReasons lists every reason, for the API document.
var ProjectedReasons = []string{ReasonNoRecentStudy, ReasonTooFar, ReasonDone}

// ProjectFinish is the date on which remainingSeconds of study are done if
// the student keeps their recent pace: the mean daily study seconds over
// the RecentDays days before today (the sum of recent's seconds on those
// dates over RecentDays; other dates in recent are ignored, and missing
// dates count as no study). today is today's date with the study done so
// far: the student is expected to do their usual day's amount today, less
// what they already did, and then the usual amount every day. So with a
// pace of an hour a day, 40 minutes done today and 30 minutes remaining,
// the finish is tomorrow; with 20 minutes done, it is today.
//
// It returns a nil date with ReasonNoRecentStudy when the student has not
// studied in the window, and with ReasonTooFar when the finish is more than
// MaxProjectionDays away. When nothing remains (remainingSeconds <= 0) it
// is today. remainingSeconds comes from the estimator, which always gives a
// finite number; a NaN or infinite one counts as 0.
func ProjectFinish(remainingSeconds float64, recent []Day, today Day) (*Date, string) {
	remaining := finite(remainingSeconds)
	if remaining == 0 {
		d := today.Date
		return &d, ""
	}
	first := today.Date.AddDays(-RecentDays)
	var sum int64
	for _, d := range recent {
		if d.Seconds > 0 && !d.Date.Before(first) && d.Date.Before(today.Date) {
			sum += d.Seconds
		}
	}
	if sum == 0 {
		return nil, ReasonNoRecentStudy
	}
	// In units of 1/RecentDays s, so that the sums stay exact integers:
	// the pace per day is sum, the remaining work need, and what is left of
	// today's usual amount leftToday.
	need := remaining * RecentDays
	leftToday := float64(max(sum-RecentDays*max(today.Seconds, 0), 0))
	if need <= leftToday {
		d := today.Date
		return &d, ""
	}
	days := math.Ceil((need - leftToday) / float64(sum))
	if days > MaxProjectionDays {
		return nil, ReasonTooFar
	}
	d := today.Date.AddDays(int(days))
	return &d, ""
}

// finite is x, or 0 when x is negative, NaN or infinite.
func finite(x float64) float64 {
	if x > 0 && !math.IsInf(x, 1) {
		return x
	}
	return 0
}

// DeadlineInput is what Deadline needs about a finish_pdf_by or
// finish_topic_by goal.
type DeadlineInput struct {
	RemainingPages   int64   // pages not yet read (of the PDF, or of the topic's PDFs)
	RemainingSeconds float64 // the estimator's time for what remains (pages and exercises)
	Today            Day     // today's date in the student's zone, with the study so far
	Deadline         Date    // the last day the student may still study for the goal
	Recent           []Day   // the RecentDays days before today (FillDays); see ProjectFinish
}

// DeadlineProgress is how a deadline goal stands.
type DeadlineProgress struct {
	// DaysLeft is the number of days the student may still study, today and
	// the deadline day included: deadline − today + 1, and 0 once the
	// deadline has passed.
	DaysLeft int
	// RequiredPagesPerDay and RequiredMinutesPerDay spread what remains
	// evenly over DaysLeft (over today alone once the deadline has passed).
	RequiredPagesPerDay   float64
	RequiredMinutesPerDay float64
	// ProjectedFinish is when the student finishes at their recent pace
	// (ProjectFinish); nil exactly when ProjectedReason is not "".
	ProjectedFinish *Date
	// ProjectedReason says why ProjectedFinish is nil: ReasonDone when
	// nothing remains, ReasonNoRecentStudy, ReasonTooFar; "" otherwise.
	ProjectedReason string
	// OnTrack: nothing remains, or the projected finish is on or before the
	// deadline. A student with no recent study is not on track.
	OnTrack bool
}

// Deadline measures a deadline goal. The deadline is inclusive: the student
// may still study on the deadline day, and today counts too, so the days
// left are deadline − today + 1. A deadline in the past is for the caller
// to refuse (422) when a goal is set; here it gives DaysLeft 0, the rates
// needed to finish today, and OnTrack false unless nothing remains — no
// division by zero. Nothing remains when RemainingPages <= 0 and
// RemainingSeconds <= 0 (a topic can have exercises left and no pages).
// RemainingSeconds follows the rules of ProjectFinish.
func Deadline(in DeadlineInput) DeadlineProgress {
	pages, secs := max(in.RemainingPages, 0), finite(in.RemainingSeconds)
	p := DeadlineProgress{DaysLeft: max(in.Deadline.Sub(in.Today.Date)+1, 0)}
	if pages == 0 && secs == 0 {
		p.ProjectedReason, p.OnTrack = ReasonDone, true
		return p
	}
	spread := float64(max(p.DaysLeft, 1))
	p.RequiredPagesPerDay = float64(pages) / spread
	p.RequiredMinutesPerDay = secs / 60 / spread
	p.ProjectedFinish, p.ProjectedReason = ProjectFinish(secs, in.Recent, in.Today)
	p.OnTrack = p.ProjectedFinish != nil && !p.ProjectedFinish.After(in.Deadline)
	return p
}
