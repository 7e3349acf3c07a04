-- name: CreateGoal :one
INSERT INTO goals (user_id, kind, target, pdf_id, topic_id, deadline, created_at, updated_at)
VALUES (@user_id, @kind, sqlc.narg(target), sqlc.narg(pdf_id), sqlc.narg(topic_id), sqlc.narg(deadline), @now, @now)
RETURNING *;

-- name: CountGoals :one
SELECT count(*)::integer FROM goals WHERE user_id = @user_id;

-- name: GetGoal :one
SELECT * FROM goals WHERE id = @id AND user_id = @user_id;

-- name: ListGoals :many
SELECT * FROM goals WHERE user_id = @user_id ORDER BY created_at, id;

-- name: UpdateGoal :one
-- A goal's kind and object never change; its target or deadline may.
UPDATE goals SET
    target     = coalesce(sqlc.narg(target), target),
    deadline   = coalesce(sqlc.narg(deadline), deadline),
    updated_at = @now
WHERE id = @id AND user_id = @user_id
RETURNING *;

-- name: DeleteGoal :execrows
DELETE FROM goals WHERE id = @id AND user_id = @user_id;

-- name: ExportGoals :many
SELECT id, json_build_object(
    'id', id, 'kind', kind, 'target', target, 'pdf_id', pdf_id, 'topic_id', topic_id,
    'deadline', deadline, 'created_at', created_at, 'updated_at', updated_at) AS doc
FROM goals
WHERE user_id = @user_id AND id > @after_id
ORDER BY id
LIMIT @row_limit;

-- name: LockUserGoals :exec
-- Serialises one user's goal creations, so the per-user limit holds under
-- concurrent requests.
SELECT pg_advisory_xact_lock(hashtextextended('goals:' || sqlc.arg(user_id)::uuid, 0));
