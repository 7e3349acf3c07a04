package analytics

// StreakInfo is a student's streak of consecutive study days.
type StreakInfo struct {
	// Current is the length of the running streak: the consecutive streak
	// days ending today, or ending yesterday while today has not reached the
	// minimum yet. 0 when the student missed yesterday (and has not made
	// today count).
	Current int
	// Longest is the longest run of consecutive streak days up to today.
	// Current <= Longest always.
	Longest int
	// TodayCounts reports whether today already reached the minimum (and so
	// is part of Current).
	TodayCounts bool
	// Alive reports whether a streak is running (Current > 0). Alive &&
	// !TodayCounts is the "study today to keep your streak" case.
	Alive bool
	// LongestEnd is the last day of the longest run; when several runs are
	// equally long it is the most recent one, so a current streak that ties
	// the record is the record. nil when there is no streak day.
	LongestEnd *Date
}

// isStreakDay reports whether a day with seconds of study counts for a
// streak with the given minimum; some study is always needed, even with a
// minimum of 0.
func isStreakDay(seconds, minSeconds int64) bool {
	return seconds > 0 && seconds >= minSeconds
}

// Streaks computes the student's streaks from their local days. A streak
// day has at least minSeconds of study (the streak_min_minutes preference,
// in seconds; at least one second of study even when minSeconds <= 0).
// The current streak counts back from today: today not yet reaching the
// minimum does not break it (it is still alive and counts the days up to
// yesterday), a missed day — any day before today under the minimum — does.
// Longest is over all days given up to today.
//
// days may be sparse (LocalDays) or filled (FillDays), in any order; days of
// the same date are added together. Days after today are ignored: they
// cannot have happened yet, and they only appear when the caller's clock or
// zone is off.
func Streaks(days []Day, today Date, minSeconds int64) StreakInfo {
	var info StreakInfo
	var run int      // length of the run ending at last
	var last Date    // last streak day seen
	var longEnd Date // end of the longest run so far
	for _, d := range normalized(days) {
		if d.Date.After(today) {
			break
		}
		if !isStreakDay(d.Seconds, minSeconds) {
			continue
		}
		if run > 0 && d.Date.Sub(last) == 1 {
			run++
		} else {
			run = 1
		}
		last = d.Date
		if run >= info.Longest {
			info.Longest, longEnd = run, last
		}
	}
	if info.Longest > 0 {
		info.LongestEnd = &longEnd
	}
	switch {
	case run > 0 && last == today:
		info.Current, info.TodayCounts = run, true
	case run > 0 && last == today.AddDays(-1):
		info.Current = run
	}
	info.Alive = info.Current > 0
	return info
}
