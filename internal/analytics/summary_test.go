package analytics

import (
	"testing"
	"time"
)

func TestSummarize(t *testing.T) {
	june := []Day{
		{Date: day("2026-05-31"), Seconds: 1600, Pages: 16, Sessions: 1}, // Sunday
		{Date: day("2026-06-06"), Seconds: 100, Pages: 1, Sessions: 1},   // Saturday
		{Date: day("2026-06-07"), Seconds: 200, Pages: 2, Sessions: 1},   // Sunday
		{Date: day("2026-06-08"), Seconds: 400, Pages: 4, Sessions: 2},   // Monday
		{Date: day("2026-06-10"), Seconds: 800, Pages: 8, Sessions: 1},   // Wednesday, today
		{Date: day("2026-06-11"), Seconds: 5000, Pages: 50, Sessions: 9}, // tomorrow: ignored
	}
	march := []Day{
		{Date: day("2026-02-28"), Seconds: 100, Pages: 1, Sessions: 1}, // Saturday
		{Date: day("2026-03-01"), Seconds: 200, Pages: 2, Sessions: 1}, // Sunday, today
	}
	leap := []Day{
		{Date: day("2028-02-28"), Seconds: 100, Pages: 1, Sessions: 1}, // Monday
		{Date: day("2028-02-29"), Seconds: 200, Pages: 2, Sessions: 1},
		{Date: day("2028-03-01"), Seconds: 400, Pages: 4, Sessions: 1}, // Wednesday, today
	}
	newYear := []Day{
		{Date: day("2026-12-27"), Seconds: 50, Pages: 1, Sessions: 1},  // Sunday
		{Date: day("2026-12-31"), Seconds: 100, Pages: 1, Sessions: 1}, // Thursday
		{Date: day("2027-01-01"), Seconds: 200, Pages: 2, Sessions: 1}, // Friday, today
	}
	tot := func(s, p, n int64) Totals { return Totals{s, p, n} }
	for _, tc := range []struct {
		name                     string
		days                     []Day
		today                    string
		first                    time.Weekday
		todayT, week, month, all Totals
		current, longest         int
	}{
		{"week from Monday", june, "2026-06-10", time.Monday, tot(800, 8, 1), tot(1200, 12, 3), tot(1500, 15, 5), tot(3100, 31, 6), 1, 3},
		{"week from Sunday: Sunday counts", june, "2026-06-10", time.Sunday, tot(800, 8, 1), tot(1400, 14, 4), tot(1500, 15, 5), tot(3100, 31, 6), 1, 3},
		{"first of the month, Monday week reaches into February", march, "2026-03-01", time.Monday, tot(200, 2, 1), tot(300, 3, 2), tot(200, 2, 1), tot(300, 3, 2), 2, 2},
		{"first of the month, Sunday week starts today", march, "2026-03-01", time.Sunday, tot(200, 2, 1), tot(200, 2, 1), tot(200, 2, 1), tot(300, 3, 2), 2, 2},
		{"leap day is in February", leap, "2028-03-01", time.Monday, tot(400, 4, 1), tot(700, 7, 3), tot(400, 4, 1), tot(700, 7, 3), 3, 3},
		{"new year's day", newYear, "2027-01-01", time.Sunday, tot(200, 2, 1), tot(350, 4, 3), tot(200, 2, 1), tot(350, 4, 3), 2, 2},
		{"nothing yet", nil, "2026-06-10", time.Monday, Totals{}, Totals{}, Totals{}, Totals{}, 0, 0},
	} {
		s := Summarize(tc.days, day(tc.today), tc.first, 60)
		if s.Today != tc.todayT || s.Week != tc.week || s.Month != tc.month || s.AllTime != tc.all {
			t.Errorf("%s: today %+v week %+v month %+v all %+v\nwant today %+v week %+v month %+v all %+v",
				tc.name, s.Today, s.Week, s.Month, s.AllTime, tc.todayT, tc.week, tc.month, tc.all)
		}
		if s.Streak.Current != tc.current || s.Streak.Longest != tc.longest {
			t.Errorf("%s: streak %+v, want %d/%d", tc.name, s.Streak, tc.current, tc.longest)
		}
	}
}
