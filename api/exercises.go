package api

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/labstack/echo/v4"

	"github.com/studysprint/studysprint/dbgen"
	"github.com/studysprint/studysprint/internal/apperr"
	"github.com/studysprint/studysprint/internal/database"
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
	CreatedAt         time.Time  `json:"created_at"`
	UpdatedAt         time.Time  `json:"updated_at"`
}

func toExerciseResponse(e dbgen.Exercise) exerciseResponse {
	return exerciseResponse{
		ID: e.ID, PDFID: e.PdfID, PageStart: e.PageStart, PageEnd: e.PageEnd, Title: e.Title, Description: e.Description,
		Difficulty: e.Difficulty, Status: e.Status, Score: e.Score, CompletedAt: utcPtr(e.CompletedAt),
		ExercisePDFID: e.ExercisePdfID, ExercisePageStart: e.ExercisePageStart, ExercisePageEnd: e.ExercisePageEnd,
		CreatedAt: utc(e.CreatedAt), UpdatedAt: utc(e.UpdatedAt),
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
	pdf, err := s.loadPDF(c)
	if err != nil {
		return err
	}
	if pdf.Pdf.Kind != "study" {
		return apperr.Fields{"pdf_id": "exercises attach to study PDFs; this one is an exercise PDF"}.Err()
	}
	params := dbgen.CreateExerciseParams{UserID: principalOf(c).User.ID, PdfID: pdf.Pdf.ID, Difficulty: 3}
	fe := apperr.Fields{}
	params.Title, err = library.NormalizeExerciseTitle(req.Title)
	fe.Check("title", err)
	if req.Description != nil {
		params.Description, err = library.NormalizeExerciseDescription(*req.Description)
		fe.Check("description", err)
	}
	if req.Difficulty != nil {
		fe.Check("difficulty", library.CheckDifficulty(*req.Difficulty))
		params.Difficulty = int16(*req.Difficulty)
	}
	end := req.PageStart
	if req.PageEnd != nil {
		end = *req.PageEnd
	}
	rangeErrors(fe, "page", library.PageRange{Start: req.PageStart, End: end}, int(pdf.Pdf.PageCount))
	params.PageStart, params.PageEnd = int32(req.PageStart), int32(end)
	link, err := s.exerciseLink(c.Request().Context(), s.q, params.UserID, fe, req.ExercisePDFID, req.ExercisePageStart, req.ExercisePageEnd)
	if err != nil {
		return err
	}
	params.ExercisePdfID, params.ExercisePageStart, params.ExercisePageEnd = link.pdfID, link.start, link.end
	if err := fe.Err(); err != nil {
		return err
	}
	params.Now = s.now()
	ex, err := s.q.CreateExercise(c.Request().Context(), params)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, toExerciseResponse(ex))
}

// rangeErrors adds the field errors of a page range as <prefix>_start and
// <prefix>_end.
func rangeErrors(fe apperr.Fields, prefix string, r library.PageRange, pageCount int) {
	for end, msg := range library.CheckRange(r, pageCount) {
		fe.Add(prefix+"_"+end, msg)
	}
}

type exerciseLinkValue struct {
	pdfID      *uuid.UUID
	start, end *int32
}

