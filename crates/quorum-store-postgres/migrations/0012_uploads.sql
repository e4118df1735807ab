-- Images agents upload for their sites, kept in the database like deployed files, so that
-- every server and worker sees them. The original is not kept: only what it was, and its
-- renditions, whose bytes are blobs a deployment that shows them names too.
CREATE TABLE uploads (
    id           TEXT    PRIMARY KEY,
    owner        TEXT    NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    content_type TEXT    NOT NULL,
    width        BIGINT  NOT NULL,
    height       BIGINT  NOT NULL,
    bytes        BIGINT  NOT NULL
);

CREATE TABLE upload_renditions (
    upload_id    TEXT    NOT NULL REFERENCES uploads (id),
    width        BIGINT  NOT NULL,
    height       BIGINT  NOT NULL,
    content_type TEXT    NOT NULL,
    hash         TEXT    NOT NULL REFERENCES blobs (hash),
    PRIMARY KEY (upload_id, width)
);

-- Collecting old deployments keeps the blobs an upload still names: this finds them.
CREATE INDEX upload_renditions_by_hash ON upload_renditions (hash);
