package estimate

import "math"

// sumCorrelation is the correlation assumed between the errors of two
// parts: they share the student's pace (so not independent) but not their
// chapters and PDFs (so not one error).
const sumCorrelation = 0.3

// Sum combines parts (a topic's PDFs and open exercises, the whole
// library) into one estimate. Each part's interval is read as lognormal;
// the parts' standard deviations are combined with correlation
// sumCorrelation and the total is again summarised as a lognormal with the
// same mean and variance.
func Sum(parts []Estimate) Estimate {
	var mean, sd, sd2 float64
	pages := 0
	var bySeconds [nBases]float64
	allDefault := true
	for _, p := range parts {
		pages += p.RemainingPages
		if !usable(p.RemainingSeconds) {
			continue
		}
		mean += p.RemainingSeconds
		s := 0.0
		if usable(p.LowSeconds) && usable(p.HighSeconds) && p.HighSeconds > p.LowSeconds {
			s = math.Log(p.HighSeconds/p.LowSeconds) / (2 * z10)
		}
		sigma := p.RemainingSeconds * math.Sqrt(math.Expm1(s*s))
		sd += sigma
		sd2 += sigma * sigma
		bySeconds[basisIndex(p.Basis)] += p.RemainingSeconds
		allDefault = allDefault && p.Basis == BasisDefault
	}
	if mean <= 0 {
		return Estimate{RemainingPages: pages, Confidence: ConfidenceHigh, Basis: BasisDefault}
	}
	variance := (1-sumCorrelation)*sd2 + sumCorrelation*sd*sd
	best := 0
	for i, s := range bySeconds {
		if s > bySeconds[best] {
			best = i
		}
	}
	b := Bases[best]
	if allDefault {
		b = BasisDefault
	}
	return interval(mean, math.Log1p(variance/(mean*mean)), pages, b)
}
