-- name: CreateSession :one
INSERT INTO user_sessions (user_id, refresh_secret, user_agent, ip, created_at, last_used_at, expires_at, absolute_expires_at)
VALUES (@user_id, @refresh_secret, @user_agent, sqlc.narg(ip), @now, @now, @expires_at, @absolute_expires_at)
RETURNING *;

-- name: GetActiveSessionUser :one
-- The per-request check behind every authenticated route: the token's session
-- must be live and belong to an active user. expires_at never passes
-- absolute_expires_at (user_sessions_expiry_check), so one comparison covers both.
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

-- name: ExtendSession :exec
-- Slides the expiry on use, never past the absolute limit.
UPDATE user_sessions
SET last_used_at = @now, expires_at = least(@expires_at::timestamptz, absolute_expires_at)
WHERE id = @session_id AND user_id = @user_id;

-- name: RevokeSession :execrows
UPDATE user_sessions SET revoked_at = @now::timestamptz, revoke_reason = @reason::text
WHERE id = @session_id AND user_id = @user_id AND revoked_at IS NULL AND expires_at > @now;

-- name: RevokeUserSessions :many
-- Revokes every live session of the user, except one when except_id is set.
UPDATE user_sessions SET revoked_at = @now::timestamptz, revoke_reason = @reason::text
WHERE user_id = @user_id
  AND revoked_at IS NULL
  AND expires_at > @now
  AND (sqlc.narg(except_id)::uuid IS NULL OR id <> sqlc.narg(except_id)::uuid)
RETURNING id;

-- name: ListLiveSessions :many
-- Newest first; keyset pagination on (created_at, id).
SELECT * FROM user_sessions
WHERE user_id = @user_id
  AND revoked_at IS NULL
  AND expires_at > @now
  AND (sqlc.narg(after_created_at)::timestamptz IS NULL
       OR (created_at, id) < (sqlc.narg(after_created_at)::timestamptz, sqlc.narg(after_id)::uuid))
ORDER BY created_at DESC, id DESC
LIMIT @row_limit;

-- name: DeleteStaleSessions :execrows
-- Sweeper: sessions past their expiry, and revoked ones once kept long enough
-- to answer a replayed token with refresh_token_reused.
DELETE FROM user_sessions
WHERE expires_at <= @now OR revoked_at < @revoked_before::timestamptz;
