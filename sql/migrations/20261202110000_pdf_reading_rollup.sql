-- migrate:up

-- pdf_reading was a view aggregating page_stats on every read: each topic
-- list summed every page of the user's PDFs (about 1,000 rows for 20
-- topics), each PDF answer its ~200 pages (BENCHMARKS.md, loadtest). It is
-- now a table with the same name and columns, kept exact on write: every
-- statement that writes page_stats is followed, in the same transaction, by
-- RefreshPDFReading (or RefreshUserPDFReading for the seed's COPY), which
-- sums the PDF's page_stats again. Readers (pdf_stats, ListTopicStats) are
-- unchanged.
DROP VIEW pdf_stats;
DROP VIEW pdf_reading;

CREATE TABLE pdf_reading (
    user_id         uuid        NOT NULL,
    pdf_id          uuid        NOT NULL,
    pages_read      integer     NOT NULL,
    study_seconds   bigint      NOT NULL,
    last_studied_at timestamptz,
    CONSTRAINT pdf_reading_pkey PRIMARY KEY (user_id, pdf_id),
    CONSTRAINT pdf_reading_pdf_fkey FOREIGN KEY (pdf_id, user_id) REFERENCES pdfs (id, user_id) ON DELETE CASCADE,
    CONSTRAINT pdf_reading_pages_read_check CHECK (pages_read >= 0),
    CONSTRAINT pdf_reading_study_seconds_check CHECK (study_seconds >= 0)
);

COMMENT ON TABLE pdf_reading IS 'Reading per PDF, the rollup of page_stats: pages with reading time (seconds_read > 0), their seconds and the last read. One row per (user, PDF) with page_stats rows, equal to the aggregate of those rows: recomputed from page_stats in the same transaction as every write of them (RefreshPDFReading after SaveStudyFold and RefreshPageStats, RefreshUserPDFReading after the seed''s COPY), under the PDF''s row lock and the user''s study lock that those transactions take first; removed with the PDF (cascade). Serves pdf_stats (GetPDF, ListPDFs) and ListTopicStats.';
COMMENT ON INDEX pdf_reading_pkey IS 'Serves pdf_stats and ListTopicStats (one PDF''s row), RefreshPDFReading and the ON DELETE CASCADE from pdfs.';

INSERT INTO pdf_reading (user_id, pdf_id, pages_read, study_seconds, last_studied_at)
SELECT user_id, pdf_id, count(*) FILTER (WHERE seconds_read > 0), sum(seconds_read), max(last_read_at)
FROM page_stats
GROUP BY user_id, pdf_id;

CREATE VIEW pdf_stats AS
SELECT p.id AS pdf_id,
       p.user_id,
       coalesce(r.pages_read, 0)::integer AS pages_read,
       coalesce(r.study_seconds, 0)::bigint AS study_seconds,
       r.last_studied_at,
       coalesce(x.exercise_count, 0)::integer AS exercise_count,
       coalesce(x.exercises_done, 0)::integer AS exercises_done
FROM pdfs p
LEFT JOIN pdf_reading r ON r.pdf_id = p.id AND r.user_id = p.user_id
LEFT JOIN LATERAL (
    SELECT count(*) AS exercise_count, count(*) FILTER (WHERE e.status = 'done') AS exercises_done
    FROM exercises e WHERE e.pdf_id = p.id AND e.user_id = p.user_id
) x ON true;

COMMENT ON VIEW pdf_stats IS 'Per PDF: pages read, study seconds and last study (from pdf_reading), exercises and those done. Filter by pdf_id and user_id: the planner pushes both into the aggregates.';

-- migrate:down
DROP VIEW pdf_stats;
DROP TABLE pdf_reading;

CREATE VIEW pdf_reading AS
SELECT user_id,
       pdf_id,
       count(*) FILTER (WHERE seconds_read > 0)::integer AS pages_read,
       sum(seconds_read)::bigint AS study_seconds,
       max(last_read_at)::timestamptz AS last_studied_at
FROM page_stats
GROUP BY user_id, pdf_id;

COMMENT ON VIEW pdf_reading IS 'Reading per PDF from page_stats: pages with reading time, seconds, last read.';

CREATE VIEW pdf_stats AS
SELECT p.id AS pdf_id,
       p.user_id,
       coalesce(r.pages_read, 0)::integer AS pages_read,
       coalesce(r.study_seconds, 0)::bigint AS study_seconds,
       r.last_studied_at,
       coalesce(x.exercise_count, 0)::integer AS exercise_count,
       coalesce(x.exercises_done, 0)::integer AS exercises_done
FROM pdfs p
LEFT JOIN pdf_reading r ON r.pdf_id = p.id AND r.user_id = p.user_id
LEFT JOIN LATERAL (
    SELECT count(*) AS exercise_count, count(*) FILTER (WHERE e.status = 'done') AS exercises_done
    FROM exercises e WHERE e.pdf_id = p.id AND e.user_id = p.user_id
) x ON true;

COMMENT ON VIEW pdf_stats IS 'Per PDF: pages read, study seconds and last study (from pdf_reading), exercises and those done. Filter by pdf_id and user_id: the planner pushes both into the aggregates.';
