package store

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/studysprint/studysprint/internal/estimate"
)

func memoInput() estimate.PDFInput {
	a, b := uuid.New(), uuid.New()
	at := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	in := estimate.PDFInput{Kind: estimate.KindStudy, Library: []estimate.PDFPages{{PDF: b, Pages: 80}}}
	for p := int32(1); p <= 40; p++ {
		in.Read = append(in.Read, estimate.Obs{PDF: a, Kind: estimate.KindStudy, Page: p, Words: 300 + p, Seconds: float64(60 + p%7), Visits: 1, LastReadAt: at.Add(time.Duration(p) * time.Minute)})
		in.User = append(in.User, estimate.Obs{PDF: b, Kind: estimate.KindStudy, Page: p, Words: -1, Seconds: 90, Visits: 2, LastReadAt: at.Add(-time.Duration(p) * time.Hour)})
	}
	for p := int32(41); p <= 100; p++ {
		in.Remaining = append(in.Remaining, estimate.PageInfo{Page: p, Words: 250})
	}
	return in
}

// TestMemoAnswersAsTheEstimator: the memo's answer is the estimator's, a
// second ask of the same input does not fit again, and a change of any one
// field the estimator reads is a new input.
func TestMemoAnswersAsTheEstimator(t *testing.T) {
	t.Parallel()
	var fits atomic.Int64
	m := newMemo()
	m.fit = func(in estimate.PDFInput) estimate.Estimate { fits.Add(1); return estimate.ForPDF(in) }
	base := memoInput()
	if got, want := m.forPDF(base), estimate.ForPDF(base); got != want {
		t.Fatalf("memo %+v, estimator %+v", got, want)
	}
	m.forPDF(memoInput()) // new uuids: another input
	m.forPDF(base)
	if fits.Load() != 2 {
		t.Fatalf("%d fits for two distinct inputs", fits.Load())
	}
	changes := map[string]func(*estimate.PDFInput){
		"kind":            func(in *estimate.PDFInput) { in.Kind = estimate.KindExercise },
		"read seconds":    func(in *estimate.PDFInput) { in.Read[3].Seconds++ },
		"read words":      func(in *estimate.PDFInput) { in.Read[3].Words = -1 },
		"read page":       func(in *estimate.PDFInput) { in.Read[3].Page = 99 },
		"read visits":     func(in *estimate.PDFInput) { in.Read[3].Visits++ },
		"read time":       func(in *estimate.PDFInput) { in.Read[3].LastReadAt = in.Read[3].LastReadAt.Add(time.Nanosecond) },
		"read time zero":  func(in *estimate.PDFInput) { in.Read[3].LastReadAt = time.Time{} },
		"read one less":   func(in *estimate.PDFInput) { in.Read = in.Read[1:] },
		"read moved":      func(in *estimate.PDFInput) { in.User = append(in.User, in.Read[0]); in.Read = in.Read[1:] },
		"obs kind":        func(in *estimate.PDFInput) { in.User[0].Kind = estimate.KindExercise },
		"obs pdf":         func(in *estimate.PDFInput) { in.User[0].PDF = uuid.New() },
		"topic sample":    func(in *estimate.PDFInput) { in.Topic = in.User[:5] },
		"remaining words": func(in *estimate.PDFInput) { in.Remaining[0].Words = 251 },
		"remaining page":  func(in *estimate.PDFInput) { in.Remaining = in.Remaining[1:] },
		"library pages":   func(in *estimate.PDFInput) { in.Library[0].Pages++ },
		"library one more": func(in *estimate.PDFInput) {
			in.Library = append(in.Library, estimate.PDFPages{PDF: uuid.New(), Pages: 1})
		},
	}
	key := m.key(base)
	for name, change := range changes {
		in := base
		in.Read = append([]estimate.Obs(nil), base.Read...)
		in.User = append([]estimate.Obs(nil), base.User...)
		in.Remaining = append([]estimate.PageInfo(nil), base.Remaining...)
		in.Library = append([]estimate.PDFPages(nil), base.Library...)
		change(&in)
		if m.key(in) == key {
			t.Errorf("%s: the same key as before the change", name)
		}
	}
	if m.key(base) != key {
		t.Fatal("the key of an input changed")
	}
}

// TestMemoBounded: the memo never holds more than memoSize answers, and
// concurrent askers get the estimator's answer (run with -race).
func TestMemoBounded(t *testing.T) {
	t.Parallel()
	m := newMemo()
	m.fit = func(in estimate.PDFInput) estimate.Estimate {
		return estimate.Estimate{RemainingPages: len(in.Remaining)}
	}
	in := memoInput()
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := range memoSize/2 + 10 {
				x := in
				x.Remaining = in.Remaining[:(w*memoSize/2+i)%len(in.Remaining)]
				x.Library = []estimate.PDFPages{{PDF: in.Library[0].PDF, Pages: int32(w*memoSize + i)}}
				if got := m.forPDF(x); got.RemainingPages != len(x.Remaining) {
					t.Errorf("answer %d for %d pages", got.RemainingPages, len(x.Remaining))
					return
				}
			}
		})
	}
	wg.Wait()
	if n := len(m.m); n > memoSize || n == 0 {
		t.Fatalf("%d answers held, bound %d", n, memoSize)
	}
}
