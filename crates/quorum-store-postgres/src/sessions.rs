//! Dashboard sessions on PostgreSQL.

use chrono::{DateTime, Utc};
use quorum_store::{DashboardSession, EXPIRED_SESSIONS_PER_SIGN_IN, StoreResult};
use sqlx::Row;
use sqlx::postgres::PgPool;

use crate::map_err;

pub async fn create(pool: &PgPool, s: &DashboardSession) -> StoreResult<()> {
    let mut tx = pool.begin().await.map_err(map_err)?;
    // SKIP LOCKED: two sign-ins pruning at once take different rows instead of waiting.
    sqlx::query(
        "DELETE FROM dashboard_sessions WHERE id_hash IN \
         (SELECT id_hash FROM dashboard_sessions WHERE expires_at <= $1 LIMIT $2 FOR UPDATE SKIP LOCKED)",
    )
    .bind(s.created_at)
    .bind(EXPIRED_SESSIONS_PER_SIGN_IN)
    .execute(&mut *tx)
    .await
    .map_err(map_err)?;
    sqlx::query(
        "INSERT INTO dashboard_sessions (id_hash, principal_id, token_hash, csrf, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&s.id_hash)
    .bind(&s.principal_id)
    .bind(&s.token_hash)
    .bind(&s.csrf)
    .bind(s.created_at)
    .bind(s.expires_at)
    .execute(&mut *tx)
    .await
    .map_err(map_err)?;
    tx.commit().await.map_err(map_err)
}

pub async fn live(
    pool: &PgPool,
    id_hash: &str,
    now: DateTime<Utc>,
) -> StoreResult<Option<DashboardSession>> {
    let row = sqlx::query(
        "SELECT id_hash, principal_id, token_hash, csrf, created_at, expires_at \
         FROM dashboard_sessions WHERE id_hash = $1 AND expires_at > $2",
    )
    .bind(id_hash)
    .bind(now)
    .fetch_optional(pool)
    .await
    .map_err(map_err)?;
    row.map(|row| {
        Ok(DashboardSession {
            id_hash: row.try_get("id_hash").map_err(map_err)?,
            principal_id: row.try_get("principal_id").map_err(map_err)?,
            token_hash: row.try_get("token_hash").map_err(map_err)?,
            csrf: row.try_get("csrf").map_err(map_err)?,
            created_at: row.try_get("created_at").map_err(map_err)?,
            expires_at: row.try_get("expires_at").map_err(map_err)?,
        })
    })
    .transpose()
}

pub async fn end(pool: &PgPool, token_hash: &str) -> StoreResult<u64> {
    let ended = sqlx::query("DELETE FROM dashboard_sessions WHERE token_hash = $1")
        .bind(token_hash)
        .execute(pool)
        .await
        .map_err(map_err)?;
    Ok(ended.rows_affected())
}
