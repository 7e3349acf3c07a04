package store

import (
	"bytes"
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/studysprint/studysprint/dbgen"
	"github.com/studysprint/studysprint/internal/estimate"
)

// SampleSize bounds the Topic and User samples of estimate.PDFInput: the
// newest SampleSize pages (by their first counted read) of the student's
// other PDFs, in the topic's subtree and overall. The evaluation (package
// eval) bounds them the same way.
const SampleSize = 1000

// ExerciseHistorySize bounds the worked exercises an exercise estimate
// learns from: the most recently completed.
const ExerciseHistorySize = 500

// library is what the estimates know about a student's material before
// reading any page: the topic tree and every PDF with a summary of its
// reading (pages with counted reading and the span of their first reads).
type library struct {
	pdfs     []dbgen.ListEstimatePDFsRow
	index    map[uuid.UUID]int
	topics   map[uuid.UUID]dbgen.Topic
	children map[uuid.UUID][]uuid.UUID
}

func loadLibrary(ctx context.Context, q dbgen.Querier, userID uuid.UUID) (*library, error) {
	topics, err := q.ListAllTopics(ctx, userID)
	if err != nil {
		return nil, err
	}
	pdfs, err := q.ListEstimatePDFs(ctx, userID)
	if err != nil {
		return nil, err
	}
	lib := &library{pdfs: pdfs, index: make(map[uuid.UUID]int, len(pdfs)),
		topics: make(map[uuid.UUID]dbgen.Topic, len(topics)), children: map[uuid.UUID][]uuid.UUID{}}
	for i, p := range pdfs {
		lib.index[p.ID] = i
	}
	for _, t := range topics {
		lib.topics[t.ID] = t
		if t.ParentID != nil {
			lib.children[*t.ParentID] = append(lib.children[*t.ParentID], t.ID)
		}
	}
	return lib, nil
}

// subtree is the topic and all its descendants.
func (l *library) subtree(topic uuid.UUID) map[uuid.UUID]bool {
	out := map[uuid.UUID]bool{topic: true}
	stack := []uuid.UUID{topic}
	for len(stack) > 0 {
		t := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, c := range l.children[t] {
			if !out[c] { // the library keeps the tree acyclic; this only guards
				out[c] = true
				stack = append(stack, c)
			}
		}
	}
	return out
}

// archived reports whether the PDF's topic or one of its ancestors is
// archived.
func (l *library) archived(p dbgen.ListEstimatePDFsRow) bool {
	for id, depth := p.TopicID, 0; id != nil && depth < 64; depth++ {
		t := l.topics[*id]
		if t.ArchivedAt != nil {
			return true
		}
		id = t.ParentID
	}
	return false
}

// done reports whether every page of the PDF has counted reading.
func done(p dbgen.ListEstimatePDFsRow) bool { return p.PagesRead >= p.PageCount }

// pool is a set of PDFs whose newest pages form a sample (nil: all of them).
type pool struct {
	members map[uuid.UUID]bool
	need    int
}

// cutoff picks which pages a pool's sample can come from, from the PDFs'
// summaries alone: the newest need pages of the pool were all first read at
// or after the returned time (the zero time: any page), so only the pool's
// PDFs whose newest first read is at or after it, and only their pages from
// it on, need to be read. The bound holds because the PDFs read entirely
// after it already hold need pages.
func (l *library) cutoff(p pool) time.Time {
	var cands []int
	total := 0
	for i, x := range l.pdfs {
		if x.PagesRead > 0 && (p.members == nil || p.members[x.ID]) {
			cands = append(cands, i)
			total += int(x.PagesRead)
		}
	}
	if total <= p.need {
		return time.Time{}
	}
	slices.SortFunc(cands, func(a, b int) int { return l.pdfs[b].FirstReadMin.Compare(l.pdfs[a].FirstReadMin) })
	sum := 0
	for _, i := range cands {
		sum += int(l.pdfs[i].PagesRead)
		if sum >= p.need {
			return l.pdfs[i].FirstReadMin
		}
	}
	return time.Time{}
}

