package api

import (
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/studysprint/studysprint/dbgen"
	"github.com/studysprint/studysprint/internal/apperr"
	"github.com/studysprint/studysprint/internal/library"
	"github.com/studysprint/studysprint/internal/storage"
)

type pdfResponse struct {
	ID               uuid.UUID  `json:"id"`
	TopicID          *uuid.UUID `json:"topic_id"`
	Kind             string     `json:"kind"`
	Title            string     `json:"title"`
	Author           string     `json:"author"`
	OriginalFilename string     `json:"original_filename"`
	PageCount        int32      `json:"page_count"`
	SizeBytes        int64      `json:"size_bytes"`
	SHA256           string     `json:"sha256"`
	CurrentPage      int32      `json:"current_page"`
	PagesRead        int32      `json:"pages_read"`
	ProgressPercent  float64    `json:"progress_percent"`
	StudySeconds     int64      `json:"study_seconds"`
	LastStudiedAt    *time.Time `json:"last_studied_at"`
	ExerciseCount    int32      `json:"exercise_count"`
	ExercisesDone    int32      `json:"exercises_done"`
	TextStatus       string     `json:"text_status"`
	TextError        *string    `json:"text_error"`
	WordCount        *int32     `json:"word_count"`
	CreatedAt        time.Time  `json:"created_at"`
	UpdatedAt        time.Time  `json:"updated_at"`
}

// toPDFResponse is a PDF with its statistics (zero for a new one).
func toPDFResponse(p dbgen.Pdf, st dbgen.PdfStat) pdfResponse {
	return pdfResponse{
		ID: p.ID, TopicID: p.TopicID, Kind: p.Kind, Title: p.Title, Author: p.Author, OriginalFilename: p.OriginalFilename,
		PageCount: p.PageCount, SizeBytes: p.SizeBytes, SHA256: hex.EncodeToString(p.Sha256), CurrentPage: p.CurrentPage,
		PagesRead: st.PagesRead, ProgressPercent: library.ProgressPercent(int64(st.PagesRead), int64(p.PageCount)),
		StudySeconds: st.StudySeconds, LastStudiedAt: utcPtr(st.LastStudiedAt),
		ExerciseCount: st.ExerciseCount, ExercisesDone: st.ExercisesDone,
		TextStatus: p.TextStatus, TextError: p.TextError, WordCount: p.WordCount,
		CreatedAt: utc(p.CreatedAt), UpdatedAt: utc(p.UpdatedAt),
	}
}

// uploadRoute is exempt from the JSON body limit: it has its own, MaxUploadBytes.
const uploadRoute = "/api/v1/pdfs"

// uploadPDF takes a multipart form (file, and optional title, topic_id,
// kind). It holds one of the user's upload slots while it runs; the body must
// keep arriving at UploadMinRate after UploadGrace (else 408); the file
// streams to a temporary file while hashed; library.AddPDF does the rest.
func (s *server) uploadPDF(c echo.Context) error {
	req := c.Request()
	boundary, err := checkMultipart(req, s.cfg.MaxUploadBytes)
	if err != nil {
		return err
	}
	userID := principalOf(c).User.ID
	release, err := s.library.BeginUpload(userID)
	if err != nil {
		return err
	}
	defer release()
	ctx := req.Context()
	if err := s.library.CheckQuota(ctx, userID, req.ContentLength-uploadFormOverhead); err != nil {
		return err
	}
	var file *library.Upload
	defer func() { file.Remove() }()
	vals, err := s.readForm(c, boundary, s.cfg.MaxUploadBytes, []string{"title", "topic_id", "kind"}, func(p *multipart.Part) (err error) {
		file, err = s.library.Spool(p, p.FileName())
		return err
	})
	if err != nil {
		return err
	}
	meta := library.PDFMeta{Title: formValue(vals, "title"), TopicID: formValue(vals, "topic_id"), Kind: formValue(vals, "kind")}
	row, err := s.library.AddPDF(ctx, userID, file, meta)
	if de, ok := apperr.As(err); ok && de.Code == library.CodeDuplicatePDF {
		c.Response().Header().Set(echo.HeaderLocation, fmt.Sprintf("/api/v1/pdfs/%v", de.Details["existing_id"]))
	}
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderLocation, "/api/v1/pdfs/"+row.ID.String())
	return c.JSON(http.StatusCreated, toPDFResponse(row, dbgen.PdfStat{}))
}

