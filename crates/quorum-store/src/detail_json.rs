//! A workflow's children (metrics, votes, steps, audit) as backends return them: one JSON
//! array per table beside the workflow row, so that a detail is one round trip. Both backends
//! decode them, and the detail around them, here.

use chrono::{DateTime, Utc};
use quorum_domain::{
    AuditEntry, EventKind, Metric, StepRecord, StepStatus, Vote, VoteChoice, Workflow,
    WorkflowStatus,
};
use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::stored::TextColumns;
use crate::{StoreError, StoreResult, WorkflowDetail};

/// A timestamp as a backend writes it into JSON: microseconds since the epoch (SQLite) or
/// RFC 3339 text (PostgreSQL).
#[derive(Deserialize)]
#[serde(untagged)]
enum Stamp {
    Micros(i64),
    Text(DateTime<Utc>),
}

impl From<Stamp> for DateTime<Utc> {
    fn from(stamp: Stamp) -> Self {
        match stamp {
            Stamp::Micros(micros) => quorum_domain::time::from_micros(micros),
            Stamp::Text(at) => at,
        }
    }
}

#[derive(Deserialize)]
struct MetricRow {
    id: String,
    workflow_id: String,
    attempt: i64,
    duration_ms: i64,
    weekly_cents: i64,
    success_ppm: i64,
    error_count: i64,
    recorded_at: Stamp,
}

#[derive(Deserialize)]
struct VoteRow {
    id: String,
    workflow_id: String,
    user_id: String,
    vote: String,
    reason: String,
    voted_at: Stamp,
    #[serde(default)]
    cast_by: Option<String>,
}

#[derive(Deserialize)]
struct StepRow {
    position: i64,
    name: String,
    status: StepStatus,
    attempts: i64,
    started_at: Option<Stamp>,
    finished_at: Option<Stamp>,
    #[serde(default)]
    wake_at: Option<Stamp>,
    error: Option<String>,
    output: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct AuditRow {
    id: i64,
    event: EventKind,
    actor: String,
    from_status: Option<String>,
    to_status: Option<String>,
    reason: Option<String>,
    at: Stamp,
}

/// The four JSON arrays, as text.
pub struct ChildrenJson<'a> {
    pub metrics: &'a str,
    pub votes: &'a str,
    pub steps: &'a str,
    pub audit: &'a str,
}

pub struct Children {
    pub metrics: Vec<Metric>,
    pub votes: Vec<Vote>,
    pub steps: Vec<StepRecord>,
    pub audit: Vec<AuditEntry>,
}

fn parse<T: DeserializeOwned>(what: &str, text: &str) -> StoreResult<Vec<T>> {
    serde_json::from_str(text)
        .map_err(|e| StoreError::Other(format!("decoding a workflow's {what}: {e}")))
}

fn status(text: Option<String>) -> StoreResult<Option<WorkflowStatus>> {
    text.as_deref().map(crate::stored::status).transpose()
}

/// A workflow's detail from the row that carries it with its children: the columns
/// `metrics_json`, `votes_json`, `steps_json` and `audit_json`, its electorate, digest and preview.
pub fn detail(row: &impl TextColumns, workflow: Workflow) -> StoreResult<WorkflowDetail> {
    let (metrics, votes, steps, audit) = (
        row.text("metrics_json")?,
        row.text("votes_json")?,
        row.text("steps_json")?,
        row.text("audit_json")?,
    );
    let children = children(ChildrenJson {
        metrics: &metrics,
        votes: &votes,
        steps: &steps,
        audit: &audit,
    })?;
    let (electorate, rule) = crate::stored::governance(row)?;
    Ok(WorkflowDetail {
        workflow,
        metrics: children.metrics,
        votes: children.votes,
        steps: children.steps,
        audit: children.audit,
        electorate,
        rule,
        digest: row.text("digest")?,
        preview: Some(row.text("preview")?).filter(|hash| !hash.is_empty()),
    })
}

pub fn children(json: ChildrenJson<'_>) -> StoreResult<Children> {
    let metrics = parse::<MetricRow>("metrics", json.metrics)?
        .into_iter()
        .map(|m| Metric {
            id: m.id,
            workflow_id: m.workflow_id,
            attempt: m.attempt,
            duration_seconds: m.duration_ms as f64 / 1000.0,
            estimated_weekly_savings: m.weekly_cents as f64 / 100.0,
            success_rate: m.success_ppm as f64 / 1e6,
            error_count: m.error_count,
            recorded_at: m.recorded_at.into(),
        })
        .collect();
    let votes = parse::<VoteRow>("votes", json.votes)?
        .into_iter()
        .map(|v| {
            Ok(Vote {
                vote: VoteChoice::parse(&v.vote)
                    .ok_or_else(|| StoreError::Other(format!("stored vote {:?}", v.vote)))?,
                id: v.id,
                workflow_id: v.workflow_id,
                user_id: v.user_id,
                reason: v.reason,
                voted_at: v.voted_at.into(),
                cast_by: v.cast_by,
            })
        })
        .collect::<StoreResult<_>>()?;
    let steps = parse::<StepRow>("steps", json.steps)?
        .into_iter()
        .map(|s| {
            let started_at: Option<DateTime<Utc>> = s.started_at.map(Into::into);
            let finished_at: Option<DateTime<Utc>> = s.finished_at.map(Into::into);
            StepRecord {
                duration_ms: started_at
                    .zip(finished_at)
                    .map(|(a, b)| (b - a).num_milliseconds()),
                position: s.position,
                name: s.name,
                status: s.status,
                attempts: s.attempts,
                wake_at: s.wake_at.map(Into::into),
                started_at,
                finished_at,
                error: s.error,
                output: s.output,
            }
        })
        .collect();
    let audit = parse::<AuditRow>("audit trail", json.audit)?
        .into_iter()
        .map(|a| {
            Ok(AuditEntry {
                from_status: status(a.from_status)?,
                to_status: status(a.to_status)?,
                id: a.id,
                event: a.event,
                actor: a.actor,
                reason: a.reason,
                at: a.at.into(),
            })
        })
        .collect::<StoreResult<_>>()?;
    Ok(Children {
        metrics,
        votes,
        steps,
        audit,
    })
}
