-- name: RecordLoginFailure :exec
INSERT INTO login_failures (user_id, failed_at, ip) VALUES (@user_id, @now, sqlc.narg(ip));

-- name: GetRecentLoginFailures :one
-- The newest max_failures failures inside the window: how many, and when the
-- oldest of them happened (the lock lifts when it leaves the window).
SELECT count(*)::integer AS failures, coalesce(min(failed_at), @since::timestamptz)::timestamptz AS oldest
FROM (
    SELECT failed_at FROM login_failures
    WHERE user_id = @user_id AND failed_at > @since::timestamptz
    ORDER BY failed_at DESC
    LIMIT @max_failures
) recent;

-- name: ClearLoginFailures :exec
DELETE FROM login_failures WHERE user_id = @user_id;

-- name: DeleteOldLoginFailures :execrows
-- Sweeper: failures older than any lockout window.
DELETE FROM login_failures WHERE failed_at < @before;
