-- Event ids come from a sequence, so a transaction can take id 10, another take 11 and commit
-- first: a stream that has sent 11 would never send 10. `written_at` is the server's clock when
-- an event took its id; a gap in the ids just before an event written in the last seconds may
-- still fill, and readers stop before it. An older gap is final (a write rolled back), and so
-- is one that retention made: `workflow_events_pruned.through` is the highest id it removed,
-- and the events it removes are days old, older than any transaction still running. Events
-- written before this column have none: their gaps are all final.
ALTER TABLE workflow_events ADD COLUMN written_at TIMESTAMPTZ;
CREATE INDEX workflow_events_by_written_at ON workflow_events (written_at) WHERE written_at IS NOT NULL;
CREATE TABLE workflow_events_pruned (
    one     BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (one),
    through BIGINT  NOT NULL
);
