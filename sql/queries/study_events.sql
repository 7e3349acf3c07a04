-- name: ListStudyEventsByID :many
-- The session's stored events among a batch's ids: duplicates and
-- conflicting duplicates (primary-key probes).
SELECT id, type, page, at, seq FROM study_events
WHERE session_id = @session_id AND user_id = @user_id AND id = ANY(@ids::uuid[]);

-- name: InsertStudyEvents :many
-- One batch in the order it was sent (seq follows the array order: the
-- set-returning functions of one select list run in step, row by row). An
-- id stored before is skipped; the caller sees it missing from the answer.
INSERT INTO study_events (user_id, id, session_id, type, page, at, received_at)
SELECT @user_id, e.id, @session_id, e.type, nullif(e.page, 0), e.at, @received_at
FROM (SELECT unnest(@ids::uuid[]) AS id, unnest(@types::text[]) AS type,
             unnest(@pages::int[]) AS page, unnest(@ats::timestamptz[]) AS at) e
ON CONFLICT (session_id, id) DO NOTHING
RETURNING id, seq;

-- name: ListStudyEvents :many
-- A session's events in applied order, for a replay.
SELECT id, type, page, at, seq FROM study_events
WHERE session_id = @session_id AND user_id = @user_id
ORDER BY at, seq;

-- name: ListStudySessionPages :many
SELECT page, seconds, visits, first_read_at, last_read_at FROM study_session_pages
WHERE session_id = @session_id AND user_id = @user_id
ORDER BY page;

-- name: ListStudySessionPagesIn :many
-- The listed pages of a session (what a batch may have changed).
SELECT page, seconds, visits, first_read_at, last_read_at FROM study_session_pages
WHERE session_id = @session_id AND user_id = @user_id AND page = ANY(@pages::int[]);

-- name: RefreshPageStats :exec
-- page_stats of the listed pages of one PDF, summed again over every
-- session (ordered by page, so concurrent sessions lock rows in one order).
INSERT INTO page_stats (user_id, pdf_id, page, seconds_read, visits, first_read_at, last_read_at)
SELECT @user_id, @pdf_id, p.page,
       coalesce(sum(sp.seconds), 0), coalesce(sum(sp.visits), 0), min(sp.first_read_at), max(sp.last_read_at)
FROM unnest(@pages::int[]) AS p(page)
LEFT JOIN study_session_pages sp ON sp.user_id = @user_id AND sp.pdf_id = @pdf_id AND sp.page = p.page
GROUP BY p.page
ORDER BY p.page
ON CONFLICT (user_id, pdf_id, page) DO UPDATE SET
    seconds_read = excluded.seconds_read, visits = excluded.visits,
    first_read_at = excluded.first_read_at, last_read_at = excluded.last_read_at;

-- name: RefreshUserStudyBuckets :exec
-- The user's rollup of the listed buckets, summed again over every session,
-- with the sessions started in each; buckets left with nothing are deleted.
WITH totals AS (
    SELECT b.bucket_start,
           coalesce(sum(sb.active_seconds), 0)::integer AS active_seconds,
           coalesce(sum(sb.read_seconds), 0)::integer AS read_seconds,
           coalesce(sum(sb.pages_read), 0)::integer AS pages_read,
           (SELECT count(*) FROM study_sessions s
            WHERE s.user_id = @user_id AND s.started_at >= b.bucket_start
              AND s.started_at < b.bucket_start + interval '15 minutes')::integer AS sessions
    FROM unnest(@bucket_starts::timestamptz[]) AS b(bucket_start)
    LEFT JOIN study_session_buckets sb ON sb.user_id = @user_id AND sb.bucket_start = b.bucket_start
    GROUP BY b.bucket_start
), gone AS (
    DELETE FROM user_study_buckets u
    USING totals t
    WHERE u.user_id = @user_id AND u.bucket_start = t.bucket_start
      AND t.active_seconds = 0 AND t.read_seconds = 0 AND t.pages_read = 0 AND t.sessions = 0
)
INSERT INTO user_study_buckets (user_id, bucket_start, active_seconds, read_seconds, pages_read, sessions)
SELECT @user_id, t.bucket_start, t.active_seconds, t.read_seconds, t.pages_read, t.sessions
FROM totals t
WHERE t.active_seconds > 0 OR t.read_seconds > 0 OR t.pages_read > 0 OR t.sessions > 0
ORDER BY t.bucket_start
ON CONFLICT (user_id, bucket_start) DO UPDATE SET
    active_seconds = excluded.active_seconds, read_seconds = excluded.read_seconds,
    pages_read = excluded.pages_read, sessions = excluded.sessions;

