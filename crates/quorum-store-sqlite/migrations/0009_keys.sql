-- The keys the dashboards seal their cookies with, shared by every process. One key is
-- current (retired_at IS NULL): the partial unique index makes a second current key a
-- conflict, so processes that start at once and each offer a first key keep only one.
-- A retired key still opens what it sealed until its sessions could have ended.
CREATE TABLE signing_keys (
    id         TEXT    PRIMARY KEY,
    secret     BLOB    NOT NULL,
    created_at INTEGER NOT NULL,
    retired_at INTEGER
);
CREATE UNIQUE INDEX signing_keys_one_current ON signing_keys ((retired_at IS NULL))
    WHERE retired_at IS NULL;
