//! Shared rate limits and event-log retention on SQLite.

use chrono::{DateTime, Utc};
use quorum_store::{EXPIRED_WINDOWS_PER_HIT, Hit, HitCounts};
use rusqlite::{Connection, params};

use crate::Result;
use crate::rows;

pub fn count_hit(tx: &Connection, hit: &Hit) -> Result<HitCounts> {
    let (start, previous_start, expires) = hit.windows();
    let micros = |at: DateTime<Utc>| at.timestamp_micros();
    rows::run(
        tx,
        "DELETE FROM rate_limits WHERE rowid IN \
         (SELECT rowid FROM rate_limits WHERE expires_at <= ? LIMIT ?)",
        params![micros(hit.at), EXPIRED_WINDOWS_PER_HIT],
    )?;
    let current: i64 = tx
        .prepare_cached(
            "INSERT INTO rate_limits (key, window_start, count, expires_at) VALUES (?, ?, 1, ?) \
             ON CONFLICT (key, window_start) DO UPDATE SET count = count + 1 RETURNING count",
        )?
        .query_row(params![hit.key, micros(start), micros(expires)], |row| {
            row.get(0)
        })?;
    let previous = rows::one(
        tx,
        "SELECT count FROM rate_limits WHERE key = ? AND window_start = ?",
        params![hit.key, micros(previous_start)],
        |row| Ok(row.get::<_, i64>(0)?),
    )?
    .unwrap_or(0);
    Ok(hit.counted(current, previous))
}

pub fn prune_events(tx: &Connection, before: DateTime<Utc>, limit: i64) -> Result<u64> {
    let pruned = rows::run(
        tx,
        "DELETE FROM workflow_events WHERE id IN (\
           SELECT e.id FROM workflow_events e WHERE e.at < ? AND NOT EXISTS (\
             SELECT 1 FROM workflows w WHERE w.id = e.workflow_id \
             AND w.status IN ('PENDING', 'IN_PROGRESS')) \
           ORDER BY e.id LIMIT ?)",
        params![before.timestamp_micros(), limit],
    )?;
    Ok(pruned as u64)
}
