-- migrate:up

-- Importing reading history from KOReader (POST /api/v1/imports/koreader):
-- KOReader's partial MD5 of every PDF, to match its books by content, and
-- one row per import with its summary.

ALTER TABLE pdfs
    ADD COLUMN partial_md5 text,
    ADD CONSTRAINT pdfs_partial_md5_check CHECK (partial_md5 ~ '^[0-9a-f]{32}$');
COMMENT ON COLUMN pdfs.partial_md5 IS 'KOReader''s document id (util.partialMD5: MD5 of 1 KiB samples at 0 and 1024*4^i), lower-case hex; KOReader stores it in book.md5, so an import matches books to PDFs by content. Set at upload; NULL for PDFs uploaded before it existed until the owner''s first KOReader import computes it from the stored file.';

CREATE TABLE imports (
    id                uuid        NOT NULL DEFAULT gen_random_uuid(),
    user_id           uuid        NOT NULL,
    source            text        NOT NULL,
    status            text        NOT NULL,
    filename          text        NOT NULL DEFAULT '',
    size_bytes        bigint      NOT NULL,
    sha256            bytea       NOT NULL,
    books             integer     NOT NULL,
    books_matched     integer     NOT NULL,
    sessions_imported integer     NOT NULL,
    sessions_extended integer     NOT NULL,
    visits_imported   integer     NOT NULL,
    visits_duplicate  integer     NOT NULL,
    visits_skipped    integer     NOT NULL,
    visits_rejected   integer     NOT NULL,
    pages_mapped      integer     NOT NULL,
    book_results      jsonb       NOT NULL,
    skipped           jsonb       NOT NULL,
    started_at        timestamptz NOT NULL,
    finished_at       timestamptz NOT NULL,
    CONSTRAINT imports_pkey PRIMARY KEY (id),
    CONSTRAINT imports_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT imports_source_check CHECK (source IN ('koreader')),
    CONSTRAINT imports_status_check CHECK (status IN ('completed', 'failed')),
    CONSTRAINT imports_filename_check CHECK (char_length(filename) <= 255),
    CONSTRAINT imports_counts_check CHECK (size_bytes >= 0 AND books >= 0 AND books_matched BETWEEN 0 AND books
        AND sessions_imported >= 0 AND sessions_extended >= 0 AND visits_imported >= 0 AND visits_duplicate >= 0
        AND visits_skipped >= 0 AND visits_rejected >= 0 AND pages_mapped >= 0),
    CONSTRAINT imports_times_check CHECK (finished_at >= started_at)
);

COMMENT ON TABLE imports IS 'One row per import of reading history (dry runs write none): the totals as columns, the per-book results and the per-reason skip counts as JSON, exactly as the import answered. The imported data itself lives in study_sessions (source koreader) and study_events, one transaction per book.';
COMMENT ON COLUMN imports.status IS 'completed: every matched book was imported; failed: a book''s transaction failed (it and the books after it wrote nothing; the books before it stay imported, see book_results).';
COMMENT ON COLUMN imports.sha256 IS 'SHA-256 of the uploaded file (the file itself is not kept).';
COMMENT ON COLUMN imports.visits_duplicate IS 'Visits already imported by an earlier import (their events have the same deterministic ids).';
COMMENT ON COLUMN imports.visits_skipped IS 'Visits left out for their values (per reason in skipped): negative or zero durations and pages, far-future or pre-2000 times, no book.';
COMMENT ON COLUMN imports.visits_rejected IS 'Visits whose page event the timer refused (study.RejectReasons); expected to stay 0.';
COMMENT ON COLUMN imports.book_results IS 'Per book of the file: title, matched PDF and how (md5, title) or why not, and its counts (internal/koreader/importer.BookResult).';
CREATE INDEX imports_user_started_idx ON imports (user_id, started_at DESC, id DESC);
COMMENT ON INDEX imports_user_started_idx IS 'Serves ListImports (newest first, keyset) and the ON DELETE CASCADE from users.';

-- migrate:down

DROP TABLE imports;
ALTER TABLE pdfs DROP COLUMN partial_md5;
