//! The database queue on PostgreSQL: a claim takes the next free job with
//! `FOR UPDATE SKIP LOCKED`, so concurrent claimers pass over each other's rows instead of
//! waiting on them or taking the same one.

use chrono::{DateTime, Duration, Utc};
use quorum_store::{JobClaim, NewJob, StoreResult};
use sqlx::postgres::PgPool;
use sqlx::{PgConnection, Row};

use crate::map_err;

/// Follows a `WITH j AS (… RETURNING 1)` that queues or hands back jobs: how many it did, and
/// when any, a notification on `quorum_jobs` for the idle workers of every process (one per
/// transaction: PostgreSQL folds identical notifications).
macro_rules! count_and_wake {
    () => {
        "SELECT COUNT(*), (SELECT COUNT(*) FROM (SELECT pg_notify('quorum_jobs', '') FROM j LIMIT 1) woken) FROM j"
    };
}

/// Queues `workflow_id` in the caller's transaction; false when it is queued already.
pub(crate) async fn insert_job(
    conn: &mut PgConnection,
    workflow_id: &str,
    priority: i64,
    available_at: DateTime<Utc>,
) -> StoreResult<bool> {
    let at = available_at;
    let (inserted, _) = sqlx::query_as::<_, (i64, i64)>(concat!(
        "WITH j AS (INSERT INTO workflow_jobs (workflow_id, priority, available_at, enqueued_at) \
         VALUES ($1, $2, $3, $4) ON CONFLICT (workflow_id) DO NOTHING RETURNING 1) ",
        count_and_wake!()
    ))
    .bind(workflow_id)
    .bind(priority)
    .bind(at)
    .bind(at)
    .fetch_one(conn)
    .await
    .map_err(map_err)?;
    Ok(inserted == 1)
}

pub async fn enqueue(pool: &PgPool, jobs: &[NewJob]) -> StoreResult<u64> {
    let ids: Vec<&str> = jobs.iter().map(|j| j.workflow_id.as_str()).collect();
    let priorities: Vec<i64> = jobs.iter().map(|j| j.priority).collect();
    let at: Vec<DateTime<Utc>> = jobs.iter().map(|j| j.available_at).collect();
    let (inserted, _) = sqlx::query_as::<_, (i64, i64)>(concat!(
        "WITH j AS (INSERT INTO workflow_jobs (workflow_id, priority, available_at, enqueued_at) \
         SELECT id, priority, at, at FROM UNNEST($1::text[], $2::bigint[], $3::timestamptz[]) AS j(id, priority, at) \
         ON CONFLICT (workflow_id) DO NOTHING RETURNING 1) ",
        count_and_wake!()
    ))
    .bind(&ids)
    .bind(&priorities)
    .bind(&at)
    .fetch_one(pool)
    .await
    .map_err(map_err)?;
    Ok(inserted as u64)
}

/// Takes up to `limit` free jobs for `worker`.
pub async fn claim(
    pool: &PgPool,
    worker: &str,
    now: DateTime<Utc>,
    lease: Duration,
    limit: i64,
) -> StoreResult<Vec<JobClaim>> {
    Ok(ack_and_claim(pool, &[], worker, now, lease, limit).await?.1)
}

