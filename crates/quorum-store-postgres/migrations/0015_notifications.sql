-- Telling members a workflow awaits their vote. Where and how often each wants mail:
CREATE TABLE notification_settings (
    principal_id TEXT    PRIMARY KEY REFERENCES principals (id),
    email        TEXT    NOT NULL,
    mode         TEXT    NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL
);

-- Messages owed: written with what makes them owed (a workflow entering a queue, a deadline
-- coming near), sent by whichever server claims them first. One per member, workflow and kind.
CREATE TABLE notices (
    id            TEXT    PRIMARY KEY,
    principal_id  TEXT    NOT NULL,
    workflow_id   TEXT    NOT NULL,
    kind          TEXT    NOT NULL,
    due_at        TIMESTAMPTZ NOT NULL,
    claimed_until TIMESTAMPTZ,
    sent_at       TIMESTAMPTZ,
    outcome       TEXT,
    created_at    TIMESTAMPTZ NOT NULL,
    UNIQUE (workflow_id, principal_id, kind)
);
CREATE INDEX notices_due ON notices (due_at) WHERE sent_at IS NULL;

-- One-click votes from e-mail: only the token's hash is kept.
CREATE TABLE vote_links (
    token_hash   TEXT    PRIMARY KEY,
    workflow_id  TEXT    NOT NULL,
    principal_id TEXT    NOT NULL,
    choice       TEXT    NOT NULL,
    digest       TEXT    NOT NULL,
    expires_at   TIMESTAMPTZ NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    used_at      TIMESTAMPTZ
);

-- Notification mail kept instead of sent when no SMTP server is configured.
CREATE TABLE mail_outbox (
    id         TEXT    PRIMARY KEY,
    recipient  TEXT    NOT NULL,
    subject    TEXT    NOT NULL,
    body       TEXT    NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX mail_outbox_by_recipient ON mail_outbox (recipient, created_at);
