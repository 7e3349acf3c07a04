\restrict dbmate


SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

--
-- Name: btree_gin; Type: EXTENSION; Schema: -; Owner: -
--

CREATE EXTENSION IF NOT EXISTS btree_gin WITH SCHEMA public;


--
-- Name: EXTENSION btree_gin; Type: COMMENT; Schema: -; Owner: -
--

COMMENT ON EXTENSION btree_gin IS 'Lets one GIN index serve "this user''s (or this PDF''s) rows matching this query".';


--
-- Name: apply_library_change(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.apply_library_change() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    UPDATE users SET library_version = library_version + 1 WHERE id = NEW.user_id;
    DELETE FROM library_changes WHERE user_id = NEW.user_id AND xact = NEW.xact;
    RETURN NULL;
END
$$;


--
-- Name: FUNCTION apply_library_change(); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.apply_library_change() IS 'Deferred to the commit (library_changes_apply): bumps the noted user''s library_version and deletes the note.';


--
-- Name: note_library_change(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.note_library_change() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    INSERT INTO library_changes (user_id)
    SELECT DISTINCT user_id FROM changed
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$;


--
-- Name: FUNCTION note_library_change(); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.note_library_change() IS 'AFTER … FOR EACH STATEMENT trigger: notes in library_changes every user with a row in the statement''s transition table `changed` (new rows for INSERT and UPDATE, old rows for DELETE).';


SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: bookmarks; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.bookmarks (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    user_id uuid NOT NULL,
    pdf_id uuid NOT NULL,
    page integer NOT NULL,
    label text DEFAULT ''::text NOT NULL,
    note text DEFAULT ''::text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT bookmarks_label_check CHECK ((char_length(label) <= 200)),
    CONSTRAINT bookmarks_note_check CHECK ((char_length(note) <= 5000)),
    CONSTRAINT bookmarks_page_check CHECK ((page >= 1))
);


--
-- Name: TABLE bookmarks; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.bookmarks IS 'Page bookmarks with a label and a note.';


--
-- Name: estimate_records; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.estimate_records (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    user_id uuid NOT NULL,
    subject text NOT NULL,
    pdf_id uuid,
    exercise_id uuid,
    topic_id uuid,
    started_at timestamp with time zone NOT NULL,
    remaining_pages integer NOT NULL,
    estimated_seconds double precision NOT NULL,
    low_seconds double precision NOT NULL,
    high_seconds double precision NOT NULL,
    basis text NOT NULL,
    confidence text NOT NULL,
    finished_at timestamp with time zone,
    finished_session_id uuid,
    actual_seconds bigint,
    created_at timestamp with time zone NOT NULL,
    CONSTRAINT estimate_records_basis_check CHECK ((basis = ANY (ARRAY['pdf'::text, 'topic'::text, 'user'::text, 'default'::text]))),
    CONSTRAINT estimate_records_confidence_check CHECK ((confidence = ANY (ARRAY['low'::text, 'medium'::text, 'high'::text]))),
    CONSTRAINT estimate_records_estimate_check CHECK (((remaining_pages >= 0) AND (low_seconds >= (0)::double precision) AND (estimated_seconds >= (0)::double precision) AND (high_seconds >= low_seconds) AND (high_seconds < 'Infinity'::double precision))),
    CONSTRAINT estimate_records_finished_check CHECK ((((finished_at IS NULL) = (actual_seconds IS NULL)) AND ((actual_seconds IS NULL) OR (actual_seconds >= 0)) AND ((finished_session_id IS NULL) OR (finished_at IS NOT NULL)))),
    CONSTRAINT estimate_records_subject_check CHECK ((subject = ANY (ARRAY['pdf'::text, 'exercise'::text]))),
    CONSTRAINT estimate_records_subject_ids_check CHECK ((((subject = 'pdf'::text) OR (pdf_id IS NULL)) AND ((subject = 'exercise'::text) OR (exercise_id IS NULL))))
);


--
-- Name: TABLE estimate_records; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.estimate_records IS 'Estimate accuracy kept by the product (internal/estimate/store). One row per PDF and per exercise the student started with the timer: the estimate shown at its first session and, once finished, the actual time. GET /api/v1/analytics/estimate-accuracy compares the two. References to the PDF, exercise, topic and session become NULL when those are deleted; the record stays.';


--
-- Name: COLUMN estimate_records.subject; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.estimate_records.subject IS 'pdf: the rest of a PDF (store.SubjectPDF); exercise: one exercise (store.SubjectExercise).';


--
-- Name: COLUMN estimate_records.topic_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.estimate_records.topic_id IS 'The topic of the PDF (of the exercise''s PDF) when it was started: the group of the per-topic accuracy.';


--
-- Name: COLUMN estimate_records.started_at; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.estimate_records.started_at IS 'The start of the first study session (the client''s clock, as page first_read_at is): a PDF''s actual time counts the pages first read at or after it.';


--
-- Name: COLUMN estimate_records.remaining_pages; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.estimate_records.remaining_pages IS 'Pages left to read at the start (for an exercise, the pages it covers).';


--
-- Name: COLUMN estimate_records.estimated_seconds; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.estimate_records.estimated_seconds IS 'The expected time shown at the start; low_seconds and high_seconds are its 80 % interval, basis and confidence as the estimate said.';


--
-- Name: COLUMN estimate_records.finished_at; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.estimate_records.finished_at IS 'Server time when the PDF had no pages left to read (every page has counted reading), or the exercise was completed.';


--
-- Name: COLUMN estimate_records.finished_session_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.estimate_records.finished_session_id IS 'The session running when it finished: while that session goes on, actual_seconds follows it (the last page is still being read); later sessions do not change it.';


--
-- Name: COLUMN estimate_records.actual_seconds; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.estimate_records.actual_seconds IS 'PDF: the counted reading seconds (page_stats.seconds_read) of the pages first read at or after started_at, the pages the estimate was about. Exercise: its time_spent_seconds (the active time of its sessions).';


--
-- Name: exercises; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.exercises (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    user_id uuid NOT NULL,
    pdf_id uuid NOT NULL,
    page_start integer NOT NULL,
    page_end integer NOT NULL,
    title text NOT NULL,
    description text DEFAULT ''::text NOT NULL,
    difficulty smallint DEFAULT 3 NOT NULL,
    status text DEFAULT 'todo'::text NOT NULL,
    score smallint,
    completed_at timestamp with time zone,
    exercise_pdf_id uuid,
    exercise_page_start integer,
    exercise_page_end integer,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    time_spent_seconds bigint DEFAULT 0 NOT NULL,
    CONSTRAINT exercises_description_check CHECK ((char_length(description) <= 5000)),
    CONSTRAINT exercises_difficulty_check CHECK (((difficulty >= 1) AND (difficulty <= 5))),
    CONSTRAINT exercises_done_check CHECK ((((status = 'done'::text) = (completed_at IS NOT NULL)) AND ((score IS NULL) OR (status = 'done'::text)))),
    CONSTRAINT exercises_exercise_page_range_check CHECK ((((exercise_page_start IS NULL) AND (exercise_page_end IS NULL)) OR ((exercise_page_start >= 1) AND (exercise_page_end >= exercise_page_start)))),
    CONSTRAINT exercises_page_range_check CHECK (((page_start >= 1) AND (page_end >= page_start))),
    CONSTRAINT exercises_score_check CHECK (((score >= 0) AND (score <= 100))),
    CONSTRAINT exercises_status_check CHECK ((status = ANY (ARRAY['todo'::text, 'in_progress'::text, 'done'::text]))),
    CONSTRAINT exercises_time_spent_seconds_check CHECK ((time_spent_seconds >= 0)),
    CONSTRAINT exercises_title_check CHECK (((char_length(title) >= 1) AND (char_length(title) <= 200)))
);


--
-- Name: TABLE exercises; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.exercises IS 'Exercises practise pages of a study PDF (page_start..page_end). The questions may sit in another PDF of kind exercise; deleting that PDF only unlinks it (exercise_pdf_id becomes NULL, the page ranges stay), while deleting the study PDF deletes its exercises. done is set only with completed_at (exercises_done_check).';


--
-- Name: COLUMN exercises.time_spent_seconds; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.exercises.time_spent_seconds IS 'Active seconds of the study sessions on this exercise (kept by the timer).';


--
-- Name: goals; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.goals (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    user_id uuid NOT NULL,
    kind text NOT NULL,
    target integer,
    pdf_id uuid,
    topic_id uuid,
    deadline date,
    created_at timestamp with time zone NOT NULL,
    updated_at timestamp with time zone NOT NULL,
    CONSTRAINT goals_kind_check CHECK ((kind = ANY (ARRAY['daily_minutes'::text, 'daily_pages'::text, 'finish_pdf_by'::text, 'finish_topic_by'::text]))),
    CONSTRAINT goals_shape_check CHECK (
CASE kind
    WHEN 'daily_minutes'::text THEN (((target >= 1) AND (target <= 1440)) AND (pdf_id IS NULL) AND (topic_id IS NULL) AND (deadline IS NULL))
    WHEN 'daily_pages'::text THEN (((target >= 1) AND (target <= 10000)) AND (pdf_id IS NULL) AND (topic_id IS NULL) AND (deadline IS NULL))
    WHEN 'finish_pdf_by'::text THEN ((target IS NULL) AND (pdf_id IS NOT NULL) AND (topic_id IS NULL) AND (deadline IS NOT NULL))
    WHEN 'finish_topic_by'::text THEN ((target IS NULL) AND (pdf_id IS NULL) AND (topic_id IS NOT NULL) AND (deadline IS NOT NULL))
    ELSE NULL::boolean
END)
);


--
-- Name: TABLE goals; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.goals IS 'A student''s study goals: daily_minutes and daily_pages (target), finish_pdf_by (pdf_id, deadline) and finish_topic_by (topic_id, deadline), the shape checked by goals_shape_check. Progress and on_track are computed on read. A goal goes with its PDF or topic (ON DELETE CASCADE). One daily goal of each kind and one deadline per PDF or topic (the partial unique indexes).';


--
-- Name: COLUMN goals.target; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.goals.target IS 'Minutes (daily_minutes) or pages (daily_pages) a day; NULL for deadline goals.';


--
-- Name: COLUMN goals.deadline; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.goals.deadline IS 'The last day, in the student''s time zone, on which the goal may still be met (inclusive).';


--
-- Name: imports; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.imports (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    user_id uuid NOT NULL,
    source text NOT NULL,
    status text NOT NULL,
    filename text DEFAULT ''::text NOT NULL,
    size_bytes bigint NOT NULL,
    sha256 bytea NOT NULL,
    books integer NOT NULL,
    books_matched integer NOT NULL,
    sessions_imported integer NOT NULL,
    sessions_extended integer NOT NULL,
    visits_imported integer NOT NULL,
    visits_duplicate integer NOT NULL,
    visits_skipped integer NOT NULL,
    visits_rejected integer NOT NULL,
    pages_mapped integer NOT NULL,
    book_results jsonb NOT NULL,
    skipped jsonb NOT NULL,
    started_at timestamp with time zone NOT NULL,
    finished_at timestamp with time zone NOT NULL,
    CONSTRAINT imports_counts_check CHECK (((size_bytes >= 0) AND (books >= 0) AND ((books_matched >= 0) AND (books_matched <= books)) AND (sessions_imported >= 0) AND (sessions_extended >= 0) AND (visits_imported >= 0) AND (visits_duplicate >= 0) AND (visits_skipped >= 0) AND (visits_rejected >= 0) AND (pages_mapped >= 0))),
    CONSTRAINT imports_filename_check CHECK ((char_length(filename) <= 255)),
    CONSTRAINT imports_source_check CHECK ((source = 'koreader'::text)),
    CONSTRAINT imports_status_check CHECK ((status = ANY (ARRAY['completed'::text, 'failed'::text]))),
    CONSTRAINT imports_times_check CHECK ((finished_at >= started_at))
);


--
-- Name: TABLE imports; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.imports IS 'One row per import of reading history (dry runs write none): the totals as columns, the per-book results and the per-reason skip counts as JSON, exactly as the import answered. The imported data itself lives in study_sessions (source koreader) and study_events, one transaction per book.';


--
-- Name: COLUMN imports.status; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.imports.status IS 'completed: every matched book was imported; failed: a book''s transaction failed (it and the books after it wrote nothing; the books before it stay imported, see book_results).';


--
-- Name: COLUMN imports.sha256; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.imports.sha256 IS 'SHA-256 of the uploaded file (the file itself is not kept).';


--
-- Name: COLUMN imports.visits_duplicate; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.imports.visits_duplicate IS 'Visits already imported by an earlier import (their events have the same deterministic ids).';


--
-- Name: COLUMN imports.visits_skipped; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.imports.visits_skipped IS 'Visits left out for their values (per reason in skipped): negative or zero durations and pages, far-future or pre-2000 times, no book.';


--
-- Name: COLUMN imports.visits_rejected; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.imports.visits_rejected IS 'Visits whose page event the timer refused (study.RejectReasons); expected to stay 0.';


--
-- Name: COLUMN imports.book_results; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.imports.book_results IS 'Per book of the file: title, matched PDF and how (md5, title) or why not, and its counts (internal/koreader/importer.BookResult).';


--
-- Name: library_changes; Type: TABLE; Schema: public; Owner: -
--

CREATE UNLOGGED TABLE public.library_changes (
    user_id uuid NOT NULL,
    xact xid8 DEFAULT pg_current_xact_id() NOT NULL
);


--
-- Name: TABLE library_changes; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.library_changes IS 'Users whose library the running transaction changed (one row per user and transaction, from note_library_change); apply_library_change bumps users.library_version and deletes the row at the commit, so the table is empty between transactions.';


--
-- Name: login_attempts; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.login_attempts (
    identifier_hash bytea NOT NULL,
    network cidr NOT NULL,
    window_start timestamp with time zone NOT NULL,
    attempts integer NOT NULL,
    failures integer DEFAULT 0 NOT NULL,
    last_attempt_at timestamp with time zone NOT NULL,
    CONSTRAINT login_attempts_attempts_check CHECK ((attempts >= 0)),
    CONSTRAINT login_attempts_failures_check CHECK ((failures >= 0)),
    CONSTRAINT login_attempts_identifier_hash_check CHECK ((octet_length(identifier_hash) = 32))
);


--
-- Name: TABLE login_attempts; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.login_attempts IS 'Password attempts per login identifier and client network (an IPv4 address or an IPv6 /64) in a fixed window. An attempt is counted before its password is checked, in one statement under the row lock (CountLoginAttempt), so concurrent guesses cannot pass the limit; past LOGIN_LOCKOUT_FAILURES the network is refused for this identifier until the window ends. A successful login deletes only its own network''s row, so a stranger elsewhere cannot lock a student out.';


--
-- Name: COLUMN login_attempts.identifier_hash; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.login_attempts.identifier_hash IS 'SHA-256 of the normalized identifier (lower-cased email or username as typed, or user:<id> for re-authentication), stored whether or not an account has it, so unknown and real accounts behave the same.';


--
-- Name: COLUMN login_attempts.network; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.login_attempts.network IS 'The client address masked to /32 (IPv4) or to RATE_LIMIT_IPV6_PREFIX (IPv6).';


--
-- Name: COLUMN login_attempts.attempts; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.login_attempts.attempts IS 'Attempts in the window that started at window_start, refused ones included.';


--
-- Name: COLUMN login_attempts.failures; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.login_attempts.failures IS 'Of those, the ones whose password was checked and wrong (for audit).';


--
-- Name: login_identifier_attempts; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.login_identifier_attempts (
    identifier_hash bytea NOT NULL,
    window_start timestamp with time zone NOT NULL,
    attempts integer NOT NULL,
    next_allowed_at timestamp with time zone NOT NULL,
    last_let_through boolean NOT NULL,
    CONSTRAINT login_identifier_attempts_attempts_check CHECK ((attempts >= 0)),
    CONSTRAINT login_identifier_attempts_identifier_hash_check CHECK ((octet_length(identifier_hash) = 32))
);


--
-- Name: TABLE login_identifier_attempts; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.login_identifier_attempts IS 'Password attempts per login identifier across all networks, against a much higher ceiling (LOGIN_IDENTIFIER_CEILING per LOGIN_IDENTIFIER_WINDOW). Past it, attempts are spaced out by a growing delay (next_allowed_at, exponential up to LOGIN_SLOWDOWN_MAX) instead of being locked out; refused attempts do not count.';


--
-- Name: COLUMN login_identifier_attempts.attempts; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.login_identifier_attempts.attempts IS 'Attempts let through in the window (those refused for their network or for the delay are not counted).';


--
-- Name: COLUMN login_identifier_attempts.next_allowed_at; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.login_identifier_attempts.next_allowed_at IS 'The earliest time the next attempt is let through.';


--
-- Name: COLUMN login_identifier_attempts.last_let_through; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.login_identifier_attempts.last_let_through IS 'Whether the latest attempt was let through (CountLoginAttempt returns it).';


--
-- Name: page_stats; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.page_stats (
    user_id uuid NOT NULL,
    pdf_id uuid NOT NULL,
    page integer NOT NULL,
    seconds_read integer DEFAULT 0 NOT NULL,
    visits integer DEFAULT 0 NOT NULL,
    first_read_at timestamp with time zone,
    last_read_at timestamp with time zone,
    CONSTRAINT page_stats_page_check CHECK ((page >= 1)),
    CONSTRAINT page_stats_seconds_read_check CHECK ((seconds_read >= 0)),
    CONSTRAINT page_stats_visits_check CHECK ((visits >= 0))
)
WITH (fillfactor='80');


--
-- Name: TABLE page_stats; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.page_stats IS 'Per-page reading data keyed by (user, pdf, page): the sum over the user''s study sessions of counted dwells (seconds, visits, first and last read). The study timer keeps it exact on write; PDF and topic statistics read it.';


--
-- Name: pdf_lexemes; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.pdf_lexemes (
    user_id uuid NOT NULL,
    lexeme text NOT NULL COLLATE pg_catalog."C",
    pdf_id uuid NOT NULL,
    occurrences integer NOT NULL,
    CONSTRAINT pdf_lexemes_occurrences_check CHECK ((occurrences >= 1))
);


--
-- Name: TABLE pdf_lexemes; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.pdf_lexemes IS 'Inverted index of PDF text: each lexeme of a PDF''s pages (both SEARCH_LANGUAGES configurations, as in pdf_pages.tsv) with its number of occurrences in the PDF. Written from pdf_pages by the text worker in the same transaction as the pages (BuildPDFLexemes); removed with the PDF (cascade). SearchLibrary matches and ranks (BM25) PDFs from the rows of the query''s lexemes. lexeme is COLLATE "C" so a prefix (word:*) is one index range.';


--
-- Name: pdf_pages; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.pdf_pages (
    user_id uuid NOT NULL,
    pdf_id uuid NOT NULL,
    page integer NOT NULL,
    word_count integer,
    text text DEFAULT ''::text NOT NULL,
    tsv tsvector NOT NULL,
    CONSTRAINT pdf_pages_page_check CHECK ((page >= 1)),
    CONSTRAINT pdf_pages_word_count_check CHECK ((word_count >= 0))
);
ALTER TABLE ONLY public.pdf_pages ALTER COLUMN tsv SET STORAGE EXTERNAL;


--
-- Name: TABLE pdf_pages; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.pdf_pages IS 'Per-page text keyed by (user, pdf, page): the word count (NULL for a page without a text layer, such as a scan), the text (capped) and its tsvector in the two configurations of SEARCH_LANGUAGES.';


--
-- Name: pdf_reading; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.pdf_reading (
    user_id uuid NOT NULL,
    pdf_id uuid NOT NULL,
    pages_read integer NOT NULL,
    study_seconds bigint NOT NULL,
    last_studied_at timestamp with time zone,
    CONSTRAINT pdf_reading_pages_read_check CHECK ((pages_read >= 0)),
    CONSTRAINT pdf_reading_study_seconds_check CHECK ((study_seconds >= 0))
);


--
-- Name: TABLE pdf_reading; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.pdf_reading IS 'Reading per PDF, the rollup of page_stats: pages with reading time (seconds_read > 0), their seconds and the last read. One row per (user, PDF) with page_stats rows, equal to the aggregate of those rows: recomputed from page_stats in the same transaction as every write of them (RefreshPDFReading after SaveStudyFold and RefreshPageStats, RefreshUserPDFReading after the seed''s COPY), under the PDF''s row lock and the user''s study lock that those transactions take first; removed with the PDF (cascade). Serves pdf_stats (GetPDF, ListPDFs) and ListTopicStats.';


--
-- Name: pdfs; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.pdfs (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    user_id uuid NOT NULL,
    topic_id uuid,
    kind text DEFAULT 'study'::text NOT NULL,
    title text NOT NULL,
    author text DEFAULT ''::text NOT NULL,
    original_filename text DEFAULT ''::text NOT NULL,
    page_count integer NOT NULL,
    size_bytes bigint NOT NULL,
    sha256 bytea NOT NULL,
    storage_key text NOT NULL,
    current_page integer DEFAULT 1 NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    text_status text DEFAULT 'pending'::text NOT NULL,
    text_error text,
    word_count integer,
    current_page_at timestamp with time zone,
    partial_md5 text,
    CONSTRAINT pdfs_author_check CHECK ((char_length(author) <= 200)),
    CONSTRAINT pdfs_current_page_check CHECK (((current_page >= 1) AND (current_page <= page_count))),
    CONSTRAINT pdfs_kind_check CHECK ((kind = ANY (ARRAY['study'::text, 'exercise'::text]))),
    CONSTRAINT pdfs_original_filename_check CHECK ((char_length(original_filename) <= 255)),
    CONSTRAINT pdfs_page_count_check CHECK ((page_count >= 1)),
    CONSTRAINT pdfs_partial_md5_check CHECK ((partial_md5 ~ '^[0-9a-f]{32}$'::text)),
    CONSTRAINT pdfs_sha256_check CHECK ((octet_length(sha256) = 32)),
    CONSTRAINT pdfs_size_bytes_check CHECK ((size_bytes > 0)),
    CONSTRAINT pdfs_text_status_check CHECK ((text_status = ANY (ARRAY['pending'::text, 'done'::text, 'failed'::text, 'no_text'::text]))),
    CONSTRAINT pdfs_title_check CHECK (((char_length(title) >= 1) AND (char_length(title) <= 300))),
    CONSTRAINT pdfs_word_count_check CHECK ((word_count >= 0))
);


--
-- Name: TABLE pdfs; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.pdfs IS 'PDFs: the file lives in the blob store under storage_key. The row is written after the file and deleted before it, so a row never lacks its file (the sweeper removes files whose row is gone).';


--
-- Name: COLUMN pdfs.topic_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.pdfs.topic_id IS 'Deleting a topic that still has PDFs fails (pdfs_topic_fkey is NO ACTION, checked at the end of the statement, so deleting the whole account still cascades); the library deletes PDFs explicitly because their files must go too.';


--
-- Name: COLUMN pdfs.word_count; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.pdfs.word_count IS 'Words over all pages with a text layer, known once text_status is done.';


--
-- Name: COLUMN pdfs.current_page_at; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.pdfs.current_page_at IS 'When current_page was set: by the latest page event of any study session (by its time), or by PATCH. An older page event never moves current_page back.';


--
-- Name: COLUMN pdfs.partial_md5; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.pdfs.partial_md5 IS 'KOReader''s document id (util.partialMD5: MD5 of 1 KiB samples at 0 and 1024*4^i), lower-case hex; KOReader stores it in book.md5, so an import matches books to PDFs by content. Set at upload; NULL for PDFs uploaded before it existed until the owner''s first KOReader import computes it from the stored file.';


--
-- Name: pdf_stats; Type: VIEW; Schema: public; Owner: -
--

CREATE VIEW public.pdf_stats AS
 SELECT p.id AS pdf_id,
    p.user_id,
    COALESCE(r.pages_read, 0) AS pages_read,
    COALESCE(r.study_seconds, (0)::bigint) AS study_seconds,
    r.last_studied_at,
    (COALESCE(x.exercise_count, (0)::bigint))::integer AS exercise_count,
    (COALESCE(x.exercises_done, (0)::bigint))::integer AS exercises_done
   FROM ((public.pdfs p
     LEFT JOIN public.pdf_reading r ON (((r.pdf_id = p.id) AND (r.user_id = p.user_id))))
     LEFT JOIN LATERAL ( SELECT count(*) AS exercise_count,
            count(*) FILTER (WHERE (e.status = 'done'::text)) AS exercises_done
           FROM public.exercises e
          WHERE ((e.pdf_id = p.id) AND (e.user_id = p.user_id))) x ON (true));


--
-- Name: VIEW pdf_stats; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON VIEW public.pdf_stats IS 'Per PDF: pages read, study seconds and last study (from pdf_reading), exercises and those done. Filter by pdf_id and user_id: the planner pushes both into the aggregates.';


--
-- Name: schema_migrations; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.schema_migrations (
    version character varying NOT NULL
);


--
-- Name: security_events; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.security_events (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    user_id uuid NOT NULL,
    kind text NOT NULL,
    created_at timestamp with time zone NOT NULL,
    ip inet,
    user_agent text DEFAULT ''::text NOT NULL,
    session_id uuid,
    detail jsonb DEFAULT '{}'::jsonb NOT NULL,
    CONSTRAINT security_events_detail_check CHECK ((jsonb_typeof(detail) = 'object'::text)),
    CONSTRAINT security_events_kind_check CHECK ((kind = ANY (ARRAY['login_succeeded'::text, 'login_failed'::text, 'account_locked'::text, 'refresh_token_reused'::text, 'password_changed'::text, 'email_changed'::text, 'session_revoked'::text, 'account_deleted'::text]))),
    CONSTRAINT security_events_user_agent_check CHECK ((char_length(user_agent) <= 512))
);


--
-- Name: TABLE security_events; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.security_events IS 'Security events the user can review (GET /auth/events). No foreign key: the account_deleted event outlives the account (account deletion removes all the others).';


--
-- Name: study_events; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.study_events (
    user_id uuid NOT NULL,
    id uuid NOT NULL,
    session_id uuid NOT NULL,
    seq bigint NOT NULL,
    type text NOT NULL,
    page integer,
    at timestamp with time zone NOT NULL,
    received_at timestamp with time zone NOT NULL,
    CONSTRAINT study_events_page_check CHECK ((((type = 'page'::text) = (page IS NOT NULL)) AND ((page IS NULL) OR (page >= 1)))),
    CONSTRAINT study_events_type_check CHECK ((type = ANY (ARRAY['page'::text, 'heartbeat'::text, 'pause'::text, 'resume'::text, 'stop'::text])))
);


--
-- Name: TABLE study_events; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.study_events IS 'Timer events as clients sent them. The id is made by the client and unique within its session, so resending a batch changes nothing; seq is the arrival order and breaks ties between events of the same time. The primary key is the only index (it serves ListStudyEventsByID and, with a sort, the rare replay of ListStudyEvents): every batch inserts into it, so one index instead of two keeps ingestion cheap.';


--
-- Name: COLUMN study_events.at; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.study_events.at IS 'The client''s clock; events are applied in (at, seq) order whenever they arrive.';


--
-- Name: study_events_seq_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.study_events ALTER COLUMN seq ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.study_events_seq_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: study_session_buckets; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.study_session_buckets (
    session_id uuid NOT NULL,
    user_id uuid NOT NULL,
    pdf_id uuid NOT NULL,
    bucket_start timestamp with time zone NOT NULL,
    active_seconds integer NOT NULL,
    read_seconds integer NOT NULL,
    pages_read integer NOT NULL,
    CONSTRAINT study_session_buckets_counts_check CHECK (((active_seconds >= 0) AND (read_seconds >= 0) AND (pages_read >= 0)))
)
WITH (fillfactor='80');


--
-- Name: TABLE study_session_buckets; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.study_session_buckets IS 'One session''s study time per 15-minute UTC bucket (every time zone offset is a multiple of 15 minutes, so any local day is a whole number of buckets and a session across midnight splits exactly). read_seconds and pages_read count dwells by the bucket they began in.';


--
-- Name: study_session_pages; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.study_session_pages (
    session_id uuid NOT NULL,
    user_id uuid NOT NULL,
    pdf_id uuid NOT NULL,
    page integer NOT NULL,
    seconds integer NOT NULL,
    visits integer NOT NULL,
    first_read_at timestamp with time zone,
    last_read_at timestamp with time zone,
    CONSTRAINT study_session_pages_counts_check CHECK (((seconds >= 0) AND (visits >= 0))),
    CONSTRAINT study_session_pages_page_check CHECK ((page >= 1))
)
WITH (fillfactor='80');


--
-- Name: TABLE study_session_pages; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.study_session_pages IS 'One session''s contribution to each page it visited: counted (non-skim, capped) dwell seconds, counted visits, first and last read. page_stats is the sum of these rows; both change in the same transaction as the events, so a late event or a deleted session corrects page_stats exactly.';


--
-- Name: study_sessions; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.study_sessions (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    user_id uuid NOT NULL,
    pdf_id uuid NOT NULL,
    exercise_id uuid,
    source text DEFAULT 'timer'::text NOT NULL,
    pomodoro boolean DEFAULT false NOT NULL,
    rules jsonb NOT NULL,
    idle_threshold_seconds integer NOT NULL,
    start_page integer,
    page_count integer NOT NULL,
    started_at timestamp with time zone NOT NULL,
    status text NOT NULL,
    ended_at timestamp with time zone,
    ended_reason text,
    last_event_at timestamp with time zone NOT NULL,
    last_heard_at timestamp with time zone NOT NULL,
    current_page integer,
    current_page_at timestamp with time zone,
    active_seconds bigint DEFAULT 0 NOT NULL,
    paused_seconds bigint DEFAULT 0 NOT NULL,
    idle_seconds bigint DEFAULT 0 NOT NULL,
    break_seconds bigint DEFAULT 0 NOT NULL,
    pages_visited integer DEFAULT 0 NOT NULL,
    pages_read integer DEFAULT 0 NOT NULL,
    events integer DEFAULT 0 NOT NULL,
    checkpoint bytea NOT NULL,
    notes text DEFAULT ''::text NOT NULL,
    rating smallint,
    created_at timestamp with time zone NOT NULL,
    updated_at timestamp with time zone NOT NULL,
    CONSTRAINT study_sessions_ended_check CHECK ((((status = 'ended'::text) = (ended_at IS NOT NULL)) AND ((ended_at IS NULL) = (ended_reason IS NULL)))),
    CONSTRAINT study_sessions_ended_reason_check CHECK ((ended_reason = ANY (ARRAY['stopped'::text, 'idle'::text, 'superseded'::text]))),
    CONSTRAINT study_sessions_idle_threshold_seconds_check CHECK ((idle_threshold_seconds > 0)),
    CONSTRAINT study_sessions_notes_check CHECK ((char_length(notes) <= 5000)),
    CONSTRAINT study_sessions_rating_check CHECK (((rating >= 1) AND (rating <= 5))),
    CONSTRAINT study_sessions_seconds_check CHECK (((active_seconds >= 0) AND (paused_seconds >= 0) AND (idle_seconds >= 0) AND (break_seconds >= 0))),
    CONSTRAINT study_sessions_source_check CHECK ((source = ANY (ARRAY['timer'::text, 'koreader'::text]))),
    CONSTRAINT study_sessions_start_page_check CHECK (((start_page >= 1) AND (start_page <= page_count))),
    CONSTRAINT study_sessions_status_check CHECK ((status = ANY (ARRAY['running'::text, 'paused'::text, 'ended'::text]))),
    CONSTRAINT study_sessions_times_check CHECK (((last_event_at >= started_at) AND ((ended_at IS NULL) OR (ended_at >= started_at))))
)
WITH (fillfactor='70');


--
-- Name: TABLE study_sessions; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.study_sessions IS 'A study session on a PDF (or an exercise, which studies its PDF). Its numbers are derived from its events (study_events) by the pure rules of internal/study and stored here on every write: checkpoint is the fold state after the last applied event, so a batch in time order is folded on; a late batch replays the session''s events. Nothing lives only in memory.';


--
-- Name: COLUMN study_sessions.rules; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.study_sessions.rules IS 'The timer rules the session started with (idle threshold, page bounds, pomodoro lengths), frozen: a change of preferences applies to later sessions.';


--
-- Name: COLUMN study_sessions.page_count; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.study_sessions.page_count IS 'The PDF''s page count (it never changes): event pages are checked against it without reading the PDF.';


--
-- Name: COLUMN study_sessions.status; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.study_sessions.status IS 'As of the last write; a running session whose client went quiet is ended (idle) when it is read or by the sweeper.';


--
-- Name: COLUMN study_sessions.last_event_at; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.study_sessions.last_event_at IS 'The time (client clock) of the latest applied event, or the start.';


--
-- Name: COLUMN study_sessions.last_heard_at; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.study_sessions.last_heard_at IS 'Server time of the latest request about the session: inactivity is measured by it, never by the events'' own times.';


--
-- Name: COLUMN study_sessions.active_seconds; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.study_sessions.active_seconds IS 'Up to the end of the timeline (ended_at, or last_event_at while running); the API adds the time since the last event for a running session.';


--
-- Name: COLUMN study_sessions.checkpoint; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.study_sessions.checkpoint IS 'internal/study.Checkpoint in its compact binary form (varints; written on every batch, so a few bytes per page).';


--
-- Name: text_job_turns; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.text_job_turns (
    user_id uuid NOT NULL,
    last_claim bigint NOT NULL
);


--
-- Name: TABLE text_job_turns; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.text_job_turns IS 'The number (text_job_turns_seq) of the last text job claimed for each user; ClaimTextJob serves the lowest first.';


--
-- Name: COLUMN text_job_turns.last_claim; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.text_job_turns.last_claim IS 'nextval(text_job_turns_seq) at the user''s last claim.';


--
-- Name: text_job_turns_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.text_job_turns_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: SEQUENCE text_job_turns_seq; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON SEQUENCE public.text_job_turns_seq IS 'Numbers text job claims in order (text_job_turns.last_claim).';


--
-- Name: text_jobs; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.text_jobs (
    pdf_id uuid NOT NULL,
    user_id uuid NOT NULL,
    attempts integer DEFAULT 0 NOT NULL,
    run_after timestamp with time zone NOT NULL,
    last_error text,
    created_at timestamp with time zone NOT NULL,
    leased_until timestamp with time zone,
    CONSTRAINT text_jobs_attempts_check CHECK ((attempts >= 0))
);


--
-- Name: TABLE text_jobs; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.text_jobs IS 'The text-extraction queue: a row is pending work. Workers claim it with FOR UPDATE SKIP LOCKED and push run_after forward (a lease), so a worker that dies mid-extraction leaves the job to be claimed again when the lease ends.';


--
-- Name: COLUMN text_jobs.leased_until; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.text_jobs.leased_until IS 'While in the future, a worker runs this job; ClaimTextJob serves users with fewer running jobs first.';


--
-- Name: topics; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.topics (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    user_id uuid NOT NULL,
    parent_id uuid,
    name text NOT NULL,
    description text DEFAULT ''::text NOT NULL,
    color text DEFAULT '#4F46E5'::text NOT NULL,
    sort_order integer DEFAULT 0 NOT NULL,
    target_date date,
    archived_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT topics_color_check CHECK ((color ~ '^#[0-9A-F]{6}$'::text)),
    CONSTRAINT topics_description_check CHECK ((char_length(description) <= 2000)),
    CONSTRAINT topics_name_check CHECK ((((char_length(name) >= 1) AND (char_length(name) <= 100)) AND (name = btrim(name)))),
    CONSTRAINT topics_parent_check CHECK (((parent_id IS NULL) OR (parent_id <> id))),
    CONSTRAINT topics_sort_order_check CHECK (((sort_order >= '-1000000'::integer) AND (sort_order <= 1000000)))
);


--
-- Name: TABLE topics; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.topics IS 'A hierarchy of the user''s material (depth at most 5, no cycles: checked by the library workflows under the per-user LockTopicTree lock). Composite keys (id, user_id) let every reference carry the owner, so no row can point at another user''s object.';


--
-- Name: user_preferences; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.user_preferences (
    user_id uuid NOT NULL,
    theme text DEFAULT 'system'::text NOT NULL,
    pomodoro_work_minutes integer DEFAULT 25 NOT NULL,
    pomodoro_short_break_minutes integer DEFAULT 5 NOT NULL,
    pomodoro_long_break_minutes integer DEFAULT 15 NOT NULL,
    pomodoro_long_break_every integer DEFAULT 4 NOT NULL,
    auto_start_breaks boolean DEFAULT false NOT NULL,
    daily_goal_minutes integer DEFAULT 60 NOT NULL,
    streak_min_minutes integer DEFAULT 10 NOT NULL,
    idle_threshold_seconds integer DEFAULT 300 NOT NULL,
    page_min_seconds integer DEFAULT 5 NOT NULL,
    page_max_seconds integer DEFAULT 900 NOT NULL,
    week_start text DEFAULT 'monday'::text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT user_preferences_daily_goal_minutes_check CHECK (((daily_goal_minutes >= 0) AND (daily_goal_minutes <= 1440))),
    CONSTRAINT user_preferences_idle_threshold_seconds_check CHECK (((idle_threshold_seconds >= 30) AND (idle_threshold_seconds <= 3600))),
    CONSTRAINT user_preferences_page_bounds_check CHECK ((page_min_seconds < page_max_seconds)),
    CONSTRAINT user_preferences_page_max_seconds_check CHECK (((page_max_seconds >= 10) AND (page_max_seconds <= 7200))),
    CONSTRAINT user_preferences_page_min_seconds_check CHECK (((page_min_seconds >= 0) AND (page_min_seconds <= 600))),
    CONSTRAINT user_preferences_pomodoro_long_break_every_check CHECK (((pomodoro_long_break_every >= 1) AND (pomodoro_long_break_every <= 12))),
    CONSTRAINT user_preferences_pomodoro_long_break_minutes_check CHECK (((pomodoro_long_break_minutes >= 1) AND (pomodoro_long_break_minutes <= 120))),
    CONSTRAINT user_preferences_pomodoro_short_break_minutes_check CHECK (((pomodoro_short_break_minutes >= 1) AND (pomodoro_short_break_minutes <= 60))),
    CONSTRAINT user_preferences_pomodoro_work_minutes_check CHECK (((pomodoro_work_minutes >= 1) AND (pomodoro_work_minutes <= 180))),
    CONSTRAINT user_preferences_streak_min_minutes_check CHECK (((streak_min_minutes >= 1) AND (streak_min_minutes <= 1440))),
    CONSTRAINT user_preferences_theme_check CHECK ((theme = ANY (ARRAY['light'::text, 'dark'::text, 'system'::text]))),
    CONSTRAINT user_preferences_week_start_check CHECK ((week_start = ANY (ARRAY['monday'::text, 'sunday'::text])))
);


--
-- Name: TABLE user_preferences; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.user_preferences IS 'One row per user, created in the same transaction as the user. Typed columns with defaults; every range is enforced here as well as in the API (a test keeps the two in step).';


--
-- Name: user_refresh_tokens; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.user_refresh_tokens (
    token_hash bytea NOT NULL,
    session_id uuid NOT NULL,
    user_id uuid NOT NULL,
    issued_at timestamp with time zone NOT NULL,
    rotated_at timestamp with time zone,
    CONSTRAINT user_refresh_tokens_rotated_check CHECK (((rotated_at IS NULL) OR (rotated_at >= issued_at))),
    CONSTRAINT user_refresh_tokens_token_hash_check CHECK ((octet_length(token_hash) = 32))
);


--
-- Name: TABLE user_refresh_tokens; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.user_refresh_tokens IS 'Refresh-token history per session: exactly one live token (rotated_at IS NULL); any reuse of a rotated one is recognised and ends the session. Only SHA-256 hashes are stored.';


--
-- Name: user_sessions; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.user_sessions (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    user_id uuid NOT NULL,
    user_agent text DEFAULT ''::text NOT NULL,
    ip inet,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    last_used_at timestamp with time zone DEFAULT now() NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    revoked_at timestamp with time zone,
    revoke_reason text,
    refresh_secret bytea NOT NULL,
    absolute_expires_at timestamp with time zone NOT NULL,
    CONSTRAINT user_sessions_expiry_check CHECK ((expires_at <= absolute_expires_at)),
    CONSTRAINT user_sessions_refresh_secret_check CHECK ((octet_length(refresh_secret) = 32)),
    CONSTRAINT user_sessions_revoke_reason_check CHECK ((revoke_reason = ANY (ARRAY['refresh_token_reused'::text, 'logout'::text, 'logout_all'::text, 'revoked_by_user'::text, 'password_changed'::text]))),
    CONSTRAINT user_sessions_revoked_check CHECK (((revoked_at IS NULL) = (revoke_reason IS NULL))),
    CONSTRAINT user_sessions_user_agent_check CHECK ((char_length(user_agent) <= 512))
);


--
-- Name: TABLE user_sessions; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.user_sessions IS 'One row per login (a device). The refresh tokens live in user_refresh_tokens; expires_at slides on each refresh and never passes absolute_expires_at.';


--
-- Name: COLUMN user_sessions.revoke_reason; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.user_sessions.revoke_reason IS 'Why the session ended (account.RevokeReasons lists the same values).';


--
-- Name: COLUMN user_sessions.refresh_secret; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.user_sessions.refresh_secret IS 'Derives each refresh token from the one presented (HMAC), so a retry within the grace window gets the same successor although only hashes are stored.';


--
-- Name: user_study_buckets; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.user_study_buckets (
    user_id uuid NOT NULL,
    bucket_start timestamp with time zone NOT NULL,
    active_seconds integer NOT NULL,
    read_seconds integer NOT NULL,
    pages_read integer NOT NULL,
    sessions integer NOT NULL,
    CONSTRAINT user_study_buckets_counts_check CHECK (((active_seconds >= 0) AND (read_seconds >= 0) AND (pages_read >= 0) AND (sessions >= 0)))
)
WITH (fillfactor='80');


--
-- Name: TABLE user_study_buckets; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.user_study_buckets IS 'The per-user rollup of study_session_buckets (and the sessions started in each bucket), recomputed for the buckets a write touches: daily, weekly and streak statistics read it in the user''s current time zone.';


--
-- Name: user_study_days; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.user_study_days (
    user_id uuid NOT NULL,
    day date NOT NULL,
    active_seconds integer NOT NULL,
    read_seconds integer NOT NULL,
    pages_read integer NOT NULL,
    sessions integer NOT NULL,
    CONSTRAINT user_study_days_counts_check CHECK (((active_seconds >= 0) AND (read_seconds >= 0) AND (pages_read >= 0) AND (sessions >= 0)))
)
WITH (fillfactor='80');


--
-- Name: TABLE user_study_days; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.user_study_days IS 'The per-user rollup of user_study_buckets by local day in the user''s current time zone (users.timezone): day is (bucket_start AT TIME ZONE timezone)::date, exact because every zone offset is a multiple of 15 minutes. Recomputed for the days a write touches, in the same transaction, under the user''s study lock (LockUserStudy); rebuilt whole when the time zone changes. Daily, weekly, streak and heatmap statistics read it.';


--
-- Name: users; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.users (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    email text NOT NULL,
    username text NOT NULL,
    full_name text DEFAULT ''::text NOT NULL,
    timezone text DEFAULT 'UTC'::text NOT NULL,
    password_hash text NOT NULL,
    is_active boolean DEFAULT true NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    last_login_at timestamp with time zone,
    library_version bigint DEFAULT 0 NOT NULL,
    CONSTRAINT users_email_check CHECK ((((length(email) >= 3) AND (length(email) <= 254)) AND (strpos(email, '@'::text) > 1))),
    CONSTRAINT users_full_name_check CHECK ((char_length(full_name) <= 200)),
    CONSTRAINT users_password_hash_check CHECK ((password_hash <> ''::text)),
    CONSTRAINT users_timezone_check CHECK (((char_length(timezone) >= 1) AND (char_length(timezone) <= 64))),
    CONSTRAINT users_username_check CHECK ((username ~ '^[a-z0-9_-]{3,32}$'::text))
);


--
-- Name: TABLE users; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.users IS 'Accounts. The email is unique ignoring case (users_email_key is on lower(email)); the username is stored lower-case, so a plain UNIQUE suffices. Every user-owned table references users with ON DELETE CASCADE: deleting the row deletes the account.';


--
-- Name: COLUMN users.timezone; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.users.timezone IS 'An IANA zone name; day boundaries of the statistics follow it.';


--
-- Name: COLUMN users.password_hash; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.users.password_hash IS 'bcrypt; never sent to clients (responses are built from DTOs, never from rows).';


--
-- Name: COLUMN users.library_version; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.users.library_version IS 'Moves at the commit of every transaction that changed the user''s topics, pdfs, pdf_pages, page_stats, pdf_reading, exercises or bookmarks (note_library_change, apply_library_change). Read with the session check; the read cache keeps list answers under it.';


--
-- Name: bookmarks bookmarks_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.bookmarks
    ADD CONSTRAINT bookmarks_pkey PRIMARY KEY (id);


--
-- Name: estimate_records estimate_records_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.estimate_records
    ADD CONSTRAINT estimate_records_pkey PRIMARY KEY (id);


--
-- Name: exercises exercises_id_user_id_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.exercises
    ADD CONSTRAINT exercises_id_user_id_key UNIQUE (id, user_id);


--
-- Name: exercises exercises_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.exercises
    ADD CONSTRAINT exercises_pkey PRIMARY KEY (id);


--
-- Name: goals goals_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.goals
    ADD CONSTRAINT goals_pkey PRIMARY KEY (id);


--
-- Name: imports imports_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.imports
    ADD CONSTRAINT imports_pkey PRIMARY KEY (id);


--
-- Name: library_changes library_changes_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.library_changes
    ADD CONSTRAINT library_changes_pkey PRIMARY KEY (user_id, xact);


--
-- Name: login_attempts login_attempts_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.login_attempts
    ADD CONSTRAINT login_attempts_pkey PRIMARY KEY (identifier_hash, network);


--
-- Name: login_identifier_attempts login_identifier_attempts_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.login_identifier_attempts
    ADD CONSTRAINT login_identifier_attempts_pkey PRIMARY KEY (identifier_hash);


--
-- Name: page_stats page_stats_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.page_stats
    ADD CONSTRAINT page_stats_pkey PRIMARY KEY (user_id, pdf_id, page);


--
-- Name: pdf_lexemes pdf_lexemes_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.pdf_lexemes
    ADD CONSTRAINT pdf_lexemes_pkey PRIMARY KEY (user_id, lexeme, pdf_id) INCLUDE (occurrences);


--
-- Name: pdf_pages pdf_pages_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.pdf_pages
    ADD CONSTRAINT pdf_pages_pkey PRIMARY KEY (user_id, pdf_id, page);


--
-- Name: pdf_reading pdf_reading_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.pdf_reading
    ADD CONSTRAINT pdf_reading_pkey PRIMARY KEY (user_id, pdf_id);


--
-- Name: pdfs pdfs_id_user_id_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.pdfs
    ADD CONSTRAINT pdfs_id_user_id_key UNIQUE (id, user_id);


--
-- Name: pdfs pdfs_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.pdfs
    ADD CONSTRAINT pdfs_pkey PRIMARY KEY (id);


--
-- Name: pdfs pdfs_storage_key_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.pdfs
    ADD CONSTRAINT pdfs_storage_key_key UNIQUE (storage_key);


--
-- Name: pdfs pdfs_user_sha256_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.pdfs
    ADD CONSTRAINT pdfs_user_sha256_key UNIQUE (user_id, sha256);


--
-- Name: schema_migrations schema_migrations_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.schema_migrations
    ADD CONSTRAINT schema_migrations_pkey PRIMARY KEY (version);


--
-- Name: security_events security_events_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.security_events
    ADD CONSTRAINT security_events_pkey PRIMARY KEY (id);


--
-- Name: study_events study_events_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.study_events
    ADD CONSTRAINT study_events_pkey PRIMARY KEY (session_id, id);


--
-- Name: study_session_buckets study_session_buckets_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.study_session_buckets
    ADD CONSTRAINT study_session_buckets_pkey PRIMARY KEY (session_id, bucket_start);


--
-- Name: study_session_pages study_session_pages_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.study_session_pages
    ADD CONSTRAINT study_session_pages_pkey PRIMARY KEY (session_id, page);


--
-- Name: study_sessions study_sessions_id_user_id_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.study_sessions
    ADD CONSTRAINT study_sessions_id_user_id_key UNIQUE (id, user_id);


--
-- Name: study_sessions study_sessions_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.study_sessions
    ADD CONSTRAINT study_sessions_pkey PRIMARY KEY (id);


--
-- Name: text_job_turns text_job_turns_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.text_job_turns
    ADD CONSTRAINT text_job_turns_pkey PRIMARY KEY (user_id);


--
-- Name: text_jobs text_jobs_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.text_jobs
    ADD CONSTRAINT text_jobs_pkey PRIMARY KEY (pdf_id);


--
-- Name: topics topics_id_user_id_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.topics
    ADD CONSTRAINT topics_id_user_id_key UNIQUE (id, user_id);


--
-- Name: topics topics_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.topics
    ADD CONSTRAINT topics_pkey PRIMARY KEY (id);


--
-- Name: user_preferences user_preferences_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.user_preferences
    ADD CONSTRAINT user_preferences_pkey PRIMARY KEY (user_id);


--
-- Name: user_refresh_tokens user_refresh_tokens_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.user_refresh_tokens
    ADD CONSTRAINT user_refresh_tokens_pkey PRIMARY KEY (token_hash);


--
-- Name: user_sessions user_sessions_id_user_id_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.user_sessions
    ADD CONSTRAINT user_sessions_id_user_id_key UNIQUE (id, user_id);


--
-- Name: user_sessions user_sessions_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.user_sessions
    ADD CONSTRAINT user_sessions_pkey PRIMARY KEY (id);


--
-- Name: user_study_buckets user_study_buckets_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.user_study_buckets
    ADD CONSTRAINT user_study_buckets_pkey PRIMARY KEY (user_id, bucket_start);


--
-- Name: user_study_days user_study_days_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.user_study_days
    ADD CONSTRAINT user_study_days_pkey PRIMARY KEY (user_id, day);


--
-- Name: users users_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.users
    ADD CONSTRAINT users_pkey PRIMARY KEY (id);


--
-- Name: users users_username_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.users
    ADD CONSTRAINT users_username_key UNIQUE (username);


--
-- Name: bookmarks_pdf_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX bookmarks_pdf_idx ON public.bookmarks USING btree (pdf_id, user_id, page, id);


--
-- Name: INDEX bookmarks_pdf_idx; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON INDEX public.bookmarks_pdf_idx IS 'Serves ListBookmarks (a PDF''s bookmarks in page order), the bookmark ids of ListPDFPages and the ON DELETE CASCADE from pdfs.';


--
-- Name: estimate_records_exercise_key; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX estimate_records_exercise_key ON public.estimate_records USING btree (exercise_id, user_id);


--
-- Name: INDEX estimate_records_exercise_key; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON INDEX public.estimate_records_exercise_key IS 'One record per exercise. Serves the start check, FinishExerciseEstimateRecord and the ON DELETE SET NULL from exercises.';


--
-- Name: estimate_records_pdf_key; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX estimate_records_pdf_key ON public.estimate_records USING btree (pdf_id, user_id);


--
-- Name: INDEX estimate_records_pdf_key; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON INDEX public.estimate_records_pdf_key IS 'One record per PDF (exercise records have no pdf_id; deleted PDFs leave NULLs, which do not collide). Serves the start check, FinishPDFEstimateRecord and the ON DELETE SET NULL from pdfs.';


--
-- Name: estimate_records_session_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX estimate_records_session_idx ON public.estimate_records USING btree (finished_session_id, user_id) WHERE (finished_session_id IS NOT NULL);


--
-- Name: INDEX estimate_records_session_idx; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON INDEX public.estimate_records_session_idx IS 'Serves the updates of actual_seconds while the finishing session runs, and the ON DELETE SET NULL from study_sessions.';


--
-- Name: estimate_records_topic_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX estimate_records_topic_idx ON public.estimate_records USING btree (topic_id, user_id) WHERE (topic_id IS NOT NULL);


--
-- Name: INDEX estimate_records_topic_idx; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON INDEX public.estimate_records_topic_idx IS 'Serves the ON DELETE SET NULL from topics.';


--
-- Name: estimate_records_user_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX estimate_records_user_idx ON public.estimate_records USING btree (user_id, finished_at);


--
-- Name: INDEX estimate_records_user_idx; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON INDEX public.estimate_records_user_idx IS 'Serves GetEstimateAccuracy (the user''s finished records) and the ON DELETE CASCADE from users.';


--
-- Name: exercises_exercise_pdf_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX exercises_exercise_pdf_idx ON public.exercises USING btree (exercise_pdf_id, user_id) WHERE (exercise_pdf_id IS NOT NULL);


--
-- Name: INDEX exercises_exercise_pdf_idx; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON INDEX public.exercises_exercise_pdf_idx IS 'Serves the ON DELETE SET NULL from the exercise PDF.';


--
-- Name: INDEX exercises_id_user_id_key; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON INDEX public.exercises_id_user_id_key IS 'Target of study_sessions_exercise_fkey: a session names its exercise and its owner.';


--
-- Name: exercises_pdf_pages_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX exercises_pdf_pages_idx ON public.exercises USING btree (pdf_id, user_id, page_start, page_end);


--
-- Name: INDEX exercises_pdf_pages_idx; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON INDEX public.exercises_pdf_pages_idx IS 'Serves ListPDFExercises, ListPageExercises, the exercise counts of pdf_stats and ListTopicStats, the exercise ids of ListPDFPages and the ON DELETE CASCADE from the study PDF.';


--
-- Name: exercises_user_created_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX exercises_user_created_idx ON public.exercises USING btree (user_id, created_at DESC, id DESC);


--
-- Name: INDEX exercises_user_created_idx; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON INDEX public.exercises_user_created_idx IS 'Serves ListExercises (newest first, keyset).';


--
-- Name: goals_daily_key; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX goals_daily_key ON public.goals USING btree (user_id, kind) WHERE (kind = ANY (ARRAY['daily_minutes'::text, 'daily_pages'::text]));


--
-- Name: goals_pdf_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX goals_pdf_idx ON public.goals USING btree (pdf_id, user_id) WHERE (pdf_id IS NOT NULL);


--
-- Name: INDEX goals_pdf_idx; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON INDEX public.goals_pdf_idx IS 'Serves the cascade when a PDF is deleted.';


--
-- Name: goals_pdf_key; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX goals_pdf_key ON public.goals USING btree (user_id, pdf_id) WHERE (kind = 'finish_pdf_by'::text);


--
-- Name: goals_topic_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX goals_topic_idx ON public.goals USING btree (topic_id, user_id) WHERE (topic_id IS NOT NULL);


--
-- Name: INDEX goals_topic_idx; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON INDEX public.goals_topic_idx IS 'Serves the cascade when a topic is deleted.';


--
-- Name: goals_topic_key; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX goals_topic_key ON public.goals USING btree (user_id, topic_id) WHERE (kind = 'finish_topic_by'::text);


--
-- Name: goals_user_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX goals_user_idx ON public.goals USING btree (user_id, created_at, id);


--
-- Name: INDEX goals_user_idx; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON INDEX public.goals_user_idx IS 'Serves ListGoals and CountGoals.';


--
-- Name: imports_user_started_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX imports_user_started_idx ON public.imports USING btree (user_id, started_at DESC, id DESC);


--
-- Name: INDEX imports_user_started_idx; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON INDEX public.imports_user_started_idx IS 'Serves ListImports (newest first, keyset) and the ON DELETE CASCADE from users.';


--
-- Name: login_attempts_last_attempt_at_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX login_attempts_last_attempt_at_idx ON public.login_attempts USING btree (last_attempt_at);


--
-- Name: INDEX login_attempts_last_attempt_at_idx; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON INDEX public.login_attempts_last_attempt_at_idx IS 'Serves DeleteOldLoginAttempts (sweeper).';


--
-- Name: login_identifier_attempts_next_allowed_at_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX login_identifier_attempts_next_allowed_at_idx ON public.login_identifier_attempts USING btree (next_allowed_at);


--
-- Name: INDEX login_identifier_attempts_next_allowed_at_idx; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON INDEX public.login_identifier_attempts_next_allowed_at_idx IS 'Serves DeleteOldLoginAttempts (sweeper).';


--
-- Name: page_stats_pdf_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX page_stats_pdf_idx ON public.page_stats USING btree (pdf_id, user_id);


--
-- Name: INDEX page_stats_pdf_idx; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON INDEX public.page_stats_pdf_idx IS 'Serves the ON DELETE CASCADE from pdfs (page_stats_pdf_fkey); lookups by user and PDF use the primary key.';


--
-- Name: page_stats_read_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX page_stats_read_idx ON public.page_stats USING btree (user_id, pdf_id, first_read_at) WHERE (first_read_at IS NOT NULL);


--
-- Name: INDEX page_stats_read_idx; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON INDEX public.page_stats_read_idx IS 'The pages with counted reading, per PDF, by when each was first read: serves ListEstimatePDFs (pages read and first-read span per PDF, an index-only scan), ListEstimateObservations (a PDF''s pages first read since a time) and FinishPDFEstimateRecord.';


--
-- Name: pdf_lexemes_pdf_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX pdf_lexemes_pdf_idx ON public.pdf_lexemes USING btree (pdf_id, user_id);


--
-- Name: INDEX pdf_lexemes_pdf_idx; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON INDEX public.pdf_lexemes_pdf_idx IS 'Removes a PDF''s rows on re-extraction (DeletePDFLexemes) and on delete (the cascade of pdf_lexemes_pdf_fkey).';


--
-- Name: INDEX pdf_lexemes_pkey; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON INDEX public.pdf_lexemes_pkey IS 'Serves SearchLibrary: this user''s PDFs containing a lexeme, or a range of lexemes for a prefix, with their counts (index-only scan).';


--
-- Name: pdf_pages_pdf_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX pdf_pages_pdf_idx ON public.pdf_pages USING btree (pdf_id, user_id);


--
-- Name: INDEX pdf_pages_pdf_idx; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON INDEX public.pdf_pages_pdf_idx IS 'Serves DeletePDFPages and the ON DELETE CASCADE from pdfs; ListPDFPages uses the primary key.';


--
-- Name: pdf_pages_search_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX pdf_pages_search_idx ON public.pdf_pages USING gin (pdf_id, tsv);


--
-- Name: INDEX pdf_pages_search_idx; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON INDEX public.pdf_pages_search_idx IS 'Page-level search runs within one PDF at a time (SearchPDFPages snippets, the phrase check of SearchLibrary), so the index leads with the PDF (btree_gin).';


--
-- Name: pdf_pages_words_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX pdf_pages_words_idx ON public.pdf_pages USING btree (user_id, pdf_id, page) INCLUDE (word_count);


--
-- Name: INDEX pdf_pages_words_idx; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON INDEX public.pdf_pages_words_idx IS 'Word counts without reading the page text (an index-only scan): serves ListEstimatePageWords.';


--
-- Name: INDEX pdf_reading_pkey; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON INDEX public.pdf_reading_pkey IS 'Serves pdf_stats and ListTopicStats (one PDF''s row), RefreshPDFReading and the ON DELETE CASCADE from pdfs.';


--
-- Name: INDEX pdfs_id_user_id_key; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON INDEX public.pdfs_id_user_id_key IS 'Target of the owner-carrying foreign keys from page_stats, bookmarks, exercises, pdf_pages, pdf_search and text_jobs.';


--
-- Name: INDEX pdfs_storage_key_key; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON INDEX public.pdfs_storage_key_key IS 'One row per stored file; serves ListExistingStorageKeys (orphan sweep).';


--
-- Name: pdfs_topic_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX pdfs_topic_idx ON public.pdfs USING btree (topic_id, user_id) WHERE (topic_id IS NOT NULL);


--
-- Name: INDEX pdfs_topic_idx; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON INDEX public.pdfs_topic_idx IS 'Serves ListPDFs by topic, ListTopicStats, CountTopicContents, DeletePDFsInTopics and the check of pdfs_topic_fkey on topic deletion.';


--
-- Name: pdfs_user_created_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX pdfs_user_created_idx ON public.pdfs USING btree (user_id, created_at DESC, id DESC);


--
-- Name: INDEX pdfs_user_created_idx; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON INDEX public.pdfs_user_created_idx IS 'Serves ListPDFs (newest first, keyset on created_at, id).';


--
-- Name: INDEX pdfs_user_sha256_key; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON INDEX public.pdfs_user_sha256_key IS 'The same bytes once per user; serves GetPDFIDBySHA256 (duplicate uploads answer 409).';


--
-- Name: security_events_created_at_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX security_events_created_at_idx ON public.security_events USING btree (created_at);


--
-- Name: INDEX security_events_created_at_idx; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON INDEX public.security_events_created_at_idx IS 'Serves DeleteOldSecurityEvents (sweeper, retention).';


--
-- Name: security_events_user_id_created_at_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX security_events_user_id_created_at_idx ON public.security_events USING btree (user_id, created_at DESC, id DESC);


--
-- Name: INDEX security_events_user_id_created_at_idx; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON INDEX public.security_events_user_id_created_at_idx IS 'Serves ListSecurityEvents (newest first, keyset) and DeleteUserSecurityEvents.';


--
-- Name: INDEX study_events_pkey; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON INDEX public.study_events_pkey IS 'Serves ListStudyEventsByID (duplicates of a batch), ListStudyEvents (a replay, sorted by at and seq) and the ON DELETE CASCADE from study_sessions.';


--
-- Name: study_session_buckets_pdf_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX study_session_buckets_pdf_idx ON public.study_session_buckets USING btree (user_id, pdf_id, bucket_start);


--
-- Name: INDEX study_session_buckets_pdf_idx; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON INDEX public.study_session_buckets_pdf_idx IS 'Serves the per-PDF pace by week.';


--
-- Name: study_session_buckets_user_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX study_session_buckets_user_idx ON public.study_session_buckets USING btree (user_id, bucket_start);


--
-- Name: INDEX study_session_buckets_user_idx; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON INDEX public.study_session_buckets_user_idx IS 'Serves RefreshUserStudyBuckets.';


--
-- Name: study_session_pages_page_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX study_session_pages_page_idx ON public.study_session_pages USING btree (user_id, pdf_id, page);


--
-- Name: INDEX study_session_pages_page_idx; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON INDEX public.study_session_pages_page_idx IS 'Serves RefreshPageStats (summing one page over all sessions).';


--
-- Name: study_sessions_exercise_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX study_sessions_exercise_idx ON public.study_sessions USING btree (exercise_id, user_id) WHERE (exercise_id IS NOT NULL);


--
-- Name: INDEX study_sessions_exercise_idx; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON INDEX public.study_sessions_exercise_idx IS 'Serves RefreshExerciseTimeSpent, ListStudySessions by exercise and the ON DELETE SET NULL from exercises.';


--
-- Name: study_sessions_pdf_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX study_sessions_pdf_idx ON public.study_sessions USING btree (pdf_id, user_id);


--
-- Name: INDEX study_sessions_pdf_idx; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON INDEX public.study_sessions_pdf_idx IS 'Serves ListStudySessions by PDF and the ON DELETE CASCADE from pdfs.';


--
-- Name: study_sessions_quiet_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX study_sessions_quiet_idx ON public.study_sessions USING btree (last_heard_at) WHERE (ended_at IS NULL);


--
-- Name: INDEX study_sessions_quiet_idx; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON INDEX public.study_sessions_quiet_idx IS 'Serves ListQuietStudySessions (the sweeper that ends sessions nobody heard from).';


--
-- Name: study_sessions_running_key; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX study_sessions_running_key ON public.study_sessions USING btree (user_id) WHERE (ended_at IS NULL);


--
-- Name: INDEX study_sessions_running_key; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON INDEX public.study_sessions_running_key IS 'At most one running session per user; serves GetRunningStudySession and the supersede on start.';


--
-- Name: study_sessions_user_started_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX study_sessions_user_started_idx ON public.study_sessions USING btree (user_id, started_at DESC, id DESC);


--
-- Name: INDEX study_sessions_user_started_idx; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON INDEX public.study_sessions_user_started_idx IS 'Serves ListStudySessions (newest first, keyset) and the sessions count of RefreshUserStudyBuckets.';


--
-- Name: text_jobs_leased_until_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX text_jobs_leased_until_idx ON public.text_jobs USING btree (leased_until) WHERE (leased_until IS NOT NULL);


--
-- Name: INDEX text_jobs_leased_until_idx; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON INDEX public.text_jobs_leased_until_idx IS 'Counts the running jobs per user when a job is claimed.';


--
-- Name: text_jobs_user_due_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX text_jobs_user_due_idx ON public.text_jobs USING btree (user_id, run_after, created_at);


--
-- Name: INDEX text_jobs_user_due_idx; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON INDEX public.text_jobs_user_due_idx IS 'Finds the users with queued jobs (one probe each) and each one''s oldest due job when a job is claimed.';


--
-- Name: INDEX topics_id_user_id_key; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON INDEX public.topics_id_user_id_key IS 'Target of the owner-carrying foreign keys (topics_parent_fkey, pdfs_topic_fkey).';


--
-- Name: topics_parent_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX topics_parent_idx ON public.topics USING btree (parent_id, user_id) WHERE (parent_id IS NOT NULL);


--
-- Name: INDEX topics_parent_idx; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON INDEX public.topics_parent_idx IS 'Serves the recursive subtree walks (ListTopicSubtree, ListTopicStats, ListExercises by topic), CountTopicContents and the ON DELETE CASCADE of subtopics.';


--
-- Name: topics_sibling_name_key; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX topics_sibling_name_key ON public.topics USING btree (user_id, parent_id, lower(name)) NULLS NOT DISTINCT;


--
-- Name: INDEX topics_sibling_name_key; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON INDEX public.topics_sibling_name_key IS 'Sibling names are unique ignoring case; root topics are siblings too (NULLS NOT DISTINCT).';


--
-- Name: user_refresh_tokens_live_key; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX user_refresh_tokens_live_key ON public.user_refresh_tokens USING btree (session_id) WHERE (rotated_at IS NULL);


--
-- Name: INDEX user_refresh_tokens_live_key; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON INDEX public.user_refresh_tokens_live_key IS 'At most one live token per session; serves CheckLiveRefreshToken.';


--
-- Name: user_refresh_tokens_session_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX user_refresh_tokens_session_idx ON public.user_refresh_tokens USING btree (session_id, user_id);


--
-- Name: INDEX user_refresh_tokens_session_idx; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON INDEX public.user_refresh_tokens_session_idx IS 'Serves DeleteSessionRefreshTokens and the ON DELETE CASCADE from user_sessions.';


--
-- Name: user_sessions_expires_at_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX user_sessions_expires_at_idx ON public.user_sessions USING btree (expires_at);


--
-- Name: INDEX user_sessions_expires_at_idx; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON INDEX public.user_sessions_expires_at_idx IS 'Serves DeleteStaleSessions (expired sessions).';


--
-- Name: INDEX user_sessions_id_user_id_key; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON INDEX public.user_sessions_id_user_id_key IS 'Target of user_refresh_tokens_session_fkey: a token names its session and its owner.';


--
-- Name: user_sessions_revoked_at_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX user_sessions_revoked_at_idx ON public.user_sessions USING btree (revoked_at) WHERE (revoked_at IS NOT NULL);


--
-- Name: INDEX user_sessions_revoked_at_idx; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON INDEX public.user_sessions_revoked_at_idx IS 'Serves DeleteStaleSessions (revoked sessions past retention).';


--
-- Name: user_sessions_user_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX user_sessions_user_id_idx ON public.user_sessions USING btree (user_id, created_at);


--
-- Name: INDEX user_sessions_user_id_idx; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON INDEX public.user_sessions_user_id_idx IS 'Serves ListLiveSessions (newest first) and RevokeUserSessions.';


--
-- Name: users_email_key; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX users_email_key ON public.users USING btree (lower(email));


--
-- Name: INDEX users_email_key; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON INDEX public.users_email_key IS 'Email uniqueness ignoring case; serves GetUserByLogin (login by email).';


--
-- Name: INDEX users_username_key; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON INDEX public.users_username_key IS 'Username uniqueness; serves GetUserByLogin (login by username).';


--
-- Name: bookmarks bookmarks_library_version_delete; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER bookmarks_library_version_delete AFTER DELETE ON public.bookmarks REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION public.note_library_change();


--
-- Name: bookmarks bookmarks_library_version_insert; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER bookmarks_library_version_insert AFTER INSERT ON public.bookmarks REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION public.note_library_change();


--
-- Name: bookmarks bookmarks_library_version_update; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER bookmarks_library_version_update AFTER UPDATE ON public.bookmarks REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION public.note_library_change();


--
-- Name: exercises exercises_library_version_delete; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER exercises_library_version_delete AFTER DELETE ON public.exercises REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION public.note_library_change();


--
-- Name: exercises exercises_library_version_insert; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER exercises_library_version_insert AFTER INSERT ON public.exercises REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION public.note_library_change();


--
-- Name: exercises exercises_library_version_update; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER exercises_library_version_update AFTER UPDATE ON public.exercises REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION public.note_library_change();


--
-- Name: library_changes library_changes_apply; Type: TRIGGER; Schema: public; Owner: -
--

CREATE CONSTRAINT TRIGGER library_changes_apply AFTER INSERT ON public.library_changes DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION public.apply_library_change();


--
-- Name: page_stats page_stats_library_version_delete; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER page_stats_library_version_delete AFTER DELETE ON public.page_stats REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION public.note_library_change();


--
-- Name: page_stats page_stats_library_version_insert; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER page_stats_library_version_insert AFTER INSERT ON public.page_stats REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION public.note_library_change();


--
-- Name: page_stats page_stats_library_version_update; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER page_stats_library_version_update AFTER UPDATE ON public.page_stats REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION public.note_library_change();


--
-- Name: pdf_pages pdf_pages_library_version_delete; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER pdf_pages_library_version_delete AFTER DELETE ON public.pdf_pages REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION public.note_library_change();


--
-- Name: pdf_pages pdf_pages_library_version_insert; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER pdf_pages_library_version_insert AFTER INSERT ON public.pdf_pages REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION public.note_library_change();


--
-- Name: pdf_pages pdf_pages_library_version_update; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER pdf_pages_library_version_update AFTER UPDATE ON public.pdf_pages REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION public.note_library_change();


--
-- Name: pdf_reading pdf_reading_library_version_delete; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER pdf_reading_library_version_delete AFTER DELETE ON public.pdf_reading REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION public.note_library_change();


--
-- Name: pdf_reading pdf_reading_library_version_insert; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER pdf_reading_library_version_insert AFTER INSERT ON public.pdf_reading REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION public.note_library_change();


--
-- Name: pdf_reading pdf_reading_library_version_update; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER pdf_reading_library_version_update AFTER UPDATE ON public.pdf_reading REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION public.note_library_change();


--
-- Name: pdfs pdfs_library_version_delete; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER pdfs_library_version_delete AFTER DELETE ON public.pdfs REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION public.note_library_change();


--
-- Name: pdfs pdfs_library_version_insert; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER pdfs_library_version_insert AFTER INSERT ON public.pdfs REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION public.note_library_change();


--
-- Name: pdfs pdfs_library_version_update; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER pdfs_library_version_update AFTER UPDATE ON public.pdfs REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION public.note_library_change();


--
-- Name: topics topics_library_version_delete; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER topics_library_version_delete AFTER DELETE ON public.topics REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION public.note_library_change();


--
-- Name: topics topics_library_version_insert; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER topics_library_version_insert AFTER INSERT ON public.topics REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION public.note_library_change();


--
-- Name: topics topics_library_version_update; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER topics_library_version_update AFTER UPDATE ON public.topics REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION public.note_library_change();


--
-- Name: bookmarks bookmarks_pdf_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.bookmarks
    ADD CONSTRAINT bookmarks_pdf_fkey FOREIGN KEY (pdf_id, user_id) REFERENCES public.pdfs(id, user_id) ON DELETE CASCADE;


--
-- Name: estimate_records estimate_records_exercise_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.estimate_records
    ADD CONSTRAINT estimate_records_exercise_fkey FOREIGN KEY (exercise_id, user_id) REFERENCES public.exercises(id, user_id) ON DELETE SET NULL (exercise_id);


--
-- Name: estimate_records estimate_records_finished_session_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.estimate_records
    ADD CONSTRAINT estimate_records_finished_session_fkey FOREIGN KEY (finished_session_id, user_id) REFERENCES public.study_sessions(id, user_id) ON DELETE SET NULL (finished_session_id);


--
-- Name: estimate_records estimate_records_pdf_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.estimate_records
    ADD CONSTRAINT estimate_records_pdf_fkey FOREIGN KEY (pdf_id, user_id) REFERENCES public.pdfs(id, user_id) ON DELETE SET NULL (pdf_id);


--
-- Name: estimate_records estimate_records_topic_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.estimate_records
    ADD CONSTRAINT estimate_records_topic_fkey FOREIGN KEY (topic_id, user_id) REFERENCES public.topics(id, user_id) ON DELETE SET NULL (topic_id);


--
-- Name: estimate_records estimate_records_user_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.estimate_records
    ADD CONSTRAINT estimate_records_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id) ON DELETE CASCADE;


--
-- Name: exercises exercises_exercise_pdf_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.exercises
    ADD CONSTRAINT exercises_exercise_pdf_fkey FOREIGN KEY (exercise_pdf_id, user_id) REFERENCES public.pdfs(id, user_id) ON DELETE SET NULL (exercise_pdf_id);


--
-- Name: exercises exercises_pdf_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.exercises
    ADD CONSTRAINT exercises_pdf_fkey FOREIGN KEY (pdf_id, user_id) REFERENCES public.pdfs(id, user_id) ON DELETE CASCADE;


--
-- Name: goals goals_pdf_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.goals
    ADD CONSTRAINT goals_pdf_fkey FOREIGN KEY (pdf_id, user_id) REFERENCES public.pdfs(id, user_id) ON DELETE CASCADE;


--
-- Name: goals goals_topic_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.goals
    ADD CONSTRAINT goals_topic_fkey FOREIGN KEY (topic_id, user_id) REFERENCES public.topics(id, user_id) ON DELETE CASCADE;


--
-- Name: goals goals_user_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.goals
    ADD CONSTRAINT goals_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id) ON DELETE CASCADE;


