-- Marks for deep offset pages (quorum_store::marks): every 1,024th workflow's position counted
-- from the oldest, taken when `workflow_late_inserts` held `seen` rows. A late insert (a
-- workflow created well before the database's clock) may move those positions; it adds a row
-- there, and marks taken before it are no longer used. A row each rather than a counter, so
-- that late inserts never wait for one another: their rows are counted once committed.
CREATE TABLE workflow_mark_state (
    one      BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (one),
    seen     BIGINT,
    covered  BIGINT  NOT NULL DEFAULT 0,
    taken_at TIMESTAMPTZ
);
INSERT INTO workflow_mark_state (one) VALUES (TRUE);
CREATE TABLE workflow_marks (
    rank       BIGINT      PRIMARY KEY,
    created_at TIMESTAMPTZ NOT NULL,
    id         TEXT        NOT NULL
);
CREATE TABLE workflow_late_inserts (
    id BIGINT      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at TIMESTAMPTZ NOT NULL
);
