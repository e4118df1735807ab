-- A step may wait for a time without holding a worker: the time it waits for, in microseconds
-- since the epoch like the table's other times. Kept once the step goes on, so that a step run
-- again after a crash knows its wait is over.
ALTER TABLE workflow_steps ADD COLUMN wake_at INTEGER;
