-- Marks for deep offset pages (quorum_store::marks): every 1,024th workflow's position counted
-- from the oldest, taken when `workflow_late_inserts` held `seen` rows. A late insert (a
-- workflow created well before the clock) may move those positions; it adds a row there, and
-- marks taken before it are no longer used.
CREATE TABLE workflow_mark_state (
    one      INTEGER PRIMARY KEY CHECK (one = 1),
    seen     INTEGER,
    covered  INTEGER NOT NULL DEFAULT 0,
    taken_at INTEGER
);
INSERT INTO workflow_mark_state (one) VALUES (1);
CREATE TABLE workflow_marks (
    rank       INTEGER PRIMARY KEY,
    created_at INTEGER NOT NULL,
    id         TEXT    NOT NULL
);
CREATE TABLE workflow_late_inserts (
    id INTEGER PRIMARY KEY,
    at INTEGER NOT NULL
);
