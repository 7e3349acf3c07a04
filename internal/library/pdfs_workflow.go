package library

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/studysprint/studysprint/dbgen"
	"github.com/studysprint/studysprint/internal/apperr"
	"github.com/studysprint/studysprint/internal/database"
	"github.com/studysprint/studysprint/internal/koreader"
	"github.com/studysprint/studysprint/internal/pdfinfo"
	"github.com/studysprint/studysprint/internal/safetext"
)

// PDFKind is what a PDF is for (pdfs_kind_check).
type PDFKind string

// PDF kinds.
const (
	KindStudy    PDFKind = "study"
	KindExercise PDFKind = "exercise"
)

// PDFKinds lists every kind; a test keeps it equal to the CHECK constraint.
var PDFKinds = []PDFKind{KindStudy, KindExercise}

// Valid reports whether k is a kind.
func (k PDFKind) Valid() bool { return k == KindStudy || k == KindExercise }

// BeginUpload takes one of the upload slots (UploadsPerUser for the user,
// Uploads in all) for the duration of an upload; release gives it back. A
// user over their share is told to slow down (429), everyone over the total
// is told the server is busy (503).
func (s *Service) BeginUpload(userID uuid.UUID) (release func(), err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.byUser[userID] >= s.cfg.UploadsPerUser:
		return nil, apperr.Retry(apperr.TooMany, "too_many_uploads",
			fmt.Sprintf("at most %d uploads at a time per account; wait for one to finish", s.cfg.UploadsPerUser), 5*time.Second)
	case s.uploads >= s.cfg.Uploads:
		return nil, apperr.Retry(apperr.Unavailable, "server_busy", "too many uploads in progress; retry shortly", 5*time.Second)
	}
	s.byUser[userID]++
	s.uploads++
	var once bool
	return func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		if once {
			return
		}
		once = true
		s.uploads--
		if s.byUser[userID]--; s.byUser[userID] <= 0 {
			delete(s.byUser, userID)
		}
	}, nil
}

// CheckQuota refuses early an upload of size bytes (when known) that cannot
// fit the user's storage quota.
func (s *Service) CheckQuota(ctx context.Context, userID uuid.UUID, size int64) error {
	if s.cfg.StorageQuota <= 0 || size <= 0 {
		return nil
	}
	used, err := s.q.SumUserStorage(ctx, userID)
	if err != nil {
		return err
	}
	return s.quotaError(used, size)
}

func (s *Service) quotaError(used, size int64) error {
	if s.cfg.StorageQuota <= 0 || used+size <= s.cfg.StorageQuota {
		return nil
	}
	e := apperr.New(apperr.TooLarge, "quota_exceeded",
		fmt.Sprintf("this upload would pass your storage quota of %d bytes (%d used)", s.cfg.StorageQuota, used))
	e.Details = map[string]any{"quota_bytes": s.cfg.StorageQuota, "used_bytes": used}
	return e
}

// Upload is a file received and written to a temporary file while it was
// hashed (never held in memory). Remove it when done.
type Upload struct {
	Path     string
	Size     int64
	SHA256   []byte
	Filename string
}

// Remove deletes the temporary file (a stored upload has been moved away).
func (u *Upload) Remove() {
	if u != nil {
		os.Remove(u.Path)
	}
}

// ErrFileTooLarge is an upload over MaxUploadBytes.
func (s *Service) errFileTooLarge() error {
	return apperr.New(apperr.TooLarge, "body_too_large", fmt.Sprintf("the file exceeds the limit of %d bytes", s.cfg.MaxUploadBytes))
}

