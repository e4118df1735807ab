//! Workflows on PostgreSQL: create, read, list, transitions and metrics (each planned by
//! `quorum_store::plan` from the workflow's locked row, applied in one transaction), and the
//! aggregate reads.

use quorum_domain::Workflow;
use quorum_store::*;
use sqlx::postgres::{PgPool, Postgres};
use sqlx::{PgConnection, QueryBuilder};

use crate::map_err;
use crate::rows::{self, WORKFLOW_COLUMNS};
use crate::writes::{apply_all, held};

/// Each aggregate row is kept in stripes (migration 0021), summed here.
const AGGREGATE_COLUMNS: &str = "council_id, agent_id, workflow_type_id, status, SUM(workflows)::BIGINT, \
    SUM(weekly_cents)::BIGINT, SUM(annual_cents)::BIGINT, SUM(metric_count)::BIGINT, SUM(duration_ms)::BIGINT, \
    SUM(success_ppm)::BIGINT, SUM(error_count)::BIGINT";

const SCAN_COLUMNS: &str = "assigned_council_id, created_by_agent, workflow_type_id, status, COUNT(*), \
    SUM(weekly_cents)::BIGINT, SUM(annual_cents)::BIGINT, SUM(metric_count)::BIGINT, SUM(duration_ms)::BIGINT, \
    SUM(success_ppm)::BIGINT, SUM(error_count)::BIGINT";

/// A new workflow with its count, audit row, event and (approved by policy) job.
pub async fn create(pool: &PgPool, new: &NewWorkflow) -> StoreResult<Workflow> {
    let mut tx = pool.begin().await.map_err(map_err)?;
    apply_all(&mut tx, &plan::create(new)).await?;
    let workflow = fetch(&mut tx, &new.id).await?;
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
    // A deferred join: the page's ids are found by walking the ordering index alone (an
    // index-only scan, however deep the offset), and only those rows are read whole. Reading
    // every row skipped to reach offset 500,000 took seconds.
    let mut qb = QueryBuilder::<Postgres>::new(format!(
        "SELECT {WORKFLOW_COLUMNS} FROM workflows WHERE id IN (SELECT id FROM workflows WHERE 1 = 1"
    ));
    push_filter(&mut qb, filter, false);
    if let PageRequest::After { cursor, .. } = page {
        qb.push(" AND (created_at, id) < (")
            .push_bind(quorum_domain::time::from_micros(cursor.created_at_micros))
            .push(", ")
            .push_bind(cursor.id.clone())
            .push(")");
    }
    // The limit is written into the statement, not bound: PostgreSQL plans a prepared
    // statement once for any value after five runs, and without the limit it guesses a tenth
    // of the table, then joins the page's ids to the whole table read in full (measured: 15 s
    // a page at 1,000,000 workflows instead of 80 ms). A limit is 1 to 1,000 (the API's
    // bounds), so the statements cached stay few.
    qb.push(format_args!(
        " ORDER BY created_at DESC, id DESC LIMIT {}",
        page.limit()
    ));
    if let PageRequest::Offset { offset, .. } = page {
        qb.push(" OFFSET ").push_bind(*offset);
    }
    qb.push(") ORDER BY created_at DESC, id DESC");
    let found = qb.build().fetch_all(&mut *conn).await.map_err(map_err)?;
    let workflows: Vec<Workflow> = found
        .iter()
        .map(rows::workflow)
        .collect::<StoreResult<_>>()?;
    let total = count(&mut conn, filter).await?;
    Ok(WorkflowPage::new(workflows, total, page))
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

pub async fn transition(pool: &PgPool, t: &Transition) -> StoreResult<Workflow> {
    let mut tx = pool.begin().await.map_err(map_err)?;
    let held = held(&mut tx, &t.workflow_id).await?;
    apply_all(&mut tx, &plan::transition(&held, t)?).await?;
    let workflow = fetch(&mut tx, &t.workflow_id).await?;
    tx.commit().await.map_err(map_err)?;
    Ok(workflow)
}

pub async fn record_metric(pool: &PgPool, m: &NewMetric) -> StoreResult<()> {
    let mut tx = pool.begin().await.map_err(map_err)?;
    let held = held(&mut tx, &m.workflow_id).await?;
    apply_all(&mut tx, &plan::record_metric(&held, m)).await?;
    tx.commit().await.map_err(map_err)
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
    qb.push(" GROUP BY 1, 2, 3, 4");
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

pub async fn stored_aggregates(pool: &PgPool) -> StoreResult<Vec<AggregateRow>> {
    aggregates(pool, &WorkflowFilter::default()).await
}
