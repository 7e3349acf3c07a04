-- migrate:up

CREATE TABLE user_study_days (
    user_id        uuid    NOT NULL,
    day            date    NOT NULL,
    active_seconds integer NOT NULL,
    read_seconds   integer NOT NULL,
    pages_read     integer NOT NULL,
    sessions       integer NOT NULL,
    CONSTRAINT user_study_days_pkey PRIMARY KEY (user_id, day),
    CONSTRAINT user_study_days_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT user_study_days_counts_check CHECK (active_seconds >= 0 AND read_seconds >= 0 AND pages_read >= 0 AND sessions >= 0)
);
COMMENT ON TABLE user_study_days IS 'The per-user rollup of user_study_buckets by local day in the user''s current time zone (users.timezone): day is (bucket_start AT TIME ZONE timezone)::date, exact because every zone offset is a multiple of 15 minutes. Recomputed for the days a write touches, in the same transaction, under the user''s study lock (LockUserStudy); rebuilt whole when the time zone changes. Daily, weekly, streak and heatmap statistics read it.';
ALTER TABLE user_study_days SET (fillfactor = 80);

INSERT INTO user_study_days (user_id, day, active_seconds, read_seconds, pages_read, sessions)
SELECT b.user_id, (b.bucket_start AT TIME ZONE u.timezone)::date,
       sum(b.active_seconds), sum(b.read_seconds), sum(b.pages_read), sum(b.sessions)
FROM user_study_buckets b
JOIN users u ON u.id = b.user_id
GROUP BY 1, 2;

-- migrate:down
DROP TABLE user_study_days;
