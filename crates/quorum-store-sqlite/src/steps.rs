//! Step records on SQLite: what `steps[]` of a workflow's detail shows while it runs.

use chrono::{DateTime, Utc};
use quorum_domain::Workflow;
use quorum_store::StepOutcome;
use quorum_store::plan::{self, Write};
use rusqlite::Connection;

use crate::Result;
use crate::workflows::fetch;
use crate::writes::apply_all;

pub fn start(
    tx: &Connection,
    workflow_id: &str,
    position: i64,
    name: &str,
    at: DateTime<Utc>,
) -> Result<()> {
    let start = Write::StartStep {
        workflow_id,
        position,
        name,
        at,
    };
    apply_all(tx, &[start])
}

/// The step's end; the workflow is read first, as a cancel may have ended it meanwhile.
pub fn finish(tx: &Connection, step: &StepOutcome) -> Result<Workflow> {
    let workflow = fetch(tx, &step.workflow_id)?;
    apply_all(tx, &plan::finish_step(&workflow, step)?)?;
    Ok(workflow)
}
