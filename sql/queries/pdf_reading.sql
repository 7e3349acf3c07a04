-- name: RefreshPDFReading :exec
-- pdf_reading of one PDF, summed again from its page_stats: run in the
-- transaction of every write of the PDF's page_stats (after SaveStudyFold
-- and RefreshPageStats), which holds the user's study lock and the PDF's row
-- lock, so no other write of these page_stats can commit in between. A row
-- whose value did not change is left alone; a PDF without page_stats rows
-- has none.
WITH agg AS (
    SELECT count(*) AS rows,
           count(*) FILTER (WHERE ps.seconds_read > 0)::integer AS pages_read,
           coalesce(sum(ps.seconds_read), 0)::bigint AS study_seconds,
           max(ps.last_read_at) AS last_studied_at
    FROM page_stats ps
    WHERE ps.user_id = @user_id AND ps.pdf_id = @pdf_id
), gone AS (
    DELETE FROM pdf_reading r
    USING agg
    WHERE r.user_id = @user_id AND r.pdf_id = @pdf_id AND agg.rows = 0
)
INSERT INTO pdf_reading (user_id, pdf_id, pages_read, study_seconds, last_studied_at)
SELECT @user_id, @pdf_id, agg.pages_read, agg.study_seconds, agg.last_studied_at
FROM agg
WHERE agg.rows > 0
ON CONFLICT (user_id, pdf_id) DO UPDATE SET
    pages_read = excluded.pages_read, study_seconds = excluded.study_seconds, last_studied_at = excluded.last_studied_at
WHERE (pdf_reading.pages_read, pdf_reading.study_seconds, pdf_reading.last_studied_at)
      IS DISTINCT FROM (excluded.pages_read, excluded.study_seconds, excluded.last_studied_at);

-- name: RefreshUserPDFReading :execrows
-- pdf_reading of all the user's PDFs, summed again from page_stats: after a
-- bulk write of page_stats (the seed's COPY), in the same transaction.
WITH agg AS (
    SELECT ps.pdf_id,
           count(*) FILTER (WHERE ps.seconds_read > 0)::integer AS pages_read,
           sum(ps.seconds_read)::bigint AS study_seconds,
           max(ps.last_read_at) AS last_studied_at
    FROM page_stats ps
    WHERE ps.user_id = @user_id
    GROUP BY ps.pdf_id
), gone AS (
    DELETE FROM pdf_reading r
    WHERE r.user_id = @user_id AND NOT EXISTS (SELECT 1 FROM agg WHERE agg.pdf_id = r.pdf_id)
)
INSERT INTO pdf_reading (user_id, pdf_id, pages_read, study_seconds, last_studied_at)
SELECT @user_id, agg.pdf_id, agg.pages_read, agg.study_seconds, agg.last_studied_at
FROM agg
ORDER BY agg.pdf_id
ON CONFLICT (user_id, pdf_id) DO UPDATE SET
    pages_read = excluded.pages_read, study_seconds = excluded.study_seconds, last_studied_at = excluded.last_studied_at
WHERE (pdf_reading.pages_read, pdf_reading.study_seconds, pdf_reading.last_studied_at)
      IS DISTINCT FROM (excluded.pages_read, excluded.study_seconds, excluded.last_studied_at);

-- name: DiffPDFReading :many
-- The user's pdf_reading rows that differ from a recomputation from
-- page_stats (missing, extra or with other values): empty when the rollup is
-- exact. For tests and checks.
WITH want AS (
    SELECT ps.pdf_id,
           count(*) FILTER (WHERE ps.seconds_read > 0)::integer AS pages_read,
           sum(ps.seconds_read)::bigint AS study_seconds,
           max(ps.last_read_at) AS last_studied_at
    FROM page_stats ps
    WHERE ps.user_id = @user_id
    GROUP BY ps.pdf_id
), have AS (
    SELECT r.pdf_id, r.pages_read, r.study_seconds, r.last_studied_at
    FROM pdf_reading r
    WHERE r.user_id = @user_id
)
SELECT coalesce(w.pdf_id, h.pdf_id)::uuid AS pdf_id,
       (w.pdf_id IS NOT NULL)::bool AS in_page_stats, (h.pdf_id IS NOT NULL)::bool AS in_rollup
FROM want w
FULL JOIN have h ON h.pdf_id = w.pdf_id
WHERE w.pdf_id IS NULL OR h.pdf_id IS NULL
   OR (w.pages_read, w.study_seconds, w.last_studied_at) IS DISTINCT FROM (h.pages_read, h.study_seconds, h.last_studied_at)
ORDER BY 1;
