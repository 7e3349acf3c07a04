package estimate

import "math"

// spread holds what the student's history says about variation, each
// estimate shrunk toward its prior by how much evidence there is.
type spread struct {
	page2     float64            // robust variance (log) of a page around its PDF's level
	pdfTau    [nChannels]float64 // spread (log) of PDFs' levels around the student's
	meanRatio float64            // mean of a page's seconds over its level's centre, exp(level)
	cv2       float64            // squared coefficient of variation of a page around its mean
	beta      float64            // trend of log pace over the position in a document (shrunk)
	betaVar   float64            // its posterior variance
	// stretch[k] is the variance (log) of the mean level of stretchLen[k]
	// consecutive pages read around their PDF's level, page noise taken out:
	// chapters, drift and fatigue over that span.
	stretch [len(stretchLen)]float64
}

// stretchLen are the spans, in pages read, at which stretches are measured.
var stretchLen = [...]float64{4, 8, 16, 32, 64, 128, 256}

// stretchVar is the variance of the mean level of n consecutive pages,
// interpolated between measured spans (log-log) and extrapolated beyond
// the longest as independent stretches.
func (s spread) stretchVar(n float64) float64 {
	if n <= stretchLen[0] {
		return s.stretch[0]
	}
	for k := 1; k < len(stretchLen); k++ {
		if n <= stretchLen[k] {
			a, b := math.Log(s.stretch[k-1]), math.Log(s.stretch[k])
			f := math.Log(n/stretchLen[k-1]) / math.Log(stretchLen[k]/stretchLen[k-1])
			return math.Exp(a + f*(b-a))
		}
	}
	last := len(stretchLen) - 1
	return s.stretch[last] * stretchLen[last] / n
}

// stretchPrior is the prior stretch variance: blocks of blockPages pages
// with spread blockSD.
func stretchPrior(n float64) float64 {
	return blockSD * blockSD * math.Min(1, blockPages/n)
}

// Weights (in observations) of the priors of the spreads.
const (
	meanPriorPages = 50.0
	// tailCap bounds one page's weight in the mean ratio at exp(tailCap·σ)
	// times its level, so that one 20-minute page among few cannot swing
	// the estimate; long pauses still count, as the prior's tail does.
	tailCap         = 2.5
	blockPriorCount = 5.0
	pdfPriorCount   = 3.0
	groupMinPages   = 5
)