--
-- Name: imports imports_user_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.imports
    ADD CONSTRAINT imports_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id) ON DELETE CASCADE;


--
-- Name: page_stats page_stats_pdf_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.page_stats
    ADD CONSTRAINT page_stats_pdf_fkey FOREIGN KEY (pdf_id, user_id) REFERENCES public.pdfs(id, user_id) ON DELETE CASCADE;


--
-- Name: pdf_lexemes pdf_lexemes_pdf_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.pdf_lexemes
    ADD CONSTRAINT pdf_lexemes_pdf_fkey FOREIGN KEY (pdf_id, user_id) REFERENCES public.pdfs(id, user_id) ON DELETE CASCADE;


--
-- Name: pdf_pages pdf_pages_pdf_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.pdf_pages
    ADD CONSTRAINT pdf_pages_pdf_fkey FOREIGN KEY (pdf_id, user_id) REFERENCES public.pdfs(id, user_id) ON DELETE CASCADE;


--
-- Name: pdf_reading pdf_reading_pdf_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.pdf_reading
    ADD CONSTRAINT pdf_reading_pdf_fkey FOREIGN KEY (pdf_id, user_id) REFERENCES public.pdfs(id, user_id) ON DELETE CASCADE;


--
-- Name: pdfs pdfs_topic_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.pdfs
    ADD CONSTRAINT pdfs_topic_fkey FOREIGN KEY (topic_id, user_id) REFERENCES public.topics(id, user_id);


