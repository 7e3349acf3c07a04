-- migrate:up

-- The study timer. Everything it reports is derived from the stored events;
-- the derived numbers are kept on write (the session row, its per-page and
-- per-quarter-hour parts, and the per-user rollups) so nothing reads raw
-- events to answer a question.

ALTER TABLE exercises
    ADD CONSTRAINT exercises_id_user_id_key UNIQUE (id, user_id),
    ADD COLUMN time_spent_seconds bigint NOT NULL DEFAULT 0,
    ADD CONSTRAINT exercises_time_spent_seconds_check CHECK (time_spent_seconds >= 0);
COMMENT ON COLUMN exercises.time_spent_seconds IS 'Active seconds of the study sessions on this exercise (kept by the timer).';
COMMENT ON INDEX exercises_id_user_id_key IS 'Target of study_sessions_exercise_fkey: a session names its exercise and its owner.';

ALTER TABLE pdfs ADD COLUMN current_page_at timestamptz;
COMMENT ON COLUMN pdfs.current_page_at IS 'When current_page was set: by the latest page event of any study session (by its time), or by PATCH. An older page event never moves current_page back.';

CREATE TABLE study_sessions (
    id                     uuid        NOT NULL DEFAULT gen_random_uuid(),
    user_id                uuid        NOT NULL,
    pdf_id                 uuid        NOT NULL,
    exercise_id            uuid,
    source                 text        NOT NULL DEFAULT 'timer',
    pomodoro               boolean     NOT NULL DEFAULT false,
    rules                  jsonb       NOT NULL,
    idle_threshold_seconds integer     NOT NULL,
    start_page             integer,
    page_count             integer     NOT NULL,
    started_at             timestamptz NOT NULL,
    status                 text        NOT NULL,
    ended_at               timestamptz,
    ended_reason           text,
    last_event_at          timestamptz NOT NULL,
    last_heard_at          timestamptz NOT NULL,
    current_page           integer,
    current_page_at        timestamptz,
    active_seconds         bigint      NOT NULL DEFAULT 0,
    paused_seconds         bigint      NOT NULL DEFAULT 0,
    idle_seconds           bigint      NOT NULL DEFAULT 0,
    break_seconds          bigint      NOT NULL DEFAULT 0,
    pages_visited          integer     NOT NULL DEFAULT 0,
    pages_read             integer     NOT NULL DEFAULT 0,
    events                 integer     NOT NULL DEFAULT 0,
    checkpoint             bytea       NOT NULL,
    notes                  text        NOT NULL DEFAULT '',
    rating                 smallint,
    created_at             timestamptz NOT NULL,
    updated_at             timestamptz NOT NULL,
    CONSTRAINT study_sessions_pkey PRIMARY KEY (id),
    CONSTRAINT study_sessions_id_user_id_key UNIQUE (id, user_id),
    CONSTRAINT study_sessions_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT study_sessions_pdf_fkey FOREIGN KEY (pdf_id, user_id) REFERENCES pdfs (id, user_id) ON DELETE CASCADE,
    CONSTRAINT study_sessions_exercise_fkey FOREIGN KEY (exercise_id, user_id)
        REFERENCES exercises (id, user_id) ON DELETE SET NULL (exercise_id),
    CONSTRAINT study_sessions_source_check CHECK (source IN ('timer', 'koreader')),
    CONSTRAINT study_sessions_status_check CHECK (status IN ('running', 'paused', 'ended')),
    CONSTRAINT study_sessions_ended_reason_check CHECK (ended_reason IN ('stopped', 'idle', 'superseded')),
    CONSTRAINT study_sessions_ended_check CHECK ((status = 'ended') = (ended_at IS NOT NULL) AND (ended_at IS NULL) = (ended_reason IS NULL)),
    CONSTRAINT study_sessions_times_check CHECK (last_event_at >= started_at AND (ended_at IS NULL OR ended_at >= started_at)),
    CONSTRAINT study_sessions_idle_threshold_seconds_check CHECK (idle_threshold_seconds > 0),
    CONSTRAINT study_sessions_start_page_check CHECK (start_page BETWEEN 1 AND page_count),
    CONSTRAINT study_sessions_seconds_check CHECK (active_seconds >= 0 AND paused_seconds >= 0 AND idle_seconds >= 0 AND break_seconds >= 0),
    CONSTRAINT study_sessions_notes_check CHECK (char_length(notes) <= 5000),
    CONSTRAINT study_sessions_rating_check CHECK (rating BETWEEN 1 AND 5)
);

