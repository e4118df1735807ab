//! Step records on SQLite: what `steps[]` of a workflow's detail shows while it runs.

use chrono::{DateTime, Utc};
use quorum_domain::Workflow;
use quorum_store::{StepOutcome, StoreError, StoreResult};
use sqlx::sqlite::SqlitePool;

use crate::map_err;
use crate::workflows::{fetch, insert_event};

pub async fn start(
    pool: &SqlitePool,
    workflow_id: &str,
    position: i64,
    name: &str,
    at: DateTime<Utc>,
) -> StoreResult<()> {
    let mut conn = pool.acquire().await.map_err(map_err)?;
    start_in(&mut conn, workflow_id, position, name, at).await
}

async fn start_in(
    conn: &mut sqlx::SqliteConnection,
    workflow_id: &str,
    position: i64,
    name: &str,
    at: DateTime<Utc>,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO workflow_steps (workflow_id, position, name, status, attempts, started_at) VALUES (?, ?, ?, 'running', 1, ?) \
         ON CONFLICT (workflow_id, position) DO UPDATE SET status = 'running', attempts = workflow_steps.attempts + 1, \
         started_at = excluded.started_at, finished_at = NULL, error = NULL",
    )
    .bind(workflow_id)
    .bind(position)
    .bind(name)
    .bind(at.timestamp_micros())
    .execute(conn)
    .await
    .map_err(map_err)?;
    Ok(())
}

pub async fn finish(pool: &SqlitePool, step: &StepOutcome) -> StoreResult<Workflow> {
    let mut tx = pool.begin().await.map_err(map_err)?;
    let updated = sqlx::query(
        "UPDATE workflow_steps SET status = ?, error = ?, output = ?, finished_at = ? \
         WHERE workflow_id = ? AND position = ? AND status = 'running'",
    )
    .bind(&step.status)
    .bind(&step.error)
    .bind(step.output.as_ref().map(|o| o.to_string()))
    .bind(step.at.timestamp_micros())
    .bind(&step.workflow_id)
    .bind(step.position)
    .execute(&mut *tx)
    .await
    .map_err(map_err)?;
    if updated.rows_affected() != 1 {
        return Err(StoreError::Conflict(format!(
            "step {} of {} is not running",
            step.position, step.workflow_id
        )));
    }
    let workflow = fetch(&mut tx, &step.workflow_id).await?;
    let data =
        serde_json::json!({"position": step.position, "status": step.status, "error": step.error});
    insert_event(&mut tx, &workflow, "step_finished", data, step.at).await?;
    if let Some((position, name)) = &step.then_start
        && workflow.status == quorum_domain::WorkflowStatus::InProgress
    {
        start_in(&mut tx, &step.workflow_id, *position, name, step.at).await?;
    }
    tx.commit().await.map_err(map_err)?;
    Ok(workflow)
}