/// Deletes the jobs of `done` still held by their claims and takes up to `limit` free jobs for
/// `worker`, in one statement: one job per claim, a worker's ack and its next claim were two
/// round trips to another process on the same cores.
///
/// Committed without waiting for the disk. What an ack follows, the workflow's last
/// transition, was committed durably before it, so an ack that a crash of PostgreSQL loses
/// only delivers the job again, and the worker that gets it finds the workflow ended and
/// acknowledges it once more. A claim that a crash loses leaves the job free again, to be
/// claimed under the same attempt number by another worker, whose name the lost holder's ack,
/// renewal or release then fails to match; and whatever the holder commits durably afterwards
/// flushes the claim first.
pub async fn ack_and_claim(
    pool: &PgPool,
    done: &[JobClaim],
    worker: &str,
    now: DateTime<Utc>,
    lease: Duration,
    limit: i64,
) -> StoreResult<(u64, Vec<JobClaim>)> {
    let ids: Vec<i64> = done.iter().map(|c| c.job_id).collect();
    let attempts: Vec<i64> = done.iter().map(|c| c.attempt).collect();
    let workers: Vec<&str> = done.iter().map(|c| c.worker.as_str()).collect();
    // The claim's snapshot still shows the jobs `acked` deletes; they are excluded by id, as a
    // row is changed once per statement. The final SELECT reads `relaxed`, so the setting is
    // made whether or not any row matches. Both halves name their rows' ids as an array, which
    // the primary key finds: the plan kept for any parameters, made while the table was small,
    // otherwise hashed them against a sequential scan of the whole table, dead rows included,
    // at every claim (38 million rows read during a 15 s HTTP load).
    let rows = sqlx::query(
        "WITH relaxed AS (SELECT set_config('synchronous_commit', 'off', true)), \
         acked AS (DELETE FROM workflow_jobs j USING UNNEST($5::bigint[], $6::bigint[], $7::text[]) AS c(id, attempts, worker) \
             WHERE j.id = ANY($5::bigint[]) AND j.id = c.id AND j.attempts = c.attempts AND j.claimed_by = c.worker RETURNING 1), \
         taken AS (UPDATE workflow_jobs SET claimed_by = $1, lease_until = $2, attempts = attempts + 1 \
             WHERE id = ANY(ARRAY(SELECT id FROM workflow_jobs WHERE available_at <= $3 AND (lease_until IS NULL OR lease_until < $3) \
                 AND id <> ALL($5::bigint[]) \
                 ORDER BY priority DESC, available_at, id LIMIT $4 FOR UPDATE SKIP LOCKED)) \
             RETURNING id, workflow_id, attempts, lease_until, priority::BIGINT AS priority, available_at) \
         SELECT (SELECT COUNT(*) FROM acked) AS acked, (SELECT COUNT(*) FROM relaxed) AS relaxed, taken.* \
         FROM (VALUES (1)) AS one LEFT JOIN taken ON true",
    )
    .bind(worker)
    .bind(now + lease)
    .bind(now)
    .bind(limit)
    .bind(&ids)
    .bind(&attempts)
    .bind(&workers)
    .fetch_all(pool)
    .await
    .map_err(map_err)?;
    let mut acked = 0;
    let mut claims = Vec::with_capacity(rows.len());
    for row in rows {
        acked = row.try_get::<i64, _>("acked").map_err(map_err)?;
        let Some(job_id) = row.try_get::<Option<i64>, _>("id").map_err(map_err)? else {
            continue;
        };
        let order: (i64, DateTime<Utc>) = (
            row.try_get("priority").map_err(map_err)?,
            row.try_get("available_at").map_err(map_err)?,
        );
        let claim = JobClaim {
            job_id,
            workflow_id: row.try_get("workflow_id").map_err(map_err)?,
            attempt: row.try_get("attempts").map_err(map_err)?,
            worker: worker.to_owned(),
            lease_until: row.try_get("lease_until").map_err(map_err)?,
        };
        claims.push((order, claim));
    }
    // RETURNING does not keep the subquery's order.
    claims.sort_by(|(a, x), (b, y)| {
        b.0.cmp(&a.0)
            .then(a.1.cmp(&b.1))
            .then(x.job_id.cmp(&y.job_id))
    });
    Ok((
        acked as u64,
        claims.into_iter().map(|(_, claim)| claim).collect(),
    ))
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

/// Deletes the jobs still held by these claims, committed as `ack_and_claim` commits (whose
/// comment says why the ids are also given as an array).
pub async fn ack(pool: &PgPool, claims: &[JobClaim]) -> StoreResult<u64> {
    let ids: Vec<i64> = claims.iter().map(|c| c.job_id).collect();
    let attempts: Vec<i64> = claims.iter().map(|c| c.attempt).collect();
    let workers: Vec<&str> = claims.iter().map(|c| c.worker.as_str()).collect();
    let deleted = sqlx::query(
        "DELETE FROM workflow_jobs j USING UNNEST($1::bigint[], $2::bigint[], $3::text[]) AS c(id, attempts, worker) \
         WHERE j.id = ANY($1::bigint[]) AND j.id = c.id AND j.attempts = c.attempts AND j.claimed_by = c.worker \
         AND (SELECT set_config('synchronous_commit', 'off', true)) = 'off'",
    )
    .bind(&ids)
    .bind(&attempts)
    .bind(&workers)
    .execute(pool)
    .await
    .map_err(map_err)?;
    Ok(deleted.rows_affected())
}

pub async fn release(
    pool: &PgPool,
    claim: &JobClaim,
    available_at: DateTime<Utc>,
) -> StoreResult<bool> {
    let (released, _) = sqlx::query_as::<_, (i64, i64)>(concat!(
        "WITH j AS (UPDATE workflow_jobs SET claimed_by = NULL, lease_until = NULL, available_at = $1 \
         WHERE id = $2 AND claimed_by = $3 AND attempts = $4 RETURNING 1) ",
        count_and_wake!()
    ))
    .bind(available_at)
    .bind(claim.job_id)
    .bind(&claim.worker)
    .bind(claim.attempt)
    .fetch_one(pool)
    .await
    .map_err(map_err)?;
    Ok(released == 1)
}

pub async fn depth(pool: &PgPool) -> StoreResult<i64> {
    sqlx::query_scalar("SELECT COUNT(*) FROM workflow_jobs")
        .fetch_one(pool)
        .await
        .map_err(map_err)
}
