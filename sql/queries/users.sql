-- name: CreateUser :one
INSERT INTO users (email, username, full_name, timezone, password_hash)
VALUES (@email, @username, @full_name, @timezone, @password_hash)
RETURNING *;

-- name: GetUserByLogin :one
-- The login is an email (contains '@') or a username (never does), so at most
-- one row matches; both branches are served by a unique index.
SELECT * FROM users
WHERE lower(email) = lower(@login::text) OR username = lower(@login::text);

-- name: RecordUserLogin :exec
UPDATE users SET last_login_at = @now::timestamptz
WHERE id = @user_id;

-- name: UpdateUserProfile :one
-- Partial update: a NULL argument keeps the column.
UPDATE users SET
    email      = coalesce(sqlc.narg(email), email),
    username   = coalesce(sqlc.narg(username), username),
    full_name  = coalesce(sqlc.narg(full_name), full_name),
    timezone   = coalesce(sqlc.narg(timezone), timezone),
    updated_at = @now
WHERE id = @user_id
RETURNING *;

-- name: UpdateUserPassword :exec
UPDATE users SET password_hash = @password_hash, updated_at = @now
WHERE id = @user_id;

-- name: DeleteUser :execrows
-- Everything the user owns goes with the row (ON DELETE CASCADE).
DELETE FROM users WHERE id = @user_id;
