-- migrate:up

-- Estimate accuracy, kept by the product: when a PDF or an exercise is
-- started (its first study session), the estimate the student was shown;
-- when it is finished, the time it actually took. The records outlive the
-- PDF, exercise, topic and session they name (those references become NULL),
-- so deleting a finished book does not erase how well it was estimated.

CREATE TABLE estimate_records (
    id                  uuid             NOT NULL DEFAULT gen_random_uuid(),
    user_id             uuid             NOT NULL,
    subject             text             NOT NULL,
    pdf_id              uuid,
    exercise_id         uuid,
    topic_id            uuid,
    started_at          timestamptz      NOT NULL,
    remaining_pages     integer          NOT NULL,
    estimated_seconds   double precision NOT NULL,
    low_seconds         double precision NOT NULL,
    high_seconds        double precision NOT NULL,
    basis               text             NOT NULL,
    confidence          text             NOT NULL,
    finished_at         timestamptz,
    finished_session_id uuid,
    actual_seconds      bigint,
    created_at          timestamptz      NOT NULL,
    CONSTRAINT estimate_records_pkey PRIMARY KEY (id),
    CONSTRAINT estimate_records_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT estimate_records_pdf_fkey FOREIGN KEY (pdf_id, user_id)
        REFERENCES pdfs (id, user_id) ON DELETE SET NULL (pdf_id),
    CONSTRAINT estimate_records_exercise_fkey FOREIGN KEY (exercise_id, user_id)
        REFERENCES exercises (id, user_id) ON DELETE SET NULL (exercise_id),
    CONSTRAINT estimate_records_topic_fkey FOREIGN KEY (topic_id, user_id)
        REFERENCES topics (id, user_id) ON DELETE SET NULL (topic_id),
    CONSTRAINT estimate_records_finished_session_fkey FOREIGN KEY (finished_session_id, user_id)
        REFERENCES study_sessions (id, user_id) ON DELETE SET NULL (finished_session_id),
    CONSTRAINT estimate_records_subject_check CHECK (subject IN ('pdf', 'exercise')),
    CONSTRAINT estimate_records_subject_ids_check CHECK (
        (subject = 'pdf' OR pdf_id IS NULL) AND (subject = 'exercise' OR exercise_id IS NULL)),
    CONSTRAINT estimate_records_basis_check CHECK (basis IN ('pdf', 'topic', 'user', 'default')),
    CONSTRAINT estimate_records_confidence_check CHECK (confidence IN ('low', 'medium', 'high')),
    CONSTRAINT estimate_records_estimate_check CHECK (
        remaining_pages >= 0 AND low_seconds >= 0 AND estimated_seconds >= 0
        AND high_seconds >= low_seconds AND high_seconds < 'Infinity'),
    CONSTRAINT estimate_records_finished_check CHECK (
        (finished_at IS NULL) = (actual_seconds IS NULL) AND (actual_seconds IS NULL OR actual_seconds >= 0)
        AND (finished_session_id IS NULL OR finished_at IS NOT NULL))
);

COMMENT ON TABLE estimate_records IS 'Estimate accuracy kept by the product (internal/estimate/store). One row per PDF and per exercise the student started with the timer: the estimate shown at its first session and, once finished, the actual time. GET /api/v1/analytics/estimate-accuracy compares the two. References to the PDF, exercise, topic and session become NULL when those are deleted; the record stays.';
COMMENT ON COLUMN estimate_records.subject IS 'pdf: the rest of a PDF (store.SubjectPDF); exercise: one exercise (store.SubjectExercise).';
COMMENT ON COLUMN estimate_records.topic_id IS 'The topic of the PDF (of the exercise''s PDF) when it was started: the group of the per-topic accuracy.';
COMMENT ON COLUMN estimate_records.started_at IS 'The start of the first study session (the client''s clock, as page first_read_at is): a PDF''s actual time counts the pages first read at or after it.';
COMMENT ON COLUMN estimate_records.remaining_pages IS 'Pages left to read at the start (for an exercise, the pages it covers).';
COMMENT ON COLUMN estimate_records.estimated_seconds IS 'The expected time shown at the start; low_seconds and high_seconds are its 80 % interval, basis and confidence as the estimate said.';
COMMENT ON COLUMN estimate_records.finished_at IS 'Server time when the PDF had no pages left to read (every page has counted reading), or the exercise was completed.';
COMMENT ON COLUMN estimate_records.finished_session_id IS 'The session running when it finished: while that session goes on, actual_seconds follows it (the last page is still being read); later sessions do not change it.';
COMMENT ON COLUMN estimate_records.actual_seconds IS 'PDF: the counted reading seconds (page_stats.seconds_read) of the pages first read at or after started_at, the pages the estimate was about. Exercise: its time_spent_seconds (the active time of its sessions).';

CREATE UNIQUE INDEX estimate_records_pdf_key ON estimate_records (pdf_id, user_id);
COMMENT ON INDEX estimate_records_pdf_key IS 'One record per PDF (exercise records have no pdf_id; deleted PDFs leave NULLs, which do not collide). Serves the start check, FinishPDFEstimateRecord and the ON DELETE SET NULL from pdfs.';
CREATE UNIQUE INDEX estimate_records_exercise_key ON estimate_records (exercise_id, user_id);
COMMENT ON INDEX estimate_records_exercise_key IS 'One record per exercise. Serves the start check, FinishExerciseEstimateRecord and the ON DELETE SET NULL from exercises.';
CREATE INDEX estimate_records_user_idx ON estimate_records (user_id, finished_at);
COMMENT ON INDEX estimate_records_user_idx IS 'Serves GetEstimateAccuracy (the user''s finished records) and the ON DELETE CASCADE from users.';
CREATE INDEX estimate_records_topic_idx ON estimate_records (topic_id, user_id) WHERE topic_id IS NOT NULL;
COMMENT ON INDEX estimate_records_topic_idx IS 'Serves the ON DELETE SET NULL from topics.';
CREATE INDEX estimate_records_session_idx ON estimate_records (finished_session_id, user_id) WHERE finished_session_id IS NOT NULL;
COMMENT ON INDEX estimate_records_session_idx IS 'Serves the updates of actual_seconds while the finishing session runs, and the ON DELETE SET NULL from study_sessions.';

-- migrate:down
DROP TABLE estimate_records;
