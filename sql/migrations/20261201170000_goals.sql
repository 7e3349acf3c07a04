-- migrate:up

-- Study goals: two daily targets and two deadlines. Progress is never
-- stored: it is computed on read from the rollups and the estimates.
CREATE TABLE goals (
    id         uuid        NOT NULL DEFAULT gen_random_uuid(),
    user_id    uuid        NOT NULL,
    kind       text        NOT NULL,
    target     integer,
    pdf_id     uuid,
    topic_id   uuid,
    deadline   date,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    CONSTRAINT goals_pkey PRIMARY KEY (id),
    CONSTRAINT goals_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT goals_pdf_fkey FOREIGN KEY (pdf_id, user_id) REFERENCES pdfs (id, user_id) ON DELETE CASCADE,
    CONSTRAINT goals_topic_fkey FOREIGN KEY (topic_id, user_id) REFERENCES topics (id, user_id) ON DELETE CASCADE,
    CONSTRAINT goals_kind_check CHECK (kind IN ('daily_minutes', 'daily_pages', 'finish_pdf_by', 'finish_topic_by')),
    CONSTRAINT goals_shape_check CHECK (
        CASE kind
            WHEN 'daily_minutes' THEN target BETWEEN 1 AND 1440 AND pdf_id IS NULL AND topic_id IS NULL AND deadline IS NULL
            WHEN 'daily_pages' THEN target BETWEEN 1 AND 10000 AND pdf_id IS NULL AND topic_id IS NULL AND deadline IS NULL
            WHEN 'finish_pdf_by' THEN target IS NULL AND pdf_id IS NOT NULL AND topic_id IS NULL AND deadline IS NOT NULL
            WHEN 'finish_topic_by' THEN target IS NULL AND pdf_id IS NULL AND topic_id IS NOT NULL AND deadline IS NOT NULL
        END)
);
COMMENT ON TABLE goals IS 'A student''s study goals: daily_minutes and daily_pages (target), finish_pdf_by (pdf_id, deadline) and finish_topic_by (topic_id, deadline), the shape checked by goals_shape_check. Progress and on_track are computed on read. A goal goes with its PDF or topic (ON DELETE CASCADE). One daily goal of each kind and one deadline per PDF or topic (the partial unique indexes).';
COMMENT ON COLUMN goals.target IS 'Minutes (daily_minutes) or pages (daily_pages) a day; NULL for deadline goals.';
COMMENT ON COLUMN goals.deadline IS 'The last day, in the student''s time zone, on which the goal may still be met (inclusive).';

CREATE INDEX goals_user_idx ON goals (user_id, created_at, id);
COMMENT ON INDEX goals_user_idx IS 'Serves ListGoals and CountGoals.';
CREATE UNIQUE INDEX goals_daily_key ON goals (user_id, kind) WHERE kind IN ('daily_minutes', 'daily_pages');
CREATE UNIQUE INDEX goals_pdf_key ON goals (user_id, pdf_id) WHERE kind = 'finish_pdf_by';
CREATE UNIQUE INDEX goals_topic_key ON goals (user_id, topic_id) WHERE kind = 'finish_topic_by';
CREATE INDEX goals_pdf_idx ON goals (pdf_id, user_id) WHERE pdf_id IS NOT NULL;
COMMENT ON INDEX goals_pdf_idx IS 'Serves the cascade when a PDF is deleted.';
CREATE INDEX goals_topic_idx ON goals (topic_id, user_id) WHERE topic_id IS NOT NULL;
COMMENT ON INDEX goals_topic_idx IS 'Serves the cascade when a topic is deleted.';

-- migrate:down
DROP TABLE goals;
