-- The data export (GET /api/v1/export). Each query returns one batch of a
-- table as JSON objects built with json_build_object, so the columns are
-- listed here, in order, and nothing secret (password and token hashes,
-- refresh secrets, storage keys) can appear unless it is written below.
-- Batches are keyset pages in the order of an index that starts with
-- user_id; the export runs them in one read-only repeatable-read
-- transaction, so the whole file is one snapshot.

-- name: SetExportTimeZone :exec
-- Times in the export are written in UTC, whatever the server's default.
SELECT set_config('TimeZone', 'UTC', true);

-- name: ExportAccount :one
SELECT json_build_object(
    'id', id, 'email', email, 'username', username, 'full_name', full_name,
    'timezone', timezone, 'is_active', is_active, 'created_at', created_at,
    'updated_at', updated_at, 'last_login_at', last_login_at) AS doc
FROM users WHERE id = @user_id;

-- name: ExportPreferences :one
SELECT json_build_object(
    'theme', theme, 'pomodoro_work_minutes', pomodoro_work_minutes,
    'pomodoro_short_break_minutes', pomodoro_short_break_minutes,
    'pomodoro_long_break_minutes', pomodoro_long_break_minutes,
    'pomodoro_long_break_every', pomodoro_long_break_every,
    'auto_start_breaks', auto_start_breaks, 'daily_goal_minutes', daily_goal_minutes,
    'streak_min_minutes', streak_min_minutes, 'idle_threshold_seconds', idle_threshold_seconds,
    'page_min_seconds', page_min_seconds, 'page_max_seconds', page_max_seconds,
    'week_start', week_start, 'created_at', created_at, 'updated_at', updated_at) AS doc
FROM user_preferences WHERE user_id = @user_id;

-- name: ExportTopics :many
SELECT id, json_build_object(
    'id', id, 'parent_id', parent_id, 'name', name, 'description', description,
    'color', color, 'sort_order', sort_order, 'target_date', target_date,
    'archived_at', archived_at, 'created_at', created_at, 'updated_at', updated_at) AS doc
FROM topics
WHERE user_id = @user_id AND id > @after_id
ORDER BY id
LIMIT @row_limit;

-- name: ExportPDFs :many
SELECT id, created_at, json_build_object(
    'id', id, 'topic_id', topic_id, 'kind', kind, 'title', title, 'author', author,
    'original_filename', original_filename, 'page_count', page_count,
    'size_bytes', size_bytes, 'sha256', encode(sha256, 'hex'),
    'current_page', current_page, 'current_page_at', current_page_at,
    'text_status', text_status, 'word_count', word_count,
    'created_at', created_at, 'updated_at', updated_at) AS doc
FROM pdfs
WHERE user_id = @user_id AND (created_at, id) < (@after_at::timestamptz, @after_id::uuid)
ORDER BY created_at DESC, id DESC
LIMIT @row_limit;

-- name: ExportBookmarks :many
SELECT id, json_build_object(
    'id', id, 'pdf_id', pdf_id, 'page', page, 'label', label, 'note', note,
    'created_at', created_at) AS doc
FROM bookmarks
WHERE user_id = @user_id AND id > @after_id
ORDER BY id
LIMIT @row_limit;

-- name: ExportExercises :many
SELECT id, created_at, json_build_object(
    'id', id, 'pdf_id', pdf_id, 'page_start', page_start, 'page_end', page_end,
    'title', title, 'description', description, 'difficulty', difficulty,
    'status', status, 'score', score, 'completed_at', completed_at,
    'exercise_pdf_id', exercise_pdf_id, 'exercise_page_start', exercise_page_start,
    'exercise_page_end', exercise_page_end, 'time_spent_seconds', time_spent_seconds,
    'created_at', created_at, 'updated_at', updated_at) AS doc
FROM exercises
WHERE user_id = @user_id AND (created_at, id) < (@after_at::timestamptz, @after_id::uuid)
ORDER BY created_at DESC, id DESC
LIMIT @row_limit;

