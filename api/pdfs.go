package api

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/labstack/echo/v4"

	"github.com/studysprint/studysprint/dbgen"
	"github.com/studysprint/studysprint/internal/apperr"
	"github.com/studysprint/studysprint/internal/database"
	"github.com/studysprint/studysprint/internal/library"
	"github.com/studysprint/studysprint/internal/pdfinfo"
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

// pdfStats are the computed parts of a PDF answer (reading and exercises).
type pdfStats struct {
	PagesRead     int32
	StudySeconds  int64
	LastStudiedAt *time.Time
	ExerciseCount int32
	ExercisesDone int32
}

func toPDFResponse(p dbgen.Pdf, st pdfStats) pdfResponse {
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

func getPDFStats(r dbgen.GetPDFRow) pdfStats {
	return pdfStats{r.PagesRead, r.StudySeconds, r.LastStudiedAt, r.ExerciseCount, r.ExercisesDone}
}

// pdfKinds are the kinds a PDF can have.
var pdfKinds = []string{"study", "exercise"}

// uploadRoute is exempt from the JSON body limit: it has its own, MaxUploadBytes.
const uploadRoute = "/api/v1/pdfs"

// spooled is an uploaded file written to a temporary file while hashed.
type spooled struct {
	path     string
	size     int64
	sha256   []byte
	filename string
}

// uploadPDF takes a multipart form (file, and optional title, topic_id,
// kind). The file streams to a temporary file while it is hashed, never held
// in memory; it must be a PDF that a bounded child process can read; then it
// moves into the blob store and its row is written.
func (s *server) uploadPDF(c echo.Context) error {
	req := c.Request()
	mt, params, err := mime.ParseMediaType(req.Header.Get(echo.HeaderContentType))
	if err != nil || mt != echo.MIMEMultipartForm || params["boundary"] == "" {
		return newError(http.StatusUnsupportedMediaType, "unsupported_media_type", "Content-Type must be multipart/form-data with a file part")
	}
	if req.ContentLength > s.cfg.MaxUploadBytes+uploadFormOverhead {
		return errTooLarge(s.cfg.MaxUploadBytes)
	}
	// Large uploads take longer than the server's default read timeout.
	_ = http.NewResponseController(c.Response()).SetReadDeadline(time.Now().Add(s.cfg.UploadTimeout))
	req.Body = http.MaxBytesReader(c.Response(), req.Body, s.cfg.MaxUploadBytes+uploadFormOverhead)

	ctx := req.Context()
	p := principalOf(c)
	fields := map[string]string{}
	var file *spooled
	defer func() {
		if file != nil {
			os.Remove(file.path)
		}
	}()
	mr := multipart.NewReader(req.Body, params["boundary"])
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return uploadReadError(err, s.cfg.MaxUploadBytes)
		}
		name := part.FormName()
		switch name {
		case "file":
			if file != nil {
				return errBadRequest("multiple_files", "send one file per upload")
			}
			if file, err = s.spool(part); err != nil {
				return err
			}
		case "title", "topic_id", "kind":
			if _, dup := fields[name]; dup {
				return errBadRequest("duplicate_field", fmt.Sprintf("field %q appears more than once", name))
			}
			b, err := io.ReadAll(io.LimitReader(part, 4097))
			if err != nil {
				return uploadReadError(err, s.cfg.MaxUploadBytes)
			}
			if len(b) > 4096 {
				return apperr.Fields{name: "is too long"}.Err()
			}
			fields[name] = string(b)
		default:
			e := errBadRequest("unknown_field", fmt.Sprintf("unknown form field %q", name))
			e.Fields = map[string]string{name: "is not a known field"}
			return e
		}
		part.Close()
	}

	fe := apperr.Fields{}
	if file == nil {
		fe.Add("file", "is required")
	}
	kind := "study"
	if v, ok := fields["kind"]; ok {
		kind = strings.TrimSpace(v)
		if !containsString(pdfKinds, kind) {
			fe.Add("kind", "must be study or exercise")
		}
	}
	var topicID *uuid.UUID
	if v, ok := fields["topic_id"]; ok && strings.TrimSpace(v) != "" {
		id, err := uuid.Parse(strings.TrimSpace(v))
		if err != nil {
			fe.Add("topic_id", "must be a topic id")
		} else {
			topicID = &id
		}
	}
	title := ""
	if v, ok := fields["title"]; ok && strings.TrimSpace(v) != "" {
		t, err := library.NormalizeTitle(v)
		fe.Check("title", err)
		title = t
	}
	if err := fe.Err(); err != nil {
		return err
	}
	if topicID != nil {
		if _, err := s.q.GetTopic(ctx, dbgen.GetTopicParams{ID: *topicID, UserID: p.User.ID}); errors.Is(err, pgx.ErrNoRows) {
			return apperr.Fields{"topic_id": "no such topic"}.Err()
		} else if err != nil {
			return err
		}
	}
	if file.size == 0 {
		return invalidPDF("the file is empty")
	}
	if existing, err := s.q.GetPDFIDBySHA256(ctx, dbgen.GetPDFIDBySHA256Params{UserID: p.User.ID, Sha256: file.sha256}); err == nil {
		return duplicatePDF(existing)
	} else if !errors.Is(err, pgx.ErrNoRows) {
		return err
	}

	info, err := s.inspectPDF(c, file.path)
	if err != nil {
		return err
	}
	id := uuid.New()
	key := pdfStorageKey(p.User.ID, id)
	if err := s.store.PutFile(ctx, key, file.path); err != nil {
		return fmt.Errorf("store upload: %w", err)
	}
	var row dbgen.Pdf
	err = database.InTx(ctx, s.pool, func(q *dbgen.Queries) error {
		now := s.now()
		var err error
		row, err = q.CreatePDF(ctx, dbgen.CreatePDFParams{
			ID: id, UserID: p.User.ID, TopicID: topicID, Kind: kind,
			Title:  library.DefaultTitle(title, info.Title, file.filename),
			Author: info.Author, OriginalFilename: library.CleanFilename(file.filename),
			PageCount: int32(info.Pages), SizeBytes: file.size, Sha256: file.sha256, StorageKey: key, Now: now,
		})
		if err != nil {
			return err
		}
		// Text extraction runs in the background (internal/textindex).
		return q.CreateTextJob(ctx, dbgen.CreateTextJobParams{PdfID: id, UserID: p.User.ID, Now: now})
	})
	if err != nil {
		// The file has no row: remove it now (the sweeper would, later).
		s.removeFiles(c, []string{key})
		if pg := database.AsPgError(err); pg != nil && pg.ConstraintName == "pdfs_user_sha256_key" {
			if existing, lerr := s.q.GetPDFIDBySHA256(ctx, dbgen.GetPDFIDBySHA256Params{UserID: p.User.ID, Sha256: file.sha256}); lerr == nil {
				return duplicatePDF(existing)
			}
		}
		if pg := database.AsPgError(err); pg != nil && pg.ConstraintName == "pdfs_topic_fkey" {
			return apperr.Fields{"topic_id": "no such topic"}.Err()
		}
		return err
	}
	s.nudgeText()
	c.Response().Header().Set(echo.HeaderLocation, "/api/v1/pdfs/"+row.ID.String())
	return c.JSON(http.StatusCreated, toPDFResponse(row, pdfStats{}))
}

