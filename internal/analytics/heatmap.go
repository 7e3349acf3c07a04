package analytics

import (
	"slices"
	"sort"
)

// HeatmapLevels gives each day of a window (usually FillDays over the last
// year) a shade from 0 to 4, in the order of days: 0 for a day without
// study (Seconds <= 0), and 1 to 4 for the quarter of the window's study
// days the day falls in, ranked by Seconds. Levels are relative to the
// student's own days, so a light student's best days are as dark as a
// heavy student's.
//
// Exactly: among the n study days of the window, let below be the number
// with fewer seconds than this day and same the number with as many
// (itself included). The day's mid-rank percentile is
// p = (below + same/2) / n, and its level is 1 + floor(4p), which is
// 1 + floor(2*(2*below + same)/n) in integers. So:
//   - ties get the same level, and more seconds never give a lower level;
//   - with four or more different amounts the lowest is 1 and the highest
//     4; n = 4 different amounts give 1, 2, 3, 4;
//   - small samples stay in the middle rather than at the extremes: a
//     single study day, or a window where every study day has the same
//     time, is level 3; two different amounts are 2 and 4; three are 1, 3
//     and 4.
func HeatmapLevels(days []Day) []int {
	var vals []int64
	for _, d := range days {
		if d.Seconds > 0 {
			vals = append(vals, d.Seconds)
		}
	}
	slices.Sort(vals)
	n := int64(len(vals))
	levels := make([]int, len(days))
	for i, d := range days {
		if d.Seconds <= 0 {
			continue
		}
		below, _ := slices.BinarySearch(vals, d.Seconds)
		upTo := sort.Search(len(vals), func(j int) bool { return vals[j] > d.Seconds })
		same := int64(upTo - below)
		levels[i] = 1 + int(2*(2*int64(below)+same)/n)
	}
	return levels
}
