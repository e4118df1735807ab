//! Workflows on PostgreSQL: create, read, list, transitions and metrics, each with its aggregate
//! update and audit row in the same transaction. Rows a transaction will change are locked
//! first (`FOR UPDATE`), and aggregate rows are always touched in key order, so concurrent
//! writers queue rather than deadlock.

use quorum_domain::Workflow;
use quorum_store::*;
use sqlx::postgres::{PgPool, Postgres};
use sqlx::{PgConnection, QueryBuilder};

use crate::map_err;
use crate::rows::{self, WORKFLOW_COLUMNS};

const ADD_TO_TOTALS: &str = "INSERT INTO workflow_totals AS t (council_id, agent_id, workflow_type_id, status, \
    workflows, weekly_cents, annual_cents, metric_count, duration_ms, success_ppm, error_count) \
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
    ON CONFLICT (council_id, agent_id, workflow_type_id, status) DO UPDATE SET \
    workflows = t.workflows + excluded.workflows, weekly_cents = t.weekly_cents + excluded.weekly_cents, \
    annual_cents = t.annual_cents + excluded.annual_cents, metric_count = t.metric_count + excluded.metric_count, \
    duration_ms = t.duration_ms + excluded.duration_ms, success_ppm = t.success_ppm + excluded.success_ppm, \
    error_count = t.error_count + excluded.error_count";

const AGGREGATE_COLUMNS: &str = "council_id, agent_id, workflow_type_id, status, workflows, weekly_cents, \
    annual_cents, metric_count, duration_ms, success_ppm, error_count";

const SCAN_COLUMNS: &str = "assigned_council_id, created_by_agent, workflow_type_id, status, COUNT(*), \
    SUM(weekly_cents)::BIGINT, SUM(annual_cents)::BIGINT, SUM(metric_count)::BIGINT, SUM(duration_ms)::BIGINT, \
    SUM(success_ppm)::BIGINT, SUM(error_count)::BIGINT";

pub(crate) async fn add_to_totals(
    conn: &mut PgConnection,
    key: &AggregateKey,
    sign: i64,
    c: Counts,
) -> StoreResult<()> {
    sqlx::query(ADD_TO_TOTALS)
        .bind(&key.council_id)
        .bind(&key.agent_id)
        .bind(&key.workflow_type_id)
        .bind(key.status.as_str())
        .bind(sign * c.workflows)
        .bind(sign * c.weekly_cents)
        .bind(sign * c.annual_cents)
        .bind(sign * c.metric_count)
        .bind(sign * c.duration_ms)
        .bind(sign * c.success_ppm)
        .bind(sign * c.error_count)
        .execute(conn)
        .await
        .map_err(map_err)?;
    Ok(())
}

