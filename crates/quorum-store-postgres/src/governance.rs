//! Votes, decisions, hand-off and the event log on PostgreSQL. A vote locks its workflow row
//! first (`FOR UPDATE`), so concurrent votes queue and the one that settles the matter is the
//! only one to see it open.

use chrono::{DateTime, Utc};
use quorum_domain::{Decision, WorkflowStatus};
use quorum_store::*;
use sqlx::postgres::{PgPool, Postgres};
use sqlx::{QueryBuilder, Row};

use crate::jobs::insert_job;
use crate::map_err;
use crate::rows;
use crate::workflows::{add_to_totals, fetch, insert_audit, insert_event, share_of};

pub async fn cast_vote(pool: &PgPool, v: &NewVote) -> StoreResult<VoteOutcome> {
    let mut tx = pool.begin().await.map_err(map_err)?;
    let row = sqlx::query(
        "SELECT status, decision, electorate::text AS electorate, threshold::text AS threshold, digest, enqueue \
         FROM workflows WHERE id = $1 FOR UPDATE",
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
    let at = v.voted_at;
    sqlx::query("INSERT INTO workflow_votes (id, workflow_id, user_id, vote, reason, voted_at, digest) VALUES ($1, $2, $3, $4, $5, $6, $7)")
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
        "SELECT COUNT(*) FILTER (WHERE vote = 'approve'), COUNT(*) FROM workflow_votes WHERE workflow_id = $1",
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
            sqlx::query("UPDATE workflows SET decision = 'approved', queued_at = CASE WHEN enqueue THEN $1::timestamptz END WHERE id = $2")
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
            sqlx::query("UPDATE workflows SET status = 'CANCELLED', decision = $1, completed_at = $2 WHERE id = $3")
                .bind(decision.as_str())
                .bind(at)
                .bind(&v.workflow_id)
                .execute(&mut *tx)
                .await
                .map_err(map_err)?;
            let cancelled_key = AggregateKey {
                status: WorkflowStatus::Cancelled,
                ..share.0.clone()
            };
            let mut moves = [(&share.0, -1), (&cancelled_key, 1)];
            moves.sort_by(|a, b| a.0.cmp(b.0));
            for (key, sign) in moves {
                add_to_totals(&mut tx, key, sign, share.1).await?;
            }
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

async fn share(conn: &mut sqlx::PgConnection, id: &str) -> StoreResult<(AggregateKey, Counts)> {
    let row = sqlx::query(
        "SELECT assigned_council_id, created_by_agent, workflow_type_id, status, 1::BIGINT, weekly_cents, annual_cents, \
         metric_count, duration_ms, success_ppm, error_count FROM workflows WHERE id = $1",
    )
    .bind(id)
    .fetch_one(conn)
    .await
    .map_err(map_err)?;
    let row = rows::aggregate(&row)?;
    Ok((row.key, row.counts))
}

pub async fn enqueue(
    pool: &PgPool,
    id: &str,
    actor: &str,
    at: DateTime<Utc>,
) -> StoreResult<quorum_domain::Workflow> {
    let mut tx = pool.begin().await.map_err(map_err)?;
    let updated = sqlx::query(
        "UPDATE workflows SET queued_at = $1 WHERE id = $2 AND status = 'PENDING' AND decision = 'approved' AND queued_at IS NULL",
    )
    .bind(at)
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

pub async fn reassign(pool: &PgPool, r: &Reassignment) -> StoreResult<quorum_domain::Workflow> {
    let mut tx = pool.begin().await.map_err(map_err)?;
    // Holds the workflow, so a vote waits for the move or sees it.
    let (old_key, share) = share_of(&mut tx, &r.workflow_id).await?;
    let updated = sqlx::query(
        "UPDATE workflows SET assigned_council_id = $1, electorate = $2, threshold = $3, voting_deadline = $4 \
         WHERE id = $5 AND status = 'PENDING' AND decision IS NULL \
         AND NOT EXISTS (SELECT 1 FROM workflow_votes WHERE workflow_id = workflows.id)",
    )
    .bind(&r.council_id)
    .bind(serde_json::json!(r.electorate))
    .bind(serde_json::json!(r.threshold))
    .bind(r.voting_deadline)
    .bind(&r.workflow_id)
    .execute(&mut *tx)
    .await
    .map_err(map_err)?;
    if updated.rows_affected() != 1 {
        return Err(StoreError::Conflict(format!(
            "{} can no longer move to another council: it is decided, or its council has begun to vote",
            r.workflow_id
        )));
    }
    let new_key = AggregateKey {
        council_id: r.council_id.clone(),
        ..old_key.clone()
    };
    // Aggregate rows are touched in key order, as everywhere, so that no two writers deadlock.
    let (first, second) = match old_key <= new_key {
        true => ((&old_key, -1), (&new_key, 1)),
        false => ((&new_key, 1), (&old_key, -1)),
    };
    add_to_totals(&mut tx, first.0, first.1, share).await?;
    add_to_totals(&mut tx, second.0, second.1, share).await?;
    let pending = Some(WorkflowStatus::Pending);
    let audit = NewAudit {
        workflow_id: r.workflow_id.clone(),
        event: "reassigned".into(),
        actor: r.actor.clone(),
        from_status: pending,
        to_status: pending,
        reason: Some(r.reason.clone()),
        at: r.at,
    };
    insert_audit(&mut tx, &audit).await?;
    let workflow = fetch(&mut tx, &r.workflow_id).await?;
    let data =
        serde_json::json!({"from": old_key.council_id, "to": r.council_id, "actor": r.actor});
    insert_event(&mut tx, &workflow, "reassigned", data, r.at).await?;
    tx.commit().await.map_err(map_err)?;
    Ok(workflow)
}

pub async fn due_for_expiry(
    pool: &PgPool,
    now: DateTime<Utc>,
    limit: i64,
) -> StoreResult<Vec<String>> {
    sqlx::query_scalar(
        "SELECT id FROM workflows WHERE status = 'PENDING' AND decision IS NULL AND voting_deadline IS NOT NULL \
         AND voting_deadline < $1 ORDER BY voting_deadline LIMIT $2",
    )
    .bind(now)
    .bind(limit)
    .fetch_all(pool)
    .await
    .map_err(map_err)
}

pub async fn set_members(pool: &PgPool, council_id: &str, members: &[String]) -> StoreResult<()> {
    let mut tx = pool.begin().await.map_err(map_err)?;
    let found = sqlx::query("DELETE FROM council_members WHERE council_id = $1")
        .bind(council_id)
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
    let exists: Option<String> = sqlx::query_scalar("SELECT id FROM councils WHERE id = $1")
        .bind(council_id)
        .fetch_optional(&mut *tx)
        .await
        .map_err(map_err)?;
    if exists.is_none() && found.rows_affected() == 0 {
        return Err(StoreError::NotFound(format!("council {council_id}")));
    }
    for member in members {
        sqlx::query("INSERT INTO council_members (council_id, user_id) VALUES ($1, $2)")
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
    pool: &PgPool,
    after: i64,
    filter: &EventFilter,
    limit: i64,
) -> StoreResult<Vec<EventRecord>> {
    let mut qb = QueryBuilder::<Postgres>::new("SELECT * FROM workflow_events WHERE id > ");
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

pub async fn last_event_id(pool: &PgPool) -> StoreResult<i64> {
    sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM workflow_events")
        .fetch_one(pool)
        .await
        .map_err(map_err)
}
