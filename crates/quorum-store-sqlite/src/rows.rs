//! Decoding SQLite rows into domain records, and the small query helpers every module uses.

use quorum_domain::Workflow;
use quorum_domain::time::from_micros;
use quorum_store::stored::{TextColumns, decision, event_kind, json, json_text, status};
use quorum_store::{AggregateKey, AggregateRow, Counts, StoreResult};
use rusqlite::{Connection, Params, Row};

use crate::Result;

pub const WORKFLOW_COLUMNS: &str = "id, workflow_type_id, workflow_type_version, created_by_agent, \
    assigned_council_id, status, decision, inputs, outputs, calculated_savings, error, created_at, \
    started_at, completed_at, voting_deadline, queued_at";

/// The first row `sql` returns, decoded, or None.
pub fn one<T>(
    conn: &Connection,
    sql: &str,
    params: impl Params,
    decode: impl FnOnce(&Row) -> Result<T>,
) -> Result<Option<T>> {
    let mut statement = conn.prepare_cached(sql)?;
    let mut rows = statement.query(params)?;
    rows.next()?.map(decode).transpose()
}

/// Every row `sql` returns, decoded.
pub fn all<T>(
    conn: &Connection,
    sql: &str,
    params: impl Params,
    mut decode: impl FnMut(&Row) -> Result<T>,
) -> Result<Vec<T>> {
    let mut statement = conn.prepare_cached(sql)?;
    let mut rows = statement.query(params)?;
    let mut found = Vec::new();
    while let Some(row) = rows.next()? {
        found.push(decode(row)?);
    }
    Ok(found)
}

/// Runs one statement; returns how many rows it changed.
pub fn run(conn: &Connection, sql: &str, params: impl Params) -> Result<usize> {
    Ok(conn.prepare_cached(sql)?.execute(params)?)
}

/// A row's text columns, for the decoders the backends share.
pub struct Text<'a, 'r>(pub &'a Row<'r>);

impl TextColumns for Text<'_, '_> {
    fn text(&self, column: &str) -> StoreResult<String> {
        self.0.get(column).map_err(|e| crate::Error::from(e).0)
    }
}

/// Reads the `WORKFLOW_COLUMNS` of a row.
pub fn workflow(row: &Row) -> Result<Workflow> {
    let at = |column: &str| -> Result<Option<chrono::DateTime<chrono::Utc>>> {
        Ok(row.get::<_, Option<i64>>(column)?.map(from_micros))
    };
    Ok(Workflow {
        id: row.get("id")?,
        workflow_type_id: row.get("workflow_type_id")?,
        workflow_type_version: row.get("workflow_type_version")?,
        created_by_agent: row.get("created_by_agent")?,
        assigned_council_id: row.get("assigned_council_id")?,
        status: status(&row.get::<_, String>("status")?)?,
        decision: decision(row.get("decision")?)?,
        inputs: json_text(row.get("inputs")?)?,
        outputs: json_text(row.get("outputs")?)?,
        calculated_savings: json_text(row.get("calculated_savings")?)?,
        error: row.get("error")?,
        created_at: from_micros(row.get("created_at")?),
        started_at: at("started_at")?,
        completed_at: at("completed_at")?,
        voting_deadline: at("voting_deadline")?,
        queued_at: at("queued_at")?,
    })
}

/// Reads the columns `council_id, agent_id, workflow_type_id, status, workflows, weekly_cents,
/// annual_cents, metric_count, duration_ms, success_ppm, error_count`.
pub fn aggregate(row: &Row) -> Result<AggregateRow> {
    Ok(AggregateRow {
        key: AggregateKey {
            council_id: row.get(0)?,
            agent_id: row.get(1)?,
            workflow_type_id: row.get(2)?,
            status: status(&row.get::<_, String>(3)?)?,
        },
        counts: Counts {
            workflows: amount(row, 4)?,
            weekly_cents: amount(row, 5)?,
            annual_cents: amount(row, 6)?,
            metric_count: amount(row, 7)?,
            duration_ms: amount(row, 8)?,
            success_ppm: amount(row, 9)?,
            error_count: amount(row, 10)?,
        },
    })
}

/// An integer column that SQLite may have turned into a float: an addition that overflows
/// gives a REAL. Bounded savings keep that from happening; should it ever, the read
/// saturates instead of failing every analytics page.
fn amount(row: &Row, index: usize) -> rusqlite::Result<i64> {
    match row.get_ref(index)? {
        rusqlite::types::ValueRef::Real(value) => Ok(value as i64),
        _ => row.get(index),
    }
}

pub fn event(row: &Row) -> Result<quorum_store::EventRecord> {
    Ok(quorum_store::EventRecord {
        id: row.get("id")?,
        workflow_id: row.get("workflow_id")?,
        council_id: row.get("council_id")?,
        agent_id: row.get("agent_id")?,
        kind: event_kind(&row.get::<_, String>("kind")?)?,
        data: json(&row.get::<_, String>("data")?)?,
        at: from_micros(row.get("at")?),
    })
}
