package analytics

import "testing"

// studied is a day with s seconds of study.
func studied(date string, s int64) Day { return Day{Date: day(date), Seconds: s} }

func ptr(d Date) *Date { return &d }

func sameStreak(a, b StreakInfo) bool {
	if (a.LongestEnd == nil) != (b.LongestEnd == nil) || a.LongestEnd != nil && *a.LongestEnd != *b.LongestEnd {
		return false
	}
	a.LongestEnd, b.LongestEnd = nil, nil
	return a == b
}

func TestStreaks(t *testing.T) {
	const min = 900 // 15 minutes
	for _, tc := range []struct {
		name  string
		days  []Day
		today string
		min   int64
		want  StreakInfo
	}{
		{"no study ever", nil, "2026-06-10", min, StreakInfo{}},
		{"today studied", []Day{studied("2026-06-08", 1000), studied("2026-06-09", 900), studied("2026-06-10", 2000)}, "2026-06-10", min,
			StreakInfo{Current: 3, Longest: 3, TodayCounts: true, Alive: true, LongestEnd: ptr(day("2026-06-10"))}},
		{"today not yet studied: alive, counts to yesterday", []Day{studied("2026-06-08", 1000), studied("2026-06-09", 900)}, "2026-06-10", min,
			StreakInfo{Current: 2, Longest: 2, Alive: true, LongestEnd: ptr(day("2026-06-09"))}},
		{"today under the minimum so far: still alive", []Day{studied("2026-06-08", 1000), studied("2026-06-09", 900), studied("2026-06-10", 899)}, "2026-06-10", min,
			StreakInfo{Current: 2, Longest: 2, Alive: true, LongestEnd: ptr(day("2026-06-09"))}},
		{"missed yesterday breaks it", []Day{studied("2026-06-07", 1000), studied("2026-06-08", 1000)}, "2026-06-10", min,
			StreakInfo{Longest: 2, LongestEnd: ptr(day("2026-06-08"))}},
		{"missed yesterday, studied today: a new streak of 1", []Day{studied("2026-06-07", 1000), studied("2026-06-08", 1000), studied("2026-06-10", 1000)}, "2026-06-10", min,
			StreakInfo{Current: 1, Longest: 2, TodayCounts: true, Alive: true, LongestEnd: ptr(day("2026-06-08"))}},
		{"a short day in the middle is a missed day", []Day{studied("2026-06-06", 1000), studied("2026-06-07", 1000), studied("2026-06-08", 100), studied("2026-06-09", 1000)}, "2026-06-10", min,
			StreakInfo{Current: 1, Longest: 2, Alive: true, LongestEnd: ptr(day("2026-06-07"))}},
		{"equal runs: the most recent is the record", []Day{studied("2026-06-01", 1000), studied("2026-06-02", 1000), studied("2026-06-05", 1000), studied("2026-06-06", 1000)}, "2026-06-10", min,
			StreakInfo{Longest: 2, LongestEnd: ptr(day("2026-06-06"))}},
		{"current ties the record: it is the record", []Day{studied("2026-06-01", 1000), studied("2026-06-02", 1000), studied("2026-06-09", 1000), studied("2026-06-10", 1000)}, "2026-06-10", min,
			StreakInfo{Current: 2, Longest: 2, TodayCounts: true, Alive: true, LongestEnd: ptr(day("2026-06-10"))}},
		{"longest in the past", []Day{studied("2026-05-01", 1000), studied("2026-05-02", 1000), studied("2026-05-03", 1000), studied("2026-06-10", 1000)}, "2026-06-10", min,
			StreakInfo{Current: 1, Longest: 3, TodayCounts: true, Alive: true, LongestEnd: ptr(day("2026-05-03"))}},
		{"across a month and year end", []Day{studied("2026-12-30", 1000), studied("2026-12-31", 1000), studied("2027-01-01", 1000)}, "2027-01-02", min,
			StreakInfo{Current: 3, Longest: 3, Alive: true, LongestEnd: ptr(day("2027-01-01"))}},
		{"days after today are ignored", []Day{studied("2026-06-09", 1000), studied("2026-06-10", 1000), studied("2026-06-11", 1000), studied("2026-06-12", 1000)}, "2026-06-10", min,
			StreakInfo{Current: 2, Longest: 2, TodayCounts: true, Alive: true, LongestEnd: ptr(day("2026-06-10"))}},
		{"unsorted, and two entries of a date add up", []Day{studied("2026-06-10", 500), studied("2026-06-08", 1000), studied("2026-06-10", 500), studied("2026-06-09", 1000)}, "2026-06-10", min,
			StreakInfo{Current: 3, Longest: 3, TodayCounts: true, Alive: true, LongestEnd: ptr(day("2026-06-10"))}},
		{"minimum 0 still needs some study", []Day{studied("2026-06-08", 1), studied("2026-06-09", 0), studied("2026-06-10", 0)}, "2026-06-10", 0,
			StreakInfo{Longest: 1, LongestEnd: ptr(day("2026-06-08"))}},
		{"exactly the minimum counts", []Day{studied("2026-06-09", 60), studied("2026-06-10", 60)}, "2026-06-10", 60,
			StreakInfo{Current: 2, Longest: 2, TodayCounts: true, Alive: true, LongestEnd: ptr(day("2026-06-10"))}},
	} {
		got := Streaks(tc.days, day(tc.today), tc.min)
		if !sameStreak(got, tc.want) {
			t.Errorf("%s:\n got %+v (end %v)\nwant %+v (end %v)", tc.name, got, got.LongestEnd, tc.want, tc.want.LongestEnd)
		}
		// Filled with zero days, the answer is the same.
		if len(tc.days) > 0 {
			filled := FillDays(tc.days, day("2026-04-01"), day("2027-02-01"))
			if got := Streaks(filled, day(tc.today), tc.min); !sameStreak(got, tc.want) {
				t.Errorf("%s, filled: %+v", tc.name, got)
			}
		}
	}
}

