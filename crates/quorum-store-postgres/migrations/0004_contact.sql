-- Messages sent through the contact forms of deployed sites. Each is kept; `delivery` says
-- whether it waits in the outbox (no SMTP server configured), was sent, or failed to send.
CREATE TABLE contact_messages (
    id          TEXT        PRIMARY KEY,
    site        TEXT        NOT NULL,
    workflow_id TEXT        NOT NULL,
    recipient   TEXT        NOT NULL,
    name        TEXT        NOT NULL,
    email       TEXT        NOT NULL,
    message     TEXT        NOT NULL,
    remote_addr TEXT,
    received_at TIMESTAMPTZ NOT NULL,
    delivery    TEXT        NOT NULL DEFAULT 'outbox' CHECK (delivery IN ('outbox', 'sent', 'failed')),
    delivered_at TIMESTAMPTZ,
    error       TEXT
);
CREATE INDEX contact_messages_by_site ON contact_messages (site, received_at);
