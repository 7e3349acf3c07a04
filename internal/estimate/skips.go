package estimate

import "math"

// maxSkipPages bounds the page numbers the skip model looks at.
const maxSkipPages = 100_000

// skipModel says which remaining pages the student will read at all.
type skipModel struct {
	interior []float64 // per remaining page: the chance it is read once reading gets there
	// rateVar is, for pages with text and without, the relative variance
	// (Var p / p²) of the read rate behind interior: the Beta posterior.
	rateVar [2]float64
	figure  []bool
	ahead   []bool  // the page lies beyond the furthest page read: read only if reading gets there
	ends    []end   // where the reading may end, all past the furthest page read
	endsW   float64 // total weight of ends
	pages   float64 // the PDF's page count
}

// end is a possible end of the reading (a share of the pages) and its weight.
type end struct{ at, w float64 }

// reach is the chance that reading gets to page.
func (s *skipModel) reach(page int32) float64 {
	if len(s.ends) == 0 {
		return 1
	}
	x := float64(page) / s.pages
	n := 0.0
	for _, e := range s.ends {
		if e.at >= x {
			n += e.w
		}
	}
	return n / s.endsW
}

func (s *skipModel) prob(i int, page int32) float64 {
	if s.ahead[i] {
		return s.interior[i] * s.reach(page)
	}
	return s.interior[i]
}

// rateVariance is the relative variance of the total that comes from not
// knowing the read rates; e[i] is page i's expected time.
func (s *skipModel) rateVariance(e []float64, total float64) float64 {
	var byKind [2]float64
	for i, x := range e {
		if s.interior[i] == passedRead {
			continue
		}
		if s.figure[i] {
			byKind[1] += x
		} else {
			byKind[0] += x
		}
	}
	v := 0.0
	for k, t := range byKind {
		v += (t / total) * (t / total) * s.rateVar[k]
	}
	return v
}

// endVariance is the variance of the total that comes from not knowing
// where the reading ends: the pages ahead are read together up to the end,
// not each on its own. value[i] is page i's expected time if reached.
func (s *skipModel) endVariance(rem []PageInfo, value []float64) float64 {
	if len(s.ends) < 2 {
		return 0
	}
	totals := make([]float64, len(s.ends))
	for i, p := range rem {
		if !s.ahead[i] {
			continue
		}
		x := float64(p.Page) / s.pages
		for k, e := range s.ends {
			if e.at >= x {
				totals[k] += value[i]
			}
		}
	}
	var mean, m2 float64
	for k, t := range totals {
		mean += s.ends[k].w * t
		m2 += s.ends[k].w * t * t
	}
	mean /= s.endsW
	return math.Max(0, m2/s.endsW-mean*mean)
}

// learnEnds lists where reading stopped in the PDFs of the same kind the
// student has left (no reading for endIdleDays), as shares of their pages,
// each weighted by how close its length and its density (words per text
// page) are to this PDF's (documents of a kind end alike: a handout has no
// index, a book has one, a paper ends with its references).
func (r *pdfRun) learnEnds() []end {
	pages := map[int32]int32{}
	byID := map[[16]byte]int32{}
	for i, id := range r.ids {
		byID[id] = int32(i)
	}
	for _, p := range r.in.Library {
		if i, ok := byID[p.PDF]; ok && i != 0 {
			pages[i] = p.Pages
		}
	}
	type seen struct {
		last   int32 // the furthest page read
		newest int64 // when it was last read
		n      int
		same   bool
		// the sum of log words over its text pages known, their count and
		// the count of its pages known
		logWords    float64
		text, known int
	}
	by := make([]seen, len(r.ids))
	for _, it := range r.items {
		s := &by[it.p]
		if it.page > s.last || it.page == s.last && it.t > s.newest {
			s.last, s.newest = it.page, it.t
		}
		s.n++
		s.same = it.same
		s.known++
		if it.words > 0 {
			s.logWords += math.Log(float64(it.words))
			s.text++
		}
	}
	for _, p := range r.in.Remaining {
		by[0].known++
		if p.Words > 0 {
			by[0].logWords += math.Log(float64(p.Words))
			by[0].text++
		}
	}
	// density is a PDF's typical words per text page (log), and whether it
	// has text at all (a scan has none).
	density := func(s seen) (float64, bool) {
		if s.text == 0 || s.text*2 < s.known {
			return 0, false
		}
		return s.logWords / float64(s.text), true
	}
	d0, text0 := density(by[0])
	var out []end
	for i := 1; i < len(by); i++ {
		s := by[i]
		n, ok := pages[int32(i)]
		idle := float64(r.ref-s.newest) / nanosPerDay
		if !ok || n <= 0 || !s.same || s.n < endMinPages ||
			idle < endIdleDays && (idle < endNearIdleDays || float64(s.last) < endNear*float64(n)) {
			continue
		}
		d := math.Log(float64(n) / math.Max(r.pages0, 1))
		w := math.Exp(-d * d / (2 * endLengthSD * endLengthSD))
		// Documents of a kind are alike in density as well as length: slides
		// and notes are sparse and end with their last page, papers are
		// dense and end with references.
		di, texti := density(s)
		switch {
		case text0 && texti:
			dd := di - d0
			w *= math.Exp(-dd * dd / (2 * endDensitySD * endDensitySD))
		case text0 != texti:
			w *= endScanWeight
		}
		out = append(out, end{math.Min(1, float64(s.last)/float64(n)), w})
	}
	return out
}

