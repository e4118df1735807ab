//! Workflows on SQLite: create, read, list, transitions and metrics, each with its aggregate
//! update and audit row in the same transaction.

use quorum_domain::Workflow;
use quorum_store::*;
use rusqlite::types::Value as SqlValue;
use rusqlite::{Connection, params, params_from_iter};

use crate::Result;
use crate::rows::{self, WORKFLOW_COLUMNS};

const ADD_TO_TOTALS: &str = "INSERT INTO workflow_totals (council_id, agent_id, workflow_type_id, status, \
    workflows, weekly_cents, annual_cents, metric_count, duration_ms, success_ppm, error_count) \
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) \
    ON CONFLICT (council_id, agent_id, workflow_type_id, status) DO UPDATE SET \
    workflows = workflows + excluded.workflows, weekly_cents = weekly_cents + excluded.weekly_cents, \
    annual_cents = annual_cents + excluded.annual_cents, metric_count = metric_count + excluded.metric_count, \
    duration_ms = duration_ms + excluded.duration_ms, success_ppm = success_ppm + excluded.success_ppm, \
    error_count = error_count + excluded.error_count";

const AGGREGATE_COLUMNS: &str = "council_id, agent_id, workflow_type_id, status, workflows, weekly_cents, \
    annual_cents, metric_count, duration_ms, success_ppm, error_count";

const SCAN_COLUMNS: &str = "assigned_council_id, created_by_agent, workflow_type_id, status, COUNT(*), \
    SUM(weekly_cents), SUM(annual_cents), SUM(metric_count), SUM(duration_ms), SUM(success_ppm), SUM(error_count)";

pub(crate) fn add_to_totals(
    conn: &Connection,
    key: &AggregateKey,
    sign: i64,
    c: Counts,
) -> Result<()> {
    rows::run(
        conn,
        ADD_TO_TOTALS,
        params![
            key.council_id,
            key.agent_id,
            key.workflow_type_id,
            key.status.as_str(),
            sign * c.workflows,
            sign * c.weekly_cents,
            sign * c.annual_cents,
            sign * c.metric_count,
            sign * c.duration_ms,
            sign * c.success_ppm,
            sign * c.error_count,
        ],
    )?;
    Ok(())
}

/// Appends to the event log that `GET /api/events` streams, in the caller's transaction.
pub(crate) fn insert_event(
    conn: &Connection,
    w: &Workflow,
    kind: &str,
    data: serde_json::Value,
    at: chrono::DateTime<chrono::Utc>,
) -> Result<()> {
    rows::run(
        conn,
        "INSERT INTO workflow_events (workflow_id, council_id, agent_id, kind, data, at) VALUES (?, ?, ?, ?, ?, ?)",
        params![
            w.id,
            w.assigned_council_id,
            w.created_by_agent,
            kind,
            data.to_string(),
            at.timestamp_micros(),
        ],
    )?;
    Ok(())
}

pub(crate) fn insert_audit(conn: &Connection, a: &NewAudit) -> Result<()> {
    rows::run(
        conn,
        "INSERT INTO workflow_audit (workflow_id, event, actor, from_status, to_status, reason, at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        params![
            a.workflow_id,
            a.event,
            a.actor,
            a.from_status.map(|s| s.as_str()),
            a.to_status.map(|s| s.as_str()),
            a.reason,
            a.at.timestamp_micros(),
        ],
    )?;
    Ok(())
}

