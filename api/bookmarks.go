package api

import (
	"net/http"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/studysprint/studysprint/dbgen"
	"github.com/studysprint/studysprint/internal/library"
)

type bookmarkResponse struct {
	ID        uuid.UUID `json:"id"`
	PDFID     uuid.UUID `json:"pdf_id"`
	Page      int32     `json:"page"`
	Label     string    `json:"label"`
	Note      string    `json:"note"`
	CreatedAt time.Time `json:"created_at"`
}

func toBookmarkResponse(b dbgen.Bookmark) bookmarkResponse {
	return bookmarkResponse{ID: b.ID, PDFID: b.PdfID, Page: b.Page, Label: b.Label, Note: b.Note, CreatedAt: utc(b.CreatedAt)}
}

type createBookmarkRequest struct {
	Page  int32  `json:"page"`
	Label string `json:"label"`
	Note  string `json:"note"`
}

func (s *server) createBookmark(c echo.Context) error {
	var req createBookmarkRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	pdfID, err := pathUUID(c, "id", "PDF")
	if err != nil {
		return err
	}
	b, err := s.library.CreateBookmark(c.Request().Context(), principalOf(c).User.ID, pdfID, library.BookmarkInput{Page: req.Page, Label: req.Label, Note: req.Note})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, toBookmarkResponse(b))
}

// listBookmarks answers a PDF's bookmarks in page order.
func (s *server) listBookmarks(c echo.Context) error {
	pg, err := parsePage(c, "nt")
	if err != nil {
		return err
	}
	pdf, err := s.loadPDF(c)
	if err != nil {
		return err
	}
	rows, err := s.q.ListBookmarks(c.Request().Context(), dbgen.ListBookmarksParams{
		UserID: principalOf(c).User.ID, PdfID: pdf.Pdf.ID, RowLimit: pg.fetch(),
		AfterPage: pg.afterInt32(), AfterCreatedAt: pg.afterTime(), AfterID: pg.afterID(),
	})
	if err != nil {
		return err
	}
	rows, next := pageOf(pg, rows, func(b dbgen.Bookmark) cursor {
		n := int64(b.Page)
		return cursor{N: &n, T: &b.CreatedAt, ID: b.ID}
	})
	items := make([]bookmarkResponse, len(rows))
	for i, b := range rows {
		items[i] = toBookmarkResponse(b)
	}
	return c.JSON(http.StatusOK, listResponse[bookmarkResponse]{Items: items, NextCursor: next})
}

func (s *server) deleteBookmark(c echo.Context) error {
	id, err := pathUUID(c, "id", "bookmark")
	if err != nil {
		return err
	}
	n, err := s.q.DeleteBookmark(c.Request().Context(), dbgen.DeleteBookmarkParams{ID: id, UserID: principalOf(c).User.ID})
	if err != nil {
		return err
	}
	if n == 0 {
		return errNotFound("bookmark")
	}
	return c.NoContent(http.StatusNoContent)
}
