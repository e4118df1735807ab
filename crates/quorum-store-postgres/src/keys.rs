//! Signing keys on PostgreSQL.

use chrono::{DateTime, Utc};
use quorum_store::{SigningKey, StoreResult};
use sqlx::Row;
use sqlx::postgres::PgPool;

use crate::map_err;

pub async fn list(pool: &PgPool, retired_after: DateTime<Utc>) -> StoreResult<Vec<SigningKey>> {
    let rows = sqlx::query(
        "SELECT id, secret, created_at, retired_at FROM signing_keys \
         WHERE retired_at IS NULL OR retired_at > $1 \
         ORDER BY retired_at IS NULL DESC, retired_at DESC, created_at DESC",
    )
    .bind(retired_after)
    .fetch_all(pool)
    .await
    .map_err(map_err)?;
    rows.iter()
        .map(|row| {
            Ok(SigningKey {
                id: row.try_get("id").map_err(map_err)?,
                secret: row.try_get("secret").map_err(map_err)?,
                created_at: row.try_get("created_at").map_err(map_err)?,
                retired_at: row.try_get("retired_at").map_err(map_err)?,
            })
        })
        .collect()
}

/// ON CONFLICT DO NOTHING covers the partial unique index: a process that loses the race to
/// make the first key waits for the winner's commit and then inserts nothing.
pub async fn add_first(pool: &PgPool, key: &SigningKey) -> StoreResult<bool> {
    let done = sqlx::query(
        "INSERT INTO signing_keys (id, secret, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
    )
        .bind(&key.id)
        .bind(&key.secret)
        .bind(key.created_at)
        .execute(pool)
        .await
        .map_err(map_err)?;
    Ok(done.rows_affected() == 1)
}

pub async fn rotate(
    pool: &PgPool,
    key: &SigningKey,
    forget_retired_before: DateTime<Utc>,
) -> StoreResult<()> {
    let mut tx = pool.begin().await.map_err(map_err)?;
    // Without the lock, a second rotation's UPDATE would skip the row the first retired, miss
    // the key it inserted, and collide with it on the unique index. The mode conflicts with
    // itself and with inserts, so rotations and first keys queue up behind one another.
    sqlx::query("LOCK TABLE signing_keys IN SHARE ROW EXCLUSIVE MODE")
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
    sqlx::query("UPDATE signing_keys SET retired_at = $1 WHERE retired_at IS NULL")
        .bind(key.created_at)
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
    sqlx::query("INSERT INTO signing_keys (id, secret, created_at) VALUES ($1, $2, $3)")
        .bind(&key.id)
        .bind(&key.secret)
        .bind(key.created_at)
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
    sqlx::query("DELETE FROM signing_keys WHERE retired_at < $1")
        .bind(forget_retired_before)
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
    tx.commit().await.map_err(map_err)
}
