-- Governance: the electorate a workflow was created with, the digest votes bind to, the
-- voting deadline, the hand-off to execution, and an event log for live updates.

ALTER TABLE workflows ADD COLUMN electorate JSONB NOT NULL DEFAULT '[]';
ALTER TABLE workflows ADD COLUMN threshold JSONB NOT NULL DEFAULT '"simple_majority"';
ALTER TABLE workflows ADD COLUMN digest TEXT NOT NULL DEFAULT '';
ALTER TABLE workflows ADD COLUMN voting_deadline TIMESTAMPTZ;
ALTER TABLE workflows ADD COLUMN enqueue BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE workflows ADD COLUMN queued_at TIMESTAMPTZ;

-- Only undecided workflows with a deadline are ever swept.
CREATE INDEX workflows_by_deadline ON workflows (voting_deadline)
    WHERE status = 'PENDING' AND decision IS NULL AND voting_deadline IS NOT NULL;

ALTER TABLE workflow_votes ADD COLUMN digest TEXT NOT NULL DEFAULT '';

CREATE TABLE workflow_events (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    workflow_id TEXT        NOT NULL,
    council_id  TEXT        NOT NULL,
    agent_id    TEXT        NOT NULL,
    kind        TEXT        NOT NULL,
    data        JSONB       NOT NULL,
    at          TIMESTAMPTZ NOT NULL
);
