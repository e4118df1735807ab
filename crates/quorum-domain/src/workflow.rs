//! A workflow and what accumulates around it: metrics, votes, step records and its audit trail.

use crate::council::Decision;
use crate::events::EventKind;
use crate::json_text::JsonText;
use crate::status::WorkflowStatus;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A workflow as the seed's API shows it.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Workflow {
    /// `wf_` and twelve lowercase alphanumerics.
    pub id: String,
    pub workflow_type_id: String,
    /// The version of the type definition this workflow was created with.
    pub workflow_type_version: i64,
    pub created_by_agent: String,
    pub assigned_council_id: String,
    pub status: WorkflowStatus,
    /// `null` until decided; `approved`, `rejected` or `expired`.
    #[schema(value_type = Option<String>)]
    pub decision: Option<Decision>,
    #[schema(value_type = Object)]
    pub inputs: JsonText,
    #[schema(value_type = Object)]
    pub outputs: JsonText,
    #[schema(value_type = Object)]
    pub calculated_savings: JsonText,
    /// The last error of a failed workflow.
    pub error: Option<String>,
    #[serde(with = "crate::time::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: DateTime<Utc>,
    #[serde(with = "crate::time::rfc3339_option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub started_at: Option<DateTime<Utc>>,
    #[serde(with = "crate::time::rfc3339_option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub completed_at: Option<DateTime<Utc>>,
    /// An undecided workflow still pending at this time is expired.
    #[serde(with = "crate::time::rfc3339_option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub voting_deadline: Option<DateTime<Utc>>,
    /// When an approved workflow was handed to execution; null until then.
    #[serde(with = "crate::time::rfc3339_option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub queued_at: Option<DateTime<Utc>>,
}

/// One per execution attempt that ended.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Metric {
    pub id: String,
    pub workflow_id: String,
    pub attempt: i64,
    pub duration_seconds: f64,
    pub estimated_weekly_savings: f64,
    /// Steps succeeded / steps.
    pub success_rate: f64,
    pub error_count: i64,
    #[serde(with = "crate::time::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub recorded_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum VoteChoice {
    Approve,
    Reject,
    Abstain,
}

impl VoteChoice {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Approve => "approve",
            Self::Reject => "reject",
            Self::Abstain => "abstain",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Approve, Self::Reject, Self::Abstain]
            .into_iter()
            .find(|v| v.as_str() == s)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Vote {
    pub id: String,
    pub workflow_id: String,
    pub user_id: String,
    pub vote: VoteChoice,
    pub reason: String,
    #[serde(with = "crate::time::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub voted_at: DateTime<Utc>,
    /// The delegate who cast this vote for `user_id`; absent when the member voted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cast_by: Option<String>,
}

/// Where a recorded step stands: running, waiting for a time (no worker holds it meanwhile),
/// or how its last attempt ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepStatus {
    Running,
    Waiting,
    Succeeded,
    Failed,
}

impl StepStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Running => "running",
            Self::Waiting => "waiting",
            Self::Succeeded => "succeeded",
            Self::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Running, Self::Waiting, Self::Succeeded, Self::Failed]
            .into_iter()
            .find(|status| status.as_str() == s)
    }
}

impl std::fmt::Display for StepStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What is known of one step of a workflow's type.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct StepRecord {
    pub position: i64,
    pub name: String,
    /// `running`, `waiting`, `succeeded` or `failed`.
    #[schema(value_type = String)]
    pub status: StepStatus,
    pub attempts: i64,
    /// The time the step waits (or waited) for: while `waiting`, no worker holds the workflow,
    /// and its job becomes claimable then.
    #[serde(with = "crate::time::rfc3339_option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub wake_at: Option<DateTime<Utc>>,
    #[serde(with = "crate::time::rfc3339_option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub started_at: Option<DateTime<Utc>>,
    #[serde(with = "crate::time::rfc3339_option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub finished_at: Option<DateTime<Utc>>,
    pub duration_ms: Option<i64>,
    pub error: Option<String>,
    /// What the step produced, once it succeeded.
    #[schema(value_type = Option<Object>)]
    pub output: Option<serde_json::Value>,
}

/// One row of the audit trail: never updated, never deleted.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct AuditEntry {
    pub id: i64,
    /// `created`, `voted`, `decided`, `started`, `completed`, `failed`, `cancelled`, …
    #[schema(value_type = String)]
    pub event: EventKind,
    pub actor: String,
    pub from_status: Option<WorkflowStatus>,
    pub to_status: Option<WorkflowStatus>,
    pub reason: Option<String>,
    #[serde(with = "crate::time::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub at: DateTime<Utc>,
}
