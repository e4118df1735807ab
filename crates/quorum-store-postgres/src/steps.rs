//! Step records on PostgreSQL: what `steps[]` of a workflow's detail shows while it runs.
//!
//! Step records commit without waiting for the disk (`synchronous_commit = off`): a record
//! lost to a crash only makes its idempotent step run again, and the workflow's end, which
//! waits for the disk, flushes every record written before it. This is most of the commits of
//! a run.

use chrono::{DateTime, Utc};
use quorum_domain::Workflow;
use quorum_store::{StepOutcome, StoreError, StoreResult};
use sqlx::postgres::PgPool;

use crate::map_err;
use crate::workflows::{fetch, insert_event};

pub async fn start(
    pool: &PgPool,
    workflow_id: &str,
    position: i64,
    name: &str,
    at: DateTime<Utc>,
) -> StoreResult<()> {
    let mut tx = pool.begin().await.map_err(map_err)?;
    relaxed(&mut tx).await?;
    start_in(&mut tx, workflow_id, position, name, at).await?;
    tx.commit().await.map_err(map_err)
}

async fn start_in(
    conn: &mut sqlx::PgConnection,
    workflow_id: &str,
    position: i64,
    name: &str,
    at: DateTime<Utc>,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO workflow_steps (workflow_id, position, name, status, attempts, started_at) VALUES ($1, $2, $3, 'running', 1, $4) \
         ON CONFLICT (workflow_id, position) DO UPDATE SET status = 'running', attempts = workflow_steps.attempts + 1, \
         started_at = excluded.started_at, finished_at = NULL, error = NULL",
    )
    .bind(workflow_id)
    .bind(position)
    .bind(name)
    .bind(at)
    .execute(conn)
    .await
    .map_err(map_err)?;
    Ok(())
}

async fn relaxed(tx: &mut sqlx::PgConnection) -> StoreResult<()> {
    sqlx::query("SET LOCAL synchronous_commit = off")
        .execute(tx)
        .await
        .map_err(map_err)?;
    Ok(())
}

pub async fn finish(pool: &PgPool, step: &StepOutcome) -> StoreResult<Workflow> {
    let mut tx = pool.begin().await.map_err(map_err)?;
    relaxed(&mut tx).await?;
    let updated = sqlx::query(
        "UPDATE workflow_steps SET status = $1, error = $2, output = $3, finished_at = $4 \
         WHERE workflow_id = $5 AND position = $6 AND status = 'running'",
    )
    .bind(&step.status)
    .bind(&step.error)
    .bind(&step.output)
    .bind(step.at)
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