// Spool streams r to a temporary file, hashing it on the way. A read error
// of r is returned as it is (the caller knows what its reader does).
func (s *Service) Spool(r io.Reader, filename string) (*Upload, error) {
	f, err := os.CreateTemp(s.cfg.UploadDir, "upload-*.pdf")
	if err != nil {
		return nil, fmt.Errorf("create upload file: %w", err)
	}
	up := &Upload{Path: f.Name(), Filename: filename}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(f, h), io.LimitReader(r, s.cfg.MaxUploadBytes+1))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil && n > s.cfg.MaxUploadBytes {
		err = s.errFileTooLarge()
	}
	if err != nil {
		up.Remove()
		return nil, err
	}
	up.Size, up.SHA256 = n, h.Sum(nil)
	return up, nil
}

// PDFMeta are the form fields of an upload as sent (nil: not sent).
type PDFMeta struct {
	Title, TopicID, Kind *string
}

// AddPDF checks a spooled upload and adds it to the user's library: the
// fields are validated, the same bytes twice are a conflict, the quota is
// kept, the file must be a PDF a bounded child process can read, then the
// file goes to the blob store and its row (with KOReader's partial MD5 of
// the file) and a text job are written. A failure after the file is stored
// removes it again; an account deleted while its upload was in flight gets
// a clean 401 and no leftover file.
func (s *Service) AddPDF(ctx context.Context, userID uuid.UUID, up *Upload, meta PDFMeta) (dbgen.Pdf, error) {
	fe := apperr.Fields{}
	if up == nil {
		fe.Add("file", "is required")
	}
	kind := KindStudy
	if meta.Kind != nil {
		kind = PDFKind(strings.TrimSpace(*meta.Kind))
		if !kind.Valid() {
			fe.Add("kind", "must be study or exercise")
		}
	}
	var topicID *uuid.UUID
	if meta.TopicID != nil && strings.TrimSpace(*meta.TopicID) != "" {
		id, ok := safetext.ParseID(strings.TrimSpace(*meta.TopicID))
		if !ok {
			fe.Add("topic_id", "must be a topic id")
		} else {
			topicID = &id
		}
	}
	title := ""
	if meta.Title != nil && strings.TrimSpace(*meta.Title) != "" {
		var err error
		title, err = NormalizeTitle(*meta.Title)
		fe.Check("title", err)
	}
	if err := fe.Err(); err != nil {
		return dbgen.Pdf{}, err
	}
	if topicID != nil {
		if _, err := s.GetTopic(ctx, nil, userID, *topicID); apperr.IsKind(err, apperr.NotFound) {
			return dbgen.Pdf{}, apperr.Field("topic_id", "no such topic")
		} else if err != nil {
			return dbgen.Pdf{}, err
		}
	}
	if up.Size == 0 {
		return dbgen.Pdf{}, invalidPDF("the file is empty")
	}
	if err := s.checkDuplicate(ctx, userID, up.SHA256); err != nil {
		return dbgen.Pdf{}, err
	}
	if err := s.CheckQuota(ctx, userID, up.Size); err != nil {
		return dbgen.Pdf{}, err
	}
	info, err := s.inspect(ctx, userID, up.Path)
	if err != nil {
		return dbgen.Pdf{}, err
	}
	// KOReader's id of the document, so its reading statistics match it.
	partialMD5, err := koreader.PartialMD5File(up.Path)
	if err != nil {
		return dbgen.Pdf{}, fmt.Errorf("partial md5 of upload: %w", err)
	}
	id := uuid.New()
	key := PDFStorageKey(userID, id)
	if err := s.store.PutFile(ctx, key, up.Path); err != nil {
		return dbgen.Pdf{}, fmt.Errorf("store upload: %w", err)
	}
	var row dbgen.Pdf
	err = s.inTx(ctx, func(q *dbgen.Queries) error {
		if err := q.LockUserUploads(ctx, userID); err != nil {
			return err
		}
		if s.cfg.StorageQuota > 0 {
			used, err := q.SumUserStorage(ctx, userID)
			if err != nil {
				return err
			}
			if err := s.quotaError(used, up.Size); err != nil {
				return err
			}
		}
		now := s.now()
		var err error
		row, err = q.CreatePDF(ctx, dbgen.CreatePDFParams{
			ID: id, UserID: userID, TopicID: topicID, Kind: string(kind),
			Title:  DefaultTitle(title, info.Title, up.Filename),
			Author: info.Author, OriginalFilename: CleanFilename(up.Filename),
			PageCount: int32(info.Pages), SizeBytes: up.Size, Sha256: up.SHA256, PartialMd5: &partialMD5, StorageKey: key, Now: now,
		})
		if err != nil {
			return err
		}
		// Text extraction runs in the background (internal/textindex).
		return q.CreateTextJob(ctx, dbgen.CreateTextJobParams{PdfID: id, UserID: userID, Now: now})
	})
	if err != nil {
		// The file has no row: remove it now (the sweeper would, later).
		s.RemoveFiles(ctx, []string{key})
		if pg := database.AsPgError(err); pg != nil && pg.ConstraintName == "pdfs_user_sha256_key" {
			if derr := s.checkDuplicate(ctx, userID, up.SHA256); derr != nil {
				return dbgen.Pdf{}, derr
			}
		}
		return dbgen.Pdf{}, err
	}
	s.nudge()
	return row, nil
}

