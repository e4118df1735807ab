//! Bulk history on SQLite: multi-row inserts in one transaction, aggregates added once per
//! batch rather than once per row.

use quorum_store::*;
use rusqlite::types::Value;
use rusqlite::{Connection, params_from_iter};

use crate::Result;
use crate::writes::add_to_totals;

/// SQLite allows 32,766 bound values per statement; stay well under it.
const ROWS_PER_STATEMENT: usize = 1_000;

/// Inserts `rows` into `table (columns)` with one multi-row statement per chunk; `values`
/// gives a row's values in the columns' order.
fn insert_rows<T>(
    tx: &Connection,
    table_and_columns: &str,
    rows: &[T],
    values: impl Fn(&T) -> Vec<Value>,
) -> Result<()> {
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        let mut bound = Vec::new();
        let mut tuples = Vec::with_capacity(chunk.len());
        for row in chunk {
            let row = values(row);
            tuples.push(format!("({})", vec!["?"; row.len()].join(", ")));
            bound.extend(row);
        }
        let sql = format!(
            "INSERT INTO {table_and_columns} VALUES {}",
            tuples.join(", ")
        );
        tx.prepare(&sql)?.execute(params_from_iter(bound))?;
    }
    Ok(())
}

fn text(s: &str) -> Value {
    Value::Text(s.to_owned())
}

fn optional<T: Into<Value>>(value: Option<T>) -> Value {
    value.map_or(Value::Null, Into::into)
}

pub fn insert(tx: &Connection, batch: &BulkBatch) -> Result<()> {
    let shares = metric_shares(batch);
    // History is older than the rows it lands among.
    crate::marks::note_late(tx)?;
    insert_rows(
        tx,
        "workflows (id, workflow_type_id, workflow_type_version, created_by_agent, assigned_council_id, \
         status, decision, inputs, outputs, calculated_savings, weekly_cents, annual_cents, metric_count, \
         duration_ms, success_ppm, error_count, error, created_at, started_at, completed_at, \
         electorate, threshold, digest, voting_deadline, enqueue)",
        &batch.workflows,
        |bulk| {
            let w = &bulk.workflow;
            let share = shares.get(w.id.as_str()).copied().unwrap_or_default();
            vec![
                text(&w.id),
                text(&w.workflow_type_id),
                w.workflow_type_version.into(),
                text(&w.created_by_agent),
                text(&w.assigned_council_id),
                text(w.status.as_str()),
                optional(w.decision.map(|d| d.as_str().to_owned())),
                w.inputs.to_string().into(),
                bulk.outputs.to_string().into(),
                w.calculated_savings.to_string().into(),
                w.weekly_cents.into(),
                w.annual_cents.into(),
                share.metric_count.into(),
                share.duration_ms.into(),
                share.success_ppm.into(),
                share.error_count.into(),
                optional(bulk.error.clone()),
                w.created_at.timestamp_micros().into(),
                optional(bulk.started_at.map(|t| t.timestamp_micros())),
                optional(bulk.completed_at.map(|t| t.timestamp_micros())),
                serde_json::to_string(&w.electorate)
                    .unwrap_or_default()
                    .into(),
                serde_json::to_string(&w.rule).unwrap_or_default().into(),
                text(&w.digest),
                optional(w.voting_deadline.map(|t| t.timestamp_micros())),
                w.enqueue.into(),
            ]
        },
    )?;
    insert_rows(
        tx,
        "workflow_metrics (id, workflow_id, attempt, duration_ms, weekly_cents, success_ppm, error_count, recorded_at)",
        &batch.metrics,
        |m| {
            vec![
                text(&m.id),
                text(&m.workflow_id),
                m.attempt.into(),
                m.duration_ms.into(),
                m.weekly_cents.into(),
                m.success_ppm.into(),
                m.error_count.into(),
                m.recorded_at.timestamp_micros().into(),
            ]
        },
    )?;
    insert_rows(
        tx,
        "workflow_votes (id, workflow_id, user_id, vote, reason, voted_at)",
        &batch.votes,
        |v| {
            vec![
                text(&v.id),
                text(&v.workflow_id),
                text(&v.user_id),
                text(&v.vote),
                text(&v.reason),
                v.voted_at.timestamp_micros().into(),
            ]
        },
    )?;
    insert_rows(
        tx,
        "workflow_audit (workflow_id, event, actor, from_status, to_status, reason, at)",
        &batch.audit,
        |a| {
            vec![
                text(&a.workflow_id),
                text(a.event.as_str()),
                text(&a.actor),
                optional(a.from_status.map(|s| s.as_str().to_owned())),
                optional(a.to_status.map(|s| s.as_str().to_owned())),
                optional(a.reason.clone()),
                a.at.timestamp_micros().into(),
            ]
        },
    )?;
    for row in bulk_deltas(batch) {
        add_to_totals(tx, &row)?;
    }
    Ok(())
}
