package estimate

import "math"

// Exercise priors (log scale): the time per page at difficulty 3 and the
// growth per difficulty step, with their spreads, and the spread of one
// exercise around the student's line.
const (
	exerciseLevelSD      = 0.6
	exerciseStepSD       = 0.25
	exerciseNoiseSD      = 0.5
	exerciseNoiseN       = 5.0 // observations the noise prior is worth
	exerciseHalfLifeDays = 60.0
)

// ForExercise estimates the time of one exercise from the student's worked
// exercises: log(seconds per page) = level + step·(difficulty − 3), a
// Bayesian linear fit with the default prior (DefaultExercisePageSeconds,
// DefaultDifficultyStep), Huber-weighted against outliers and weighted
// toward recent work.
func ForExercise(in ExerciseInput) Estimate {
	pages := max(in.Pages, 1)
	d := float64(min(max(in.Difficulty, 1), 5) - 3)
	a0, b0 := math.Log(DefaultExercisePageSeconds), math.Log(DefaultDifficultyStep)
	pa, pb := 1/(exerciseLevelSD*exerciseLevelSD), 1/(exerciseStepSD*exerciseStepSD)
	type point struct{ x, z, h float64 }
	var pts []point
	var ref float64
	for _, h := range in.History {
		if usable(h.Seconds) && !h.At.IsZero() {
			ref = math.Max(ref, float64(h.At.Unix()))
		}
	}
	for _, h := range in.History {
		if !usable(h.Seconds) {
			continue
		}
		w := 1.0
		if ref > 0 && !h.At.IsZero() {
			w = math.Exp2(-(ref - float64(h.At.Unix())) / 86400 / exerciseHalfLifeDays)
		}
		x := float64(min(max(h.Difficulty, 1), 5) - 3)
		pts = append(pts, point{x, math.Log(h.Seconds / float64(max(h.Pages, 1))), w})
	}
	if len(pts) == 0 {
		mean := DefaultExerciseSeconds(pages, in.Difficulty)
		v := exerciseLevelSD*exerciseLevelSD + d*d*exerciseStepSD*exerciseStepSD + exerciseNoiseSD*exerciseNoiseSD
		return exerciseEstimate(mean/math.Exp(v/2), v, pages, BasisDefault)
	}
	a, b := a0, b0
	s2 := exerciseNoiseSD * exerciseNoiseSD
	v := make([]float64, len(pts))
	var cov [3]float64
	for range 8 {
		// Huber weights from the current line.
		scale := math.Sqrt(s2)
		var ss, sw, sw2 float64
		for i, p := range pts {
			r := p.z - a - b*p.x
			v[i] = 1
			if ar := math.Abs(r) / scale; ar > huberK {
				v[i] = huberK / ar
			}
			ss += p.h * v[i] * r * r
			sw += p.h * v[i]
			sw2 += p.h * p.h * v[i] * v[i]
		}
		n := sw * sw / sw2
		s2 = (ss/sw*n + exerciseNoiseN*exerciseNoiseSD*exerciseNoiseSD) / (n + exerciseNoiseN)
		// Weighted least squares with the prior as two extra equations.
		s00, s01, s11 := pa, 0.0, pb
		t0, t1 := pa*a0, pb*b0
		for i, p := range pts {
			om := p.h * v[i] / s2
			s00 += om
			s01 += om * p.x
			s11 += om * p.x * p.x
			t0 += om * p.z
			t1 += om * p.z * p.x
		}
		det := s00*s11 - s01*s01
		a = (s11*t0 - s01*t1) / det
		b = (s00*t1 - s01*t0) / det
		cov = [3]float64{s11 / det, -s01 / det, s00 / det}
	}
	mu := a + b*d
	vv := cov[0] + 2*d*cov[1] + d*d*cov[2] + s2
	return exerciseEstimate(float64(pages)*math.Exp(mu), vv, pages, BasisUser)
}

// exerciseEstimate builds the answer from the median and log variance.
func exerciseEstimate(median, v float64, pages int, b Basis) Estimate {
	return interval(median*math.Exp(math.Min(v, 6)/2), v, pages, b)
}
