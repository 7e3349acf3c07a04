package loadtest

import (
	"math/rand/v2"
	"testing"
	"time"
)

func TestPercentile(t *testing.T) {
	ms := func(v ...int) []time.Duration {
		out := make([]time.Duration, len(v))
		for i, x := range v {
			out[i] = time.Duration(x) * time.Millisecond
		}
		return out
	}
	hundred := make([]int, 100)
	for i := range hundred {
		hundred[i] = i + 1
	}
	for _, tc := range []struct {
		name    string
		samples []time.Duration
		p       float64
		want    time.Duration
	}{
		{"empty", nil, 50, 0},
		{"one sample", ms(7), 99, 7 * time.Millisecond},
		{"median of odd count", ms(1, 2, 3, 4, 5), 50, 3 * time.Millisecond},
		{"median of even count is the lower middle", ms(1, 2, 3, 4), 50, 2 * time.Millisecond},
		{"p99 of 1..100", ms(hundred...), 99, 99 * time.Millisecond},
		{"p50 of 1..100", ms(hundred...), 50, 50 * time.Millisecond},
		{"p99.9 of 1..100 is the max", ms(hundred...), 99.9, 100 * time.Millisecond},
		{"p100", ms(1, 2, 3), 100, 3 * time.Millisecond},
		{"p0 is the min", ms(1, 2, 3), 0, time.Millisecond},
		{"p1 of 1..100", ms(hundred...), 1, time.Millisecond},
		{"p99 of 10 samples is the max", ms(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), 99, 10 * time.Millisecond},
		{"p90 of 10 samples", ms(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), 90, 9 * time.Millisecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Percentile(tc.samples, tc.p); got != tc.want {
				t.Fatalf("Percentile(%v, %v) = %v, want %v", tc.samples, tc.p, got, tc.want)
			}
		})
	}
}

func TestSummarize(t *testing.T) {
	var l Latencies
	for i := 1000; i >= 1; i-- { // reversed: Summarize must sort
		l = append(l, time.Duration(i)*time.Microsecond)
	}
	rand.Shuffle(len(l), func(i, j int) { l[i], l[j] = l[j], l[i] })
	s := l.Summarize()
	want := Summary{Count: 1000, P50: 500 * time.Microsecond, P99: 990 * time.Microsecond, Max: 1000 * time.Microsecond, Mean: 500500 * time.Nanosecond}
	if s != want {
		t.Fatalf("Summarize = %+v, want %+v", s, want)
	}
	if (Latencies{}).Summarize() != (Summary{}) {
		t.Fatal("empty latencies should summarise to zero")
	}
}
