package importer

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"os"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/studysprint/studysprint/dbgen"
	"github.com/studysprint/studysprint/internal/apperr"
	"github.com/studysprint/studysprint/internal/database"
	"github.com/studysprint/studysprint/internal/koreader"
	"github.com/studysprint/studysprint/internal/library"
	"github.com/studysprint/studysprint/internal/storage"
	"github.com/studysprint/studysprint/internal/study"
)

// Config bounds imports.
type Config struct {
	// MaxFileBytes caps an uploaded statistics file (DefaultMaxFileBytes
	// when not positive).
	MaxFileBytes int64
	// MaxBooks caps the books of a file (DefaultMaxBooks when not
	// positive): the answer lists every one.
	MaxBooks int
	// UploadDir holds uploaded files while they are read.
	UploadDir string
	// SessionGap splits visits into sessions (koreader.DefaultSessionGap
	// when not positive).
	SessionGap time.Duration
}

// Defaults of Config.
const (
	DefaultMaxFileBytes = 100 << 20
	DefaultMaxBooks     = 10_000
)

// Deps are the Service's collaborators.
type Deps struct {
	Pool *pgxpool.Pool
	// Study stores the sessions (ImportSession) through the timer's rules.
	Study *study.Service
	// Store holds the PDFs, whose partial MD5s are computed on first import.
	Store storage.Store
	// Reader reads statistics files in bounded child processes.
	Reader *koreader.Reader
	Now    func() time.Time
	Log    *slog.Logger
}

// Service imports KOReader reading statistics: the file is read in a
// bounded child process, its books matched to the user's PDFs, each matched
// book's visits stored as study sessions, one transaction per book, and the
// summary recorded. A user runs one import at a time.
type Service struct {
	cfg    Config
	pool   *pgxpool.Pool
	q      *dbgen.Queries
	study  *study.Service
	store  storage.Store
	reader *koreader.Reader
	now    func() time.Time
	log    *slog.Logger

	mu      sync.Mutex
	running map[uuid.UUID]bool
}

// NewService returns the import workflow.
func NewService(cfg Config, d Deps) *Service {
	if cfg.MaxFileBytes <= 0 {
		cfg.MaxFileBytes = DefaultMaxFileBytes
	}
	if cfg.MaxBooks <= 0 {
		cfg.MaxBooks = DefaultMaxBooks
	}
	if cfg.UploadDir == "" {
		cfg.UploadDir = os.TempDir()
	}
	if cfg.SessionGap <= 0 {
		cfg.SessionGap = koreader.DefaultSessionGap
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	clock := d.Now
	return &Service{
		cfg: cfg, pool: d.Pool, q: dbgen.New(d.Pool), study: d.Study, store: d.Store, reader: d.Reader,
		now: func() time.Time { return clock().UTC().Truncate(time.Microsecond) }, log: d.Log,
		running: map[uuid.UUID]bool{},
	}
}

// Config returns the limits in effect.
func (s *Service) Config() Config { return s.cfg }

// File is an uploaded statistics file, spooled to disk while it was
// hashed. Remove it when done.
type File struct {
	Path     string
	Filename string
	Size     int64
	SHA256   []byte
}

// Remove deletes the spooled file.
func (f *File) Remove() {
	if f != nil {
		os.Remove(f.Path)
	}
}

// Spool streams r to a temporary file, hashing it on the way; more than
// MaxFileBytes is a 413. A read error of r is returned as it is.
func (s *Service) Spool(r io.Reader, filename string) (*File, error) {
	tmp, err := os.CreateTemp(s.cfg.UploadDir, "koreader-*.sqlite3")
	if err != nil {
		return nil, fmt.Errorf("create upload file: %w", err)
	}
	f := &File{Path: tmp.Name(), Filename: library.CleanFilename(filename)}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), io.LimitReader(r, s.cfg.MaxFileBytes+1))
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil && n > s.cfg.MaxFileBytes {
		err = apperr.New(apperr.TooLarge, "body_too_large", fmt.Sprintf("the file exceeds the limit of %d bytes", s.cfg.MaxFileBytes))
	}
	if err != nil {
		f.Remove()
		return nil, err
	}
	f.Size, f.SHA256 = n, h.Sum(nil)
	return f, nil
}

// CodeInvalidDB is the code of a refused statistics file; details.reason
// is the koreader.Reason.
const CodeInvalidDB = "invalid_koreader_db"

// Options choose how an import runs.
type Options struct {
	// DryRun does everything in transactions that are rolled back, and
	// records nothing: the summary says what an import would do.
	DryRun bool
}

// errDryRun rolls back a dry run's transaction.
var errDryRun = errors.New("importer: dry run")

