-- name: LockUserImports :exec
-- Serialises one user's imports (a book's transaction holds it), so two
-- imports of the same file cannot insert the same events side by side.
SELECT pg_advisory_xact_lock(hashtextextended('import:' || sqlc.arg(user_id)::uuid, 0));

-- name: ListPDFMatchCandidates :many
-- The user's PDFs as a KOReader import matches them (partial MD5, title,
-- page count).
SELECT id, title, page_count, partial_md5 FROM pdfs
WHERE user_id = @user_id
ORDER BY id;

-- name: ListPDFsWithoutPartialMD5 :many
-- PDFs uploaded before partial MD5s were computed at upload.
SELECT id, storage_key FROM pdfs
WHERE user_id = @user_id AND partial_md5 IS NULL
ORDER BY id;

-- name: SetPDFPartialMD5 :exec
UPDATE pdfs SET partial_md5 = @partial_md5
WHERE id = @id AND user_id = @user_id AND partial_md5 IS NULL;

-- name: ListImportedSessionsOverlapping :many
-- The imported sessions of one PDF whose time overlaps [since, until]: a
-- later copy of a statistics file can join two earlier sessions into one,
-- whose events were stored under the earlier ones.
SELECT id, started_at, last_event_at FROM study_sessions
WHERE user_id = @user_id AND pdf_id = @pdf_id AND source = 'koreader'
  AND started_at <= @until AND last_event_at >= @since
ORDER BY started_at, id;

-- name: ListStoredEventIDs :many
-- Which of these event ids some of these sessions hold (primary-key probes).
SELECT DISTINCT id FROM study_events
WHERE user_id = @user_id AND session_id = ANY(@session_ids::uuid[]) AND id = ANY(@ids::uuid[]);

-- name: CreateImport :one
INSERT INTO imports (user_id, source, status, filename, size_bytes, sha256, books, books_matched,
                     sessions_imported, sessions_extended, visits_imported, visits_duplicate, visits_skipped,
                     visits_rejected, pages_mapped, book_results, skipped, started_at, finished_at)
VALUES (@user_id, @source, @status, @filename, @size_bytes, @sha256, @books, @books_matched,
        @sessions_imported, @sessions_extended, @visits_imported, @visits_duplicate, @visits_skipped,
        @visits_rejected, @pages_mapped, @book_results, @skipped, @started_at, @finished_at)
RETURNING *;

-- name: ListImports :many
-- Newest first; keyset pagination on (started_at, id).
SELECT * FROM imports
WHERE user_id = @user_id
  AND (sqlc.narg(after_started_at)::timestamptz IS NULL
       OR (started_at, id) < (sqlc.narg(after_started_at)::timestamptz, sqlc.narg(after_id)::uuid))
ORDER BY started_at DESC, id DESC
LIMIT @row_limit;
