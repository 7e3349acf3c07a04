package store

import (
	"encoding/binary"
	"hash/maphash"
	"math"
	"sync"

	"github.com/studysprint/studysprint/internal/estimate"
)

// memoSize bounds the remembered answers (about 100 bytes each); when it is
// full the memo starts again empty.
const memoSize = 8192

// memo remembers estimate.ForPDF's answers by a hash of their whole input.
// The estimator is pure — its answer depends on nothing but its input, not
// even the clock — so an input seen before gets the same answer without the
// fit, and nothing has to be invalidated: any change to what the estimate
// reads (a page read, a word count, a PDF added) changes the input and so
// the key. A student who opens the library or a topic again before reading
// on pays only for loading the inputs. The hash is 64-bit maphash with a
// per-process seed: a collision among memoSize entries has a chance of
// about 2^-38.
type memo struct {
	fit  func(estimate.PDFInput) estimate.Estimate
	seed maphash.Seed
	mu   sync.Mutex
	m    map[uint64]estimate.Estimate
}

func newMemo() *memo {
	return &memo{fit: estimate.ForPDF, seed: maphash.MakeSeed(), m: make(map[uint64]estimate.Estimate)}
}

// forPDF is estimate.ForPDF(in), remembered.
func (m *memo) forPDF(in estimate.PDFInput) estimate.Estimate {
	if m == nil {
		return estimate.ForPDF(in)
	}
	k := m.key(in)
	m.mu.Lock()
	e, ok := m.m[k]
	m.mu.Unlock()
	if ok {
		return e
	}
	e = m.fit(in)
	m.mu.Lock()
	if len(m.m) >= memoSize {
		clear(m.m)
	}
	m.m[k] = e
	m.mu.Unlock()
	return e
}

// key hashes every field of the input, each list with its length first so
// that no two inputs share an encoding.
func (m *memo) key(in estimate.PDFInput) uint64 {
	var h maphash.Hash
	h.SetSeed(m.seed)
	buf := make([]byte, 0, 4096)
	flush := func() {
		h.Write(buf)
		buf = buf[:0]
	}
	u32 := func(v uint32) {
		buf = binary.LittleEndian.AppendUint32(buf, v)
		if len(buf) >= 4000 {
			flush()
		}
	}
	u64 := func(v uint64) {
		buf = binary.LittleEndian.AppendUint64(buf, v)
		if len(buf) >= 4000 {
			flush()
		}
	}
	str := func(s string) {
		u32(uint32(len(s)))
		buf = append(buf, s...)
	}
	obs := func(list []estimate.Obs) {
		u32(uint32(len(list)))
		for _, o := range list {
			buf = append(buf, o.PDF[:]...)
			str(string(o.Kind))
			u32(uint32(o.Page))
			u32(uint32(o.Words))
			u64(math.Float64bits(o.Seconds))
			u64(uint64(o.Visits))
			if o.LastReadAt.IsZero() { // the estimator reads only the instant
				u64(0)
				buf = append(buf, 0)
			} else {
				u64(uint64(o.LastReadAt.UnixNano()))
				buf = append(buf, 1)
			}
		}
	}
	str(string(in.Kind))
	u32(uint32(len(in.Remaining)))
	for _, p := range in.Remaining {
		u32(uint32(p.Page))
		u32(uint32(p.Words))
	}
	obs(in.Read)
	obs(in.Topic)
	obs(in.User)
	u32(uint32(len(in.Library)))
	for _, p := range in.Library {
		buf = append(buf, p.PDF[:]...)
		u32(uint32(p.Pages))
	}
	flush()
	return h.Sum64()
}
