// Package textindex extracts each uploaded PDF's text in the background and
// stores it per page: the word count (NULL for a page without a text layer)
// and a tsvector for search.
//
// The queue is the text_jobs table. A worker claims a due job with FOR
// UPDATE SKIP LOCKED and leases it (run_after moves past the extraction
// timeout), so any number of workers in any number of server instances share
// the queue, and a job whose worker died is claimed again when its lease
// ends. Claims go round the users (see ClaimTextJob in
// sql/queries/text_jobs.sql): a user with many queued PDFs, or with a slow
// one, takes turns with the others instead of holding every worker. All
// pages of a PDF are written in one transaction with the status, so a crash
// leaves either nothing or everything.
//
// A PDF that goes past its time, memory or text budget (pdfinfo.ErrTooHeavy)
// is marked failed at once: another try would cost as much. Other failures
// back off and are retried; a PDF that fails MaxAttempts times is marked
// failed with the reason. Failing jobs never hold up the others.
package textindex

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/studysprint/studysprint/dbgen"
	"github.com/studysprint/studysprint/internal/database"
	"github.com/studysprint/studysprint/internal/pdfinfo"
	"github.com/studysprint/studysprint/internal/search"
	"github.com/studysprint/studysprint/internal/storage"
)

// Text statuses of a PDF (pdfs_text_status_check).
const (
	StatusPending = "pending"
	StatusDone    = "done"
	StatusFailed  = "failed"
	StatusNoText  = "no_text"
)

// TextStatuses lists every status; a test keeps it equal to the CHECK constraint.
var TextStatuses = []string{StatusPending, StatusDone, StatusFailed, StatusNoText}

// StoredPageText is how much of a page's text is kept for search.
const StoredPageText = 64 << 10

// pageBatch is how many pages go to the database per statement.
const pageBatch = 100

// Extractor yields the text of each page of a PDF file of the given page
// count (its budget of time and text depends on it). An error wrapping
// pdfinfo.ErrTooHeavy is final.
type Extractor interface {
	Pages(ctx context.Context, path string, pages int, fn func(page int, text string) error) error
}

// Worker processes text jobs.
type Worker struct {
	Pool      *pgxpool.Pool
	Store     storage.Store
	Extractor Extractor
	Now       func() time.Time
	Log       *slog.Logger
	// Languages are the two text search configurations of the tsvector
	// (SEARCH_LANGUAGES).
	Languages [2]string
	// Lease must exceed the extraction timeout.
	Lease time.Duration
	// MaxAttempts before a PDF is marked failed.
	MaxAttempts int
	// TempDir receives copies of files from a remote store.
	TempDir string
	// Stats, when set, counts the work (shared by a server's workers).
	Stats *Stats
}

// Stats counts what workers did, for /metrics.
type Stats struct {
	// PDFs and Pages extracted and stored; Failures counts failed attempts
	// (retried or final).
	PDFs, Pages, Failures atomic.Uint64
}

// Backoff is the wait before retrying after the given failed attempt.
func Backoff(attempt int) time.Duration {
	d := 10 * time.Second
	for i := 1; i < attempt && d < time.Hour; i++ {
		d *= 6
	}
	return min(d, time.Hour)
}

// RunOnce claims one due job and processes it. It reports whether there was one.
func (w *Worker) RunOnce(ctx context.Context) (bool, error) {
	q := dbgen.New(w.Pool)
	now := w.Now()
	job, err := q.ClaimTextJob(ctx, dbgen.ClaimTextJobParams{Now: now, LeaseUntil: now.Add(w.Lease)})
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	log := w.Log.With("pdf_id", job.PdfID, "attempt", job.Attempts)
	if int(job.Attempts) > w.MaxAttempts {
		// A worker died on each of the allowed attempts (crash, OOM kill).
		reason := "text extraction never finished"
		if job.LastError != nil {
			reason = *job.LastError
		}
		return true, w.fail(ctx, job.PdfID, job.UserID, fmt.Sprintf("gave up after %d attempts: %s", w.MaxAttempts, reason))
	}
	pdf, err := q.GetPDFForText(ctx, dbgen.GetPDFForTextParams{ID: job.PdfID, UserID: job.UserID})
	if errors.Is(err, pgx.ErrNoRows) {
		return true, q.DeleteTextJob(ctx, dbgen.DeleteTextJobParams{PdfID: job.PdfID, UserID: job.UserID})
	}
	if err != nil {
		return true, err
	}
	start := time.Now()
	status, words, pages, err := w.extract(ctx, pdf)
	if err != nil {
		if ctx.Err() != nil {
			// Shutting down: the job is taken again when its lease ends.
			return true, err
		}
		log.Warn("text extraction failed", "err", err, "ms", time.Since(start).Milliseconds())
		if w.Stats != nil {
			w.Stats.Failures.Add(1)
		}
		if errors.Is(err, pdfinfo.ErrTooHeavy) || int(job.Attempts) >= w.MaxAttempts {
			return true, w.fail(ctx, job.PdfID, job.UserID, err.Error())
		}
		msg := err.Error()
		return true, q.PostponeTextJob(ctx, dbgen.PostponeTextJobParams{
			PdfID: job.PdfID, UserID: job.UserID, LastError: &msg, RunAfter: w.Now().Add(Backoff(int(job.Attempts))),
		})
	}
	log.Info("text extracted", "status", status, "pages", pages, "words", words, "ms", time.Since(start).Milliseconds())
	if w.Stats != nil {
		w.Stats.PDFs.Add(1)
		w.Stats.Pages.Add(uint64(pages))
	}
	return true, nil
}

