//! Bulk history on PostgreSQL: one `INSERT … SELECT FROM UNNEST` per table and batch, so a
//! batch of thousands of rows costs a handful of round trips.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use quorum_store::*;
use serde_json::Value;
use sqlx::postgres::PgPool;

use crate::map_err;
use crate::writes::add_to_totals;

pub async fn insert(pool: &PgPool, batch: &BulkBatch) -> StoreResult<()> {
    let shares = metric_shares(batch);
    let mut tx = pool.begin().await.map_err(map_err)?;
    // A bulk load is re-run after a crash anyway; not waiting for each batch's WAL flush loses
    // at most the last batches on a power cut, never consistency.
    sqlx::query("SET LOCAL synchronous_commit = off")
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
    // History is older than the rows it lands among (`quorum_store::marks`).
    sqlx::query("INSERT INTO workflow_late_inserts (at) VALUES (clock_timestamp())")
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
    insert_workflows(&mut tx, batch, &shares).await?;
    let m = &batch.metrics;
    sqlx::query(
        "INSERT INTO workflow_metrics (id, workflow_id, attempt, duration_ms, weekly_cents, success_ppm, error_count, recorded_at) \
         SELECT * FROM UNNEST($1::text[], $2::text[], $3::bigint[], $4::bigint[], $5::bigint[], $6::bigint[], $7::bigint[], $8::timestamptz[])",
    )
    .bind(m.iter().map(|m| m.id.as_str()).collect::<Vec<_>>())
    .bind(m.iter().map(|m| m.workflow_id.as_str()).collect::<Vec<_>>())
    .bind(m.iter().map(|m| m.attempt).collect::<Vec<_>>())
    .bind(m.iter().map(|m| m.duration_ms).collect::<Vec<_>>())
    .bind(m.iter().map(|m| m.weekly_cents).collect::<Vec<_>>())
    .bind(m.iter().map(|m| m.success_ppm).collect::<Vec<_>>())
    .bind(m.iter().map(|m| m.error_count).collect::<Vec<_>>())
    .bind(m.iter().map(|m| m.recorded_at).collect::<Vec<_>>())
    .execute(&mut *tx)
    .await
    .map_err(map_err)?;
    let v = &batch.votes;
    sqlx::query(
        "INSERT INTO workflow_votes (id, workflow_id, user_id, vote, reason, voted_at) \
         SELECT * FROM UNNEST($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[])",
    )
    .bind(v.iter().map(|v| v.id.as_str()).collect::<Vec<_>>())
    .bind(v.iter().map(|v| v.workflow_id.as_str()).collect::<Vec<_>>())
    .bind(v.iter().map(|v| v.user_id.as_str()).collect::<Vec<_>>())
    .bind(v.iter().map(|v| v.vote.as_str()).collect::<Vec<_>>())
    .bind(v.iter().map(|v| v.reason.as_str()).collect::<Vec<_>>())
    .bind(v.iter().map(|v| v.voted_at).collect::<Vec<_>>())
    .execute(&mut *tx)
    .await
    .map_err(map_err)?;
    let a = &batch.audit;
    sqlx::query(
        "INSERT INTO workflow_audit (workflow_id, event, actor, from_status, to_status, reason, at) \
         SELECT * FROM UNNEST($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::timestamptz[])",
    )
    .bind(a.iter().map(|a| a.workflow_id.as_str()).collect::<Vec<_>>())
    .bind(a.iter().map(|a| a.event.as_str()).collect::<Vec<_>>())
    .bind(a.iter().map(|a| a.actor.as_str()).collect::<Vec<_>>())
    .bind(a.iter().map(|a| a.from_status.map(|s| s.as_str())).collect::<Vec<_>>())
    .bind(a.iter().map(|a| a.to_status.map(|s| s.as_str())).collect::<Vec<_>>())
    .bind(a.iter().map(|a| a.reason.as_deref()).collect::<Vec<_>>())
    .bind(a.iter().map(|a| a.at).collect::<Vec<_>>())
    .execute(&mut *tx)
    .await
    .map_err(map_err)?;
    for row in bulk_deltas(batch) {
        add_to_totals(&mut tx, &row).await?;
    }
    tx.commit().await.map_err(map_err)
}

