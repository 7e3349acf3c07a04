package koreader

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
)

// eventNamespace is the fixed namespace of the name-based (v5) ids of
// imported timer events. It must never change: re-importing a file must
// give the ids it gave before.
var eventNamespace = uuid.MustParse("6f0e2a4c-93d1-4b7e-8c55-2f7a1d9b3e60")

// EventID is the deterministic id of one imported timer event: a UUID v5
// (SHA-1) in StudySprint's KOReader namespace over the user, the book's
// partial MD5 (case and surrounding space ignored), the KOReader page, the
// event's Unix second and its kind. Importing the same file twice, or a
// later copy that holds the earlier rows, gives the same ids.
func EventID(userID uuid.UUID, bookMD5 string, page, startTime int64, kind string) uuid.UUID {
	var b strings.Builder
	b.WriteString("koreader-event/v1\x00")
	b.WriteString(userID.String())
	b.WriteByte(0)
	b.WriteString(normalizeMD5(bookMD5))
	b.WriteByte(0)
	b.WriteString(strconv.FormatInt(page, 10))
	b.WriteByte(0)
	b.WriteString(strconv.FormatInt(startTime, 10))
	b.WriteByte(0)
	b.WriteString(kind)
	return uuid.NewSHA1(eventNamespace, []byte(b.String()))
}

// Timer event types, as the study timer names them.
const (
	eventPage      = "page"
	eventHeartbeat = "heartbeat"
	eventPause     = "pause"
	eventStop      = "stop"
)

// DefaultHeartbeat is how often Events sends a heartbeat inside a long
// visit. It must not exceed the user's idle threshold (the timer counts a
// longer silence as idle beyond the threshold).
const DefaultHeartbeat = 60 * time.Second

// Event is one timer event of an imported session, in the shape a reader
// app sends them.
type Event struct {
	ID   uuid.UUID
	Type string
	// Page is the PDF page of a page event (KOReader's page mapped to the
	// PDF's page count); 0 for the other types.
	Page int32
	At   time.Time
}

// EventOptions say whose events Events makes and for which PDF.
type EventOptions struct {
	UserID  uuid.UUID
	BookMD5 string
	// PDFPages is the matched PDF's page count; pages are mapped to it.
	PDFPages int
	// HeartbeatEvery is the heartbeat interval (DefaultHeartbeat when not
	// positive).
	HeartbeatEvery time.Duration
}

// Events gives the timer events of one session, in time order, as a reader
// app would have sent them: a page event at each visit's start (after a
// pause it also resumes the timer), heartbeats every HeartbeatEvery inside
// a visit, a pause at a visit's end when the next visit does not start
// there, and a stop at the end of the last visit. mapped counts the visits
// whose page was mapped to the PDF's page count. The session comes from
// Sessions (ordered, not overlapping).
func Events(s Session, o EventOptions) (events []Event, mapped int) {
	every := int64(o.HeartbeatEvery / time.Second)
	if every < 1 {
		every = int64(DefaultHeartbeat / time.Second)
	}
	add := func(kind string, page int, at int64, pdfPage int32) {
		events = append(events, Event{
			ID:   EventID(o.UserID, o.BookMD5, int64(page), at, kind),
			Type: kind,
			Page: pdfPage,
			At:   time.Unix(at, 0).UTC(),
		})
	}
	for i, v := range s.Visits {
		if pageMapped(v.TotalPages, o.PDFPages) {
			mapped++
		}
		pdfPage := min(max(MapPage(v.Page, v.TotalPages, o.PDFPages), 0), math.MaxInt32)
		add(eventPage, v.Page, v.StartTime, int32(pdfPage))
		end := v.End()
		// Heartbeats strictly inside the visit (its end has an event of
		// its own), counted so that no addition can overflow.
		for k := int64(1); k <= (end-v.StartTime-1)/every; k++ {
			add(eventHeartbeat, v.Page, v.StartTime+k*every, 0)
		}
		switch {
		case i == len(s.Visits)-1:
			add(eventStop, v.Page, end, 0)
		case s.Visits[i+1].StartTime != end:
			add(eventPause, v.Page, end, 0)
		}
	}
	return events, mapped
}
