//! A workflow's detail in one statement: its metrics, votes, steps and audit trail come back as
//! JSON arrays beside the workflow row, because sqlx hands every SQLite row to the async side
//! separately and six small queries cost more than one.

use quorum_domain::time::from_micros;
use quorum_domain::{AuditEntry, Metric, StepRecord, Vote, VoteChoice};
use quorum_store::{StoreError, StoreResult, WorkflowDetail};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use sqlx::Row;
use sqlx::sqlite::{SqlitePool, SqliteRow};

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
    recorded_at: i64,
}

#[derive(Deserialize)]
struct VoteRow {
    id: String,
    workflow_id: String,
    user_id: String,
    vote: String,
    reason: String,
    voted_at: i64,
}

#[derive(Deserialize)]
struct StepRow {
    position: i64,
    name: String,
    status: String,
    attempts: i64,
    started_at: Option<i64>,
    finished_at: Option<i64>,
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
    at: i64,
}

const CHILDREN: &str = "\
    (SELECT json_group_array(json_object('id', id, 'workflow_id', workflow_id, 'attempt', attempt, 'duration_ms', duration_ms, \
        'weekly_cents', weekly_cents, 'success_ppm', success_ppm, 'error_count', error_count, 'recorded_at', recorded_at)) \
     FROM (SELECT * FROM workflow_metrics WHERE workflow_id = ? ORDER BY attempt, recorded_at)) AS metrics_json, \
    (SELECT json_group_array(json_object('id', id, 'workflow_id', workflow_id, 'user_id', user_id, 'vote', vote, \
        'reason', reason, 'voted_at', voted_at)) \
     FROM (SELECT * FROM workflow_votes WHERE workflow_id = ? ORDER BY voted_at, id)) AS votes_json, \
    (SELECT json_group_array(json_object('position', position, 'name', name, 'status', status, 'attempts', attempts, \
        'started_at', started_at, 'finished_at', finished_at, 'error', error)) \
     FROM (SELECT * FROM workflow_steps WHERE workflow_id = ? ORDER BY position)) AS steps_json, \
    (SELECT json_group_array(json_object('id', id, 'event', event, 'actor', actor, 'from_status', from_status, \
        'to_status', to_status, 'reason', reason, 'at', at)) \
     FROM (SELECT * FROM workflow_audit WHERE workflow_id = ? ORDER BY id)) AS audit_json";

fn parse<T: DeserializeOwned>(row: &SqliteRow, column: &str) -> StoreResult<Vec<T>> {
    let text: String = row.try_get(column).map_err(map_err)?;
    serde_json::from_str(&text).map_err(|e| StoreError::Other(format!("decoding {column}: {e}")))
}

fn status(text: Option<String>) -> StoreResult<Option<quorum_domain::WorkflowStatus>> {
    text.as_deref().map(rows::status).transpose()
}

pub async fn detail(pool: &SqlitePool, id: &str) -> StoreResult<WorkflowDetail> {
    let sql = format!(
        "SELECT {WORKFLOW_COLUMNS}, electorate, threshold, digest, {CHILDREN} FROM workflows WHERE id = ?"
    );
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .bind(id)
        .bind(id)
        .bind(id)
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
            recorded_at: from_micros(m.recorded_at),
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
                voted_at: from_micros(v.voted_at),
            })
        })
        .collect::<StoreResult<_>>()?;
    let steps = parse::<StepRow>(&row, "steps_json")?
        .into_iter()
        .map(|s| StepRecord {
            duration_ms: s.started_at.zip(s.finished_at).map(|(a, b)| (b - a) / 1000),
            position: s.position,
            name: s.name,
            status: s.status,
            attempts: s.attempts,
            started_at: s.started_at.map(from_micros),
            finished_at: s.finished_at.map(from_micros),
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
                at: from_micros(a.at),
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