// Run works until ctx ends: jobs back to back while there are any, then a
// poll every interval (or at once on a nudge, when this instance queued one).
func (w *Worker) Run(ctx context.Context, interval time.Duration, nudge <-chan struct{}) {
	for ctx.Err() == nil {
		worked, err := w.RunOnce(ctx)
		if err != nil && ctx.Err() == nil {
			w.Log.Warn("text worker", "err", err)
		}
		if worked && err == nil {
			continue
		}
		select {
		case <-ctx.Done():
		case <-nudge:
		case <-time.After(interval):
		}
	}
}

func (w *Worker) fail(ctx context.Context, pdfID, userID uuid.UUID, reason string) error {
	if len(reason) > 500 {
		reason = reason[:500]
	}
	return database.InTx(ctx, w.Pool, func(q *dbgen.Queries) error {
		if err := q.FailTextExtraction(ctx, dbgen.FailTextExtractionParams{ID: pdfID, UserID: userID, TextError: &reason}); err != nil {
			return err
		}
		return q.DeleteTextJob(ctx, dbgen.DeleteTextJobParams{PdfID: pdfID, UserID: userID})
	})
}

// extract writes the PDF's pages and final status in one transaction.
func (w *Worker) extract(ctx context.Context, pdf dbgen.GetPDFForTextRow) (status string, words, pages int, err error) {
	path, cleanup, err := w.localCopy(ctx, pdf.StorageKey)
	if err != nil {
		return "", 0, 0, err
	}
	defer cleanup()

	err = database.InTx(ctx, w.Pool, func(q *dbgen.Queries) error {
		if err := q.DeletePDFPages(ctx, dbgen.DeletePDFPagesParams{PdfID: pdf.ID, UserID: pdf.UserID}); err != nil {
			return err
		}
		if err := q.DeletePDFLexemes(ctx, dbgen.DeletePDFLexemesParams{PdfID: pdf.ID, UserID: pdf.UserID}); err != nil {
			return err
		}
		batch := dbgen.InsertPDFPagesParams{UserID: pdf.UserID, PdfID: pdf.ID, Lang1: w.Languages[0], Lang2: w.Languages[1]}
		withText := 0
		flush := func() error {
			if len(batch.Pages) == 0 {
				return nil
			}
			err := q.InsertPDFPages(ctx, batch)
			batch.Pages, batch.WordCounts, batch.Texts = batch.Pages[:0], batch.WordCounts[:0], batch.Texts[:0]
			return err
		}
		add := func(page int, text string) error {
			n := search.CountWords(text)
			count := int32(n)
			if n == 0 {
				count = -1 // no text layer: NULL
			} else {
				withText++
				words += n
			}
			batch.Pages = append(batch.Pages, int32(page))
			batch.WordCounts = append(batch.WordCounts, count)
			batch.Texts = append(batch.Texts, truncateUTF8(strings.Join(strings.Fields(text), " "), StoredPageText))
			if len(batch.Pages) >= pageBatch {
				return flush()
			}
			return nil
		}
		err := w.Extractor.Pages(ctx, path, int(pdf.PageCount), func(page int, text string) error {
			if page > int(pdf.PageCount) {
				return nil // the parser counted fewer pages; keep the known ones
			}
			pages = page
			return add(page, text)
		})
		if err != nil {
			return err
		}
		for p := pages + 1; p <= int(pdf.PageCount); p++ {
			if err := add(p, ""); err != nil { // pages the extractor did not report
				return err
			}
		}
		pages = int(pdf.PageCount)
		if err := flush(); err != nil {
			return err
		}
		status = StatusNoText
		var total *int32
		if withText > 0 {
			status = StatusDone
			t := int32(words)
			total = &t
			if _, err := q.BuildPDFLexemes(ctx, dbgen.BuildPDFLexemesParams{PdfID: pdf.ID, UserID: pdf.UserID}); err != nil {
				return err
			}
		}
		if err := q.FinishTextExtraction(ctx, dbgen.FinishTextExtractionParams{ID: pdf.ID, UserID: pdf.UserID, TextStatus: status, WordCount: total}); err != nil {
			return err
		}
		return q.DeleteTextJob(ctx, dbgen.DeleteTextJobParams{PdfID: pdf.ID, UserID: pdf.UserID})
	})
	return status, words, pages, err
}

// localFiler is a store whose objects are files on this machine.
type localFiler interface {
	Path(key string) (string, error)
}

// localCopy gives a file path for the stored object: the file itself for the
// local store, a temporary copy otherwise.
func (w *Worker) localCopy(ctx context.Context, key string) (string, func(), error) {
	if lf, ok := w.Store.(localFiler); ok {
		p, err := lf.Path(key)
		return p, func() {}, err
	}
	obj, err := w.Store.Open(ctx, key)
	if err != nil {
		return "", nil, err
	}
	defer obj.Close()
	f, err := os.CreateTemp(w.TempDir, "text-*.pdf")
	if err != nil {
		return "", nil, err
	}
	cleanup := func() { os.Remove(f.Name()) }
	if _, err := io.Copy(f, obj); err != nil {
		f.Close()
		cleanup()
		return "", nil, err
	}
	if err := f.Close(); err != nil {
		cleanup()
		return "", nil, err
	}
	return f.Name(), cleanup, nil
}

// truncateUTF8 cuts s to at most max bytes without splitting a character.
func truncateUTF8(s string, max int) string {
	if len(s) <= max {
		return s
	}
	return strings.ToValidUTF8(s[:max], "")
}

// Ensure the pdftotext extractor satisfies Extractor.
var _ Extractor = (*pdfinfo.TextExtractor)(nil)
