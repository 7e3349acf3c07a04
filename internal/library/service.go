package library

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/studysprint/studysprint/dbgen"
	"github.com/studysprint/studysprint/internal/apperr"
	"github.com/studysprint/studysprint/internal/database"
	"github.com/studysprint/studysprint/internal/pdfinfo"
	"github.com/studysprint/studysprint/internal/storage"
)

// Config bounds uploads and storage.
type Config struct {
	// MaxUploadBytes caps one PDF.
	MaxUploadBytes int64
	// UploadDir holds uploads while they are checked (on the same
	// filesystem as a local store, so storing one is a rename).
	UploadDir string
	// UploadsPerUser and Uploads bound concurrent uploads per user and in all.
	UploadsPerUser, Uploads int
	// StorageQuota is how many bytes of PDFs one user may keep (0: no limit).
	StorageQuota int64
}

// Defaults for Config fields left zero.
const (
	DefaultUploadsPerUser = 2
	DefaultUploads        = 16
	DefaultStorageQuota   = 5 << 30
)

// Service holds the library's workflows: topics (hierarchy checks under a
// per-user lock), PDFs (upload: spool, check, parse in a bounded child,
// store, row; update; delete with the file), bookmarks and exercises. Every
// method takes plain values (the user id first) and returns dbgen rows or
// apperr errors.
type Service struct {
	pool      *pgxpool.Pool
	q         *dbgen.Queries
	store     storage.Store
	inspector *pdfinfo.Inspector
	cfg       Config
	now       func() time.Time
	log       *slog.Logger
	// nudge wakes this instance's text workers after a job is queued.
	nudge func()

	mu      sync.Mutex
	uploads int
	byUser  map[uuid.UUID]int
}

// Deps are the Service's collaborators.
type Deps struct {
	Pool      *pgxpool.Pool
	Store     storage.Store
	Inspector *pdfinfo.Inspector
	Now       func() time.Time
	Log       *slog.Logger
	Nudge     func()
}

// NewService returns the library workflows.
func NewService(cfg Config, d Deps) *Service {
	if cfg.UploadsPerUser <= 0 {
		cfg.UploadsPerUser = DefaultUploadsPerUser
	}
	if cfg.Uploads <= 0 {
		cfg.Uploads = DefaultUploads
	}
	if cfg.StorageQuota < 0 {
		cfg.StorageQuota = 0
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	if d.Nudge == nil {
		d.Nudge = func() {}
	}
	clock := d.Now
	// GetPDF (one PDF by its key, with pdf_stats: pdf_reading by key and the
	// exercises by index) runs on every PDF route: prepared, see
	// database.PreparedQueries.
	return &Service{
		pool: d.Pool, q: dbgen.New(database.PreparedQueries(d.Pool, "GetPDF")), store: d.Store, inspector: d.Inspector, cfg: cfg,
		now: func() time.Time { return clock().Truncate(time.Microsecond) }, log: d.Log, nudge: d.Nudge,
		byUser: map[uuid.UUID]int{},
	}
}

// Config returns the limits in effect.
func (s *Service) Config() Config { return s.cfg }

// inTx runs fn in one transaction.
func (s *Service) inTx(ctx context.Context, fn func(q *dbgen.Queries) error) error {
	return database.InTx(ctx, s.pool, fn)
}

// GetPDF is one of the user's PDFs with its statistics.
func (s *Service) GetPDF(ctx context.Context, q *dbgen.Queries, userID, id uuid.UUID) (dbgen.GetPDFRow, error) {
	if q == nil {
		q = s.q
	}
	row, err := q.GetPDF(ctx, dbgen.GetPDFParams{ID: id, UserID: userID})
	if errors.Is(err, pgx.ErrNoRows) {
		return row, apperr.NotFoundf("PDF")
	}
	return row, err
}

// GetTopic is one of the user's topics.
func (s *Service) GetTopic(ctx context.Context, q *dbgen.Queries, userID, id uuid.UUID) (dbgen.Topic, error) {
	if q == nil {
		q = s.q
	}
	t, err := q.GetTopic(ctx, dbgen.GetTopicParams{ID: id, UserID: userID})
	if errors.Is(err, pgx.ErrNoRows) {
		return t, apperr.NotFoundf("topic")
	}
	return t, err
}

// GetExercise is one of the user's exercises.
func (s *Service) GetExercise(ctx context.Context, q *dbgen.Queries, userID, id uuid.UUID) (dbgen.Exercise, error) {
	if q == nil {
		q = s.q
	}
	ex, err := q.GetExercise(ctx, dbgen.GetExerciseParams{ID: id, UserID: userID})
	if errors.Is(err, pgx.ErrNoRows) {
		return ex, apperr.NotFoundf("exercise")
	}
	return ex, err
}

// RemoveFiles deletes stored files after their rows are gone. A failure
// leaves an orphan that the sweeper removes; the caller still succeeds.
func (s *Service) RemoveFiles(ctx context.Context, keys []string) {
	if len(keys) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	for _, k := range keys {
		if err := s.store.Delete(ctx, k); err != nil {
			s.log.Warn("delete stored file; the sweeper will retry", "key", k, "err", err)
		}
	}
}

func isNoRows(err error) bool { return errors.Is(err, pgx.ErrNoRows) }
