//! The write path on SQLite: what a plan (`quorum_store::plan`) is made from, read in the
//! writer's transaction, and the statement of each kind of write it returns. The single
//! writer connection serializes every write, so what was read still holds when it is applied.

use quorum_domain::VoteChoice;
use quorum_store::marks::LATE_AFTER_SECS;
use quorum_store::plan::{Ballot, Held, StatusChange, Write};
use quorum_store::{AggregateRow, StoreError, stored};
use rusqlite::{Connection, params};

use crate::Result;
use crate::rows;

const ADD_TO_TOTALS: &str = "INSERT INTO workflow_totals (council_id, agent_id, workflow_type_id, status, \
    workflows, weekly_cents, annual_cents, metric_count, duration_ms, success_ppm, error_count) \
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) \
    ON CONFLICT (council_id, agent_id, workflow_type_id, status) DO UPDATE SET \
    workflows = workflows + excluded.workflows, weekly_cents = weekly_cents + excluded.weekly_cents, \
    annual_cents = annual_cents + excluded.annual_cents, metric_count = metric_count + excluded.metric_count, \
    duration_ms = duration_ms + excluded.duration_ms, success_ppm = success_ppm + excluded.success_ppm, \
    error_count = error_count + excluded.error_count";

/// The aggregate columns first, in the order `rows::aggregate` reads them.
const HELD: &str = "SELECT assigned_council_id, created_by_agent, workflow_type_id, status, 1, weekly_cents, \
    annual_cents, metric_count, duration_ms, success_ppm, error_count, id, decision, \
    queued_at IS NOT NULL AS queued, enqueue, electorate, threshold, digest FROM workflows WHERE id = ?";

/// What a plan needs to know of workflow `id`.
pub(crate) fn held(conn: &Connection, id: &str) -> Result<Held> {
    rows::one(conn, HELD, [id], |row| {
        let share = rows::aggregate(row)?;
        let (electorate, rule) = stored::governance(&rows::Text(row))?;
        Ok(Held {
            id: row.get("id")?,
            key: share.key,
            share: share.counts,
            decision: stored::decision(row.get("decision")?)?,
            queued: row.get("queued")?,
            enqueue: row.get("enqueue")?,
            electorate,
            rule,
            digest: row.get("digest")?,
        })
    })?
    .ok_or_else(|| StoreError::NotFound(format!("workflow {id}")).into())
}

/// The votes cast on workflow `id` so far.
pub(crate) fn ballots(conn: &Connection, id: &str) -> Result<Vec<Ballot>> {
    rows::all(
        conn,
        "SELECT user_id, vote FROM workflow_votes WHERE workflow_id = ?",
        [id],
        |row| {
            let vote: String = row.get("vote")?;
            Ok(Ballot {
                user_id: row.get("user_id")?,
                vote: VoteChoice::parse(&vote)
                    .ok_or_else(|| StoreError::Other(format!("stored vote {vote:?}")))?,
            })
        },
    )
}

