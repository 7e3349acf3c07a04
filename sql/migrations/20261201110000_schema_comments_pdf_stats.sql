-- migrate:up

-- What the earlier migrations explained in -- comments, which pg_dump drops,
-- as COMMENT ON so sql/schema.sql carries it for review; every index says
-- which queries it serves. Plus: one CHECK list for revoke reasons, and the
-- per-PDF statistics that GetPDF and ListPDFs shared as a copied select list
-- in one view.

COMMENT ON TABLE users IS 'Accounts. The email is unique ignoring case (users_email_key is on lower(email)); the username is stored lower-case, so a plain UNIQUE suffices. Every user-owned table references users with ON DELETE CASCADE: deleting the row deletes the account.';
COMMENT ON COLUMN users.password_hash IS 'bcrypt; never sent to clients (responses are built from DTOs, never from rows).';
COMMENT ON COLUMN users.timezone IS 'An IANA zone name; day boundaries of the statistics follow it.';
COMMENT ON INDEX users_email_key IS 'Email uniqueness ignoring case; serves GetUserByLogin (login by email).';
COMMENT ON INDEX users_username_key IS 'Username uniqueness; serves GetUserByLogin (login by username).';

COMMENT ON TABLE user_preferences IS 'One row per user, created in the same transaction as the user. Typed columns with defaults; every range is enforced here as well as in the API (a test keeps the two in step).';

COMMENT ON TABLE user_sessions IS 'One row per login (a device). The refresh tokens live in user_refresh_tokens; expires_at slides on each refresh and never passes absolute_expires_at.';
COMMENT ON COLUMN user_sessions.refresh_secret IS 'Derives each refresh token from the one presented (HMAC), so a retry within the grace window gets the same successor although only hashes are stored.';
COMMENT ON COLUMN user_sessions.revoke_reason IS 'Why the session ended (account.RevokeReasons lists the same values).';
COMMENT ON INDEX user_sessions_user_id_idx IS 'Serves ListLiveSessions (newest first) and RevokeUserSessions.';
COMMENT ON INDEX user_sessions_expires_at_idx IS 'Serves DeleteStaleSessions (expired sessions).';
COMMENT ON INDEX user_sessions_revoked_at_idx IS 'Serves DeleteStaleSessions (revoked sessions past retention).';
COMMENT ON INDEX user_sessions_id_user_id_key IS 'Target of user_refresh_tokens_session_fkey: a token names its session and its owner.';

COMMENT ON TABLE user_refresh_tokens IS 'Refresh-token history per session: exactly one live token (rotated_at IS NULL); any reuse of a rotated one is recognised and ends the session. Only SHA-256 hashes are stored.';
COMMENT ON INDEX user_refresh_tokens_live_key IS 'At most one live token per session; serves CheckLiveRefreshToken.';
COMMENT ON INDEX user_refresh_tokens_session_idx IS 'Serves DeleteSessionRefreshTokens and the ON DELETE CASCADE from user_sessions.';

COMMENT ON TABLE security_events IS 'Security events the user can review (GET /auth/events). No foreign key: the account_deleted event outlives the account (account deletion removes all the others).';
COMMENT ON INDEX security_events_user_id_created_at_idx IS 'Serves ListSecurityEvents (newest first, keyset) and DeleteUserSecurityEvents.';
COMMENT ON INDEX security_events_created_at_idx IS 'Serves DeleteOldSecurityEvents (sweeper, retention).';

COMMENT ON TABLE topics IS 'A hierarchy of the user''s material (depth at most 5, no cycles: checked by the library workflows under the per-user LockTopicTree lock). Composite keys (id, user_id) let every reference carry the owner, so no row can point at another user''s object.';
COMMENT ON INDEX topics_sibling_name_key IS 'Sibling names are unique ignoring case; root topics are siblings too (NULLS NOT DISTINCT).';
COMMENT ON INDEX topics_parent_idx IS 'Serves the recursive subtree walks (ListTopicSubtree, ListTopicStats, ListExercises by topic), CountTopicContents and the ON DELETE CASCADE of subtopics.';
COMMENT ON INDEX topics_id_user_id_key IS 'Target of the owner-carrying foreign keys (topics_parent_fkey, pdfs_topic_fkey).';