COMMENT ON TABLE study_sessions IS 'A study session on a PDF (or an exercise, which studies its PDF). Its numbers are derived from its events (study_events) by the pure rules of internal/study and stored here on every write: checkpoint is the fold state after the last applied event, so a batch in time order is folded on; a late batch replays the session''s events. Nothing lives only in memory.';
COMMENT ON COLUMN study_sessions.rules IS 'The timer rules the session started with (idle threshold, page bounds, pomodoro lengths), frozen: a change of preferences applies to later sessions.';
COMMENT ON COLUMN study_sessions.status IS 'As of the last write; a running session whose client went quiet is ended (idle) when it is read or by the sweeper.';
COMMENT ON COLUMN study_sessions.last_event_at IS 'The time (client clock) of the latest applied event, or the start.';
COMMENT ON COLUMN study_sessions.last_heard_at IS 'Server time of the latest request about the session: inactivity is measured by it, never by the events'' own times.';
COMMENT ON COLUMN study_sessions.active_seconds IS 'Up to the end of the timeline (ended_at, or last_event_at while running); the API adds the time since the last event for a running session.';
COMMENT ON COLUMN study_sessions.page_count IS 'The PDF''s page count (it never changes): event pages are checked against it without reading the PDF.';
COMMENT ON COLUMN study_sessions.checkpoint IS 'internal/study.Checkpoint in its compact binary form (varints; written on every batch, so a few bytes per page).';
CREATE UNIQUE INDEX study_sessions_running_key ON study_sessions (user_id) WHERE ended_at IS NULL;
COMMENT ON INDEX study_sessions_running_key IS 'At most one running session per user; serves GetRunningStudySession and the supersede on start.';
CREATE INDEX study_sessions_user_started_idx ON study_sessions (user_id, started_at DESC, id DESC);
COMMENT ON INDEX study_sessions_user_started_idx IS 'Serves ListStudySessions (newest first, keyset) and the sessions count of RefreshUserStudyBuckets.';
CREATE INDEX study_sessions_pdf_idx ON study_sessions (pdf_id, user_id);
COMMENT ON INDEX study_sessions_pdf_idx IS 'Serves ListStudySessions by PDF and the ON DELETE CASCADE from pdfs.';
CREATE INDEX study_sessions_exercise_idx ON study_sessions (exercise_id, user_id) WHERE exercise_id IS NOT NULL;
COMMENT ON INDEX study_sessions_exercise_idx IS 'Serves RefreshExerciseTimeSpent, ListStudySessions by exercise and the ON DELETE SET NULL from exercises.';
CREATE INDEX study_sessions_quiet_idx ON study_sessions (last_heard_at) WHERE ended_at IS NULL;
COMMENT ON INDEX study_sessions_quiet_idx IS 'Serves ListQuietStudySessions (the sweeper that ends sessions nobody heard from).';

CREATE TABLE study_events (
    user_id     uuid        NOT NULL,
    id          uuid        NOT NULL,
    session_id  uuid        NOT NULL,
    seq         bigint      NOT NULL GENERATED ALWAYS AS IDENTITY,
    type        text        NOT NULL,
    page        integer,
    at          timestamptz NOT NULL,
    received_at timestamptz NOT NULL,
    CONSTRAINT study_events_pkey PRIMARY KEY (session_id, id),
    CONSTRAINT study_events_session_fkey FOREIGN KEY (session_id, user_id) REFERENCES study_sessions (id, user_id) ON DELETE CASCADE,
    CONSTRAINT study_events_type_check CHECK (type IN ('page', 'heartbeat', 'pause', 'resume', 'stop')),
    CONSTRAINT study_events_page_check CHECK ((type = 'page') = (page IS NOT NULL) AND (page IS NULL OR page >= 1))
);

COMMENT ON TABLE study_events IS 'Timer events as clients sent them. The id is made by the client and unique within its session, so resending a batch changes nothing; seq is the arrival order and breaks ties between events of the same time. The primary key is the only index (it serves ListStudyEventsByID and, with a sort, the rare replay of ListStudyEvents): every batch inserts into it, so one index instead of two keeps ingestion cheap.';
COMMENT ON COLUMN study_events.at IS 'The client''s clock; events are applied in (at, seq) order whenever they arrive.';
COMMENT ON INDEX study_events_pkey IS 'Serves ListStudyEventsByID (duplicates of a batch), ListStudyEvents (a replay, sorted by at and seq) and the ON DELETE CASCADE from study_sessions.';

