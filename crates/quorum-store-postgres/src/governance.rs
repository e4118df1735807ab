//! Votes, decisions, hand-off, council changes and the event log on PostgreSQL. A vote locks
//! its workflow row first (`FOR UPDATE`), so concurrent votes queue and the one that settles
//! the matter is the only one to see it open.

use chrono::{DateTime, Utc};
use quorum_store::*;
use sqlx::QueryBuilder;
use sqlx::postgres::{PgPool, Postgres};

use crate::map_err;
use crate::rows;
use crate::workflows::fetch;
use crate::writes::{apply_all, ballots, held};

pub async fn cast_vote(pool: &PgPool, v: &NewVote) -> StoreResult<VoteOutcome> {
    let mut tx = pool.begin().await.map_err(map_err)?;
    let held = held(&mut tx, &v.workflow_id).await?;
    let ballots = ballots(&mut tx, &v.workflow_id).await?;
    let (writes, decided) = plan::vote(&held, &ballots, v)?;
    apply_all(&mut tx, &writes).await?;
    let workflow = fetch(&mut tx, &v.workflow_id).await?;
    tx.commit().await.map_err(map_err)?;
    Ok(plan::outcome(v, workflow, decided))
}

pub async fn enqueue(
    pool: &PgPool,
    id: &str,
    actor: &str,
    at: DateTime<Utc>,
) -> StoreResult<quorum_domain::Workflow> {
    let mut tx = pool.begin().await.map_err(map_err)?;
    let held = held(&mut tx, id).await?;
    apply_all(&mut tx, &plan::enqueue(&held, actor, at)?).await?;
    let workflow = fetch(&mut tx, id).await?;
    tx.commit().await.map_err(map_err)?;
    Ok(workflow)
}

pub async fn reassign(pool: &PgPool, r: &Reassignment) -> StoreResult<quorum_domain::Workflow> {
    let mut tx = pool.begin().await.map_err(map_err)?;
    // Holds the workflow, so a vote waits for the move or sees it.
    let held = held(&mut tx, &r.workflow_id).await?;
    let ballots = ballots(&mut tx, &r.workflow_id).await?;
    apply_all(&mut tx, &plan::reassign(&held, &ballots, r)?).await?;
    let workflow = fetch(&mut tx, &r.workflow_id).await?;
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

pub async fn set_members(
    pool: &PgPool,
    council_id: &str,
    members: &[String],
    rule: &quorum_domain::Rule,
) -> StoreResult<()> {
    let mut tx = pool.begin().await.map_err(map_err)?;
    sqlx::query("UPDATE councils SET threshold = $1 WHERE id = $2")
        .bind(serde_json::to_string(rule).unwrap_or_default())
        .bind(council_id)
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
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

/// The first event id after `$1` that a running transaction may still commit: the start of the
/// earliest gap in the ids that ends at an event written in the last ten seconds and that
/// retention did not make (migration 0019), or NULL when there is none. What a reader returns
/// stops below it, so that the events of one stream arrive in id order with none skipped. Ten
/// seconds is far longer than any of Quorum's transactions takes from its event to its
/// commit, and it is how long a gap that never fills (a write rolled back after taking an id)
/// holds up a stream.
///
/// The missing neighbour is looked up row by row (a scalar subquery, which PostgreSQL does not
/// turn into a join): as `NOT EXISTS` it became, in the plan kept for every call, a hash anti
/// join over a sequential scan of every event, run at each wake-up of each stream (the query
/// most often seen running in pg_stat_activity under an HTTP load).
const UNSETTLED: &str = "(SELECT MIN(GREATEST(COALESCE((SELECT MAX(p.id) FROM workflow_events p WHERE p.id < r.id), 0), $1)) + 1 \
    FROM workflow_events r \
    WHERE r.written_at > clock_timestamp() - interval '10 seconds' AND r.id > $1 + 1 \
    AND r.id - 1 > COALESCE((SELECT through FROM workflow_events_pruned), 0) \
    AND (SELECT q.id FROM workflow_events q WHERE q.id = r.id - 1) IS NULL)";

pub async fn events_after(
    pool: &PgPool,
    after: i64,
    filter: &EventFilter,
    limit: i64,
) -> StoreResult<Vec<EventRecord>> {
    let mut qb = QueryBuilder::<Postgres>::new("SELECT * FROM workflow_events WHERE id > ");
    qb.push_bind(after);
    qb.push(format_args!(
        " AND id < COALESCE({UNSETTLED}, 9223372036854775807)"
    ));
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

/// The id a new stream starts after: the newest event, or the last one before an event that a
/// running transaction may still commit.
pub async fn last_event_id(pool: &PgPool) -> StoreResult<i64> {
    sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT COALESCE({UNSETTLED} - 1, (SELECT MAX(id) FROM workflow_events), 0)"
    )))
    .bind(0_i64)
    .fetch_one(pool)
    .await
    .map_err(map_err)
}

pub async fn due_for_reminder(
    pool: &PgPool,
    council_id: &str,
    now: DateTime<Utc>,
    until: DateTime<Utc>,
    limit: i64,
) -> StoreResult<Vec<String>> {
    sqlx::query_scalar(
        "SELECT id FROM workflows w WHERE status = 'PENDING' AND decision IS NULL \
         AND voting_deadline IS NOT NULL AND voting_deadline > $1 AND voting_deadline <= $2 \
         AND assigned_council_id = $3 \
         AND NOT EXISTS (SELECT 1 FROM notices n WHERE n.workflow_id = w.id AND n.kind = 'reminder') \
         ORDER BY voting_deadline LIMIT $4",
    )
    .bind(now)
    .bind(until)
    .bind(council_id)
    .bind(limit)
    .fetch_all(pool)
    .await
    .map_err(map_err)
}

pub async fn undecided(
    pool: &PgPool,
    councils: &[String],
    order: QueueOrder,
    limit: i64,
    offset: i64,
) -> StoreResult<Vec<quorum_domain::Workflow>> {
    let undecided = "status = 'PENDING' AND decision IS NULL \
        AND (cardinality($1::text[]) = 0 OR assigned_council_id = ANY($1))";
    let with_deadline: i64 = match order {
        QueueOrder::Deadline => sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT COUNT(*) FROM workflows WHERE {undecided} AND voting_deadline IS NOT NULL"
        )))
        .bind(councils)
        .fetch_one(pool)
        .await
        .map_err(map_err)?,
        _ => 0,
    };
    let mut found = Vec::new();
    for slice in QueueSlice::of_page(order, limit, offset, with_deadline) {
        // The page's ids are counted off the index alone, then only they are read.
        let sql = format!(
            "SELECT {} FROM workflows WHERE id IN (SELECT id FROM workflows WHERE {undecided}{} \
             ORDER BY {order} LIMIT $2 OFFSET $3) ORDER BY {order}",
            rows::WORKFLOW_COLUMNS,
            slice.deadline_filter(),
            order = slice.order_by(),
        );
        let page = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(councils)
            .bind(slice.limit)
            .bind(slice.offset)
            .fetch_all(pool)
            .await
            .map_err(map_err)?;
        for row in &page {
            found.push(rows::workflow(row)?);
        }
    }
    Ok(found)
}
