-- name: CreateUserPreferences :exec
INSERT INTO user_preferences (user_id) VALUES (@user_id);

-- name: GetUserPreferences :one
SELECT * FROM user_preferences WHERE user_id = @user_id;

-- name: UpdateUserPreferences :one
-- Partial update: a NULL argument keeps the column. Ranges are checked in the
-- API and again by the table's named CHECK constraints.
UPDATE user_preferences SET
    theme                        = coalesce(sqlc.narg(theme), theme),
    pomodoro_work_minutes        = coalesce(sqlc.narg(pomodoro_work_minutes), pomodoro_work_minutes),
    pomodoro_short_break_minutes = coalesce(sqlc.narg(pomodoro_short_break_minutes), pomodoro_short_break_minutes),
    pomodoro_long_break_minutes  = coalesce(sqlc.narg(pomodoro_long_break_minutes), pomodoro_long_break_minutes),
    pomodoro_long_break_every    = coalesce(sqlc.narg(pomodoro_long_break_every), pomodoro_long_break_every),
    auto_start_breaks            = coalesce(sqlc.narg(auto_start_breaks), auto_start_breaks),
    daily_goal_minutes           = coalesce(sqlc.narg(daily_goal_minutes), daily_goal_minutes),
    streak_min_minutes           = coalesce(sqlc.narg(streak_min_minutes), streak_min_minutes),
    idle_threshold_seconds       = coalesce(sqlc.narg(idle_threshold_seconds), idle_threshold_seconds),
    page_min_seconds             = coalesce(sqlc.narg(page_min_seconds), page_min_seconds),
    page_max_seconds             = coalesce(sqlc.narg(page_max_seconds), page_max_seconds),
    week_start                   = coalesce(sqlc.narg(week_start), week_start),
    updated_at                   = @now
WHERE user_id = @user_id
RETURNING *;

-- name: ResetUserPreferences :one
UPDATE user_preferences SET
    theme                        = DEFAULT,
    pomodoro_work_minutes        = DEFAULT,
    pomodoro_short_break_minutes = DEFAULT,
    pomodoro_long_break_minutes  = DEFAULT,
    pomodoro_long_break_every    = DEFAULT,
    auto_start_breaks            = DEFAULT,
    daily_goal_minutes           = DEFAULT,
    streak_min_minutes           = DEFAULT,
    idle_threshold_seconds       = DEFAULT,
    page_min_seconds             = DEFAULT,
    page_max_seconds             = DEFAULT,
    week_start                   = DEFAULT,
    updated_at                   = @now
WHERE user_id = @user_id
RETURNING *;
