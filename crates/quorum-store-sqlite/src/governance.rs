//! Votes, decisions, hand-off and the event log on SQLite. The single writer connection
//! serializes every vote, so the one that settles the matter is the only one to see it open.

use chrono::{DateTime, Utc};
use quorum_domain::{Decision, WorkflowStatus};
use quorum_store::*;
use sqlx::sqlite::{Sqlite, SqlitePool};
use sqlx::{QueryBuilder, Row};

use crate::jobs::insert_job;
use crate::map_err;
use crate::rows;
use crate::workflows::{add_to_totals, fetch, insert_audit, insert_event};

pub async fn cast_vote(pool: &SqlitePool, v: &NewVote) -> StoreResult<VoteOutcome> {
    let mut tx = pool.begin().await.map_err(map_err)?;
    let row = sqlx::query(
        "SELECT status, decision, electorate, threshold, digest, enqueue FROM workflows WHERE id = ?",
    )
    .bind(&v.workflow_id)
    .fetch_optional(&mut *tx)
    .await
    .map_err(map_err)?
    .ok_or_else(|| StoreError::NotFound(format!("workflow {}", v.workflow_id)))?;
    let status = rows::status(row.try_get("status").map_err(map_err)?)?;
    let decision: Option<String> = row.try_get("decision").map_err(map_err)?;
    let (electorate, threshold) = rows::electorate(&row)?;
    let digest: String = row.try_get("digest").map_err(map_err)?;
    let enqueue: bool = row.try_get("enqueue").map_err(map_err)?;
    voting::check_open(status, decision.as_deref(), &digest, v)?;
    let at = v.voted_at.timestamp_micros();
    sqlx::query("INSERT INTO workflow_votes (id, workflow_id, user_id, vote, reason, voted_at, digest) VALUES (?, ?, ?, ?, ?, ?, ?)")
        .bind(&v.id)
        .bind(&v.workflow_id)
        .bind(&v.user_id)
        .bind(v.vote.as_str())
        .bind(&v.reason)
        .bind(at)
        .bind(&v.digest)
        .execute(&mut *tx)
        .await
        .map_err(|e| match map_err(e) {
            StoreError::Conflict(_) => StoreError::Conflict(format!("{} has already voted on this workflow", v.user_id)),
            other => other,
        })?;
    let (approvals, cast): (i64, i64) = sqlx::query_as(
        "SELECT COALESCE(SUM(vote = 'approve'), 0), COUNT(*) FROM workflow_votes WHERE workflow_id = ?",
    )
    .bind(&v.workflow_id)
    .fetch_one(&mut *tx)
    .await
    .map_err(map_err)?;
    let audit = |event: &str, from, to, reason: Option<String>| NewAudit {
        workflow_id: v.workflow_id.clone(),
        event: event.into(),
        actor: v.user_id.clone(),
        from_status: from,
        to_status: to,
        reason,
        at: v.voted_at,
    };
    let pending = Some(WorkflowStatus::Pending);
    insert_audit(
        &mut tx,
        &audit(
            "voted",
            pending,
            pending,
            Some(format!("{}: {}", v.vote.as_str(), v.reason)),
        ),
    )
    .await?;
    let before = fetch(&mut tx, &v.workflow_id).await?;
    insert_event(
        &mut tx,
        &before,
        "voted",
        serde_json::json!({"user_id": v.user_id, "vote": v.vote}),
        v.voted_at,
    )
    .await?;
    let decided = voting::tally(threshold, electorate.len(), approvals, cast);
    match decided.clone() {
        Some((Decision::Approved, reason)) => {
            sqlx::query("UPDATE workflows SET decision = 'approved', queued_at = CASE WHEN enqueue THEN ? END WHERE id = ?")
                .bind(at)
                .bind(&v.workflow_id)
                .execute(&mut *tx)
                .await
                .map_err(map_err)?;
            insert_audit(&mut tx, &audit("decided", pending, pending, Some(reason))).await?;
            if enqueue {
                // The hand-off commits with the decision, or neither happens.
                insert_job(&mut tx, &v.workflow_id, 0, v.voted_at).await?;
            }
            let w = fetch(&mut tx, &v.workflow_id).await?;
            insert_event(
                &mut tx,
                &w,
                "decided",
                serde_json::json!({"decision": "approved", "queued": enqueue}),
                v.voted_at,
            )
            .await?;
        }
        Some((decision, reason)) => {
            let share = share(&mut tx, &v.workflow_id).await?;
            sqlx::query("UPDATE workflows SET status = 'CANCELLED', decision = ?, completed_at = ? WHERE id = ?")
                .bind(decision.as_str())
                .bind(at)
                .bind(&v.workflow_id)
                .execute(&mut *tx)
                .await
                .map_err(map_err)?;
            add_to_totals(&mut tx, &share.0, -1, share.1).await?;
            add_to_totals(
                &mut tx,
                &AggregateKey {
                    status: WorkflowStatus::Cancelled,
                    ..share.0
                },
                1,
                share.1,
            )
            .await?;
            let cancelled = Some(WorkflowStatus::Cancelled);
            insert_audit(&mut tx, &audit("decided", pending, cancelled, Some(reason))).await?;
            let w = fetch(&mut tx, &v.workflow_id).await?;
            insert_event(
                &mut tx,
                &w,
                "decided",
                serde_json::json!({"decision": decision}),
                v.voted_at,
            )
            .await?;
        }
        None => {}
    }
    let workflow = fetch(&mut tx, &v.workflow_id).await?;
    tx.commit().await.map_err(map_err)?;
    let vote = quorum_domain::Vote {
        id: v.id.clone(),
        workflow_id: v.workflow_id.clone(),
        user_id: v.user_id.clone(),
        vote: v.vote,
        reason: v.reason.clone(),
        voted_at: v.voted_at,
    };
    Ok(VoteOutcome {
        vote,
        workflow,
        decided: decided.map(|(d, _)| d),
    })
}

