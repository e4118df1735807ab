//! Step records on SQLite: what `steps[]` of a workflow's detail shows while it runs.

use chrono::{DateTime, Utc};
use quorum_domain::Workflow;
use quorum_store::{StepOutcome, StoreError};
use rusqlite::{Connection, params};

use crate::Result;
use crate::rows;
use crate::workflows::{fetch, insert_event};

pub fn start(
    conn: &Connection,
    workflow_id: &str,
    position: i64,
    name: &str,
    at: DateTime<Utc>,
) -> Result<()> {
    rows::run(
        conn,
        "INSERT INTO workflow_steps (workflow_id, position, name, status, attempts, started_at) VALUES (?, ?, ?, 'running', 1, ?) \
         ON CONFLICT (workflow_id, position) DO UPDATE SET status = 'running', attempts = workflow_steps.attempts + 1, \
         started_at = excluded.started_at, finished_at = NULL, error = NULL",
        params![workflow_id, position, name, at.timestamp_micros()],
    )?;
    Ok(())
}

pub fn finish(tx: &Connection, step: &StepOutcome) -> Result<Workflow> {
    let updated = rows::run(
        tx,
        "UPDATE workflow_steps SET status = ?, error = ?, output = ?, finished_at = ? \
         WHERE workflow_id = ? AND position = ? AND status = 'running'",
        params![
            step.status,
            step.error,
            step.output.as_ref().map(|o| o.to_string()),
            step.at.timestamp_micros(),
            step.workflow_id,
            step.position,
        ],
    )?;
    if updated != 1 {
        return Err(StoreError::Conflict(format!(
            "step {} of {} is not running",
            step.position, step.workflow_id
        ))
        .into());
    }
    let workflow = fetch(tx, &step.workflow_id)?;
    let data =
        serde_json::json!({"position": step.position, "status": step.status, "error": step.error});
    insert_event(tx, &workflow, "step_finished", data, step.at)?;
    if let Some((position, name)) = &step.then_start
        && workflow.status == quorum_domain::WorkflowStatus::InProgress
    {
        start(tx, &step.workflow_id, *position, name, step.at)?;
    }
    Ok(workflow)
}
