//! A workflow's detail in one round trip: the workflow row with its metrics, votes, steps and
//! audit trail aggregated as JSON by the server, instead of five queries in sequence. The
//! children are matched on the parameter, not on `w.id`: the workflow id's "C" collation
//! would otherwise keep their indexes out of the plan.

use chrono::{DateTime, Utc};
use quorum_domain::{AuditEntry, Metric, StepRecord, Vote, VoteChoice};
use quorum_store::{StoreError, StoreResult, WorkflowDetail};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use sqlx::Row;
use sqlx::postgres::PgPool;

use crate::map_err;
use crate::rows::{self, WORKFLOW_COLUMNS};

#[derive(Deserialize)]
struct MetricRow {
    id: String,
    workflow_id: String,
    attempt: i64,
    duration_ms: i64,
    weekly_cents: i64,
    success_ppm: i64,
    error_count: i64,
    recorded_at: DateTime<Utc>,
}

#[derive(Deserialize)]
struct VoteRow {
    id: String,
    workflow_id: String,
    user_id: String,
    vote: String,
    reason: String,
    voted_at: DateTime<Utc>,
}

#[derive(Deserialize)]
struct StepRow {
    position: i64,
    name: String,
    status: String,
    attempts: i64,
    started_at: Option<DateTime<Utc>>,
    finished_at: Option<DateTime<Utc>>,
    error: Option<String>,
}

#[derive(Deserialize)]
struct AuditRow {
    id: i64,
    event: String,
    actor: String,
    from_status: Option<String>,
    to_status: Option<String>,
    reason: Option<String>,
    at: DateTime<Utc>,
}

fn parse<T: DeserializeOwned>(row: &sqlx::postgres::PgRow, column: &str) -> StoreResult<Vec<T>> {
    let text: String = row.try_get(column).map_err(map_err)?;
    serde_json::from_str(&text).map_err(|e| StoreError::Other(format!("decoding {column}: {e}")))
}

fn status(text: Option<String>) -> StoreResult<Option<quorum_domain::WorkflowStatus>> {
    text.as_deref().map(rows::status).transpose()
}

pub async fn detail(pool: &PgPool, id: &str) -> StoreResult<WorkflowDetail> {
    let sql = format!(
        "SELECT {WORKFLOW_COLUMNS}, \
         (SELECT COALESCE(json_agg(m ORDER BY m.attempt, m.recorded_at), '[]') FROM workflow_metrics m WHERE m.workflow_id = $1)::text AS metrics_json, \
         (SELECT COALESCE(json_agg(v ORDER BY v.voted_at, v.id), '[]') FROM workflow_votes v WHERE v.workflow_id = $1)::text AS votes_json, \
         (SELECT COALESCE(json_agg(s ORDER BY s.position), '[]') FROM workflow_steps s WHERE s.workflow_id = $1)::text AS steps_json, \
         (SELECT COALESCE(json_agg(a ORDER BY a.id), '[]') FROM workflow_audit a WHERE a.workflow_id = $1)::text AS audit_json, \
         electorate::text AS electorate, threshold::text AS threshold, digest \
         FROM workflows w WHERE w.id = $1"
    );
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(pool)
        .await
        .map_err(map_err)?
        .ok_or_else(|| StoreError::NotFound(format!("workflow {id}")))?;
    let metrics = parse::<MetricRow>(&row, "metrics_json")?
        .into_iter()
        .map(|m| Metric {
            id: m.id,
            workflow_id: m.workflow_id,
            attempt: m.attempt,
            duration_seconds: m.duration_ms as f64 / 1000.0,
            estimated_weekly_savings: m.weekly_cents as f64 / 100.0,
            success_rate: m.success_ppm as f64 / 1e6,
            error_count: m.error_count,
            recorded_at: m.recorded_at,
        })
        .collect();
    let votes = parse::<VoteRow>(&row, "votes_json")?
        .into_iter()
        .map(|v| {
            Ok(Vote {
                vote: VoteChoice::parse(&v.vote)
                    .ok_or_else(|| StoreError::Other(format!("stored vote {:?}", v.vote)))?,
                id: v.id,
                workflow_id: v.workflow_id,
                user_id: v.user_id,
                reason: v.reason,
                voted_at: v.voted_at,
            })
        })
        .collect::<StoreResult<_>>()?;
    let steps = parse::<StepRow>(&row, "steps_json")?
        .into_iter()
        .map(|s| StepRecord {
            duration_ms: s
                .started_at
                .zip(s.finished_at)
                .map(|(a, b)| (b - a).num_milliseconds()),
            position: s.position,
            name: s.name,
            status: s.status,
            attempts: s.attempts,
            started_at: s.started_at,
            finished_at: s.finished_at,
            error: s.error,
        })
        .collect();
    let audit = parse::<AuditRow>(&row, "audit_json")?
        .into_iter()
        .map(|a| {
            Ok(AuditEntry {
                from_status: status(a.from_status)?,
                to_status: status(a.to_status)?,
                id: a.id,
                event: a.event,
                actor: a.actor,
                reason: a.reason,
                at: a.at,
            })
        })
        .collect::<StoreResult<_>>()?;
    let (electorate, threshold) = rows::electorate(&row)?;
    Ok(WorkflowDetail {
        workflow: rows::workflow(&row)?,
        metrics,
        votes,
        steps,
        audit,
        electorate,
        threshold,
        digest: row.try_get("digest").map_err(map_err)?,
    })
}
