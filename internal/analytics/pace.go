package analytics

import "time"

// WeekPace is a week's reading pace.
type WeekPace struct {
	WeekStart      Date    // first day of the week (the student's week start)
	ReadSeconds    int64   // counted reading seconds of the week
	Pages          int64   // counted page reads of the week
	SecondsPerPage float64 // ReadSeconds / Pages
}

// WeeklyPace is the reading pace per week, weeks starting on weekStart
// (time.Monday or time.Sunday), in date order: counted reading seconds over
// counted page reads of the dwells that began in the week. Weeks without a
// counted page read are omitted, not given as zeros or nulls: a pace of "0
// seconds per page" would be false, and a chart joins the weeks that have a
// pace. Days may be in any order.
func WeeklyPace(days []Day, weekStart time.Weekday) []WeekPace {
	var out []WeekPace
	var cur WeekPace
	flush := func() {
		if cur.Pages > 0 {
			cur.SecondsPerPage = float64(cur.ReadSeconds) / float64(cur.Pages)
			out = append(out, cur)
		}
	}
	for i, d := range normalized(days) {
		if w := WeekStart(d.Date, weekStart); i == 0 || w != cur.WeekStart {
			flush()
			cur = WeekPace{WeekStart: w}
		}
		cur.ReadSeconds += d.ReadSeconds
		cur.Pages += d.Pages
	}
	flush()
	return out
}
