package koreader

import (
	"encoding/binary"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"
)

// fuzzVisits reads visits from fuzz bytes: two bytes of options, then 8
// bytes a visit (flags, page, start step, duration, total pages), with
// flags for out-of-order starts and extreme values. The count of visits
// and the heartbeat interval are bounded so that one input stays fast (a
// 4-hour visit with a heartbeat a second is 14,400 events).
const maxFuzzVisits = 64

func fuzzVisits(data []byte) (visits []Visit, pdfPages int, every time.Duration) {
	if len(data) < 2 {
		return nil, 1, time.Second
	}
	pdfPages = int(data[0]) + 1
	every = time.Duration(data[1]%120+30) * time.Second
	start := int64(1_700_000_000)
	for b := data[2:]; len(b) >= 8 && len(visits) < maxFuzzVisits; b = b[8:] {
		flags := b[0]
		step := int64(binary.LittleEndian.Uint16(b[2:]))
		if flags&1 != 0 {
			step = -step // out of order, overlapping
		}
		start += step
		v := Visit{
			BookID:     1,
			Page:       int(int8(b[1])),
			StartTime:  start,
			Duration:   int64(int16(binary.LittleEndian.Uint16(b[4:]))),
			TotalPages: int(binary.LittleEndian.Uint16(b[6:])) - 1000,
		}
		if flags&2 != 0 {
			v.Duration = math.MaxInt64 - int64(flags)
		}
		if flags&4 != 0 {
			v.StartTime = math.MaxInt64 - int64(b[1])
		}
		if flags&8 != 0 {
			v.Page = math.MaxInt - int(b[1])
		}
		visits = append(visits, v)
	}
	return visits, pdfPages, every
}

// FuzzVisitsToEvents drives the pure import path: visits → sessions →
// timer events, with sane and insane visits alike.
func FuzzVisitsToEvents(f *testing.F) {
	f.Add([]byte{99, 59})
	f.Add([]byte{99, 59, 0, 1, 0, 0, 30, 0, 0xe8, 0x03 + 100})
	f.Add([]byte{200, 29,
		0, 5, 10, 0, 200, 0, 0x20, 0x04, // page 5, 200 s, 56 total pages
		1, 6, 50, 0, 100, 0, 0x20, 0x04, // 50 s earlier: overlaps
		0, 7, 0, 0, 100, 0, 0x20, 0x04, // same start
		0, 8, 0x10, 0x0e, 10, 0, 0xe8, 0x03, // an hour later: a new session
		2, 9, 1, 0, 1, 0, 0, 0, // an endless visit
		4, 10, 1, 0, 30, 0, 0, 0, // at the end of time
		8, 1, 1, 0, 30, 0, 0, 0, // a page beyond any document
	})
	f.Fuzz(func(t *testing.T, data []byte) {
		visits, pdfPages, every := fuzzVisits(data)
		gap := DefaultSessionGap
		sessions := Sessions(visits, gap)
		kept := 0
		var prev *Visit
		for si, s := range sessions {
			if len(s.Visits) == 0 {
				t.Fatal("an empty session")
			}
			for i := range s.Visits {
				v := &s.Visits[i]
				kept++
				if v.Duration < 1 || v.Duration > int64(MaxVisitDuration/time.Second) {
					t.Fatalf("session %d: duration %d", si, v.Duration)
				}
				if prev != nil {
					if prev.End() > v.StartTime {
						t.Fatalf("visits overlap: %+v then %+v", *prev, *v)
					}
					split := v.StartTime-prev.End() > int64(gap/time.Second)
					if split != (i == 0) {
						t.Fatalf("session split %v at a gap of %d s", i == 0, v.StartTime-prev.End())
					}
				}
				prev = v
			}
		}
		if kept > len(visits) {
			t.Fatalf("%d visits kept of %d", kept, len(visits))
		}

		o := EventOptions{UserID: uuid.UUID{1}, BookMD5: testMD5, PDFPages: pdfPages, HeartbeatEvery: every}
		ids := map[uuid.UUID]bool{}
		for _, s := range sessions {
			events, mapped := Events(s, o)
			again, mappedAgain := Events(s, o)
			if !slices.Equal(events, again) || mapped != mappedAgain {
				t.Fatal("Events is not deterministic")
			}
			if mapped < 0 || mapped > len(s.Visits) {
				t.Fatalf("mapped %d of %d visits", mapped, len(s.Visits))
			}
			if events[0].Type != eventPage || events[0].At.Unix() != s.Start() {
				t.Fatalf("first event %+v, session starts at %d", events[0], s.Start())
			}
			last := events[len(events)-1]
			if last.Type != eventStop || last.At.Unix() != s.End() {
				t.Fatalf("last event %+v, session ends at %d", last, s.End())
			}
			pages := 0
			for i, e := range events {
				if ids[e.ID] {
					t.Fatalf("id %v twice", e.ID)
				}
				ids[e.ID] = true
				switch e.Type {
				case eventPage:
					pages++
					if e.Page < 1 || int(e.Page) > pdfPages {
						t.Fatalf("page %d of a %d-page PDF", e.Page, pdfPages)
					}
				case eventHeartbeat, eventPause, eventStop:
					if e.Page != 0 {
						t.Fatalf("%s with page %d", e.Type, e.Page)
					}
				default:
					t.Fatalf("event type %q", e.Type)
				}
				if i == 0 {
					continue
				}
				p := events[i-1]
				d := e.At.Sub(p.At)
				if d < 0 {
					t.Fatalf("events out of order: %+v then %+v", p, e)
				}
				// The timer never sees a silence longer than the heartbeat
				// interval while a visit runs; only a pause may last longer.
				if p.Type != eventPause && d > every {
					t.Fatalf("%v of silence after %s (heartbeat every %v)", d, p.Type, every)
				}
				if p.Type == eventPause && e.Type != eventPage {
					t.Fatalf("%s after a pause", e.Type)
				}
			}
			if pages != len(s.Visits) {
				t.Fatalf("%d page events for %d visits", pages, len(s.Visits))
			}
		}
	})
}
