package api

import (
	"encoding/hex"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/studysprint/studysprint/internal/apperr"
	"github.com/studysprint/studysprint/internal/koreader/importer"
)

// importRoute is exempt from the JSON body limit: it has its own, the
// importer's MaxFileBytes.
const importRoute = "/api/v1/imports/koreader"

type importBookResponse struct {
	BookID           int64      `json:"book_id"`
	Title            string     `json:"title"`
	Authors          string     `json:"authors"`
	MD5              *string    `json:"md5"`
	Pages            int        `json:"pages"`
	Status           string     `json:"status"`
	PDFID            *uuid.UUID `json:"pdf_id"`
	MatchedBy        *string    `json:"matched_by"`
	UnmatchedReason  *string    `json:"unmatched_reason"`
	Visits           int        `json:"visits"`
	SessionsImported int        `json:"sessions_imported"`
	SessionsExtended int        `json:"sessions_extended"`
	VisitsImported   int        `json:"visits_imported"`
	VisitsDuplicate  int        `json:"visits_duplicate"`
	VisitsRejected   int        `json:"visits_rejected"`
	PagesMapped      int        `json:"pages_mapped"`
}

type importTotalsResponse struct {
	Books            int `json:"books"`
	BooksMatched     int `json:"books_matched"`
	SessionsImported int `json:"sessions_imported"`
	SessionsExtended int `json:"sessions_extended"`
	VisitsImported   int `json:"visits_imported"`
	VisitsDuplicate  int `json:"visits_duplicate"`
	VisitsRejected   int `json:"visits_rejected"`
	VisitsSkipped    int `json:"visits_skipped"`
	PagesMapped      int `json:"pages_mapped"`
}

type importResponse struct {
	ID         *uuid.UUID           `json:"id"`
	Source     string               `json:"source"`
	Status     string               `json:"status"`
	DryRun     bool                 `json:"dry_run"`
	Filename   string               `json:"filename"`
	SizeBytes  int64                `json:"size_bytes"`
	SHA256     string               `json:"sha256"`
	StartedAt  time.Time            `json:"started_at"`
	FinishedAt time.Time            `json:"finished_at"`
	Totals     importTotalsResponse `json:"totals"`
	Skipped    map[string]int       `json:"skipped"`
	Books      []importBookResponse `json:"books"`
}

func optionalString[T ~string](v T) *string {
	if v == "" {
		return nil
	}
	s := string(v)
	return &s
}

func toImportResponse(sum importer.Summary) importResponse {
	t := sum.Totals
	out := importResponse{
		Source: string(sum.Source), Status: string(sum.Status), DryRun: sum.DryRun, Filename: sum.Filename,
		SizeBytes: sum.SizeBytes, SHA256: hex.EncodeToString(sum.SHA256), StartedAt: utc(sum.StartedAt), FinishedAt: utc(sum.FinishedAt),
		Totals: importTotalsResponse{
			Books: t.Books, BooksMatched: t.BooksMatched, SessionsImported: t.SessionsImported, SessionsExtended: t.SessionsExtended,
			VisitsImported: t.VisitsImported, VisitsDuplicate: t.VisitsDuplicate, VisitsRejected: t.VisitsRejected,
			VisitsSkipped: t.VisitsSkipped, PagesMapped: t.PagesMapped,
		},
		Skipped: make(map[string]int, len(sum.Skipped)),
		Books:   make([]importBookResponse, len(sum.Books)),
	}
	if sum.ID != uuid.Nil {
		id := sum.ID
		out.ID = &id
	}
	for r, n := range sum.Skipped {
		out.Skipped[string(r)] = n
	}
	for i, b := range sum.Books {
		out.Books[i] = importBookResponse{
			BookID: b.BookID, Title: b.Title, Authors: b.Authors, MD5: optionalString(b.MD5), Pages: b.Pages,
			Status: string(b.Status), PDFID: b.PDFID, MatchedBy: optionalString(b.MatchedBy), UnmatchedReason: optionalString(b.Reason),
			Visits: b.Visits, SessionsImported: b.SessionsImported, SessionsExtended: b.SessionsExtended,
			VisitsImported: b.VisitsImported, VisitsDuplicate: b.VisitsDuplicate, VisitsRejected: b.VisitsRejected, PagesMapped: b.PagesMapped,
		}
	}
	return out
}

// importKOReader takes a multipart form (file: KOReader's
// statistics.sqlite3, and an optional dry_run). The body arrives under the
// same upload slot, pace and spooling as a PDF upload, with the importer's
// own size limit; importer.Import does the rest. 201 with the import's
// summary, 200 for a dry run.
func (s *server) importKOReader(c echo.Context) error {
	limit := s.importer.Config().MaxFileBytes
	boundary, err := checkMultipart(c.Request(), limit)
	if err != nil {
		return err
	}
	userID := principalOf(c).User.ID
	release, err := s.library.BeginUpload(userID)
	if err != nil {
		return err
	}
	defer release()
	var file *importer.File
	defer func() { file.Remove() }()
	vals, err := s.readForm(c, boundary, limit, []string{"dry_run"}, func(p *multipart.Part) (err error) {
		file, err = s.importer.Spool(p, p.FileName())
		return err
	})
	if err != nil {
		return err
	}
	var dryRun bool
	if v, ok := vals["dry_run"]; ok {
		if dryRun, err = strconv.ParseBool(strings.TrimSpace(v)); err != nil {
			return apperr.Field("dry_run", "must be true or false")
		}
	}
	release() // the body is in; the import holds the user's import slot
	// A first import of a long history takes minutes (BENCHMARKS.md): the
	// answer may be written after HTTP_WRITE_TIMEOUT, up to importWriteWindow.
	_ = http.NewResponseController(c.Response()).SetWriteDeadline(time.Now().Add(importWriteWindow)) // not every writer has one (tests)
	sum, err := s.importer.Import(c.Request().Context(), userID, file, importer.Options{DryRun: dryRun})
	if err != nil {
		return err
	}
	status := http.StatusCreated
	if sum.DryRun {
		status = http.StatusOK
	}
	return c.JSON(status, toImportResponse(sum))
}

// importWriteWindow is how long after the upload an import's answer may
// still be written.
const importWriteWindow = 15 * time.Minute

// listImports: the user's imports with their summaries, newest first.
func (s *server) listImports(c echo.Context) error {
	pg, err := parsePage(c, "t")
	if err != nil {
		return err
	}
	rows, err := s.importer.List(c.Request().Context(), principalOf(c).User.ID, importer.ListInput{
		Limit: pg.fetch(), AfterStartedAt: pg.afterTime(), AfterID: pg.afterID(),
	})
	if err != nil {
		return err
	}
	rows, next := pageOf(pg, rows, func(r importer.Summary) cursor { return timeCursor(r.StartedAt, r.ID) })
	items := make([]importResponse, len(rows))
	for i, r := range rows {
		items[i] = toImportResponse(r)
	}
	return c.JSON(http.StatusOK, listResponse[importResponse]{Items: items, NextCursor: next})
}
