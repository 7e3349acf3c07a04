-- name: CreateTextJob :exec
-- Queues (or re-queues) text extraction of a PDF.
INSERT INTO text_jobs (pdf_id, user_id, run_after, created_at)
VALUES (@pdf_id, @user_id, @now, @now)
ON CONFLICT (pdf_id) DO UPDATE SET attempts = 0, run_after = excluded.run_after, last_error = NULL;

-- name: ClaimTextJob :one
-- Takes the oldest due job and leases it: run_after moves to lease_until,
-- so no other worker takes it meanwhile, and a worker that dies leaves it
-- to be taken again when the lease ends. attempts counts the claims.
UPDATE text_jobs j SET attempts = j.attempts + 1, run_after = @lease_until
FROM (
    SELECT t.pdf_id FROM text_jobs t
    WHERE t.run_after <= @now
    ORDER BY t.run_after, t.created_at
    FOR UPDATE SKIP LOCKED
    LIMIT 1
) due
WHERE j.pdf_id = due.pdf_id
RETURNING j.pdf_id, j.user_id, j.attempts, j.last_error;

-- name: PostponeTextJob :exec
-- Records a failed attempt; the job is retried after run_after.
UPDATE text_jobs SET last_error = @last_error, run_after = @run_after
WHERE pdf_id = @pdf_id AND user_id = @user_id;

-- name: DeleteTextJob :exec
DELETE FROM text_jobs WHERE pdf_id = @pdf_id AND user_id = @user_id;

-- name: RequeueAllTextJobs :execrows
-- Re-extracts every PDF (after a change of search languages).
INSERT INTO text_jobs (pdf_id, user_id, run_after, created_at)
SELECT id, user_id, @now, @now FROM pdfs
ON CONFLICT (pdf_id) DO UPDATE SET attempts = 0, run_after = excluded.run_after, last_error = NULL;