func (s *server) loadPDF(c echo.Context) (dbgen.GetPDFRow, error) {
	id, err := pathUUID(c, "id", "PDF")
	if err != nil {
		return dbgen.GetPDFRow{}, err
	}
	return s.library.GetPDF(c.Request().Context(), nil, principalOf(c).User.ID, id)
}

func (s *server) getPDF(c echo.Context) error {
	row, err := s.loadPDF(c)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toPDFResponse(row.Pdf, row.PdfStat))
}

// listPDFs: ?topic_id=, ?kind=, ?q= (title contains), newest first.
func (s *server) listPDFs(c echo.Context) error {
	pg, err := parsePage(c, "t")
	if err != nil {
		return err
	}
	p := principalOf(c)
	params := dbgen.ListPDFsParams{UserID: p.User.ID, RowLimit: pg.fetch(), AfterCreatedAt: pg.afterTime(), AfterID: pg.afterID()}
	fe := apperr.Fields{}
	topicID, err := queryUUID(c, "topic_id", "a topic")
	fe.Check("topic_id", err)
	params.TopicID = topicID
	if v := c.QueryParam("kind"); v != "" {
		if !library.PDFKind(v).Valid() {
			fe.Add("kind", "must be study or exercise")
		}
		params.Kind = &v
	}
	if q := strings.TrimSpace(c.QueryParam("q")); q != "" {
		if len(q) > 200 {
			fe.Add("q", "must be at most 200 characters")
		}
		like := library.LikePattern(q)
		params.TitleLike = &like
	}
	if err := fe.Err(); err != nil {
		return err
	}
	rows, err := s.q.ListPDFs(c.Request().Context(), params)
	if err != nil {
		return err
	}
	rows, next := pageOf(pg, rows, func(r dbgen.ListPDFsRow) cursor { return timeCursor(r.Pdf.CreatedAt, r.Pdf.ID) })
	items := make([]pdfResponse, len(rows))
	for i, r := range rows {
		items[i] = toPDFResponse(r.Pdf, r.PdfStat)
	}
	return c.JSON(http.StatusOK, listResponse[pdfResponse]{Items: items, NextCursor: next})
}

type updatePDFRequest struct {
	Title       *string             `json:"title"`
	TopicID     optional[uuid.UUID] `json:"topic_id"`
	CurrentPage *int32              `json:"current_page"`
}

// updatePDF changes the title, the topic (null: none) or the current page.
func (s *server) updatePDF(c echo.Context) error {
	var req updatePDFRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	id, err := pathUUID(c, "id", "PDF")
	if err != nil {
		return err
	}
	row, before, err := s.library.UpdatePDF(c.Request().Context(), principalOf(c).User.ID, id, library.PDFChange{
		Title: req.Title, TopicSet: req.TopicID.Set, TopicID: req.TopicID.Value, CurrentPage: req.CurrentPage,
	})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toPDFResponse(row, before.PdfStat))
}

