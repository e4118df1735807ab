//! Shared rate limits and event-log retention on PostgreSQL.

use chrono::{DateTime, Utc};
use quorum_store::{EXPIRED_WINDOWS_PER_HIT, Hit, HitCounts, StoreResult};
use sqlx::Row;
use sqlx::postgres::PgPool;

use crate::map_err;

pub async fn count_hit(pool: &PgPool, hit: &Hit) -> StoreResult<HitCounts> {
    let (start, previous_start, expires) = hit.windows();
    // SKIP LOCKED: hits pruning at once take different rows instead of waiting on each other.
    sqlx::query(
        "DELETE FROM rate_limits WHERE (key, window_start) IN \
         (SELECT key, window_start FROM rate_limits WHERE expires_at <= $1 LIMIT $2 FOR UPDATE SKIP LOCKED)",
    )
    .bind(hit.at)
    .bind(EXPIRED_WINDOWS_PER_HIT)
    .execute(pool)
    .await
    .map_err(map_err)?;
    // One statement: the upsert takes the row's lock, so concurrent hits queue on it and each
    // reads back its own count.
    let row = sqlx::query(
        "WITH hit AS (\
           INSERT INTO rate_limits (key, window_start, count, expires_at) VALUES ($1, $2, 1, $3) \
           ON CONFLICT (key, window_start) DO UPDATE SET count = rate_limits.count + 1 \
           RETURNING count) \
         SELECT hit.count AS current, \
           COALESCE((SELECT count FROM rate_limits WHERE key = $1 AND window_start = $4), 0) AS previous \
         FROM hit",
    )
    .bind(&hit.key)
    .bind(start)
    .bind(expires)
    .bind(previous_start)
    .fetch_one(pool)
    .await
    .map_err(map_err)?;
    Ok(hit.counted(
        row.try_get("current").map_err(map_err)?,
        row.try_get("previous").map_err(map_err)?,
    ))
}

pub async fn prune_events(pool: &PgPool, before: DateTime<Utc>, limit: i64) -> StoreResult<u64> {
    // SKIP LOCKED: the sweepers of several servers share the work instead of waiting. The
    // highest id removed is kept, so that readers know the gaps below it for final (migration
    // 0019).
    let pruned: i64 = sqlx::query_scalar(
        "WITH gone AS (DELETE FROM workflow_events WHERE id IN (\
           SELECT e.id FROM workflow_events e WHERE e.at < $1 AND NOT EXISTS (\
             SELECT 1 FROM workflows w WHERE w.id = e.workflow_id \
             AND w.status IN ('PENDING', 'IN_PROGRESS')) \
           ORDER BY e.id LIMIT $2 FOR UPDATE OF e SKIP LOCKED) RETURNING id), \
         marked AS (INSERT INTO workflow_events_pruned (through) \
           SELECT MAX(id) FROM gone HAVING MAX(id) IS NOT NULL \
           ON CONFLICT (one) DO UPDATE SET through = GREATEST(workflow_events_pruned.through, excluded.through)) \
         SELECT COUNT(*) FROM gone",
    )
    .bind(before)
    .bind(limit)
    .fetch_one(pool)
    .await
    .map_err(map_err)?;
    Ok(pruned as u64)
}
