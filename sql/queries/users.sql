-- name: CreateUser :one
INSERT INTO users (email, username, full_name, timezone, password_hash)
VALUES (@email, @username, @full_name, @timezone, @password_hash)
RETURNING *;

-- name: GetUserByID :one
SELECT * FROM users
WHERE id = @user_id;

-- name: GetUserByLogin :one
-- The login is an email (contains '@') or a username (never does), so at most
-- one row matches; both branches are served by a unique index.
SELECT * FROM users
WHERE lower(email) = lower(@login::text) OR username = lower(@login::text);

-- name: RecordUserLogin :exec
UPDATE users SET last_login_at = @now::timestamptz
WHERE id = @user_id;
