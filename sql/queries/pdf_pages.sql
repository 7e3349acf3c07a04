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
-- each source is read once over the range (the primary keys of pdf_pages
-- and page_stats, bookmarks_pdf_idx grouped by page, and the PDF's exercises
-- overlapping the range spread over their pages) and joined on the page,
-- instead of four lookups per page. Run as a prepared statement (see
-- api.preparedReads): every step is an index range within one PDF of one
-- user. The series' bounds are subselects so that no plan knows the range's
-- length: PostgreSQL then keeps the generic plan instead of planning every
-- call (with constant bounds each custom plan looks cheaper than the
-- generic one, which assumes 1,000 pages).
WITH words AS (
    SELECT pp.page, pp.word_count
    FROM pdf_pages pp
    WHERE pp.pdf_id = @pdf_id AND pp.user_id = @user_id
      AND pp.page BETWEEN sqlc.arg(from_page)::integer AND sqlc.arg(to_page)::integer
), reading AS (
    SELECT ps.page, ps.seconds_read
    FROM page_stats ps
    WHERE ps.user_id = @user_id AND ps.pdf_id = @pdf_id
      AND ps.page BETWEEN sqlc.arg(from_page)::integer AND sqlc.arg(to_page)::integer
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
SELECT g.page::integer AS page,
       w.word_count,
       coalesce(r.seconds_read, 0)::integer AS seconds_read,
       coalesce(m.ids, '{}')::uuid[] AS bookmark_ids,
       coalesce(c.ids, '{}')::uuid[] AS exercise_ids
FROM generate_series((SELECT sqlc.arg(from_page)::integer), (SELECT sqlc.arg(to_page)::integer)) AS g(page)
LEFT JOIN words w ON w.page = g.page
LEFT JOIN reading r ON r.page = g.page
LEFT JOIN marks m ON m.page = g.page
LEFT JOIN covers c ON c.page = g.page
ORDER BY g.page;