// Import imports the statistics file f into the user's study history. A
// refused file is a 422 invalid_koreader_db with its reason; another
// import of the user's in progress is a 429; every reading slot taken
// until ctx ends is a 503. Once the file is read, the import no longer
// follows ctx's cancellation (the client may give up on a long import; it
// still completes and is listed). A failure then stops the import: the
// failing book wrote nothing, the books before it stay, the import is
// recorded as failed and the error returned.
func (s *Service) Import(ctx context.Context, userID uuid.UUID, f *File, opts Options) (Summary, error) {
	release, err := s.begin(userID)
	if err != nil {
		return Summary{}, err
	}
	defer release()

	started := s.now()
	sum := Summary{
		DryRun: opts.DryRun, Source: SourceKOReader, Status: StatusCompleted, Filename: f.Filename,
		SizeBytes: f.Size, SHA256: f.SHA256, StartedAt: started, Skipped: map[koreader.SkipReason]int{},
	}
	for _, r := range SkipReasons {
		sum.Skipped[r] = 0
	}
	st, err := s.read(ctx, f.Path, started)
	if err != nil {
		return Summary{}, err
	}
	maps.Copy(sum.Skipped, st.Skipped)
	if len(st.Books) > s.cfg.MaxBooks {
		return Summary{}, invalidDB(koreader.ReasonTooLarge, fmt.Sprintf("the file holds %d books, more than the %d an import takes", len(st.Books), s.cfg.MaxBooks))
	}
	dropLate(st.Books, started, sum.Skipped)

	// From here on the import runs to its end even if the client goes away
	// (a large history takes a while): every book is whole or absent either
	// way, and the import is listed with what it did.
	work := context.WithoutCancel(ctx)

	cands, pages, err := s.candidates(work, userID, !opts.DryRun)
	if err != nil {
		return Summary{}, err
	}
	matches := koreader.Match(st.Books, cands)
	sum.Books = make([]BookResult, len(st.Books))
	var failure error
	for i, b := range st.Books {
		m := matches[i]
		res := &sum.Books[i]
		*res = BookResult{BookID: b.ID, Title: b.Title, Authors: b.Authors, MD5: b.MD5, Pages: b.Pages, Visits: len(b.Visits)}
		sessions := bookSessions(b, s.cfg.SessionGap, sum.Skipped)
		if !m.Matched() {
			res.Status, res.Reason = BookUnmatched, m.Reason
			continue
		}
		pdfID := m.PDFID
		res.PDFID, res.MatchedBy = &pdfID, m.By
		if failure != nil {
			res.Status = BookNotAttempted
			continue
		}
		err := database.InTx(work, s.pool, func(q *dbgen.Queries) error {
			var err error
			*res, err = s.importBook(work, q, userID, b, pdfID, pages[pdfID], sessions, *res)
			if err == nil && opts.DryRun {
				err = errDryRun
			}
			return err
		})
		switch {
		case err == nil || errors.Is(err, errDryRun):
			res.Status = BookImported
		default:
			// Its transaction is rolled back: none of its counts stand.
			*res = BookResult{BookID: res.BookID, Title: res.Title, Authors: res.Authors, MD5: res.MD5, Pages: res.Pages,
				PDFID: res.PDFID, MatchedBy: res.MatchedBy, Visits: res.Visits, Status: BookFailed}
			failure = fmt.Errorf("import book %d: %w", b.ID, err)
			sum.Status = StatusFailed
		}
	}
	sum.FinishedAt = s.now()
	sum.sum()
	if !opts.DryRun {
		id, err := s.record(work, userID, sum)
		if err != nil {
			return sum, errors.Join(failure, fmt.Errorf("record import: %w", err))
		}
		sum.ID = id
	}
	s.log.Info("koreader import", "user_id", userID, "dry_run", opts.DryRun, "status", sum.Status,
		"books", sum.Totals.Books, "matched", sum.Totals.BooksMatched, "visits_imported", sum.Totals.VisitsImported,
		"visits_duplicate", sum.Totals.VisitsDuplicate, "visits_skipped", sum.Totals.VisitsSkipped,
		"ms", sum.FinishedAt.Sub(started).Milliseconds())
	return sum, failure
}

// begin takes the user's import slot.
func (s *Service) begin(userID uuid.UUID) (func(), error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.running[userID] {
		return nil, apperr.Retry(apperr.TooMany, "import_in_progress", "another import of yours is running; wait for it to finish", 10*time.Second)
	}
	s.running[userID] = true
	return func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		delete(s.running, userID)
	}, nil
}

