-- name: ListUserStudyDays :many
-- The user's study per local day (in their current time zone) from the
-- day rollup, for the days from from_day to to_day.
SELECT day, active_seconds::bigint AS active_seconds, read_seconds::bigint AS read_seconds,
       pages_read::bigint AS pages_read, sessions::bigint AS sessions
FROM user_study_days
WHERE user_id = @user_id AND day BETWEEN @from_day::date AND @to_day::date
ORDER BY day;

-- name: RefreshUserStudyDays :exec
-- The user's day rollup for the local days of the listed buckets, summed
-- again from user_study_buckets (which this transaction has already
-- brought up to date); days left with nothing are deleted. The caller holds
-- the user's study lock, so no other write of this user's rollups runs.
WITH tz AS (
    SELECT timezone FROM users WHERE id = @user_id
), days AS (
    SELECT DISTINCT (b.bucket_start AT TIME ZONE tz.timezone)::date AS day
    FROM unnest(@bucket_starts::timestamptz[]) AS b(bucket_start), tz
), totals AS (
    SELECT d.day,
           coalesce(sum(u.active_seconds), 0)::integer AS active_seconds,
           coalesce(sum(u.read_seconds), 0)::integer AS read_seconds,
           coalesce(sum(u.pages_read), 0)::integer AS pages_read,
           coalesce(sum(u.sessions), 0)::integer AS sessions
    FROM days d
    CROSS JOIN tz
    LEFT JOIN user_study_buckets u
      ON u.user_id = @user_id
     -- Any local day lies within a day of its UTC date either way.
     AND u.bucket_start >= d.day::timestamp AT TIME ZONE 'UTC' - interval '1 day'
     AND u.bucket_start < d.day::timestamp AT TIME ZONE 'UTC' + interval '2 days'
     AND (u.bucket_start AT TIME ZONE tz.timezone)::date = d.day
    GROUP BY d.day
), gone AS (
    DELETE FROM user_study_days x
    USING totals t
    WHERE x.user_id = @user_id AND x.day = t.day
      AND t.active_seconds = 0 AND t.read_seconds = 0 AND t.pages_read = 0 AND t.sessions = 0
)
INSERT INTO user_study_days (user_id, day, active_seconds, read_seconds, pages_read, sessions)
SELECT @user_id, t.day, t.active_seconds, t.read_seconds, t.pages_read, t.sessions
FROM totals t
WHERE t.active_seconds > 0 OR t.read_seconds > 0 OR t.pages_read > 0 OR t.sessions > 0
ORDER BY t.day
ON CONFLICT (user_id, day) DO UPDATE SET
    active_seconds = excluded.active_seconds, read_seconds = excluded.read_seconds,
    pages_read = excluded.pages_read, sessions = excluded.sessions;

-- name: DeleteUserStudyDays :exec
DELETE FROM user_study_days WHERE user_id = @user_id;

-- name: RebuildUserStudyDays :exec
-- The whole day rollup of the user from user_study_buckets, in the time zone
-- the users row has now (after a change of zone; after DeleteUserStudyDays,
-- in the same transaction).
INSERT INTO user_study_days (user_id, day, active_seconds, read_seconds, pages_read, sessions)
SELECT b.user_id, (b.bucket_start AT TIME ZONE u.timezone)::date,
       sum(b.active_seconds), sum(b.read_seconds), sum(b.pages_read), sum(b.sessions)
FROM user_study_buckets b
JOIN users u ON u.id = b.user_id
WHERE b.user_id = @user_id
GROUP BY 1, 2
ORDER BY 2;

-- name: GetUserStudyClock :one
-- What the statistics need to know about the user's calendar.
SELECT u.timezone, p.week_start, p.streak_min_minutes, p.daily_goal_minutes, u.created_at
FROM users u
JOIN user_preferences p ON p.user_id = u.id
WHERE u.id = @user_id;

-- name: ListPaceDays :many
-- Counted reading per local day (tz) of one PDF, or of the PDFs of a topic
-- and its subtopics, from the sessions' 15-minute buckets.
WITH RECURSIVE subtree AS (
    SELECT t.id, 0 AS level
    FROM topics t
    WHERE t.user_id = @user_id AND t.id = sqlc.narg(topic_id)::uuid
  UNION ALL
    SELECT c.id, s.level + 1
    FROM topics c JOIN subtree s ON c.parent_id = s.id
    WHERE c.user_id = @user_id AND s.level < 64
), scope AS (
    SELECT p.id
    FROM pdfs p
    WHERE p.user_id = @user_id
      AND (p.id = sqlc.narg(pdf_id)::uuid OR p.topic_id IN (SELECT id FROM subtree))
)
SELECT (b.bucket_start AT TIME ZONE @tz::text)::date AS day,
       sum(b.read_seconds)::bigint AS read_seconds,
       sum(b.pages_read)::bigint AS pages_read
FROM study_session_buckets b
WHERE b.user_id = @user_id AND b.pdf_id IN (SELECT id FROM scope)
  AND b.bucket_start >= @from_at AND b.bucket_start < @to_at
GROUP BY 1
ORDER BY 1;