--
-- Name: pdfs pdfs_user_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.pdfs
    ADD CONSTRAINT pdfs_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id) ON DELETE CASCADE;


--
-- Name: study_events study_events_session_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.study_events
    ADD CONSTRAINT study_events_session_fkey FOREIGN KEY (session_id, user_id) REFERENCES public.study_sessions(id, user_id) ON DELETE CASCADE;


--
-- Name: study_session_buckets study_session_buckets_session_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.study_session_buckets
    ADD CONSTRAINT study_session_buckets_session_fkey FOREIGN KEY (session_id, user_id) REFERENCES public.study_sessions(id, user_id) ON DELETE CASCADE;


--
-- Name: study_session_pages study_session_pages_session_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.study_session_pages
    ADD CONSTRAINT study_session_pages_session_fkey FOREIGN KEY (session_id, user_id) REFERENCES public.study_sessions(id, user_id) ON DELETE CASCADE;


--
-- Name: study_sessions study_sessions_exercise_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.study_sessions
    ADD CONSTRAINT study_sessions_exercise_fkey FOREIGN KEY (exercise_id, user_id) REFERENCES public.exercises(id, user_id) ON DELETE SET NULL (exercise_id);


--
-- Name: study_sessions study_sessions_pdf_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.study_sessions
    ADD CONSTRAINT study_sessions_pdf_fkey FOREIGN KEY (pdf_id, user_id) REFERENCES public.pdfs(id, user_id) ON DELETE CASCADE;