// read reads the file in a child process and maps its refusal.
func (s *Service) read(ctx context.Context, path string, now time.Time) (koreader.Statistics, error) {
	st, usage, err := s.reader.Read(ctx, path, now)
	var refused *koreader.Error
	switch {
	case err == nil:
		s.log.Debug("koreader statistics read", "books", len(st.Books), "visits", st.Visits,
			"read_ms", usage.Wall.Milliseconds(), "reader_max_rss_kb", usage.MaxRSSKB)
		return st, nil
	case errors.As(err, &refused):
		s.log.Info("koreader statistics refused", "reason", refused.Reason, "err", err)
		return st, invalidDB(refused.Reason, (&koreader.Error{Reason: refused.Reason}).Error())
	case errors.Is(err, koreader.ErrBusy):
		return st, apperr.Retry(apperr.Unavailable, "server_busy", "too many statistics files are being read; retry shortly", 5*time.Second)
	}
	return st, err
}

// invalidDB is the 422 of a refused file; the message says what is wrong
// without the reader's internals.
func invalidDB(reason koreader.Reason, message string) error {
	e := apperr.New(apperr.Invalid, CodeInvalidDB, message)
	e.Fields = map[string]string{"file": message}
	e.Details = map[string]any{"reason": string(reason)}
	return e
}

// candidates lists the user's PDFs for matching, with their page counts by
// id. PDFs without a partial MD5 (uploaded before it was computed) get one
// from their stored file, written back when persist is set.
func (s *Service) candidates(ctx context.Context, userID uuid.UUID, persist bool) ([]koreader.Candidate, map[uuid.UUID]int, error) {
	computed, err := s.backfill(ctx, userID, persist)
	if err != nil {
		return nil, nil, err
	}
	rows, err := s.q.ListPDFMatchCandidates(ctx, userID)
	if err != nil {
		return nil, nil, err
	}
	cands := make([]koreader.Candidate, len(rows))
	pages := make(map[uuid.UUID]int, len(rows))
	for i, r := range rows {
		c := koreader.Candidate{ID: r.ID, Title: r.Title, PageCount: int(r.PageCount)}
		if r.PartialMd5 != nil {
			c.PartialMD5 = *r.PartialMd5
		} else {
			c.PartialMD5 = computed[r.ID]
		}
		cands[i], pages[r.ID] = c, int(r.PageCount)
	}
	return cands, pages, nil
}

// backfill computes the partial MD5 of the user's PDFs that have none from
// their stored files (a few 1 KiB reads each), and stores it when persist
// is set. A file that cannot be read is logged and left out (its PDF can
// still match by title).
func (s *Service) backfill(ctx context.Context, userID uuid.UUID, persist bool) (map[uuid.UUID]string, error) {
	rows, err := s.q.ListPDFsWithoutPartialMD5(ctx, userID)
	if err != nil || len(rows) == 0 {
		return nil, err
	}
	out := make(map[uuid.UUID]string, len(rows))
	for _, r := range rows {
		sum, err := s.partialMD5(ctx, r.StorageKey)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			s.log.Warn("partial md5 of stored PDF", "pdf_id", r.ID, "err", err)
			continue
		}
		out[r.ID] = sum
		if persist {
			if err := s.q.SetPDFPartialMD5(ctx, dbgen.SetPDFPartialMD5Params{PartialMd5: &sum, ID: r.ID, UserID: userID}); err != nil {
				return nil, err
			}
		}
	}
	s.log.Info("partial md5 backfilled", "user_id", userID, "pdfs", len(out), "stored", persist)
	return out, nil
}

func (s *Service) partialMD5(ctx context.Context, key string) (string, error) {
	obj, err := s.store.Open(ctx, key)
	if err != nil {
		return "", err
	}
	defer obj.Close()
	ra, ok := obj.(io.ReaderAt)
	if !ok {
		ra = &seekReaderAt{rs: obj}
	}
	return koreader.PartialMD5(ra, obj.Size())
}

// seekReaderAt reads at offsets by seeking (for a store whose objects only
// seek).
type seekReaderAt struct{ rs io.ReadSeeker }

func (r *seekReaderAt) ReadAt(p []byte, off int64) (int, error) {
	if _, err := r.rs.Seek(off, io.SeekStart); err != nil {
		return 0, err
	}
	return io.ReadFull(r.rs, p)
}

