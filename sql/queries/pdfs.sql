-- name: CreatePDF :one
INSERT INTO pdfs (id, user_id, topic_id, kind, title, author, original_filename, page_count, size_bytes, sha256, partial_md5, storage_key, created_at, updated_at)
VALUES (@id, @user_id, sqlc.narg(topic_id), @kind, @title, @author, @original_filename, @page_count, @size_bytes, @sha256, sqlc.narg(partial_md5), @storage_key, @now, @now)
RETURNING *;

-- name: GetPDFIDBySHA256 :one
SELECT id FROM pdfs WHERE user_id = @user_id AND sha256 = @sha256;

-- name: GetPDF :one
-- One PDF with its statistics (pdf_stats).
SELECT sqlc.embed(p), sqlc.embed(st)
FROM pdfs p
JOIN pdf_stats st ON st.pdf_id = p.id AND st.user_id = p.user_id
WHERE p.id = @id AND p.user_id = @user_id;

-- name: GetPDFPaging :one
-- What GET /api/v1/pdfs/{id}/pages needs of the PDF: its page count and
-- text status, by primary key (no statistics). Prepared (see
-- api.preparedReads).
SELECT id, page_count, text_status FROM pdfs WHERE id = @id AND user_id = @user_id;

-- name: ListPDFs :many
-- Filters: topic, kind, title substring (the caller escapes LIKE wildcards).
-- Newest first; keyset pagination on (created_at, id).
SELECT sqlc.embed(p), sqlc.embed(st)
FROM pdfs p
JOIN pdf_stats st ON st.pdf_id = p.id AND st.user_id = p.user_id
WHERE p.user_id = @user_id
  AND (sqlc.narg(topic_id)::uuid IS NULL OR p.topic_id = sqlc.narg(topic_id)::uuid)
  AND (sqlc.narg(kind)::text IS NULL OR p.kind = sqlc.narg(kind)::text)
  AND (sqlc.narg(title_like)::text IS NULL OR p.title ILIKE sqlc.narg(title_like)::text)
  AND (sqlc.narg(after_created_at)::timestamptz IS NULL
       OR (p.created_at, p.id) < (sqlc.narg(after_created_at)::timestamptz, sqlc.narg(after_id)::uuid))
ORDER BY p.created_at DESC, p.id DESC
LIMIT @row_limit;

-- name: UpdatePDF :one
UPDATE pdfs SET
    title        = coalesce(sqlc.narg(title), title),
    current_page = coalesce(sqlc.narg(current_page), current_page),
    current_page_at = CASE WHEN sqlc.narg(current_page)::int IS NULL THEN current_page_at ELSE @now::timestamptz END,
    topic_id     = CASE WHEN @set_topic::bool THEN sqlc.narg(topic_id)::uuid ELSE topic_id END,
    updated_at   = @now
WHERE id = @id AND user_id = @user_id
RETURNING *;

-- name: DeletePDF :one
-- The caller removes the stored file after the transaction commits.
DELETE FROM pdfs WHERE id = @id AND user_id = @user_id
RETURNING storage_key;

-- name: DeletePDFsInTopics :many
DELETE FROM pdfs WHERE user_id = @user_id AND topic_id = ANY(@topic_ids::uuid[])
RETURNING storage_key;

-- name: ListExistingStorageKeys :many
-- Sweeper: which of these stored files still have their row.
SELECT storage_key FROM pdfs WHERE storage_key = ANY(@keys::text[]);

-- name: LockUserUploads :exec
-- Serialises the storage-quota check and the insert of one user's uploads,
-- so concurrent uploads cannot pass the quota together.
SELECT pg_advisory_xact_lock(hashtextextended('uploads:' || sqlc.arg(user_id)::uuid, 0));

-- name: SumUserStorage :one
-- Bytes of PDFs the user keeps (the storage quota counts these).
SELECT coalesce(sum(size_bytes), 0)::bigint AS bytes FROM pdfs WHERE user_id = @user_id;
