-- name: CreateTextJob :exec
-- Queues (or re-queues) text extraction of a PDF.
INSERT INTO text_jobs (pdf_id, user_id, run_after, created_at)
VALUES (@pdf_id, @user_id, @now, @now)
ON CONFLICT (pdf_id) DO UPDATE SET attempts = 0, run_after = excluded.run_after, last_error = NULL;

-- name: ClaimTextJob :one
-- Takes a due job and leases it: run_after and leased_until move to
-- lease_until, so no other worker takes it meanwhile, and a worker that dies
-- leaves it to be taken again when the lease ends. attempts counts the
-- claims.
--
-- Users take turns, so one user's queue cannot starve the others. The
-- candidates are each user's oldest due job; the one taken is that of
--   1. the user with the fewest jobs running now (leased_until in the
--      future): with several workers, a user whose PDF is slow has one
--      worker while the others serve everyone else;
--   2. among those, the user whose last claim is oldest (text_job_turns,
--      numbered by a sequence, so claims never tie on a repeated or skewed
--      clock; a user never served comes first): one worker alternates
--      between a user with 50 queued PDFs and a user with 1.
-- Both keys are needed: by running jobs alone a single worker would be
-- first-come-first-served again (every user has none running when it
-- claims); by last claim alone a user's slow PDFs could take every worker.
--
-- Cost: one index probe per user with queued jobs (queued walks
-- text_jobs_user_due_idx from user to user, a loose index scan), not one
-- row per job: a queue of 100,000 jobs after reindex-text stays cheap to
-- claim from. SKIP LOCKED passes over a candidate another claim is taking
-- at the same instant (that claim serves its user); the repeated run_after
-- test makes a candidate claimed meanwhile drop out when its row is locked.
WITH RECURSIVE queued AS (
    (SELECT q.user_id FROM text_jobs q ORDER BY q.user_id LIMIT 1)
    UNION ALL
    SELECT (SELECT q.user_id FROM text_jobs q WHERE q.user_id > queued.user_id ORDER BY q.user_id LIMIT 1)
    FROM queued
    WHERE queued.user_id IS NOT NULL
), running AS (
    SELECT r.user_id, count(*) AS jobs
    FROM text_jobs r
    WHERE r.leased_until > @now::timestamptz
    GROUP BY r.user_id
), candidates AS (
    SELECT oldest.pdf_id, coalesce(running.jobs, 0) AS running, turn.last_claim
    FROM queued
    CROSS JOIN LATERAL (
        SELECT o.pdf_id FROM text_jobs o
        WHERE o.user_id = queued.user_id AND o.run_after <= @now
        ORDER BY o.run_after, o.created_at
        LIMIT 1
    ) oldest
    LEFT JOIN running ON running.user_id = queued.user_id
    LEFT JOIN text_job_turns turn ON turn.user_id = queued.user_id
), due AS (
    SELECT t.pdf_id
    FROM text_jobs t
    JOIN candidates c ON c.pdf_id = t.pdf_id
    WHERE t.run_after <= @now
    ORDER BY c.running, c.last_claim NULLS FIRST, t.run_after, t.created_at
    LIMIT 1
    FOR UPDATE OF t SKIP LOCKED
), claimed AS (
    UPDATE text_jobs j SET attempts = j.attempts + 1, run_after = @lease_until, leased_until = @lease_until
    FROM due
    WHERE j.pdf_id = due.pdf_id
    RETURNING j.pdf_id, j.user_id, j.attempts, j.last_error
), turn AS (
    INSERT INTO text_job_turns (user_id, last_claim)
    SELECT c.user_id, nextval('text_job_turns_seq') FROM claimed c
    ON CONFLICT (user_id) DO UPDATE SET last_claim = excluded.last_claim
)
SELECT c.pdf_id, c.user_id, c.attempts, c.last_error FROM claimed c;

-- name: PostponeTextJob :exec
-- Records a failed attempt; the job is retried after run_after.
UPDATE text_jobs SET last_error = @last_error, run_after = @run_after, leased_until = NULL
WHERE pdf_id = @pdf_id AND user_id = @user_id;

-- name: DeleteTextJob :exec
DELETE FROM text_jobs WHERE pdf_id = @pdf_id AND user_id = @user_id;

-- name: RequeueAllTextJobs :execrows
-- Re-extracts every PDF (after a change of search languages).
INSERT INTO text_jobs (pdf_id, user_id, run_after, created_at)
SELECT id, user_id, @now, @now FROM pdfs
ON CONFLICT (pdf_id) DO UPDATE SET attempts = 0, run_after = excluded.run_after, last_error = NULL;

-- name: CountTextJobs :one
-- The text extraction queue for /metrics, across users: jobs waiting (due
-- now or backing off after a failure) and jobs a worker holds (leased).
SELECT count(*) FILTER (WHERE leased_until IS NULL OR leased_until <= @now::timestamptz) AS waiting,
       count(*) FILTER (WHERE leased_until > @now::timestamptz) AS running
FROM text_jobs;
