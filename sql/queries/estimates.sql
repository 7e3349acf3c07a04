-- name: ListEstimatePDFs :many
-- Every PDF of the user with its kind, topic and page count, and its pages
-- with counted reading (first_read_at set) with the span of their first
-- reads (the zero time when none): an index-only scan of
-- page_stats_read_idx, so a long history costs index entries, not rows.
SELECT p.id, p.title, p.kind, p.topic_id, p.page_count,
       coalesce(r.pages_read, 0)::integer AS pages_read,
       coalesce(r.first_read_min, '0001-01-01 00:00:00+00')::timestamptz AS first_read_min,
       coalesce(r.first_read_max, '0001-01-01 00:00:00+00')::timestamptz AS first_read_max
FROM pdfs p
LEFT JOIN (
    SELECT ps.pdf_id, count(*) AS pages_read,
           min(ps.first_read_at) AS first_read_min, max(ps.first_read_at) AS first_read_max
    FROM page_stats ps
    WHERE ps.user_id = @user_id AND ps.first_read_at IS NOT NULL
    GROUP BY ps.pdf_id
) r ON r.pdf_id = p.id
WHERE p.user_id = @user_id
ORDER BY p.created_at, p.id;

-- name: ListEstimateObservations :many
-- The pages with counted reading of the listed PDFs that were first read at
-- or after that PDF's since (the zero time for all of them): one range of
-- page_stats_read_idx per PDF. Rows name their PDF by its place in pdf_ids
-- (from 1), which costs less to read than its id.
SELECT w.i::integer AS pdf_index, ps.page, ps.seconds_read, ps.visits,
       ps.first_read_at::timestamptz AS first_read_at, ps.last_read_at::timestamptz AS last_read_at
FROM unnest(@pdf_ids::uuid[]) WITH ORDINALITY AS w(pdf_id, i)
CROSS JOIN LATERAL (
    SELECT * FROM page_stats p
    WHERE p.user_id = @user_id AND p.pdf_id = w.pdf_id AND p.first_read_at >= (@since::timestamptz[])[w.i]
) ps;

-- name: ListEstimatePageWords :many
-- The word counts of the listed PDFs' pages that have a text layer, one row
-- per PDF (by its place in pdf_ids, from 1) with its pages and their word
-- counts in page order: one index-only range of pdf_pages_words_idx per PDF.
SELECT w.i::integer AS pdf_index,
       array_agg(pp.page ORDER BY pp.page)::integer[] AS pages,
       array_agg(pp.word_count ORDER BY pp.page)::integer[] AS words
FROM unnest(@pdf_ids::uuid[]) WITH ORDINALITY AS w(pdf_id, i)
JOIN pdf_pages pp ON pp.user_id = @user_id AND pp.pdf_id = w.pdf_id AND pp.word_count IS NOT NULL
GROUP BY w.i;

-- name: ListExerciseHistory :many
-- The user's done exercises with timer time on them, most recently
-- completed first: what the exercise estimates learn from.
SELECT page_start, page_end, difficulty, time_spent_seconds, completed_at::timestamptz AS completed_at
FROM exercises
WHERE user_id = @user_id AND status = 'done' AND time_spent_seconds > 0
ORDER BY completed_at DESC, id
LIMIT @row_limit;

-- name: ListOpenExercises :many
-- The exercises not done on the listed study PDFs.
SELECT id, pdf_id, title, page_start, page_end, difficulty
FROM exercises
WHERE user_id = @user_id AND pdf_id = ANY(@pdf_ids::uuid[]) AND status <> 'done'
ORDER BY page_start, created_at, id;
