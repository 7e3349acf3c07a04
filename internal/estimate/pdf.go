package estimate

import (
	"math"
	"slices"

	"github.com/google/uuid"
)

// channel is the way a page's time is modelled.
type channel uint8

const (
	chText   channel = iota // a page with words: level × (overhead + words)
	chPage                  // a page without words in a PDF without text (a scan), or every page when Words is off
	chFigure                // a page without words in a PDF with text (a figure, a blank)
	nChannels
)

// item is one observation, prepared.
type item struct {
	p     int32 // PDF index: 0 is the PDF being estimated
	page  int32
	words int32
	ch    channel
	same  bool // the same kind as the PDF being estimated
	topic bool // in the same topic (or the PDF itself)
	y     float64
	z     float64 // log seconds per unit of its channel (detrended)
	ly    float64 // log seconds (detrended)
	x     float64 // position in its PDF (page / page count), -1 when unknown
	w     float64 // recency weight
	t     int64   // LastReadAt, Unix nanoseconds
}

// pdfRun is the working state of one ForPDF call.
type pdfRun struct {
	m     Model
	in    PDFInput
	kind  Kind
	ref   int64 // the newest observation (Unix ns): "now" for recency
	items []item
	// per PDF index
	ids       []uuid.UUID
	textObs   []int32
	noTextObs []int32
	kappa     float64
	all       *pageLevel // the student's pace over all pages, once computed
	smp       [3]sample  // scratch samples
	beta      float64    // trend: change of log pace from the start to the end of a document
	pages0    float64    // the PDF's page count
	stats     spread
	buf       []float64
}

func sameKind(a, b Kind) bool {
	if a == "" {
		a = KindStudy
	}
	if b == "" {
		b = KindStudy
	}
	return a == b
}

// nanosPerDay converts ages.
const nanosPerDay = 86400e9

func (r *pdfRun) weight(t int64) float64 {
	if r.m.HalfLifeDays <= 0 || t == 0 || r.ref == 0 || t >= r.ref {
		return 1
	}
	return math.Exp2(-float64(r.ref-t) / nanosPerDay / r.m.HalfLifeDays)
}

// channelOf classifies a page of a PDF that is (or is not) a scan.
func (m Model) channelOf(words int32, scanPDF bool) channel {
	switch {
	case !m.Words:
		return chPage
	case words >= 0:
		return chText
	case scanPDF:
		return chPage
	default:
		return chFigure
	}
}

func (r *pdfRun) unit(ch channel, words int32) float64 {
	if ch == chText {
		return r.kappa + float64(words)
	}
	return 1
}

func (r *pdfRun) isScan(p int32) bool { return r.noTextObs[p] > r.textObs[p] }

// ForPDF estimates the time for the rest of a PDF.
func (m Model) ForPDF(in PDFInput) Estimate {
	kind := in.Kind
	if kind == "" {
		kind = KindStudy
	}
	if len(in.Remaining) == 0 {
		b := BasisDefault
		if len(in.Read) > 0 {
			b = BasisPDF
		}
		return Estimate{Confidence: ConfidenceHigh, Basis: b}
	}
	r := &pdfRun{m: m, in: in, kind: kind}
	if !r.prepare() {
		return priorEstimate(kind, len(in.Remaining))
	}
	return r.estimate()
}

// priorEstimate is the answer without any history: the default seconds per
// page whatever the words, with the spread of students around it and, as
// the words are not used, of documents' density.
func priorEstimate(kind Kind, pages int) Estimate {
	rate := DefaultSecondsPerPage(kind)
	mean := rate * float64(pages)
	v := tauUser*tauUser + tauPDF*tauPDF + tauDensity*tauDensity + blockSD*blockSD*blockPages/(float64(pages)+blockPages) +
		(math.Exp(pageSD*pageSD)-1)/float64(pages)
	return interval(mean, v, pages, BasisDefault)
}

