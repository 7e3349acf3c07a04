-- name: CreateSecurityEvent :exec
INSERT INTO security_events (user_id, kind, created_at, ip, user_agent, session_id, detail)
VALUES (@user_id, @kind, @now, sqlc.narg(ip), @user_agent, sqlc.narg(session_id), @detail);

-- name: ListSecurityEvents :many
-- Newest first; keyset pagination on (created_at, id).
SELECT * FROM security_events
WHERE user_id = @user_id
  AND (sqlc.narg(after_created_at)::timestamptz IS NULL
       OR (created_at, id) < (sqlc.narg(after_created_at)::timestamptz, sqlc.narg(after_id)::uuid))
ORDER BY created_at DESC, id DESC
LIMIT @row_limit;

-- name: DeleteUserSecurityEvents :exec
DELETE FROM security_events WHERE user_id = @user_id;

-- name: DeleteOldSecurityEvents :execrows
-- Sweeper: the retention limit.
DELETE FROM security_events WHERE created_at < @before;
