package study

import (
	"cmp"
	"slices"
	"time"
)

// SplitSeconds rounds durations to whole seconds so that they sum exactly to
// the rounded total (largest remainder): the total rounds half up, each part
// becomes its floor or its ceiling, and the parts with the largest
// remainders (the earlier one on a tie) take the ceilings. For answers whose
// parts must add up.
func SplitSeconds(parts ...time.Duration) []int64 {
	out := make([]int64, len(parts))
	rem := make([]time.Duration, len(parts))
	order := make([]int, len(parts))
	var sum time.Duration // of the remainders, each in [0, 1s)
	for i, d := range parts {
		s, r := int64(d/time.Second), d%time.Second
		if r < 0 {
			s, r = s-1, r+time.Second
		}
		out[i], rem[i], order[i] = s, r, i
		sum += r
	}
	// The remainders are below 1 s each, so at most one ceiling per part
	// with a remainder; the sum cannot overflow below ~9e9 parts.
	up := int((sum + time.Second/2) / time.Second)
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(rem[b], rem[a]) })
	for _, i := range order[:up] {
		out[i]++
	}
	return out
}

// RoundSeconds is d in whole seconds, half up. A page's stored seconds are
// its own duration rounded: they depend on nothing else, so a fold that
// rewrites only the pages it touched stores what a replay would.
func RoundSeconds(d time.Duration) int64 {
	return int64((d + time.Second/2) / time.Second)
}

// CumulativeSeconds rounds durations given in time order so that every
// prefix sums to its own rounded total: part i is round(d₀+…+dᵢ) −
// round(d₀+…+dᵢ₋₁). The parts add up to the rounded total exactly, and a
// part depends only on the parts before it — so a fold that rewrites only
// the buckets from some instant on stores what a replay would.
func CumulativeSeconds(parts ...time.Duration) []int64 {
	out := make([]int64, len(parts))
	var cum time.Duration
	var prev int64
	for i, d := range parts {
		cum += d
		r := RoundSeconds(cum)
		out[i], prev = r-prev, r
	}
	return out
}
