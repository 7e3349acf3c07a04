-- name: CreateSession :one
INSERT INTO user_sessions (user_id, refresh_token_hash, user_agent, ip, created_at, last_used_at, expires_at)
VALUES (@user_id, @refresh_token_hash, @user_agent, sqlc.narg(ip), @now, @now, @expires_at)
RETURNING *;

-- name: GetActiveSessionUser :one
-- The per-request check behind every authenticated route: the token's session
-- must be live and belong to an active user.
SELECT sqlc.embed(u), s.last_used_at AS session_last_used_at
FROM user_sessions s
JOIN users u ON u.id = s.user_id
WHERE s.id = @session_id
  AND s.user_id = @user_id
  AND s.revoked_at IS NULL
  AND s.expires_at > @now
  AND u.is_active;

-- name: TouchSession :exec
UPDATE user_sessions SET last_used_at = @now
WHERE id = @session_id AND user_id = @user_id AND last_used_at < @now;
