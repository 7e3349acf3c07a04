-- name: LockTopicTree :exec
-- Serialises changes to one user's topic hierarchy (create, move, archive,
-- delete), so cycle and depth checks see a stable tree.
SELECT pg_advisory_xact_lock(hashtextextended('topic-tree:' || sqlc.arg(user_id)::uuid, 0));

-- name: CreateTopic :one
INSERT INTO topics (user_id, parent_id, name, description, color, sort_order, target_date, created_at, updated_at)
VALUES (@user_id, sqlc.narg(parent_id), @name, @description, @color, @sort_order, sqlc.narg(target_date), @now, @now)
RETURNING *;

-- name: GetTopic :one
SELECT * FROM topics WHERE id = @id AND user_id = @user_id;

-- name: ListAllTopics :many
SELECT * FROM topics WHERE user_id = @user_id
ORDER BY sort_order, lower(name), id;

-- name: ListTopicStats :many
-- Statistics of each listed topic over its whole subtree: PDFs, pages,
-- reading from pdf_reading (the per-PDF rollup of page_stats) and exercise
-- counts, in one pass over the subtree's PDFs. One row per listed topic,
-- zeros when it holds no PDFs. Run as a prepared statement (see
-- api.preparedReads): every step is an index lookup within one user's rows.
WITH RECURSIVE subtree AS (
    SELECT t.id AS root_id, t.id
    FROM topics t
    WHERE t.user_id = @user_id AND t.id = ANY(@topic_ids::uuid[])
  UNION ALL
    SELECT s.root_id, c.id
    FROM topics c JOIN subtree s ON c.parent_id = s.id
    WHERE c.user_id = @user_id
), totals AS MATERIALIZED (
    SELECT s.root_id,
           count(p.id) AS pdf_count,
           sum(p.page_count) AS total_pages,
           sum(r.pages_read) AS pages_read,
           sum(r.study_seconds) AS study_seconds,
           max(r.last_studied_at)::timestamptz AS last_studied_at,
           sum(x.exercise_count) AS exercise_count,
           sum(x.exercises_done) AS exercises_done
    FROM subtree s
    LEFT JOIN pdfs p ON p.topic_id = s.id AND p.user_id = @user_id
    LEFT JOIN pdf_reading r ON r.pdf_id = p.id AND r.user_id = @user_id
    LEFT JOIN LATERAL (
        SELECT count(*) AS exercise_count, count(*) FILTER (WHERE e.status = 'done') AS exercises_done
        FROM exercises e WHERE e.pdf_id = p.id AND e.user_id = @user_id
    ) x ON p.id IS NOT NULL
    GROUP BY s.root_id
)
SELECT t.id AS topic_id,
       coalesce(x.pdf_count, 0)::integer AS pdf_count,
       coalesce(x.total_pages, 0)::bigint AS total_pages,
       coalesce(x.pages_read, 0)::bigint AS pages_read,
       coalesce(round(100.0 * x.pages_read / nullif(x.total_pages, 0), 1), 0)::float8 AS progress_percent,
       coalesce(x.study_seconds, 0)::bigint AS study_seconds,
       x.last_studied_at,
       coalesce(x.exercise_count, 0)::integer AS exercise_count,
       coalesce(x.exercises_done, 0)::integer AS exercises_done
FROM topics t
LEFT JOIN totals x ON x.root_id = t.id
WHERE t.user_id = @user_id AND t.id = ANY(@topic_ids::uuid[]);

