package estimate

import (
	"math"
)

// sample is a set of values with weights (recency), summarised robustly.
type sample struct {
	z []float64 // values (log seconds, or log ratios)
	w []float64 // weights in (0, 1]
}

func (s *sample) add(z, w float64) {
	s.z = append(s.z, z)
	s.w = append(s.w, w)
}

func (s *sample) reset() {
	s.z, s.w = s.z[:0], s.w[:0]
}

// location is a robust summary of a sample.
type location struct {
	mu    float64 // Huber M-estimate of the centre
	scale float64 // robust scale (1.4826 MAD, Huber-refined), 0 when n < 2
	n     float64 // effective number of observations (Kish), 0 when empty
	count int
}

// huberK is the Huber tuning constant (95 % efficiency at the normal).
const huberK = 1.345

// robustLocation is a weighted Huber M-estimate of the centre with a
// MAD-based scale; buf is scratch space (reused to avoid allocation).
func (s *sample) robustLocation(buf []float64) (location, []float64) {
	n := len(s.z)
	if n == 0 {
		return location{}, buf
	}
	var sw, sw2 float64
	for _, w := range s.w {
		sw += w
		sw2 += w * w
	}
	loc := location{n: sw * sw / sw2, count: n}
	buf = append(buf[:0], s.z...)
	med := quickMedian(buf)
	if n == 1 {
		loc.mu = med
		return loc, buf
	}
	for i, z := range s.z {
		buf[i] = math.Abs(z - med)
	}
	mad := 1.4826 * quickMedian(buf)
	// A scale floor keeps a run of identical values from giving zero spread.
	scale := math.Max(mad, 0.02)
	mu := med
	for range 8 {
		var num, den float64
		for i, z := range s.z {
			r := (z - mu) / scale
			h := s.w[i]
			if a := math.Abs(r); a > huberK {
				h *= huberK / a
			}
			num += h * z
			den += h
		}
		next := num / den
		if math.Abs(next-mu) < 1e-6 {
			mu = next
			break
		}
		mu = next
	}
	// Huber's proposal-2 style refinement of the scale: the weighted
	// root mean square of the residuals clipped at k scales, corrected for
	// the clipping at the normal.
	var ss, sws float64
	for i, z := range s.z {
		r := (z - mu) / scale
		r = math.Max(-huberK, math.Min(huberK, r))
		ss += s.w[i] * r * r
		sws += s.w[i]
	}
	const clippedVar = 0.7102 // E[min(|Z|, 1.345)^2] for a standard normal
	loc.scale = scale * math.Sqrt(ss/sws/clippedVar)
	loc.mu = mu
	return loc, buf
}

// quickMedian returns the median of xs, reordering xs (Hoare's selection,
// linear on average).
func quickMedian(xs []float64) float64 {
	n := len(xs)
	if n%2 == 1 {
		return quickSelect(xs, n/2)
	}
	hi := quickSelect(xs, n/2)
	lo := xs[0]
	for _, x := range xs[:n/2] {
		lo = math.Max(lo, x)
	}
	return (lo + hi) / 2
}

// quickSelect puts the k-th smallest value at xs[k] (smaller ones before)
// and returns it.
func quickSelect(xs []float64, k int) float64 {
	lo, hi := 0, len(xs)-1
	for lo < hi {
		// Median of three as the pivot.
		mid := lo + (hi-lo)/2
		if xs[mid] < xs[lo] {
			xs[mid], xs[lo] = xs[lo], xs[mid]
		}
		if xs[hi] < xs[lo] {
			xs[hi], xs[lo] = xs[lo], xs[hi]
		}
		if xs[hi] < xs[mid] {
			xs[hi], xs[mid] = xs[mid], xs[hi]
		}
		p := xs[mid]
		i, j := lo, hi
		for i <= j {
			for xs[i] < p {
				i++
			}
			for xs[j] > p {
				j--
			}
			if i <= j {
				xs[i], xs[j] = xs[j], xs[i]
				i++
				j--
			}
		}
		switch {
		case k <= j:
			hi = j
		case k >= i:
			lo = i
		default:
			return xs[k]
		}
	}
	return xs[k]
}