/// Appends to the event log that `GET /api/events` streams, in the caller's transaction, and
/// wakes listeners in every process once it commits.
pub(crate) async fn insert_event(
    conn: &mut PgConnection,
    w: &Workflow,
    kind: &str,
    data: serde_json::Value,
    at: chrono::DateTime<chrono::Utc>,
) -> StoreResult<()> {
    sqlx::query("INSERT INTO workflow_events (workflow_id, council_id, agent_id, kind, data, at) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(&w.id)
        .bind(&w.assigned_council_id)
        .bind(&w.created_by_agent)
        .bind(kind)
        .bind(data)
        .bind(at)
        .execute(&mut *conn)
        .await
        .map_err(map_err)?;
    sqlx::query("SELECT pg_notify('quorum_events', '')")
        .execute(conn)
        .await
        .map_err(map_err)?;
    Ok(())
}

pub(crate) async fn insert_audit(conn: &mut PgConnection, a: &NewAudit) -> StoreResult<()> {
    sqlx::query("INSERT INTO workflow_audit (workflow_id, event, actor, from_status, to_status, reason, at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
        .bind(&a.workflow_id)
        .bind(&a.event)
        .bind(&a.actor)
        .bind(a.from_status.map(|s| s.as_str()))
        .bind(a.to_status.map(|s| s.as_str()))
        .bind(&a.reason)
        .bind(a.at)
        .execute(conn)
        .await
        .map_err(map_err)?;
    Ok(())
}

pub async fn create(pool: &PgPool, new: &NewWorkflow) -> StoreResult<Workflow> {
    // A type that needs no vote is approved by policy and handed to execution at once.
    let queued = new.decision.as_deref() == Some("approved") && new.enqueue;
    let mut tx = pool.begin().await.map_err(map_err)?;
    let at = new.created_at;
    sqlx::query(
        "INSERT INTO workflows (id, workflow_type_id, workflow_type_version, created_by_agent, assigned_council_id, \
         status, decision, inputs, outputs, calculated_savings, weekly_cents, annual_cents, created_at, \
         electorate, threshold, digest, voting_deadline, enqueue, queued_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, '{}', $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)",
    )
    .bind(&new.id)
    .bind(&new.workflow_type_id)
    .bind(new.workflow_type_version)
    .bind(&new.created_by_agent)
    .bind(&new.assigned_council_id)
    .bind(new.status.as_str())
    .bind(&new.decision)
    .bind(&new.inputs)
    .bind(&new.calculated_savings)
    .bind(new.weekly_cents)
    .bind(new.annual_cents)
    .bind(at)
    .bind(serde_json::json!(new.electorate))
    .bind(serde_json::json!(new.threshold))
    .bind(&new.digest)
    .bind(new.voting_deadline)
    .bind(new.enqueue)
    .bind(queued.then_some(new.created_at))
    .execute(&mut *tx)
    .await
    .map_err(map_err)?;
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
    add_to_totals(&mut tx, &key, 1, counts).await?;
    if queued {
        crate::jobs::insert_job(&mut tx, &new.id, 0, new.created_at).await?;
    }
    insert_audit(
        &mut tx,
        &NewAudit {
            workflow_id: new.id.clone(),
            event: "created".into(),
            actor: new.actor.clone(),
            from_status: None,
            to_status: Some(new.status),
            reason: new.note.clone(),
            at: new.created_at,
        },
    )
    .await?;
    let workflow = fetch(&mut tx, &new.id).await?;
    insert_event(
        &mut tx,
        &workflow,
        "created",
        serde_json::json!({"status": workflow.status}),
        new.created_at,
    )
    .await?;
    tx.commit().await.map_err(map_err)?;
    Ok(workflow)
}

pub(crate) async fn fetch(conn: &mut PgConnection, id: &str) -> StoreResult<Workflow> {
    let sql = format!("SELECT {WORKFLOW_COLUMNS} FROM workflows WHERE id = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(conn)
        .await
        .map_err(map_err)?
        .ok_or_else(|| StoreError::NotFound(format!("workflow {id}")))?;
    rows::workflow(&row)
}

/// Appends ` AND …` for each filter; `totals` names the aggregate table's columns instead.
fn push_filter(qb: &mut QueryBuilder<Postgres>, f: &WorkflowFilter, totals: bool) {
    let (council, agent) = if totals {
        ("council_id", "agent_id")
    } else {
        ("assigned_council_id", "created_by_agent")
    };
    if let Some(status) = f.status {
        qb.push(" AND status = ").push_bind(status.as_str());
    }
    if let Some(council_id) = &f.council_id {
        qb.push(format_args!(" AND {council} = "))
            .push_bind(council_id.clone());
    }
    if let Some(agent_id) = &f.agent_id {
        qb.push(format_args!(" AND {agent} = "))
            .push_bind(agent_id.clone());
    }
    if let Some(type_id) = &f.workflow_type_id {
        qb.push(" AND workflow_type_id = ")
            .push_bind(type_id.clone());
    }
    if !totals {
        if let Some(after) = f.created_after {
            qb.push(" AND created_at >= ").push_bind(after);
        }
        if let Some(before) = f.created_before {
            qb.push(" AND created_at < ").push_bind(before);
        }
    }
}

pub async fn list(
    pool: &PgPool,
    filter: &WorkflowFilter,
    page: &PageRequest,
) -> StoreResult<WorkflowPage> {
    let mut conn = pool.acquire().await.map_err(map_err)?;
    let mut qb = QueryBuilder::<Postgres>::new(format!(
        "SELECT {WORKFLOW_COLUMNS} FROM workflows WHERE 1 = 1"
    ));
    push_filter(&mut qb, filter, false);
    if let PageRequest::After { cursor, .. } = page {
        qb.push(" AND (created_at, id) < (")
            .push_bind(quorum_domain::time::from_micros(cursor.created_at_micros))
            .push(", ")
            .push_bind(cursor.id.clone())
            .push(")");
    }
    qb.push(" ORDER BY created_at DESC, id DESC LIMIT ")
        .push_bind(page.limit());
    if let PageRequest::Offset { offset, .. } = page {
        qb.push(" OFFSET ").push_bind(*offset);
    }
    let found = qb.build().fetch_all(&mut *conn).await.map_err(map_err)?;
    let workflows: Vec<Workflow> = found
        .iter()
        .map(rows::workflow)
        .collect::<StoreResult<_>>()?;
    let total = count(&mut conn, filter).await?;
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
async fn count(conn: &mut PgConnection, filter: &WorkflowFilter) -> StoreResult<i64> {
    let mut qb = if filter.has_time_range() {
        QueryBuilder::<Postgres>::new("SELECT COUNT(*) FROM workflows WHERE 1 = 1")
    } else {
        QueryBuilder::<Postgres>::new(
            "SELECT COALESCE(SUM(workflows), 0)::BIGINT FROM workflow_totals WHERE 1 = 1",
        )
    };
    push_filter(&mut qb, filter, !filter.has_time_range());
    qb.build_query_scalar::<i64>()
        .fetch_one(conn)
        .await
        .map_err(map_err)
}

/// The aggregate key and counts a workflow row carries.
pub(crate) async fn share_of(
    conn: &mut PgConnection,
    id: &str,
) -> StoreResult<(AggregateKey, Counts)> {
    let row = sqlx::query(
        "SELECT assigned_council_id, created_by_agent, workflow_type_id, status, 1::BIGINT, weekly_cents, annual_cents, \
         metric_count, duration_ms, success_ppm, error_count FROM workflows WHERE id = $1 FOR UPDATE",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await
    .map_err(map_err)?
    .ok_or_else(|| StoreError::NotFound(format!("workflow {id}")))?;
    let row = rows::aggregate(&row)?;
    Ok((row.key, row.counts))
}

pub async fn transition(pool: &PgPool, t: &Transition) -> StoreResult<Workflow> {
    let mut tx = pool.begin().await.map_err(map_err)?;
    let (old_key, share) = share_of(&mut tx, &t.workflow_id).await?;
    if old_key.status != t.from {
        return Err(StoreError::Conflict(format!(
            "workflow {} is {}, not {}",
            t.workflow_id, old_key.status, t.from
        )));
    }
    let at = t.at;
    let updated = sqlx::query(
        "UPDATE workflows SET status = $1, decision = COALESCE($2::text, decision), outputs = COALESCE($3::jsonb, outputs), \
         error = COALESCE($4::text, error), \
         started_at = CASE WHEN $5::text = 'IN_PROGRESS' THEN COALESCE(started_at, $6::timestamptz) ELSE started_at END, \
         completed_at = CASE WHEN $7::text IN ('COMPLETED', 'FAILED', 'CANCELLED') THEN $8::timestamptz ELSE completed_at END \
         WHERE id = $9 AND status = $10 AND (NOT $11 OR decision IS NULL)",
    )
    .bind(t.to.as_str())
    .bind(&t.decision)
    .bind(&t.outputs)
    .bind(&t.error)
    .bind(t.to.as_str())
    .bind(at)
    .bind(t.to.as_str())
    .bind(at)
    .bind(&t.workflow_id)
    .bind(t.from.as_str())
    .bind(t.require_undecided)
    .execute(&mut *tx)
    .await
    .map_err(map_err)?;
    if updated.rows_affected() != 1 {
        return Err(StoreError::Conflict(format!(
            "workflow {} changed concurrently",
            t.workflow_id
        )));
    }
    let new_key = AggregateKey {
        status: t.to,
        ..old_key.clone()
    };
    let mut moves = [(&old_key, -1), (&new_key, 1)];
    moves.sort_by(|a, b| a.0.cmp(b.0));
    for (key, sign) in moves {
        add_to_totals(&mut tx, key, sign, share).await?;
    }
    if let Some(metric) = &t.metric {
        insert_metric(&mut tx, &new_key, metric).await?;
    }
    insert_audit(
        &mut tx,
        &NewAudit {
            workflow_id: t.workflow_id.clone(),
            event: t.event.clone(),
            actor: t.actor.clone(),
            from_status: Some(t.from),
            to_status: Some(t.to),
            reason: t.reason.clone(),
            at: t.at,
        },
    )
    .await?;
    let workflow = fetch(&mut tx, &t.workflow_id).await?;
    let data = serde_json::json!({"from": t.from, "to": t.to, "decision": workflow.decision, "actor": t.actor, "reason": t.reason});
    insert_event(&mut tx, &workflow, &t.event, data, t.at).await?;
    tx.commit().await.map_err(map_err)?;
    Ok(workflow)
}

pub async fn record_metric(pool: &PgPool, m: &NewMetric) -> StoreResult<()> {
    let mut tx = pool.begin().await.map_err(map_err)?;
    let (key, _) = share_of(&mut tx, &m.workflow_id).await?;
    insert_metric(&mut tx, &key, m).await?;
    tx.commit().await.map_err(map_err)
}

/// Adds an attempt's metric to its workflow and to the aggregate row `key` (the workflow's
/// status once the caller's transaction commits).
async fn insert_metric(
    conn: &mut PgConnection,
    key: &AggregateKey,
    m: &NewMetric,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO workflow_metrics (id, workflow_id, attempt, duration_ms, weekly_cents, success_ppm, error_count, recorded_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&m.id)
    .bind(&m.workflow_id)
    .bind(m.attempt)
    .bind(m.duration_ms)
    .bind(m.weekly_cents)
    .bind(m.success_ppm)
    .bind(m.error_count)
    .bind(m.recorded_at)
    .execute(&mut *conn)
    .await
    .map_err(map_err)?;
    sqlx::query(
        "UPDATE workflows SET metric_count = metric_count + 1, duration_ms = duration_ms + $1, \
         success_ppm = success_ppm + $2, error_count = error_count + $3 WHERE id = $4",
    )
    .bind(m.duration_ms)
    .bind(m.success_ppm)
    .bind(m.error_count)
    .bind(&m.workflow_id)
    .execute(&mut *conn)
    .await
    .map_err(map_err)?;
    let counts = Counts {
        metric_count: 1,
        duration_ms: m.duration_ms,
        success_ppm: m.success_ppm,
        error_count: m.error_count,
        ..Counts::default()
    };
    add_to_totals(conn, key, 1, counts).await
}

pub async fn aggregates(pool: &PgPool, filter: &WorkflowFilter) -> StoreResult<Vec<AggregateRow>> {
    let mut qb = if filter.has_time_range() {
        QueryBuilder::<Postgres>::new(format!("SELECT {SCAN_COLUMNS} FROM workflows WHERE 1 = 1"))
    } else {
        QueryBuilder::<Postgres>::new(format!(
            "SELECT {AGGREGATE_COLUMNS} FROM workflow_totals WHERE 1 = 1"
        ))
    };
    push_filter(&mut qb, filter, !filter.has_time_range());
    if filter.has_time_range() {
        qb.push(" GROUP BY 1, 2, 3, 4");
    }
    let found = qb.build().fetch_all(pool).await.map_err(map_err)?;
    found.iter().map(rows::aggregate).collect()
}

pub async fn scan_aggregates(pool: &PgPool) -> StoreResult<Vec<AggregateRow>> {
    let sql = format!("SELECT {SCAN_COLUMNS} FROM workflows GROUP BY 1, 2, 3, 4");
    let found = sqlx::query(sqlx::AssertSqlSafe(sql))
        .fetch_all(pool)
        .await
        .map_err(map_err)?;
    found.iter().map(rows::aggregate).collect()
}
