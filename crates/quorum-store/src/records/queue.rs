//! The database queue's records: a job to queue and a worker's claim on one.

use chrono::{DateTime, Utc};

/// A workflow to put on the database queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewJob {
    pub workflow_id: String,
    pub priority: i64,
    pub available_at: DateTime<Utc>,
}

/// A worker's hold on a job. `attempt` counts claims and fences: once the lease has expired
/// and someone else claimed the job, this claim can no longer renew, acknowledge or release.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobClaim {
    pub job_id: i64,
    pub workflow_id: String,
    pub attempt: i64,
    pub worker: String,
    pub lease_until: DateTime<Utc>,
}
