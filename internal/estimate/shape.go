package estimate

import "math"

// fitShape estimates κ, the per-page overhead in word-equivalents: a text
// page with w words takes about f·(κ + w) seconds, f the PDF's own factor
// (its difficulty and the student's speed). The fit is a robust weighted
// least squares on relative errors (Huber IRLS) with a factor per PDF, so
// that PDFs that are denser and also harder do not bend the slope; the
// estimate is then combined with the prior κ in log space by precision.
func (r *pdfRun) fitShape() float64 {
	const shapePoints = 600
	type point struct {
		p       int32
		w, y, h float64
	}
	text := 0
	for _, it := range r.items {
		if it.words >= 0 {
			text++
		}
	}
	// An evenly spaced subsample of at most shapePoints pages (every PDF
	// keeps its share) pins the shape down as well as all of them.
	stride := max(1, (text+shapePoints-1)/shapePoints)
	pts := make([]point, 0, min(text, shapePoints)+1)
	seen := 0
	for _, it := range r.items {
		if it.words >= 0 {
			if seen%stride == 0 {
				pts = append(pts, point{it.p, float64(it.words), it.y, it.w})
			}
			seen++
		}
	}
	if len(pts) < 3 {
		return kappaPrior
	}
	nP := len(r.ids)
	f := make([]float64, nP)
	num := make([]float64, nP)
	den := make([]float64, nP)
	v := make([]float64, len(pts)) // Huber weights
	for i := range v {
		v[i] = 1
	}
	a, b := kappaPrior, 1.0
	var cov [3]float64 // var a, cov ab, var b
	ok := false
	scale := 1.0
	for iter := range 5 {
		for i := range num {
			num[i], den[i] = 0, 0
		}
		for i, q := range pts {
			mu := a + b*q.w
			num[q.p] += q.h * v[i] * q.y / mu
			den[q.p] += q.h * v[i]
		}
		for i := range f {
			if den[i] > 0 {
				f[i] = num[i] / den[i]
			}
		}
		// Relative residuals and their robust scale (the MAD, measured at
		// the start and once the fit has settled).
		if iter == 0 || iter == 3 {
			r.buf = r.buf[:0]
			for i := 0; i < len(pts); i += max(1, len(pts)/medianSample) {
				q := pts[i]
				r.buf = append(r.buf, math.Abs(q.y/(f[q.p]*(a+b*q.w))-1))
			}
			scale = math.Max(1.4826*quickMedian(r.buf), 0.05)
		}
		var s00, s01, s11, t0, t1, sw float64
		for i, q := range pts {
			mu := a + b*q.w
			d := q.y/(f[q.p]*mu) - 1
			v[i] = 1
			if ad := math.Abs(d) / scale; ad > huberK {
				v[i] = huberK / ad
			}
			om := q.h * v[i] / (mu * mu)
			y := q.y / f[q.p]
			s00 += om
			s01 += om * q.w
			s11 += om * q.w * q.w
			t0 += om * y
			t1 += om * y * q.w
			sw += q.h * v[i]
		}
		det := s00*s11 - s01*s01
		if det <= 1e-12*s00*s11 || sw <= 0 {
			return kappaPrior // no spread in words: the shape is not identified
		}
		na := (s11*t0 - s01*t1) / det
		nb := (s00*t1 - s01*t0) / det
		// Residual variance (relative) for the covariance of (a, b).
		var rss float64
		for i, q := range pts {
			mu := na + nb*q.w
			if mu <= 0 {
				mu = math.Max(na, 1e-9) + math.Max(nb, 1e-9)*q.w
			}
			e := (q.y/f[q.p] - mu) / mu
			rss += q.h * v[i] * e * e
		}
		sigma2 := rss / math.Max(sw-2, 1)
		// Observations within a PDF are not independent (chapters): a
		// design effect of 2 on the variance.
		sigma2 *= 2
		cov = [3]float64{sigma2 * s11 / det, -sigma2 * s01 / det, sigma2 * s00 / det}
		ok = true
		// Keep the working line positive; only the ratio a/b matters.
		if nb <= 0 {
			a, b = 1, 1e-6
			break
		}
		a, b = math.Max(na/nb, kappaMin), 1
		for i := range f {
			f[i] *= nb
		}
		cov = [3]float64{cov[0] / (nb * nb), cov[1] / (nb * nb), cov[2] / (nb * nb)}
	}
	if !ok {
		return kappaPrior
	}
	k := math.Min(math.Max(a/b, kappaMin), kappaMax)
	varLog := 1.0
	if b > 1e-6 {
		varK := cov[0] - 2*k*cov[1] + k*k*cov[2]
		varLog = math.Max(varK/(k*k), 1e-4)
	}
	p0 := 1 / (kappaPriorSD * kappaPriorSD)
	pd := 1 / varLog
	lk := (pd*math.Log(k) + p0*math.Log(kappaPrior)) / (pd + p0)
	return math.Min(math.Max(math.Exp(lk), kappaMin), kappaMax)
}
