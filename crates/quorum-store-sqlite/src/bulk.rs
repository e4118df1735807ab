//! Bulk history on SQLite: multi-row inserts in one transaction, aggregates added once per
//! batch rather than once per row.

use quorum_store::*;
use sqlx::QueryBuilder;
use sqlx::sqlite::{Sqlite, SqlitePool};

use crate::map_err;
use crate::workflows::add_to_totals;

/// SQLite allows 32,766 bound values per statement; stay well under it.
const ROWS_PER_STATEMENT: usize = 1_000;

pub async fn insert(pool: &SqlitePool, batch: &BulkBatch) -> StoreResult<()> {
    let shares = metric_shares(batch);
    let mut tx = pool.begin().await.map_err(map_err)?;
    for chunk in batch.workflows.chunks(ROWS_PER_STATEMENT) {
        let mut qb = QueryBuilder::<Sqlite>::new(
            "INSERT INTO workflows (id, workflow_type_id, workflow_type_version, created_by_agent, assigned_council_id, \
             status, decision, inputs, outputs, calculated_savings, weekly_cents, annual_cents, metric_count, \
             duration_ms, success_ppm, error_count, error, created_at, started_at, completed_at, \
             electorate, threshold, digest, voting_deadline, enqueue) ",
        );
        qb.push_values(chunk, |mut b, bulk| {
            let w = &bulk.workflow;
            let share = shares.get(w.id.as_str()).copied().unwrap_or_default();
            b.push_bind(w.id.clone())
                .push_bind(w.workflow_type_id.clone())
                .push_bind(w.workflow_type_version)
                .push_bind(w.created_by_agent.clone())
                .push_bind(w.assigned_council_id.clone())
                .push_bind(w.status.as_str())
                .push_bind(w.decision.clone())
                .push_bind(w.inputs.to_string())
                .push_bind(bulk.outputs.to_string())
                .push_bind(w.calculated_savings.to_string())
                .push_bind(w.weekly_cents)
                .push_bind(w.annual_cents)
                .push_bind(share.metric_count)
                .push_bind(share.duration_ms)
                .push_bind(share.success_ppm)
                .push_bind(share.error_count)
                .push_bind(bulk.error.clone())
                .push_bind(w.created_at.timestamp_micros())
                .push_bind(bulk.started_at.map(|t| t.timestamp_micros()))
                .push_bind(bulk.completed_at.map(|t| t.timestamp_micros()))
                .push_bind(serde_json::to_string(&w.electorate).unwrap_or_default())
                .push_bind(serde_json::to_string(&w.threshold).unwrap_or_default())
                .push_bind(w.digest.clone())
                .push_bind(w.voting_deadline.map(|t| t.timestamp_micros()))
                .push_bind(w.enqueue);
        });
        qb.build().execute(&mut *tx).await.map_err(map_err)?;
    }
    for chunk in batch.metrics.chunks(ROWS_PER_STATEMENT) {
        let mut qb = QueryBuilder::<Sqlite>::new(
            "INSERT INTO workflow_metrics (id, workflow_id, attempt, duration_ms, weekly_cents, success_ppm, error_count, recorded_at) ",
        );
        qb.push_values(chunk, |mut b, m| {
            b.push_bind(m.id.clone())
                .push_bind(m.workflow_id.clone())
                .push_bind(m.attempt)
                .push_bind(m.duration_ms)
                .push_bind(m.weekly_cents)
                .push_bind(m.success_ppm)
                .push_bind(m.error_count)
                .push_bind(m.recorded_at.timestamp_micros());
        });
        qb.build().execute(&mut *tx).await.map_err(map_err)?;
    }
    for chunk in batch.votes.chunks(ROWS_PER_STATEMENT) {
        let mut qb = QueryBuilder::<Sqlite>::new(
            "INSERT INTO workflow_votes (id, workflow_id, user_id, vote, reason, voted_at) ",
        );
        qb.push_values(chunk, |mut b, v| {
            b.push_bind(v.id.clone())
                .push_bind(v.workflow_id.clone())
                .push_bind(v.user_id.clone())
                .push_bind(v.vote.clone())
                .push_bind(v.reason.clone())
                .push_bind(v.voted_at.timestamp_micros());
        });
        qb.build().execute(&mut *tx).await.map_err(map_err)?;
    }
    for chunk in batch.audit.chunks(ROWS_PER_STATEMENT) {
        let mut qb = QueryBuilder::<Sqlite>::new(
            "INSERT INTO workflow_audit (workflow_id, event, actor, from_status, to_status, reason, at) ",
        );
        qb.push_values(chunk, |mut b, a| {
            b.push_bind(a.workflow_id.clone())
                .push_bind(a.event.clone())
                .push_bind(a.actor.clone())
                .push_bind(a.from_status.map(|s| s.as_str()))
                .push_bind(a.to_status.map(|s| s.as_str()))
                .push_bind(a.reason.clone())
                .push_bind(a.at.timestamp_micros());
        });
        qb.build().execute(&mut *tx).await.map_err(map_err)?;
    }
    for row in bulk_deltas(batch) {
        add_to_totals(&mut tx, &row.key, 1, row.counts).await?;
    }
    tx.commit().await.map_err(map_err)
}
