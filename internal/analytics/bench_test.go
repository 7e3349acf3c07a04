package analytics

import (
	"testing"
	"time"
)

// fourYears is four years of a diligent student's buckets in Berlin (eight
// DST changes): two hours every evening, 19:00 to 21:00 local time, as
// eight 15-minute buckets: 11,688 buckets.
func fourYears(b *testing.B) ([]Bucket, *time.Location) {
	loc := zone(b, "Europe/Berlin")
	var bs []Bucket
	for d := day("2023-01-01"); d.Before(day("2027-01-01")); d = d.AddDays(1) {
		start := time.Date(d.Year, d.Month, d.Day, 19, 0, 0, 0, loc).UTC()
		for q := range 8 {
			bs = append(bs, Bucket{Start: start.Add(time.Duration(q) * quarter), ActiveSeconds: 900, ReadSeconds: 700, PagesRead: 6, Sessions: int64(q % 4 / 3)})
		}
	}
	return bs, loc
}

func BenchmarkLocalDays(b *testing.B) {
	bs, loc := fourYears(b)
	for b.Loop() {
		LocalDays(bs, loc)
	}
}

// Every quarter hour of four years, the most buckets a user can have:
// 140,256.
func BenchmarkLocalDaysDense(b *testing.B) {
	loc := zone(b, "Europe/Berlin")
	bs := fullBuckets(instant("2023-01-01T00:00:00Z"), instant("2027-01-01T00:00:00Z"))
	for b.Loop() {
		LocalDays(bs, loc)
	}
}

// The stats screen over four years of days: totals and streaks, the
// year's heatmap, weekly pace, and a deadline goal.
func BenchmarkStatsScreen(b *testing.B) {
	bs, loc := fourYears(b)
	days := LocalDays(bs, loc)
	today := day("2026-12-31")
	b.ResetTimer()
	for b.Loop() {
		Summarize(days, today, time.Monday, 900)
		HeatmapLevels(FillDays(days, today.AddDays(-364), today))
		WeeklyPace(days, time.Monday)
		Deadline(DeadlineInput{RemainingPages: 300, RemainingSeconds: 27000, Today: days[len(days)-1], Deadline: today.AddDays(20),
			Recent: FillDays(days, today.AddDays(-RecentDays), today.AddDays(-1))})
	}
}

func BenchmarkDayBounds(b *testing.B) {
	for _, tc := range []struct{ name, zone, date string }{
		{"plain", "Europe/Berlin", "2026-06-01"},
		{"midnight_repeated", "Asia/Amman", "2021-10-29"}, // the searched path
	} {
		loc, d := zone(b, tc.zone), day(tc.date)
		b.Run(tc.name, func(b *testing.B) {
			for b.Loop() {
				DayBounds(d, loc)
			}
		})
	}
}
