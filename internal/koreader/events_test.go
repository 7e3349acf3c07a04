package koreader

import (
	"crypto/sha1"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"
)

var testUser = uuid.MustParse("11111111-2222-4333-8444-555555555555")

const testMD5 = "0123456789abcdef0123456789abcdef"

// TestEventIDStable pins the id of one event: ids are how a second import
// of the same file is recognised, so they must never change.
func TestEventIDStable(t *testing.T) {
	t.Parallel()
	got := EventID(testUser, testMD5, 12, 1_700_000_000, "page")
	if want := uuid.MustParse("f686d4bb-af79-5132-84e1-ba26433cb784"); got != want {
		t.Fatalf("EventID = %v, want %v (the ids of earlier imports)", got, want)
	}
	// RFC 9562 §5.5, computed here without the uuid package: SHA-1 of the
	// namespace and the name, version 5, variant 10.
	name := fmt.Sprintf("koreader-event/v1\x00%s\x00%s\x00%d\x00%d\x00%s", testUser, testMD5, 12, 1_700_000_000, "page")
	h := sha1.Sum(append(eventNamespace[:], name...))
	h[6] = h[6]&0x0f | 0x50
	h[8] = h[8]&0x3f | 0x80
	if got != uuid.UUID(h[:16]) {
		t.Fatalf("EventID = %v, RFC 9562 v5 gives %v", got, uuid.UUID(h[:16]))
	}
	if got.Version() != 5 || got.Variant() != uuid.RFC4122 {
		t.Errorf("version %d variant %v", got.Version(), got.Variant())
	}
}

func TestEventIDInputs(t *testing.T) {
	t.Parallel()
	base := EventID(testUser, testMD5, 12, 1_700_000_000, "page")
	same := []uuid.UUID{
		EventID(testUser, "0123456789ABCDEF0123456789ABCDEF", 12, 1_700_000_000, "page"),
		EventID(testUser, " "+testMD5+"\n", 12, 1_700_000_000, "page"),
	}
	for i, id := range same {
		if id != base {
			t.Errorf("variant %d of the same event: %v, want %v", i, id, base)
		}
	}
	differ := map[string]uuid.UUID{
		"user":  EventID(uuid.New(), testMD5, 12, 1_700_000_000, "page"),
		"book":  EventID(testUser, "fedcba9876543210fedcba9876543210", 12, 1_700_000_000, "page"),
		"page":  EventID(testUser, testMD5, 13, 1_700_000_000, "page"),
		"time":  EventID(testUser, testMD5, 12, 1_700_000_001, "page"),
		"kind":  EventID(testUser, testMD5, 12, 1_700_000_000, "pause"),
		"split": EventID(testUser, testMD5, 121, 700_000_000, "page"), // "12|1700000000" vs "121|700000000"
	}
	for what, id := range differ {
		if id == base {
			t.Errorf("another %s gives the same id", what)
		}
	}
}

type ev struct {
	typ  string
	page int32
	at   int64 // seconds after t0
}