// checkDuplicate is the conflict of bytes already in the user's library.
func (s *Service) checkDuplicate(ctx context.Context, userID uuid.UUID, sum []byte) error {
	existing, err := s.q.GetPDFIDBySHA256(ctx, dbgen.GetPDFIDBySHA256Params{UserID: userID, Sha256: sum})
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return nil
	case err != nil:
		return err
	}
	e := apperr.New(apperr.Conflict, CodeDuplicatePDF, "this PDF is already in your library")
	e.Details = map[string]any{"existing_id": existing}
	return e
}

// CodeDuplicatePDF is the code of the conflict whose details.existing_id
// names the PDF with the same bytes.
const CodeDuplicatePDF = "duplicate_pdf"

// inspect checks the magic bytes here and reads the document in a bounded
// child process (its parse slots shared fairly between users); every way a
// file can fail is a 422 with its own code, a full queue a 503.
func (s *Service) inspect(ctx context.Context, userID uuid.UUID, path string) (pdfinfo.Info, error) {
	f, err := os.Open(path)
	if err != nil {
		return pdfinfo.Info{}, err
	}
	ok := pdfinfo.HasHeader(f)
	f.Close()
	if !ok {
		return pdfinfo.Info{}, invalidPDF("the file does not start like a PDF (%PDF- header missing)")
	}
	info, usage, err := s.inspector.Inspect(ctx, userID.String(), path)
	switch {
	case err == nil:
		s.log.Debug("pdf parsed", "pages", info.Pages, "parse_ms", usage.Wall.Milliseconds(), "parser_max_rss_kb", usage.MaxRSSKB)
		return info, nil
	case errors.Is(err, pdfinfo.ErrBusy):
		return info, apperr.Retry(apperr.Unavailable, "server_busy", "too many PDFs are being read; retry shortly", 5*time.Second)
	case errors.Is(err, pdfinfo.ErrEncrypted):
		return info, apperr.New(apperr.Invalid, "encrypted_pdf", "the PDF is protected by a password; upload an unprotected copy")
	case errors.Is(err, pdfinfo.ErrTooHeavy):
		s.log.Warn("pdf parse over limits", "err", err)
		return info, apperr.New(apperr.Invalid, "pdf_too_complex", "the PDF could not be read within the time and memory allowed")
	case ctx.Err() != nil:
		return info, ctx.Err()
	default:
		s.log.Info("pdf refused", "err", err)
		return info, invalidPDF("the file is not a readable PDF")
	}
}

func invalidPDF(message string) error {
	e := apperr.New(apperr.Invalid, "invalid_pdf", message)
	e.Fields = map[string]string{"file": message}
	return e
}