COMMENT ON TABLE pdfs IS 'PDFs: the file lives in the blob store under storage_key. The row is written after the file and deleted before it, so a row never lacks its file (the sweeper removes files whose row is gone).';
COMMENT ON COLUMN pdfs.topic_id IS 'Deleting a topic that still has PDFs fails (pdfs_topic_fkey is NO ACTION, checked at the end of the statement, so deleting the whole account still cascades); the library deletes PDFs explicitly because their files must go too.';
COMMENT ON COLUMN pdfs.word_count IS 'Words over all pages with a text layer, known once text_status is done.';
COMMENT ON INDEX pdfs_user_created_idx IS 'Serves ListPDFs (newest first, keyset on created_at, id).';
COMMENT ON INDEX pdfs_topic_idx IS 'Serves ListPDFs by topic, ListTopicStats, CountTopicContents, DeletePDFsInTopics and the check of pdfs_topic_fkey on topic deletion.';
COMMENT ON INDEX pdfs_user_sha256_key IS 'The same bytes once per user; serves GetPDFIDBySHA256 (duplicate uploads answer 409).';
COMMENT ON INDEX pdfs_storage_key_key IS 'One row per stored file; serves ListExistingStorageKeys (orphan sweep).';
COMMENT ON INDEX pdfs_id_user_id_key IS 'Target of the owner-carrying foreign keys from page_stats, bookmarks, exercises, pdf_pages, pdf_search and text_jobs.';

COMMENT ON TABLE page_stats IS 'Per-page reading data keyed by (user, pdf, page): the sum over the user''s study sessions of counted dwells (seconds, visits, first and last read). The study timer keeps it exact on write; PDF and topic statistics read it.';
COMMENT ON INDEX page_stats_pdf_idx IS 'Serves the ON DELETE CASCADE from pdfs (page_stats_pdf_fkey); lookups by user and PDF use the primary key.';
COMMENT ON VIEW pdf_reading IS 'Reading per PDF from page_stats: pages with reading time, seconds, last read.';

COMMENT ON TABLE bookmarks IS 'Page bookmarks with a label and a note.';
COMMENT ON INDEX bookmarks_pdf_idx IS 'Serves ListBookmarks (a PDF''s bookmarks in page order), the bookmark ids of ListPDFPages and the ON DELETE CASCADE from pdfs.';

COMMENT ON TABLE exercises IS 'Exercises practise pages of a study PDF (page_start..page_end). The questions may sit in another PDF of kind exercise; deleting that PDF only unlinks it (exercise_pdf_id becomes NULL, the page ranges stay), while deleting the study PDF deletes its exercises. done is set only with completed_at (exercises_done_check).';
COMMENT ON INDEX exercises_pdf_pages_idx IS 'Serves ListPDFExercises, ListPageExercises, the exercise counts of pdf_stats and ListTopicStats, the exercise ids of ListPDFPages and the ON DELETE CASCADE from the study PDF.';
COMMENT ON INDEX exercises_user_created_idx IS 'Serves ListExercises (newest first, keyset).';
COMMENT ON INDEX exercises_exercise_pdf_idx IS 'Serves the ON DELETE SET NULL from the exercise PDF.';

COMMENT ON TABLE text_jobs IS 'The text-extraction queue: a row is pending work. Workers claim it with FOR UPDATE SKIP LOCKED and push run_after forward (a lease), so a worker that dies mid-extraction leaves the job to be claimed again when the lease ends.';
COMMENT ON INDEX text_jobs_run_after_idx IS 'Serves ClaimTextJob (the due jobs).';

COMMENT ON TABLE pdf_pages IS 'Per-page text keyed by (user, pdf, page): the word count (NULL for a page without a text layer, such as a scan), the text (capped) and its tsvector in the two configurations of SEARCH_LANGUAGES.';
COMMENT ON INDEX pdf_pages_search_idx IS 'Page-level search runs within one PDF at a time (SearchPDFPages snippets, the phrase check of SearchLibrary), so the index leads with the PDF (btree_gin).';
COMMENT ON INDEX pdf_pages_pdf_idx IS 'Serves DeletePDFPages and the ON DELETE CASCADE from pdfs; ListPDFPages uses the primary key.';

