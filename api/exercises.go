package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/studysprint/studysprint/dbgen"
	"github.com/studysprint/studysprint/internal/apperr"
	"github.com/studysprint/studysprint/internal/library"
)

type exerciseResponse struct {
	ID                uuid.UUID  `json:"id"`
	PDFID             uuid.UUID  `json:"pdf_id"`
	PageStart         int32      `json:"page_start"`
	PageEnd           int32      `json:"page_end"`
	Title             string     `json:"title"`
	Description       string     `json:"description"`
	Difficulty        int16      `json:"difficulty"`
	Status            string     `json:"status"`
	Score             *int16     `json:"score"`
	CompletedAt       *time.Time `json:"completed_at"`
	ExercisePDFID     *uuid.UUID `json:"exercise_pdf_id"`
	ExercisePageStart *int32     `json:"exercise_page_start"`
	ExercisePageEnd   *int32     `json:"exercise_page_end"`
	TimeSpentSeconds  int64      `json:"time_spent_seconds"`
	CreatedAt         time.Time  `json:"created_at"`
	UpdatedAt         time.Time  `json:"updated_at"`
}

func toExerciseResponse(e dbgen.Exercise) exerciseResponse {
	return exerciseResponse{
		ID: e.ID, PDFID: e.PdfID, PageStart: e.PageStart, PageEnd: e.PageEnd, Title: e.Title, Description: e.Description,
		Difficulty: e.Difficulty, Status: e.Status, Score: e.Score, CompletedAt: utcPtr(e.CompletedAt),
		ExercisePDFID: e.ExercisePdfID, ExercisePageStart: e.ExercisePageStart, ExercisePageEnd: e.ExercisePageEnd,
		TimeSpentSeconds: e.TimeSpentSeconds, CreatedAt: utc(e.CreatedAt), UpdatedAt: utc(e.UpdatedAt),
	}
}

func toExerciseResponses(rows []dbgen.Exercise) []exerciseResponse {
	out := make([]exerciseResponse, len(rows))
	for i, e := range rows {
		out[i] = toExerciseResponse(e)
	}
	return out
}

type createExerciseRequest struct {
	Title             string     `json:"title"`
	Description       *string    `json:"description"`
	Difficulty        *int       `json:"difficulty"`
	PageStart         int        `json:"page_start"`
	PageEnd           *int       `json:"page_end"`
	ExercisePDFID     *uuid.UUID `json:"exercise_pdf_id"`
	ExercisePageStart *int       `json:"exercise_page_start"`
	ExercisePageEnd   *int       `json:"exercise_page_end"`
}

// createExercise attaches an exercise to pages of a study PDF; the questions
// may sit in a PDF of kind exercise.
func (s *server) createExercise(c echo.Context) error {
	var req createExerciseRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	pdfID, err := pathUUID(c, "id", "PDF")
	if err != nil {
		return err
	}
	ex, err := s.library.CreateExercise(c.Request().Context(), principalOf(c).User.ID, pdfID, library.ExerciseInput{
		Title: req.Title, Description: req.Description, Difficulty: req.Difficulty, PageStart: req.PageStart, PageEnd: req.PageEnd,
		ExercisePDFID: req.ExercisePDFID, ExercisePageStart: req.ExercisePageStart, ExercisePageEnd: req.ExercisePageEnd,
	})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, toExerciseResponse(ex))
}

// listPDFExercises answers a study PDF's exercises in page order (?status=).
func (s *server) listPDFExercises(c echo.Context) error {
	pg, err := parsePage(c, "nt")
	if err != nil {
		return err
	}
	status, err := statusFilter(c)
	if err != nil {
		return err
	}
	pdf, err := s.loadPDF(c)
	if err != nil {
		return err
	}
	rows, err := s.q.ListPDFExercises(c.Request().Context(), dbgen.ListPDFExercisesParams{
		UserID: principalOf(c).User.ID, PdfID: pdf.Pdf.ID, Status: status, RowLimit: pg.fetch(),
		AfterPage: pg.afterInt32(), AfterCreatedAt: pg.afterTime(), AfterID: pg.afterID(),
	})
	if err != nil {
		return err
	}
	rows, next := pageOf(pg, rows, func(e dbgen.Exercise) cursor {
		n := int64(e.PageStart)
		return cursor{N: &n, T: &e.CreatedAt, ID: e.ID}
	})
	return c.JSON(http.StatusOK, listResponse[exerciseResponse]{Items: toExerciseResponses(rows), NextCursor: next})
}

// listPageExercises answers what to practise around page n of a study PDF:
// the exercises whose range covers it.
func (s *server) listPageExercises(c echo.Context) error {
	pdf, err := s.loadPDF(c)
	if err != nil {
		return err
	}
	n, err := strconv.Atoi(c.Param("n"))
	if err != nil {
		n = 0
	}
	if err := library.PageOf(n, pdf.Pdf.PageCount); err != nil {
		return apperr.Field("n", err.Error())
	}
	rows, err := s.q.ListPageExercises(c.Request().Context(), dbgen.ListPageExercisesParams{
		UserID: principalOf(c).User.ID, PdfID: pdf.Pdf.ID, Page: int32(n),
	})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"page": n, "items": toExerciseResponses(rows)})
}