func TestEvents(t *testing.T) {
	t.Parallel()
	const t0 = 1_700_000_000
	tests := []struct {
		name       string
		visits     []Visit
		pdfPages   int
		every      time.Duration
		want       []ev
		wantMapped int
	}{
		{
			name:     "one short visit",
			visits:   []Visit{v(3, t0, 30, 100)},
			pdfPages: 100,
			want:     []ev{{"page", 3, 0}, {"stop", 0, 30}},
		},
		{
			name:     "back to back: no pause between",
			visits:   []Visit{v(1, t0, 20, 100), v(2, t0+20, 25, 100)},
			pdfPages: 100,
			want:     []ev{{"page", 1, 0}, {"page", 2, 20}, {"stop", 0, 45}},
		},
		{
			name:     "a gap: pause at the end, the next page resumes",
			visits:   []Visit{v(1, t0, 20, 100), v(2, t0+300, 10, 100)},
			pdfPages: 100,
			want:     []ev{{"page", 1, 0}, {"pause", 0, 20}, {"page", 2, 300}, {"stop", 0, 310}},
		},
		{
			name:     "a long visit gets heartbeats strictly inside it",
			visits:   []Visit{v(7, t0, 150, 100)},
			pdfPages: 100,
			want:     []ev{{"page", 7, 0}, {"heartbeat", 0, 60}, {"heartbeat", 0, 120}, {"stop", 0, 150}},
		},
		{
			name:     "a visit of exactly two heartbeats: none at its end",
			visits:   []Visit{v(7, t0, 120, 100), v(8, t0+120, 5, 100)},
			pdfPages: 100,
			want:     []ev{{"page", 7, 0}, {"heartbeat", 0, 60}, {"page", 8, 120}, {"stop", 0, 125}},
		},
		{
			name:     "another heartbeat interval",
			visits:   []Visit{v(1, t0, 100, 10)},
			pdfPages: 10,
			every:    30 * time.Second,
			want:     []ev{{"page", 1, 0}, {"heartbeat", 0, 30}, {"heartbeat", 0, 60}, {"heartbeat", 0, 90}, {"stop", 0, 100}},
		},
		{
			name:       "reflowed pages are mapped to the PDF",
			visits:     []Visit{v(150, t0, 10, 300), v(151, t0+10, 10, 100), v(4, t0+20, 10, 0)},
			pdfPages:   100,
			want:       []ev{{"page", 50, 0}, {"page", 100, 10}, {"page", 4, 20}, {"stop", 0, 30}},
			wantMapped: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sessions := Sessions(tt.visits, DefaultSessionGap)
			if len(sessions) != 1 {
				t.Fatalf("%d sessions", len(sessions))
			}
			o := EventOptions{UserID: testUser, BookMD5: testMD5, PDFPages: tt.pdfPages, HeartbeatEvery: tt.every}
			events, mapped := Events(sessions[0], o)
			var got []ev
			for _, e := range events {
				got = append(got, ev{e.Type, e.Page, e.At.Unix() - t0})
				if e.At.Location() != time.UTC {
					t.Errorf("%v is not UTC", e.At)
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("events = %v\nwant     %v", got, tt.want)
			}
			if mapped != tt.wantMapped {
				t.Errorf("mapped = %d, want %d", mapped, tt.wantMapped)
			}
			// Ids: deterministic, distinct, from the KOReader page and the
			// event's own time.
			again, _ := Events(sessions[0], o)
			ids := map[uuid.UUID]bool{}
			for i, e := range events {
				if again[i].ID != e.ID {
					t.Errorf("event %d: id changed between two runs", i)
				}
				if ids[e.ID] {
					t.Errorf("event %d: id %v twice", i, e.ID)
				}
				ids[e.ID] = true
			}
			first := sessions[0].Visits[0]
			if events[0].ID != EventID(testUser, testMD5, int64(first.Page), first.StartTime, "page") {
				t.Error("the first page event's id is not EventID(user, md5, page, start, page)")
			}
		})
	}
}

// TestEventsLaterCopy: a later copy of the file holds the earlier rows and
// more; the events of the earlier visits keep their ids.
func TestEventsLaterCopy(t *testing.T) {
	t.Parallel()
	const t0 = 1_700_000_000
	early := []Visit{v(1, t0, 90, 50), v(2, t0+90, 40, 50)}
	later := append(slices.Clone(early), v(3, t0+86400, 30, 50))
	o := EventOptions{UserID: testUser, BookMD5: testMD5, PDFPages: 50}
	idsOf := func(vs []Visit) map[uuid.UUID]bool {
		ids := map[uuid.UUID]bool{}
		for _, s := range Sessions(vs, DefaultSessionGap) {
			events, _ := Events(s, o)
			for _, e := range events {
				ids[e.ID] = true
			}
		}
		return ids
	}
	before, after := idsOf(early), idsOf(later)
	for id := range before {
		if !after[id] {
			t.Errorf("id %v of the first import is gone in the second", id)
		}
	}
	if len(after) <= len(before) {
		t.Error("the later copy added no events")
	}
}