// prepare gathers the observations; false when there are none.
func (r *pdfRun) prepare() bool {
	in := r.in
	index := map[uuid.UUID]int32{}
	r.ids = append(r.ids, uuid.Nil)
	idx := func(id uuid.UUID) int32 {
		i, ok := index[id]
		if !ok {
			i = int32(len(r.ids))
			index[id] = i
			r.ids = append(r.ids, id)
		}
		return i
	}
	topicPDF := map[uuid.UUID]bool{}
	for _, o := range in.Topic {
		topicPDF[o.PDF] = true
	}
	r.items = make([]item, 0, len(in.User)+len(in.Read)+16)
	add := func(o Obs, p int32, topic bool) {
		if !usable(o.Seconds) {
			return
		}
		t := int64(0)
		if !o.LastReadAt.IsZero() {
			t = o.LastReadAt.UnixNano()
		}
		r.ref = max(r.ref, t)
		r.items = append(r.items, item{p: p, page: o.Page, words: o.Words, same: p == 0 || sameKind(o.Kind, r.kind),
			topic: topic, y: o.Seconds, t: t})
	}
	// Samples come grouped by PDF more often than not: look each run up once.
	var last uuid.UUID
	var lastIdx int32
	var lastTopic bool
	for _, o := range in.User {
		if o.PDF != last || lastIdx == 0 {
			last, lastIdx, lastTopic = o.PDF, idx(o.PDF), topicPDF[o.PDF]
		}
		add(o, lastIdx, lastTopic)
	}
	inUser := int32(len(r.ids))
	lastIdx = 0
	for _, o := range in.Topic {
		if o.PDF != last || lastIdx == 0 {
			last, lastIdx = o.PDF, idx(o.PDF)
		}
		if lastIdx < inUser {
			continue // the User sample has this PDF
		}
		add(o, lastIdx, true)
	}
	for _, o := range in.Read {
		add(o, 0, true)
	}
	if len(r.items) == 0 {
		return false
	}
	for i := range r.smp {
		r.smp[i] = newSample(len(r.items))
	}
	r.textObs = make([]int32, len(r.ids))
	r.noTextObs = make([]int32, len(r.ids))
	for _, it := range r.items {
		if it.words >= 0 {
			r.textObs[it.p]++
		} else {
			r.noTextObs[it.p]++
		}
	}
	for _, p := range in.Remaining {
		if p.Words >= 0 {
			r.textObs[0]++
		} else {
			r.noTextObs[0]++
		}
	}
	pageCount := make([]float64, len(r.ids))
	for _, p := range in.Library {
		if i, ok := index[p.PDF]; ok && p.Pages > 0 {
			pageCount[i] = float64(p.Pages)
		}
	}
	for _, p := range in.Remaining {
		pageCount[0] = max(pageCount[0], float64(p.Page))
	}
	for _, it := range r.items {
		if it.p == 0 {
			pageCount[0] = max(pageCount[0], float64(it.page))
		}
	}
	r.pages0 = pageCount[0]
	for i := range r.items {
		it := &r.items[i]
		it.w = r.weight(it.t)
		it.x = -1
		if n := pageCount[it.p]; n > 0 && it.page >= 1 {
			it.x = math.Min(1, float64(it.page)/n)
		}
	}
	r.kappa = kappaPrior
	if r.m.Words {
		r.kappa = r.fitShape()
	}
	for i := range r.items {
		it := &r.items[i]
		it.ch = r.m.channelOf(it.words, r.isScan(it.p))
		it.ly = math.Log(it.y)
		it.z = it.ly - math.Log(r.unit(it.ch, it.words))
	}
	r.stats = r.spreads()
	if r.m.Trend {
		r.beta = r.stats.beta
		for i := range r.items {
			if it := &r.items[i]; it.x >= 0 {
				d := r.beta * (it.x - 0.5)
				it.z -= d
				it.ly -= d
			}
		}
	}
	return true
}

// chain is the posterior of one channel's level (log seconds per unit),
// built from the root prior down to the PDF.
type chain struct {
	mu, v  float64
	ownX   float64         // mean position of the PDF's own pages read (0.5 when none)
	shares [nBases]float64 // how much each basis contributes
	hier   bool
}

// nBases is len(Bases).
const nBases = 4

func basisIndex(b Basis) int {
	for i, x := range Bases {
		if x == b {
			return i
		}
	}
	return nBases - 1
}

func newChain(mu, v float64, hier bool) chain {
	c := chain{mu: mu, v: v, hier: hier}
	c.shares[basisIndex(BasisDefault)] = 1
	return c
}

