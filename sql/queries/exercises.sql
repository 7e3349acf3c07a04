-- name: CreateExercise :one
INSERT INTO exercises (user_id, pdf_id, page_start, page_end, title, description, difficulty,
                       exercise_pdf_id, exercise_page_start, exercise_page_end, created_at, updated_at)
VALUES (@user_id, @pdf_id, @page_start, @page_end, @title, @description, @difficulty,
        sqlc.narg(exercise_pdf_id), sqlc.narg(exercise_page_start), sqlc.narg(exercise_page_end), @now, @now)
RETURNING *;

-- name: GetExercise :one
SELECT * FROM exercises WHERE id = @id AND user_id = @user_id;

-- name: ListPDFExercises :many
-- A study PDF's exercises in page order, optionally by status.
SELECT * FROM exercises
WHERE user_id = @user_id AND pdf_id = @pdf_id
  AND (sqlc.narg(status)::text IS NULL OR status = sqlc.narg(status)::text)
  AND (sqlc.narg(after_page)::int IS NULL
       OR (page_start, created_at, id) > (sqlc.narg(after_page)::int, sqlc.narg(after_created_at)::timestamptz, sqlc.narg(after_id)::uuid))
ORDER BY page_start, created_at, id
LIMIT @row_limit;

-- name: ListPageExercises :many
-- What to practise around page n: the exercises whose range covers it, those
-- that end soonest first.
SELECT * FROM exercises
WHERE user_id = @user_id AND pdf_id = @pdf_id
  AND page_start <= @page::int AND page_end >= @page::int
ORDER BY page_end, difficulty, created_at, id
LIMIT 200;

-- name: ListExercises :many
-- Across all PDFs: optionally the exercises of PDFs in a topic's subtree,
-- optionally by status. Newest first.
WITH RECURSIVE subtree AS (
    SELECT t.id FROM topics t
    WHERE t.user_id = @user_id AND t.id = sqlc.narg(topic_id)::uuid
  UNION ALL
    SELECT c.id FROM topics c JOIN subtree s ON c.parent_id = s.id
    WHERE c.user_id = @user_id
)
SELECT e.* FROM exercises e
WHERE e.user_id = @user_id
  AND (sqlc.narg(topic_id)::uuid IS NULL OR e.pdf_id IN (
        SELECT p.id FROM pdfs p WHERE p.user_id = @user_id AND p.topic_id IN (SELECT id FROM subtree)))
  AND (sqlc.narg(status)::text IS NULL OR e.status = sqlc.narg(status)::text)
  AND (sqlc.narg(after_created_at)::timestamptz IS NULL
       OR (e.created_at, e.id) < (sqlc.narg(after_created_at)::timestamptz, sqlc.narg(after_id)::uuid))
ORDER BY e.created_at DESC, e.id DESC
LIMIT @row_limit;

-- name: UpdateExercise :one
-- Partial update; the exercise-PDF link changes only when set_exercise_pdf.
UPDATE exercises SET
    title               = coalesce(sqlc.narg(title), title),
    description         = coalesce(sqlc.narg(description), description),
    difficulty          = coalesce(sqlc.narg(difficulty), difficulty),
    page_start          = coalesce(sqlc.narg(page_start), page_start),
    page_end            = coalesce(sqlc.narg(page_end), page_end),
    status              = coalesce(sqlc.narg(status), status),
    exercise_pdf_id     = CASE WHEN @set_exercise_pdf::bool THEN sqlc.narg(exercise_pdf_id)::uuid ELSE exercise_pdf_id END,
    exercise_page_start = CASE WHEN @set_exercise_pdf::bool THEN sqlc.narg(exercise_page_start)::int ELSE exercise_page_start END,
    exercise_page_end   = CASE WHEN @set_exercise_pdf::bool THEN sqlc.narg(exercise_page_end)::int ELSE exercise_page_end END,
    updated_at          = @now
WHERE id = @id AND user_id = @user_id
RETURNING *;

-- name: SetExerciseStatus :one
-- Completes (status done, completed_at, score) or reopens (todo, both NULL).
UPDATE exercises SET
    status       = @status,
    score        = sqlc.narg(score),
    completed_at = sqlc.narg(completed_at),
    updated_at   = @now
WHERE id = @id AND user_id = @user_id
RETURNING *;

-- name: DeleteExercise :execrows
DELETE FROM exercises WHERE id = @id AND user_id = @user_id;
