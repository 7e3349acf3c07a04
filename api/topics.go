package api

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/studysprint/studysprint/dbgen"
	"github.com/studysprint/studysprint/internal/apperr"
	"github.com/studysprint/studysprint/internal/library"
)

// topicResponse is a topic with statistics over its whole subtree.
type topicResponse struct {
	ID              uuid.UUID  `json:"id"`
	ParentID        *uuid.UUID `json:"parent_id"`
	Name            string     `json:"name"`
	Description     string     `json:"description"`
	Color           string     `json:"color"`
	SortOrder       int32      `json:"sort_order"`
	TargetDate      *string    `json:"target_date"`
	ArchivedAt      *time.Time `json:"archived_at"`
	CreatedAt       time.Time  `json:"created_at"`
	UpdatedAt       time.Time  `json:"updated_at"`
	PDFCount        int32      `json:"pdf_count"`
	TotalPages      int64      `json:"total_pages"`
	PagesRead       int64      `json:"pages_read"`
	ProgressPercent float64    `json:"progress_percent"`
	StudySeconds    int64      `json:"study_seconds"`
	LastStudiedAt   *time.Time `json:"last_studied_at"`
	ExerciseCount   int32      `json:"exercise_count"`
	ExercisesDone   int32      `json:"exercises_done"`
}

func toTopicResponse(t dbgen.Topic, st dbgen.ListTopicStatsRow) topicResponse {
	r := topicResponse{
		ID: t.ID, ParentID: t.ParentID, Name: t.Name, Description: t.Description, Color: t.Color,
		SortOrder: t.SortOrder, ArchivedAt: utcPtr(t.ArchivedAt), CreatedAt: utc(t.CreatedAt), UpdatedAt: utc(t.UpdatedAt),
		PDFCount: st.PdfCount, TotalPages: st.TotalPages, PagesRead: st.PagesRead, ProgressPercent: st.ProgressPercent,
		StudySeconds: st.StudySeconds, LastStudiedAt: utcPtr(st.LastStudiedAt),
		ExerciseCount: st.ExerciseCount, ExercisesDone: st.ExercisesDone,
	}
	if t.TargetDate != nil {
		d := t.TargetDate.Format(time.DateOnly)
		r.TargetDate = &d
	}
	return r
}

// topicResponses adds the statistics (one query for all of them).
func (s *server) topicResponses(ctx context.Context, userID uuid.UUID, topics []dbgen.Topic) ([]topicResponse, error) {
	ids := make([]uuid.UUID, len(topics))
	for i, t := range topics {
		ids[i] = t.ID
	}
	stats, err := s.q.ListTopicStats(ctx, dbgen.ListTopicStatsParams{UserID: userID, TopicIds: ids})
	if err != nil {
		return nil, err
	}
	byID := make(map[uuid.UUID]dbgen.ListTopicStatsRow, len(stats))
	for _, st := range stats {
		byID[st.TopicID] = st
	}
	out := make([]topicResponse, len(topics))
	for i, t := range topics {
		out[i] = toTopicResponse(t, byID[t.ID])
	}
	return out, nil
}

func (s *server) respondTopic(c echo.Context, status int, t dbgen.Topic) error {
	rs, err := s.topicResponses(c.Request().Context(), t.UserID, []dbgen.Topic{t})
	if err != nil {
		return err
	}
	return c.JSON(status, rs[0])
}

type createTopicRequest struct {
	Name        string              `json:"name"`
	Description *string             `json:"description"`
	Color       *string             `json:"color"`
	ParentID    optional[uuid.UUID] `json:"parent_id"`
	SortOrder   *int32              `json:"sort_order"`
	TargetDate  *string             `json:"target_date"`
}

func (s *server) createTopic(c echo.Context) error {
	var req createTopicRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	topic, err := s.library.CreateTopic(c.Request().Context(), principalOf(c).User.ID, library.TopicInput{
		Name: req.Name, Description: req.Description, Color: req.Color, ParentID: req.ParentID.Value,
		SortOrder: req.SortOrder, TargetDate: req.TargetDate,
	})
	if err != nil {
		return err
	}
	return s.respondTopic(c, http.StatusCreated, topic)
}

func (s *server) getTopic(c echo.Context) error {
	id, err := pathUUID(c, "id", "topic")
	if err != nil {
		return err
	}
	t, err := s.library.GetTopic(c.Request().Context(), nil, principalOf(c).User.ID, id)
	if err != nil {
		return err
	}
	return s.respondTopic(c, http.StatusOK, t)
}

// listTopics: ?parent_id=<uuid>|root, ?archived=false (default)|true|all,
// ?q= (name contains), cursor pagination in sort_order, name order.
func (s *server) listTopics(c echo.Context) error {
	pg, err := parsePage(c, "ns")
	if err != nil {
		return err
	}
	p := principalOf(c)
	params := dbgen.ListTopicsParams{UserID: p.User.ID, RowLimit: pg.fetch(), AfterSort: pg.afterInt32(), AfterName: pg.afterString(), AfterID: pg.afterID()}
	fe := apperr.Fields{}
	switch v := c.QueryParam("parent_id"); v {
	case "":
	case "root":
		params.FilterParent = true
	default:
		id, ok := parseID(v)
		if !ok {
			fe.Add("parent_id", "must be a topic id or root")
		}
		params.FilterParent, params.ParentID = true, &id
	}
	archived, err := archivedFilter(c.QueryParam("archived"))
	if err != nil {
		fe.Add("archived", err.Error())
	}
	params.Archived = archived
	if q := strings.TrimSpace(c.QueryParam("q")); q != "" {
		if len(q) > 200 {
			fe.Add("q", "must be at most 200 characters")
		}
		like := library.LikePattern(q)
		params.NameLike = &like
	}
	if err := fe.Err(); err != nil {
		return err
	}
	return s.cachedJSON(c, func(ctx context.Context) (any, error) { return s.topicList(ctx, params, pg) })
}

