//! Votes, decisions, hand-off, council changes and the event log on SQLite. The single
//! writer connection serializes every vote, so the one that settles the matter is the only
//! one to see it open.

use chrono::{DateTime, Utc};
use quorum_store::*;
use rusqlite::{Connection, params, params_from_iter};

use crate::Result;
use crate::rows;
use crate::workflows::fetch;
use crate::writes::{apply_all, ballots, held};

pub fn cast_vote(tx: &Connection, v: &NewVote) -> Result<VoteOutcome> {
    let held = held(tx, &v.workflow_id)?;
    let (writes, decided) = plan::vote(&held, &ballots(tx, &v.workflow_id)?, v)?;
    apply_all(tx, &writes)?;
    Ok(plan::outcome(v, fetch(tx, &v.workflow_id)?, decided))
}

pub fn enqueue(
    tx: &Connection,
    id: &str,
    actor: &str,
    at: DateTime<Utc>,
) -> Result<quorum_domain::Workflow> {
    apply_all(tx, &plan::enqueue(&held(tx, id)?, actor, at)?)?;
    fetch(tx, id)
}

pub fn reassign(tx: &Connection, r: &Reassignment) -> Result<quorum_domain::Workflow> {
    let held = held(tx, &r.workflow_id)?;
    apply_all(
        tx,
        &plan::reassign(&held, &ballots(tx, &r.workflow_id)?, r)?,
    )?;
    fetch(tx, &r.workflow_id)
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

pub fn set_members(
    tx: &Connection,
    council_id: &str,
    members: &[String],
    rule: &quorum_domain::Rule,
) -> Result<()> {
    rows::run(
        tx,
        "UPDATE councils SET threshold = ? WHERE id = ?",
        params![serde_json::to_string(rule).unwrap_or_default(), council_id],
    )?;
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

pub fn due_for_reminder(
    conn: &Connection,
    council_id: &str,
    now: DateTime<Utc>,
    until: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<String>> {
    rows::all(
        conn,
        "SELECT id FROM workflows w WHERE status = 'PENDING' AND decision IS NULL \
         AND voting_deadline IS NOT NULL AND voting_deadline > ?1 AND voting_deadline <= ?2 \
         AND assigned_council_id = ?3 \
         AND NOT EXISTS (SELECT 1 FROM notices n WHERE n.workflow_id = w.id AND n.kind = 'reminder') \
         ORDER BY voting_deadline LIMIT ?4",
        params![
            now.timestamp_micros(),
            until.timestamp_micros(),
            council_id,
            limit
        ],
        |row| Ok(row.get(0)?),
    )
}

pub fn undecided(
    conn: &Connection,
    councils: &[String],
    order: QueueOrder,
    limit: i64,
    offset: i64,
) -> Result<Vec<quorum_domain::Workflow>> {
    let within = match councils.is_empty() {
        true => String::new(),
        false => format!(
            " AND assigned_council_id IN ({})",
            vec!["?"; councils.len()].join(", ")
        ),
    };
    let council_values = || {
        councils
            .iter()
            .map(|c| rusqlite::types::Value::Text(c.clone()))
            .collect::<Vec<_>>()
    };
    let undecided = "status = 'PENDING' AND decision IS NULL";
    let with_deadline = match order {
        QueueOrder::Deadline => conn
            .prepare_cached(&format!(
                "SELECT COUNT(*) FROM workflows INDEXED BY workflows_by_deadline \
                 WHERE {undecided} AND voting_deadline IS NOT NULL{within}"
            ))?
            .query_row(params_from_iter(council_values()), |row| row.get(0))?,
        _ => 0,
    };
    let mut found = Vec::new();
    for slice in QueueSlice::of_page(order, limit, offset, with_deadline) {
        // The page's ids are counted off the index alone, then only they are read.
        // SQLite's planner would walk the status index and read every row for its decision;
        // the partial indexes hold only undecided workflows.
        let index = match slice.with_deadline {
            Some(true) => "workflows_by_deadline",
            _ => "workflows_undecided",
        };
        let sql = format!(
            "SELECT {} FROM workflows WHERE id IN (SELECT id FROM workflows INDEXED BY {index} \
             WHERE {undecided}{}{within} ORDER BY {order} LIMIT ? OFFSET ?) ORDER BY {order}",
            rows::WORKFLOW_COLUMNS,
            slice.deadline_filter(),
            order = slice.order_by(),
        );
        let mut values = council_values();
        values.push(slice.limit.into());
        values.push(slice.offset.into());
        found.extend(rows::all(
            conn,
            &sql,
            params_from_iter(values),
            rows::workflow,
        )?);
    }
    Ok(found)
}
