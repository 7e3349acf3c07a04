package api

import (
	"net/http"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/studysprint/studysprint/internal/analytics"
	"github.com/studysprint/studysprint/internal/apperr"
	"github.com/studysprint/studysprint/internal/goals"
)

type goalRequest struct {
	Kind     *string    `json:"kind"`
	Target   *int32     `json:"target"`
	PDFID    *uuid.UUID `json:"pdf_id"`
	TopicID  *uuid.UUID `json:"topic_id"`
	Deadline *string    `json:"deadline"`
}

type goalPatchRequest struct {
	Target   *int32  `json:"target"`
	Deadline *string `json:"deadline"`
}

type goalProgressResponse struct {
	// Daily goals.
	Done    *int64   `json:"done,omitempty"`
	Percent *float64 `json:"percent,omitempty"`
	// Deadline goals.
	RemainingPages        *int64          `json:"remaining_pages,omitempty"`
	RemainingSeconds      *float64        `json:"remaining_seconds,omitempty"`
	DaysLeft              *int            `json:"days_left,omitempty"`
	RequiredPagesPerDay   *float64        `json:"required_pages_per_day,omitempty"`
	RequiredMinutesPerDay *float64        `json:"required_minutes_per_day,omitempty"`
	ProjectedFinishDate   *analytics.Date `json:"projected_finish_date"`
	ProjectedReason       *string         `json:"projected_finish_reason"`
}

type goalResponse struct {
	ID        uuid.UUID            `json:"id"`
	Kind      string               `json:"kind"`
	Target    *int32               `json:"target"`
	PDFID     *uuid.UUID           `json:"pdf_id"`
	TopicID   *uuid.UUID           `json:"topic_id"`
	Deadline  *analytics.Date      `json:"deadline"`
	OnTrack   bool                 `json:"on_track"`
	Progress  goalProgressResponse `json:"progress"`
	CreatedAt time.Time            `json:"created_at"`
	UpdatedAt time.Time            `json:"updated_at"`
}

func toGoalResponse(g goals.Goal) goalResponse {
	r := g.Row
	out := goalResponse{
		ID: r.ID, Kind: r.Kind, Target: r.Target, PDFID: r.PdfID, TopicID: r.TopicID, Deadline: g.Deadline,
		OnTrack: g.OnTrack, CreatedAt: utc(r.CreatedAt), UpdatedAt: utc(r.UpdatedAt),
	}
	if d := g.Daily; d != nil {
		out.Progress.Done, out.Progress.Percent = &d.Done, &d.Percent
	}
	if p := g.Progress; p != nil {
		pr := &out.Progress
		pr.RemainingPages, pr.RemainingSeconds = &g.Left.Pages, &g.Left.Seconds
		pr.DaysLeft, pr.RequiredPagesPerDay, pr.RequiredMinutesPerDay = &p.DaysLeft, &p.RequiredPagesPerDay, &p.RequiredMinutesPerDay
		pr.ProjectedFinishDate = p.ProjectedFinish
		if p.ProjectedReason != "" {
			pr.ProjectedReason = &p.ProjectedReason
		}
	}
	return out
}

// parseDeadline reads an optional YYYY-MM-DD deadline (422 naming it).
func parseDeadline(s *string) (*analytics.Date, error) {
	if s == nil {
		return nil, nil
	}
	d, err := analytics.ParseDate(*s)
	if err != nil {
		return nil, apperr.Field("deadline", err.Error())
	}
	return &d, nil
}

func (s *server) createGoal(c echo.Context) error {
	var req goalRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	if req.Kind == nil {
		return apperr.Field("kind", "is required")
	}
	deadline, err := parseDeadline(req.Deadline)
	if err != nil {
		return err
	}
	g, err := s.goals.Create(c.Request().Context(), principalOf(c).User.ID, goals.Input{
		Kind: analytics.GoalKind(*req.Kind), Target: req.Target, PDFID: req.PDFID, TopicID: req.TopicID, Deadline: deadline,
	})
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderLocation, "/api/v1/goals/"+g.Row.ID.String())
	return c.JSON(http.StatusCreated, toGoalResponse(g))
}

// listGoals is every goal (at most 100) with its progress, oldest first.
func (s *server) listGoals(c echo.Context) error {
	list, err := s.goals.List(c.Request().Context(), principalOf(c).User.ID)
	if err != nil {
		return err
	}
	out := make([]goalResponse, len(list))
	for i, g := range list {
		out[i] = toGoalResponse(g)
	}
	return c.JSON(http.StatusOK, struct {
		Items []goalResponse `json:"items"`
	}{out})
}

func (s *server) getGoal(c echo.Context) error {
	id, err := pathUUID(c, "id", "goal")
	if err != nil {
		return err
	}
	g, err := s.goals.Get(c.Request().Context(), principalOf(c).User.ID, id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toGoalResponse(g))
}

// updateGoal changes a daily goal's target or a deadline goal's deadline.
func (s *server) updateGoal(c echo.Context) error {
	var req goalPatchRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	id, err := pathUUID(c, "id", "goal")
	if err != nil {
		return err
	}
	deadline, err := parseDeadline(req.Deadline)
	if err != nil {
		return err
	}
	g, err := s.goals.Update(c.Request().Context(), principalOf(c).User.ID, id, req.Target, deadline)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toGoalResponse(g))
}

func (s *server) deleteGoal(c echo.Context) error {
	id, err := pathUUID(c, "id", "goal")
	if err != nil {
		return err
	}
	if err := s.goals.Delete(c.Request().Context(), principalOf(c).User.ID, id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
