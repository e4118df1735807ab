//! Workflows on SQLite: create, read, list, transitions and metrics (each planned by
//! `quorum_store::plan`, applied in one transaction), and the aggregate reads.

use quorum_domain::Workflow;
use quorum_store::*;
use rusqlite::types::Value as SqlValue;
use rusqlite::{Connection, params_from_iter};

use crate::Result;
use crate::rows::{self, WORKFLOW_COLUMNS};
use crate::writes::{apply_all, held};

const AGGREGATE_COLUMNS: &str = "council_id, agent_id, workflow_type_id, status, workflows, weekly_cents, \
    annual_cents, metric_count, duration_ms, success_ppm, error_count";

const SCAN_COLUMNS: &str = "assigned_council_id, created_by_agent, workflow_type_id, status, COUNT(*), \
    SUM(weekly_cents), SUM(annual_cents), SUM(metric_count), SUM(duration_ms), SUM(success_ppm), SUM(error_count)";

/// A new workflow with its count, audit row, event and (approved by policy) job.
pub fn create(tx: &Connection, new: &NewWorkflow) -> Result<Workflow> {
    apply_all(tx, &plan::create(new))?;
    fetch(tx, &new.id)
}

pub(crate) fn fetch(conn: &Connection, id: &str) -> Result<Workflow> {
    let sql = format!("SELECT {WORKFLOW_COLUMNS} FROM workflows WHERE id = ?");
    rows::one(conn, &sql, [id], rows::workflow)?
        .ok_or_else(|| StoreError::NotFound(format!("workflow {id}")).into())
}

/// A statement's text and the values its `?`s take, built up filter by filter.
struct Sql {
    text: String,
    values: Vec<SqlValue>,
}

impl Sql {
    fn new(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            values: Vec::new(),
        }
    }

    /// Appends `text`, whose one `?` takes `value`.
    fn bind(&mut self, text: &str, value: impl Into<SqlValue>) -> &mut Self {
        self.text.push_str(text);
        self.values.push(value.into());
        self
    }

    fn push(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }
}

/// Appends ` AND …` for each filter; `totals` names the aggregate table's columns instead.
fn push_filter(sql: &mut Sql, f: &WorkflowFilter, totals: bool) {
    let (council, agent) = if totals {
        ("council_id", "agent_id")
    } else {
        ("assigned_council_id", "created_by_agent")
    };
    if let Some(status) = f.status {
        sql.bind(" AND status = ?", status.as_str().to_owned());
    }
    if let Some(council_id) = &f.council_id {
        sql.bind(&format!(" AND {council} = ?"), council_id.clone());
    }
    if let Some(agent_id) = &f.agent_id {
        sql.bind(&format!(" AND {agent} = ?"), agent_id.clone());
    }
    if let Some(type_id) = &f.workflow_type_id {
        sql.bind(" AND workflow_type_id = ?", type_id.clone());
    }
    if !totals {
        if let Some(after) = f.created_after {
            sql.bind(" AND created_at >= ?", after.timestamp_micros());
        }
        if let Some(before) = f.created_before {
            sql.bind(" AND created_at < ?", before.timestamp_micros());
        }
    }
}

pub fn list(
    conn: &Connection,
    filter: &WorkflowFilter,
    page: &PageRequest,
) -> Result<WorkflowPage> {
    // A deferred join: the page's ids are found in the ordering index alone, and only those
    // rows are read whole, however deep the offset.
    let mut sql = Sql::new(format!(
        "SELECT {WORKFLOW_COLUMNS} FROM workflows WHERE id IN (SELECT id FROM workflows WHERE 1 = 1"
    ));
    push_filter(&mut sql, filter, false);
    if let PageRequest::After { cursor, .. } = page {
        sql.bind(" AND (created_at, id) < (?", cursor.created_at_micros)
            .bind(", ?)", cursor.id.clone());
    }
    sql.bind(" ORDER BY created_at DESC, id DESC LIMIT ?", page.limit());
    if let PageRequest::Offset { offset, .. } = page {
        sql.bind(" OFFSET ?", *offset);
    }
    sql.text.push_str(") ORDER BY created_at DESC, id DESC");
    let workflows = rows::all(
        conn,
        &sql.text,
        params_from_iter(&sql.values),
        rows::workflow,
    )?;
    let total = count(conn, filter)?;
    Ok(WorkflowPage::new(workflows, total, page))
}

/// From the aggregate rows; only a time range needs the workflows themselves (its index).
fn count(conn: &Connection, filter: &WorkflowFilter) -> Result<i64> {
    let mut sql = if filter.has_time_range() {
        Sql::new("SELECT COUNT(*) FROM workflows WHERE 1 = 1")
    } else {
        Sql::new("SELECT COALESCE(SUM(workflows), 0) FROM workflow_totals WHERE 1 = 1")
    };
    push_filter(&mut sql, filter, !filter.has_time_range());
    Ok(conn
        .prepare_cached(&sql.text)?
        .query_row(params_from_iter(&sql.values), |row| row.get(0))?)
}

pub fn transition(tx: &Connection, t: &Transition) -> Result<Workflow> {
    let held = held(tx, &t.workflow_id)?;
    apply_all(tx, &plan::transition(&held, t)?)?;
    fetch(tx, &t.workflow_id)
}

pub fn record_metric(tx: &Connection, m: &NewMetric) -> Result<()> {
    let held = held(tx, &m.workflow_id)?;
    apply_all(tx, &plan::record_metric(&held, m))
}

pub fn aggregates(conn: &Connection, filter: &WorkflowFilter) -> Result<Vec<AggregateRow>> {
    let mut sql = if filter.has_time_range() {
        Sql::new(format!("SELECT {SCAN_COLUMNS} FROM workflows WHERE 1 = 1"))
    } else {
        Sql::new(format!(
            "SELECT {AGGREGATE_COLUMNS} FROM workflow_totals WHERE 1 = 1"
        ))
    };
    push_filter(&mut sql, filter, !filter.has_time_range());
    if filter.has_time_range() {
        sql.push(" GROUP BY 1, 2, 3, 4");
    }
    rows::all(
        conn,
        &sql.text,
        params_from_iter(&sql.values),
        rows::aggregate,
    )
}

pub fn scan_aggregates(conn: &Connection) -> Result<Vec<AggregateRow>> {
    let sql = format!("SELECT {SCAN_COLUMNS} FROM workflows GROUP BY 1, 2, 3, 4");
    rows::all(conn, &sql, [], rows::aggregate)
}

pub fn stored_aggregates(conn: &Connection) -> Result<Vec<AggregateRow>> {
    aggregates(conn, &WorkflowFilter::default())
}
