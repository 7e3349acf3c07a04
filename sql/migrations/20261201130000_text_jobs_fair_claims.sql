-- migrate:up

-- Text jobs are claimed round-robin across users (ClaimTextJob): a user with
-- many queued PDFs, or with one slow PDF, takes turns with the others.

-- leased_until marks a job a worker is running: set by the claim, cleared
-- when the attempt fails and the job backs off. Past it, the worker is taken
-- for dead (run_after equals it then, and the job is due again).
ALTER TABLE text_jobs ADD COLUMN leased_until timestamptz;

COMMENT ON COLUMN text_jobs.leased_until IS
    'While in the future, a worker runs this job; ClaimTextJob serves users with fewer running jobs first.';

CREATE INDEX text_jobs_leased_until_idx ON text_jobs (leased_until) WHERE leased_until IS NOT NULL;

COMMENT ON INDEX text_jobs_leased_until_idx IS
    'Counts the running jobs per user when a job is claimed.';

CREATE INDEX text_jobs_user_due_idx ON text_jobs (user_id, run_after, created_at);

COMMENT ON INDEX text_jobs_user_due_idx IS
    'Finds the users with queued jobs (one probe each) and each one''s oldest due job when a job is claimed.';

-- The claim no longer takes the globally oldest due job, so the index that
-- served it has no query left.
DROP INDEX text_jobs_run_after_idx;

-- Claim numbers come from a sequence rather than the clock: strictly
-- increasing, so two claims never tie and servers with clocks apart agree.
CREATE SEQUENCE text_job_turns_seq AS bigint;

COMMENT ON SEQUENCE text_job_turns_seq IS
    'Numbers text job claims in order (text_job_turns.last_claim).';

-- Each user's last claim; the user whose last claim is oldest (or who has
-- none) is served next.
CREATE TABLE text_job_turns (
    user_id    uuid   NOT NULL,
    last_claim bigint NOT NULL,
    CONSTRAINT text_job_turns_pkey PRIMARY KEY (user_id),
    CONSTRAINT text_job_turns_user_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
);

COMMENT ON TABLE text_job_turns IS
    'The number (text_job_turns_seq) of the last text job claimed for each user; ClaimTextJob serves the lowest first.';
COMMENT ON COLUMN text_job_turns.last_claim IS
    'nextval(text_job_turns_seq) at the user''s last claim.';

-- migrate:down
CREATE INDEX text_jobs_run_after_idx ON text_jobs (run_after, created_at);
COMMENT ON INDEX text_jobs_run_after_idx IS 'Serves ClaimTextJob (the due jobs).';
DROP TABLE text_job_turns;
DROP SEQUENCE text_job_turns_seq;
DROP INDEX text_jobs_user_due_idx;
DROP INDEX text_jobs_leased_until_idx;
ALTER TABLE text_jobs DROP COLUMN leased_until;
