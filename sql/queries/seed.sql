-- name: CountUsersNamed :one
-- How many of the given usernames are taken (a seed run refuses a prefix
-- that is in use).
SELECT count(*) FROM users WHERE username = ANY(@usernames::text[]);

-- name: CopyUsers :copyfrom
INSERT INTO users (id, email, username, full_name, timezone, password_hash, created_at, updated_at)
VALUES (@id, @email, @username, @full_name, @timezone, @password_hash, @created_at, @updated_at);

-- name: CopyUserPreferences :copyfrom
INSERT INTO user_preferences (user_id, theme, pomodoro_work_minutes, pomodoro_short_break_minutes, pomodoro_long_break_minutes,
                              pomodoro_long_break_every, auto_start_breaks, daily_goal_minutes, streak_min_minutes,
                              idle_threshold_seconds, page_min_seconds, page_max_seconds, week_start, created_at, updated_at)
VALUES (@user_id, @theme, @pomodoro_work_minutes, @pomodoro_short_break_minutes, @pomodoro_long_break_minutes,
        @pomodoro_long_break_every, @auto_start_breaks, @daily_goal_minutes, @streak_min_minutes,
        @idle_threshold_seconds, @page_min_seconds, @page_max_seconds, @week_start, @created_at, @updated_at);

-- name: CopyTopics :copyfrom
INSERT INTO topics (id, user_id, parent_id, name, description, color, sort_order, created_at, updated_at)
VALUES (@id, @user_id, @parent_id, @name, @description, @color, @sort_order, @created_at, @updated_at);

-- name: CopyPDFs :copyfrom
-- Text extraction is done (pdf_pages and pdf_lexemes are written with the
-- extractor's own queries), so no text job is queued.
INSERT INTO pdfs (id, user_id, topic_id, kind, title, author, original_filename, page_count, size_bytes, sha256, storage_key,
                  text_status, word_count, created_at, updated_at)
VALUES (@id, @user_id, @topic_id, @kind, @title, @author, @original_filename, @page_count, @size_bytes, @sha256, @storage_key,
        @text_status, @word_count, @created_at, @updated_at);

-- name: CopyExercises :copyfrom
INSERT INTO exercises (id, user_id, pdf_id, page_start, page_end, title, description, difficulty, created_at, updated_at)
VALUES (@id, @user_id, @pdf_id, @page_start, @page_end, @title, @description, @difficulty, @created_at, @updated_at);

-- name: ReserveStudyEventSeqs :one
-- Takes n consecutive values of study_events.seq's identity sequence and
-- returns the last: seeded events carry seqs the sequence will not hand out
-- again. (nextval and setval are two steps: an ingest running meanwhile may
-- get a value of the block, which is harmless, as seq is unique per session
-- and no live session is seeded.)
SELECT setval('study_events_seq_seq', nextval('study_events_seq_seq') + sqlc.arg(n)::bigint - 1)::bigint AS last_seq;

-- name: CopyStudySessions :copyfrom
INSERT INTO study_sessions (id, user_id, pdf_id, exercise_id, source, pomodoro, rules, idle_threshold_seconds, start_page, page_count,
                            started_at, status, ended_at, ended_reason, last_event_at, last_heard_at, current_page, current_page_at,
                            active_seconds, paused_seconds, idle_seconds, break_seconds, pages_visited, pages_read, events,
                            checkpoint, rating, created_at, updated_at)
VALUES (@id, @user_id, @pdf_id, @exercise_id, @source, @pomodoro, @rules, @idle_threshold_seconds, @start_page, @page_count,
        @started_at, @status, @ended_at, @ended_reason, @last_event_at, @last_heard_at, @current_page, @current_page_at,
        @active_seconds, @paused_seconds, @idle_seconds, @break_seconds, @pages_visited, @pages_read, @events,
        @checkpoint, @rating, @created_at, @updated_at);

-- name: CopyStudyEvents :copyfrom
-- seq is an identity column (GENERATED ALWAYS): COPY writes the given
-- values, taken with ReserveStudyEventSeqs.
INSERT INTO study_events (user_id, id, session_id, seq, type, page, at, received_at)
OVERRIDING SYSTEM VALUE
VALUES (@user_id, @id, @session_id, @seq, @type, @page, @at, @received_at);

-- name: CopyStudySessionPages :copyfrom
INSERT INTO study_session_pages (session_id, user_id, pdf_id, page, seconds, visits, first_read_at, last_read_at)
VALUES (@session_id, @user_id, @pdf_id, @page, @seconds, @visits, @first_read_at, @last_read_at);

-- name: CopyStudySessionBuckets :copyfrom
INSERT INTO study_session_buckets (session_id, user_id, pdf_id, bucket_start, active_seconds, read_seconds, pages_read)
VALUES (@session_id, @user_id, @pdf_id, @bucket_start, @active_seconds, @read_seconds, @pages_read);

-- name: CopyPageStats :copyfrom
INSERT INTO page_stats (user_id, pdf_id, page, seconds_read, visits, first_read_at, last_read_at)
VALUES (@user_id, @pdf_id, @page, @seconds_read, @visits, @first_read_at, @last_read_at);

-- name: CopyUserStudyBuckets :copyfrom
INSERT INTO user_study_buckets (user_id, bucket_start, active_seconds, read_seconds, pages_read, sessions)
VALUES (@user_id, @bucket_start, @active_seconds, @read_seconds, @pages_read, @sessions);

-- name: SetSeedPDFProgress :exec
-- The current page a user's seeded sessions leave on each PDF (the latest
-- page event, as SaveStudyFold keeps it).
UPDATE pdfs p SET current_page = v.current_page, current_page_at = v.current_page_at
FROM (SELECT unnest(@ids::uuid[]) AS id, unnest(@current_pages::int[]) AS current_page,
             unnest(@current_page_ats::timestamptz[]) AS current_page_at) v
WHERE p.id = v.id AND p.user_id = @user_id;

-- name: SetSeedExerciseProgress :exec
-- A user's seeded exercises after their sessions: status, score and
-- completion, and time_spent_seconds (the sum RefreshExerciseTimeSpent keeps).
UPDATE exercises e SET status = v.status, score = nullif(v.score, -1)::smallint,
    completed_at = nullif(v.completed_at, '0001-01-01 00:00:00+00'::timestamptz),
    time_spent_seconds = v.time_spent_seconds, updated_at = v.updated_at
FROM (SELECT unnest(@ids::uuid[]) AS id, unnest(@statuses::text[]) AS status, unnest(@scores::int[]) AS score,
             unnest(@completed_ats::timestamptz[]) AS completed_at, unnest(@time_spent_seconds::bigint[]) AS time_spent_seconds,
             unnest(@updated_ats::timestamptz[]) AS updated_at) v
WHERE e.id = v.id AND e.user_id = @user_id;