// uploadFormOverhead is room for the multipart framing and small fields.
const uploadFormOverhead = 64 << 10

func uploadReadError(err error, limit int64) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return errTooLarge(limit)
	}
	var he *echo.HTTPError
	if errors.As(err, &he) {
		return he
	}
	if e, ok := err.(*Error); ok {
		return e
	}
	return errBadRequest("malformed_multipart", "the multipart body could not be read")
}

// spool streams a file part to a temporary file, hashing it on the way.
func (s *server) spool(part *multipart.Part) (*spooled, error) {
	f, err := os.CreateTemp(s.cfg.UploadDir, "upload-*.pdf")
	if err != nil {
		return nil, fmt.Errorf("create upload file: %w", err)
	}
	out := &spooled{path: f.Name(), filename: part.FileName()}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(f, h), io.LimitReader(part, s.cfg.MaxUploadBytes+1))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil && n > s.cfg.MaxUploadBytes {
		err = &http.MaxBytesError{Limit: s.cfg.MaxUploadBytes}
	}
	if err != nil {
		os.Remove(out.path)
		return nil, uploadReadError(err, s.cfg.MaxUploadBytes)
	}
	out.size, out.sha256 = n, h.Sum(nil)
	return out, nil
}

// inspectPDF checks the magic bytes here and reads the document in a bounded
// child process; every way a file can fail is a 422 with its own code.
func (s *server) inspectPDF(c echo.Context, path string) (pdfinfo.Info, error) {
	f, err := os.Open(path)
	if err != nil {
		return pdfinfo.Info{}, err
	}
	ok := pdfinfo.HasHeader(f)
	f.Close()
	if !ok {
		return pdfinfo.Info{}, invalidPDF("the file does not start like a PDF (%PDF- header missing)")
	}
	// Waiting for a parse slot is bounded like waiting for bcrypt.
	waitCtx, cancel := context.WithTimeout(c.Request().Context(), 10*time.Second)
	defer cancel()
	info, usage, err := s.inspector.Inspect(waitCtx, path)
	switch {
	case err == nil:
		requestLogger(c).Debug("pdf parsed", "pages", info.Pages, "parse_ms", usage.Wall.Milliseconds(), "parser_max_rss_kb", usage.MaxRSSKB)
		return info, nil
	case errors.Is(err, pdfinfo.ErrBusy):
		return info, errUnavailable("server_busy", "too many PDFs are being read; retry shortly", 5, err)
	case errors.Is(err, pdfinfo.ErrEncrypted):
		return info, newError(http.StatusUnprocessableEntity, "encrypted_pdf", "the PDF is protected by a password; upload an unprotected copy")
	case errors.Is(err, pdfinfo.ErrTooHeavy):
		requestLogger(c).Warn("pdf parse over limits", "err", err)
		return info, newError(http.StatusUnprocessableEntity, "pdf_too_complex", "the PDF could not be read within the time and memory allowed")
	default:
		requestLogger(c).Info("pdf refused", "err", err)
		return info, invalidPDF("the file is not a readable PDF")
	}
}

