-- migrate:up

-- Exercises practise pages of a study PDF (page_start..page_end). The
-- questions may sit in another PDF uploaded with kind = exercise; deleting
-- that PDF only unlinks it (exercise_pdf_id becomes NULL, the page ranges
-- stay), while deleting the study PDF deletes its exercises.
CREATE TABLE exercises (
    id                  uuid        NOT NULL DEFAULT gen_random_uuid(),
    user_id             uuid        NOT NULL,
    pdf_id              uuid        NOT NULL,
    page_start          integer     NOT NULL,
    page_end            integer     NOT NULL,
    title               text        NOT NULL,
    description         text        NOT NULL DEFAULT '',
    difficulty          smallint    NOT NULL DEFAULT 3,
    status              text        NOT NULL DEFAULT 'todo',
    score               smallint,
    completed_at        timestamptz,
    exercise_pdf_id     uuid,
    exercise_page_start integer,
    exercise_page_end   integer,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT exercises_pkey PRIMARY KEY (id),
    CONSTRAINT exercises_pdf_fkey FOREIGN KEY (pdf_id, user_id) REFERENCES pdfs (id, user_id) ON DELETE CASCADE,
    CONSTRAINT exercises_exercise_pdf_fkey FOREIGN KEY (exercise_pdf_id, user_id)
        REFERENCES pdfs (id, user_id) ON DELETE SET NULL (exercise_pdf_id),
    CONSTRAINT exercises_page_range_check CHECK (page_start >= 1 AND page_end >= page_start),
    CONSTRAINT exercises_exercise_page_range_check CHECK (
        (exercise_page_start IS NULL AND exercise_page_end IS NULL)
        OR (exercise_page_start >= 1 AND exercise_page_end >= exercise_page_start)),
    CONSTRAINT exercises_title_check CHECK (char_length(title) BETWEEN 1 AND 200),
    CONSTRAINT exercises_description_check CHECK (char_length(description) <= 5000),
    CONSTRAINT exercises_difficulty_check CHECK (difficulty BETWEEN 1 AND 5),
    CONSTRAINT exercises_status_check CHECK (status IN ('todo', 'in_progress', 'done')),
    CONSTRAINT exercises_score_check CHECK (score BETWEEN 0 AND 100),
    CONSTRAINT exercises_done_check CHECK ((status = 'done') = (completed_at IS NOT NULL) AND (score IS NULL OR status = 'done'))
);

CREATE INDEX exercises_pdf_pages_idx ON exercises (pdf_id, user_id, page_start, page_end);
CREATE INDEX exercises_user_created_idx ON exercises (user_id, created_at DESC, id DESC);
CREATE INDEX exercises_exercise_pdf_idx ON exercises (exercise_pdf_id, user_id) WHERE exercise_pdf_id IS NOT NULL;

-- migrate:down
DROP TABLE exercises;
