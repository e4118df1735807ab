-- A member away names a delegate for a while: the delegate's vote counts as the member's.
-- One delegation per member at a time.
CREATE TABLE delegations (
    principal_id TEXT    PRIMARY KEY REFERENCES principals (id),
    delegate_id  TEXT    NOT NULL REFERENCES principals (id),
    starts_at    INTEGER NOT NULL,
    ends_at      INTEGER NOT NULL,
    created_at   INTEGER NOT NULL
);
CREATE INDEX delegations_by_delegate ON delegations (delegate_id);

-- Who cast a vote a delegate cast for a member (the vote's user_id); null for the member.
ALTER TABLE workflow_votes ADD COLUMN cast_by TEXT;
