//! The write path on PostgreSQL: what a plan (`quorum_store::plan`) is made from, read with
//! the workflow's row locked (`FOR UPDATE`, so that concurrent writers of one workflow queue
//! and each plans from what the last one committed), and the statement of each kind of write.
//! Events also wake listeners in every process (`pg_notify`) once their transaction commits.

use quorum_domain::VoteChoice;
use quorum_store::plan::{Ballot, Held, StatusChange, Write};
use quorum_store::{AggregateRow, StoreError, StoreResult, stored};
use sqlx::{PgConnection, Row};

use crate::map_err;
use crate::rows;

/// Into the connection's own stripe of the row (migration 0021), which no other connection's
/// transaction holds locked but by chance.
const ADD_TO_TOTALS: &str = "INSERT INTO workflow_totals AS t (council_id, agent_id, workflow_type_id, status, \
    workflows, weekly_cents, annual_cents, metric_count, duration_ms, success_ppm, error_count, stripe) \
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, pg_backend_pid() % 16) \
    ON CONFLICT (council_id, agent_id, workflow_type_id, status, stripe) DO UPDATE SET \
    workflows = t.workflows + excluded.workflows, weekly_cents = t.weekly_cents + excluded.weekly_cents, \
    annual_cents = t.annual_cents + excluded.annual_cents, metric_count = t.metric_count + excluded.metric_count, \
    duration_ms = t.duration_ms + excluded.duration_ms, success_ppm = t.success_ppm + excluded.success_ppm, \
    error_count = t.error_count + excluded.error_count";

/// The aggregate columns first, in the order `rows::aggregate` reads them.
const HELD: &str = "SELECT assigned_council_id, created_by_agent, workflow_type_id, status, 1::BIGINT, weekly_cents, \
    annual_cents, metric_count, duration_ms, success_ppm, error_count, id, decision, \
    queued_at IS NOT NULL AS queued, enqueue, electorate::text AS electorate, threshold::text AS threshold, digest \
    FROM workflows WHERE id = $1 FOR UPDATE";

/// What a plan needs to know of workflow `id`, whose row stays locked until the caller's
/// transaction ends.
pub(crate) async fn held(conn: &mut PgConnection, id: &str) -> StoreResult<Held> {
    let row = sqlx::query(HELD)
        .bind(id)
        .fetch_optional(conn)
        .await
        .map_err(map_err)?
        .ok_or_else(|| StoreError::NotFound(format!("workflow {id}")))?;
    let share = rows::aggregate(&row)?;
    let (electorate, rule) = stored::governance(&rows::Text(&row))?;
    Ok(Held {
        id: row.try_get("id").map_err(map_err)?,
        key: share.key,
        share: share.counts,
        decision: stored::decision(row.try_get("decision").map_err(map_err)?)?,
        queued: row.try_get("queued").map_err(map_err)?,
        enqueue: row.try_get("enqueue").map_err(map_err)?,
        electorate,
        rule,
        digest: row.try_get("digest").map_err(map_err)?,
    })
}

/// The votes cast on workflow `id` so far.
pub(crate) async fn ballots(conn: &mut PgConnection, id: &str) -> StoreResult<Vec<Ballot>> {
    let cast: Vec<(String, String)> =
        sqlx::query_as("SELECT user_id, vote FROM workflow_votes WHERE workflow_id = $1")
            .bind(id)
            .fetch_all(conn)
            .await
            .map_err(map_err)?;
    cast.into_iter()
        .map(|(user_id, vote)| {
            Ok(Ballot {
                vote: VoteChoice::parse(&vote)
                    .ok_or_else(|| StoreError::Other(format!("stored vote {vote:?}")))?,
                user_id,
            })
        })
        .collect()
}