-- name: ExportStudySessions :many
SELECT id, started_at, json_build_object(
    'id', id, 'pdf_id', pdf_id, 'exercise_id', exercise_id, 'source', source,
    'pomodoro', pomodoro, 'rules', rules, 'start_page', start_page,
    'page_count', page_count, 'started_at', started_at, 'status', status,
    'ended_at', ended_at, 'ended_reason', ended_reason, 'last_event_at', last_event_at,
    'current_page', current_page, 'active_seconds', active_seconds,
    'paused_seconds', paused_seconds, 'idle_seconds', idle_seconds,
    'break_seconds', break_seconds, 'pages_visited', pages_visited,
    'pages_read', pages_read, 'events', events, 'notes', notes, 'rating', rating,
    'created_at', created_at, 'updated_at', updated_at) AS doc
FROM study_sessions
WHERE user_id = @user_id AND (started_at, id) < (@after_at::timestamptz, @after_id::uuid)
ORDER BY started_at DESC, id DESC
LIMIT @row_limit;

-- name: ExportStudyEvents :many
-- One session's events (the primary key's order), a page at a time.
SELECT id, json_build_object(
    'id', id, 'session_id', session_id, 'seq', seq, 'type', type, 'page', page,
    'at', at, 'received_at', received_at) AS doc
FROM study_events
WHERE session_id = @session_id AND user_id = @user_id AND id > @after_id
ORDER BY id
LIMIT @row_limit;

-- name: ExportPageStats :many
SELECT pdf_id, page, json_build_object(
    'pdf_id', pdf_id, 'page', page, 'seconds_read', seconds_read, 'visits', visits,
    'first_read_at', first_read_at, 'last_read_at', last_read_at) AS doc
FROM page_stats
WHERE user_id = @user_id AND (pdf_id, page) > (@after_pdf_id::uuid, @after_page::int)
ORDER BY pdf_id, page
LIMIT @row_limit;

-- name: ExportLoginSessions :many
-- Devices signed in (no refresh secret, no token).
SELECT id, created_at, json_build_object(
    'id', id, 'user_agent', user_agent, 'ip', host(ip), 'created_at', created_at,
    'last_used_at', last_used_at, 'expires_at', expires_at, 'revoked_at', revoked_at,
    'revoke_reason', revoke_reason) AS doc
FROM user_sessions
WHERE user_id = @user_id AND (created_at, id) > (@after_at::timestamptz, @after_id::uuid)
ORDER BY created_at, id
LIMIT @row_limit;

-- name: ExportSecurityEvents :many
SELECT id, created_at, json_build_object(
    'id', id, 'kind', kind, 'created_at', created_at, 'ip', host(ip),
    'user_agent', user_agent, 'session_id', session_id, 'detail', detail) AS doc
FROM security_events
WHERE user_id = @user_id AND (created_at, id) < (@after_at::timestamptz, @after_id::uuid)
ORDER BY created_at DESC, id DESC
LIMIT @row_limit;

-- name: ExportEstimateRecords :many
-- The estimates shown when a PDF or exercise was started, and the time it took.
SELECT id, json_build_object(
    'id', id, 'subject', subject, 'pdf_id', pdf_id, 'exercise_id', exercise_id,
    'topic_id', topic_id, 'started_at', started_at, 'remaining_pages', remaining_pages,
    'estimated_seconds', estimated_seconds, 'low_seconds', low_seconds,
    'high_seconds', high_seconds, 'basis', basis, 'confidence', confidence,
    'finished_at', finished_at, 'finished_session_id', finished_session_id,
    'actual_seconds', actual_seconds, 'created_at', created_at) AS doc
FROM estimate_records
WHERE user_id = @user_id AND id > @after_id
ORDER BY id
LIMIT @row_limit;

-- name: ExportImports :many
-- Each import's summary as recorded (book_results and skipped are JSON).
SELECT id, started_at, json_build_object(
    'id', id, 'source', source, 'status', status, 'filename', filename, 'size_bytes', size_bytes,
    'sha256', encode(sha256, 'hex'), 'books', books, 'books_matched', books_matched,
    'sessions_imported', sessions_imported, 'sessions_extended', sessions_extended,
    'visits_imported', visits_imported, 'visits_duplicate', visits_duplicate,
    'visits_skipped', visits_skipped, 'visits_rejected', visits_rejected, 'pages_mapped', pages_mapped,
    'book_results', book_results, 'skipped', skipped,
    'started_at', started_at, 'finished_at', finished_at) AS doc
FROM imports
WHERE user_id = @user_id AND (started_at, id) < (@after_at::timestamptz, @after_id::uuid)
ORDER BY started_at DESC, id DESC
LIMIT @row_limit;
