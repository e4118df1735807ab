//! The database queue on SQLite. A claim is one `UPDATE … RETURNING` on the single writer, so
//! two claimers can never take the same job.

use chrono::{DateTime, Duration, Utc};
use quorum_domain::time::from_micros;
use quorum_store::{JobClaim, NewJob, StoreResult};
use sqlx::sqlite::SqlitePool;
use sqlx::{Row, SqliteConnection};

use crate::map_err;

/// Queues `workflow_id` in the caller's transaction; false when it is queued already.
pub(crate) async fn insert_job(
    conn: &mut SqliteConnection,
    workflow_id: &str,
    priority: i64,
    available_at: DateTime<Utc>,
) -> StoreResult<bool> {
    let at = available_at.timestamp_micros();
    let inserted = sqlx::query(
        "INSERT INTO workflow_jobs (workflow_id, priority, available_at, enqueued_at) VALUES (?, ?, ?, ?) \
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

pub async fn enqueue(pool: &SqlitePool, jobs: &[NewJob]) -> StoreResult<u64> {
    let mut tx = pool.begin().await.map_err(map_err)?;
    let mut queued = 0;
    for job in jobs {
        queued +=
            u64::from(insert_job(&mut tx, &job.workflow_id, job.priority, job.available_at).await?);
    }
    tx.commit().await.map_err(map_err)?;
    Ok(queued)
}

pub async fn claim(
    pool: &SqlitePool,
    worker: &str,
    now: DateTime<Utc>,
    lease: Duration,
    limit: i64,
) -> StoreResult<Vec<JobClaim>> {
    let now_micros = now.timestamp_micros();
    let rows = sqlx::query(
        "UPDATE workflow_jobs SET claimed_by = ?, lease_until = ?, attempts = attempts + 1 \
         WHERE id IN (SELECT id FROM workflow_jobs WHERE available_at <= ? AND (lease_until IS NULL OR lease_until < ?) \
                      ORDER BY priority DESC, available_at, id LIMIT ?) \
         RETURNING id, workflow_id, attempts, lease_until, priority, available_at",
    )
    .bind(worker)
    .bind((now + lease).timestamp_micros())
    .bind(now_micros)
    .bind(now_micros)
    .bind(limit)
    .fetch_all(pool)
    .await
    .map_err(map_err)?;
    let mut claims = Vec::with_capacity(rows.len());
    for row in rows {
        let order: (i64, i64) = (
            row.try_get("priority").map_err(map_err)?,
            row.try_get("available_at").map_err(map_err)?,
        );
        let claim = JobClaim {
            job_id: row.try_get("id").map_err(map_err)?,
            workflow_id: row.try_get("workflow_id").map_err(map_err)?,
            attempt: row.try_get("attempts").map_err(map_err)?,
            worker: worker.to_owned(),
            lease_until: from_micros(row.try_get("lease_until").map_err(map_err)?),
        };
        claims.push((order, claim));
    }
    // RETURNING does not keep the subquery's order.
    claims.sort_by(|(a, x), (b, y)| {
        b.0.cmp(&a.0)
            .then(a.1.cmp(&b.1))
            .then(x.job_id.cmp(&y.job_id))
    });
    Ok(claims.into_iter().map(|(_, claim)| claim).collect())
}

pub async fn renew(
    pool: &SqlitePool,
    claim: &JobClaim,
    now: DateTime<Utc>,
    lease: Duration,
) -> StoreResult<bool> {
    let renewed = sqlx::query(
        "UPDATE workflow_jobs SET lease_until = ? WHERE id = ? AND claimed_by = ? AND attempts = ?",
    )
    .bind((now + lease).timestamp_micros())
    .bind(claim.job_id)
    .bind(&claim.worker)
    .bind(claim.attempt)
    .execute(pool)
    .await
    .map_err(map_err)?;
    Ok(renewed.rows_affected() == 1)
}

pub async fn ack(pool: &SqlitePool, claims: &[JobClaim]) -> StoreResult<u64> {
    let mut tx = pool.begin().await.map_err(map_err)?;
    let mut acked = 0;
    for claim in claims {
        let deleted = sqlx::query(
            "DELETE FROM workflow_jobs WHERE id = ? AND claimed_by = ? AND attempts = ?",
        )
        .bind(claim.job_id)
        .bind(&claim.worker)
        .bind(claim.attempt)
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        acked += deleted.rows_affected();
    }
    tx.commit().await.map_err(map_err)?;
    Ok(acked)
}

pub async fn release(
    pool: &SqlitePool,
    claim: &JobClaim,
    available_at: DateTime<Utc>,
) -> StoreResult<bool> {
    let released = sqlx::query(
        "UPDATE workflow_jobs SET claimed_by = NULL, lease_until = NULL, available_at = ? \
         WHERE id = ? AND claimed_by = ? AND attempts = ?",
    )
    .bind(available_at.timestamp_micros())
    .bind(claim.job_id)
    .bind(&claim.worker)
    .bind(claim.attempt)
    .execute(pool)
    .await
    .map_err(map_err)?;
    Ok(released.rows_affected() == 1)
}

pub async fn depth(pool: &SqlitePool) -> StoreResult<i64> {
    sqlx::query_scalar("SELECT COUNT(*) FROM workflow_jobs")
        .fetch_one(pool)
        .await
        .map_err(map_err)
}