CREATE TABLE study_session_pages (
    session_id    uuid        NOT NULL,
    user_id       uuid        NOT NULL,
    pdf_id        uuid        NOT NULL,
    page          integer     NOT NULL,
    seconds       integer     NOT NULL,
    visits        integer     NOT NULL,
    first_read_at timestamptz,
    last_read_at  timestamptz,
    CONSTRAINT study_session_pages_pkey PRIMARY KEY (session_id, page),
    CONSTRAINT study_session_pages_session_fkey FOREIGN KEY (session_id, user_id) REFERENCES study_sessions (id, user_id) ON DELETE CASCADE,
    CONSTRAINT study_session_pages_page_check CHECK (page >= 1),
    CONSTRAINT study_session_pages_counts_check CHECK (seconds >= 0 AND visits >= 0)
);

COMMENT ON TABLE study_session_pages IS 'One session''s contribution to each page it visited: counted (non-skim, capped) dwell seconds, counted visits, first and last read. page_stats is the sum of these rows; both change in the same transaction as the events, so a late event or a deleted session corrects page_stats exactly.';
CREATE INDEX study_session_pages_page_idx ON study_session_pages (user_id, pdf_id, page);
COMMENT ON INDEX study_session_pages_page_idx IS 'Serves RefreshPageStats (summing one page over all sessions).';

CREATE TABLE study_session_buckets (
    session_id     uuid        NOT NULL,
    user_id        uuid        NOT NULL,
    pdf_id         uuid        NOT NULL,
    bucket_start   timestamptz NOT NULL,
    active_seconds integer     NOT NULL,
    read_seconds   integer     NOT NULL,
    pages_read     integer     NOT NULL,
    CONSTRAINT study_session_buckets_pkey PRIMARY KEY (session_id, bucket_start),
    CONSTRAINT study_session_buckets_session_fkey FOREIGN KEY (session_id, user_id) REFERENCES study_sessions (id, user_id) ON DELETE CASCADE,
    CONSTRAINT study_session_buckets_counts_check CHECK (active_seconds >= 0 AND read_seconds >= 0 AND pages_read >= 0)
);

COMMENT ON TABLE study_session_buckets IS 'One session''s study time per 15-minute UTC bucket (every time zone offset is a multiple of 15 minutes, so any local day is a whole number of buckets and a session across midnight splits exactly). read_seconds and pages_read count dwells by the bucket they began in.';
CREATE INDEX study_session_buckets_user_idx ON study_session_buckets (user_id, bucket_start);
COMMENT ON INDEX study_session_buckets_user_idx IS 'Serves RefreshUserStudyBuckets.';
CREATE INDEX study_session_buckets_pdf_idx ON study_session_buckets (user_id, pdf_id, bucket_start);
COMMENT ON INDEX study_session_buckets_pdf_idx IS 'Serves the per-PDF pace by week.';

CREATE TABLE user_study_buckets (
    user_id        uuid        NOT NULL,
    bucket_start   timestamptz NOT NULL,
    active_seconds integer     NOT NULL,
    read_seconds   integer     NOT NULL,
    pages_read     integer     NOT NULL,
    sessions       integer     NOT NULL,
    CONSTRAINT user_study_buckets_pkey PRIMARY KEY (user_id, bucket_start),
    CONSTRAINT user_study_buckets_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT user_study_buckets_counts_check CHECK (active_seconds >= 0 AND read_seconds >= 0 AND pages_read >= 0 AND sessions >= 0)
);

COMMENT ON TABLE user_study_buckets IS 'The per-user rollup of study_session_buckets (and the sessions started in each bucket), recomputed for the buckets a write touches: daily, weekly and streak statistics read it in the user''s current time zone.';

-- The timer updates these rows on every batch: free room on each page lets
-- PostgreSQL update a row in place (a HOT update: no index entries to
-- write), which is most of what a batch writes.
ALTER TABLE study_sessions SET (fillfactor = 70);
ALTER TABLE study_session_pages SET (fillfactor = 80);
ALTER TABLE study_session_buckets SET (fillfactor = 80);
ALTER TABLE user_study_buckets SET (fillfactor = 80);
ALTER TABLE page_stats SET (fillfactor = 80);

-- migrate:down
ALTER TABLE page_stats RESET (fillfactor);
DROP TABLE user_study_buckets;
DROP TABLE study_session_buckets;
DROP TABLE study_session_pages;
DROP TABLE study_events;
DROP TABLE study_sessions;
ALTER TABLE pdfs DROP COLUMN current_page_at;
ALTER TABLE exercises
    DROP CONSTRAINT exercises_time_spent_seconds_check,
    DROP COLUMN time_spent_seconds,
    DROP CONSTRAINT exercises_id_user_id_key;
