package importer

import (
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/studysprint/studysprint/internal/koreader"
	"github.com/studysprint/studysprint/internal/study"
)

// sessionNamespace is the fixed namespace of the name-based (v5) ids of
// imported sessions. It must never change: re-importing a file must find
// the sessions it stored before.
var sessionNamespace = uuid.MustParse("3c9b8f0e-5d21-4a67-9e14-7b0c2d6a8f51")

// SessionID is the deterministic id of an imported session: a UUID v5 over
// the user, the PDF, the book's key (BookKey) and the Unix second of the
// session's first visit. A later copy of the file that continues a session
// (visits after its end, within the session gap) gives the same id, so the
// session is extended rather than stored twice.
func SessionID(userID, pdfID uuid.UUID, bookKey string, start int64) uuid.UUID {
	name := strings.Join([]string{"koreader-session/v1", userID.String(), pdfID.String(), bookKey, strconv.FormatInt(start, 10)}, "\x00")
	return uuid.NewSHA1(sessionNamespace, []byte(name))
}

// BookKey names a book in the ids of its sessions and events: its partial
// MD5, or, for a book the file has none for, its normalized title and
// authors (stable across copies of the file).
func BookKey(b koreader.Book) string {
	if b.MD5 != "" {
		return b.MD5
	}
	return "title:" + koreader.NormalizeTitle(b.Title) + "/" + koreader.NormalizeTitle(b.Authors)
}

// HeartbeatEvery is the heartbeat interval of imported visits: the least
// idle threshold the preferences allow, so that no part of a visit counts
// as idle under anyone's rules, and event ids never depend on preferences.
const HeartbeatEvery = 30 * time.Second

// plannedSession is one session of a book as the timer receives it.
type plannedSession struct {
	ID         uuid.UUID
	Start, End time.Time
	StartPage  int32
	Events     []study.Incoming
	// Mapped counts the visits whose page was mapped to the PDF's count.
	Mapped int
}

// planSession turns one session of a book into timer events for the PDF
// (pdfPages pages): koreader.Events, except that the session ends in a
// pause rather than a stop. An imported session is ended at its last event
// without a stop (study.Service.ImportSession), so that a later copy of the
// file can continue it; a stop would refuse every later event.
func planSession(userID, pdfID uuid.UUID, pdfPages int, key string, s koreader.Session) plannedSession {
	events, mapped := koreader.Events(s, koreader.EventOptions{
		UserID: userID, BookMD5: key, PDFPages: pdfPages, HeartbeatEvery: HeartbeatEvery,
	})
	p := plannedSession{
		ID:     SessionID(userID, pdfID, key, s.Start()),
		Start:  time.Unix(s.Start(), 0).UTC(),
		End:    time.Unix(s.End(), 0).UTC(),
		Events: make([]study.Incoming, len(events)),
		Mapped: mapped,
	}
	last := s.Visits[len(s.Visits)-1]
	for i, e := range events {
		if e.Type == string(study.EventStop) {
			e.Type = string(study.EventPause)
			e.ID = koreader.EventID(userID, key, int64(last.Page), last.End(), e.Type)
		}
		p.Events[i] = study.Incoming{ID: e.ID, Type: e.Type, Page: e.Page, At: e.At}
	}
	if len(p.Events) > 0 {
		p.StartPage = p.Events[0].Page
	}
	return p
}

// dropLate skips (and counts in skipped) the visits of each book that end
// after now plus the timer's allowed clock skew: the timer would refuse
// their events. The reader keeps visits up to a day ahead (device clocks
// drift), but history cannot end in the future.
func dropLate(books []koreader.Book, now time.Time, skipped map[koreader.SkipReason]int) {
	limit := now.Add(study.MaxFutureSkew).Unix()
	for i := range books {
		kept := books[i].Visits[:0]
		for _, v := range books[i].Visits {
			if v.End() > limit {
				skipped[koreader.SkipInFuture]++
				continue
			}
			kept = append(kept, v)
		}
		books[i].Visits = kept
	}
}

// bookSessions splits a book's visits into sessions and counts in skipped
// the visits the timeline leaves out (several starting in one second).
func bookSessions(b koreader.Book, gap time.Duration, skipped map[koreader.SkipReason]int) []koreader.Session {
	sessions := koreader.Sessions(b.Visits, gap)
	kept := 0
	for _, s := range sessions {
		kept += len(s.Visits)
	}
	if lost := len(b.Visits) - kept; lost > 0 {
		skipped[SkipSameStartTime] += lost
	}
	return sessions
}