// spreads groups the observations by PDF and channel and measures, around
// each group's robust centre: the page spread, the mean and variance of a
// page relative to that centre (heavy tails included: long pauses and
// stuck pages are real time), the spread of consecutive stretches of pages
// read (chapters, drift), and the spread of the PDFs' centres.
func (r *pdfRun) spreads() spread {
	order := orderByPDF(r.items, len(r.ids))
	items := r.items
	s := newSample(256)
	var nPage, sumPage2 float64 // pooled robust page variance
	var nRes, sumE, sumE2 float64
	var nSame, sumESame, sumE2Same float64 // the same, pages of this PDF's kind
	var clipVar, clipN float64
	var sxx, sxe float64 // trend: position against residual, within PDFs
	var winSum2, winDF [len(stretchLen)]float64
	type centre struct {
		ch       channel
		mu, n, v float64
	}
	var centres []centre
	resid := make([]float64, 0, 64)
	xs := make([]float64, 0, 64)
	for start := 0; start < len(order); {
		end := start
		for end < len(order) && items[order[end]].p == items[order[start]].p {
			end++
		}
		g := order[start:end]
		start = end
		resid, xs = resid[:0], xs[:0]
		var mus [nChannels]float64
		var ok [nChannels]bool
		var scales [nChannels]float64
		for ch := range nChannels {
			s.reset()
			for _, i := range g {
				if items[i].ch == ch {
					s.add(items[i].z, 1)
				}
			}
			if len(s.z) < groupMinPages {
				continue
			}
			var loc location
			loc, r.buf = s.robustLocation(r.buf)
			mus[ch], ok[ch], scales[ch] = loc.mu, true, loc.scale
			nPage += loc.n
			sumPage2 += loc.n * loc.scale * loc.scale
			if first := items[g[0]]; first.p != 0 && first.same {
				centres = append(centres, centre{ch, loc.mu, loc.n, loc.scale * loc.scale})
			}
		}
		for _, i := range g {
			it := &items[i]
			if !ok[it.ch] {
				continue
			}
			e := it.z - mus[it.ch]
			ee := math.Exp(math.Min(e, tailCap*math.Max(scales[it.ch], pageSD)))
			sumE += ee
			sumE2 += ee * ee
			nRes++
			if it.same {
				sumESame += ee
				sumE2Same += ee * ee
				nSame++
			}
			c := huberK * scales[it.ch]
			e = math.Max(-c, math.Min(c, e))
			resid = append(resid, e)
			xs = append(xs, it.x)
			clipVar += e * e
			clipN++
		}
		if len(xs) >= 2*groupMinPages && xs[0] >= 0 {
			mx := 0.0
			for _, x := range xs {
				mx += x
			}
			mx /= float64(len(xs))
			for i, x := range xs {
				sxx += (x - mx) * (x - mx)
				sxe += (x - mx) * resid[i]
			}
		}
		// Stretches of consecutive pages in reading order.
		for si, l := range stretchLen {
			n := int(l)
			k := len(resid) / n
			if k < 2 {
				break
			}
			for b := range k {
				m := 0.0
				for _, e := range resid[b*n : (b+1)*n] {
					m += e
				}
				m /= l
				winSum2[si] += m * m
			}
			winDF[si] += float64(k - 1)
		}
	}
	out := spread{page2: pageSD * pageSD}
	if nPage > 0 {
		out.page2 = (sumPage2 + pageSDWeight*pageSD*pageSD) / (nPage + pageSDWeight)
	}
	for si, l := range stretchLen {
		prior := stretchPrior(l)
		est := prior
		if winDF[si] > 0 && clipN > 0 {
			// E[mean²] = stretch variance + page variance / span.
			est = math.Max(0, winSum2[si]/winDF[si]-clipVar/clipN/l)
		}
		v := (winDF[si]*est + blockPriorCount*prior) / (winDF[si] + blockPriorCount)
		if si > 0 {
			v = math.Min(v, out.stretch[si-1]) // a longer span never varies more
		}
		out.stretch[si] = math.Max(v, 1e-5)
	}
	if sxx > 0 && clipN > 0 {
		// Residuals within a stretch move together, so each counts for
		// less: the variance of the slope uses the page and block parts.
		vb := (clipVar/clipN + blockPages*out.stretchVar(blockPages)) / sxx
		b := sxe / sxx
		out.beta = trendPrior + (b-trendPrior)*trendSD*trendSD/(trendSD*trendSD+vb)
		out.betaVar = trendSD * trendSD * vb / (trendSD*trendSD + vb)
	} else {
		out.beta, out.betaVar = trendPrior, trendSD*trendSD
	}
	priorMean := math.Exp(out.page2 / 2)
	priorCV2 := math.Expm1(out.page2)
	// Pages of every kind, shrunk toward the lognormal; then this kind's
	// pages shrunk toward that.
	all1 := (sumE + meanPriorPages*priorMean) / (nRes + meanPriorPages)
	all2 := (sumE2 + meanPriorPages*priorMean*priorMean*(1+priorCV2)) / (nRes + meanPriorPages)
	out.meanRatio = (sumESame + meanPriorPages*all1) / (nSame + meanPriorPages)
	m2 := (sumE2Same + meanPriorPages*all2) / (nSame + meanPriorPages)
	out.cv2 = math.Max(m2/(out.meanRatio*out.meanRatio)-1, 0.01)
	for ch := range nChannels {
		var mus []float64
		var sampling float64
		for _, c := range centres {
			if c.ch == ch {
				mus = append(mus, c.mu)
				// Only page noise is sampling: a PDF's chapters are part of
				// how a whole PDF differs from the next one.
				sampling += c.v / c.n
			}
		}
		k := float64(len(mus))
		est := 0.0
		if k >= 2 {
			mean := 0.0
			for _, m := range mus {
				mean += m
			}
			mean /= k
			ss := 0.0
			for _, m := range mus {
				ss += (m - mean) * (m - mean)
			}
			est = math.Max(0, ss/(k-1)-sampling/k)
		}
		out.pdfTau[ch] = math.Sqrt((k*est + pdfPriorCount*tauPDF*tauPDF) / (k + pdfPriorCount))
	}
	return out
}
