//! Marks for deep offset pages on PostgreSQL (`quorum_store::marks`): the statements.

use chrono::{DateTime, Utc};
use quorum_domain::time::from_micros;
use quorum_store::marks::{Mark, MarkSet, MarkSnapshot};
use quorum_store::{Cursor, StoreResult};
use sqlx::Row;
use sqlx::postgres::PgPool;

use crate::map_err;

pub async fn snapshot(pool: &PgPool) -> StoreResult<MarkSnapshot> {
    let row = sqlx::query(
        "SELECT (SELECT COUNT(*) FROM workflow_late_inserts) AS late, seen, covered, taken_at, \
         (SELECT COALESCE(SUM(workflows), 0)::BIGINT FROM workflow_totals) AS total FROM workflow_mark_state",
    )
    .fetch_one(pool)
    .await
    .map_err(map_err)?;
    let seen: Option<i64> = row.try_get("seen").map_err(map_err)?;
    let taken_at: Option<DateTime<Utc>> = row.try_get("taken_at").map_err(map_err)?;
    let covered: i64 = row.try_get("covered").map_err(map_err)?;
    Ok(MarkSnapshot {
        total: row.try_get("total").map_err(map_err)?,
        late: row.try_get("late").map_err(map_err)?,
        taken: seen.zip(taken_at).map(|(seen, at)| (seen, covered, at)),
    })
}

pub async fn at_rank(pool: &PgPool, rank: i64) -> StoreResult<Option<Cursor>> {
    let row = sqlx::query(
        "WITH m AS (SELECT rank, created_at, id FROM workflow_marks WHERE rank <= $1 ORDER BY rank DESC LIMIT 1) \
         SELECT w.created_at, w.id FROM workflows w WHERE (w.created_at, w.id) >= (SELECT created_at, id FROM m) \
         ORDER BY w.created_at, w.id LIMIT 1 OFFSET COALESCE((SELECT $1 - rank FROM m), 0)",
    )
    .bind(rank)
    .fetch_optional(pool)
    .await
    .map_err(map_err)?;
    row.map(|row| cursor(&row)).transpose()
}

fn cursor(row: &sqlx::postgres::PgRow) -> StoreResult<Cursor> {
    let at: DateTime<Utc> = row.try_get("created_at").map_err(map_err)?;
    Ok(Cursor {
        created_at_micros: at.timestamp_micros(),
        id: row.try_get("id").map_err(map_err)?,
    })
}

pub async fn take(pool: &PgPool, spacing: i64, horizon_secs: i64) -> StoreResult<MarkSet> {
    // Read before the walk: a late insert between the two leaves marks that are never used.
    let seen: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM workflow_late_inserts")
        .fetch_one(pool)
        .await
        .map_err(map_err)?;
    let taken_at = Utc::now();
    // The horizon is the database's clock, the one late inserts are judged by.
    let found = sqlx::query(
        "SELECT rank, created_at, id FROM (SELECT created_at, id, \
         row_number() OVER (ORDER BY created_at, id) - 1 AS rank, \
         lead(id) OVER (ORDER BY created_at, id) IS NULL AS last \
         FROM workflows WHERE created_at < clock_timestamp() - make_interval(secs => $1::float8)) r \
         WHERE rank % $2 = 0 OR last ORDER BY rank",
    )
    .bind(horizon_secs)
    .bind(spacing)
    .fetch_all(pool)
    .await
    .map_err(map_err)?;
    let marks = found
        .iter()
        .map(|row| {
            Ok(Mark {
                rank: row.try_get("rank").map_err(map_err)?,
                at: cursor(row)?,
            })
        })
        .collect::<StoreResult<Vec<_>>>()?;
    Ok(MarkSet {
        seen,
        covered: marks.last().map_or(0, |m| m.rank + 1),
        marks,
        taken_at,
    })
}

pub async fn save(pool: &PgPool, set: &MarkSet) -> StoreResult<()> {
    let mut tx = pool.begin().await.map_err(map_err)?;
    // The state row first: two servers saving at once take turns on its lock.
    sqlx::query("UPDATE workflow_mark_state SET seen = $1, covered = $2, taken_at = $3")
        .bind(set.seen)
        .bind(set.covered)
        .bind(set.taken_at)
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
    sqlx::query("DELETE FROM workflow_marks")
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
    let m = &set.marks;
    sqlx::query(
        "INSERT INTO workflow_marks (rank, created_at, id) \
         SELECT * FROM UNNEST($1::bigint[], $2::timestamptz[], $3::text[])",
    )
    .bind(m.iter().map(|m| m.rank).collect::<Vec<_>>())
    .bind(
        m.iter()
            .map(|m| from_micros(m.at.created_at_micros))
            .collect::<Vec<_>>(),
    )
    .bind(m.iter().map(|m| m.at.id.as_str()).collect::<Vec<_>>())
    .execute(&mut *tx)
    .await
    .map_err(map_err)?;
    tx.commit().await.map_err(map_err)
}
