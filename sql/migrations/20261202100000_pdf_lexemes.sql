-- migrate:up

-- An inverted index of PDF text we own: one row per (user, lexeme, PDF)
-- with the lexeme's occurrences in the PDF, replacing the document-level
-- tsvector of pdf_search. A search reads only the rows of its own lexemes
-- (an index-only range scan per query word, a prefix being a range), ranks
-- PDFs by BM25 from the counts and matches the query on a tsvector of those
-- lexemes alone; before, every matching PDF's whole vector (170 kB in a
-- 200-page book) was read by @@ and ts_rank (BENCHMARKS.md).
CREATE TABLE pdf_lexemes (
    user_id     uuid    NOT NULL,
    lexeme      text    COLLATE "C" NOT NULL,
    pdf_id      uuid    NOT NULL,
    occurrences integer NOT NULL,
    CONSTRAINT pdf_lexemes_pkey PRIMARY KEY (user_id, lexeme, pdf_id) INCLUDE (occurrences),
    CONSTRAINT pdf_lexemes_pdf_fkey FOREIGN KEY (pdf_id, user_id) REFERENCES pdfs (id, user_id) ON DELETE CASCADE,
    CONSTRAINT pdf_lexemes_occurrences_check CHECK (occurrences >= 1)
);
CREATE INDEX pdf_lexemes_pdf_idx ON pdf_lexemes (pdf_id, user_id);

COMMENT ON TABLE pdf_lexemes IS 'Inverted index of PDF text: each lexeme of a PDF''s pages (both SEARCH_LANGUAGES configurations, as in pdf_pages.tsv) with its number of occurrences in the PDF. Written from pdf_pages by the text worker in the same transaction as the pages (BuildPDFLexemes); removed with the PDF (cascade). SearchLibrary matches and ranks (BM25) PDFs from the rows of the query''s lexemes. lexeme is COLLATE "C" so a prefix (word:*) is one index range.';
COMMENT ON INDEX pdf_lexemes_pkey IS 'Serves SearchLibrary: this user''s PDFs containing a lexeme, or a range of lexemes for a prefix, with their counts (index-only scan).';
COMMENT ON INDEX pdf_lexemes_pdf_idx IS 'Removes a PDF''s rows on re-extraction (DeletePDFLexemes) and on delete (the cascade of pdf_lexemes_pdf_fkey).';

INSERT INTO pdf_lexemes (user_id, lexeme, pdf_id, occurrences)
SELECT pp.user_id, u.lexeme, pp.pdf_id, sum(coalesce(cardinality(u.positions), 1))::integer
FROM pdf_pages pp CROSS JOIN LATERAL unnest(pp.tsv) AS u
GROUP BY pp.user_id, u.lexeme, pp.pdf_id;

DROP TABLE pdf_search;

-- migrate:down
CREATE TABLE pdf_search (
    pdf_id  uuid     NOT NULL,
    user_id uuid     NOT NULL,
    tsv     tsvector NOT NULL,
    CONSTRAINT pdf_search_pkey PRIMARY KEY (pdf_id),
    CONSTRAINT pdf_search_pdf_fkey FOREIGN KEY (pdf_id, user_id) REFERENCES pdfs (id, user_id) ON DELETE CASCADE
);
CREATE INDEX pdf_search_idx ON pdf_search USING gin (user_id, tsv);
ALTER TABLE pdf_search ALTER COLUMN tsv SET STORAGE EXTERNAL;
COMMENT ON TABLE pdf_search IS 'One document-level tsvector per PDF, so a search looks at one row per PDF instead of every page. Each lexeme has as many positions as occurrences in the PDF (capped), so ts_rank ranks a PDF that uses a word often above one that mentions it once. Built from pdf_pages by the text worker in the same transaction. Stored uncompressed (SET STORAGE EXTERNAL): read three times faster for about twice the space (BENCHMARKS.md).';
COMMENT ON INDEX pdf_search_idx IS 'Serves SearchLibrary: this user''s PDFs matching the query (btree_gin leads with user_id).';

-- The vectors as the text worker built them (BuildPDFSearchVector).
INSERT INTO pdf_search (pdf_id, user_id, tsv)
SELECT l.pdf_id, l.user_id, string_agg(
           '''' || replace(replace(l.lexeme, '\', '\\'), '''', '''''') || ''':' ||
           (SELECT string_agg(g::text, ',')
            FROM generate_series(1, least(l.occurrences, CASE WHEN l.total > 40000 THEN 1 WHEN l.total > 20000 THEN 4 ELSE 8 END)) AS g),
           ' ')::tsvector
FROM (
    SELECT x.*, count(*) OVER (PARTITION BY x.pdf_id) AS total,
           row_number() OVER (PARTITION BY x.pdf_id ORDER BY x.occurrences DESC, x.lexeme) AS n
    FROM pdf_lexemes x
) l
WHERE l.n <= 70000
GROUP BY l.pdf_id, l.user_id;

DROP TABLE pdf_lexemes;