/// Applies a plan's writes in order, in the caller's transaction.
pub(crate) fn apply_all(tx: &Connection, writes: &[Write<'_>]) -> Result<()> {
    for write in writes {
        let rows = apply(tx, write)?;
        write.check(rows as u64)?;
    }
    Ok(())
}

/// Runs one write; returns how many rows its statement changed.
fn apply(tx: &Connection, write: &Write<'_>) -> Result<usize> {
    let micros = |at: &chrono::DateTime<chrono::Utc>| at.timestamp_micros();
    match write {
        Write::Workflow { new, queued_at } => {
            if new.created_at < chrono::Utc::now() - chrono::Duration::seconds(LATE_AFTER_SECS) {
                crate::marks::note_late(tx)?;
            }
            rows::run(
                tx,
                "INSERT INTO workflows (id, workflow_type_id, workflow_type_version, created_by_agent, assigned_council_id, \
             status, decision, inputs, outputs, calculated_savings, weekly_cents, annual_cents, created_at, \
             electorate, threshold, digest, voting_deadline, enqueue, queued_at, preview) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, '{}', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                params![
                    new.id,
                    new.workflow_type_id,
                    new.workflow_type_version,
                    new.created_by_agent,
                    new.assigned_council_id,
                    new.status.as_str(),
                    new.decision.map(|d| d.as_str()),
                    new.inputs.to_string(),
                    new.calculated_savings.to_string(),
                    new.weekly_cents,
                    new.annual_cents,
                    micros(&new.created_at),
                    serde_json::to_string(&new.electorate).unwrap_or_default(),
                    serde_json::to_string(&new.rule).unwrap_or_default(),
                    new.digest,
                    new.voting_deadline.as_ref().map(micros),
                    new.enqueue,
                    queued_at.as_ref().map(micros),
                    new.preview.as_ref().map_or("", |p| p.hash.as_str()),
                ],
            )
        }
        Write::Notices {
            workflow_id,
            members,
            kind,
            at,
        } => crate::notices::insert(tx, workflow_id, members, *kind, *at),
        Write::PreviewFiles { workflow_id, files } => {
            let mut insert = tx.prepare_cached(
                "INSERT INTO preview_files (workflow_id, path, hash, content_type) VALUES (?, ?, ?, ?)",
            )?;
            for file in files.iter() {
                insert.execute(params![
                    workflow_id,
                    file.path,
                    file.hash,
                    file.content_type
                ])?;
            }
            Ok(files.len())
        }
        Write::Status(c) => status(tx, c),
        Write::Approve {
            workflow_id,
            queued_at,
        } => rows::run(
            tx,
            "UPDATE workflows SET decision = 'approved', queued_at = ? \
             WHERE id = ? AND status = 'PENDING' AND decision IS NULL",
            params![queued_at.as_ref().map(micros), workflow_id],
        ),
        Write::Queue { workflow_id, at } => rows::run(
            tx,
            "UPDATE workflows SET queued_at = ? \
             WHERE id = ? AND status = 'PENDING' AND decision = 'approved' AND queued_at IS NULL",
            params![micros(at), workflow_id],
        ),
        Write::Reassign(r) => rows::run(
            tx,
            "UPDATE workflows SET assigned_council_id = ?1, electorate = ?2, threshold = ?3, voting_deadline = ?4 \
             WHERE id = ?5 AND status = 'PENDING' AND decision IS NULL \
             AND CASE WHEN ?6 IS NULL \
                 THEN NOT EXISTS (SELECT 1 FROM workflow_votes WHERE workflow_id = workflows.id) \
                 ELSE voting_deadline = ?6 END",
            params![
                r.council_id,
                serde_json::to_string(&r.electorate).unwrap_or_default(),
                serde_json::to_string(&r.rule).unwrap_or_default(),
                r.voting_deadline.as_ref().map(micros),
                r.workflow_id,
                r.expired_deadline.as_ref().map(micros),
            ],
        ),
        Write::Totals(row) => add_to_totals(tx, row),
        Write::Metric(m) => {
            rows::run(
                tx,
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
                    micros(&m.recorded_at),
                ],
            )?;
            rows::run(
                tx,
                "UPDATE workflows SET metric_count = metric_count + 1, duration_ms = duration_ms + ?, \
                 success_ppm = success_ppm + ?, error_count = error_count + ? WHERE id = ?",
                params![m.duration_ms, m.success_ppm, m.error_count, m.workflow_id],
            )
        }
        Write::Vote(v) => rows::run(
            tx,
            "INSERT INTO workflow_votes (id, workflow_id, user_id, vote, reason, voted_at, digest, cast_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            params![
                v.id,
                v.workflow_id,
                v.user_id,
                v.vote.as_str(),
                v.reason,
                micros(&v.voted_at),
                v.digest,
                v.cast_by
            ],
        ),
        Write::Audit(a) => rows::run(
            tx,
            "INSERT INTO workflow_audit (workflow_id, event, actor, from_status, to_status, reason, at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            params![
                a.workflow_id,
                a.event.as_str(),
                a.actor,
                a.from_status.map(|s| s.as_str()),
                a.to_status.map(|s| s.as_str()),
                a.reason,
                micros(&a.at),
            ],
        ),
        Write::Event(e) => rows::run(
            tx,
            "INSERT INTO workflow_events (workflow_id, council_id, agent_id, kind, data, at) VALUES (?, ?, ?, ?, ?, ?)",
            params![
                e.workflow_id,
                e.council_id,
                e.agent_id,
                e.event.kind().as_str(),
                e.event.data().to_string(),
                micros(&e.at),
            ],
        ),
        Write::Job {
            workflow_id,
            available_at,
        } => crate::jobs::insert_job(tx, workflow_id, 0, *available_at).map(usize::from),
        Write::FinishStep(step) => rows::run(
            tx,
            "UPDATE workflow_steps SET status = ?, error = ?, output = ?, finished_at = ?, wake_at = COALESCE(?, wake_at) \
             WHERE workflow_id = ? AND position = ? AND status = 'running'",
            params![
                step.status.as_str(),
                step.error,
                step.output.as_ref().map(|o| o.to_string()),
                micros(&step.at),
                step.wake_at.as_ref().map(micros),
                step.workflow_id,
                step.position,
            ],
        ),
        Write::StartStep {
            workflow_id,
            position,
            name,
            at,
        } => rows::run(
            tx,
            "INSERT INTO workflow_steps (workflow_id, position, name, status, attempts, started_at) VALUES (?, ?, ?, 'running', 1, ?) \
             ON CONFLICT (workflow_id, position) DO UPDATE SET status = 'running', \
             attempts = workflow_steps.attempts + (workflow_steps.status <> 'waiting'), \
             started_at = excluded.started_at, finished_at = NULL, error = NULL",
            params![workflow_id, position, name, micros(at)],
        ),
    }
}

fn status(tx: &Connection, c: &StatusChange<'_>) -> Result<usize> {
    rows::run(
        tx,
        "UPDATE workflows SET status = ?1, decision = COALESCE(?2, decision), outputs = COALESCE(?3, outputs), \
         error = COALESCE(?4, error), \
         started_at = CASE WHEN ?1 = 'IN_PROGRESS' THEN COALESCE(started_at, ?5) ELSE started_at END, \
         completed_at = CASE WHEN ?1 IN ('COMPLETED', 'FAILED', 'CANCELLED') THEN ?5 ELSE completed_at END \
         WHERE id = ?6 AND status = ?7 AND (?8 = 0 OR decision IS NULL) \
         AND (?9 IS NULL OR voting_deadline < ?9)",
        params![
            c.to.as_str(),
            c.decision.map(|d| d.as_str()),
            c.outputs.map(|o| o.to_string()),
            c.error,
            c.at.timestamp_micros(),
            c.workflow_id,
            c.from.as_str(),
            c.require_undecided,
            c.overdue_at.map(|at| at.timestamp_micros()),
        ],
    )
}

/// Adds a row's (signed) counts to the aggregate table; bulk loads call it too.
pub(crate) fn add_to_totals(tx: &Connection, row: &AggregateRow) -> Result<usize> {
    let (key, c) = (&row.key, &row.counts);
    rows::run(
        tx,
        ADD_TO_TOTALS,
        params![
            key.council_id,
            key.agent_id,
            key.workflow_type_id,
            key.status.as_str(),
            c.workflows,
            c.weekly_cents,
            c.annual_cents,
            c.metric_count,
            c.duration_ms,
            c.success_ppm,
            c.error_count,
        ],
    )
}