pub fn create(tx: &Connection, new: &NewWorkflow) -> Result<Workflow> {
    // A type that needs no vote is approved by policy and handed to execution at once.
    let queued = new.decision.as_deref() == Some("approved") && new.enqueue;
    let at = new.created_at.timestamp_micros();
    rows::run(
        tx,
        "INSERT INTO workflows (id, workflow_type_id, workflow_type_version, created_by_agent, assigned_council_id, \
         status, decision, inputs, outputs, calculated_savings, weekly_cents, annual_cents, created_at, \
         electorate, threshold, digest, voting_deadline, enqueue, queued_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, '{}', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        params![
            new.id,
            new.workflow_type_id,
            new.workflow_type_version,
            new.created_by_agent,
            new.assigned_council_id,
            new.status.as_str(),
            new.decision,
            new.inputs.to_string(),
            new.calculated_savings.to_string(),
            new.weekly_cents,
            new.annual_cents,
            at,
            serde_json::to_string(&new.electorate).unwrap_or_default(),
            serde_json::to_string(&new.threshold).unwrap_or_default(),
            new.digest,
            new.voting_deadline.map(|d| d.timestamp_micros()),
            new.enqueue,
            queued.then_some(at),
        ],
    )?;
    let key = AggregateKey {
        council_id: new.assigned_council_id.clone(),
        agent_id: new.created_by_agent.clone(),
        workflow_type_id: new.workflow_type_id.clone(),
        status: new.status,
    };
    let counts = Counts {
        workflows: 1,
        weekly_cents: new.weekly_cents,
        annual_cents: new.annual_cents,
        ..Counts::default()
    };
    add_to_totals(tx, &key, 1, counts)?;
    if queued {
        crate::jobs::insert_job(tx, &new.id, 0, new.created_at)?;
    }
    insert_audit(
        tx,
        &NewAudit {
            workflow_id: new.id.clone(),
            event: "created".into(),
            actor: new.actor.clone(),
            from_status: None,
            to_status: Some(new.status),
            reason: new.note.clone(),
            at: new.created_at,
        },
    )?;
    let workflow = fetch(tx, &new.id)?;
    insert_event(
        tx,
        &workflow,
        "created",
        serde_json::json!({"status": workflow.status}),
        new.created_at,
    )?;
    Ok(workflow)
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
    let mut sql = Sql::new(format!(
        "SELECT {WORKFLOW_COLUMNS} FROM workflows WHERE 1 = 1"
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
    let workflows = rows::all(
        conn,
        &sql.text,
        params_from_iter(&sql.values),
        rows::workflow,
    )?;
    let total = count(conn, filter)?;
    let next_cursor = (workflows.len() as i64 == page.limit())
        .then(|| workflows.last())
        .flatten()
        .map(|w| Cursor {
            created_at_micros: w.created_at.timestamp_micros(),
            id: w.id.clone(),
        });
    Ok(WorkflowPage {
        workflows,
        total,
        next_cursor,
    })
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

/// The aggregate key and counts a workflow row carries.
pub(crate) fn share_of(conn: &Connection, id: &str) -> Result<(AggregateKey, Counts)> {
    let row = rows::one(
        conn,
        "SELECT assigned_council_id, created_by_agent, workflow_type_id, status, 1, weekly_cents, annual_cents, \
         metric_count, duration_ms, success_ppm, error_count FROM workflows WHERE id = ?",
        [id],
        rows::aggregate,
    )?
    .ok_or_else(|| StoreError::NotFound(format!("workflow {id}")))?;
    Ok((row.key, row.counts))
}

pub fn transition(tx: &Connection, t: &Transition) -> Result<Workflow> {
    let (old_key, share) = share_of(tx, &t.workflow_id)?;
    if old_key.status != t.from {
        return Err(StoreError::Conflict(format!(
            "workflow {} is {}, not {}",
            t.workflow_id, old_key.status, t.from
        ))
        .into());
    }
    let at = t.at.timestamp_micros();
    let updated = rows::run(
        tx,
        "UPDATE workflows SET status = ?1, decision = COALESCE(?2, decision), outputs = COALESCE(?3, outputs), \
         error = COALESCE(?4, error), \
         started_at = CASE WHEN ?1 = 'IN_PROGRESS' THEN COALESCE(started_at, ?5) ELSE started_at END, \
         completed_at = CASE WHEN ?1 IN ('COMPLETED', 'FAILED', 'CANCELLED') THEN ?5 ELSE completed_at END \
         WHERE id = ?6 AND status = ?7 AND (?8 = 0 OR decision IS NULL)",
        params![
            t.to.as_str(),
            t.decision,
            t.outputs.as_ref().map(|o| o.to_string()),
            t.error,
            at,
            t.workflow_id,
            t.from.as_str(),
            t.require_undecided,
        ],
    )?;
    if updated != 1 {
        return Err(StoreError::Conflict(format!(
            "workflow {} changed concurrently",
            t.workflow_id
        ))
        .into());
    }
    add_to_totals(tx, &old_key, -1, share)?;
    let new_key = AggregateKey {
        status: t.to,
        ..old_key
    };
    add_to_totals(tx, &new_key, 1, share)?;
    if let Some(metric) = &t.metric {
        insert_metric(tx, &new_key, metric)?;
    }
    insert_audit(
        tx,
        &NewAudit {
            workflow_id: t.workflow_id.clone(),
            event: t.event.clone(),
            actor: t.actor.clone(),
            from_status: Some(t.from),
            to_status: Some(t.to),
            reason: t.reason.clone(),
            at: t.at,
        },
    )?;
    let workflow = fetch(tx, &t.workflow_id)?;
    let data = serde_json::json!({"from": t.from, "to": t.to, "decision": workflow.decision, "actor": t.actor, "reason": t.reason});
    insert_event(tx, &workflow, &t.event, data, t.at)?;
    Ok(workflow)
}

pub fn record_metric(tx: &Connection, m: &NewMetric) -> Result<()> {
    let (key, _) = share_of(tx, &m.workflow_id)?;
    insert_metric(tx, &key, m)
}

/// Adds an attempt's metric to its workflow and to the aggregate row `key` (the workflow's
/// status once the caller's transaction commits).
fn insert_metric(conn: &Connection, key: &AggregateKey, m: &NewMetric) -> Result<()> {
    rows::run(
        conn,
        "INSERT INTO workflow_metrics (id, workflow_id, attempt, duration_ms, weekly_cents, success_ppm, error_count, recorded_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        params![
            m.id,
            m.workflow_id,
            m.attempt,
            m.duration_ms,
            m.weekly_cents,
            m.success_ppm,
            m.error_count,
            m.recorded_at.timestamp_micros(),
        ],
    )?;
    rows::run(
        conn,
        "UPDATE workflows SET metric_count = metric_count + 1, duration_ms = duration_ms + ?, \
         success_ppm = success_ppm + ?, error_count = error_count + ? WHERE id = ?",
        params![m.duration_ms, m.success_ppm, m.error_count, m.workflow_id],
    )?;
    let counts = Counts {
        metric_count: 1,
        duration_ms: m.duration_ms,
        success_ppm: m.success_ppm,
        error_count: m.error_count,
        ..Counts::default()
    };
    add_to_totals(conn, key, 1, counts)
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