// update folds a level's sample into the chain: the level's true value lies
// around the chain's current value with spread tau; the sample's own
// uncertainty has a page part (s2/n) and a block part (chapters).
func (c *chain) update(loc location, offset, tau float64, st *spread, b Basis) {
	if loc.count == 0 {
		// No data at this level: its value is the parent's, give or take
		// its own spread.
		if c.hier {
			c.v += tau * tau
		}
		return
	}
	n := loc.n
	vd := st.page2/n + st.stretchVar(n)
	mu := loc.mu + offset
	if !c.hier {
		c.mu, c.v = mu, vd
		c.shares = [nBases]float64{}
		c.shares[basisIndex(b)] = 1
		return
	}
	pv := c.v + tau*tau
	w := pv / (pv + vd)
	c.mu += w * (mu - c.mu)
	c.v = pv * vd / (pv + vd)
	for i := range c.shares {
		c.shares[i] *= 1 - w
	}
	c.shares[basisIndex(b)] += w
}

// channelChain is the posterior level of one channel for the PDF.
func (r *pdfRun) channelChain(ch channel, meanUnit float64) chain {
	def := DefaultSecondsPerPage(r.kind)
	logUnit := math.Log(meanUnit)
	st := r.stats
	c := newChain(math.Log(def)-logUnit, tauUser*tauUser, r.m.Hierarchy)
	all := r.allPages()
	user, topic, own := &r.smp[0], &r.smp[1], &r.smp[2]
	user.reset()
	topic.reset()
	own.reset()
	sumX, nX := 0.0, 0.0
	for _, it := range r.items {
		switch {
		case it.ch != ch:
		case it.p == 0:
			own.add(it.z, it.w)
			if it.x >= 0 {
				sumX += it.x
				nX++
			}
		case it.same:
			user.add(it.z, it.w)
			if it.topic {
				topic.add(it.z, it.w)
			}
		}
	}
	// The student's page pace over every page, borrowed from the other kind
	// if need be, stands between the prior and this channel's data.
	tau := tauChannel
	offset := -logUnit
	if all.borrowed {
		other := KindStudy
		if r.kind == KindStudy {
			other = KindExercise
		}
		offset += math.Log(def / DefaultSecondsPerPage(other))
		tau = math.Hypot(tau, tauKind)
	}
	c.update(all.loc, offset, tauUser, &st, BasisUser)
	var loc location
	loc, r.buf = user.robustLocation(r.buf)
	c.update(loc, 0, tau, &st, BasisUser)
	loc, r.buf = topic.robustLocation(r.buf)
	c.update(loc, 0, tauTopic, &st, BasisTopic)
	loc, r.buf = own.robustLocation(r.buf)
	c.ownX = 0.5
	if nX > 0 {
		c.ownX = sumX / nX
	}
	c.update(loc, 0, st.pdfTau[ch], &st, BasisPDF)
	return c
}

// pageLevel is the student's pace over every page (log seconds), from the
// pages of this kind or, borrowed, of the other.
type pageLevel struct {
	loc      location
	borrowed bool
}

func (r *pdfRun) allPages() *pageLevel {
	if r.all != nil {
		return r.all
	}
	same, other := &r.smp[0], &r.smp[1]
	same.reset()
	other.reset()
	for _, it := range r.items {
		switch {
		case it.p == 0:
		case it.same:
			same.add(it.ly, it.w)
		default:
			other.add(it.ly, it.w)
		}
	}
	r.all = &pageLevel{}
	if len(same.z) == 0 {
		same, r.all.borrowed = other, true
	}
	// (the scratch samples are free again once this returns)
	r.all.loc, r.buf = same.robustLocation(r.buf)
	return r.all
}