COMMENT ON TABLE pdf_search IS 'One document-level tsvector per PDF, so a search looks at one row per PDF instead of every page. Each lexeme has as many positions as occurrences in the PDF (capped), so ts_rank ranks a PDF that uses a word often above one that mentions it once. Built from pdf_pages by the text worker in the same transaction. Stored uncompressed (SET STORAGE EXTERNAL): read three times faster for about twice the space (BENCHMARKS.md).';
COMMENT ON INDEX pdf_search_idx IS 'Serves SearchLibrary: this user''s PDFs matching the query (btree_gin leads with user_id).';

COMMENT ON EXTENSION btree_gin IS 'Lets one GIN index serve "this user''s (or this PDF''s) rows matching this query".';

-- Revoke reasons are one list, in account.RevokeReasons and here.
ALTER TABLE user_sessions ADD CONSTRAINT user_sessions_revoke_reason_check CHECK (revoke_reason IN (
    'refresh_token_reused', 'logout', 'logout_all', 'revoked_by_user', 'password_changed'));

-- The statistics of a PDF, in one place (GetPDF and ListPDFs join it).
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
ALTER TABLE user_sessions DROP CONSTRAINT user_sessions_revoke_reason_check;
COMMENT ON EXTENSION btree_gin IS 'support for indexing common datatypes in GIN';
COMMENT ON TABLE users IS NULL;
COMMENT ON TABLE user_preferences IS NULL;
COMMENT ON TABLE user_sessions IS NULL;
COMMENT ON TABLE user_refresh_tokens IS NULL;
COMMENT ON TABLE security_events IS NULL;
COMMENT ON TABLE topics IS NULL;
COMMENT ON TABLE pdfs IS NULL;
COMMENT ON TABLE page_stats IS NULL;
COMMENT ON TABLE bookmarks IS NULL;
COMMENT ON TABLE exercises IS NULL;
COMMENT ON TABLE text_jobs IS NULL;
COMMENT ON TABLE pdf_pages IS NULL;
COMMENT ON TABLE pdf_search IS NULL;
COMMENT ON VIEW pdf_reading IS NULL;
COMMENT ON COLUMN users.password_hash IS NULL;
COMMENT ON COLUMN users.timezone IS NULL;
COMMENT ON COLUMN user_sessions.refresh_secret IS NULL;
COMMENT ON COLUMN user_sessions.revoke_reason IS NULL;
COMMENT ON COLUMN pdfs.topic_id IS NULL;
COMMENT ON COLUMN pdfs.word_count IS NULL;
COMMENT ON INDEX users_email_key IS NULL;
COMMENT ON INDEX users_username_key IS NULL;
COMMENT ON INDEX user_sessions_user_id_idx IS NULL;
COMMENT ON INDEX user_sessions_expires_at_idx IS NULL;
COMMENT ON INDEX user_sessions_revoked_at_idx IS NULL;
COMMENT ON INDEX user_sessions_id_user_id_key IS NULL;
COMMENT ON INDEX user_refresh_tokens_live_key IS NULL;
COMMENT ON INDEX user_refresh_tokens_session_idx IS NULL;
COMMENT ON INDEX security_events_user_id_created_at_idx IS NULL;
COMMENT ON INDEX security_events_created_at_idx IS NULL;
COMMENT ON INDEX topics_sibling_name_key IS NULL;
COMMENT ON INDEX topics_parent_idx IS NULL;
COMMENT ON INDEX topics_id_user_id_key IS NULL;
COMMENT ON INDEX pdfs_user_created_idx IS NULL;
COMMENT ON INDEX pdfs_topic_idx IS NULL;
COMMENT ON INDEX pdfs_user_sha256_key IS NULL;
COMMENT ON INDEX pdfs_storage_key_key IS NULL;
COMMENT ON INDEX pdfs_id_user_id_key IS NULL;
COMMENT ON INDEX page_stats_pdf_idx IS NULL;
COMMENT ON INDEX bookmarks_pdf_idx IS NULL;
COMMENT ON INDEX exercises_pdf_pages_idx IS NULL;
COMMENT ON INDEX exercises_user_created_idx IS NULL;
COMMENT ON INDEX exercises_exercise_pdf_idx IS NULL;
COMMENT ON INDEX text_jobs_run_after_idx IS NULL;
COMMENT ON INDEX pdf_pages_search_idx IS NULL;
COMMENT ON INDEX pdf_pages_pdf_idx IS NULL;
COMMENT ON INDEX pdf_search_idx IS NULL;
