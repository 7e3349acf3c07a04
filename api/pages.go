package api

import (
	"context"
	"errors"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/labstack/echo/v4"

	"github.com/studysprint/studysprint/dbgen"
	"github.com/studysprint/studysprint/internal/apperr"
)

type pageResponse struct {
	Page        int32       `json:"page"`
	WordCount   *int32      `json:"word_count"`
	SecondsRead int32       `json:"seconds_read"`
	BookmarkIDs []uuid.UUID `json:"bookmark_ids"`
	ExerciseIDs []uuid.UUID `json:"exercise_ids"`
}

// pagesResponse is the list of pages with the PDF's text status (fields in
// the order a map would put them: the answer's bytes did not change when it
// stopped being one).
type pagesResponse struct {
	Items      []pageResponse `json:"items"`
	NextCursor *string        `json:"next_cursor"`
	TextStatus string         `json:"text_status"`
}

// listPDFPages answers each page of a PDF: its word count (null before
// extraction and for pages without text), reading time, and the bookmarks
// on it and exercises covering it. Cursor pagination by page number.
func (s *server) listPDFPages(c echo.Context) error {
	pg, err := parsePage(c, "n")
	if err != nil {
		return err
	}
	id, err := pathUUID(c, "id", "PDF")
	if err != nil {
		return err
	}
	userID := principalOf(c).User.ID
	return s.cachedJSON(c, func(ctx context.Context) (any, error) { return s.pdfPages(ctx, userID, id, pg) })
}

// pdfPages is one page of listPDFPages' answer, from the database.
func (s *server) pdfPages(ctx context.Context, userID, id uuid.UUID, pg page) (any, error) {
	pdf, err := s.q.GetPDFPaging(ctx, dbgen.GetPDFPagingParams{ID: id, UserID: userID})
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, apperr.NotFoundf("PDF")
	}
	if err != nil {
		return nil, err
	}
	from := int32(1)
	if pg.after != nil {
		if last := *pg.after.N; last < 1 || last >= int64(pdf.PageCount) || pg.after.ID != pdf.ID {
			e := errBadRequest("invalid_cursor", "the cursor is not one this list returned")
			e.Fields = map[string]string{"cursor": "is not valid"}
			return nil, e
		}
		from = int32(*pg.after.N) + 1
	}
	to := min(pdf.PageCount, from+int32(pg.limit)-1)
	items := []pageResponse{}
	if from <= pdf.PageCount {
		rows, err := s.q.ListPDFPages(ctx, dbgen.ListPDFPagesParams{
			PdfID: pdf.ID, UserID: userID, FromPage: from, ToPage: to,
		})
		if err != nil {
			return nil, err
		}
		items = make([]pageResponse, 0, len(rows))
		for _, r := range rows {
			items = append(items, pageResponse{Page: r.Page, WordCount: r.WordCount, SecondsRead: r.SecondsRead, BookmarkIDs: r.BookmarkIds, ExerciseIDs: r.ExerciseIds})
		}
	}
	var next *string
	if to < pdf.PageCount {
		n := int64(to)
		next = encodeCursor(cursor{N: &n, ID: pdf.ID})
	}
	return pagesResponse{Items: items, NextCursor: next, TextStatus: pdf.TextStatus}, nil
}
