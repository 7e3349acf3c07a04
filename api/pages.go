package api

import (
	"net/http"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/studysprint/studysprint/dbgen"
)

type pageResponse struct {
	Page        int32       `json:"page"`
	WordCount   *int32      `json:"word_count"`
	SecondsRead int32       `json:"seconds_read"`
	BookmarkIDs []uuid.UUID `json:"bookmark_ids"`
	ExerciseIDs []uuid.UUID `json:"exercise_ids"`
}

// listPDFPages answers each page of a PDF: its word count (null before
// extraction and for pages without text), reading time, and the bookmarks
// on it and exercises covering it. Cursor pagination by page number.
func (s *server) listPDFPages(c echo.Context) error {
	pg, err := parsePage(c, "n")
	if err != nil {
		return err
	}
	pdf, err := s.loadPDF(c)
	if err != nil {
		return err
	}
	from := int32(1)
	if pg.after != nil {
		if last := *pg.after.N; last < 1 || last >= int64(pdf.Pdf.PageCount) || pg.after.ID != pdf.Pdf.ID {
			e := errBadRequest("invalid_cursor", "the cursor is not one this list returned")
			e.Fields = map[string]string{"cursor": "is not valid"}
			return e
		}
		from = int32(*pg.after.N) + 1
	}
	to := min(pdf.Pdf.PageCount, from+int32(pg.limit)-1)
	items := []pageResponse{}
	if from <= pdf.Pdf.PageCount {
		rows, err := s.q.ListPDFPages(c.Request().Context(), dbgen.ListPDFPagesParams{
			PdfID: pdf.Pdf.ID, UserID: pdf.Pdf.UserID, FromPage: from, ToPage: to,
		})
		if err != nil {
			return err
		}
		for _, r := range rows {
			items = append(items, pageResponse{Page: r.Page, WordCount: r.WordCount, SecondsRead: r.SecondsRead, BookmarkIDs: r.BookmarkIds, ExerciseIDs: r.ExerciseIds})
		}
	}
	var next *string
	if to < pdf.Pdf.PageCount {
		n := int64(to)
		next = encodeCursor(cursor{N: &n, ID: pdf.Pdf.ID})
	}
	return c.JSON(http.StatusOK, map[string]any{"text_status": pdf.Pdf.TextStatus, "items": items, "next_cursor": next})
}
