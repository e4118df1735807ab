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

-- Orders placed at a shop's checkout, priced by the server. `idempotency_key` is the
-- checkout's: an order posted twice with one key is one order. `number` is what the shop and
-- the customer call it.
CREATE TABLE site_orders (
    id              TEXT   PRIMARY KEY,
    site            TEXT   NOT NULL,
    deployment_id   TEXT   NOT NULL,
    workflow_id     TEXT   NOT NULL,
    number          TEXT   NOT NULL,
    idempotency_key TEXT   NOT NULL,
    name            TEXT   NOT NULL,
    email           TEXT   NOT NULL,
    phone           TEXT,
    notes           TEXT,
    lines           TEXT   NOT NULL,
    total           INTEGER NOT NULL CHECK (total >= 0),
    currency        TEXT   NOT NULL,
    payment         TEXT   NOT NULL,
    status          TEXT   NOT NULL CHECK (status IN ('received', 'fulfilled', 'cancelled')),
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    UNIQUE (site, idempotency_key),
    UNIQUE (site, number)
);
CREATE INDEX site_orders_by_site ON site_orders (site, created_at);

-- Units left of each product with a stock, per deployment: a new deployment's catalogue
-- starts its own count. Taken by a conditional update, so no two orders share a unit.
CREATE TABLE site_stock (
    site          TEXT   NOT NULL,
    deployment_id TEXT   NOT NULL,
    product       TEXT   NOT NULL,
    remaining     INTEGER NOT NULL CHECK (remaining >= 0),
    PRIMARY KEY (site, deployment_id, product)
);

-- Each order's history: placed, fulfilled, cancelled, by whom and why.
CREATE TABLE site_order_events (
    order_id    TEXT   NOT NULL REFERENCES site_orders (id),
    from_status TEXT,
    to_status   TEXT   NOT NULL,
    actor       TEXT   NOT NULL,
    reason      TEXT,
    at          INTEGER NOT NULL
);
CREATE INDEX site_order_events_by_order ON site_order_events (order_id, at);
