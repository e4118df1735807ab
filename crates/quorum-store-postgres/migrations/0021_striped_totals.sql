-- Every status change adds to two aggregate rows, and every workflow of one type by one agent
-- counts in the same few rows: writers on different connections queued on those rows' locks
-- until each other's commits (most of the waiting sampled from pg_stat_activity while
-- `quorum bench workflows` ran). Each connection now adds to a stripe of its own, its backend's
-- pid modulo 16, and reads sum the stripes.
ALTER TABLE workflow_totals ADD COLUMN stripe SMALLINT NOT NULL DEFAULT 0;
ALTER TABLE workflow_totals DROP CONSTRAINT workflow_totals_pkey;
ALTER TABLE workflow_totals ADD PRIMARY KEY (council_id, agent_id, workflow_type_id, status, stripe);
