package analytics

import "time"

// Totals are the study totals of a period.
type Totals struct {
	Seconds  int64 // active study seconds
	Pages    int64 // counted page reads
	Sessions int64 // sessions started
}

func (t *Totals) add(d Day) {
	t.Seconds += d.Seconds
	t.Pages += d.Pages
	t.Sessions += d.Sessions
}

// Summary is what the stats screen shows first.
type Summary struct {
	Today   Totals // today, in the student's zone
	Week    Totals // from the start of this week (the student's week start) to today
	Month   Totals // from the first of this month to today
	AllTime Totals // every day given up to today
	Streak  StreakInfo
}

// Summarize sums the student's local days into today, this week (weeks
// start on weekStart, time.Monday or time.Sunday), this month and all time,
// and computes the streaks with minSeconds (see Streaks). Periods run up to
// and including today; this week may begin in the previous month, so Week
// can hold study that Month does not. Days may be in any order; days after
// today are ignored as in Streaks.
func Summarize(days []Day, today Date, weekStart time.Weekday, minSeconds int64) Summary {
	var s Summary
	week, month := WeekStart(today, weekStart), MonthStart(today)
	for _, d := range days {
		if d.Date.After(today) {
			continue
		}
		s.AllTime.add(d)
		if !d.Date.Before(month) {
			s.Month.add(d)
		}
		if !d.Date.Before(week) {
			s.Week.add(d)
		}
		if d.Date == today {
			s.Today.add(d)
		}
	}
	s.Streak = Streaks(days, today, minSeconds)
	return s
}
