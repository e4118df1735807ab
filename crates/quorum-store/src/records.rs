//! What crosses the `Store` boundary besides the domain types themselves.

use chrono::{DateTime, Utc};
use quorum_domain::{
    AuditEntry, Decision, Metric, StepRecord, Threshold, Vote, VoteChoice, Workflow, WorkflowStatus,
};
use serde_json::Value;

use crate::cursor::Cursor;

#[derive(Debug, Clone)]
pub struct NewTypeVersion {
    pub id: String,
    pub definition: Value,
    /// Whether every step names a handler this build can run.
    pub executable: bool,
    pub registered_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TypeRecord {
    pub id: String,
    pub version: i64,
    pub definition: Value,
    pub executable: bool,
    pub registered_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct NewWorkflow {
    pub id: String,
    pub workflow_type_id: String,
    pub workflow_type_version: i64,
    pub created_by_agent: String,
    pub assigned_council_id: String,
    pub status: WorkflowStatus,
    pub decision: Option<String>,
    pub inputs: Value,
    pub calculated_savings: Value,
    pub weekly_cents: i64,
    pub annual_cents: i64,
    pub created_at: DateTime<Utc>,
    /// Who asked, for the audit trail.
    pub actor: String,
    /// The council's members when the workflow was created: they, and only they, vote on it.
    pub electorate: Vec<String>,
    pub threshold: Threshold,
    /// What votes bind to: `quorum_domain::governance::digest` of type, version and inputs.
    pub digest: String,
    pub voting_deadline: Option<DateTime<Utc>>,
    /// Hand the workflow to execution as soon as it is approved.
    pub enqueue: bool,
    /// Why, for the `created` audit row: e.g. an admin's choice of another council.
    pub note: Option<String>,
}

/// An admin's sending of an undecided workflow to another council.
#[derive(Debug, Clone, PartialEq)]
pub struct Reassignment {
    pub workflow_id: String,
    pub council_id: String,
    /// The new council's members, less the workflow's creator.
    pub electorate: Vec<String>,
    pub threshold: Threshold,
    pub voting_deadline: Option<DateTime<Utc>>,
    pub actor: String,
    pub reason: String,
    pub at: DateTime<Utc>,
}

/// The list filters; every field narrows, none is required.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WorkflowFilter {
    pub status: Option<WorkflowStatus>,
    pub council_id: Option<String>,
    pub agent_id: Option<String>,
    pub workflow_type_id: Option<String>,
    /// Inclusive.
    pub created_after: Option<DateTime<Utc>>,
    /// Exclusive.
    pub created_before: Option<DateTime<Utc>>,
}

impl WorkflowFilter {
    pub fn has_time_range(&self) -> bool {
        self.created_after.is_some() || self.created_before.is_some()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum PageRequest {
    Offset { limit: i64, offset: i64 },
    After { limit: i64, cursor: Cursor },
}

impl PageRequest {
    pub fn limit(&self) -> i64 {
        match self {
            Self::Offset { limit, .. } | Self::After { limit, .. } => *limit,
        }
    }
}

#[derive(Debug, Clone)]
pub struct WorkflowPage {
    pub workflows: Vec<Workflow>,
    /// Workflows matching the filter, all pages together.
    pub total: i64,
    /// Present when the page is full: where the next page starts.
    pub next_cursor: Option<Cursor>,
}

#[derive(Debug, Clone)]
pub struct WorkflowDetail {
    pub workflow: Workflow,
    pub metrics: Vec<Metric>,
    pub votes: Vec<Vote>,
    /// Recorded steps, by position.
    pub steps: Vec<StepRecord>,
    pub audit: Vec<AuditEntry>,
    pub electorate: Vec<String>,
    pub threshold: Threshold,
    pub digest: String,
}

/// A conditional status change with what comes with it.
#[derive(Debug, Clone)]
pub struct Transition {
    pub workflow_id: String,
    pub from: WorkflowStatus,
    pub to: WorkflowStatus,
    /// Sets the decision when present.
    pub decision: Option<String>,
    pub outputs: Option<Value>,
    pub error: Option<String>,
    pub actor: String,
    pub event: String,
    pub reason: Option<String>,
    pub at: DateTime<Utc>,
    /// Only if no decision has been made yet (expiry must not undo an approval).
    pub require_undecided: bool,
    /// The metric of the attempt this transition ends, committed with it.
    pub metric: Option<NewMetric>,
}

#[derive(Debug, Clone)]
pub struct NewVote {
    pub id: String,
    pub workflow_id: String,
    pub user_id: String,
    pub vote: VoteChoice,
    pub reason: String,
    /// The digest the voter saw; a vote on anything else is refused.
    pub digest: String,
    pub voted_at: DateTime<Utc>,
}

/// A counted vote, the workflow as it now stands, and the decision if this vote made it.
#[derive(Debug, Clone)]
pub struct VoteOutcome {
    pub vote: Vote,
    pub workflow: Workflow,
    pub decided: Option<Decision>,
}

/// One change, as `GET /api/events` streams it.
#[derive(Debug, Clone, PartialEq)]
pub struct EventRecord {
    pub id: i64,
    pub workflow_id: String,
    pub council_id: String,
    pub agent_id: String,
    /// created, voted, decided, queued, started, step_finished, completed, failed, cancelled.
    pub kind: String,
    pub data: serde_json::Value,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, Default)]
pub struct EventFilter {
    pub council_id: Option<String>,
    pub agent_id: Option<String>,
}

#[derive(Debug, Clone)]
pub struct NewMetric {
    pub id: String,
    pub workflow_id: String,
    pub attempt: i64,
    pub duration_ms: i64,
    pub weekly_cents: i64,
    /// Steps succeeded / steps, in millionths, so that sums stay exact.
    pub success_ppm: i64,
    pub error_count: i64,
    pub recorded_at: DateTime<Utc>,
}

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

#[derive(Debug, Clone)]
pub struct NewAudit {
    pub workflow_id: String,
    pub event: String,
    pub actor: String,
    pub from_status: Option<WorkflowStatus>,
    pub to_status: Option<WorkflowStatus>,
    pub reason: Option<String>,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, Default)]
pub struct BulkBatch {
    pub workflows: Vec<BulkWorkflow>,
    /// Metrics of workflows in this same batch.
    pub metrics: Vec<NewMetric>,
    pub votes: Vec<BulkVote>,
    pub audit: Vec<NewAudit>,
}

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

/// How a step attempt ended.
#[derive(Debug, Clone)]
pub struct StepOutcome {
    pub workflow_id: String,
    pub position: i64,
    /// `succeeded` or `failed`.
    pub status: String,
    pub error: Option<String>,
    pub output: Option<serde_json::Value>,
    pub at: DateTime<Utc>,
    /// The next step (position, name) to mark running in the same transaction, if the
    /// workflow is still in progress: one commit between two steps instead of two.
    pub then_start: Option<(i64, String)>,
}

/// A message sent through a deployed site's contact form.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct ContactMessage {
    pub id: String,
    /// The site's slug.
    pub site: String,
    /// The workflow that deployed the site.
    pub workflow_id: String,
    pub recipient: String,
    pub name: String,
    pub email: String,
    pub message: String,
    pub remote_addr: Option<String>,
    #[serde(with = "quorum_domain::time::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub received_at: DateTime<Utc>,
    /// `outbox` (kept, no SMTP server configured), `sent` or `failed`.
    pub delivery: String,
    #[serde(with = "quorum_domain::time::rfc3339_option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub delivered_at: Option<DateTime<Utc>>,
    pub error: Option<String>,
}