// readProbabilities builds the skip model. Pages the student has passed
// over — in a leading run of at most leadingPages before the first page
// read (front matter), or in a gap of fewer than gapPages between read
// pages (a blank, a figure flipped past) — are read later with probability
// passedRead. Other pages are read at the rate the student reads pages of
// their sort (with text, without) within the stretch already read, a Beta
// prior standing in before that; pages beyond the furthest page read also
// need the reading to get that far (learnEnds).
func (r *pdfRun) readProbabilities(targetScan bool) *skipModel {
	rem := r.in.Remaining
	s := &skipModel{interior: make([]float64, len(rem)), ahead: make([]bool, len(rem)), figure: make([]bool, len(rem))}
	for i := range s.interior {
		s.interior[i] = 1
	}
	if !r.m.Skips {
		return s
	}
	figure := func(words int32) bool { return r.m.channelOf(words, targetScan) == chFigure }
	maxPage, first, last := int32(0), int32(-1), int32(0)
	for _, p := range rem {
		maxPage = max(maxPage, p.Page)
	}
	for _, it := range r.items {
		if it.p != 0 {
			continue
		}
		maxPage = max(maxPage, it.page)
		last = max(last, it.page)
		if first < 0 || it.page < first {
			first = it.page
		}
	}
	s.pages = float64(max(maxPage, 1))
	if r.m.Ends {
		f := float64(max(last, 0)) / s.pages
		// The prior: the unread end of a document is anywhere from none to
		// endPriorShare of its pages, evenly, worth endPriorWeight PDFs.
		for k := range endPriorPoints {
			at := 1 - endPriorShare*float64(k)/float64(endPriorPoints-1)
			if at >= f {
				s.ends = append(s.ends, end{at, endPriorWeight / endPriorPoints})
			}
		}
		for _, e := range r.learnEnds() {
			if e.at >= f {
				s.ends = append(s.ends, e)
			}
		}
		for _, e := range s.ends {
			s.endsW += e.w
		}
	}
	readText, readFig := aheadTextRead, aheadNoTextRead
	skipText, skipFig := aheadTextSkip, aheadNoTextSkip
	var passed []bool
	if first >= 1 && maxPage <= maxSkipPages {
		// state per page: 0 unknown, 1 read, 2 remaining
		state := make([]uint8, maxPage+1)
		words := make([]int32, maxPage+1)
		for _, it := range r.items {
			if it.p == 0 && it.page >= 1 {
				state[it.page], words[it.page] = 1, it.words
			}
		}
		for _, p := range rem {
			if p.Page >= 1 && state[p.Page] == 0 {
				state[p.Page], words[p.Page] = 2, p.Words
			}
		}
		passed = make([]bool, maxPage+1)
		if first-1 <= leadingPages {
			for pg := int32(1); pg < first; pg++ {
				passed[pg] = true
			}
		}
		for pg := first + 1; pg < last; {
			if state[pg] == 1 {
				pg++
				continue
			}
			end := pg
			for end < last && state[end] != 1 {
				end++
			}
			if end-pg < gapPages {
				for q := pg; q < end; q++ {
					passed[q] = true
				}
			}
			pg = end
		}
		for pg := first; pg <= last; pg++ {
			switch {
			case state[pg] == 1 && figure(words[pg]):
				readFig++
			case state[pg] == 1:
				readText++
			case state[pg] == 2 && passed[pg] && figure(words[pg]):
				skipFig++
			case state[pg] == 2 && passed[pg]:
				skipText++
			}
		}
	}
	betaRelVar := func(a, b float64) float64 { return b / (a * (a + b + 1)) }
	s.rateVar = [2]float64{betaRelVar(readText, skipText), betaRelVar(readFig, skipFig)}
	for i, p := range rem {
		s.figure[i] = figure(p.Words)
		switch {
		case passed != nil && p.Page >= 1 && int(p.Page) < len(passed) && passed[p.Page]:
			s.interior[i] = passedRead
		case figure(p.Words):
			s.interior[i] = readFig / (readFig + skipFig)
		default:
			s.interior[i] = readText / (readText + skipText)
		}
		s.ahead[i] = p.Page > last
	}
	return s
}