-- name: ListTopics :many
-- A page of topics with the statistics of each one's subtree, in one
-- statement (GET /api/v1/topics). Filters: parent (a topic, or the roots),
-- archived state, a name substring (the caller escapes LIKE wildcards).
-- Keyset order: sort_order, name, id. The statistics are computed as
-- ListTopicStats computes them. Prepared (see api.preparedReads). totals
-- is MATERIALIZED so it is aggregated once and joined by hash, not
-- re-scanned per topic (pgbench on the loadtest seed: 8,000/s against
-- 6,100/s).
WITH RECURSIVE listed AS (
    SELECT l.id FROM topics l
    WHERE l.user_id = @user_id
      AND (NOT @filter_parent::bool OR l.parent_id IS NOT DISTINCT FROM sqlc.narg(parent_id)::uuid)
      AND (sqlc.narg(archived)::bool IS NULL OR (l.archived_at IS NOT NULL) = sqlc.narg(archived)::bool)
      AND (sqlc.narg(name_like)::text IS NULL OR l.name ILIKE sqlc.narg(name_like)::text)
      AND (sqlc.narg(after_sort)::int IS NULL
           OR (l.sort_order, lower(l.name), l.id) > (sqlc.narg(after_sort)::int, sqlc.narg(after_name)::text, sqlc.narg(after_id)::uuid))
    ORDER BY l.sort_order, lower(l.name), l.id
    LIMIT @row_limit
), subtree AS (
    SELECT l.id AS root_id, l.id FROM listed l
  UNION ALL
    SELECT s.root_id, c.id
    FROM topics c JOIN subtree s ON c.parent_id = s.id
    WHERE c.user_id = @user_id
), totals AS MATERIALIZED (
    SELECT s.root_id,
           count(p.id) AS pdf_count,
           sum(p.page_count) AS total_pages,
           sum(r.pages_read) AS pages_read,
           sum(r.study_seconds) AS study_seconds,
           max(r.last_studied_at)::timestamptz AS last_studied_at,
           sum(x.exercise_count) AS exercise_count,
           sum(x.exercises_done) AS exercises_done
    FROM subtree s
    LEFT JOIN pdfs p ON p.topic_id = s.id AND p.user_id = @user_id
    LEFT JOIN pdf_reading r ON r.pdf_id = p.id AND r.user_id = @user_id
    LEFT JOIN LATERAL (
        SELECT count(*) AS exercise_count, count(*) FILTER (WHERE e.status = 'done') AS exercises_done
        FROM exercises e WHERE e.pdf_id = p.id AND e.user_id = @user_id
    ) x ON p.id IS NOT NULL
    GROUP BY s.root_id
)
SELECT sqlc.embed(t),
       coalesce(x.pdf_count, 0)::integer AS pdf_count,
       coalesce(x.total_pages, 0)::bigint AS total_pages,
       coalesce(x.pages_read, 0)::bigint AS pages_read,
       coalesce(round(100.0 * x.pages_read / nullif(x.total_pages, 0), 1), 0)::float8 AS progress_percent,
       coalesce(x.study_seconds, 0)::bigint AS study_seconds,
       x.last_studied_at,
       coalesce(x.exercise_count, 0)::integer AS exercise_count,
       coalesce(x.exercises_done, 0)::integer AS exercises_done
FROM topics t
JOIN listed l ON l.id = t.id
LEFT JOIN totals x ON x.root_id = t.id
WHERE t.user_id = @user_id
ORDER BY t.sort_order, lower(t.name), t.id;

-- name: GetTopicAncestry :one
-- How deep a topic sits (1 for a root) and whether `candidate` is the topic
-- itself or one of its ancestors (a move under it would make a cycle).
WITH RECURSIVE up AS (
    SELECT t.id, t.parent_id, 1 AS depth
    FROM topics t WHERE t.id = @topic_id AND t.user_id = @user_id
  UNION ALL
    SELECT p.id, p.parent_id, up.depth + 1
    FROM topics p JOIN up ON p.id = up.parent_id
    WHERE p.user_id = @user_id AND up.depth < 64
)
SELECT coalesce(max(depth), 0)::integer AS depth,
       coalesce(bool_or(id = sqlc.narg(candidate)::uuid), false)::bool AS has_candidate
FROM up;

-- name: ListTopicSubtree :many
-- The topic and all its descendants, with their depth below it (0 for itself).
WITH RECURSIVE down AS (
    SELECT t.id, t.archived_at, 0 AS level
    FROM topics t WHERE t.id = @topic_id AND t.user_id = @user_id
  UNION ALL
    SELECT c.id, c.archived_at, down.level + 1
    FROM topics c JOIN down ON c.parent_id = down.id
    WHERE c.user_id = @user_id AND down.level < 64
)
SELECT id, archived_at, level FROM down;

-- name: UpdateTopic :one
-- Partial update; nullable columns change only when their set_ flag is true.
UPDATE topics SET
    name        = coalesce(sqlc.narg(name), name),
    description = coalesce(sqlc.narg(description), description),
    color       = coalesce(sqlc.narg(color), color),
    sort_order  = coalesce(sqlc.narg(sort_order), sort_order),
    parent_id   = CASE WHEN @set_parent::bool THEN sqlc.narg(parent_id)::uuid ELSE parent_id END,
    target_date = CASE WHEN @set_target_date::bool THEN sqlc.narg(target_date)::date ELSE target_date END,
    updated_at  = @now
WHERE id = @id AND user_id = @user_id
RETURNING *;

-- name: SetTopicsArchived :execrows
-- Archives (archived_at set) or restores (NULL) the listed topics.
UPDATE topics SET archived_at = sqlc.narg(archived_at)::timestamptz, updated_at = @now
WHERE user_id = @user_id AND id = ANY(@ids::uuid[])
  AND (archived_at IS NULL) = (sqlc.narg(archived_at)::timestamptz IS NOT NULL);

-- name: CountTopicContents :one
SELECT
    (SELECT count(*) FROM topics c WHERE c.parent_id = @topic_id::uuid AND c.user_id = @user_id)::integer AS children,
    (SELECT count(*) FROM pdfs p WHERE p.topic_id = @topic_id AND p.user_id = @user_id)::integer AS pdfs;

-- name: DeleteTopic :execrows
-- Children go by ON DELETE CASCADE; PDFs must be deleted first.
DELETE FROM topics WHERE id = @id AND user_id = @user_id;
