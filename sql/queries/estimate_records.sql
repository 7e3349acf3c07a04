-- name: EstimateRecordWanted :one
-- Whether a session starting on this PDF (exercise_id NULL) or on this
-- exercise should record the estimate shown: nothing recorded yet, and an
-- exercise neither done nor with timer time already (so the record starts
-- at its first session).
SELECT (CASE WHEN sqlc.narg(exercise_id)::uuid IS NULL
    THEN NOT EXISTS (SELECT 1 FROM estimate_records r WHERE r.pdf_id = @pdf_id::uuid AND r.user_id = @user_id)
    ELSE NOT EXISTS (SELECT 1 FROM estimate_records r WHERE r.exercise_id = sqlc.narg(exercise_id)::uuid AND r.user_id = @user_id)
         AND EXISTS (SELECT 1 FROM exercises e
                     WHERE e.id = sqlc.narg(exercise_id)::uuid AND e.user_id = @user_id
                       AND e.status <> 'done' AND e.time_spent_seconds = 0)
END)::bool AS wanted;

-- name: CreateEstimateRecord :exec
-- The estimate shown at a first session, with the topic of the PDF it is
-- about (of_pdf_id: the PDF, or the exercise's PDF). A PDF or exercise
-- recorded before keeps its first record.
INSERT INTO estimate_records (user_id, subject, pdf_id, exercise_id, topic_id, started_at, remaining_pages,
                              estimated_seconds, low_seconds, high_seconds, basis, confidence, created_at)
SELECT @user_id, @subject, sqlc.narg(pdf_id)::uuid, sqlc.narg(exercise_id)::uuid, p.topic_id, @started_at, @remaining_pages,
       @estimated_seconds, @low_seconds, @high_seconds, @basis, @confidence, @now
FROM pdfs p
WHERE p.id = @of_pdf_id AND p.user_id = @user_id
ON CONFLICT DO NOTHING;

-- name: FinishPDFEstimateRecord :exec
-- After a fold changed a PDF's pages: its open record is finished (now, by
-- this session) once every page of the PDF has counted reading, and while
-- the finishing session goes on its actual time follows it. The actual time
-- is the counted seconds of the pages first read at or after the start: the
-- pages the estimate was about. Without a record (or with one finished by
-- another session) this is one index probe.
UPDATE estimate_records r SET
    finished_at = coalesce(r.finished_at, @now::timestamptz),
    finished_session_id = coalesce(r.finished_session_id, @session_id::uuid),
    actual_seconds = (SELECT coalesce(sum(ps.seconds_read), 0)::bigint FROM page_stats ps
                      WHERE ps.user_id = @user_id AND ps.pdf_id = @pdf_id AND ps.first_read_at >= r.started_at)
WHERE r.pdf_id = @pdf_id AND r.user_id = @user_id
  AND (r.finished_session_id = @session_id::uuid
       OR (r.finished_at IS NULL
           AND (SELECT count(*) FROM page_stats ps
                WHERE ps.user_id = @user_id AND ps.pdf_id = @pdf_id AND ps.first_read_at IS NOT NULL)
               >= (SELECT p.page_count FROM pdfs p WHERE p.id = @pdf_id AND p.user_id = @user_id)));

-- name: FinishExerciseEstimateRecord :exec
-- An exercise completed: its open record takes the exercise's time so far,
-- and follows the session running on it (if one is) until that ends.
UPDATE estimate_records r SET
    finished_at = @now::timestamptz,
    actual_seconds = e.time_spent_seconds,
    finished_session_id = (SELECT s.id FROM study_sessions s
                           WHERE s.user_id = @user_id AND s.ended_at IS NULL AND s.exercise_id = @exercise_id::uuid)
FROM exercises e
WHERE r.exercise_id = @exercise_id::uuid AND r.user_id = @user_id AND r.finished_at IS NULL
  AND e.id = @exercise_id AND e.user_id = @user_id;

-- name: FollowExerciseEstimateRecord :exec
-- The session running when an exercise was completed went on: the record's
-- actual time follows the exercise's time.
UPDATE estimate_records r SET actual_seconds = e.time_spent_seconds
FROM exercises e
WHERE r.exercise_id = @exercise_id::uuid AND r.user_id = @user_id AND r.finished_session_id = @session_id::uuid
  AND e.id = @exercise_id AND e.user_id = @user_id;

-- name: GetEstimateAccuracy :many
-- How the estimates shown did, overall (overall = true) and per topic: of
-- the finished records with actual time, the median absolute percentage
-- error, the median signed percentage error (the bias: positive when the
-- estimates were too high) and the share of actual times inside the 80 %
-- interval (each 0 when nothing is measured), with the counts of measured
-- and of still open records.
WITH cases AS (
    SELECT r.topic_id,
           r.finished_at IS NULL AS open,
           r.finished_at IS NOT NULL AND r.actual_seconds > 0 AS measured,
           100 * (r.estimated_seconds - r.actual_seconds) / nullif(r.actual_seconds, 0) AS error_percent,
           r.actual_seconds BETWEEN r.low_seconds AND r.high_seconds AS inside
    FROM estimate_records r
    WHERE r.user_id = @user_id
)
SELECT (GROUPING(c.topic_id) = 1)::bool AS overall,
       c.topic_id,
       t.name AS topic_name,
       (count(*) FILTER (WHERE c.measured))::bigint AS measured,
       (count(*) FILTER (WHERE c.open))::bigint AS open,
       coalesce(percentile_cont(0.5) WITHIN GROUP (ORDER BY abs(c.error_percent)) FILTER (WHERE c.measured), 0)::float8 AS median_absolute_error_percent,
       coalesce(percentile_cont(0.5) WITHIN GROUP (ORDER BY c.error_percent) FILTER (WHERE c.measured), 0)::float8 AS bias_percent,
       coalesce(100.0 * count(*) FILTER (WHERE c.measured AND c.inside) / nullif(count(*) FILTER (WHERE c.measured), 0), 0)::float8 AS inside_interval_percent
FROM cases c
LEFT JOIN topics t ON t.id = c.topic_id AND t.user_id = @user_id
GROUP BY GROUPING SETS ((), (c.topic_id, t.name))
ORDER BY overall DESC, t.name NULLS LAST, c.topic_id;
