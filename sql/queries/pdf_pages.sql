-- name: GetPDFForText :one
SELECT id, user_id, storage_key, page_count FROM pdfs WHERE id = @id AND user_id = @user_id;

-- name: DeletePDFPages :exec
DELETE FROM pdf_pages WHERE pdf_id = @pdf_id AND user_id = @user_id;

-- name: InsertPDFPages :exec
-- A batch of pages. word_counts uses -1 for a page without a text layer
-- (stored as NULL). The tsvector joins two text search configurations
-- (SEARCH_LANGUAGES, simple and english by default): exact words and stems.
INSERT INTO pdf_pages (user_id, pdf_id, page, word_count, text, tsv)
SELECT @user_id, @pdf_id, (@pages::int[])[i], nullif((@word_counts::int[])[i], -1), (@texts::text[])[i],
       to_tsvector(@lang1::regconfig, (@texts::text[])[i]) || to_tsvector(@lang2::regconfig, (@texts::text[])[i])
FROM generate_subscripts(@pages::int[], 1) AS i;

-- name: DeletePDFLexemes :exec
DELETE FROM pdf_lexemes WHERE pdf_id = @pdf_id AND user_id = @user_id;

-- name: BuildPDFLexemes :execrows
-- The inverted index rows of a PDF from its pages (see pdf_lexemes): each
-- lexeme with its occurrences over all pages (a lexeme without positions,
-- which to_tsvector never makes, counts once per page). Run in the
-- transaction that wrote the pages, after DeletePDFLexemes.
INSERT INTO pdf_lexemes (user_id, lexeme, pdf_id, occurrences)
SELECT @user_id, u.lexeme, @pdf_id, sum(coalesce(cardinality(u.positions), 1))::integer
FROM pdf_pages pp CROSS JOIN LATERAL unnest(pp.tsv) AS u
WHERE pp.pdf_id = @pdf_id AND pp.user_id = @user_id
GROUP BY u.lexeme;

-- name: FinishTextExtraction :exec
UPDATE pdfs SET text_status = @text_status, word_count = sqlc.narg(word_count), text_error = NULL
WHERE id = @id AND user_id = @user_id;

-- name: FailTextExtraction :exec
UPDATE pdfs SET text_status = 'failed', text_error = @text_error, word_count = NULL
WHERE id = @id AND user_id = @user_id;

-- name: MarkAllTextPending :execrows
-- Maintenance (re-extraction of every PDF): all users at once.
UPDATE pdfs SET text_status = 'pending', text_error = NULL, word_count = NULL
WHERE text_status <> 'pending';

-- name: ListPDFPages :many
-- Pages from_page..to_page of a PDF: word count (once extracted), reading
-- time, and the bookmarks on the page and exercises covering it. Set-based:
-- the range's bookmarks are grouped by page in one index range scan, and the
-- PDF's exercises overlapping the range are read once and spread over their
-- pages, instead of two subqueries per page. Run as a prepared statement
-- (api.preparedReads): every step is a primary-key or index range within one
-- PDF of one user.
WITH pages AS (
    SELECT g.page::integer AS page
    FROM generate_series(sqlc.arg(from_page)::integer, sqlc.arg(to_page)::integer) AS g(page)
), marks AS (
    SELECT b.page, array_agg(b.id ORDER BY b.created_at, b.id) AS ids
    FROM bookmarks b
    WHERE b.pdf_id = @pdf_id AND b.user_id = @user_id
      AND b.page BETWEEN sqlc.arg(from_page)::integer AND sqlc.arg(to_page)::integer
    GROUP BY b.page
), covers AS (
    SELECT g.page, array_agg(e.id ORDER BY e.page_start, e.id) AS ids
    FROM exercises e
    CROSS JOIN LATERAL generate_series(greatest(e.page_start, sqlc.arg(from_page)::integer),
                                       least(e.page_end, sqlc.arg(to_page)::integer)) AS g(page)
    WHERE e.pdf_id = @pdf_id AND e.user_id = @user_id
      AND e.page_start <= sqlc.arg(to_page)::integer AND e.page_end >= sqlc.arg(from_page)::integer
    GROUP BY g.page
)
SELECT pg.page,
       pp.word_count,
       coalesce(ps.seconds_read, 0)::integer AS seconds_read,
       coalesce(m.ids, '{}')::uuid[] AS bookmark_ids,
       coalesce(c.ids, '{}')::uuid[] AS exercise_ids
FROM pages pg
LEFT JOIN pdf_pages pp ON pp.pdf_id = @pdf_id AND pp.user_id = @user_id AND pp.page = pg.page
LEFT JOIN page_stats ps ON ps.pdf_id = @pdf_id AND ps.user_id = @user_id AND ps.page = pg.page
LEFT JOIN marks m ON m.page = pg.page
LEFT JOIN covers c ON c.page = pg.page
ORDER BY pg.page;
