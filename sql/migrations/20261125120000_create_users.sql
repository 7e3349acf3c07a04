-- migrate:up

-- Accounts. Email is unique case-insensitively (users_email_key is an index on
-- lower(email)); the username is stored lower-case so a plain UNIQUE suffices.
CREATE TABLE users (
    id            uuid        NOT NULL DEFAULT gen_random_uuid(),
    email         text        NOT NULL,
    username      text        NOT NULL,
    full_name     text        NOT NULL DEFAULT '',
    timezone      text        NOT NULL DEFAULT 'UTC',
    password_hash text        NOT NULL,
    is_active     boolean     NOT NULL DEFAULT true,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    last_login_at timestamptz,
    CONSTRAINT users_pkey PRIMARY KEY (id),
    CONSTRAINT users_username_key UNIQUE (username),
    CONSTRAINT users_email_check CHECK (length(email) BETWEEN 3 AND 254 AND strpos(email, '@') > 1),
    CONSTRAINT users_username_check CHECK (username ~ '^[a-z0-9_-]{3,32}$'),
    CONSTRAINT users_full_name_check CHECK (char_length(full_name) <= 200),
    CONSTRAINT users_timezone_check CHECK (char_length(timezone) BETWEEN 1 AND 64),
    CONSTRAINT users_password_hash_check CHECK (password_hash <> '')
);

CREATE UNIQUE INDEX users_email_key ON users (lower(email));

-- One row per user, created in the same transaction as the user. Typed columns
-- with defaults; every range is enforced here as well as in the API.
CREATE TABLE user_preferences (
    user_id                      uuid        NOT NULL,
    theme                        text        NOT NULL DEFAULT 'system',
    pomodoro_work_minutes        integer     NOT NULL DEFAULT 25,
    pomodoro_short_break_minutes integer     NOT NULL DEFAULT 5,
    pomodoro_long_break_minutes  integer     NOT NULL DEFAULT 15,
    pomodoro_long_break_every    integer     NOT NULL DEFAULT 4,
    auto_start_breaks            boolean     NOT NULL DEFAULT false,
    daily_goal_minutes           integer     NOT NULL DEFAULT 60,
    streak_min_minutes           integer     NOT NULL DEFAULT 10,
    idle_threshold_seconds       integer     NOT NULL DEFAULT 300,
    page_min_seconds             integer     NOT NULL DEFAULT 5,
    page_max_seconds             integer     NOT NULL DEFAULT 900,
    week_start                   text        NOT NULL DEFAULT 'monday',
    created_at                   timestamptz NOT NULL DEFAULT now(),
    updated_at                   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT user_preferences_pkey PRIMARY KEY (user_id),
    CONSTRAINT user_preferences_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT user_preferences_theme_check CHECK (theme IN ('light', 'dark', 'system')),
    CONSTRAINT user_preferences_week_start_check CHECK (week_start IN ('monday', 'sunday')),
    CONSTRAINT user_preferences_pomodoro_work_minutes_check CHECK (pomodoro_work_minutes BETWEEN 1 AND 180),
    CONSTRAINT user_preferences_pomodoro_short_break_minutes_check CHECK (pomodoro_short_break_minutes BETWEEN 1 AND 60),
    CONSTRAINT user_preferences_pomodoro_long_break_minutes_check CHECK (pomodoro_long_break_minutes BETWEEN 1 AND 120),
    CONSTRAINT user_preferences_pomodoro_long_break_every_check CHECK (pomodoro_long_break_every BETWEEN 1 AND 12),
    CONSTRAINT user_preferences_daily_goal_minutes_check CHECK (daily_goal_minutes BETWEEN 0 AND 1440),
    CONSTRAINT user_preferences_streak_min_minutes_check CHECK (streak_min_minutes BETWEEN 1 AND 1440),
    CONSTRAINT user_preferences_idle_threshold_seconds_check CHECK (idle_threshold_seconds BETWEEN 30 AND 3600),
    CONSTRAINT user_preferences_page_min_seconds_check CHECK (page_min_seconds BETWEEN 0 AND 600),
    CONSTRAINT user_preferences_page_max_seconds_check CHECK (page_max_seconds BETWEEN 10 AND 7200),
    CONSTRAINT user_preferences_page_bounds_check CHECK (page_min_seconds < page_max_seconds)
);

-- One row per login (a device). Only the SHA-256 of the refresh token is kept.
CREATE TABLE user_sessions (
    id                 uuid        NOT NULL DEFAULT gen_random_uuid(),
    user_id            uuid        NOT NULL,
    refresh_token_hash bytea       NOT NULL,
    user_agent         text        NOT NULL DEFAULT '',
    ip                 inet,
    created_at         timestamptz NOT NULL DEFAULT now(),
    last_used_at       timestamptz NOT NULL DEFAULT now(),
    expires_at         timestamptz NOT NULL,
    revoked_at         timestamptz,
    revoke_reason      text,
    CONSTRAINT user_sessions_pkey PRIMARY KEY (id),
    CONSTRAINT user_sessions_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT user_sessions_refresh_token_hash_key UNIQUE (refresh_token_hash),
    CONSTRAINT user_sessions_refresh_token_hash_check CHECK (octet_length(refresh_token_hash) = 32),
    CONSTRAINT user_sessions_user_agent_check CHECK (char_length(user_agent) <= 512),
    CONSTRAINT user_sessions_revoked_check CHECK ((revoked_at IS NULL) = (revoke_reason IS NULL))
);

CREATE INDEX user_sessions_user_id_idx ON user_sessions (user_id, created_at);

-- migrate:down
DROP TABLE user_sessions;
DROP TABLE user_preferences;
DROP TABLE users;
