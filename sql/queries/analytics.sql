-- name: ListUserStudyDays :many
-- The user's study per local day in the time zone tz, from the 15-minute
-- rollup: every zone offset is a multiple of 15 minutes, so each bucket lies
-- inside one local day. from_at and to_at are the instants that bound the
-- days asked for (the start of the first and of the day after the last).
SELECT (bucket_start AT TIME ZONE @tz::text)::date AS day,
       sum(active_seconds)::bigint AS active_seconds,
       sum(read_seconds)::bigint AS read_seconds,
       sum(pages_read)::bigint AS pages_read,
       sum(sessions)::bigint AS sessions
FROM user_study_buckets
WHERE user_id = @user_id AND bucket_start >= @from_at AND bucket_start < @to_at
GROUP BY 1
ORDER BY 1;

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
