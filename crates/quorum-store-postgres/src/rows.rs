//! Decoding PostgreSQL rows into domain records.

use quorum_domain::Workflow;
use quorum_store::stored::{TextColumns, decision, event_kind, json_text, status};
use quorum_store::{AggregateKey, AggregateRow, Counts, StoreResult};
use sqlx::Row;
use sqlx::postgres::PgRow;

use crate::map_err;

/// JSON columns come back as text, passed through to responses without being parsed into a tree.
pub const WORKFLOW_COLUMNS: &str = "id, workflow_type_id, workflow_type_version, created_by_agent, \
    assigned_council_id, status, decision, inputs::text AS inputs, outputs::text AS outputs, \
    calculated_savings::text AS calculated_savings, error, created_at, started_at, completed_at, \
    voting_deadline, queued_at";

/// A row's text columns, for the decoders the backends share.
pub struct Text<'a>(pub &'a PgRow);

impl TextColumns for Text<'_> {
    fn text(&self, column: &str) -> StoreResult<String> {
        self.0.try_get(column).map_err(map_err)
    }
}

pub fn workflow(row: &PgRow) -> StoreResult<Workflow> {
    let get = |e| map_err(e);
    Ok(Workflow {
        id: row.try_get("id").map_err(get)?,
        workflow_type_id: row.try_get("workflow_type_id").map_err(get)?,
        workflow_type_version: row.try_get("workflow_type_version").map_err(get)?,
        created_by_agent: row.try_get("created_by_agent").map_err(get)?,
        assigned_council_id: row.try_get("assigned_council_id").map_err(get)?,
        status: status(row.try_get("status").map_err(get)?)?,
        decision: decision(row.try_get("decision").map_err(get)?)?,
        inputs: json_text(row.try_get("inputs").map_err(get)?)?,
        outputs: json_text(row.try_get("outputs").map_err(get)?)?,
        calculated_savings: json_text(row.try_get("calculated_savings").map_err(get)?)?,
        error: row.try_get("error").map_err(get)?,
        created_at: row.try_get("created_at").map_err(get)?,
        started_at: row.try_get("started_at").map_err(get)?,
        completed_at: row.try_get("completed_at").map_err(get)?,
        voting_deadline: row.try_get("voting_deadline").map_err(get)?,
        queued_at: row.try_get("queued_at").map_err(get)?,
    })
}

pub fn event(row: &PgRow) -> StoreResult<quorum_store::EventRecord> {
    Ok(quorum_store::EventRecord {
        id: row.try_get("id").map_err(map_err)?,
        workflow_id: row.try_get("workflow_id").map_err(map_err)?,
        council_id: row.try_get("council_id").map_err(map_err)?,
        agent_id: row.try_get("agent_id").map_err(map_err)?,
        kind: event_kind(&row.try_get::<String, _>("kind").map_err(map_err)?)?,
        data: row.try_get("data").map_err(map_err)?,
        at: row.try_get("at").map_err(map_err)?,
    })
}

/// Reads the columns `council_id, agent_id, workflow_type_id, status, workflows, weekly_cents,
/// annual_cents, metric_count, duration_ms, success_ppm, error_count`.
pub fn aggregate(row: &PgRow) -> StoreResult<AggregateRow> {
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
