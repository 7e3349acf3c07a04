-- name: LockUserStudy :exec
-- Serialises starting sessions for one user (supersede, then insert), so two
-- devices starting at once end with one running session.
SELECT pg_advisory_xact_lock(hashtextextended('study:' || sqlc.arg(user_id)::uuid, 0));

-- name: CreateStudySession :one
INSERT INTO study_sessions (user_id, pdf_id, exercise_id, source, pomodoro, rules, idle_threshold_seconds, start_page, page_count,
                            started_at, status, ended_at, ended_reason, last_event_at, last_heard_at,
                            current_page, current_page_at, checkpoint, created_at, updated_at)
VALUES (@user_id, @pdf_id, sqlc.narg(exercise_id), @source, @pomodoro, @rules, @idle_threshold_seconds, sqlc.narg(start_page), @page_count,
        @started_at, 'running', NULL, NULL, @started_at, @now,
        sqlc.narg(current_page), sqlc.narg(current_page_at), @checkpoint, @now, @now)
RETURNING *;

-- name: GetStudySession :one
SELECT * FROM study_sessions WHERE id = @id AND user_id = @user_id;

-- name: GetRunningStudySession :one
SELECT * FROM study_sessions WHERE user_id = @user_id AND ended_at IS NULL;

-- name: UpdateStudySessionNotes :one
UPDATE study_sessions SET
    notes      = coalesce(sqlc.narg(notes), notes),
    rating     = CASE WHEN @set_rating::bool THEN sqlc.narg(rating)::smallint ELSE rating END,
    updated_at = @now
WHERE id = @id AND user_id = @user_id
RETURNING *;

-- name: DeleteStudySession :one
-- Its events, pages and buckets go by ON DELETE CASCADE; the caller
-- refreshes the rollups they fed.
DELETE FROM study_sessions WHERE id = @id AND user_id = @user_id
RETURNING pdf_id, exercise_id, started_at;

-- name: ListStudySessions :many
-- Filters: PDF, exercise, a topic's subtree, started in [from, to). Newest
-- first; keyset pagination on (started_at, id).
WITH RECURSIVE subtree AS (
    SELECT t.id FROM topics t
    WHERE t.user_id = @user_id AND t.id = sqlc.narg(topic_id)::uuid
  UNION ALL
    SELECT c.id FROM topics c JOIN subtree s ON c.parent_id = s.id
    WHERE c.user_id = @user_id
)
SELECT ss.* FROM study_sessions ss
WHERE ss.user_id = @user_id
  AND (sqlc.narg(pdf_id)::uuid IS NULL OR ss.pdf_id = sqlc.narg(pdf_id)::uuid)
  AND (sqlc.narg(exercise_id)::uuid IS NULL OR ss.exercise_id = sqlc.narg(exercise_id)::uuid)
  AND (sqlc.narg(topic_id)::uuid IS NULL OR ss.pdf_id IN (
        SELECT p.id FROM pdfs p WHERE p.user_id = @user_id AND p.topic_id IN (SELECT id FROM subtree)))
  AND (sqlc.narg(from_time)::timestamptz IS NULL OR ss.started_at >= sqlc.narg(from_time)::timestamptz)
  AND (sqlc.narg(to_time)::timestamptz IS NULL OR ss.started_at < sqlc.narg(to_time)::timestamptz)
  AND (sqlc.narg(after_started_at)::timestamptz IS NULL
       OR (ss.started_at, ss.id) < (sqlc.narg(after_started_at)::timestamptz, sqlc.narg(after_id)::uuid))
ORDER BY ss.started_at DESC, ss.id DESC
LIMIT @row_limit;

-- name: ListQuietStudySessions :many
-- Sweeper: running sessions nobody heard from for twice their idle threshold.
SELECT id, user_id FROM study_sessions
WHERE ended_at IS NULL AND last_heard_at + make_interval(secs => 2 * idle_threshold_seconds) < sqlc.arg(now)::timestamptz
ORDER BY last_heard_at
LIMIT @row_limit;

-- name: RefreshExerciseTimeSpent :exec
UPDATE exercises SET time_spent_seconds = (
    SELECT coalesce(sum(s.active_seconds), 0) FROM study_sessions s
    WHERE s.exercise_id = @exercise_id::uuid AND s.user_id = @user_id)
WHERE id = @exercise_id::uuid AND user_id = @user_id;

-- name: StartExercise :exec
-- Starting a session on a todo exercise moves it to in_progress.
UPDATE exercises SET status = 'in_progress', updated_at = @now
WHERE id = @id AND user_id = @user_id AND status = 'todo';

-- name: GetStudySessionForFold :one
-- A batch's session under its row lock and its PDF's: batches of one
-- session run one after the other (several devices), and the page_stats
-- sums of one PDF are written by one batch at a time (a session and an
-- import of the same user, say).
SELECT ss.* FROM study_sessions ss
JOIN pdfs p ON p.id = ss.pdf_id AND p.user_id = ss.user_id
WHERE ss.id = @id AND ss.user_id = @user_id
FOR UPDATE OF ss, p;

-- name: CreateClosedStudySession :one
-- A session imported from another app: it is ended from the start (so it
-- never counts as the user's running session) and its id is the caller's,
-- derived from what it was imported from, so importing it again finds it.
INSERT INTO study_sessions (id, user_id, pdf_id, source, pomodoro, rules, idle_threshold_seconds, page_count,
                            started_at, status, ended_at, ended_reason, last_event_at, last_heard_at,
                            checkpoint, created_at, updated_at)
VALUES (@id, @user_id, @pdf_id, @source, false, @rules, @idle_threshold_seconds, @page_count,
        @started_at, 'ended', @started_at, 'stopped', @started_at, @now, @checkpoint, @now, @now)
ON CONFLICT (id) DO NOTHING
RETURNING *;
