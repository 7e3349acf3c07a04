package analytics

import (
	"reflect"
	"testing"
	"time"
)

func TestWeeklyPace(t *testing.T) {
	read := func(date string, s, p int64) Day {
		return Day{Date: day(date), Seconds: s + 60, ReadSeconds: s, Pages: p}
	}
	days := []Day{
		read("2026-06-14", 900, 10),  // Sunday
		read("2026-06-08", 1200, 10), // Monday
		read("2026-06-10", 600, 5),   // Wednesday
		read("2026-06-07", 300, 3),   // Sunday
		read("2026-06-16", 500, 0),   // a week of skims only: read seconds, no counted page
		read("2026-06-29", 1000, 8),  // after two weeks without reading
	}
	for _, tc := range []struct {
		first time.Weekday
		want  []WeekPace
	}{
		{time.Monday, []WeekPace{
			{day("2026-06-01"), 300, 3, 100},
			{day("2026-06-08"), 2700, 25, 108},
			{day("2026-06-29"), 1000, 8, 125},
		}},
		{time.Sunday, []WeekPace{
			{day("2026-06-07"), 2100, 18, 2100.0 / 18},
			{day("2026-06-14"), 1400, 10, 140}, // the skims' seconds count in a week with pages
			{day("2026-06-28"), 1000, 8, 125},
		}},
	} {
		if got := WeeklyPace(days, tc.first); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("weeks from %v:\n got %+v\nwant %+v", tc.first, got, tc.want)
		}
	}
	if got := WeeklyPace(FillDays(nil, day("2026-06-01"), day("2026-06-30")), time.Monday); got != nil {
		t.Errorf("no reading: %+v", got)
	}
}
