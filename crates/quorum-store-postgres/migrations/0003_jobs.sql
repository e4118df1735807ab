-- The database queue: one row per approved workflow waiting for, or held by, a worker. A
-- claim sets a lease; an expired lease makes the job claimable again; `attempts` doubles as
-- the fencing token a worker must present to renew, acknowledge or release its claim.
CREATE TABLE workflow_jobs (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    workflow_id  TEXT        NOT NULL UNIQUE REFERENCES workflows (id),
    priority     INTEGER     NOT NULL DEFAULT 0,
    available_at TIMESTAMPTZ NOT NULL,
    attempts     BIGINT      NOT NULL DEFAULT 0,
    claimed_by   TEXT,
    lease_until  TIMESTAMPTZ,
    enqueued_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX workflow_jobs_ready ON workflow_jobs (priority DESC, available_at, id);
