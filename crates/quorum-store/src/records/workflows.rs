//! What the workflow calls of the `Store` take and return: types and their versions, new
//! workflows and their changes, votes, metrics, steps, lists and live events.

use chrono::{DateTime, Utc};
use quorum_domain::{
    AuditEntry, Decision, EventKind, Metric, Rule, StepRecord, StepStatus, Vote, VoteChoice,
    Workflow, WorkflowStatus,
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
    pub decision: Option<Decision>,
    pub inputs: Value,
    pub calculated_savings: Value,
    pub weekly_cents: i64,
    pub annual_cents: i64,
    pub created_at: DateTime<Utc>,
    /// Who asked, for the audit trail.
    pub actor: String,
    /// The council's members when the workflow was created: they, and only they, vote on it.
    pub electorate: Vec<String>,
    /// How they decide: the council's rule, within the electorate.
    pub rule: Rule,
    /// What votes bind to: `quorum_domain::governance::digest` of type, version, inputs and
    /// preview.
    pub digest: String,
    /// What the council will review of what the workflow builds, when its type can preview.
    pub preview: Option<crate::Preview>,
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
    pub rule: Rule,
    pub voting_deadline: Option<DateTime<Utc>>,
    pub actor: String,
    pub reason: String,
    pub at: DateTime<Utc>,
    /// Set for an escalation: the deadline that passed. The move is then guarded by it (two
    /// sweepers escalate once) instead of by no vote having been cast.
    pub expired_deadline: Option<DateTime<Utc>>,
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

impl WorkflowPage {
    /// The page `page` asked for, found to hold `workflows` of `total`.
    pub fn new(workflows: Vec<Workflow>, total: i64, page: &PageRequest) -> Self {
        let next_cursor = (workflows.len() as i64 == page.limit())
            .then(|| workflows.last())
            .flatten()
            .map(|w| Cursor {
                created_at_micros: w.created_at.timestamp_micros(),
                id: w.id.clone(),
            });
        Self {
            workflows,
            total,
            next_cursor,
        }
    }
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
    pub rule: Rule,
    pub digest: String,
    /// The manifest hash of the workflow's preview, when it has one.
    pub preview: Option<String>,
}

/// A conditional status change with what comes with it.
#[derive(Debug, Clone)]
pub struct Transition {
    pub workflow_id: String,
    pub from: WorkflowStatus,
    pub to: WorkflowStatus,
    /// Sets the decision when present.
    pub decision: Option<Decision>,
    pub outputs: Option<Value>,
    pub error: Option<String>,
    pub actor: String,
    /// What the move is called in the audit trail and the live events: `started`,
    /// `completed`, `failed`, `cancelled` or `expired`.
    pub event: EventKind,
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
    /// The delegate casting it for `user_id`, when it is not the member.
    pub cast_by: Option<String>,
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
    pub kind: EventKind,
    /// The kind's payload (`crate::Event`), as clients receive it.
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

/// How a step attempt ended.
#[derive(Debug, Clone)]
pub struct StepOutcome {
    pub workflow_id: String,
    pub position: i64,
    /// `succeeded`, `failed`, or `waiting` until `wake_at`.
    pub status: StepStatus,
    pub error: Option<String>,
    pub output: Option<serde_json::Value>,
    pub at: DateTime<Utc>,
    /// The time a waiting step waits for; kept (when None) from an earlier wait of the step.
    pub wake_at: Option<DateTime<Utc>>,
    /// The next step (position, name) to mark running in the same transaction, if the
    /// workflow is still in progress: one commit between two steps instead of two.
    pub then_start: Option<(i64, String)>,
}

/// A row of a workflow's audit trail, to append.
#[derive(Debug, Clone)]
pub struct NewAudit {
    pub workflow_id: String,
    pub event: EventKind,
    pub actor: String,
    pub from_status: Option<WorkflowStatus>,
    pub to_status: Option<WorkflowStatus>,
    pub reason: Option<String>,
    pub at: DateTime<Utc>,
}

/// One query of a queue page: which undecided workflows (with or without a deadline, or
/// both), in which order, how many after how many.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueueSlice {
    /// Some(true): only those with a deadline; Some(false): only those without.
    pub with_deadline: Option<bool>,
    pub order: QueueOrder,
    pub limit: i64,
    pub offset: i64,
}

impl QueueSlice {
    /// The ORDER BY of this slice; deadline order is only asked of workflows that have one.
    pub fn order_by(&self) -> &'static str {
        match self.order {
            QueueOrder::Newest => "created_at DESC, id DESC",
            QueueOrder::Oldest => "created_at, id",
            QueueOrder::Deadline => "voting_deadline, created_at DESC, id DESC",
        }
    }

    pub fn deadline_filter(&self) -> &'static str {
        match self.with_deadline {
            Some(true) => " AND voting_deadline IS NOT NULL",
            Some(false) => " AND voting_deadline IS NULL",
            None => "",
        }
    }

    /// The slices of a page in `order`: deadline order is those with a deadline, soonest
    /// first, then those without, newest first; `with_deadline` is how many have one (asked
    /// only for deadline order).
    pub fn of_page(
        order: QueueOrder,
        limit: i64,
        offset: i64,
        with_deadline: i64,
    ) -> Vec<QueueSlice> {
        if order != QueueOrder::Deadline {
            return vec![QueueSlice {
                with_deadline: None,
                order,
                limit,
                offset,
            }];
        }
        let mut slices = Vec::new();
        if offset < with_deadline {
            slices.push(QueueSlice {
                with_deadline: Some(true),
                order,
                limit: limit.min(with_deadline - offset),
                offset,
            });
        }
        let taken: i64 = slices.iter().map(|s| s.limit).sum();
        if taken < limit {
            slices.push(QueueSlice {
                with_deadline: Some(false),
                order: QueueOrder::Newest,
                limit: limit - taken,
                offset: (offset - with_deadline).max(0),
            });
        }
        slices
    }
}

/// The order of a review queue's page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum QueueOrder {
    /// Newest first.
    #[default]
    Newest,
    Oldest,
    /// The soonest voting deadline first; workflows without one last, newest first.
    Deadline,
}
