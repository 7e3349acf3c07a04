package estimate

import (
	"math"
)

// sample is a set of values with weights (recency), summarised robustly.
type sample struct {
	z   []float64 // values (log seconds, or log ratios)
	w   []float64 // weights in (0, 1]
	sub *sample   // scratch for the subsample of a large sample
}

// newSample has room for n values.
func newSample(n int) sample {
	return sample{z: make([]float64, 0, n), w: make([]float64, 0, n)}
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
	mu    float64 // M-estimate of the centre
	scale float64 // robust scale (1.4826 MAD), 0 when n < 2
	n     float64 // effective number of observations (Kish), 0 when empty
	count int
}

// huberK and tukeyC are the Huber and biweight tuning constants (95 %
// efficiency at the normal).
const (
	huberK = 1.345
	tukeyC = 4.685
)

// locationTol ends the iterations of a location: 0.1 % in log seconds, far
// below any difference an estimate could show.
const locationTol = 1e-3

// medianSample bounds the values the starting median and MAD look at,
// maxFit those the iterations look at.
const (
	medianSample = 256
	maxFit       = 1024
)

// robustLocation is a weighted M-estimate of the centre (Huber, then
// Tukey's biweight) with a MAD-based scale; buf is scratch space (reused
// to avoid allocation).
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
	zs, ws := s.z, s.w
	if n > maxFit {
		// The centre of a large sample is pinned down long before its last
		// observation: iterate on an evenly spaced subsample (the count
		// and precision above stay the whole sample's).
		if s.sub == nil {
			sub := newSample(maxFit)
			s.sub = &sub
		}
		sub := s.sub
		sub.reset()
		for i := 0; i < n; i += (n + maxFit - 1) / maxFit {
			sub.add(s.z[i], s.w[i])
		}
		zs, ws, n = sub.z, sub.w, len(sub.z)
	}
	// The median and the MAD only start the iterations and set the scale:
	// a large sample gives them from an evenly spaced subsample.
	stride := max(1, n/medianSample)
	buf = buf[:0]
	for i := 0; i < n; i += stride {
		buf = append(buf, zs[i])
	}
	med := quickMedian(buf)
	if n == 1 {
		loc.mu = med
		return loc, buf
	}
	buf = buf[:0]
	for i := 0; i < n; i += stride {
		buf = append(buf, math.Abs(zs[i]-med))
	}
	mad := 1.4826 * quickMedian(buf)
	// A scale floor keeps a run of identical values from giving zero spread.
	scale := math.Max(mad, 0.02)
	mu := med
	for range 5 {
		var num, den float64
		for i, z := range zs {
			r := (z - mu) / scale
			h := ws[i]
			if a := math.Abs(r); a > huberK {
				h *= huberK / a
			}
			num += h * z
			den += h
		}
		next := num / den
		if math.Abs(next-mu) < locationTol {
			mu = next
			break
		}
		mu = next
	}
	// Then Tukey's biweight from there: a page more than tukeyC scales
	// away (a 20-minute page among two-minute ones) gets no weight at all.
	for range 4 {
		var num, den float64
		for i, z := range zs {
			u := (z - mu) / (tukeyC * scale)
			if u <= -1 || u >= 1 {
				continue
			}
			h := ws[i] * (1 - u*u) * (1 - u*u)
			num += h * z
			den += h
		}
		if den <= 0 {
			break
		}
		next := num / den
		if math.Abs(next-mu) < locationTol {
			mu = next
			break
		}
		mu = next
	}
	// The scale stays the MAD's: a refinement from the residuals would let
	// one outlier widen it, and with it the mean correction.
	loc.scale = scale
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
