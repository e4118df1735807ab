-- What visitors do on deployed sites. Leads are what a landing page's form received; each is
-- kept with the headline the visitor saw and forwarded to the site's address by SMTP when
-- Quorum has a server (`delivery` says what became of it, as for contact messages).
CREATE TABLE site_leads (
    id            TEXT    PRIMARY KEY,
    site          TEXT    NOT NULL,
    deployment_id TEXT    NOT NULL,
    workflow_id   TEXT    NOT NULL,
    name          TEXT    NOT NULL,
    email         TEXT    NOT NULL,
    fields        TEXT    NOT NULL,
    consent       INTEGER NOT NULL CHECK (consent IN (0, 1)),
    variant       TEXT    NOT NULL CHECK (variant IN ('a', 'b')),
    remote_addr   TEXT,
    received_at   INTEGER NOT NULL,
    delivery      TEXT    NOT NULL DEFAULT 'outbox' CHECK (delivery IN ('outbox', 'sent', 'failed')),
    delivered_at  INTEGER,
    error         TEXT
);
CREATE INDEX site_leads_by_site ON site_leads (site, received_at);

-- Counts of what visitors did, by deployment: views per headline, conversions per headline
-- (written with each lead), clicks per affiliate link and page. One upsert per event.
CREATE TABLE site_counts (
    site          TEXT    NOT NULL,
    deployment_id TEXT    NOT NULL,
    metric        TEXT    NOT NULL,
    label         TEXT    NOT NULL,
    count         INTEGER NOT NULL,
    PRIMARY KEY (site, deployment_id, metric, label)
) WITHOUT ROWID;
