//! The queue Quorum's workers consume: approved workflows waiting for a worker, claimed with a
//! lease that a heartbeat renews, acknowledged once finished, released to be retried later.
//!
//! Delivery is at least once. A lease whose holder died expires and the job is delivered
//! again, with a higher `attempt`; the old holder's lease is then fenced off, so whatever it
//! still tries to renew, acknowledge or release is refused.

mod db;
mod retry;

#[cfg(feature = "conformance")]
pub mod conformance;

pub use db::DbQueue;
pub use retry::RetryPolicy;

use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// A workflow to queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    pub workflow_id: String,
    /// Higher first.
    pub priority: i64,
    /// Not claimable before this moment; `None` is now.
    pub not_before: Option<DateTime<Utc>>,
}

impl Job {
    pub fn now(workflow_id: impl Into<String>) -> Self {
        Job {
            workflow_id: workflow_id.into(),
            priority: 0,
            not_before: None,
        }
    }
}

/// A worker's hold on a job, valid until its lease runs out unrenewed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lease {
    /// The backend's id of the queue entry.
    pub id: String,
    pub workflow_id: String,
    /// How many times the job has been claimed, this claim included; the fencing token.
    pub attempt: i64,
    pub worker: String,
}

#[derive(Debug, thiserror::Error)]
pub enum QueueError {
    #[error("the queue is unavailable: {0}")]
    Unavailable(String),
    #[error("queue error: {0}")]
    Other(String),
}

pub type QueueResult<T> = Result<T, QueueError>;

impl From<quorum_store::StoreError> for QueueError {
    fn from(e: quorum_store::StoreError) -> Self {
        match e {
            quorum_store::StoreError::Unavailable(m) => QueueError::Unavailable(m),
            other => QueueError::Other(other.to_string()),
        }
    }
}

#[async_trait]
pub trait Queue: Send + Sync + 'static {
    /// `db-sqlite`, `db-postgres` or `redis`.
    fn backend(&self) -> &'static str;

    /// Capability: the queue is the store's own job table, so a job the store commits in the
    /// transaction of a state change (an approval and its job) is claimable here at once. A
    /// queue outside the database keeps this default, and Quorum relays those jobs to it.
    fn shares_store_transactions(&self) -> bool {
        false
    }

    /// Queues jobs; returns how many were new. A workflow already queued or held is not
    /// queued a second time.
    async fn enqueue(&self, jobs: &[Job]) -> QueueResult<u64>;

    /// Up to `max` ready jobs, highest priority first, then oldest; each held by `worker`
    /// for `lease`. Concurrent claimers never share a job whose lease is running.
    async fn claim(&self, worker: &str, max: usize, lease: Duration) -> QueueResult<Vec<Lease>>;

    /// Extends a lease to `lease` from now; false when it is no longer this claim's.
    async fn renew(&self, lease: &Lease, duration: Duration) -> QueueResult<bool>;

    /// Removes finished jobs; returns how many of the leases were still held.
    async fn ack(&self, leases: &[Lease]) -> QueueResult<u64>;

    /// Acknowledges `done` and claims as `claim` does, in one round trip: a worker that has
    /// finished its job asks for the next as it hands it in. Returns how many of `done` were
    /// still held, and the new leases, never of a job in `done`.
    async fn ack_and_claim(
        &self,
        done: &[Lease],
        worker: &str,
        max: usize,
        lease: Duration,
    ) -> QueueResult<(u64, Vec<Lease>)>;

    /// Gives a job back, claimable again after `delay`; false when the lease was lost.
    async fn release(&self, lease: &Lease, delay: Duration) -> QueueResult<bool>;

    /// Jobs queued, delayed or held.
    async fn depth(&self) -> QueueResult<i64>;

    /// A round trip, for `/readyz`.
    async fn ping(&self) -> QueueResult<()>;
}
