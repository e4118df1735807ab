//! The database queue on PostgreSQL: a claim takes the next free job with
//! `FOR UPDATE SKIP LOCKED`, so concurrent claimers pass over each other's rows instead of
//! waiting on them or taking the same one.

use chrono::{DateTime, Duration, Utc};
use quorum_store::{JobClaim, StoreResult};
use sqlx::postgres::PgPool;
use sqlx::{PgConnection, Row};

use crate::map_err;

/// Queues `workflow_id` in the caller's transaction; false when it is queued already.
pub(crate) async fn insert_job(
    conn: &mut PgConnection,
    workflow_id: &str,
    priority: i64,
    available_at: DateTime<Utc>,
) -> StoreResult<bool> {
    let at = available_at;
    let inserted = sqlx::query(
        "INSERT INTO workflow_jobs (workflow_id, priority, available_at, enqueued_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (workflow_id) DO NOTHING",
    )
    .bind(workflow_id)
    .bind(priority)
    .bind(at)
    .bind(at)
    .execute(conn)
    .await
    .map_err(map_err)?;
    Ok(inserted.rows_affected() == 1)
}

pub async fn enqueue(
    pool: &PgPool,
    workflow_id: &str,
    priority: i64,
    available_at: DateTime<Utc>,
) -> StoreResult<bool> {
    let mut conn = pool.acquire().await.map_err(map_err)?;
    insert_job(&mut conn, workflow_id, priority, available_at).await
}

pub async fn claim(
    pool: &PgPool,
    worker: &str,
    now: DateTime<Utc>,
    lease: Duration,
) -> StoreResult<Option<JobClaim>> {
    let now_micros = now;
    let row = sqlx::query(
        "UPDATE workflow_jobs SET claimed_by = $1, lease_until = $2, attempts = attempts + 1 \
         WHERE id = (SELECT id FROM workflow_jobs WHERE available_at <= $3 AND (lease_until IS NULL OR lease_until < $4) \
                     ORDER BY priority DESC, available_at, id LIMIT 1 FOR UPDATE SKIP LOCKED) \
         RETURNING id, workflow_id, attempts, lease_until",
    )
    .bind(worker)
    .bind(now + lease)
    .bind(now_micros)
    .bind(now_micros)
    .fetch_optional(pool)
    .await
    .map_err(map_err)?;
    row.map(|row| {
        Ok(JobClaim {
            job_id: row.try_get("id").map_err(map_err)?,
            workflow_id: row.try_get("workflow_id").map_err(map_err)?,
            attempt: row.try_get("attempts").map_err(map_err)?,
            worker: worker.to_owned(),
            lease_until: row.try_get("lease_until").map_err(map_err)?,
        })
    })
    .transpose()
}

pub async fn renew(
    pool: &PgPool,
    claim: &JobClaim,
    now: DateTime<Utc>,
    lease: Duration,
) -> StoreResult<bool> {
    let renewed = sqlx::query("UPDATE workflow_jobs SET lease_until = $1 WHERE id = $2 AND claimed_by = $3 AND attempts = $4")
        .bind(now + lease)
        .bind(claim.job_id)
        .bind(&claim.worker)
        .bind(claim.attempt)
        .execute(pool)
        .await
        .map_err(map_err)?;
    Ok(renewed.rows_affected() == 1)
}

pub async fn ack(pool: &PgPool, claim: &JobClaim) -> StoreResult<bool> {
    let deleted = sqlx::query(
        "DELETE FROM workflow_jobs WHERE id = $1 AND claimed_by = $2 AND attempts = $3",
    )
    .bind(claim.job_id)
    .bind(&claim.worker)
    .bind(claim.attempt)
    .execute(pool)
    .await
    .map_err(map_err)?;
    Ok(deleted.rows_affected() == 1)
}

pub async fn release(
    pool: &PgPool,
    claim: &JobClaim,
    available_at: DateTime<Utc>,
) -> StoreResult<bool> {
    let released = sqlx::query(
        "UPDATE workflow_jobs SET claimed_by = NULL, lease_until = NULL, available_at = $1 \
         WHERE id = $2 AND claimed_by = $3 AND attempts = $4",
    )
    .bind(available_at)
    .bind(claim.job_id)
    .bind(&claim.worker)
    .bind(claim.attempt)
    .execute(pool)
    .await
    .map_err(map_err)?;
    Ok(released.rows_affected() == 1)
}

pub async fn depth(pool: &PgPool) -> StoreResult<i64> {
    sqlx::query_scalar("SELECT COUNT(*) FROM workflow_jobs")
        .fetch_one(pool)
        .await
        .map_err(map_err)
}
