//! History written in bulk (demo data, imports): finished rows with their votes, metrics and
//! audit trail, inserted as they are.

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::records::workflows::{NewAudit, NewMetric, NewWorkflow};

/// A finished piece of history for `bulk_insert`.
#[derive(Debug, Clone)]
pub struct BulkWorkflow {
    pub workflow: NewWorkflow,
    pub started_at: Option<DateTime<Utc>>,
    pub completed_at: Option<DateTime<Utc>>,
    pub outputs: Value,
    pub error: Option<String>,
}

#[derive(Debug, Clone)]
pub struct BulkVote {
    pub id: String,
    pub workflow_id: String,
    pub user_id: String,
    pub vote: String,
    pub reason: String,
    pub voted_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Default)]
pub struct BulkBatch {
    pub workflows: Vec<BulkWorkflow>,
    /// Metrics of workflows in this same batch.
    pub metrics: Vec<NewMetric>,
    pub votes: Vec<BulkVote>,
    pub audit: Vec<NewAudit>,
}
