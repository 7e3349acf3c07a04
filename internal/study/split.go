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