// page is one page with counted reading, as loaded.
type page struct {
	pdf                  uuid.UUID
	pdfIndex             int // in library.pdfs
	kind                 estimate.Kind
	page, seconds, words int32 // words -1: no text layer, or not extracted yet
	visits               int32
	first, last          time.Time
}

// sample is the pages loaded for a set of target PDFs: every counted page
// of the targets and the pages their samples can come from, newest first.
type sample struct {
	lib   *library
	pages []page
	words map[uuid.UUID]map[int32]int32 // the loaded PDFs' pages with a text layer
}

// loadSample reads what the estimates of the target PDFs (indexes into
// lib.pdfs) need: their counted pages and word counts, and the pages of the
// pools their samples come from (the student's whole library, and each
// target's topic subtree), bounded by each pool's cutoff.
func loadSample(ctx context.Context, q dbgen.Querier, userID uuid.UUID, lib *library, targets []int) (*sample, error) {
	s := &sample{lib: lib, words: map[uuid.UUID]map[int32]int32{}}
	if len(targets) == 0 {
		return s, nil
	}
	// Each pool needs SampleSize pages besides those of the target excluded
	// from it; the targets' own pages are read whole anyway.
	all := pool{need: SampleSize}
	byTopic := map[uuid.UUID]*pool{}
	for _, i := range targets {
		p := lib.pdfs[i]
		all.need = max(all.need, SampleSize+int(p.PagesRead))
		if p.TopicID == nil {
			continue
		}
		tp := byTopic[*p.TopicID]
		if tp == nil {
			tp = &pool{need: SampleSize}
			byTopic[*p.TopicID] = tp
		}
		tp.need = max(tp.need, SampleSize+int(p.PagesRead))
	}
	since := map[uuid.UUID]time.Time{}
	use := func(p pool) {
		from := lib.cutoff(p)
		for _, x := range lib.pdfs {
			if x.PagesRead == 0 || (p.members != nil && !p.members[x.ID]) || x.FirstReadMax.Before(from) {
				continue
			}
			if t, ok := since[x.ID]; !ok || from.Before(t) {
				since[x.ID] = from
			}
		}
	}
	use(all)
	for topic, tp := range byTopic {
		members := map[uuid.UUID]bool{}
		sub := lib.subtree(topic)
		for _, x := range lib.pdfs {
			if x.TopicID != nil && sub[*x.TopicID] {
				members[x.ID] = true
			}
		}
		tp.members = members
		use(*tp)
	}
	for _, i := range targets {
		since[lib.pdfs[i].ID] = time.Time{}
	}
	params := dbgen.ListEstimateObservationsParams{UserID: userID}
	for id, t := range since {
		params.PdfIds = append(params.PdfIds, id)
		params.Since = append(params.Since, t)
	}
	rows, err := q.ListEstimateObservations(ctx, params)
	if err != nil {
		return nil, err
	}
	// Word counts by PDF (index-only ranges), rather than one probe a page.
	words, err := q.ListEstimatePageWords(ctx, dbgen.ListEstimatePageWordsParams{UserID: userID, PdfIds: params.PdfIds})
	if err != nil {
		return nil, err
	}
	for _, w := range words {
		m := make(map[int32]int32, len(w.Pages))
		for k, n := range w.Pages {
			m[n] = w.Words[k]
		}
		s.words[params.PdfIds[w.PdfIndex-1]] = m
	}
	s.pages = make([]page, len(rows))
	for i, r := range rows {
		id := params.PdfIds[r.PdfIndex-1]
		x := lib.index[id]
		s.pages[i] = page{pdf: id, pdfIndex: x, kind: estimate.Kind(lib.pdfs[x].Kind), page: r.Page, seconds: r.SecondsRead,
			visits: r.Visits, first: r.FirstReadAt, last: r.LastReadAt, words: s.wordsOf(id, r.Page)}
	}
	slices.SortFunc(s.pages, func(a, b page) int {
		if c := b.first.Compare(a.first); c != 0 {
			return c
		}
		if c := bytes.Compare(a.pdf[:], b.pdf[:]); c != 0 {
			return c
		}
		return cmp.Compare(a.page, b.page)
	})
	return s, nil
}

