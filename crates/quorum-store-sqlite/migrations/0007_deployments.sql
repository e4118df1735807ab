-- Deployed sites live in the database, so that any server can answer for any site and no
-- process needs a shared disk. A file's bytes are kept once, under their SHA-256: deployments
-- that share a file share its blob, and a blob never changes, so it may be cached forever.
CREATE TABLE blobs (
    hash  TEXT    PRIMARY KEY,
    bytes BLOB    NOT NULL,
    -- The gzip encoding, kept only where it is smaller.
    gzip  BLOB,
    size  INTEGER NOT NULL
);

-- One deployment per website workflow: what the contact form needs to know, and its files.
CREATE TABLE deployments (
    id            TEXT    PRIMARY KEY,
    site          TEXT    NOT NULL,
    workflow_id   TEXT    NOT NULL,
    site_name     TEXT    NOT NULL,
    contact_email TEXT    NOT NULL,
    created_at    INTEGER NOT NULL
);
CREATE INDEX deployments_by_site ON deployments (site, created_at);

CREATE TABLE deployment_files (
    deployment_id TEXT NOT NULL REFERENCES deployments (id),
    path          TEXT NOT NULL,
    hash          TEXT NOT NULL REFERENCES blobs (hash),
    content_type  TEXT NOT NULL,
    PRIMARY KEY (deployment_id, path)
);

-- The deployment each site serves; switching it is one row's update.
CREATE TABLE sites (
    slug          TEXT    PRIMARY KEY,
    deployment_id TEXT    NOT NULL REFERENCES deployments (id),
    updated_at    INTEGER NOT NULL
);