// estimate runs the model over the remaining pages.
func (r *pdfRun) estimate() Estimate {
	rem := r.in.Remaining
	targetScan := r.isScan(0)
	skips := r.readProbabilities(targetScan)
	var unitSum [nChannels]float64
	var unitN [nChannels]int
	chs := make([]channel, len(rem))
	for i, p := range rem {
		ch := r.m.channelOf(p.Words, targetScan)
		chs[i] = ch
		unitSum[ch] += r.unit(ch, p.Words)
		unitN[ch]++
	}
	var chains [nChannels]chain
	var rate [nChannels]float64 // expected seconds per unit
	st := r.stats
	for ch := range nChannels {
		if unitN[ch] == 0 {
			continue
		}
		chains[ch] = r.channelChain(ch, unitSum[ch]/float64(unitN[ch]))
		rate[ch] = math.Exp(chains[ch].mu) * st.meanRatio
	}
	var total, noiseVar, expected, posX float64
	var part [nChannels]float64
	reached := make([]float64, len(rem)) // expected time if reading gets there
	expect := make([]float64, len(rem))  // expected time
	for i, p := range rem {
		m := rate[chs[i]] * r.unit(chs[i], p.Words)
		x := 0.5
		if p.Page >= 1 && r.pages0 > 0 {
			x = math.Min(1, float64(p.Page)/r.pages0)
		}
		m *= math.Exp(r.beta * (x - 0.5))
		reached[i] = m * skips.interior[i]
		pr := skips.prob(i, p.Page)
		e := pr * m
		expect[i] = e
		total += e
		part[chs[i]] += e
		// A page read with chance pr: E[y^2] = pr·m²·(1+cv2), less e².
		noiseVar += m * m * pr * (1 + st.cv2 - pr)
		expected += pr
		posX += e * x
	}
	if total <= 0 {
		return Estimate{RemainingPages: len(rem), Confidence: ConfidenceHigh, Basis: BasisPDF}
	}
	var levelVar, refX float64
	var shares [nBases]float64
	for ch := range nChannels {
		if part[ch] == 0 {
			continue
		}
		f := part[ch] / total
		c := &chains[ch]
		levelVar += f * f * c.v
		for i, s := range c.shares {
			shares[i] += f * s
		}
		own := c.shares[basisIndex(BasisPDF)]
		refX += f * (own*c.ownX + (1-own)*0.5)
	}
	trendVar := 0.0
	if r.m.Trend {
		d := posX/total - refX
		trendVar = st.betaVar * d * d
	}
	endVar := skips.endVariance(rem, reached) / (total * total)
	v := levelVar + st.stretchVar(expected) + trendVar + noiseVar/(total*total) + endVar + modelSD*modelSD
	if r.m.Skips {
		v += skips.rateVariance(expect, total)
	}
	best := 0
	for i, s := range shares {
		if s > shares[best] {
			best = i
		}
	}
	return interval(total, v, len(rem), Bases[best])
}

// interval turns an expected total and the variance of its logarithm into
// an Estimate with an 80 % lognormal interval.
func interval(mean, v float64, pages int, b Basis) Estimate {
	v = math.Min(v, 6) // keeps low <= mean <= high
	sd := math.Sqrt(v)
	median := mean * math.Exp(-v/2)
	e := Estimate{
		RemainingPages:   pages,
		RemainingSeconds: mean,
		LowSeconds:       median * math.Exp(-z10*sd),
		HighSeconds:      median * math.Exp(z10*sd),
		Basis:            b,
	}
	if pages > 0 {
		e.SecondsPerPage = mean / float64(pages)
	}
	e.Confidence = confidenceOf(e)
	return e
}

// confidenceOf grades an estimate by its relative interval width.
func confidenceOf(e Estimate) Confidence {
	switch {
	case e.RemainingSeconds <= 0:
		return ConfidenceHigh
	case e.Basis == BasisDefault:
		return ConfidenceLow
	}
	switch w := (e.HighSeconds - e.LowSeconds) / e.RemainingSeconds; {
	case w <= 0.35:
		return ConfidenceHigh
	case w <= 0.8:
		return ConfidenceMedium
	default:
		return ConfidenceLow
	}
}

// orderByPDF lists the items' indices by PDF, then time (a counting sort;
// the samples usually come newest first, so a run reversed is enough).
func orderByPDF(items []item, nPDF int) []int32 {
	counts := make([]int32, nPDF+1)
	for _, it := range items {
		counts[it.p+1]++
	}
	for i := 1; i <= nPDF; i++ {
		counts[i] += counts[i-1]
	}
	out := make([]int32, len(items))
	for i, it := range items {
		out[counts[it.p]] = int32(i)
		counts[it.p]++
	}
	byTime := func(a, b int32) int { return cmpInt64(items[a].t, items[b].t) }
	for start := 0; start < len(out); {
		end := start
		for end < len(out) && items[out[end]].p == items[out[start]].p {
			end++
		}
		g := out[start:end]
		switch {
		case slices.IsSortedFunc(g, byTime):
		case slices.IsSortedFunc(g, func(a, b int32) int { return byTime(b, a) }):
			slices.Reverse(g)
		default:
			// Ties broken by index: the stable order, at pdqsort's cost.
			slices.SortFunc(g, func(a, b int32) int {
				if c := byTime(a, b); c != 0 {
					return c
				}
				return cmpInt64(int64(a), int64(b))
			})
		}
		start = end
	}
	return out
}

func cmpInt64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