// topicList is one page of listTopics' answer, from the database.
func (s *server) topicList(ctx context.Context, params dbgen.ListTopicsParams, pg page) (any, error) {
	rows, err := s.q.ListTopics(ctx, params)
	if err != nil {
		return nil, err
	}
	rows, next := pageOf(pg, rows, func(r dbgen.ListTopicsRow) cursor {
		n, name := int64(r.Topic.SortOrder), strings.ToLower(r.Topic.Name)
		return cursor{N: &n, S: &name, ID: r.Topic.ID}
	})
	items := make([]topicResponse, len(rows))
	for i, r := range rows {
		items[i] = toTopicResponse(r.Topic, dbgen.ListTopicStatsRow{
			TopicID: r.Topic.ID, PdfCount: r.PdfCount, TotalPages: r.TotalPages, PagesRead: r.PagesRead,
			ProgressPercent: r.ProgressPercent, StudySeconds: r.StudySeconds, LastStudiedAt: r.LastStudiedAt,
			ExerciseCount: r.ExerciseCount, ExercisesDone: r.ExercisesDone,
		})
	}
	return listResponse[topicResponse]{Items: items, NextCursor: next}, nil
}

// archivedFilter reads ?archived=: false (the default) hides archived topics,
// true shows only them, all shows both.
func archivedFilter(v string) (*bool, error) {
	switch v {
	case "", "false":
		f := false
		return &f, nil
	case "true":
		t := true
		return &t, nil
	case "all":
		return nil, nil
	}
	return nil, errors.New("must be false, true or all")
}

type topicNode struct {
	topicResponse
	Children []topicNode `json:"children"`
}

// topicTree answers the whole hierarchy at once, each topic with its
// subtree statistics. Archived topics are left out unless
// ?include_archived=true.
func (s *server) topicTree(c echo.Context) error {
	includeArchived, err := boolQuery(c, "include_archived")
	if err != nil {
		return err
	}
	p := principalOf(c)
	ctx := c.Request().Context()
	all, err := s.q.ListAllTopics(ctx, p.User.ID)
	if err != nil {
		return err
	}
	if !includeArchived {
		kept := all[:0]
		for _, t := range all {
			if t.ArchivedAt == nil {
				kept = append(kept, t)
			}
		}
		all = kept
	}
	rs, err := s.topicResponses(ctx, p.User.ID, all)
	if err != nil {
		return err
	}
	roots := library.BuildTree(rs, func(t topicResponse) uuid.UUID { return t.ID }, func(t topicResponse) (uuid.UUID, bool) {
		if t.ParentID == nil {
			return uuid.Nil, false
		}
		return *t.ParentID, true
	})
	var convert func([]*library.Node[topicResponse]) []topicNode
	convert = func(ns []*library.Node[topicResponse]) []topicNode {
		out := make([]topicNode, len(ns))
		for i, n := range ns {
			out[i] = topicNode{topicResponse: n.Item, Children: convert(n.Children)}
		}
		return out
	}
	return c.JSON(http.StatusOK, map[string]any{"items": convert(roots)})
}

type updateTopicRequest struct {
	Name        *string             `json:"name"`
	Description *string             `json:"description"`
	Color       *string             `json:"color"`
	SortOrder   *int32              `json:"sort_order"`
	ParentID    optional[uuid.UUID] `json:"parent_id"`
	TargetDate  optional[string]    `json:"target_date"`
}

// updateTopic changes the fields sent. parent_id moves the topic (null: to
// the root level); target_date null clears it.
func (s *server) updateTopic(c echo.Context) error {
	var req updateTopicRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	id, err := pathUUID(c, "id", "topic")
	if err != nil {
		return err
	}
	topic, err := s.library.UpdateTopic(c.Request().Context(), principalOf(c).User.ID, id, library.TopicChange{
		Name: req.Name, Description: req.Description, Color: req.Color, SortOrder: req.SortOrder,
		ParentSet: req.ParentID.Set, ParentID: req.ParentID.Value, TargetDateSet: req.TargetDate.Set, TargetDate: req.TargetDate.Value,
	})
	if err != nil {
		return err
	}
	return s.respondTopic(c, http.StatusOK, topic)
}

// deleteTopic deletes an empty topic; with ?cascade=true also its subtopics
// and every PDF in them.
func (s *server) deleteTopic(c echo.Context) error {
	cascade, err := boolQuery(c, "cascade")
	if err != nil {
		return err
	}
	id, err := pathUUID(c, "id", "topic")
	if err != nil {
		return err
	}
	if err := s.library.DeleteTopic(c.Request().Context(), principalOf(c).User.ID, id, cascade); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// archiveTopic archives the topic and everything under it.
func (s *server) archiveTopic(c echo.Context) error { return s.setArchived(c, true) }

// restoreTopic restores the topic and everything under it; its parent must
// not be archived.
func (s *server) restoreTopic(c echo.Context) error { return s.setArchived(c, false) }

func (s *server) setArchived(c echo.Context, archive bool) error {
	id, err := pathUUID(c, "id", "topic")
	if err != nil {
		return err
	}
	topic, err := s.library.SetArchived(c.Request().Context(), principalOf(c).User.ID, id, archive)
	if err != nil {
		return err
	}
	return s.respondTopic(c, http.StatusOK, topic)
}
