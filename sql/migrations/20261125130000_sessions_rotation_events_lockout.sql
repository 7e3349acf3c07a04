-- migrate:up

-- Refresh tokens get a history so any reuse of a rotated token is recognised.
-- A session has exactly one live token (rotated_at IS NULL); each rotation
-- derives the next token from the presented one with the session's secret,
-- so a retry within the grace window can be answered with the same token.
ALTER TABLE user_sessions
    ADD CONSTRAINT user_sessions_id_user_id_key UNIQUE (id, user_id);

CREATE TABLE user_refresh_tokens (
    token_hash bytea       NOT NULL,
    session_id uuid        NOT NULL,
    user_id    uuid        NOT NULL,
    issued_at  timestamptz NOT NULL,
    rotated_at timestamptz,
    CONSTRAINT user_refresh_tokens_pkey PRIMARY KEY (token_hash),
    CONSTRAINT user_refresh_tokens_session_fkey FOREIGN KEY (session_id, user_id)
        REFERENCES user_sessions (id, user_id) ON DELETE CASCADE,
    CONSTRAINT user_refresh_tokens_token_hash_check CHECK (octet_length(token_hash) = 32),
    CONSTRAINT user_refresh_tokens_rotated_check CHECK (rotated_at IS NULL OR rotated_at >= issued_at)
);

CREATE INDEX user_refresh_tokens_session_idx ON user_refresh_tokens (session_id, user_id);
CREATE UNIQUE INDEX user_refresh_tokens_live_key ON user_refresh_tokens (session_id) WHERE rotated_at IS NULL;

INSERT INTO user_refresh_tokens (token_hash, session_id, user_id, issued_at)
SELECT refresh_token_hash, id, user_id, created_at FROM user_sessions;

ALTER TABLE user_sessions DROP COLUMN refresh_token_hash;

-- Sliding expiry (expires_at) never passes the absolute limit.
-- Existing sessions get a secret from two random UUIDs (crypto-strong in PG 13+).
ALTER TABLE user_sessions
    ADD COLUMN refresh_secret bytea,
    ADD COLUMN absolute_expires_at timestamptz;
UPDATE user_sessions SET
    refresh_secret = decode(replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''), 'hex'),
    absolute_expires_at = greatest(expires_at, created_at + interval '90 days');
ALTER TABLE user_sessions
    ALTER COLUMN refresh_secret SET NOT NULL,
    ALTER COLUMN absolute_expires_at SET NOT NULL,
    ADD CONSTRAINT user_sessions_refresh_secret_check CHECK (octet_length(refresh_secret) = 32),
    ADD CONSTRAINT user_sessions_expiry_check CHECK (expires_at <= absolute_expires_at);

CREATE INDEX user_sessions_expires_at_idx ON user_sessions (expires_at);
CREATE INDEX user_sessions_revoked_at_idx ON user_sessions (revoked_at) WHERE revoked_at IS NOT NULL;

-- Failed logins per account, for the lockout window. Kept in PostgreSQL so
-- every instance sees the same count.
CREATE TABLE login_failures (
    id        bigint      GENERATED ALWAYS AS IDENTITY,
    user_id   uuid        NOT NULL,
    failed_at timestamptz NOT NULL,
    ip        inet,
    CONSTRAINT login_failures_pkey PRIMARY KEY (id),
    CONSTRAINT login_failures_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
);

CREATE INDEX login_failures_user_id_failed_at_idx ON login_failures (user_id, failed_at DESC);
CREATE INDEX login_failures_failed_at_idx ON login_failures (failed_at);

-- Security events the user can review. No foreign key: the account_deleted
-- event outlives the account (account deletion removes all the others).
CREATE TABLE security_events (
    id         uuid        NOT NULL DEFAULT gen_random_uuid(),
    user_id    uuid        NOT NULL,
    kind       text        NOT NULL,
    created_at timestamptz NOT NULL,
    ip         inet,
    user_agent text        NOT NULL DEFAULT '',
    session_id uuid,
    detail     jsonb       NOT NULL DEFAULT '{}',
    CONSTRAINT security_events_pkey PRIMARY KEY (id),
    CONSTRAINT security_events_kind_check CHECK (kind IN (
        'login_succeeded', 'login_failed', 'account_locked', 'refresh_token_reused',
        'password_changed', 'email_changed', 'session_revoked', 'account_deleted')),
    CONSTRAINT security_events_detail_check CHECK (jsonb_typeof(detail) = 'object'),
    CONSTRAINT security_events_user_agent_check CHECK (char_length(user_agent) <= 512)
);

CREATE INDEX security_events_user_id_created_at_idx ON security_events (user_id, created_at DESC, id DESC);
CREATE INDEX security_events_created_at_idx ON security_events (created_at);

-- migrate:down
DROP TABLE security_events;
DROP TABLE login_failures;

DROP INDEX user_sessions_revoked_at_idx;
DROP INDEX user_sessions_expires_at_idx;
ALTER TABLE user_sessions
    DROP CONSTRAINT user_sessions_expiry_check,
    DROP COLUMN absolute_expires_at,
    DROP COLUMN refresh_secret,
    ADD COLUMN refresh_token_hash bytea;
UPDATE user_sessions s SET refresh_token_hash = t.token_hash
FROM user_refresh_tokens t
WHERE t.session_id = s.id AND t.rotated_at IS NULL;
DELETE FROM user_sessions WHERE refresh_token_hash IS NULL;
ALTER TABLE user_sessions
    ALTER COLUMN refresh_token_hash SET NOT NULL,
    ADD CONSTRAINT user_sessions_refresh_token_hash_key UNIQUE (refresh_token_hash),
    ADD CONSTRAINT user_sessions_refresh_token_hash_check CHECK (octet_length(refresh_token_hash) = 32);

DROP TABLE user_refresh_tokens;
ALTER TABLE user_sessions DROP CONSTRAINT user_sessions_id_user_id_key;
