-- name: CreateBookmark :one
INSERT INTO bookmarks (user_id, pdf_id, page, label, note, created_at)
VALUES (@user_id, @pdf_id, @page, @label, @note, @now)
RETURNING *;

-- name: ListBookmarks :many
-- By page; keyset pagination on (page, created_at, id).
SELECT * FROM bookmarks
WHERE user_id = @user_id AND pdf_id = @pdf_id
  AND (sqlc.narg(after_page)::int IS NULL
       OR (page, created_at, id) > (sqlc.narg(after_page)::int, sqlc.narg(after_created_at)::timestamptz, sqlc.narg(after_id)::uuid))
ORDER BY page, created_at, id
LIMIT @row_limit;

-- name: DeleteBookmark :execrows
DELETE FROM bookmarks WHERE id = @id AND user_id = @user_id;