func invalidPDF(message string) *Error {
	e := newError(http.StatusUnprocessableEntity, "invalid_pdf", message)
	e.Fields = map[string]string{"file": message}
	return e
}

func duplicatePDF(existing uuid.UUID) *Error {
	e := errConflict("duplicate_pdf", "this PDF is already in your library")
	e.Details = map[string]any{"existing_id": existing}
	e.Header = http.Header{echo.HeaderLocation: {"/api/v1/pdfs/" + existing.String()}}
	return e
}

func pdfStorageKey(userID, pdfID uuid.UUID) string {
	return "users/" + userID.String() + "/pdfs/" + pdfID.String() + ".pdf"
}

func userStoragePrefix(userID uuid.UUID) string { return "users/" + userID.String() + "/" }

// removeFiles deletes stored files after their rows are gone. A failure
// leaves an orphan that the sweeper removes; the request still succeeds.
func (s *server) removeFiles(c echo.Context, keys []string) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(c.Request().Context()), 30*time.Second)
	defer cancel()
	for _, k := range keys {
		if err := s.store.Delete(ctx, k); err != nil {
			requestLogger(c).Warn("delete stored file; the sweeper will retry", "key", k, "err", err)
		}
	}
}

func (s *server) loadPDF(c echo.Context) (dbgen.GetPDFRow, error) {
	id, err := pathUUID(c, "id", "PDF")
	if err != nil {
		return dbgen.GetPDFRow{}, err
	}
	row, err := s.q.GetPDF(c.Request().Context(), dbgen.GetPDFParams{ID: id, UserID: principalOf(c).User.ID})
	if errors.Is(err, pgx.ErrNoRows) {
		return row, errNotFound("PDF")
	}
	return row, err
}

func (s *server) getPDF(c echo.Context) error {
	row, err := s.loadPDF(c)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toPDFResponse(row.Pdf, getPDFStats(row)))
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
	if v := c.QueryParam("topic_id"); v != "" {
		id, err := uuid.Parse(v)
		if err != nil {
			fe.Add("topic_id", "must be a topic id")
		}
		params.TopicID = &id
	}
	if v := c.QueryParam("kind"); v != "" {
		if !containsString(pdfKinds, v) {
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
		items[i] = toPDFResponse(r.Pdf, pdfStats{r.PagesRead, r.StudySeconds, r.LastStudiedAt, r.ExerciseCount, r.ExercisesDone})
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
	current, err := s.loadPDF(c)
	if err != nil {
		return err
	}
	p := principalOf(c)
	ctx := c.Request().Context()
	params := dbgen.UpdatePDFParams{ID: current.Pdf.ID, UserID: p.User.ID, SetTopic: req.TopicID.Set, TopicID: req.TopicID.Value, Now: s.now()}
	fe := apperr.Fields{}
	if req.Title != nil {
		v, err := library.NormalizeTitle(*req.Title)
		fe.Check("title", err)
		params.Title = &v
	}
	if req.CurrentPage != nil {
		if *req.CurrentPage < 1 || *req.CurrentPage > current.Pdf.PageCount {
			fe.Add("current_page", fmt.Sprintf("must be between 1 and %d", current.Pdf.PageCount))
		}
		params.CurrentPage = req.CurrentPage
	}
	if req.TopicID.Value != nil {
		if _, err := s.q.GetTopic(ctx, dbgen.GetTopicParams{ID: *req.TopicID.Value, UserID: p.User.ID}); errors.Is(err, pgx.ErrNoRows) {
			fe.Add("topic_id", "no such topic")
		} else if err != nil {
			return err
		}
	}
	if err := fe.Err(); err != nil {
		return err
	}
	row, err := s.q.UpdatePDF(ctx, params)
	if errors.Is(err, pgx.ErrNoRows) {
		return errNotFound("PDF")
	}
	if pg := database.AsPgError(err); pg != nil && pg.ConstraintName == "pdfs_topic_fkey" {
		return apperr.Fields{"topic_id": "no such topic"}.Err()
	}
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toPDFResponse(row, getPDFStats(current)))
}

// deletePDF deletes the row (and its bookmarks and reading data), then the file.
func (s *server) deletePDF(c echo.Context) error {
	id, err := pathUUID(c, "id", "PDF")
	if err != nil {
		return err
	}
	key, err := s.q.DeletePDF(c.Request().Context(), dbgen.DeletePDFParams{ID: id, UserID: principalOf(c).User.ID})
	if errors.Is(err, pgx.ErrNoRows) {
		return errNotFound("PDF")
	}
	if err != nil {
		return err
	}
	s.removeFiles(c, []string{key})
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
	obj, err := s.store.Open(c.Request().Context(), row.Pdf.StorageKey)
	if err != nil {
		if errors.Is(err, storage.ErrNotFound) {
			return errInternal(fmt.Errorf("pdf %s has no stored file %s", row.Pdf.ID, row.Pdf.StorageKey))
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

func containsString(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
