//! Decoding SQLite rows into domain records.

use quorum_domain::time::from_micros;
use quorum_domain::{JsonText, Workflow, WorkflowStatus};
use quorum_store::{AggregateKey, AggregateRow, Counts, StoreError, StoreResult};
use serde_json::Value;
use sqlx::Row;
use sqlx::sqlite::SqliteRow;

use crate::map_err;

pub const WORKFLOW_COLUMNS: &str = "id, workflow_type_id, workflow_type_version, created_by_agent, \
    assigned_council_id, status, decision, inputs, outputs, calculated_savings, error, created_at, \
    started_at, completed_at, voting_deadline, queued_at";

pub fn json(text: &str) -> StoreResult<Value> {
    serde_json::from_str(text)
        .map_err(|e| StoreError::Other(format!("stored JSON is corrupt: {e}")))
}

pub fn status(text: &str) -> StoreResult<WorkflowStatus> {
    text.parse()
        .map_err(|e| StoreError::Other(format!("stored status: {e}")))
}

pub fn workflow(row: &SqliteRow) -> StoreResult<Workflow> {
    let get = |e| map_err(e);
    Ok(Workflow {
        id: row.try_get("id").map_err(get)?,
        workflow_type_id: row.try_get("workflow_type_id").map_err(get)?,
        workflow_type_version: row.try_get("workflow_type_version").map_err(get)?,
        created_by_agent: row.try_get("created_by_agent").map_err(get)?,
        assigned_council_id: row.try_get("assigned_council_id").map_err(get)?,
        status: status(row.try_get("status").map_err(get)?)?,
        decision: row.try_get("decision").map_err(get)?,
        inputs: json_text(row.try_get("inputs").map_err(get)?)?,
        outputs: json_text(row.try_get("outputs").map_err(get)?)?,
        calculated_savings: json_text(row.try_get("calculated_savings").map_err(get)?)?,
        error: row.try_get("error").map_err(get)?,
        created_at: from_micros(row.try_get("created_at").map_err(get)?),
        started_at: row
            .try_get::<Option<i64>, _>("started_at")
            .map_err(get)?
            .map(from_micros),
        completed_at: row
            .try_get::<Option<i64>, _>("completed_at")
            .map_err(get)?
            .map(from_micros),
        voting_deadline: row
            .try_get::<Option<i64>, _>("voting_deadline")
            .map_err(get)?
            .map(from_micros),
        queued_at: row
            .try_get::<Option<i64>, _>("queued_at")
            .map_err(get)?
            .map(from_micros),
    })
}

/// Reads the columns `council_id, agent_id, workflow_type_id, status, workflows, weekly_cents,
/// annual_cents, metric_count, duration_ms, success_ppm, error_count`.
pub fn aggregate(row: &SqliteRow) -> StoreResult<AggregateRow> {
    Ok(AggregateRow {
        key: AggregateKey {
            council_id: row.try_get(0).map_err(map_err)?,
            agent_id: row.try_get(1).map_err(map_err)?,
            workflow_type_id: row.try_get(2).map_err(map_err)?,
            status: status(row.try_get(3).map_err(map_err)?)?,
        },
        counts: Counts {
            workflows: row.try_get(4).map_err(map_err)?,
            weekly_cents: row.try_get(5).map_err(map_err)?,
            annual_cents: row.try_get(6).map_err(map_err)?,
            metric_count: row.try_get(7).map_err(map_err)?,
            duration_ms: row.try_get(8).map_err(map_err)?,
            success_ppm: row.try_get(9).map_err(map_err)?,
            error_count: row.try_get(10).map_err(map_err)?,
        },
    })
}

pub fn json_text(text: String) -> StoreResult<JsonText> {
    JsonText::parse(text).map_err(|e| StoreError::Other(format!("stored JSON is corrupt: {e}")))
}

/// One workflow of a page, as `json_array(PAGE_COLUMNS)` lays it out.
type PageRow = (
    String,
    String,
    i64,
    String,
    String,
    String,
    Option<String>,
    Box<serde_json::value::RawValue>,
    Box<serde_json::value::RawValue>,
    Box<serde_json::value::RawValue>,
    Option<String>,
    i64,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
);

pub fn workflow_page(text: &str) -> StoreResult<Vec<Workflow>> {
    let rows: Vec<PageRow> = serde_json::from_str(text)
        .map_err(|e| StoreError::Other(format!("decoding a page: {e}")))?;
    rows.into_iter()
        .map(|r| {
            Ok(Workflow {
                id: r.0,
                workflow_type_id: r.1,
                workflow_type_version: r.2,
                created_by_agent: r.3,
                assigned_council_id: r.4,
                status: status(&r.5)?,
                decision: r.6,
                inputs: JsonText::from_raw(r.7),
                outputs: JsonText::from_raw(r.8),
                calculated_savings: JsonText::from_raw(r.9),
                error: r.10,
                created_at: from_micros(r.11),
                started_at: r.12.map(from_micros),
                completed_at: r.13.map(from_micros),
                voting_deadline: r.14.map(from_micros),
                queued_at: r.15.map(from_micros),
            })
        })
        .collect()
}

/// The `electorate` and `threshold` columns of a workflow.
pub fn electorate(row: &SqliteRow) -> StoreResult<(Vec<String>, quorum_domain::Threshold)> {
    let electorate: String = row.try_get("electorate").map_err(map_err)?;
    let threshold: String = row.try_get("threshold").map_err(map_err)?;
    let corrupt =
        |e: serde_json::Error| StoreError::Other(format!("stored governance is corrupt: {e}"));
    Ok((
        serde_json::from_str(&electorate).map_err(corrupt)?,
        serde_json::from_str(&threshold).map_err(corrupt)?,
    ))
}

pub fn event(row: &SqliteRow) -> StoreResult<quorum_store::EventRecord> {
    Ok(quorum_store::EventRecord {
        id: row.try_get("id").map_err(map_err)?,
        workflow_id: row.try_get("workflow_id").map_err(map_err)?,
        council_id: row.try_get("council_id").map_err(map_err)?,
        agent_id: row.try_get("agent_id").map_err(map_err)?,
        kind: row.try_get("kind").map_err(map_err)?,
        data: json(row.try_get("data").map_err(map_err)?)?,
        at: from_micros(row.try_get("at").map_err(map_err)?),
    })
}
