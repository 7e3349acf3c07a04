-- migrate:up

-- users.library_version counts the changes to what a user's library lists
-- show: topics, PDFs, their pages (word counts), reading time (page_stats
-- and its rollup pdf_reading), exercises and bookmarks. The database moves
-- it itself, so any writer (a handler, a text worker, an import, the seed, a
-- DBA's UPDATE) does, and it becomes visible at the same commit as the rows
-- it counts. The per-request session check reads it with the user row, and
-- the read cache (internal/readcache) answers GET /api/v1/topics and
-- GET /api/v1/pdfs/{id}/pages from memory while it has not moved.
--
-- Two steps, so that the user's row is locked only for the moment of the
-- commit: a statement-level trigger on each of those tables notes the users
-- a statement changed in library_changes (once per user and transaction),
-- and a deferred constraint trigger on library_changes bumps the version
-- and removes the note when the transaction commits. A bump at each
-- statement instead would hold the user row's lock from the first change to
-- the commit: a text extraction writing a PDF's pages for a minute would
-- stall every timer batch of its user, and a transaction taking the row
-- before a PDF's lock could deadlock with a batch that takes them the other
-- way round.
ALTER TABLE users ADD COLUMN library_version bigint NOT NULL DEFAULT 0;

COMMENT ON COLUMN users.library_version IS 'Moves at the commit of every transaction that changed the user''s topics, pdfs, pdf_pages, page_stats, pdf_reading, exercises or bookmarks (note_library_change, apply_library_change). Read with the session check; the read cache keeps list answers under it.';

-- Unlogged: a note lives only inside its transaction (it is deleted before
-- the commit), so there is nothing to recover after a crash.
CREATE UNLOGGED TABLE library_changes (
    user_id uuid NOT NULL,
    xact    xid8 NOT NULL DEFAULT pg_current_xact_id(),
    CONSTRAINT library_changes_pkey PRIMARY KEY (user_id, xact)
);

COMMENT ON TABLE library_changes IS 'Users whose library the running transaction changed (one row per user and transaction, from note_library_change); apply_library_change bumps users.library_version and deletes the row at the commit, so the table is empty between transactions.';

CREATE FUNCTION note_library_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO library_changes (user_id)
    SELECT DISTINCT user_id FROM changed
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$;

COMMENT ON FUNCTION note_library_change() IS 'AFTER … FOR EACH STATEMENT trigger: notes in library_changes every user with a row in the statement''s transition table `changed` (new rows for INSERT and UPDATE, old rows for DELETE).';

CREATE FUNCTION apply_library_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE users SET library_version = library_version + 1 WHERE id = NEW.user_id;
    DELETE FROM library_changes WHERE user_id = NEW.user_id AND xact = NEW.xact;
    RETURN NULL;
END
$$;

COMMENT ON FUNCTION apply_library_change() IS 'Deferred to the commit (library_changes_apply): bumps the noted user''s library_version and deletes the note.';

CREATE CONSTRAINT TRIGGER library_changes_apply AFTER INSERT ON library_changes
DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION apply_library_change();

CREATE TRIGGER topics_library_version_insert AFTER INSERT ON topics REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION note_library_change();
CREATE TRIGGER topics_library_version_update AFTER UPDATE ON topics REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION note_library_change();
CREATE TRIGGER topics_library_version_delete AFTER DELETE ON topics REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION note_library_change();

CREATE TRIGGER pdfs_library_version_insert AFTER INSERT ON pdfs REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION note_library_change();
CREATE TRIGGER pdfs_library_version_update AFTER UPDATE ON pdfs REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION note_library_change();
CREATE TRIGGER pdfs_library_version_delete AFTER DELETE ON pdfs REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION note_library_change();

CREATE TRIGGER pdf_pages_library_version_insert AFTER INSERT ON pdf_pages REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION note_library_change();
CREATE TRIGGER pdf_pages_library_version_update AFTER UPDATE ON pdf_pages REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION note_library_change();
CREATE TRIGGER pdf_pages_library_version_delete AFTER DELETE ON pdf_pages REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION note_library_change();

CREATE TRIGGER page_stats_library_version_insert AFTER INSERT ON page_stats REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION note_library_change();
CREATE TRIGGER page_stats_library_version_update AFTER UPDATE ON page_stats REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION note_library_change();
CREATE TRIGGER page_stats_library_version_delete AFTER DELETE ON page_stats REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION note_library_change();

CREATE TRIGGER pdf_reading_library_version_insert AFTER INSERT ON pdf_reading REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION note_library_change();
CREATE TRIGGER pdf_reading_library_version_update AFTER UPDATE ON pdf_reading REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION note_library_change();
CREATE TRIGGER pdf_reading_library_version_delete AFTER DELETE ON pdf_reading REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION note_library_change();

CREATE TRIGGER exercises_library_version_insert AFTER INSERT ON exercises REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION note_library_change();
CREATE TRIGGER exercises_library_version_update AFTER UPDATE ON exercises REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION note_library_change();
CREATE TRIGGER exercises_library_version_delete AFTER DELETE ON exercises REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION note_library_change();

CREATE TRIGGER bookmarks_library_version_insert AFTER INSERT ON bookmarks REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION note_library_change();
CREATE TRIGGER bookmarks_library_version_update AFTER UPDATE ON bookmarks REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION note_library_change();
CREATE TRIGGER bookmarks_library_version_delete AFTER DELETE ON bookmarks REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION note_library_change();

-- migrate:down
DROP TRIGGER bookmarks_library_version_delete ON bookmarks;
DROP TRIGGER bookmarks_library_version_update ON bookmarks;
DROP TRIGGER bookmarks_library_version_insert ON bookmarks;
DROP TRIGGER exercises_library_version_delete ON exercises;
DROP TRIGGER exercises_library_version_update ON exercises;
DROP TRIGGER exercises_library_version_insert ON exercises;
DROP TRIGGER pdf_reading_library_version_delete ON pdf_reading;
DROP TRIGGER pdf_reading_library_version_update ON pdf_reading;
DROP TRIGGER pdf_reading_library_version_insert ON pdf_reading;
DROP TRIGGER page_stats_library_version_delete ON page_stats;
DROP TRIGGER page_stats_library_version_update ON page_stats;
DROP TRIGGER page_stats_library_version_insert ON page_stats;
DROP TRIGGER pdf_pages_library_version_delete ON pdf_pages;
DROP TRIGGER pdf_pages_library_version_update ON pdf_pages;
DROP TRIGGER pdf_pages_library_version_insert ON pdf_pages;
DROP TRIGGER pdfs_library_version_delete ON pdfs;
DROP TRIGGER pdfs_library_version_update ON pdfs;
DROP TRIGGER pdfs_library_version_insert ON pdfs;
DROP TRIGGER topics_library_version_delete ON topics;
DROP TRIGGER topics_library_version_update ON topics;
DROP TRIGGER topics_library_version_insert ON topics;
DROP TRIGGER library_changes_apply ON library_changes;
DROP FUNCTION apply_library_change();
DROP FUNCTION note_library_change();
DROP TABLE library_changes;
ALTER TABLE users DROP COLUMN library_version;
