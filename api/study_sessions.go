package api

import (
	"net/http"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/studysprint/studysprint/internal/apperr"
	"github.com/studysprint/studysprint/internal/study"
)

// studySessionResponse is a session's state; for a running session the
// numbers run up to the moment of the answer.
type studySessionResponse struct {
	ID                 uuid.UUID  `json:"id"`
	PDFID              uuid.UUID  `json:"pdf_id"`
	ExerciseID         *uuid.UUID `json:"exercise_id"`
	Source             string     `json:"source"`
	Status             string     `json:"status"`
	EndedReason        *string    `json:"ended_reason"`
	StartedAt          time.Time  `json:"started_at"`
	EndedAt            *time.Time `json:"ended_at"`
	LastEventAt        time.Time  `json:"last_event_at"`
	ActiveSeconds      int64      `json:"active_seconds"`
	PausedSeconds      int64      `json:"paused_seconds"`
	IdleSeconds        int64      `json:"idle_seconds"`
	BreakSeconds       int64      `json:"break_seconds"`
	CurrentPage        *int32     `json:"current_page"`
	PagesVisited       int        `json:"pages_visited"`
	PagesRead          int        `json:"pages_read"`
	Events             int32      `json:"events"`
	Pomodoro           bool       `json:"pomodoro"`
	Phase              *string    `json:"phase"`
	Cycle              *int       `json:"cycle"`
	SecondsLeftInPhase *int64     `json:"seconds_left_in_phase"`
	Notes              string     `json:"notes"`
	Rating             *int16     `json:"rating"`
	CreatedAt          time.Time  `json:"created_at"`
}

func toStudySessionResponse(st study.State) studySessionResponse {
	r := st.Row
	out := studySessionResponse{
		ID: r.ID, PDFID: r.PdfID, ExerciseID: r.ExerciseID, Source: r.Source, Status: string(st.Status),
		StartedAt: utc(r.StartedAt), EndedAt: utcPtr(st.EndedAt), LastEventAt: utc(r.LastEventAt),
		ActiveSeconds: st.ActiveSeconds, PausedSeconds: st.PausedSeconds, IdleSeconds: st.IdleSeconds, BreakSeconds: st.BreakSeconds,
		PagesVisited: st.PagesVisited, PagesRead: st.PagesRead, Events: r.Events, Pomodoro: r.Pomodoro,
		Notes: r.Notes, Rating: r.Rating, CreatedAt: utc(r.CreatedAt),
	}
	if st.EndedReason != nil {
		reason := string(*st.EndedReason)
		out.EndedReason = &reason
	}
	if st.CurrentPage > 0 {
		page := st.CurrentPage
		out.CurrentPage = &page
	}
	if r.Pomodoro {
		phase, cycle, left := string(st.Phase), st.Cycle, st.SecondsLeftInPhase
		out.Phase, out.Cycle, out.SecondsLeftInPhase = &phase, &cycle, &left
	}
	return out
}

type startSessionRequest struct {
	PDFID      *uuid.UUID `json:"pdf_id"`
	ExerciseID *uuid.UUID `json:"exercise_id"`
	StartPage  *int32     `json:"start_page"`
	Pomodoro   *bool      `json:"pomodoro"`
	StartedAt  *time.Time `json:"started_at"`
}

// startStudySession starts a session on a PDF or an exercise; a running one
// is ended first (superseded).
func (s *server) startStudySession(c echo.Context) error {
	var req startSessionRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	st, err := s.study.Start(c.Request().Context(), principalOf(c).User.ID, study.StartInput{
		PDFID: req.PDFID, ExerciseID: req.ExerciseID, StartPage: req.StartPage, Pomodoro: req.Pomodoro != nil && *req.Pomodoro, StartedAt: req.StartedAt,
	})
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderLocation, "/api/v1/study-sessions/"+st.Row.ID.String())
	return c.JSON(http.StatusCreated, toStudySessionResponse(st))
}

type eventRequest struct {
	ID   uuid.UUID `json:"id"`
	Type string    `json:"type"`
	Page *int32    `json:"page"`
	At   time.Time `json:"at"`
}

type eventsRequest struct {
	Events []eventRequest `json:"events"`
}

type rejectionResponse struct {
	ID     uuid.UUID `json:"id"`
	Reason string    `json:"reason"`
}

type eventsResponse struct {
	Accepted   []uuid.UUID          `json:"accepted"`
	Duplicates []uuid.UUID          `json:"duplicates"`
	Rejected   []rejectionResponse  `json:"rejected"`
	Session    studySessionResponse `json:"session"`
}

// postStudyEvents takes a batch of up to 500 events: each is accepted, a
// duplicate, or rejected with a reason; a malformed batch stores nothing.
func (s *server) postStudyEvents(c echo.Context) error {
	var req eventsRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	id, err := pathUUID(c, "id", "study session")
	if err != nil {
		return err
	}
	fe := apperr.Fields{}
	switch {
	case len(req.Events) == 0:
		fe.Add("events", "send at least one event")
	case len(req.Events) > study.MaxBatch:
		fe.Add("events", "at most 500 events per batch")
	}
	batch := make([]study.Incoming, len(req.Events))
	for i, e := range req.Events {
		if e.ID == uuid.Nil {
			fe.Add("events["+itoa(i)+"].id", "is required")
		}
		if e.At.IsZero() {
			fe.Add("events["+itoa(i)+"].at", "is required")
		}
		batch[i] = study.Incoming{ID: e.ID, Type: e.Type, At: e.At}
		if e.Page != nil {
			batch[i].Page = *e.Page
		}
	}
	if err := fe.Err(); err != nil {
		return err
	}
	res, err := s.study.Ingest(c.Request().Context(), principalOf(c).User.ID, id, batch)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toEventsResponse(res))
}