// deletePDF deletes the row (and its bookmarks and reading data), then the file.
func (s *server) deletePDF(c echo.Context) error {
	id, err := pathUUID(c, "id", "PDF")
	if err != nil {
		return err
	}
	if err := s.library.DeletePDF(c.Request().Context(), principalOf(c).User.ID, id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// downloadPDF serves the file: Range (206), ETag from the SHA-256 with
// If-None-Match (304), attachment unless ?inline=1, never sniffed.
func (s *server) downloadPDF(c echo.Context) error {
	row, err := s.loadPDF(c)
	if err != nil {
		return err
	}
	inline, err := boolQuery(c, "inline")
	if err != nil {
		return err
	}
	if unservableRange(c.Request().Header.Get("Range")) {
		e := newError(http.StatusRequestedRangeNotSatisfiable, "range_not_satisfiable",
			fmt.Sprintf("send at most %d ranges, none of them empty", maxRanges))
		e.Header = http.Header{"Content-Range": {fmt.Sprintf("bytes */%d", row.Pdf.SizeBytes)}}
		return e
	}
	obj, err := s.store.Open(c.Request().Context(), row.Pdf.StorageKey)
	if err != nil {
		if errors.Is(err, storage.ErrNotFound) {
			// The PDF exists but its file does not: seeded history (see
			// internal/seed) or a file lost from the store, which is logged.
			requestLogger(c).Warn("pdf has no stored file", "pdf_id", row.Pdf.ID, "storage_key", row.Pdf.StorageKey)
			return newError(http.StatusNotFound, "file_missing", "this PDF's file is not in the store")
		}
		return err
	}
	defer obj.Close()
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, "application/pdf")
	h.Set("ETag", `"`+hex.EncodeToString(row.Pdf.Sha256)+`"`)
	h.Set("Cache-Control", "private, no-cache")
	h.Del("Content-Security-Policy") // let the browser's PDF viewer render it
	disposition := "attachment"
	if inline {
		disposition = "inline"
	}
	// FormatMediaType writes non-ASCII names as RFC 2231 filename*=utf-8''...
	if cd := mime.FormatMediaType(disposition, map[string]string{"filename": library.DownloadFilename(row.Pdf.Title)}); cd != "" {
		h.Set(echo.HeaderContentDisposition, cd)
	} else {
		h.Set(echo.HeaderContentDisposition, disposition)
	}
	w := &errorShapingWriter{ResponseWriter: c.Response(), c: c}
	http.ServeContent(w, c.Request(), "", row.Pdf.CreatedAt, obj)
	return nil
}

// maxRanges is how many ranges one request may ask for: a PDF viewer asks
// for one or a few; a thousand tiny ranges is a way to make the server
// write a thousand multipart headers.
const maxRanges = 16

// unservableRange reports a Range header that http.ServeContent would answer
// badly: a zero-length suffix (bytes=-0, which it serves as a 206 with an
// invalid Content-Range) or more than maxRanges ranges.
func unservableRange(h string) bool {
	spec, ok := strings.CutPrefix(strings.TrimSpace(h), "bytes=")
	if !ok {
		return false
	}
	parts := strings.Split(spec, ",")
	if len(parts) > maxRanges {
		return true
	}
	for _, p := range parts {
		if start, end, found := strings.Cut(strings.TrimSpace(p), "-"); found && strings.TrimSpace(start) == "" {
			if n, err := strconv.ParseInt(strings.TrimSpace(end), 10, 64); err == nil && n == 0 {
				return true
			}
		}
	}
	return false
}

// errorShapingWriter turns the plain-text errors of http.ServeContent (416
// for an unsatisfiable range, say) into the API's error shape.
type errorShapingWriter struct {
	http.ResponseWriter
	c       echo.Context
	swallow bool
}

func (w *errorShapingWriter) WriteHeader(status int) {
	if status < 400 {
		w.ResponseWriter.WriteHeader(status)
		return
	}
	w.swallow = true
	code := map[int]string{http.StatusRequestedRangeNotSatisfiable: "range_not_satisfiable", http.StatusPreconditionFailed: "precondition_failed"}[status]
	if code == "" {
		code = "file_error"
	}
	body := fmt.Sprintf(`{"error":{"code":%q,"message":%q,"request_id":%q}}`, code, strings.ToLower(http.StatusText(status)), requestID(w.c))
	h := w.ResponseWriter.Header()
	h.Set(echo.HeaderContentType, echo.MIMEApplicationJSON)
	h.Set(echo.HeaderContentLength, strconv.Itoa(len(body)))
	h.Del(echo.HeaderContentDisposition)
	w.ResponseWriter.WriteHeader(status)
	_, _ = io.WriteString(w.ResponseWriter, body)
}

func (w *errorShapingWriter) Write(b []byte) (int, error) {
	if w.swallow {
		return len(b), nil
	}
	return w.ResponseWriter.Write(b)
}

func (w *errorShapingWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
