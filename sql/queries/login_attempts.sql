-- name: CountLoginAttempt :one
-- Counts one password attempt of an identifier from a network before the
-- password is checked: the upsert increments and returns the count under the
-- row's lock, so concurrent attempts are counted one after the other and at
-- most max_failures of them per window get through. A window that ended at
-- or before window_floor starts again.
INSERT INTO login_attempts AS a (identifier_hash, network, window_start, attempts, last_attempt_at)
VALUES (@identifier_hash, @network, @now, 1, @now)
ON CONFLICT (identifier_hash, network) DO UPDATE SET
    window_start    = CASE WHEN a.window_start <= @window_floor::timestamptz THEN excluded.window_start ELSE a.window_start END,
    attempts        = CASE WHEN a.window_start <= @window_floor::timestamptz THEN 1 ELSE a.attempts + 1 END,
    last_attempt_at = excluded.last_attempt_at
RETURNING attempts, window_start;

-- name: CountIdentifierAttempt :one
-- Counts an attempt its network let through against the identifier's
-- ceiling across all networks (same transaction as CountLoginAttempt). Up to
-- the ceiling every attempt goes through; past it each must wait until
-- next_allowed_at, which then moves by delays[k] for the ceiling+k-th
-- attempt (clamped to the last element; the schedule is the Go rule
-- auth.Lockout.Delays). A refused attempt changes nothing but the flag.
INSERT INTO login_identifier_attempts AS i (identifier_hash, window_start, attempts, next_allowed_at, last_let_through)
VALUES (@identifier_hash, @now, 1, @now, true)
ON CONFLICT (identifier_hash) DO UPDATE SET
    window_start     = CASE WHEN i.window_start <= @window_floor::timestamptz THEN excluded.window_start ELSE i.window_start END,
    attempts         = CASE WHEN i.window_start <= @window_floor::timestamptz THEN 1
                            WHEN i.next_allowed_at <= excluded.window_start THEN i.attempts + 1
                            ELSE i.attempts END,
    next_allowed_at  = CASE WHEN i.window_start <= @window_floor::timestamptz THEN excluded.next_allowed_at
                            WHEN i.next_allowed_at > excluded.window_start THEN i.next_allowed_at
                            WHEN i.attempts + 1 <= @ceiling::integer THEN excluded.next_allowed_at
                            ELSE excluded.next_allowed_at + make_interval(secs => (@delays::float8[])[
                                     least(i.attempts + 1 - @ceiling::integer, cardinality(@delays::float8[]))])
                       END,
    last_let_through = (i.window_start <= @window_floor::timestamptz OR i.next_allowed_at <= excluded.window_start)
RETURNING last_let_through, next_allowed_at;

-- name: RecordLoginFailure :exec
-- A checked and wrong password: counted on the attempt's row, and for a real
-- account (user_id set) logged as login_failed, plus account_locked when this
-- failure used the network's last attempt. Both paths write the same row, so
-- a wrong password for a real and for an unknown identifier cost the same.
WITH f AS (
    UPDATE login_attempts SET failures = failures + 1
    WHERE identifier_hash = @identifier_hash AND network = @network
    RETURNING attempts
)
INSERT INTO security_events (user_id, kind, created_at, ip, user_agent, detail)
SELECT sqlc.narg(user_id)::uuid, k.kind, @now, sqlc.narg(ip), @user_agent,
       jsonb_build_object('via', @via::text, 'attempts', f.attempts)
FROM f CROSS JOIN (VALUES ('login_failed'), ('account_locked')) AS k (kind)
WHERE sqlc.narg(user_id)::uuid IS NOT NULL
  AND (k.kind = 'login_failed' OR f.attempts = @max_failures::integer);

-- name: ClearLoginAttempts :exec
-- A successful login forgets its own network's attempts (only those).
DELETE FROM login_attempts WHERE identifier_hash = @identifier_hash AND network = @network;

-- name: DeleteOldLoginAttempts :one
-- Sweeper: rows whose windows ended long ago.
WITH n AS (
    DELETE FROM login_attempts WHERE last_attempt_at < @before
    RETURNING 1
), i AS (
    DELETE FROM login_identifier_attempts WHERE next_allowed_at < @before
    RETURNING 1
)
SELECT ((SELECT count(*) FROM n) + (SELECT count(*) FROM i))::bigint AS deleted;