// PDFChange holds the fields to change; TopicSet with a nil TopicID takes
// the PDF out of its topic.
type PDFChange struct {
	Title       *string
	TopicSet    bool
	TopicID     *uuid.UUID
	CurrentPage *int32
}

// UpdatePDF validates and applies a change and returns the PDF with its
// statistics.
func (s *Service) UpdatePDF(ctx context.Context, userID, id uuid.UUID, ch PDFChange) (dbgen.Pdf, dbgen.GetPDFRow, error) {
	current, err := s.GetPDF(ctx, nil, userID, id)
	if err != nil {
		return dbgen.Pdf{}, current, err
	}
	params := dbgen.UpdatePDFParams{ID: id, UserID: userID, SetTopic: ch.TopicSet, TopicID: ch.TopicID, Now: s.now()}
	fe := apperr.Fields{}
	if ch.Title != nil {
		v, err := NormalizeTitle(*ch.Title)
		fe.Check("title", err)
		params.Title = &v
	}
	if ch.CurrentPage != nil {
		if *ch.CurrentPage < 1 || *ch.CurrentPage > current.Pdf.PageCount {
			fe.Add("current_page", fmt.Sprintf("must be between 1 and %d", current.Pdf.PageCount))
		}
		params.CurrentPage = ch.CurrentPage
	}
	if ch.TopicID != nil {
		if _, err := s.GetTopic(ctx, nil, userID, *ch.TopicID); apperr.IsKind(err, apperr.NotFound) {
			fe.Add("topic_id", "no such topic")
		} else if err != nil {
			return dbgen.Pdf{}, current, err
		}
	}
	if err := fe.Err(); err != nil {
		return dbgen.Pdf{}, current, err
	}
	row, err := s.q.UpdatePDF(ctx, params)
	if errors.Is(err, pgx.ErrNoRows) {
		return row, current, apperr.NotFoundf("PDF")
	}
	return row, current, err
}

// DeletePDF deletes the row (and its bookmarks and reading data), then the file.
func (s *Service) DeletePDF(ctx context.Context, userID, id uuid.UUID) error {
	key, err := s.q.DeletePDF(ctx, dbgen.DeletePDFParams{ID: id, UserID: userID})
	if errors.Is(err, pgx.ErrNoRows) {
		return apperr.NotFoundf("PDF")
	}
	if err != nil {
		return err
	}
	s.RemoveFiles(ctx, []string{key})
	return nil
}

// BookmarkInput is a new bookmark.
type BookmarkInput struct {
	Page        int32
	Label, Note string
}

// CreateBookmark validates and adds a bookmark to a page of one of the
// user's PDFs.
func (s *Service) CreateBookmark(ctx context.Context, userID, pdfID uuid.UUID, in BookmarkInput) (dbgen.Bookmark, error) {
	pdf, err := s.GetPDF(ctx, nil, userID, pdfID)
	if err != nil {
		return dbgen.Bookmark{}, err
	}
	fe := apperr.Fields{}
	if in.Page < 1 || in.Page > pdf.Pdf.PageCount {
		fe.Add("page", fmt.Sprintf("must be between 1 and %d", pdf.Pdf.PageCount))
	}
	if utf8.RuneCountInString(in.Label) > 200 || safetext.HasControl(in.Label) {
		fe.Add("label", "must be at most 200 characters without control characters")
	}
	if utf8.RuneCountInString(in.Note) > 5000 || !safetext.Valid(in.Note) {
		fe.Add("note", "must be at most 5000 characters without NUL")
	}
	if err := fe.Err(); err != nil {
		return dbgen.Bookmark{}, err
	}
	return s.q.CreateBookmark(ctx, dbgen.CreateBookmarkParams{
		UserID: userID, PdfID: pdf.Pdf.ID, Page: in.Page, Label: in.Label, Note: in.Note, Now: s.now(),
	})
}
