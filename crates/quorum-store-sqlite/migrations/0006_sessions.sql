-- Dashboard sessions. The browser holds a random session id; only its SHA-256 is kept, so a
-- copy of this table signs nobody in. `token_hash` is the SHA-256 of the API token the session
-- signed in with: signing out ends every session of that token, and revoking a principal's
-- tokens ends its sessions. The configured admin has no row in principals, hence no foreign key.
CREATE TABLE dashboard_sessions (
    id_hash      TEXT    PRIMARY KEY,
    principal_id TEXT    NOT NULL,
    token_hash   TEXT    NOT NULL,
    csrf         TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL
);
CREATE INDEX dashboard_sessions_by_token ON dashboard_sessions (token_hash);
CREATE INDEX dashboard_sessions_by_principal ON dashboard_sessions (principal_id);
CREATE INDEX dashboard_sessions_by_expiry ON dashboard_sessions (expires_at);