func toEventsResponse(res study.IngestResult) eventsResponse {
	out := eventsResponse{Accepted: res.Accepted, Duplicates: res.Duplicates, Rejected: []rejectionResponse{}, Session: toStudySessionResponse(res.State)}
	if out.Accepted == nil {
		out.Accepted = []uuid.UUID{}
	}
	if out.Duplicates == nil {
		out.Duplicates = []uuid.UUID{}
	}
	for _, r := range res.Rejected {
		out.Rejected = append(out.Rejected, rejectionResponse{ID: r.ID, Reason: string(r.Reason)})
	}
	return out
}

// studyShortcut records one event at server time: pause, resume, stop or
// heartbeat.
func (s *server) studyShortcut(t study.EventType) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := pathUUID(c, "id", "study session")
		if err != nil {
			return err
		}
		res, err := s.study.Shortcut(c.Request().Context(), principalOf(c).User.ID, id, t)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, toEventsResponse(res))
	}
}

func (s *server) getStudySession(c echo.Context) error {
	id, err := pathUUID(c, "id", "study session")
	if err != nil {
		return err
	}
	st, err := s.study.Get(c.Request().Context(), principalOf(c).User.ID, id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toStudySessionResponse(st))
}

func (s *server) currentStudySession(c echo.Context) error {
	st, err := s.study.Current(c.Request().Context(), principalOf(c).User.ID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toStudySessionResponse(st))
}

// listStudySessions: ?pdf_id=, ?exercise_id=, ?topic_id= (its subtree),
// ?from=, ?to= (RFC 3339, on started_at), newest first.
func (s *server) listStudySessions(c echo.Context) error {
	pg, err := parsePage(c, "t")
	if err != nil {
		return err
	}
	f := study.ListFilter{AfterStartedAt: pg.afterTime(), AfterID: pg.afterID(), Limit: pg.fetch()}
	fe := apperr.Fields{}
	var ferr error
	f.PDFID, ferr = queryUUID(c, "pdf_id", "a PDF")
	fe.Check("pdf_id", ferr)
	f.ExerciseID, ferr = queryUUID(c, "exercise_id", "an exercise")
	fe.Check("exercise_id", ferr)
	f.TopicID, ferr = queryUUID(c, "topic_id", "a topic")
	fe.Check("topic_id", ferr)
	f.From, ferr = queryTime(c, "from")
	fe.Check("from", ferr)
	f.To, ferr = queryTime(c, "to")
	fe.Check("to", ferr)
	if err := fe.Err(); err != nil {
		return err
	}
	states, err := s.study.List(c.Request().Context(), principalOf(c).User.ID, f)
	if err != nil {
		return err
	}
	states, next := pageOf(pg, states, func(st study.State) cursor { return timeCursor(st.Row.StartedAt, st.Row.ID) })
	items := make([]studySessionResponse, len(states))
	for i, st := range states {
		items[i] = toStudySessionResponse(st)
	}
	return c.JSON(http.StatusOK, listResponse[studySessionResponse]{Items: items, NextCursor: next})
}

type sessionPageResponse struct {
	Page    int32 `json:"page"`
	Seconds int32 `json:"seconds"`
	Visits  int32 `json:"visits"`
	Read    bool  `json:"read"`
}

// listStudySessionPages is a session's per-page breakdown.
func (s *server) listStudySessionPages(c echo.Context) error {
	id, err := pathUUID(c, "id", "study session")
	if err != nil {
		return err
	}
	pages, err := s.study.Pages(c.Request().Context(), principalOf(c).User.ID, id)
	if err != nil {
		return err
	}
	items := make([]sessionPageResponse, len(pages))
	for i, p := range pages {
		items[i] = sessionPageResponse{Page: p.Page, Seconds: p.Seconds, Visits: p.Visits, Read: p.Read}
	}
	return c.JSON(http.StatusOK, map[string]any{"items": items})
}

type updateSessionRequest struct {
	Notes  *string       `json:"notes"`
	Rating optional[int] `json:"rating"`
}

// updateStudySession changes the notes or the rating (null clears it).
func (s *server) updateStudySession(c echo.Context) error {
	var req updateSessionRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	id, err := pathUUID(c, "id", "study session")
	if err != nil {
		return err
	}
	st, err := s.study.UpdateNotes(c.Request().Context(), principalOf(c).User.ID, id, study.NotesChange{
		Notes: req.Notes, RatingSet: req.Rating.Set, Rating: req.Rating.Value,
	})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toStudySessionResponse(st))
}

// deleteStudySession deletes a session and undoes what it added to the
// reading statistics.
func (s *server) deleteStudySession(c echo.Context) error {
	id, err := pathUUID(c, "id", "study session")
	if err != nil {
		return err
	}
	if err := s.study.Delete(c.Request().Context(), principalOf(c).User.ID, id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