async fn share(conn: &mut sqlx::SqliteConnection, id: &str) -> StoreResult<(AggregateKey, Counts)> {
    let row = sqlx::query(
        "SELECT assigned_council_id, created_by_agent, workflow_type_id, status, 1, weekly_cents, annual_cents, \
         metric_count, duration_ms, success_ppm, error_count FROM workflows WHERE id = ?",
    )
    .bind(id)
    .fetch_one(conn)
    .await
    .map_err(map_err)?;
    let row = rows::aggregate(&row)?;
    Ok((row.key, row.counts))
}

pub async fn enqueue(
    pool: &SqlitePool,
    id: &str,
    actor: &str,
    at: DateTime<Utc>,
) -> StoreResult<quorum_domain::Workflow> {
    let mut tx = pool.begin().await.map_err(map_err)?;
    let updated = sqlx::query(
        "UPDATE workflows SET queued_at = ? WHERE id = ? AND status = 'PENDING' AND decision = 'approved' AND queued_at IS NULL",
    )
    .bind(at.timestamp_micros())
    .bind(id)
    .execute(&mut *tx)
    .await
    .map_err(map_err)?;
    let workflow = fetch(&mut tx, id).await?;
    if updated.rows_affected() == 1 {
        insert_job(&mut tx, id, 0, at).await?;
    }
    if updated.rows_affected() != 1 {
        return Err(StoreError::Conflict(
            match (&workflow.decision, workflow.queued_at) {
                (_, Some(_)) => "the workflow is already queued for execution".into(),
                (Some(d), _) if d == "approved" => format!(
                    "the workflow is {} and can no longer be queued",
                    workflow.status
                ),
                _ => "only a workflow its council approved can be queued".into(),
            },
        ));
    }
    let pending = Some(WorkflowStatus::Pending);
    let audit = NewAudit {
        workflow_id: id.into(),
        event: "queued".into(),
        actor: actor.into(),
        from_status: pending,
        to_status: pending,
        reason: None,
        at,
    };
    insert_audit(&mut tx, &audit).await?;
    insert_event(
        &mut tx,
        &workflow,
        "queued",
        serde_json::json!({"actor": actor}),
        at,
    )
    .await?;
    tx.commit().await.map_err(map_err)?;
    Ok(workflow)
}

pub async fn due_for_expiry(
    pool: &SqlitePool,
    now: DateTime<Utc>,
    limit: i64,
) -> StoreResult<Vec<String>> {
    sqlx::query_scalar(
        "SELECT id FROM workflows WHERE status = 'PENDING' AND decision IS NULL AND voting_deadline IS NOT NULL \
         AND voting_deadline < ? ORDER BY voting_deadline LIMIT ?",
    )
    .bind(now.timestamp_micros())
    .bind(limit)
    .fetch_all(pool)
    .await
    .map_err(map_err)
}

pub async fn set_members(
    pool: &SqlitePool,
    council_id: &str,
    members: &[String],
) -> StoreResult<()> {
    let mut tx = pool.begin().await.map_err(map_err)?;
    let found = sqlx::query("DELETE FROM council_members WHERE council_id = ?")
        .bind(council_id)
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
    let exists: Option<String> = sqlx::query_scalar("SELECT id FROM councils WHERE id = ?")
        .bind(council_id)
        .fetch_optional(&mut *tx)
        .await
        .map_err(map_err)?;
    if exists.is_none() && found.rows_affected() == 0 {
        return Err(StoreError::NotFound(format!("council {council_id}")));
    }
    for member in members {
        sqlx::query("INSERT INTO council_members (council_id, user_id) VALUES (?, ?)")
            .bind(council_id)
            .bind(member)
            .execute(&mut *tx)
            .await
            .map_err(|e| match map_err(e) {
                StoreError::NotFound(_) => StoreError::NotFound(format!("principal {member}")),
                other => other,
            })?;
    }
    tx.commit().await.map_err(map_err)
}

pub async fn events_after(
    pool: &SqlitePool,
    after: i64,
    filter: &EventFilter,
    limit: i64,
) -> StoreResult<Vec<EventRecord>> {
    let mut qb = QueryBuilder::<Sqlite>::new("SELECT * FROM workflow_events WHERE id > ");
    qb.push_bind(after);
    if let Some(council) = &filter.council_id {
        qb.push(" AND council_id = ").push_bind(council.clone());
    }
    if let Some(agent) = &filter.agent_id {
        qb.push(" AND agent_id = ").push_bind(agent.clone());
    }
    qb.push(" ORDER BY id LIMIT ").push_bind(limit);
    let found = qb.build().fetch_all(pool).await.map_err(map_err)?;
    found.iter().map(rows::event).collect()
}

pub async fn last_event_id(pool: &SqlitePool) -> StoreResult<i64> {
    sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM workflow_events")
        .fetch_one(pool)
        .await
        .map_err(map_err)
}