// exerciseLink validates the optional exercise PDF and its page range (which
// defaults to the whole PDF); errors go to fe.
func (s *server) exerciseLink(ctx context.Context, q *dbgen.Queries, userID uuid.UUID, fe apperr.Fields, pdfID *uuid.UUID, start, end *int) (exerciseLinkValue, error) {
	if pdfID == nil {
		if start != nil || end != nil {
			fe.Add("exercise_pdf_id", "is required with an exercise page range")
		}
		return exerciseLinkValue{}, nil
	}
	// Another user's PDF is as unknown as a made-up id.
	row, err := q.GetPDF(ctx, dbgen.GetPDFParams{ID: *pdfID, UserID: userID})
	if errors.Is(err, pgx.ErrNoRows) {
		fe.Add("exercise_pdf_id", "no such PDF")
		return exerciseLinkValue{}, nil
	}
	if err != nil {
		return exerciseLinkValue{}, err
	}
	if row.Pdf.Kind != "exercise" {
		fe.Add("exercise_pdf_id", "must be a PDF uploaded with kind exercise")
		return exerciseLinkValue{}, nil
	}
	r := library.PageRange{Start: 1, End: int(row.Pdf.PageCount)}
	if start != nil {
		r.Start = *start
		if end == nil {
			r.End = *start
		}
	}
	if end != nil {
		r.End = *end
	}
	rangeErrors(fe, "exercise_page", r, int(row.Pdf.PageCount))
	s32, e32 := int32(r.Start), int32(r.End)
	return exerciseLinkValue{pdfID: pdfID, start: &s32, end: &e32}, nil
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
	if err != nil || n < 1 || n > int(pdf.Pdf.PageCount) {
		return apperr.Fields{"n": "must be a page of the PDF, 1 to " + strconv.Itoa(int(pdf.Pdf.PageCount))}.Err()
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
	if v := c.QueryParam("topic_id"); v != "" {
		id, err := uuid.Parse(v)
		if err != nil {
			return apperr.Fields{"topic_id": "must be a topic id"}.Err()
		}
		params.TopicID = &id
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
	if !containsString(library.ExerciseStatuses, v) {
		return nil, apperr.Fields{"status": "must be todo, in_progress or done"}.Err()
	}
	return &v, nil
}

func (s *server) loadExercise(c echo.Context, q *dbgen.Queries) (dbgen.Exercise, error) {
	id, err := pathUUID(c, "id", "exercise")
	if err != nil {
		return dbgen.Exercise{}, err
	}
	ex, err := q.GetExercise(c.Request().Context(), dbgen.GetExerciseParams{ID: id, UserID: principalOf(c).User.ID})
	if errors.Is(err, pgx.ErrNoRows) {
		return ex, errNotFound("exercise")
	}
	return ex, err
}

func (s *server) getExercise(c echo.Context) error {
	ex, err := s.loadExercise(c, s.q)
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
	ctx := c.Request().Context()
	var ex dbgen.Exercise
	err := database.InTx(ctx, s.pool, func(q *dbgen.Queries) error {
		current, err := s.loadExercise(c, q)
		if err != nil {
			return err
		}
		pdf, err := q.GetPDF(ctx, dbgen.GetPDFParams{ID: current.PdfID, UserID: current.UserID})
		if err != nil {
			return err
		}
		params := dbgen.UpdateExerciseParams{ID: current.ID, UserID: current.UserID}
		fe := apperr.Fields{}
		if req.Title != nil {
			v, err := library.NormalizeExerciseTitle(*req.Title)
			fe.Check("title", err)
			params.Title = &v
		}
		if req.Description != nil {
			v, err := library.NormalizeExerciseDescription(*req.Description)
			fe.Check("description", err)
			params.Description = &v
		}
		if req.Difficulty != nil {
			fe.Check("difficulty", library.CheckDifficulty(*req.Difficulty))
			d := int16(*req.Difficulty)
			params.Difficulty = &d
		}
		if req.Status != nil {
			if current.Status == library.StatusDone && *req.Status != library.StatusDone {
				fe.Add("status", "the exercise is done; use /reopen first")
			} else {
				fe.Check("status", library.CheckPatchStatus(*req.Status))
			}
			params.Status = req.Status
		}
		if req.PageStart != nil || req.PageEnd != nil {
			r := library.PageRange{Start: int(current.PageStart), End: int(current.PageEnd)}
			if req.PageStart != nil {
				r.Start = *req.PageStart
			}
			if req.PageEnd != nil {
				r.End = *req.PageEnd
			}
			rangeErrors(fe, "page", r, int(pdf.Pdf.PageCount))
			ps, pe := int32(r.Start), int32(r.End)
			params.PageStart, params.PageEnd = &ps, &pe
		}
		switch {
		case req.ExercisePDFID.Set:
			link, err := s.exerciseLink(ctx, q, current.UserID, fe, req.ExercisePDFID.Value, req.ExercisePageStart, req.ExercisePageEnd)
			if err != nil {
				return err
			}
			params.SetExercisePdf = true
			params.ExercisePdfID, params.ExercisePageStart, params.ExercisePageEnd = link.pdfID, link.start, link.end
		case req.ExercisePageStart != nil || req.ExercisePageEnd != nil:
			if current.ExercisePdfID == nil {
				fe.Add("exercise_pdf_id", "is required with an exercise page range")
				break
			}
			start, end := req.ExercisePageStart, req.ExercisePageEnd
			if start == nil && current.ExercisePageStart != nil {
				v := int(*current.ExercisePageStart)
				start = &v
			}
			if end == nil && current.ExercisePageEnd != nil {
				v := int(*current.ExercisePageEnd)
				end = &v
			}
			link, err := s.exerciseLink(ctx, q, current.UserID, fe, current.ExercisePdfID, start, end)
			if err != nil {
				return err
			}
			params.SetExercisePdf = true
			params.ExercisePdfID, params.ExercisePageStart, params.ExercisePageEnd = link.pdfID, link.start, link.end
		}
		if err := fe.Err(); err != nil {
			return err
		}
		params.Now = s.now()
		ex, err = q.UpdateExercise(ctx, params)
		return err
	})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toExerciseResponse(ex))
}

type completeExerciseRequest struct {
	Score *int `json:"score"`
}

// completeExercise marks the exercise done now, with an optional score
// (completing again updates the score and the time).
func (s *server) completeExercise(c echo.Context) error {
	var req completeExerciseRequest
	if c.Request().ContentLength != 0 {
		if err := bindJSON(c, &req); err != nil {
			return err
		}
	}
	if req.Score != nil {
		if err := library.CheckScore(*req.Score); err != nil {
			return apperr.Fields{"score": err.Error()}.Err()
		}
	}
	current, err := s.loadExercise(c, s.q)
	if err != nil {
		return err
	}
	now := s.now()
	var score *int16
	if req.Score != nil {
		v := int16(*req.Score)
		score = &v
	}
	ex, err := s.q.SetExerciseStatus(c.Request().Context(), dbgen.SetExerciseStatusParams{
		ID: current.ID, UserID: current.UserID, Status: library.StatusDone, Score: score, CompletedAt: &now, Now: now,
	})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toExerciseResponse(ex))
}

// reopenExercise puts a done exercise back to todo, clearing score and time.
func (s *server) reopenExercise(c echo.Context) error {
	current, err := s.loadExercise(c, s.q)
	if err != nil {
		return err
	}
	if err := library.CheckReopen(current.Status); err != nil {
		return errConflict("exercise_not_done", "only a done exercise can be reopened")
	}
	ex, err := s.q.SetExerciseStatus(c.Request().Context(), dbgen.SetExerciseStatusParams{
		ID: current.ID, UserID: current.UserID, Status: library.StatusTodo, Now: s.now(),
	})
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