// wordsOf is a loaded page's word count (-1 when it has no text layer).
func (s *sample) wordsOf(pdf uuid.UUID, n int32) int32 {
	if w, ok := s.words[pdf][n]; ok {
		return w
	}
	return -1
}

func obsOf(p page) estimate.Obs {
	return estimate.Obs{PDF: p.pdf, Kind: p.kind, Page: p.page, Words: p.words, Seconds: float64(p.seconds),
		Visits: int(p.visits), LastReadAt: p.last}
}

// input is the estimator's input for the target PDF lib.pdfs[i]: its
// counted pages (Read), the pages without counted reading (Remaining), the
// newest SampleSize pages of the student's other PDFs in its topic's
// subtree (Topic) and anywhere (User), and the page counts of the other
// PDFs (Library).
func (s *sample) input(i int) estimate.PDFInput {
	target := s.lib.pdfs[i]
	in := estimate.PDFInput{Kind: estimate.Kind(target.Kind), User: make([]estimate.Obs, 0, SampleSize)}
	// inTopic[k]: lib.pdfs[k] is in the target's topic subtree.
	var inTopic []bool
	if target.TopicID != nil {
		sub := s.lib.subtree(*target.TopicID)
		inTopic = make([]bool, len(s.lib.pdfs))
		for k, x := range s.lib.pdfs {
			inTopic[k] = x.TopicID != nil && sub[*x.TopicID]
		}
	}
	read := make([]bool, target.PageCount+1)
	nTopic, nUser := 0, 0
	for _, p := range s.pages {
		if p.pdfIndex == i {
			if p.page <= target.PageCount {
				read[p.page] = true
			}
			if p.seconds > 0 {
				in.Read = append(in.Read, obsOf(p))
			}
			continue
		}
		// Pages count toward the bounds as the pools' summaries counted
		// them (every page with a counted read); those with no whole second
		// carry no time and are left out.
		if nUser < SampleSize {
			nUser++
			if p.seconds > 0 {
				in.User = append(in.User, obsOf(p))
			}
		}
		if inTopic != nil && nTopic < SampleSize {
			if inTopic[p.pdfIndex] {
				nTopic++
				if p.seconds > 0 {
					in.Topic = append(in.Topic, obsOf(p))
				}
			}
		}
	}
	for n := int32(1); n <= target.PageCount; n++ {
		if !read[n] {
			in.Remaining = append(in.Remaining, estimate.PageInfo{Page: n, Words: s.wordsOf(target.ID, n)})
		}
	}
	in.Library = make([]estimate.PDFPages, 0, len(s.lib.pdfs))
	for _, x := range s.lib.pdfs {
		if x.ID != target.ID {
			in.Library = append(in.Library, estimate.PDFPages{PDF: x.ID, Pages: x.PageCount})
		}
	}
	return in
}

// exerciseHistory is the student's worked exercises, for ForExercise.
func exerciseHistory(ctx context.Context, q dbgen.Querier, userID uuid.UUID) ([]estimate.ExerciseObs, error) {
	rows, err := q.ListExerciseHistory(ctx, dbgen.ListExerciseHistoryParams{UserID: userID, RowLimit: ExerciseHistorySize})
	if err != nil {
		return nil, err
	}
	out := make([]estimate.ExerciseObs, len(rows))
	for i, r := range rows {
		out[i] = estimate.ExerciseObs{Pages: int(r.PageEnd - r.PageStart + 1), Difficulty: int(r.Difficulty),
			Seconds: float64(r.TimeSpentSeconds), At: r.CompletedAt}
	}
	return out, nil
}