--
-- Name: study_sessions study_sessions_user_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.study_sessions
    ADD CONSTRAINT study_sessions_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id) ON DELETE CASCADE;


--
-- Name: text_job_turns text_job_turns_user_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.text_job_turns
    ADD CONSTRAINT text_job_turns_user_fkey FOREIGN KEY (user_id) REFERENCES public.users(id) ON DELETE CASCADE;


--
-- Name: text_jobs text_jobs_pdf_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.text_jobs
    ADD CONSTRAINT text_jobs_pdf_fkey FOREIGN KEY (pdf_id, user_id) REFERENCES public.pdfs(id, user_id) ON DELETE CASCADE;


--
-- Name: topics topics_parent_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.topics
    ADD CONSTRAINT topics_parent_fkey FOREIGN KEY (parent_id, user_id) REFERENCES public.topics(id, user_id) ON DELETE CASCADE;


--
-- Name: topics topics_user_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.topics
    ADD CONSTRAINT topics_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id) ON DELETE CASCADE;


--
-- Name: user_preferences user_preferences_user_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.user_preferences
    ADD CONSTRAINT user_preferences_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id) ON DELETE CASCADE;


--
-- Name: user_refresh_tokens user_refresh_tokens_session_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.user_refresh_tokens
    ADD CONSTRAINT user_refresh_tokens_session_fkey FOREIGN KEY (session_id, user_id) REFERENCES public.user_sessions(id, user_id) ON DELETE CASCADE;


--
-- Name: user_sessions user_sessions_user_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.user_sessions
    ADD CONSTRAINT user_sessions_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id) ON DELETE CASCADE;


--
-- Name: user_study_buckets user_study_buckets_user_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.user_study_buckets
    ADD CONSTRAINT user_study_buckets_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id) ON DELETE CASCADE;


--
-- Name: user_study_days user_study_days_user_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.user_study_days
    ADD CONSTRAINT user_study_days_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id) ON DELETE CASCADE;


--
-- PostgreSQL database dump complete
--

\unrestrict dbmate


--
-- Dbmate schema migrations
--

INSERT INTO public.schema_migrations (version) VALUES
    ('20261125120000'),
    ('20261125130000'),
    ('20261125140000'),
    ('20261125150000'),
    ('20261125160000'),
    ('20261201100000'),
    ('20261201110000'),
    ('20261201130000'),
    ('20261201140000'),
    ('20261201150000'),
    ('20261201150100'),
    ('20261201160000'),
    ('20261201170000'),
    ('20261201200000'),
    ('20261202100000'),
    ('20261202110000'),
    ('20261203100000');