/// A dashboard session. The browser holds the session id; the store only its SHA-256.
#[derive(Debug, Clone, PartialEq)]
pub struct DashboardSession {
    /// SHA-256 (hex) of the session id.
    pub id_hash: String,
    pub principal_id: String,
    /// SHA-256 (hex) of the API token the session signed in with.
    pub token_hash: String,
    /// The token every form of this session carries.
    pub csrf: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// A file's bytes under their SHA-256 (lowercase hex): kept once, never changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Blob {
    pub hash: String,
    pub bytes: Vec<u8>,
    /// The gzip encoding of `bytes`, when it is smaller.
    pub gzip: Option<Vec<u8>>,
}

/// One file of a deployment: where it is served and which blob it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeploymentFile {
    /// Relative to the site, e.g. `about/index.html`.
    pub path: String,
    pub hash: String,
    pub content_type: String,
}

/// A deployed site: what the contact form needs to know, and the files it serves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deployment {
    pub id: String,
    pub site: String,
    pub workflow_id: String,
    pub site_name: String,
    /// Where contact-form messages go.
    pub contact_email: String,
    pub created_at: DateTime<Utc>,
    /// By path.
    pub files: Vec<DeploymentFile>,
}

/// A deployment as a site's history lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeploymentSummary {
    pub id: String,
    pub workflow_id: String,
    pub site_name: String,
    pub created_at: DateTime<Utc>,
}

/// A deployed site: who owns it, what it serves, and its deployments, newest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteRecord {
    pub slug: String,
    /// The agent whose workflow first deployed it; None for a site no workflow deployed.
    pub owner_agent: Option<String>,
    pub live: DeploymentSummary,
    pub updated_at: DateTime<Utc>,
    /// At most [`SITE_HISTORY`], the live one among them.
    pub history: Vec<DeploymentSummary>,
    /// Its rollbacks, newest first, at most [`SITE_HISTORY`].
    pub rollbacks: Vec<SiteRollback>,
}

/// How many deployments a site's record lists.
pub const SITE_HISTORY: i64 = 50;

/// What collecting a site's old deployments removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Pruned {
    pub deployments: u64,
    pub blobs: u64,
}

/// How many old deployments one collection removes at most; the next deploy takes the rest.
pub const PRUNE_BATCH: i64 = 100;

/// A switch of a site's live deployment to an earlier one, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteRollback {
    /// None when asked for; the deployment it replaced when read back.
    pub from_deployment: Option<String>,
    pub slug: String,
    pub to_deployment: String,
    pub actor: String,
    pub reason: String,
    pub at: DateTime<Utc>,
}

/// A key the dashboards seal their cookies with. One key is current (`retired_at` is None);
/// retired ones still open what they sealed until their sessions could have ended.
#[derive(Clone, PartialEq)]
pub struct SigningKey {
    pub id: String,
    pub secret: Vec<u8>,
    pub created_at: DateTime<Utc>,
    pub retired_at: Option<DateTime<Utc>>,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey")
            .field("id", &self.id)
            .field("secret", &"[redacted]")
            .field("created_at", &self.created_at)
            .field("retired_at", &self.retired_at)
            .finish()
    }
}
