package analytics

import (
	"reflect"
	"testing"
)

// secs makes a window of days with the given seconds.
func secs(s ...int64) []Day {
	days := make([]Day, len(s))
	for i, v := range s {
		days[i] = Day{Date: day("2026-06-01").AddDays(i), Seconds: v}
	}
	return days
}

func TestHeatmapLevels(t *testing.T) {
	for _, tc := range []struct {
		name    string
		seconds []int64
		want    []int
	}{
		{"empty window", nil, []int{}},
		{"no study", []int64{0, 0, 0}, []int{0, 0, 0}},
		{"a single study day is in the middle", []int64{0, 1800, 0}, []int{0, 3, 0}},
		{"equal days are all in the middle", []int64{600, 600, 0, 600}, []int{3, 3, 0, 3}},
		{"two amounts", []int64{600, 0, 3600}, []int{2, 0, 4}},
		{"three amounts", []int64{3600, 600, 1200}, []int{4, 1, 3}},
		{"four amounts: one per level", []int64{40, 10, 0, 30, 20}, []int{4, 1, 0, 3, 2}},
		{"eight amounts: two per quartile", []int64{8, 7, 6, 5, 4, 3, 2, 1}, []int{4, 4, 3, 3, 2, 2, 1, 1}},
		{"ties share a level", []int64{10, 10, 10, 20}, []int{2, 2, 2, 4}},
		{"one long day among many short ones", []int64{600, 600, 600, 600, 600, 600, 600, 18000}, []int{2, 2, 2, 2, 2, 2, 2, 4}},
		{"negative counts as no study", []int64{-5, 100}, []int{0, 3}},
	} {
		if got := HeatmapLevels(secs(tc.seconds...)); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}
