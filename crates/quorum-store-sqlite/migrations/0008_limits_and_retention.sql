-- Rate limits every server shares: hits per key in fixed windows (the contact form's key is
-- `contact:{site}:{address}`), read as a sliding window from the current and previous ones.
-- A row is needed until `expires_at` (the end of the window after its own); hits prune a few
-- expired rows each.
CREATE TABLE rate_limits (
    key          TEXT    NOT NULL,
    window_start INTEGER NOT NULL,
    count        INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    PRIMARY KEY (key, window_start)
);
CREATE INDEX rate_limits_by_expiry ON rate_limits (expires_at);

-- Retention: the sweeper deletes old events of finished workflows, oldest first.
CREATE INDEX workflow_events_by_at ON workflow_events (at);
