//! Votes, decisions, hand-off and the event log on SQLite. The single writer connection
//! serializes every vote, so the one that settles the matter is the only one to see it open.

use chrono::{DateTime, Utc};
use quorum_domain::{Decision, WorkflowStatus};
use quorum_store::*;
use rusqlite::{Connection, params, params_from_iter};

use crate::Result;
use crate::jobs::insert_job;
use crate::rows;
use crate::workflows::{add_to_totals, fetch, insert_audit, insert_event, share_of};

/// What a vote needs to know about its workflow.
struct Ballot {
    status: WorkflowStatus,
    decision: Option<String>,
    electorate: Vec<String>,
    threshold: quorum_domain::Threshold,
    digest: String,
    enqueue: bool,
}

pub fn cast_vote(tx: &Connection, v: &NewVote) -> Result<VoteOutcome> {
    let ballot = rows::one(
        tx,
        "SELECT status, decision, electorate, threshold, digest, enqueue FROM workflows WHERE id = ?",
        [&v.workflow_id],
        |row| {
            let (electorate, threshold) = rows::electorate(row)?;
            Ok(Ballot {
                status: rows::status(&row.get::<_, String>("status")?)?,
                decision: row.get("decision")?,
                electorate,
                threshold,
                digest: row.get("digest")?,
                enqueue: row.get("enqueue")?,
            })
        },
    )?
    .ok_or_else(|| StoreError::NotFound(format!("workflow {}", v.workflow_id)))?;
    voting::check_open(ballot.status, ballot.decision.as_deref(), &ballot.digest, v)?;
    let at = v.voted_at.timestamp_micros();
    rows::run(
        tx,
        "INSERT INTO workflow_votes (id, workflow_id, user_id, vote, reason, voted_at, digest) VALUES (?, ?, ?, ?, ?, ?, ?)",
        params![v.id, v.workflow_id, v.user_id, v.vote.as_str(), v.reason, at, v.digest],
    )
    .map_err(|e| match e.0 {
        StoreError::Conflict(_) => StoreError::Conflict(format!(
            "{} has already voted on this workflow",
            v.user_id
        ))
        .into(),
        _ => e,
    })?;
    let (approvals, cast): (i64, i64) = tx
        .prepare_cached(
            "SELECT COALESCE(SUM(vote = 'approve'), 0), COUNT(*) FROM workflow_votes WHERE workflow_id = ?",
        )?
        .query_row([&v.workflow_id], |row| Ok((row.get(0)?, row.get(1)?)))?;
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
        tx,
        &audit(
            "voted",
            pending,
            pending,
            Some(format!("{}: {}", v.vote.as_str(), v.reason)),
        ),
    )?;
    let before = fetch(tx, &v.workflow_id)?;
    insert_event(
        tx,
        &before,
        "voted",
        serde_json::json!({"user_id": v.user_id, "vote": v.vote}),
        v.voted_at,
    )?;
    let decided = voting::tally(ballot.threshold, ballot.electorate.len(), approvals, cast);
    let workflow = match decided.clone() {
        Some((Decision::Approved, reason)) => {
            rows::run(
                tx,
                "UPDATE workflows SET decision = 'approved', queued_at = CASE WHEN enqueue THEN ? END WHERE id = ?",
                params![at, v.workflow_id],
            )?;
            insert_audit(tx, &audit("decided", pending, pending, Some(reason)))?;
            if ballot.enqueue {
                // The hand-off commits with the decision, or neither happens.
                insert_job(tx, &v.workflow_id, 0, v.voted_at)?;
            }
            let w = fetch(tx, &v.workflow_id)?;
            insert_event(
                tx,
                &w,
                "decided",
                serde_json::json!({"decision": "approved", "queued": ballot.enqueue}),
                v.voted_at,
            )?;
            w
        }
        Some((decision, reason)) => {
            let share = share_of(tx, &v.workflow_id)?;
            rows::run(
                tx,
                "UPDATE workflows SET status = 'CANCELLED', decision = ?, completed_at = ? WHERE id = ?",
                params![decision.as_str(), at, v.workflow_id],
            )?;
            add_to_totals(tx, &share.0, -1, share.1)?;
            add_to_totals(
                tx,
                &AggregateKey {
                    status: WorkflowStatus::Cancelled,
                    ..share.0
                },
                1,
                share.1,
            )?;
            let cancelled = Some(WorkflowStatus::Cancelled);
            insert_audit(tx, &audit("decided", pending, cancelled, Some(reason)))?;
            let w = fetch(tx, &v.workflow_id)?;
            insert_event(
                tx,
                &w,
                "decided",
                serde_json::json!({"decision": decision}),
                v.voted_at,
            )?;
            w
        }
        None => before,
    };
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

