-- Quorum's core schema on PostgreSQL.

CREATE TABLE workflow_types (
    id            TEXT    NOT NULL,
    version       BIGINT NOT NULL,
    definition    JSONB    NOT NULL,
    executable    BOOLEAN NOT NULL,
    registered_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (id, version)
);

CREATE TABLE principals (
    id         TEXT PRIMARY KEY,
    kind       TEXT NOT NULL CHECK (kind IN ('user', 'agent')),
    name       TEXT NOT NULL,
    roles      TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);

-- Only SHA-256 digests of tokens are kept; a token is shown once, when it is made.
CREATE TABLE api_tokens (
    token_hash   TEXT PRIMARY KEY,
    principal_id TEXT NOT NULL REFERENCES principals (id),
    created_at   TIMESTAMPTZ NOT NULL
);

CREATE TABLE councils (
    id                  TEXT PRIMARY KEY,
    name                TEXT NOT NULL,
    threshold           TEXT NOT NULL,
    voting_window_hours BIGINT,
    created_at          TIMESTAMPTZ NOT NULL
);

CREATE TABLE council_domains (
    domain     TEXT PRIMARY KEY,
    council_id TEXT NOT NULL REFERENCES councils (id)
);

CREATE TABLE council_members (
    council_id TEXT NOT NULL REFERENCES councils (id),
    user_id    TEXT NOT NULL REFERENCES principals (id),
    PRIMARY KEY (council_id, user_id)
);

CREATE TABLE workflows (
    id                    TEXT COLLATE "C" PRIMARY KEY,
    workflow_type_id      TEXT    NOT NULL,
    workflow_type_version BIGINT NOT NULL,
    created_by_agent      TEXT    NOT NULL,
    assigned_council_id   TEXT    NOT NULL,
    status                TEXT    NOT NULL,
    decision              TEXT,
    inputs                JSONB    NOT NULL,
    outputs               JSONB    NOT NULL,
    calculated_savings    JSONB    NOT NULL,
    weekly_cents          BIGINT NOT NULL,
    annual_cents          BIGINT NOT NULL,
    -- This workflow's share of its aggregate row, moved with it when its status changes.
    metric_count          BIGINT NOT NULL DEFAULT 0,
    duration_ms           BIGINT NOT NULL DEFAULT 0,
    success_ppm           BIGINT NOT NULL DEFAULT 0,
    error_count           BIGINT NOT NULL DEFAULT 0,
    error                 TEXT,
    created_at            TIMESTAMPTZ NOT NULL,
    started_at            TIMESTAMPTZ,
    completed_at          TIMESTAMPTZ,
    FOREIGN KEY (workflow_type_id, workflow_type_version) REFERENCES workflow_types (id, version)
);

-- One index per list filter, each ending in the newest-first order and the id tie-break.
CREATE INDEX workflows_by_created ON workflows (created_at DESC, id DESC);
CREATE INDEX workflows_by_status ON workflows (status, created_at DESC, id DESC);
CREATE INDEX workflows_by_council ON workflows (assigned_council_id, created_at DESC, id DESC);
CREATE INDEX workflows_by_council_status ON workflows (assigned_council_id, status, created_at DESC, id DESC);
CREATE INDEX workflows_by_agent ON workflows (created_by_agent, created_at DESC, id DESC);
CREATE INDEX workflows_by_type ON workflows (workflow_type_id, created_at DESC, id DESC);

CREATE TABLE workflow_metrics (
    id           TEXT PRIMARY KEY,
    workflow_id  TEXT    NOT NULL REFERENCES workflows (id),
    attempt      BIGINT NOT NULL,
    duration_ms  BIGINT NOT NULL,
    weekly_cents BIGINT NOT NULL,
    success_ppm  BIGINT NOT NULL,
    error_count  BIGINT NOT NULL,
    recorded_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX workflow_metrics_by_workflow ON workflow_metrics (workflow_id);

CREATE TABLE workflow_votes (
    id          TEXT PRIMARY KEY,
    workflow_id TEXT NOT NULL REFERENCES workflows (id),
    user_id     TEXT NOT NULL,
    vote        TEXT NOT NULL CHECK (vote IN ('approve', 'reject', 'abstain')),
    reason      TEXT NOT NULL,
    voted_at    TIMESTAMPTZ NOT NULL,
    UNIQUE (workflow_id, user_id)
);

CREATE TABLE workflow_steps (
    workflow_id TEXT    NOT NULL REFERENCES workflows (id),
    position    BIGINT NOT NULL,
    name        TEXT    NOT NULL,
    status      TEXT    NOT NULL,
    attempts    BIGINT NOT NULL DEFAULT 0,
    started_at  TIMESTAMPTZ,
    finished_at TIMESTAMPTZ,
    error       TEXT,
    output      JSONB,
    PRIMARY KEY (workflow_id, position)
);

-- Keyed by workflow first: the trail is only ever read a workflow at a time, and one index
-- fewer on the largest table matters at millions of rows.
CREATE TABLE workflow_audit (
    id          BIGINT GENERATED ALWAYS AS IDENTITY,
    workflow_id TEXT    NOT NULL REFERENCES workflows (id),
    event       TEXT    NOT NULL,
    actor       TEXT    NOT NULL,
    from_status TEXT,
    to_status   TEXT,
    reason      TEXT,
    at          TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (workflow_id, id)
);

-- The audit trail is append-only.
CREATE FUNCTION workflow_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit trail is append-only';
END;
$$;
CREATE TRIGGER workflow_audit_append_only BEFORE UPDATE OR DELETE ON workflow_audit
FOR EACH ROW EXECUTE FUNCTION workflow_audit_append_only();

CREATE TABLE workflow_totals (
    council_id       TEXT    NOT NULL,
    agent_id         TEXT    NOT NULL,
    workflow_type_id TEXT    NOT NULL,
    status           TEXT    NOT NULL,
    workflows        BIGINT NOT NULL DEFAULT 0,
    weekly_cents     BIGINT NOT NULL DEFAULT 0,
    annual_cents     BIGINT NOT NULL DEFAULT 0,
    metric_count     BIGINT NOT NULL DEFAULT 0,
    duration_ms      BIGINT NOT NULL DEFAULT 0,
    success_ppm      BIGINT NOT NULL DEFAULT 0,
    error_count      BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (council_id, agent_id, workflow_type_id, status)
);
