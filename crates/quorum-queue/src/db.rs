//! The database queue: the `workflow_jobs` table of whichever store Quorum runs on, so that an
//! approval and its job commit in one transaction.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::Utc;
use quorum_store::{JobClaim, NewJob, Store};

use crate::{Job, Lease, Queue, QueueError, QueueResult};

#[derive(Clone)]
pub struct DbQueue {
    store: Arc<dyn Store>,
}

impl DbQueue {
    pub fn new(store: Arc<dyn Store>) -> Self {
        DbQueue { store }
    }
}

fn chrono_duration(d: Duration) -> chrono::Duration {
    chrono::Duration::from_std(d).unwrap_or(chrono::Duration::MAX)
}

fn claim_of(lease: &Lease) -> QueueResult<JobClaim> {
    let job_id = lease
        .id
        .parse()
        .map_err(|_| QueueError::Other(format!("{} is not a database job id", lease.id)))?;
    Ok(JobClaim {
        job_id,
        workflow_id: lease.workflow_id.clone(),
        attempt: lease.attempt,
        worker: lease.worker.clone(),
        // Renew, ack and release fence on the attempt, never on the deadline.
        lease_until: Utc::now(),
    })
}

fn lease_of(claim: JobClaim) -> Lease {
    Lease {
        id: claim.job_id.to_string(),
        workflow_id: claim.workflow_id,
        attempt: claim.attempt,
        worker: claim.worker,
    }
}

#[async_trait]
impl Queue for DbQueue {
    fn backend(&self) -> &'static str {
        match self.store.backend() {
            "postgres" => "db-postgres",
            _ => "db-sqlite",
        }
    }

    fn shares_store_transactions(&self) -> bool {
        true
    }

    async fn enqueue(&self, jobs: &[Job]) -> QueueResult<u64> {
        let now = Utc::now();
        let jobs: Vec<NewJob> = jobs
            .iter()
            .map(|job| NewJob {
                workflow_id: job.workflow_id.clone(),
                priority: job.priority,
                available_at: job.not_before.unwrap_or(now),
            })
            .collect();
        Ok(self.store.enqueue_jobs(&jobs).await?)
    }

    async fn claim(&self, worker: &str, max: usize, lease: Duration) -> QueueResult<Vec<Lease>> {
        let limit = i64::try_from(max).unwrap_or(i64::MAX);
        let claims = self
            .store
            .claim_jobs(worker, Utc::now(), chrono_duration(lease), limit)
            .await?;
        Ok(claims.into_iter().map(lease_of).collect())
    }

    async fn renew(&self, lease: &Lease, duration: Duration) -> QueueResult<bool> {
        let claim = claim_of(lease)?;
        Ok(self
            .store
            .renew_lease(&claim, Utc::now(), chrono_duration(duration))
            .await?)
    }

    async fn ack(&self, leases: &[Lease]) -> QueueResult<u64> {
        let claims = leases
            .iter()
            .map(claim_of)
            .collect::<QueueResult<Vec<_>>>()?;
        Ok(self.store.ack_jobs(&claims).await?)
    }

    async fn ack_and_claim(
        &self,
        done: &[Lease],
        worker: &str,
        max: usize,
        lease: Duration,
    ) -> QueueResult<(u64, Vec<Lease>)> {
        let done = done.iter().map(claim_of).collect::<QueueResult<Vec<_>>>()?;
        let limit = i64::try_from(max).unwrap_or(i64::MAX);
        let (acked, claims) = self
            .store
            .ack_and_claim_jobs(&done, worker, Utc::now(), chrono_duration(lease), limit)
            .await?;
        Ok((acked, claims.into_iter().map(lease_of).collect()))
    }

    async fn release(&self, lease: &Lease, delay: Duration) -> QueueResult<bool> {
        let claim = claim_of(lease)?;
        let at = Utc::now() + chrono_duration(delay);
        Ok(self.store.release_job(&claim, at).await?)
    }

    async fn depth(&self) -> QueueResult<i64> {
        Ok(self.store.queue_depth().await?)
    }

    async fn ping(&self) -> QueueResult<()> {
        Ok(self.store.ping().await?)
    }
}