// importBook stores one matched book's sessions in the caller's
// transaction and returns res with its counts. Events stored before (by an
// earlier import, in this session or in another the session now overlaps)
// are left out and counted as duplicates; a session with nothing new is not
// touched.
func (s *Service) importBook(ctx context.Context, q *dbgen.Queries, userID uuid.UUID, b koreader.Book, pdfID uuid.UUID, pdfPages int,
	sessions []koreader.Session, res BookResult) (BookResult, error) {
	if len(sessions) == 0 {
		return res, nil
	}
	if err := q.LockUserImports(ctx, userID); err != nil {
		return res, err
	}
	stored, err := q.ListImportedSessionsOverlapping(ctx, dbgen.ListImportedSessionsOverlappingParams{
		UserID: userID, PdfID: pdfID,
		Since: time.Unix(sessions[0].Start(), 0), Until: time.Unix(sessions[len(sessions)-1].End(), 0),
	})
	if err != nil {
		return res, err
	}
	key := BookKey(b)
	for _, sess := range sessions {
		p := planSession(userID, pdfID, pdfPages, key, sess)
		res.PagesMapped += p.Mapped
		var holders []uuid.UUID
		for _, o := range stored {
			if !o.StartedAt.After(p.End) && !o.LastEventAt.Before(p.Start) {
				holders = append(holders, o.ID)
			}
		}
		events := p.Events
		if len(holders) > 0 {
			ids := make([]uuid.UUID, len(events))
			for i, e := range events {
				ids[i] = e.ID
			}
			have, err := q.ListStoredEventIDs(ctx, dbgen.ListStoredEventIDsParams{UserID: userID, SessionIds: holders, Ids: ids})
			if err != nil {
				return res, err
			}
			seen := make(map[uuid.UUID]bool, len(have))
			for _, id := range have {
				seen[id] = true
			}
			events = events[:0:0]
			for _, e := range p.Events {
				switch {
				case !seen[e.ID]:
					events = append(events, e)
				case e.Type == string(study.EventPage):
					res.VisitsDuplicate++
				}
			}
		}
		if len(events) == 0 {
			continue
		}
		r, err := s.study.ImportSession(ctx, q, userID, study.ImportInput{
			SessionID: p.ID, PDFID: pdfID, Source: study.SourceKOReader, StartedAt: p.Start, StartPage: p.StartPage, Events: events,
		})
		if err != nil {
			return res, err
		}
		rejected := make(map[uuid.UUID]bool, len(r.Rejected))
		for _, rj := range r.Rejected {
			rejected[rj.ID] = true
		}
		for _, e := range events {
			if e.Type != string(study.EventPage) {
				continue
			}
			if rejected[e.ID] {
				res.VisitsRejected++
			} else {
				res.VisitsImported++
			}
		}
		if r.Created {
			res.SessionsImported++
		} else {
			res.SessionsExtended++
		}
	}
	return res, nil
}

// record writes the import's row.
func (s *Service) record(ctx context.Context, userID uuid.UUID, sum Summary) (uuid.UUID, error) {
	books, err := json.Marshal(sum.Books)
	if err != nil {
		return uuid.Nil, err
	}
	skipped, err := json.Marshal(sum.Skipped)
	if err != nil {
		return uuid.Nil, err
	}
	t := sum.Totals
	row, err := s.q.CreateImport(ctx, dbgen.CreateImportParams{
		UserID: userID, Source: string(sum.Source), Status: string(sum.Status), Filename: sum.Filename,
		SizeBytes: sum.SizeBytes, Sha256: sum.SHA256, Books: int32(t.Books), BooksMatched: int32(t.BooksMatched),
		SessionsImported: int32(t.SessionsImported), SessionsExtended: int32(t.SessionsExtended),
		VisitsImported: int32(t.VisitsImported), VisitsDuplicate: int32(t.VisitsDuplicate), VisitsSkipped: int32(t.VisitsSkipped),
		VisitsRejected: int32(t.VisitsRejected), PagesMapped: int32(t.PagesMapped), BookResults: books, Skipped: skipped,
		StartedAt: sum.StartedAt, FinishedAt: sum.FinishedAt,
	})
	return row.ID, err
}

// ListInput is a page of the user's imports, newest first, after the
// (StartedAt, ID) of the previous page's last one.
type ListInput struct {
	Limit          int32
	AfterStartedAt *time.Time
	AfterID        *uuid.UUID
}

// List returns the user's imports with their summaries.
func (s *Service) List(ctx context.Context, userID uuid.UUID, in ListInput) ([]Summary, error) {
	rows, err := s.q.ListImports(ctx, dbgen.ListImportsParams{UserID: userID, AfterStartedAt: in.AfterStartedAt, AfterID: in.AfterID, RowLimit: in.Limit})
	if err != nil {
		return nil, err
	}
	out := make([]Summary, len(rows))
	for i, r := range rows {
		sum := Summary{
			ID: r.ID, Source: Source(r.Source), Status: Status(r.Status), Filename: r.Filename, SizeBytes: r.SizeBytes,
			SHA256: r.Sha256, StartedAt: r.StartedAt, FinishedAt: r.FinishedAt,
		}
		if err := json.Unmarshal(r.BookResults, &sum.Books); err != nil {
			return nil, fmt.Errorf("import %s: book_results: %w", r.ID, err)
		}
		if err := json.Unmarshal(r.Skipped, &sum.Skipped); err != nil {
			return nil, fmt.Errorf("import %s: skipped: %w", r.ID, err)
		}
		sum.sum()
		out[i] = sum
	}
	return out, nil
}
