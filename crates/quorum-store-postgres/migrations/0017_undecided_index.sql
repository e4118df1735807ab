-- The review queue pages through undecided workflows by age, and by deadline for those that
-- have one: this index answers both, with the council and the deadline beside each entry, so a
-- deep page is counted off the index alone.
CREATE INDEX workflows_undecided ON workflows (created_at, id, assigned_council_id, voting_deadline)
    WHERE status = 'PENDING' AND decision IS NULL;