/// Applies a plan's writes in order, in the caller's transaction. Neighbours that no check
/// guards share a statement (a run of aggregate rows; an audit row and its event): each
/// statement is a round trip to the server, and the status changes of a workflow's run were
/// made of a dozen.
pub(crate) async fn apply_all(conn: &mut PgConnection, writes: &[Write<'_>]) -> StoreResult<()> {
    let mut rest = writes;
    while let Some((write, after)) = rest.split_first() {
        rest = match (write, after.first()) {
            (Write::Audit(audit), Some(Write::Event(event))) => {
                audit_and_event(conn, audit, event).await?;
                &after[1..]
            }
            (Write::Totals(_), _) => {
                let run = rest
                    .iter()
                    .take_while(|w| matches!(w, Write::Totals(_)))
                    .count();
                let rows: Vec<&AggregateRow> = rest[..run]
                    .iter()
                    .filter_map(|w| match w {
                        Write::Totals(row) => Some(row),
                        _ => None,
                    })
                    .collect();
                add_all_to_totals(conn, &rows).await?;
                &rest[run..]
            }
            _ => {
                let rows = apply(conn, write).await?;
                write.check(rows)?;
                after
            }
        };
    }
    Ok(())
}

/// An audit row and the live event of the same change, in one statement.
async fn audit_and_event(
    conn: &mut PgConnection,
    a: &quorum_store::NewAudit,
    e: &quorum_store::NewEvent,
) -> StoreResult<()> {
    let query = sqlx::query(
        "WITH a AS (INSERT INTO workflow_audit (workflow_id, event, actor, from_status, to_status, reason, at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)), \
         e AS (INSERT INTO workflow_events (workflow_id, council_id, agent_id, kind, data, at, written_at) \
         VALUES ($8, $9, $10, $11, $12, $13, clock_timestamp()) RETURNING id) \
         SELECT pg_notify('quorum_events', '') FROM e",
    );
    bind_event(bind_audit(query, a), e)
        .execute(conn)
        .await
        .map_err(map_err)?;
    Ok(())
}

type PgQuery<'q> = sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments>;

/// Binds an audit row's columns, in the order its inserts name them.
fn bind_audit<'q>(query: PgQuery<'q>, a: &'q quorum_store::NewAudit) -> PgQuery<'q> {
    query
        .bind(&a.workflow_id)
        .bind(a.event.as_str())
        .bind(&a.actor)
        .bind(a.from_status.map(|s| s.as_str()))
        .bind(a.to_status.map(|s| s.as_str()))
        .bind(&a.reason)
        .bind(a.at)
}

/// Binds an event's columns, in the order its inserts name them.
fn bind_event<'q>(query: PgQuery<'q>, e: &'q quorum_store::NewEvent) -> PgQuery<'q> {
    query
        .bind(&e.workflow_id)
        .bind(&e.council_id)
        .bind(&e.agent_id)
        .bind(e.event.kind().as_str())
        .bind(e.event.data())
        .bind(e.at)
}

/// Aggregate rows in one statement, their locks taken in the order given (a plan's key order).
async fn add_all_to_totals(conn: &mut PgConnection, rows: &[&AggregateRow]) -> StoreResult<()> {
    if let [row] = rows {
        return add_to_totals(conn, row).await.map(|_| ());
    }
    let column = |f: fn(&quorum_store::Counts) -> i64| -> Vec<i64> {
        rows.iter().map(|r| f(&r.counts)).collect()
    };
    sqlx::query(
        "INSERT INTO workflow_totals AS t (council_id, agent_id, workflow_type_id, status, \
         workflows, weekly_cents, annual_cents, metric_count, duration_ms, success_ppm, error_count, stripe) \
         SELECT council_id, agent_id, workflow_type_id, status, workflows, weekly_cents, annual_cents, \
         metric_count, duration_ms, success_ppm, error_count, pg_backend_pid() % 16 \
         FROM UNNEST($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::bigint[], $7::bigint[], \
         $8::bigint[], $9::bigint[], $10::bigint[], $11::bigint[]) WITH ORDINALITY \
         AS r (council_id, agent_id, workflow_type_id, status, workflows, weekly_cents, annual_cents, \
         metric_count, duration_ms, success_ppm, error_count, n) ORDER BY n \
         ON CONFLICT (council_id, agent_id, workflow_type_id, status, stripe) DO UPDATE SET \
         workflows = t.workflows + excluded.workflows, weekly_cents = t.weekly_cents + excluded.weekly_cents, \
         annual_cents = t.annual_cents + excluded.annual_cents, metric_count = t.metric_count + excluded.metric_count, \
         duration_ms = t.duration_ms + excluded.duration_ms, success_ppm = t.success_ppm + excluded.success_ppm, \
         error_count = t.error_count + excluded.error_count",
    )
    .bind(rows.iter().map(|r| r.key.council_id.as_str()).collect::<Vec<_>>())
    .bind(rows.iter().map(|r| r.key.agent_id.as_str()).collect::<Vec<_>>())
    .bind(rows.iter().map(|r| r.key.workflow_type_id.as_str()).collect::<Vec<_>>())
    .bind(rows.iter().map(|r| r.key.status.as_str()).collect::<Vec<_>>())
    .bind(column(|c| c.workflows))
    .bind(column(|c| c.weekly_cents))
    .bind(column(|c| c.annual_cents))
    .bind(column(|c| c.metric_count))
    .bind(column(|c| c.duration_ms))
    .bind(column(|c| c.success_ppm))
    .bind(column(|c| c.error_count))
    .execute(conn)
    .await
    .map_err(map_err)?;
    Ok(())
}

/// Runs one write; returns how many rows its statement changed.
async fn apply(conn: &mut PgConnection, write: &Write<'_>) -> StoreResult<u64> {
    let done = match write {
        // A workflow created well before the database's clock may land among marked rows
        // (`quorum_store::marks`): it says so in a row of its own, which no other insert waits for.
        Write::Workflow { new, queued_at } => sqlx::query(
            "WITH late AS (INSERT INTO workflow_late_inserts (at) SELECT clock_timestamp() \
             WHERE $12 < clock_timestamp() - make_interval(secs => $20::float8)) \
             INSERT INTO workflows (id, workflow_type_id, workflow_type_version, created_by_agent, assigned_council_id, \
             status, decision, inputs, outputs, calculated_savings, weekly_cents, annual_cents, created_at, \
             electorate, threshold, digest, voting_deadline, enqueue, queued_at, preview) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, '{}', $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)",
        )
        .bind(&new.id)
        .bind(&new.workflow_type_id)
        .bind(new.workflow_type_version)
        .bind(&new.created_by_agent)
        .bind(&new.assigned_council_id)
        .bind(new.status.as_str())
        .bind(new.decision.map(|d| d.as_str()))
        .bind(&new.inputs)
        .bind(&new.calculated_savings)
        .bind(new.weekly_cents)
        .bind(new.annual_cents)
        .bind(new.created_at)
        .bind(serde_json::json!(new.electorate))
        .bind(serde_json::json!(new.rule))
        .bind(&new.digest)
        .bind(new.voting_deadline)
        .bind(new.enqueue)
        .bind(queued_at)
        .bind(new.preview.as_ref().map_or("", |p| p.hash.as_str()))
        .bind(quorum_store::marks::LATE_AFTER_SECS)
        .execute(conn)
        .await,
        Write::Notices {
            workflow_id,
            members,
            kind,
            at,
        } => return crate::notices::insert(conn, workflow_id, members, *kind, *at).await,
        Write::PreviewFiles { workflow_id, files } => {
            let column = |f: fn(&quorum_store::DeploymentFile) -> &str| -> Vec<&str> {
                files.iter().map(f).collect()
            };
            sqlx::query(
                "INSERT INTO preview_files (workflow_id, path, hash, content_type) \
                 SELECT $1, * FROM UNNEST($2::text[], $3::text[], $4::text[])",
            )
            .bind(workflow_id)
            .bind(column(|f| &f.path))
            .bind(column(|f| &f.hash))
            .bind(column(|f| &f.content_type))
            .execute(conn)
            .await
        }
        Write::Status(c) => return status(conn, c).await,
        Write::Approve {
            workflow_id,
            queued_at,
        } => sqlx::query(
            "UPDATE workflows SET decision = 'approved', queued_at = $1::timestamptz \
             WHERE id = $2 AND status = 'PENDING' AND decision IS NULL",
        )
        .bind(queued_at)
        .bind(workflow_id)
        .execute(conn)
        .await,
        Write::Queue { workflow_id, at } => sqlx::query(
            "UPDATE workflows SET queued_at = $1 \
             WHERE id = $2 AND status = 'PENDING' AND decision = 'approved' AND queued_at IS NULL",
        )
        .bind(at)
        .bind(workflow_id)
        .execute(conn)
        .await,
        Write::Reassign(r) => sqlx::query(
            "UPDATE workflows SET assigned_council_id = $1, electorate = $2, threshold = $3, voting_deadline = $4 \
             WHERE id = $5 AND status = 'PENDING' AND decision IS NULL \
             AND CASE WHEN $6::timestamptz IS NULL \
                 THEN NOT EXISTS (SELECT 1 FROM workflow_votes WHERE workflow_id = workflows.id) \
                 ELSE voting_deadline = $6 END",
        )
        .bind(&r.council_id)
        .bind(serde_json::json!(r.electorate))
        .bind(serde_json::json!(r.rule))
        .bind(r.voting_deadline)
        .bind(&r.workflow_id)
        .bind(r.expired_deadline)
        .execute(conn)
        .await,
        Write::Totals(row) => return add_to_totals(conn, row).await,
        Write::Metric(m) => sqlx::query(
            "WITH m AS (INSERT INTO workflow_metrics (id, workflow_id, attempt, duration_ms, weekly_cents, success_ppm, error_count, recorded_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)) \
             UPDATE workflows SET metric_count = metric_count + 1, duration_ms = duration_ms + $4, \
             success_ppm = success_ppm + $6, error_count = error_count + $7 WHERE id = $2",
        )
        .bind(&m.id)
        .bind(&m.workflow_id)
        .bind(m.attempt)
        .bind(m.duration_ms)
        .bind(m.weekly_cents)
        .bind(m.success_ppm)
        .bind(m.error_count)
        .bind(m.recorded_at)
        .execute(conn)
        .await,
        Write::Vote(v) => sqlx::query(
            "INSERT INTO workflow_votes (id, workflow_id, user_id, vote, reason, voted_at, digest, cast_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&v.id)
        .bind(&v.workflow_id)
        .bind(&v.user_id)
        .bind(v.vote.as_str())
        .bind(&v.reason)
        .bind(v.voted_at)
        .bind(&v.digest)
        .bind(&v.cast_by)
        .execute(conn)
        .await,
        Write::Audit(a) => {
            let query = sqlx::query(
                "INSERT INTO workflow_audit (workflow_id, event, actor, from_status, to_status, reason, at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            );
            bind_audit(query, a).execute(conn).await
        }
        Write::Event(e) => {
            // `written_at` lets readers tell a gap that may still fill (migration 0019). The
            // notification rides on the insert: one round trip, not two.
            let query = sqlx::query(
                "WITH e AS (INSERT INTO workflow_events (workflow_id, council_id, agent_id, kind, data, at, written_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, clock_timestamp()) RETURNING id) \
                 SELECT pg_notify('quorum_events', '') FROM e",
            );
            bind_event(query, e).execute(conn).await
        }
        Write::Job {
            workflow_id,
            available_at,
        } => {
            let queued = crate::jobs::insert_job(conn, workflow_id, 0, *available_at).await?;
            return Ok(u64::from(queued));
        }
        Write::FinishStep(step) => sqlx::query(
            "UPDATE workflow_steps SET status = $1, error = $2, output = $3, finished_at = $4, \
             wake_at = COALESCE($7, wake_at) \
             WHERE workflow_id = $5 AND position = $6 AND status = 'running'",
        )
        .bind(step.status.as_str())
        .bind(&step.error)
        .bind(&step.output)
        .bind(step.at)
        .bind(&step.workflow_id)
        .bind(step.position)
        .bind(step.wake_at)
        .execute(conn)
        .await,
        Write::StartStep {
            workflow_id,
            position,
            name,
            at,
        } => sqlx::query(
            "INSERT INTO workflow_steps (workflow_id, position, name, status, attempts, started_at) \
             VALUES ($1, $2, $3, 'running', 1, $4) \
             ON CONFLICT (workflow_id, position) DO UPDATE SET status = 'running', \
             attempts = workflow_steps.attempts + CASE WHEN workflow_steps.status = 'waiting' THEN 0 ELSE 1 END, \
             started_at = excluded.started_at, finished_at = NULL, error = NULL",
        )
        .bind(workflow_id)
        .bind(position)
        .bind(name)
        .bind(at)
        .execute(conn)
        .await,
    };
    Ok(done.map_err(map_err)?.rows_affected())
}

async fn status(conn: &mut PgConnection, c: &StatusChange<'_>) -> StoreResult<u64> {
    let to = c.to.as_str();
    let updated = sqlx::query(
        "UPDATE workflows SET status = $1, decision = COALESCE($2::text, decision), outputs = COALESCE($3::jsonb, outputs), \
         error = COALESCE($4::text, error), \
         started_at = CASE WHEN $5::text = 'IN_PROGRESS' THEN COALESCE(started_at, $6::timestamptz) ELSE started_at END, \
         completed_at = CASE WHEN $7::text IN ('COMPLETED', 'FAILED', 'CANCELLED') THEN $8::timestamptz ELSE completed_at END \
         WHERE id = $9 AND status = $10 AND (NOT $11 OR decision IS NULL) \
         AND ($12::timestamptz IS NULL OR voting_deadline < $12)",
    )
    .bind(to)
    .bind(c.decision.map(|d| d.as_str()))
    .bind(c.outputs)
    .bind(c.error)
    .bind(to)
    .bind(c.at)
    .bind(to)
    .bind(c.at)
    .bind(c.workflow_id)
    .bind(c.from.as_str())
    .bind(c.require_undecided)
    .bind(c.overdue_at)
    .execute(conn)
    .await
    .map_err(map_err)?;
    Ok(updated.rows_affected())
}

/// Adds a row's (signed) counts to the aggregate table; bulk loads call it too.
pub(crate) async fn add_to_totals(conn: &mut PgConnection, row: &AggregateRow) -> StoreResult<u64> {
    let (key, c) = (&row.key, &row.counts);
    let done = sqlx::query(ADD_TO_TOTALS)
        .bind(&key.council_id)
        .bind(&key.agent_id)
        .bind(&key.workflow_type_id)
        .bind(key.status.as_str())
        .bind(c.workflows)
        .bind(c.weekly_cents)
        .bind(c.annual_cents)
        .bind(c.metric_count)
        .bind(c.duration_ms)
        .bind(c.success_ppm)
        .bind(c.error_count)
        .execute(conn)
        .await
        .map_err(map_err)?;
    Ok(done.rows_affected())
}