// Two students study at the same instants — the same buckets — one in
// Auckland, one in Los Angeles. 11:30 UTC is late evening in Auckland and
// early morning in Los Angeles; 12:30 UTC is already the next day in
// Auckland. So the Auckland student misses a day, the Los Angeles student
// does not.
func TestStreaksAcrossZones(t *testing.T) {
	buckets := []Bucket{
		{Start: instant("2026-06-01T11:30:00Z"), ActiveSeconds: 900},
		{Start: instant("2026-06-02T12:30:00Z"), ActiveSeconds: 900},
		{Start: instant("2026-06-03T11:30:00Z"), ActiveSeconds: 900},
	}
	now := instant("2026-06-03T13:00:00Z")
	for _, tc := range []struct {
		zone  string
		dates []string
		today string
		want  StreakInfo
	}{
		{"America/Los_Angeles", []string{"2026-06-01", "2026-06-02", "2026-06-03"}, "2026-06-03",
			StreakInfo{Current: 3, Longest: 3, TodayCounts: true, Alive: true, LongestEnd: ptr(day("2026-06-03"))}},
		{"Pacific/Auckland", []string{"2026-06-01", "2026-06-03"}, "2026-06-04", // 01:00 on the 4th
			StreakInfo{Current: 1, Longest: 1, Alive: true, LongestEnd: ptr(day("2026-06-03"))}},
	} {
		loc := zone(t, tc.zone)
		days := LocalDays(buckets, loc)
		var dates []string
		for _, d := range days {
			dates = append(dates, d.Date.String())
		}
		if len(dates) != len(tc.dates) || dates[0] != tc.dates[0] || dates[len(dates)-1] != tc.dates[len(tc.dates)-1] {
			t.Errorf("%s: days %v, want %v", tc.zone, dates, tc.dates)
		}
		today := DateOf(now, loc)
		if today != day(tc.today) {
			t.Fatalf("%s: today %v, want %s", tc.zone, today, tc.today)
		}
		if got := Streaks(days, today, 900); !sameStreak(got, tc.want) {
			t.Errorf("%s: %+v, want %+v", tc.zone, got, tc.want)
		}
	}
}

// A Berlin student studies at a quarter past midnight every night across
// the spring change. In UTC that is 23:15 before the change and 22:15
// after; with a fixed offset one night would seem missed.
func TestStreaksAcrossDSTChange(t *testing.T) {
	loc := zone(t, "Europe/Berlin")
	buckets := []Bucket{
		{Start: instant("2026-03-27T23:15:00Z"), ActiveSeconds: 900}, // 00:15 CET, 28th
		{Start: instant("2026-03-28T23:15:00Z"), ActiveSeconds: 900}, // 00:15 CET, 29th (the 23-hour day)
		{Start: instant("2026-03-29T21:45:00Z"), ActiveSeconds: 300}, // 23:45 CEST, 29th
		{Start: instant("2026-03-29T22:15:00Z"), ActiveSeconds: 900}, // 00:15 CEST, 30th
		{Start: instant("2026-03-30T22:15:00Z"), ActiveSeconds: 900}, // 00:15 CEST, 31st
	}
	days := LocalDays(buckets, loc)
	want := []Day{studied("2026-03-28", 900), studied("2026-03-29", 1200), studied("2026-03-30", 900), studied("2026-03-31", 900)}
	if len(days) != len(want) {
		t.Fatalf("days %+v", days)
	}
	for i := range want {
		if days[i] != want[i] {
			t.Errorf("day %d = %+v, want %+v", i, days[i], want[i])
		}
	}
	got := Streaks(days, day("2026-03-31"), 900)
	if got.Current != 4 || !got.TodayCounts {
		t.Errorf("streak %+v, want 4 including today", got)
	}
}
