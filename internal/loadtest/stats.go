// Package loadtest is the load benchmark behind `make loadtest`: a
// closed-loop HTTP load generator, the measurements it takes of the server
// process from /proc, a floor server to compare against, and the report
// that rewrites its own section of BENCHMARKS.md. cmd/loadtest wires it.
package loadtest

import (
	"math"
	"slices"
	"time"
)

// Percentile returns the p-th percentile (0 < p <= 100) of sorted samples
// by the nearest-rank method: the smallest sample such that at least p % of
// the samples are at most it. No samples give 0.
func Percentile(sorted []time.Duration, p float64) time.Duration {
	n := len(sorted)
	if n == 0 {
		return 0
	}
	switch {
	case p <= 0:
		return sorted[0]
	case p >= 100:
		return sorted[n-1]
	}
	rank := int(math.Ceil(p / 100 * float64(n)))
	return sorted[max(rank, 1)-1]
}

// Latencies is a set of request latencies, kept whole (a run holds at most
// a few million, so sorting them is the simplest exact histogram).
type Latencies []time.Duration

// Summary is what the report shows of a set of latencies.
type Summary struct {
	Count         int
	P50, P99, Max time.Duration
	Mean          time.Duration
}

// Summarize sorts l in place and summarises it.
func (l Latencies) Summarize() Summary {
	if len(l) == 0 {
		return Summary{}
	}
	slices.Sort(l)
	var sum time.Duration
	for _, d := range l {
		sum += d
	}
	return Summary{
		Count: len(l), P50: Percentile(l, 50), P99: Percentile(l, 99), Max: l[len(l)-1],
		Mean: sum / time.Duration(len(l)),
	}
}
