-- name: GetRefreshTokenForUpdate :one
-- Finds a presented refresh token with its session and user, and locks the
-- session row: concurrent refreshes of one session run one at a time.
SELECT t.token_hash, t.issued_at, t.rotated_at, sqlc.embed(s), sqlc.embed(u)
FROM user_refresh_tokens t
JOIN user_sessions s ON s.id = t.session_id AND s.user_id = t.user_id
JOIN users u ON u.id = t.user_id
WHERE t.token_hash = @token_hash
FOR UPDATE OF s, t;

-- name: CheckLiveRefreshToken :one
SELECT EXISTS (
    SELECT 1 FROM user_refresh_tokens
    WHERE token_hash = @token_hash AND session_id = @session_id AND user_id = @user_id AND rotated_at IS NULL
);

-- name: CreateRefreshToken :exec
INSERT INTO user_refresh_tokens (token_hash, session_id, user_id, issued_at)
VALUES (@token_hash, @session_id, @user_id, @now);

-- name: RotateRefreshToken :execrows
UPDATE user_refresh_tokens SET rotated_at = @now::timestamptz
WHERE token_hash = @token_hash AND user_id = @user_id AND rotated_at IS NULL;

-- name: DeleteSessionRefreshTokens :exec
DELETE FROM user_refresh_tokens
WHERE session_id = @session_id AND user_id = @user_id;
