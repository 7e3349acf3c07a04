-- migrate:up

-- Topics organise a user's material in a hierarchy (depth at most 5, checked
-- by the API under a per-user lock). Composite keys (id, user_id) let every
-- reference carry the owner, so no row can point at another user's object.
CREATE TABLE topics (
    id          uuid        NOT NULL DEFAULT gen_random_uuid(),
    user_id     uuid        NOT NULL,
    parent_id   uuid,
    name        text        NOT NULL,
    description text        NOT NULL DEFAULT '',
    color       text        NOT NULL DEFAULT '#4F46E5',
    sort_order  integer     NOT NULL DEFAULT 0,
    target_date date,
    archived_at timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT topics_pkey PRIMARY KEY (id),
    CONSTRAINT topics_id_user_id_key UNIQUE (id, user_id),
    CONSTRAINT topics_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT topics_parent_fkey FOREIGN KEY (parent_id, user_id) REFERENCES topics (id, user_id) ON DELETE CASCADE,
    CONSTRAINT topics_name_check CHECK (char_length(name) BETWEEN 1 AND 100 AND name = btrim(name)),
    CONSTRAINT topics_description_check CHECK (char_length(description) <= 2000),
    CONSTRAINT topics_color_check CHECK (color ~ '^#[0-9A-F]{6}$'),
    CONSTRAINT topics_parent_check CHECK (parent_id IS NULL OR parent_id <> id),
    CONSTRAINT topics_sort_order_check CHECK (sort_order BETWEEN -1000000 AND 1000000)
);

-- Sibling names are unique ignoring case; root topics are siblings too.
CREATE UNIQUE INDEX topics_sibling_name_key ON topics (user_id, parent_id, lower(name)) NULLS NOT DISTINCT;
CREATE INDEX topics_parent_idx ON topics (parent_id, user_id) WHERE parent_id IS NOT NULL;

-- PDFs: the file lives in the blob store under storage_key; the row is
-- written after the file and deleted before it, so a row never lacks its
-- file (the sweeper removes files whose row is gone).
CREATE TABLE pdfs (
    id                uuid        NOT NULL DEFAULT gen_random_uuid(),
    user_id           uuid        NOT NULL,
    topic_id          uuid,
    kind              text        NOT NULL DEFAULT 'study',
    title             text        NOT NULL,
    author            text        NOT NULL DEFAULT '',
    original_filename text        NOT NULL DEFAULT '',
    page_count        integer     NOT NULL,
    size_bytes        bigint      NOT NULL,
    sha256            bytea       NOT NULL,
    storage_key       text        NOT NULL,
    current_page      integer     NOT NULL DEFAULT 1,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT pdfs_pkey PRIMARY KEY (id),
    CONSTRAINT pdfs_id_user_id_key UNIQUE (id, user_id),
    CONSTRAINT pdfs_user_sha256_key UNIQUE (user_id, sha256),
    CONSTRAINT pdfs_storage_key_key UNIQUE (storage_key),
    CONSTRAINT pdfs_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
    -- Deleting a topic that still has PDFs fails (NO ACTION, checked at the
    -- end of the statement, so deleting the whole account still cascades);
    -- the API deletes PDFs explicitly because their files must go too.
    CONSTRAINT pdfs_topic_fkey FOREIGN KEY (topic_id, user_id) REFERENCES topics (id, user_id),
    CONSTRAINT pdfs_kind_check CHECK (kind IN ('study', 'exercise')),
    CONSTRAINT pdfs_title_check CHECK (char_length(title) BETWEEN 1 AND 300),
    CONSTRAINT pdfs_author_check CHECK (char_length(author) <= 200),
    CONSTRAINT pdfs_original_filename_check CHECK (char_length(original_filename) <= 255),
    CONSTRAINT pdfs_page_count_check CHECK (page_count >= 1),
    CONSTRAINT pdfs_size_bytes_check CHECK (size_bytes > 0),
    CONSTRAINT pdfs_sha256_check CHECK (octet_length(sha256) = 32),
    CONSTRAINT pdfs_current_page_check CHECK (current_page BETWEEN 1 AND page_count)
);

CREATE INDEX pdfs_user_created_idx ON pdfs (user_id, created_at DESC, id DESC);
CREATE INDEX pdfs_topic_idx ON pdfs (topic_id, user_id) WHERE topic_id IS NOT NULL;

-- Per-page reading data keyed by (user, pdf, page). The study timer fills it
-- from stored page events; topic and PDF statistics read it from day one.
CREATE TABLE page_stats (
    user_id       uuid        NOT NULL,
    pdf_id        uuid        NOT NULL,
    page          integer     NOT NULL,
    seconds_read  integer     NOT NULL DEFAULT 0,
    visits        integer     NOT NULL DEFAULT 0,
    first_read_at timestamptz,
    last_read_at  timestamptz,
    CONSTRAINT page_stats_pkey PRIMARY KEY (user_id, pdf_id, page),
    CONSTRAINT page_stats_pdf_fkey FOREIGN KEY (pdf_id, user_id) REFERENCES pdfs (id, user_id) ON DELETE CASCADE,
    CONSTRAINT page_stats_page_check CHECK (page >= 1),
    CONSTRAINT page_stats_seconds_read_check CHECK (seconds_read >= 0),
    CONSTRAINT page_stats_visits_check CHECK (visits >= 0)
);

CREATE INDEX page_stats_pdf_idx ON page_stats (pdf_id, user_id);

-- Reading per PDF, from page_stats: what PDF and topic answers show.
CREATE VIEW pdf_reading AS
SELECT user_id,
       pdf_id,
       count(*) FILTER (WHERE seconds_read > 0)::integer AS pages_read,
       sum(seconds_read)::bigint AS study_seconds,
       max(last_read_at)::timestamptz AS last_studied_at
FROM page_stats
GROUP BY user_id, pdf_id;

CREATE TABLE bookmarks (
    id         uuid        NOT NULL DEFAULT gen_random_uuid(),
    user_id    uuid        NOT NULL,
    pdf_id     uuid        NOT NULL,
    page       integer     NOT NULL,
    label      text        NOT NULL DEFAULT '',
    note       text        NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT bookmarks_pkey PRIMARY KEY (id),
    CONSTRAINT bookmarks_pdf_fkey FOREIGN KEY (pdf_id, user_id) REFERENCES pdfs (id, user_id) ON DELETE CASCADE,
    CONSTRAINT bookmarks_page_check CHECK (page >= 1),
    CONSTRAINT bookmarks_label_check CHECK (char_length(label) <= 200),
    CONSTRAINT bookmarks_note_check CHECK (char_length(note) <= 5000)
);

CREATE INDEX bookmarks_pdf_idx ON bookmarks (pdf_id, user_id, page, id);

-- migrate:down
DROP TABLE bookmarks;
DROP VIEW pdf_reading;
DROP TABLE page_stats;
DROP TABLE pdfs;
DROP TABLE topics;
