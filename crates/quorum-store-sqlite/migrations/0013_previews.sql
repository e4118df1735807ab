-- What a council reviews of a workflow whose type can preview: every file it will deploy,
-- built when the workflow is created. The files' manifest hash is part of the digest votes
-- bind to, and deploy ships nothing that differs from it.
ALTER TABLE workflows ADD COLUMN preview TEXT NOT NULL DEFAULT '';

CREATE TABLE preview_files (
    workflow_id  TEXT NOT NULL,
    path         TEXT NOT NULL,
    hash         TEXT NOT NULL REFERENCES blobs (hash),
    content_type TEXT NOT NULL,
    PRIMARY KEY (workflow_id, path)
);

-- Collecting old deployments keeps the blobs a preview still names: this finds them.
CREATE INDEX preview_files_by_hash ON preview_files (hash);
