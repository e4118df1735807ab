//! The database queue on SQLite. A claim is one `UPDATE … RETURNING` on the single writer, so
//! two claimers can never take the same job.

use chrono::{DateTime, Duration, Utc};
use quorum_domain::time::from_micros;
use quorum_store::{JobClaim, NewJob};
use rusqlite::{Connection, params};

use crate::Result;
use crate::rows;

/// Queues `workflow_id` in the caller's transaction; false when it is queued already.
pub(crate) fn insert_job(
    conn: &Connection,
    workflow_id: &str,
    priority: i64,
    available_at: DateTime<Utc>,
) -> Result<bool> {
    let at = available_at.timestamp_micros();
    let inserted = rows::run(
        conn,
        "INSERT INTO workflow_jobs (workflow_id, priority, available_at, enqueued_at) VALUES (?, ?, ?, ?) \
         ON CONFLICT (workflow_id) DO NOTHING",
        params![workflow_id, priority, at, at],
    )?;
    Ok(inserted == 1)
}

pub fn enqueue(tx: &Connection, jobs: &[NewJob]) -> Result<u64> {
    let mut queued = 0;
    for job in jobs {
        queued += u64::from(insert_job(
            tx,
            &job.workflow_id,
            job.priority,
            job.available_at,
        )?);
    }
    Ok(queued)
}

pub fn claim(
    tx: &Connection,
    worker: &str,
    now: DateTime<Utc>,
    lease: Duration,
    limit: i64,
) -> Result<Vec<JobClaim>> {
    let now_micros = now.timestamp_micros();
    let mut claims = rows::all(
        tx,
        "UPDATE workflow_jobs SET claimed_by = ?1, lease_until = ?2, attempts = attempts + 1 \
         WHERE id IN (SELECT id FROM workflow_jobs WHERE available_at <= ?3 AND (lease_until IS NULL OR lease_until < ?3) \
                      ORDER BY priority DESC, available_at, id LIMIT ?4) \
         RETURNING id, workflow_id, attempts, lease_until, priority, available_at",
        params![worker, (now + lease).timestamp_micros(), now_micros, limit],
        |row| {
            let order: (i64, i64) = (row.get("priority")?, row.get("available_at")?);
            let claim = JobClaim {
                job_id: row.get("id")?,
                workflow_id: row.get("workflow_id")?,
                attempt: row.get("attempts")?,
                worker: worker.to_owned(),
                lease_until: from_micros(row.get("lease_until")?),
            };
            Ok((order, claim))
        },
    )?;
    // RETURNING does not keep the subquery's order.
    claims.sort_by(|(a, x), (b, y)| {
        b.0.cmp(&a.0)
            .then(a.1.cmp(&b.1))
            .then(x.job_id.cmp(&y.job_id))
    });
    Ok(claims.into_iter().map(|(_, claim)| claim).collect())
}

pub fn renew(
    tx: &Connection,
    claim: &JobClaim,
    now: DateTime<Utc>,
    lease: Duration,
) -> Result<bool> {
    let renewed = rows::run(
        tx,
        "UPDATE workflow_jobs SET lease_until = ? WHERE id = ? AND claimed_by = ? AND attempts = ?",
        params![
            (now + lease).timestamp_micros(),
            claim.job_id,
            claim.worker,
            claim.attempt
        ],
    )?;
    Ok(renewed == 1)
}

pub fn ack(tx: &Connection, claims: &[JobClaim]) -> Result<u64> {
    let mut acked = 0;
    for claim in claims {
        acked += rows::run(
            tx,
            "DELETE FROM workflow_jobs WHERE id = ? AND claimed_by = ? AND attempts = ?",
            params![claim.job_id, claim.worker, claim.attempt],
        )? as u64;
    }
    Ok(acked)
}

/// Deleted first, the finished jobs cannot be claimed again by the same call.
pub fn ack_and_claim(
    tx: &Connection,
    done: &[JobClaim],
    worker: &str,
    now: DateTime<Utc>,
    lease: Duration,
    limit: i64,
) -> Result<(u64, Vec<JobClaim>)> {
    let acked = ack(tx, done)?;
    Ok((acked, claim(tx, worker, now, lease, limit)?))
}

pub fn release(tx: &Connection, claim: &JobClaim, available_at: DateTime<Utc>) -> Result<bool> {
    let released = rows::run(
        tx,
        "UPDATE workflow_jobs SET claimed_by = NULL, lease_until = NULL, available_at = ? \
         WHERE id = ? AND claimed_by = ? AND attempts = ?",
        params![
            available_at.timestamp_micros(),
            claim.job_id,
            claim.worker,
            claim.attempt
        ],
    )?;
    Ok(released == 1)
}

pub fn depth(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row("SELECT COUNT(*) FROM workflow_jobs", [], |row| row.get(0))?)
}