async fn insert_workflows(
    tx: &mut sqlx::PgConnection,
    batch: &BulkBatch,
    shares: &HashMap<&str, Counts>,
) -> StoreResult<()> {
    let w: Vec<&NewWorkflow> = batch.workflows.iter().map(|b| &b.workflow).collect();
    let share = |id: &str| shares.get(id).copied().unwrap_or_default();
    let json = |values: Vec<&Value>| values.into_iter().map(Value::to_string).collect::<Vec<_>>();
    let times = |f: fn(&BulkWorkflow) -> Option<DateTime<Utc>>| {
        batch.workflows.iter().map(f).collect::<Vec<_>>()
    };
    sqlx::query(
        "INSERT INTO workflows (id, workflow_type_id, workflow_type_version, created_by_agent, assigned_council_id, \
         status, decision, inputs, outputs, calculated_savings, weekly_cents, annual_cents, metric_count, \
         duration_ms, success_ppm, error_count, error, created_at, started_at, completed_at, \
         electorate, threshold, digest, voting_deadline, enqueue) \
         SELECT id, t, v, a, c, s, d, i::jsonb, o::jsonb, cs::jsonb, wc, ac, mc, dm, sp, ec, e, ca, sa, co, \
         el::jsonb, th::jsonb, dg, vd, eq FROM UNNEST(\
         $1::text[], $2::text[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], \
         $10::text[], $11::bigint[], $12::bigint[], $13::bigint[], $14::bigint[], $15::bigint[], $16::bigint[], $17::text[], \
         $18::timestamptz[], $19::timestamptz[], $20::timestamptz[], $21::text[], $22::text[], $23::text[], \
         $24::timestamptz[], $25::bool[]) \
         AS u(id, t, v, a, c, s, d, i, o, cs, wc, ac, mc, dm, sp, ec, e, ca, sa, co, el, th, dg, vd, eq)",
    )
    .bind(w.iter().map(|w| w.id.as_str()).collect::<Vec<_>>())
    .bind(w.iter().map(|w| w.workflow_type_id.as_str()).collect::<Vec<_>>())
    .bind(w.iter().map(|w| w.workflow_type_version).collect::<Vec<_>>())
    .bind(w.iter().map(|w| w.created_by_agent.as_str()).collect::<Vec<_>>())
    .bind(w.iter().map(|w| w.assigned_council_id.as_str()).collect::<Vec<_>>())
    .bind(w.iter().map(|w| w.status.as_str()).collect::<Vec<_>>())
    .bind(w.iter().map(|w| w.decision.map(|d| d.as_str())).collect::<Vec<_>>())
    .bind(json(w.iter().map(|w| &w.inputs).collect()))
    .bind(json(batch.workflows.iter().map(|b| &b.outputs).collect()))
    .bind(json(w.iter().map(|w| &w.calculated_savings).collect()))
    .bind(w.iter().map(|w| w.weekly_cents).collect::<Vec<_>>())
    .bind(w.iter().map(|w| w.annual_cents).collect::<Vec<_>>())
    .bind(w.iter().map(|w| share(&w.id).metric_count).collect::<Vec<_>>())
    .bind(w.iter().map(|w| share(&w.id).duration_ms).collect::<Vec<_>>())
    .bind(w.iter().map(|w| share(&w.id).success_ppm).collect::<Vec<_>>())
    .bind(w.iter().map(|w| share(&w.id).error_count).collect::<Vec<_>>())
    .bind(batch.workflows.iter().map(|b| b.error.as_deref()).collect::<Vec<_>>())
    .bind(w.iter().map(|w| w.created_at).collect::<Vec<_>>())
    .bind(times(|b| b.started_at))
    .bind(times(|b| b.completed_at))
    .bind(w.iter().map(|w| serde_json::json!(w.electorate).to_string()).collect::<Vec<_>>())
    .bind(w.iter().map(|w| serde_json::json!(w.rule).to_string()).collect::<Vec<_>>())
    .bind(w.iter().map(|w| w.digest.as_str()).collect::<Vec<_>>())
    .bind(times(|b| b.workflow.voting_deadline))
    .bind(w.iter().map(|w| w.enqueue).collect::<Vec<_>>())
    .execute(tx)
    .await
    .map_err(map_err)?;
    Ok(())
}
