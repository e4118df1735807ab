-- Governance: the electorate a workflow was created with, the digest votes bind to, the
-- voting deadline, the hand-off to execution, and an event log for live updates.

ALTER TABLE workflows ADD COLUMN electorate TEXT NOT NULL DEFAULT '[]';
ALTER TABLE workflows ADD COLUMN threshold TEXT NOT NULL DEFAULT '"simple_majority"';
ALTER TABLE workflows ADD COLUMN digest TEXT NOT NULL DEFAULT '';
ALTER TABLE workflows ADD COLUMN voting_deadline INTEGER;
ALTER TABLE workflows ADD COLUMN enqueue INTEGER NOT NULL DEFAULT 1;
ALTER TABLE workflows ADD COLUMN queued_at INTEGER;

-- Only undecided workflows with a deadline are ever swept.
CREATE INDEX workflows_by_deadline ON workflows (voting_deadline)
    WHERE status = 'PENDING' AND decision IS NULL AND voting_deadline IS NOT NULL;

ALTER TABLE workflow_votes ADD COLUMN digest TEXT NOT NULL DEFAULT '';

CREATE TABLE workflow_events (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    workflow_id TEXT    NOT NULL,
    council_id  TEXT    NOT NULL,
    agent_id    TEXT    NOT NULL,
    kind        TEXT    NOT NULL,
    data        TEXT    NOT NULL,
    at          INTEGER NOT NULL
);
