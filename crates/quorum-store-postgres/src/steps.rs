//! Step records on PostgreSQL: what `steps[]` of a workflow's detail shows while it runs.
//!
//! Step records commit without waiting for the disk (`synchronous_commit = off`): a record
//! lost to a crash only makes its idempotent step run again, and the workflow's end, which
//! waits for the disk, flushes every record written before it. This is most of the commits of
//! a run.

use chrono::{DateTime, Utc};
use quorum_domain::Workflow;
use quorum_store::plan::{self, Write};
use quorum_store::{StepOutcome, StoreResult};
use sqlx::postgres::PgPool;

use crate::map_err;
use crate::workflows::fetch;
use crate::writes::apply_all;

pub async fn start(
    pool: &PgPool,
    workflow_id: &str,
    position: i64,
    name: &str,
    at: DateTime<Utc>,
) -> StoreResult<()> {
    let mut tx = relaxed(pool).await?;
    let start = Write::StartStep {
        workflow_id,
        position,
        name,
        at,
    };
    apply_all(&mut tx, &[start]).await?;
    tx.commit().await.map_err(map_err)
}

/// A transaction that commits without waiting for the disk, begun in the same round trip.
async fn relaxed(pool: &PgPool) -> StoreResult<sqlx::Transaction<'static, sqlx::Postgres>> {
    pool.begin_with("BEGIN; SET LOCAL synchronous_commit = off")
        .await
        .map_err(map_err)
}

/// The step's end; the workflow is read first, as a cancel may have ended it meanwhile.
pub async fn finish(pool: &PgPool, step: &StepOutcome) -> StoreResult<Workflow> {
    let mut tx = relaxed(pool).await?;
    let workflow = fetch(&mut tx, &step.workflow_id).await?;
    apply_all(&mut tx, &plan::finish_step(&workflow, step)?).await?;
    tx.commit().await.map_err(map_err)?;
    Ok(workflow)
}