// listExercises answers exercises across all PDFs (?topic_id= covers the
// topic's subtree, ?status=), newest first.
func (s *server) listExercises(c echo.Context) error {
	pg, err := parsePage(c, "t")
	if err != nil {
		return err
	}
	status, err := statusFilter(c)
	if err != nil {
		return err
	}
	params := dbgen.ListExercisesParams{UserID: principalOf(c).User.ID, Status: status, RowLimit: pg.fetch(), AfterCreatedAt: pg.afterTime(), AfterID: pg.afterID()}
	if params.TopicID, err = queryUUID(c, "topic_id", "a topic"); err != nil {
		return err
	}
	rows, err := s.q.ListExercises(c.Request().Context(), params)
	if err != nil {
		return err
	}
	rows, next := pageOf(pg, rows, func(e dbgen.Exercise) cursor { return timeCursor(e.CreatedAt, e.ID) })
	return c.JSON(http.StatusOK, listResponse[exerciseResponse]{Items: toExerciseResponses(rows), NextCursor: next})
}

func statusFilter(c echo.Context) (*string, error) {
	v := c.QueryParam("status")
	if v == "" {
		return nil, nil
	}
	if !library.ExerciseStatus(v).Valid() {
		return nil, apperr.Fields{"status": "must be todo, in_progress or done"}.Err()
	}
	return &v, nil
}

func (s *server) loadExercise(c echo.Context) (dbgen.Exercise, error) {
	id, err := pathUUID(c, "id", "exercise")
	if err != nil {
		return dbgen.Exercise{}, err
	}
	return s.library.GetExercise(c.Request().Context(), nil, principalOf(c).User.ID, id)
}

func (s *server) getExercise(c echo.Context) error {
	ex, err := s.loadExercise(c)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toExerciseResponse(ex))
}

type updateExerciseRequest struct {
	Title             *string             `json:"title"`
	Description       *string             `json:"description"`
	Difficulty        *int                `json:"difficulty"`
	PageStart         *int                `json:"page_start"`
	PageEnd           *int                `json:"page_end"`
	Status            *string             `json:"status"`
	ExercisePDFID     optional[uuid.UUID] `json:"exercise_pdf_id"`
	ExercisePageStart *int                `json:"exercise_page_start"`
	ExercisePageEnd   *int                `json:"exercise_page_end"`
}

// updateExercise changes the fields sent. status moves between todo and
// in_progress (done goes through /complete); exercise_pdf_id null unlinks.
func (s *server) updateExercise(c echo.Context) error {
	var req updateExerciseRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	id, err := pathUUID(c, "id", "exercise")
	if err != nil {
		return err
	}
	ex, err := s.library.UpdateExercise(c.Request().Context(), principalOf(c).User.ID, id, library.ExerciseChange{
		Title: req.Title, Description: req.Description, Difficulty: req.Difficulty, PageStart: req.PageStart, PageEnd: req.PageEnd,
		Status: req.Status, ExercisePDFSet: req.ExercisePDFID.Set, ExercisePDFID: req.ExercisePDFID.Value,
		ExercisePageStart: req.ExercisePageStart, ExercisePageEnd: req.ExercisePageEnd,
	})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toExerciseResponse(ex))
}

type completeExerciseRequest struct {
	Score *int `json:"score"`
}

// completeExercise marks the exercise done now, with an optional score.
func (s *server) completeExercise(c echo.Context) error {
	var req completeExerciseRequest
	if c.Request().ContentLength != 0 {
		if err := bindJSON(c, &req); err != nil {
			return err
		}
	}
	id, err := pathUUID(c, "id", "exercise")
	if err != nil {
		return err
	}
	ex, err := s.library.CompleteExercise(c.Request().Context(), principalOf(c).User.ID, id, req.Score)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toExerciseResponse(ex))
}

// reopenExercise puts a done exercise back to todo, clearing score and time.
func (s *server) reopenExercise(c echo.Context) error {
	id, err := pathUUID(c, "id", "exercise")
	if err != nil {
		return err
	}
	ex, err := s.library.ReopenExercise(c.Request().Context(), principalOf(c).User.ID, id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toExerciseResponse(ex))
}

func (s *server) deleteExercise(c echo.Context) error {
	id, err := pathUUID(c, "id", "exercise")
	if err != nil {
		return err
	}
	n, err := s.q.DeleteExercise(c.Request().Context(), dbgen.DeleteExerciseParams{ID: id, UserID: principalOf(c).User.ID})
	if err != nil {
		return err
	}
	if n == 0 {
		return errNotFound("exercise")
	}
	return c.NoContent(http.StatusNoContent)
}
