-- migrate:up

-- The lockout counted failures per account after the answer, in a separate
-- read and write: it raced, it could be bypassed when the write failed, it let
-- anyone lock anyone out and it told real accounts from unknown ones. It is
-- replaced by attempts counted before the password check, keyed by the login
-- identifier (whether or not an account has it) and the client's network.
DROP TABLE login_failures;

CREATE TABLE login_attempts (
    identifier_hash bytea       NOT NULL,
    network         cidr        NOT NULL,
    window_start    timestamptz NOT NULL,
    attempts        integer     NOT NULL,
    failures        integer     NOT NULL DEFAULT 0,
    last_attempt_at timestamptz NOT NULL,
    CONSTRAINT login_attempts_pkey PRIMARY KEY (identifier_hash, network),
    CONSTRAINT login_attempts_identifier_hash_check CHECK (octet_length(identifier_hash) = 32),
    CONSTRAINT login_attempts_attempts_check CHECK (attempts >= 0),
    CONSTRAINT login_attempts_failures_check CHECK (failures >= 0)
);

COMMENT ON TABLE login_attempts IS
    'Password attempts per login identifier and client network (an IPv4 address or an IPv6 /64) in a fixed window. '
    'An attempt is counted before its password is checked, in one statement under the row lock (CountLoginAttempt), '
    'so concurrent guesses cannot pass the limit; past LOGIN_LOCKOUT_FAILURES the network is refused for this identifier '
    'until the window ends. A successful login deletes only its own network''s row, so a stranger elsewhere cannot lock a student out.';
COMMENT ON COLUMN login_attempts.identifier_hash IS
    'SHA-256 of the normalized identifier (lower-cased email or username as typed, or user:<id> for re-authentication), '
    'stored whether or not an account has it, so unknown and real accounts behave the same.';
COMMENT ON COLUMN login_attempts.network IS 'The client address masked to /32 (IPv4) or to RATE_LIMIT_IPV6_PREFIX (IPv6).';
COMMENT ON COLUMN login_attempts.attempts IS 'Attempts in the window that started at window_start, refused ones included.';
COMMENT ON COLUMN login_attempts.failures IS 'Of those, the ones whose password was checked and wrong (for audit).';
CREATE INDEX login_attempts_last_attempt_at_idx ON login_attempts (last_attempt_at);
COMMENT ON INDEX login_attempts_last_attempt_at_idx IS 'Serves DeleteOldLoginAttempts (sweeper).';

CREATE TABLE login_identifier_attempts (
    identifier_hash bytea       NOT NULL,
    window_start    timestamptz NOT NULL,
    attempts        integer     NOT NULL,
    next_allowed_at timestamptz NOT NULL,
    last_let_through boolean    NOT NULL,
    CONSTRAINT login_identifier_attempts_pkey PRIMARY KEY (identifier_hash),
    CONSTRAINT login_identifier_attempts_identifier_hash_check CHECK (octet_length(identifier_hash) = 32),
    CONSTRAINT login_identifier_attempts_attempts_check CHECK (attempts >= 0)
);

COMMENT ON TABLE login_identifier_attempts IS
    'Password attempts per login identifier across all networks, against a much higher ceiling '
    '(LOGIN_IDENTIFIER_CEILING per LOGIN_IDENTIFIER_WINDOW). Past it, attempts are spaced out by a growing delay '
    '(next_allowed_at, exponential up to LOGIN_SLOWDOWN_MAX) instead of being locked out; refused attempts do not count.';
COMMENT ON COLUMN login_identifier_attempts.attempts IS 'Attempts let through in the window (those refused for their network or for the delay are not counted).';
COMMENT ON COLUMN login_identifier_attempts.next_allowed_at IS 'The earliest time the next attempt is let through.';
COMMENT ON COLUMN login_identifier_attempts.last_let_through IS 'Whether the latest attempt was let through (CountLoginAttempt returns it).';
CREATE INDEX login_identifier_attempts_next_allowed_at_idx ON login_identifier_attempts (next_allowed_at);
COMMENT ON INDEX login_identifier_attempts_next_allowed_at_idx IS 'Serves DeleteOldLoginAttempts (sweeper).';

-- migrate:down
DROP TABLE login_identifier_attempts;
DROP TABLE login_attempts;

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
