package api

import (
	"net/http"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/studysprint/studysprint/internal/estimate"
	estimates "github.com/studysprint/studysprint/internal/estimate/store"
)

// estimateFigures are an estimate's numbers (whole seconds).
type estimateFigures struct {
	RemainingPages   int     `json:"remaining_pages"`
	SecondsPerPage   float64 `json:"seconds_per_page"`
	RemainingSeconds int64   `json:"remaining_seconds"`
	LowSeconds       int64   `json:"low_seconds"`
	HighSeconds      int64   `json:"high_seconds"`
	Confidence       string  `json:"confidence"`
	Basis            string  `json:"basis"`
}

func toEstimateFigures(e estimate.Estimate) estimateFigures {
	return estimateFigures{
		RemainingPages: e.RemainingPages, SecondsPerPage: e.SecondsPerPage,
		RemainingSeconds: int64(e.RemainingSeconds), LowSeconds: int64(e.LowSeconds), HighSeconds: int64(e.HighSeconds),
		Confidence: string(e.Confidence), Basis: string(e.Basis),
	}
}

// estimateResponse is a PDF's estimate with its projected finish.
type estimateResponse struct {
	estimateFigures
	ProjectedFinishDate   *string `json:"projected_finish_date"`
	ProjectedFinishReason *string `json:"projected_finish_reason"`
}

type estimatePartResponse struct {
	Kind  string    `json:"kind"`
	ID    uuid.UUID `json:"id"`
	PDFID uuid.UUID `json:"pdf_id"`
	Title string    `json:"title"`
	estimateFigures
}

// estimateWithPartsResponse is a topic's or the library's estimate.
type estimateWithPartsResponse struct {
	estimateResponse
	Parts []estimatePartResponse `json:"parts"`
}

func toEstimateResponse(a estimates.Answer) estimateResponse {
	out := estimateResponse{estimateFigures: toEstimateFigures(a.Estimate)}
	if a.Finish != nil {
		d := a.Finish.String()
		out.ProjectedFinishDate = &d
	} else {
		reason := a.FinishReason
		out.ProjectedFinishReason = &reason
	}
	return out
}

func toEstimateWithParts(a estimates.Answer) estimateWithPartsResponse {
	out := estimateWithPartsResponse{estimateResponse: toEstimateResponse(a), Parts: make([]estimatePartResponse, len(a.Parts))}
	for i, p := range a.Parts {
		out.Parts[i] = estimatePartResponse{Kind: string(p.Subject), ID: p.ID, PDFID: p.PDFID, Title: p.Title, estimateFigures: toEstimateFigures(p.Estimate)}
	}
	return out
}

// estimatePDF: how long the rest of a PDF will take.
func (s *server) estimatePDF(c echo.Context) error {
	id, err := pathUUID(c, "id", "PDF")
	if err != nil {
		return err
	}
	a, err := s.estimates.PDF(c.Request().Context(), principalOf(c).User.ID, id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toEstimateResponse(a))
}

// estimateTopic: a topic's PDFs and open exercises, subtopics included.
func (s *server) estimateTopic(c echo.Context) error {
	id, err := pathUUID(c, "id", "topic")
	if err != nil {
		return err
	}
	a, err := s.estimates.Topic(c.Request().Context(), principalOf(c).User.ID, id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toEstimateWithParts(a))
}

// estimateLibrary: everything not done.
func (s *server) estimateLibrary(c echo.Context) error {
	a, err := s.estimates.Library(c.Request().Context(), principalOf(c).User.ID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toEstimateWithParts(a))
}

type accuracyResponse struct {
	Count                      int64    `json:"count"`
	InProgress                 int64    `json:"in_progress"`
	MedianAbsoluteErrorPercent *float64 `json:"median_absolute_error_percent"`
	BiasPercent                *float64 `json:"bias_percent"`
	InsideIntervalPercent      *float64 `json:"inside_interval_percent"`
}

type accuracyTopicResponse struct {
	TopicID   *uuid.UUID `json:"topic_id"`
	TopicName *string    `json:"topic_name"`
	accuracyResponse
}

type accuracyReportResponse struct {
	Overall accuracyResponse        `json:"overall"`
	Topics  []accuracyTopicResponse `json:"topics"`
}

func toAccuracy(g estimates.AccuracyGroup) accuracyResponse {
	return accuracyResponse{Count: g.Measured, InProgress: g.Open, MedianAbsoluteErrorPercent: g.MedianAbsoluteErrorPercent,
		BiasPercent: g.BiasPercent, InsideIntervalPercent: g.InsideIntervalPercent}
}

// estimateAccuracy: how the estimates shown did against the actual times.
func (s *server) estimateAccuracy(c echo.Context) error {
	r, err := s.estimates.Accuracy(c.Request().Context(), principalOf(c).User.ID)
	if err != nil {
		return err
	}
	topics := make([]accuracyTopicResponse, len(r.Topics))
	for i, g := range r.Topics {
		topics[i] = accuracyTopicResponse{TopicID: g.TopicID, accuracyResponse: toAccuracy(g)}
		if g.TopicID != nil {
			name := g.TopicName
			topics[i].TopicName = &name
		}
	}
	return c.JSON(http.StatusOK, accuracyReportResponse{Overall: toAccuracy(r.Overall), Topics: topics})
}
