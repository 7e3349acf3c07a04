-- name: NormalizeSearchOperands :many
-- The forms of each operand of a search ('word', or 'word':* for a prefix)
-- in the two text search configurations (SEARCH_LANGUAGES), as tsquery
-- text, empty where a configuration drops the word (a stop word). From these
-- internal/search builds the query word by word (see its package doc), so a
-- stop word of one configuration still counts as the other has it, instead
-- of to_tsquery(english, 'the & !qqq') becoming '!qqq' and matching
-- everything without qqq.
SELECT o.operand::text AS operand,
       to_tsquery(@lang1::regconfig, o.operand)::text AS lang1,
       to_tsquery(@lang2::regconfig, o.operand)::text AS lang2
FROM unnest(@operands::text[]) AS o(operand);

-- name: SearchLibrary :many
-- Full-text search over one user's topics (name A, description B), PDFs
-- (title A, author B, text) and exercises (title A, description B). Queries
-- are tsquery text from internal/search, already normalised
-- (NormalizeSearchOperands). Titles and descriptions are ranked by ts_rank;
-- a PDF's text is matched and ranked from the inverted index pdf_lexemes:
-- only the rows of the loose query's lexemes are read (one index range per
-- lexeme, a prefix being a range), the query is matched on a tsvector of the
-- lexemes the PDF has (all @@ looks at: the loose query has no phrase), and
-- the rank is BM25 (k1 = 1.2, b = 0.75) over the user's PDFs, with
-- pdfs.word_count as the length, mapped into [0, 0.1) so that a title hit
-- (ts_rank, weight A or B) outranks a text hit. When the query has a phrase,
-- a PDF matched only by its text must also have a page with the phrase; that
-- check runs lazily, in rank order, only until the page of results is full.
-- Keyset order: rank (scaled to an integer), kind, id, all descending.
WITH q AS (
    SELECT (@exact::text)::tsquery AS exact, (@loose::text)::tsquery AS loose
), terms AS (
    -- The lexemes of the loose query, each once ('word':* is a prefix).
    SELECT DISTINCT replace(m[1], '''''', '''') COLLATE "C" AS lexeme, m[2] IS NOT NULL AS prefix
    FROM regexp_matches(@loose::text, '''((?:[^'']|'''')*)''(:\*)?', 'g') AS m
    WHERE 'pdf' = ANY(@kinds::text[])
), per_term AS (
    -- Each PDF's occurrences of each term, the PDFs that have it (df), and
    -- one lexeme of the PDF that the term matches.
    SELECT l.pdf_id, sum(l.occurrences)::float8 AS tf, min(l.lexeme) AS lexeme,
           count(*) OVER (PARTITION BY t.lexeme, t.prefix)::float8 AS df,
           sum(sum(l.occurrences)) OVER (PARTITION BY t.lexeme, t.prefix) AS term_total
    FROM terms t
    JOIN pdf_lexemes l ON l.user_id = @user_id AND l.lexeme >= t.lexeme
                      AND l.lexeme <= CASE WHEN t.prefix THEN t.lexeme || chr(1114111) ELSE t.lexeme END
    WHERE starts_with(l.lexeme, t.lexeme)
    GROUP BY t.lexeme, t.prefix, l.pdf_id
), corpus AS MATERIALIZED (
    SELECT count(*)::float8 AS n, coalesce(avg(cp.word_count), 1)::float8 AS avgdl
    FROM pdfs cp WHERE cp.user_id = @user_id AND cp.word_count > 0
), text_rank AS (
    -- The tsvector of those lexemes answers @@ as the PDF's whole text would.
    SELECT pt.pdf_id,
           sum(ln(1 + (greatest(c.n, pt.df) - pt.df + 0.5) / (pt.df + 0.5))
               * pt.tf * 2.2 / (pt.tf + 1.2 * (0.25 + 0.75 * coalesce(nullif(tp.word_count, 0), c.avgdl) / c.avgdl))) AS bm25
    FROM per_term pt
    CROSS JOIN corpus c
    JOIN pdfs tp ON tp.id = pt.pdf_id AND tp.user_id = @user_id
    GROUP BY pt.pdf_id
    HAVING array_to_tsvector(array_agg(DISTINCT pt.lexeme)) @@ (SELECT loose FROM q)
), phrase_pdfs AS MATERIALIZED (
    -- The PDFs with a page that matches the exact query, from one scan of
    -- the page index: read only when a word of the query is rare enough
    -- (see below) that few pages can have the phrase.
    SELECT DISTINCT pp.pdf_id FROM pdf_pages pp
    WHERE pp.user_id = @user_id AND pp.tsv @@ (@exact::text)::tsquery
), hits AS (
    SELECT 'pdf'::text AS kind, p.id, p.title, p.author AS detail, NULL::uuid AS pdf_id,
           greatest(CASE WHEN d.doc @@ q.exact THEN ts_rank(d.doc, q.exact) ELSE 0 END,
                    CASE WHEN tr.pdf_id IS NOT NULL THEN 0.1 * tr.bm25 / (tr.bm25 + 1) ELSE 0 END)::float8 AS rank,
           (d.doc @@ q.exact) AS title_hit
    FROM pdfs p CROSS JOIN q
    CROSS JOIN LATERAL (SELECT
        setweight(to_tsvector(@lang1::regconfig, p.title) || to_tsvector(@lang2::regconfig, p.title), 'A') ||
        setweight(to_tsvector(@lang1::regconfig, p.author) || to_tsvector(@lang2::regconfig, p.author), 'B') AS doc) d
    LEFT JOIN text_rank tr ON tr.pdf_id = p.id
    WHERE p.user_id = @user_id AND 'pdf' = ANY(@kinds::text[]) AND (tr.pdf_id IS NOT NULL OR d.doc @@ q.exact)
  UNION ALL
    SELECT 'topic', t.id, t.name, t.description, NULL::uuid, ts_rank(x.doc, q.exact)::float8, true
    FROM topics t CROSS JOIN q
    CROSS JOIN LATERAL (SELECT
        setweight(to_tsvector(@lang1::regconfig, t.name) || to_tsvector(@lang2::regconfig, t.name), 'A') ||
        setweight(to_tsvector(@lang1::regconfig, t.description) || to_tsvector(@lang2::regconfig, t.description), 'B') AS doc) x
    WHERE t.user_id = @user_id AND 'topic' = ANY(@kinds::text[]) AND x.doc @@ q.exact
  UNION ALL
    SELECT 'exercise', e.id, e.title, e.description, e.pdf_id, ts_rank(x.doc, q.exact)::float8, true
    FROM exercises e CROSS JOIN q
    CROSS JOIN LATERAL (SELECT
        setweight(to_tsvector(@lang1::regconfig, e.title) || to_tsvector(@lang2::regconfig, e.title), 'A') ||
        setweight(to_tsvector(@lang1::regconfig, e.description) || to_tsvector(@lang2::regconfig, e.description), 'B') AS doc) x
    WHERE e.user_id = @user_id AND 'exercise' = ANY(@kinds::text[]) AND x.doc @@ q.exact
), ordered AS (
    SELECT h.kind, h.id, h.title, h.detail, h.pdf_id, h.rank, h.title_hit,
           (round(h.rank * 1e9))::bigint AS rank_key
    FROM hits h
    WHERE sqlc.narg(after_rank)::bigint IS NULL
       OR ((round(h.rank * 1e9))::bigint, h.kind, h.id) < (sqlc.narg(after_rank)::bigint, sqlc.narg(after_kind)::text, sqlc.narg(after_id)::uuid)
    ORDER BY rank_key DESC, h.kind DESC, h.id DESC
    OFFSET 0
)
SELECT o.kind, o.id, o.title, o.detail, o.pdf_id, o.rank, o.rank_key,
       -- A highlighted snippet of a topic's or exercise's description, made
       -- only for the rows returned (the projection runs under the LIMIT).
       CASE WHEN o.kind <> 'pdf' AND btrim(o.detail) <> '' THEN
           ts_headline(@lang1::regconfig, o.detail, q.exact,
                       'StartSel=' || chr(57344) || ', StopSel=' || chr(57345) || ', MaxWords=30, MinWords=12, MaxFragments=1')
       ELSE '' END::text AS snippet
FROM ordered o CROSS JOIN q
WHERE o.title_hit OR NOT @has_phrase::bool OR CASE
    -- A page with the phrase has every word of it, so a word with at most
    -- 5,000 occurrences in the library bounds the pages to recheck: one scan
    -- (phrase_pdfs) costs less than a probe per PDF, which for a phrase
    -- found nowhere means a probe for every candidate (BENCHMARKS.md).
    WHEN (SELECT min(pt.term_total) FROM per_term pt) <= 5000 THEN o.id IN (SELECT pf.pdf_id FROM phrase_pdfs pf)
    ELSE EXISTS (
        SELECT 1 FROM pdf_pages pp
        WHERE pp.pdf_id = o.id AND pp.user_id = @user_id AND pp.tsv @@ q.exact)
    END
LIMIT @row_limit;

-- name: SearchPDFPages :many
-- For each listed PDF: how many pages match the query and the best few
-- (at most per_pdf, see matched) with a snippet; \uE000 and \uE001 mark the matched words
-- (the API escapes the text and turns them into <mark>). The query is
-- normalised tsquery text, as for SearchLibrary.
WITH q AS (
    SELECT (@query::text)::tsquery AS query
), found AS (
    SELECT pp.pdf_id, pp.page, pp.tsv,
           row_number() OVER (PARTITION BY pp.pdf_id ORDER BY pp.page) AS pn,
           count(*) OVER (PARTITION BY pp.pdf_id) AS matching
    FROM pdf_pages pp, q
    WHERE pp.pdf_id = ANY(@pdf_ids::uuid[]) AND pp.user_id = @user_id AND pp.tsv @@ q.query
), matched AS (
    -- The best pages by ts_rank among the first @rank_pages matching pages
    -- of each PDF (all of them for a word on fewer pages): ts_rank reads
    -- each page's vector, and a common word is on every page. Ranked
    -- without the text, which is read for the pages kept only.
    SELECT f.pdf_id, f.page, f.matching,
           row_number() OVER (PARTITION BY f.pdf_id ORDER BY ts_rank(f.tsv, q.query) DESC, f.page) AS rn
    FROM found f, q
    WHERE f.pn <= @rank_pages::int
)
SELECT m.pdf_id, m.page, m.matching::integer AS matching_pages,
       ts_headline(@lang1::regconfig, t.text, q.query,
                   'StartSel=' || chr(57344) || ', StopSel=' || chr(57345) || ', MaxWords=30, MinWords=12, MaxFragments=1')::text AS snippet
FROM matched m
CROSS JOIN q
JOIN pdf_pages t ON t.user_id = @user_id AND t.pdf_id = m.pdf_id AND t.page = m.page
WHERE m.rn <= @per_pdf::int
ORDER BY m.pdf_id, m.page;
