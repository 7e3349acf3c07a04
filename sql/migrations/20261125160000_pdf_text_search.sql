-- migrate:up

-- btree_gin lets one GIN index serve "this user's (or this PDF's) rows
-- matching this query".
CREATE EXTENSION IF NOT EXISTS btree_gin;

-- Text extraction state of each PDF; word_count is the sum over pages with
-- a text layer, known once text_status is done.
ALTER TABLE pdfs
    ADD COLUMN text_status text NOT NULL DEFAULT 'pending',
    ADD COLUMN text_error text,
    ADD COLUMN word_count integer,
    ADD CONSTRAINT pdfs_text_status_check CHECK (text_status IN ('pending', 'done', 'failed', 'no_text')),
    ADD CONSTRAINT pdfs_word_count_check CHECK (word_count >= 0);

-- The extraction queue. A row is pending work; workers claim it with FOR
-- UPDATE SKIP LOCKED and push run_after forward (a lease), so a worker that
-- dies mid-extraction leaves the job to be claimed again when the lease ends.
CREATE TABLE text_jobs (
    pdf_id     uuid        NOT NULL,
    user_id    uuid        NOT NULL,
    attempts   integer     NOT NULL DEFAULT 0,
    run_after  timestamptz NOT NULL,
    last_error text,
    created_at timestamptz NOT NULL,
    CONSTRAINT text_jobs_pkey PRIMARY KEY (pdf_id),
    CONSTRAINT text_jobs_pdf_fkey FOREIGN KEY (pdf_id, user_id) REFERENCES pdfs (id, user_id) ON DELETE CASCADE,
    CONSTRAINT text_jobs_attempts_check CHECK (attempts >= 0)
);

CREATE INDEX text_jobs_run_after_idx ON text_jobs (run_after, created_at);

INSERT INTO text_jobs (pdf_id, user_id, run_after, created_at)
SELECT id, user_id, now(), now() FROM pdfs;

-- Per-page text keyed by (user, pdf, page): the word count (NULL for a page
-- without a text layer, such as a scan) and the text with its tsvector.
CREATE TABLE pdf_pages (
    user_id    uuid     NOT NULL,
    pdf_id     uuid     NOT NULL,
    page       integer  NOT NULL,
    word_count integer,
    text       text     NOT NULL DEFAULT '',
    tsv        tsvector NOT NULL,
    CONSTRAINT pdf_pages_pkey PRIMARY KEY (user_id, pdf_id, page),
    CONSTRAINT pdf_pages_pdf_fkey FOREIGN KEY (pdf_id, user_id) REFERENCES pdfs (id, user_id) ON DELETE CASCADE,
    CONSTRAINT pdf_pages_page_check CHECK (page >= 1),
    CONSTRAINT pdf_pages_word_count_check CHECK (word_count >= 0)
);

-- Page-level text search runs within one PDF at a time (snippets, phrase
-- checks), so the index leads with the PDF.
CREATE INDEX pdf_pages_search_idx ON pdf_pages USING gin (pdf_id, tsv);
CREATE INDEX pdf_pages_pdf_idx ON pdf_pages (pdf_id, user_id);

-- One document-level tsvector per PDF, so a search looks at one row per PDF
-- instead of every page. Positions do not mark where words are: each lexeme
-- has as many as it has occurrences in the PDF (capped), so ts_rank ranks a
-- PDF that uses a word often above one that mentions it once. Built from
-- pdf_pages by the text worker in the same transaction.
CREATE TABLE pdf_search (
    pdf_id  uuid     NOT NULL,
    user_id uuid     NOT NULL,
    tsv     tsvector NOT NULL,
    CONSTRAINT pdf_search_pkey PRIMARY KEY (pdf_id),
    CONSTRAINT pdf_search_pdf_fkey FOREIGN KEY (pdf_id, user_id) REFERENCES pdfs (id, user_id) ON DELETE CASCADE
);

CREATE INDEX pdf_search_idx ON pdf_search USING gin (user_id, tsv);

-- Searches read these vectors whole (ts_rank); kept uncompressed they are
-- read three times faster (BENCHMARKS.md), for about twice the space.
ALTER TABLE pdf_search ALTER COLUMN tsv SET STORAGE EXTERNAL;
ALTER TABLE pdf_pages ALTER COLUMN tsv SET STORAGE EXTERNAL;

-- migrate:down
DROP TABLE pdf_search;
DROP TABLE pdf_pages;
DROP TABLE text_jobs;
ALTER TABLE pdfs
    DROP COLUMN word_count,
    DROP COLUMN text_error,
    DROP COLUMN text_status;
DROP EXTENSION IF EXISTS btree_gin;