-- name: ListStudySessionBuckets :many
SELECT bucket_start, active_seconds, read_seconds, pages_read FROM study_session_buckets
WHERE session_id = @session_id AND user_id = @user_id
ORDER BY bucket_start;

-- name: ListStudySessionBucketsSince :many
-- A session's buckets from one on (what a batch may have changed).
SELECT bucket_start, active_seconds, read_seconds, pages_read FROM study_session_buckets
WHERE session_id = @session_id AND user_id = @user_id AND bucket_start >= @since;

-- name: SaveStudyFold :exec
-- Everything a batch changed, in one statement: the session row, the
-- session's pages and buckets that changed (zero time stands for NULL read
-- times), page_stats of those pages and the user's rollup of those buckets
-- (the other sessions' rows plus this session's new ones), and the PDF's
-- current page when this session's latest page event is the PDF's latest.
-- The caller holds the session's and the PDF's row locks (taken by
-- GetStudySessionForFold), so no other batch of this user on this PDF can
-- change the sums between this statement's snapshot and its writes.
WITH sess AS (
    UPDATE study_sessions ss SET
        status = @status, ended_at = sqlc.narg(ended_at), ended_reason = sqlc.narg(ended_reason),
        last_event_at = @last_event_at, last_heard_at = @last_heard_at,
        current_page = sqlc.narg(current_page), current_page_at = sqlc.narg(current_page_at),
        active_seconds = @active_seconds, paused_seconds = @paused_seconds,
        idle_seconds = @idle_seconds, break_seconds = @break_seconds,
        pages_visited = @pages_visited, pages_read = @pages_read, events = @events,
        checkpoint = @checkpoint, updated_at = @now
    WHERE ss.id = @session_id AND ss.user_id = @user_id
    RETURNING ss.id
), new_pages AS (
    SELECT unnest(@pages::int[]) AS page, unnest(@seconds::int[]) AS seconds, unnest(@visits::int[]) AS visits,
           nullif(unnest(@first_read_ats::timestamptz[]), '0001-01-01 00:00:00+00'::timestamptz) AS first_read_at,
           nullif(unnest(@last_read_ats::timestamptz[]), '0001-01-01 00:00:00+00'::timestamptz) AS last_read_at
), gone_pages AS (
    DELETE FROM study_session_pages d
    WHERE d.session_id = @session_id AND d.user_id = @user_id AND d.page = ANY(@gone_pages::int[])
    RETURNING d.page
), put_pages AS (
    INSERT INTO study_session_pages (session_id, user_id, pdf_id, page, seconds, visits, first_read_at, last_read_at)
    SELECT @session_id, @user_id, @pdf_id, n.page, n.seconds, n.visits, n.first_read_at, n.last_read_at
    FROM new_pages n ORDER BY n.page
    ON CONFLICT (session_id, page) DO UPDATE SET
        seconds = excluded.seconds, visits = excluded.visits,
        first_read_at = excluded.first_read_at, last_read_at = excluded.last_read_at
    RETURNING page
), touched_pages AS (
    SELECT page, seconds, visits, first_read_at, last_read_at FROM new_pages
    UNION ALL
    SELECT unnest(@gone_pages::int[]), 0, 0, NULL::timestamptz, NULL::timestamptz
), stats AS (
    INSERT INTO page_stats (user_id, pdf_id, page, seconds_read, visits, first_read_at, last_read_at)
    SELECT @user_id, @pdf_id, t.page, t.seconds + coalesce(o.seconds, 0), t.visits + coalesce(o.visits, 0),
           least(t.first_read_at, o.first_read_at), greatest(t.last_read_at, o.last_read_at)
    FROM touched_pages t
    LEFT JOIN LATERAL (
        SELECT sum(sp.seconds)::int AS seconds, sum(sp.visits)::int AS visits,
               min(sp.first_read_at) AS first_read_at, max(sp.last_read_at) AS last_read_at
        FROM study_session_pages sp
        WHERE sp.user_id = @user_id AND sp.pdf_id = @pdf_id AND sp.page = t.page AND sp.session_id <> @session_id
    ) o ON true
    ORDER BY t.page
    ON CONFLICT (user_id, pdf_id, page) DO UPDATE SET
        seconds_read = excluded.seconds_read, visits = excluded.visits,
        first_read_at = excluded.first_read_at, last_read_at = excluded.last_read_at
    RETURNING page
), new_buckets AS (
    SELECT unnest(@bucket_starts::timestamptz[]) AS bucket_start, unnest(@active_seconds_b::int[]) AS active_seconds,
           unnest(@read_seconds_b::int[]) AS read_seconds, unnest(@pages_read_b::int[]) AS pages_read
), gone_buckets AS (
    DELETE FROM study_session_buckets d
    WHERE d.session_id = @session_id AND d.user_id = @user_id AND d.bucket_start = ANY(@gone_buckets::timestamptz[])
    RETURNING d.bucket_start
), put_buckets AS (
    INSERT INTO study_session_buckets (session_id, user_id, pdf_id, bucket_start, active_seconds, read_seconds, pages_read)
    SELECT @session_id, @user_id, @pdf_id, n.bucket_start, n.active_seconds, n.read_seconds, n.pages_read
    FROM new_buckets n ORDER BY n.bucket_start
    ON CONFLICT (session_id, bucket_start) DO UPDATE SET
        active_seconds = excluded.active_seconds, read_seconds = excluded.read_seconds, pages_read = excluded.pages_read
    RETURNING bucket_start
), touched_buckets AS (
    SELECT bucket_start, active_seconds, read_seconds, pages_read FROM new_buckets
    UNION ALL
    SELECT unnest(@gone_buckets::timestamptz[]), 0, 0, 0
), bucket_totals AS (
    SELECT t.bucket_start,
           t.active_seconds + coalesce(o.active_seconds, 0) AS active_seconds,
           t.read_seconds + coalesce(o.read_seconds, 0) AS read_seconds,
           t.pages_read + coalesce(o.pages_read, 0) AS pages_read,
           (SELECT count(*) FROM study_sessions s
            WHERE s.user_id = @user_id AND s.started_at >= t.bucket_start
              AND s.started_at < t.bucket_start + interval '15 minutes')::integer AS sessions
    FROM touched_buckets t
    LEFT JOIN LATERAL (
        SELECT sum(sb.active_seconds)::int AS active_seconds, sum(sb.read_seconds)::int AS read_seconds,
               sum(sb.pages_read)::int AS pages_read
        FROM study_session_buckets sb
        WHERE sb.user_id = @user_id AND sb.bucket_start = t.bucket_start AND sb.session_id <> @session_id
    ) o ON true
), empty_buckets AS (
    DELETE FROM user_study_buckets u
    USING bucket_totals b
    WHERE u.user_id = @user_id AND u.bucket_start = b.bucket_start
      AND b.active_seconds = 0 AND b.read_seconds = 0 AND b.pages_read = 0 AND b.sessions = 0
    RETURNING u.bucket_start
), rollup AS (
    INSERT INTO user_study_buckets (user_id, bucket_start, active_seconds, read_seconds, pages_read, sessions)
    SELECT @user_id, b.bucket_start, b.active_seconds, b.read_seconds, b.pages_read, b.sessions
    FROM bucket_totals b
    WHERE b.active_seconds > 0 OR b.read_seconds > 0 OR b.pages_read > 0 OR b.sessions > 0
    ORDER BY b.bucket_start
    ON CONFLICT (user_id, bucket_start) DO UPDATE SET
        active_seconds = excluded.active_seconds, read_seconds = excluded.read_seconds,
        pages_read = excluded.pages_read, sessions = excluded.sessions
    RETURNING bucket_start
), current AS (
    UPDATE pdfs p SET current_page = sqlc.narg(pdf_page)::int, current_page_at = sqlc.narg(pdf_page_at)::timestamptz
    WHERE p.id = @pdf_id AND p.user_id = @user_id AND sqlc.narg(pdf_page)::int BETWEEN 1 AND p.page_count
      AND (p.current_page_at IS NULL OR p.current_page_at <= sqlc.narg(pdf_page_at)::timestamptz)
    RETURNING p.id
)
SELECT count(*) FROM sess;
