package estimate

import "math"

// spread holds what the student's history says about variation, each
// estimate shrunk toward its prior by how much evidence there is.
type spread struct {
	page2     float64            // robust variance (log) of a page around its PDF's level
	block2    float64            // variance (log) of a stretch of blockPages pages around its PDF's level
	pdfTau    [nChannels]float64 // spread (log) of PDFs' levels around the student's
	meanRatio float64            // mean of a page's seconds over its level's centre, exp(level)
	cv2       float64            // squared coefficient of variation of a page around its mean
	beta      float64            // trend of log pace over the position in a document (shrunk)
}

// Weights (in observations) of the priors of the spreads.
const (
	meanPriorPages  = 30.0
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
	items := sortItemsByPDF(r.items, len(r.ids))
	var s sample
	var nPage, sumPage2 float64 // pooled robust page variance
	var nRes, sumE, sumE2 float64
	var blockSum2, blockDF, clipVar, clipN float64
	var sxx, sxe float64 // trend: position against residual, within PDFs
	type centre struct {
		ch       channel
		mu, n, v float64
	}
	var centres []centre
	resid := make([]float64, 0, 64)
	xs := make([]float64, 0, 64)
	for start := 0; start < len(items); {
		end := start
		for end < len(items) && items[end].p == items[start].p {
			end++
		}
		g := items[start:end]
		start = end
		resid, xs = resid[:0], xs[:0]
		var mus [nChannels]float64
		var ok [nChannels]bool
		var scales [nChannels]float64
		for ch := range nChannels {
			s.reset()
			for _, it := range g {
				if it.ch == ch {
					s.add(it.z, 1)
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
			if g[0].p != 0 && g[0].same {
				centres = append(centres, centre{ch, loc.mu, loc.n, loc.scale * loc.scale})
			}
		}
		for _, it := range g {
			if !ok[it.ch] {
				continue
			}
			e := it.z - mus[it.ch]
			sumE += math.Exp(e)
			sumE2 += math.Exp(2 * e)
			nRes++
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
		k := len(resid) / int(blockPages)
		if k >= 2 {
			for b := range k {
				m := 0.0
				for _, e := range resid[b*int(blockPages) : (b+1)*int(blockPages)] {
					m += e
				}
				m /= blockPages
				blockSum2 += m * m
			}
			blockDF += float64(k - 1)
		}
	}
	out := spread{page2: pageSD * pageSD, block2: blockSD * blockSD}
	if nPage > 0 {
		out.page2 = (sumPage2 + pageSDWeight*pageSD*pageSD) / (nPage + pageSDWeight)
	}
	if blockDF > 0 && clipN > 0 {
		// E[block mean²] = block variance + page variance / block length.
		est := math.Max(0, blockSum2/blockDF-clipVar/clipN/blockPages)
		out.block2 = (blockDF*est + blockPriorCount*blockSD*blockSD) / (blockDF + blockPriorCount)
	}
	if sxx > 0 && clipN > 0 {
		// Residuals within a stretch move together, so each counts for
		// less: the variance of the slope uses the page and block parts.
		vb := (clipVar/clipN + blockPages*out.block2) / sxx
		b := sxe / sxx
		out.beta = b * trendSD * trendSD / (trendSD*trendSD + vb)
	}
	priorMean := math.Exp(out.page2 / 2)
	priorCV2 := math.Expm1(out.page2)
	out.meanRatio = (sumE + meanPriorPages*priorMean) / (nRes + meanPriorPages)
	m2 := (sumE2 + meanPriorPages*priorMean*priorMean*(1+priorCV2)) / (nRes + meanPriorPages)
	out.cv2 = math.Max(m2/(out.meanRatio*out.meanRatio)-1, 0.01)
	for ch := range nChannels {
		var mus []float64
		var sampling float64
		for _, c := range centres {
			if c.ch == ch {
				mus = append(mus, c.mu)
				sampling += c.v/c.n + out.block2*math.Min(1, blockPages/c.n)
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