pub fn enqueue(
    tx: &Connection,
    id: &str,
    actor: &str,
    at: DateTime<Utc>,
) -> Result<quorum_domain::Workflow> {
    let updated = rows::run(
        tx,
        "UPDATE workflows SET queued_at = ? WHERE id = ? AND status = 'PENDING' AND decision = 'approved' AND queued_at IS NULL",
        params![at.timestamp_micros(), id],
    )?;
    let workflow = fetch(tx, id)?;
    if updated != 1 {
        return Err(
            StoreError::Conflict(match (&workflow.decision, workflow.queued_at) {
                (_, Some(_)) => "the workflow is already queued for execution".into(),
                (Some(d), _) if d == "approved" => format!(
                    "the workflow is {} and can no longer be queued",
                    workflow.status
                ),
                _ => "only a workflow its council approved can be queued".into(),
            })
            .into(),
        );
    }
    insert_job(tx, id, 0, at)?;
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
    insert_audit(tx, &audit)?;
    insert_event(
        tx,
        &workflow,
        "queued",
        serde_json::json!({"actor": actor}),
        at,
    )?;
    Ok(workflow)
}

pub fn reassign(tx: &Connection, r: &Reassignment) -> Result<quorum_domain::Workflow> {
    let (old_key, share) = share_of(tx, &r.workflow_id)?;
    let updated = rows::run(
        tx,
        "UPDATE workflows SET assigned_council_id = ?, electorate = ?, threshold = ?, voting_deadline = ? \
         WHERE id = ? AND status = 'PENDING' AND decision IS NULL \
         AND NOT EXISTS (SELECT 1 FROM workflow_votes WHERE workflow_id = workflows.id)",
        params![
            r.council_id,
            serde_json::to_string(&r.electorate).unwrap_or_default(),
            serde_json::to_string(&r.threshold).unwrap_or_default(),
            r.voting_deadline.map(|d| d.timestamp_micros()),
            r.workflow_id,
        ],
    )?;
    if updated != 1 {
        return Err(StoreError::Conflict(format!(
            "{} can no longer move to another council: it is decided, or its council has begun to vote",
            r.workflow_id
        ))
        .into());
    }
    let new_key = AggregateKey {
        council_id: r.council_id.clone(),
        ..old_key.clone()
    };
    add_to_totals(tx, &old_key, -1, share)?;
    add_to_totals(tx, &new_key, 1, share)?;
    let pending = Some(WorkflowStatus::Pending);
    insert_audit(
        tx,
        &NewAudit {
            workflow_id: r.workflow_id.clone(),
            event: "reassigned".into(),
            actor: r.actor.clone(),
            from_status: pending,
            to_status: pending,
            reason: Some(r.reason.clone()),
            at: r.at,
        },
    )?;
    let workflow = fetch(tx, &r.workflow_id)?;
    let data =
        serde_json::json!({"from": old_key.council_id, "to": r.council_id, "actor": r.actor});
    insert_event(tx, &workflow, "reassigned", data, r.at)?;
    Ok(workflow)
}

pub fn due_for_expiry(conn: &Connection, now: DateTime<Utc>, limit: i64) -> Result<Vec<String>> {
    rows::all(
        conn,
        "SELECT id FROM workflows WHERE status = 'PENDING' AND decision IS NULL AND voting_deadline IS NOT NULL \
         AND voting_deadline < ? ORDER BY voting_deadline LIMIT ?",
        params![now.timestamp_micros(), limit],
        |row| Ok(row.get(0)?),
    )
}

pub fn set_members(tx: &Connection, council_id: &str, members: &[String]) -> Result<()> {
    let found = rows::run(
        tx,
        "DELETE FROM council_members WHERE council_id = ?",
        [council_id],
    )?;
    let exists = rows::one(
        tx,
        "SELECT id FROM councils WHERE id = ?",
        [council_id],
        |_| Ok(()),
    )?;
    if exists.is_none() && found == 0 {
        return Err(StoreError::NotFound(format!("council {council_id}")).into());
    }
    for member in members {
        rows::run(
            tx,
            "INSERT INTO council_members (council_id, user_id) VALUES (?, ?)",
            [council_id, member],
        )
        .map_err(|e| match e.0 {
            StoreError::NotFound(_) => StoreError::NotFound(format!("principal {member}")).into(),
            _ => e,
        })?;
    }
    Ok(())
}

pub fn events_after(
    conn: &Connection,
    after: i64,
    filter: &EventFilter,
    limit: i64,
) -> Result<Vec<EventRecord>> {
    let mut sql = String::from("SELECT * FROM workflow_events WHERE id > ?");
    let mut values: Vec<rusqlite::types::Value> = vec![after.into()];
    if let Some(council) = &filter.council_id {
        sql.push_str(" AND council_id = ?");
        values.push(council.clone().into());
    }
    if let Some(agent) = &filter.agent_id {
        sql.push_str(" AND agent_id = ?");
        values.push(agent.clone().into());
    }
    sql.push_str(" ORDER BY id LIMIT ?");
    values.push(limit.into());
    rows::all(conn, &sql, params_from_iter(&values), rows::event)
}

pub fn last_event_id(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row(
        "SELECT COALESCE(MAX(id), 0) FROM workflow_events",
        [],
        |row| row.get(0),
    )?)
}
