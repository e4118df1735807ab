//! Step records on PostgreSQL: what `steps[]` of a workflow's detail shows while it runs.
//!
//! Step records commit without waiting for the disk (`synchronous_commit = off`): a record
//! lost to a crash only makes its idempotent step run again, and the workflow's end, which
//! waits for the disk, flushes every record written before it. This is most of the commits of
//! a run.
//!
//! They are also most of its statements: a finish took six round trips (begin, read the
//! workflow, the step, its event, the next step, commit), and with a process's workers all
//! finishing steps those round trips were most of the database's work and of the process's
//! own. So the records of concurrent workflows are written together: one caller at a time
//! writes, for everyone who arrived meanwhile, one transaction of the same six statements
//! over arrays (group commit). Each record is still planned on its own by
//! `quorum_store::plan::finish_step`, with the workflow read in that transaction, and each
//! caller gets its own answer; a batch that fails is written again a record at a time, so
//! that one bad record fails alone.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};

use chrono::{DateTime, Utc};
use quorum_domain::Workflow;
use quorum_store::NewEvent;
use quorum_store::plan::{self, Write};
use quorum_store::{StepOutcome, StoreError, StoreResult};
use sqlx::PgConnection;
use sqlx::postgres::PgPool;
use tokio::sync::oneshot;

use crate::map_err;
use crate::rows::{self, WORKFLOW_COLUMNS};
use crate::workflows::fetch;
use crate::writes::apply_all;

/// Records in one transaction at most: past this the arrays cost more than the round trips
/// they save, and a caller at the back waits for everyone before it.
const MOST_AT_ONCE: usize = 64;

/// A step record to write.
#[derive(Debug, Clone)]
enum Record {
    /// The first step a worker runs (later ones start with the finish before them).
    Start {
        workflow_id: String,
        position: i64,
        name: String,
        at: DateTime<Utc>,
    },
    Finish(StepOutcome),
}

impl Record {
    fn workflow_id(&self) -> &str {
        match self {
            Record::Start { workflow_id, .. } => workflow_id,
            Record::Finish(step) => &step.workflow_id,
        }
    }
}

/// What a finish answers: the workflow as it was read when its step was recorded.
type Written = StoreResult<Option<Workflow>>;

enum Reply {
    Written(Written),
    /// The last writer is done and others are waiting: write this record, and theirs.
    Lead(Record),
}

struct Waiting {
    record: Record,
    reply: oneshot::Sender<Reply>,
}

#[derive(Default)]
struct Line {
    waiting: VecDeque<Waiting>,
    /// Whether a caller is writing a batch (and will hand the line on when done).
    writing: bool,
}

/// The queue of step records waiting for the batch being written. Shared by the clones of a
/// store, so that every worker of a process joins the same line.
#[derive(Clone, Default)]
pub(crate) struct Recorder {
    line: Arc<Mutex<Line>>,
}

impl Recorder {
    pub(crate) async fn start(
        &self,
        pool: &PgPool,
        workflow_id: &str,
        position: i64,
        name: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<()> {
        let record = Record::Start {
            workflow_id: workflow_id.to_owned(),
            position,
            name: name.to_owned(),
            at,
        };
        self.write(pool, record).await.map(|_| ())
    }

    /// The step's end; the workflow is read first, as a cancel may have ended it meanwhile.
    pub(crate) async fn finish(&self, pool: &PgPool, step: &StepOutcome) -> StoreResult<Workflow> {
        let read = self.write(pool, Record::Finish(step.clone())).await?;
        read.ok_or_else(|| {
            StoreError::Other("a step's finish came back without its workflow".into())
        })
    }

    fn line(&self) -> MutexGuard<'_, Line> {
        // The line holds no invariant a panic could break halfway: keep using it.
        self.line
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    async fn write(&self, pool: &PgPool, record: Record) -> Written {
        let waiting = {
            let mut line = self.line();
            if line.writing {
                let (reply, answer) = oneshot::channel();
                line.waiting.push_back(Waiting { record, reply });
                Err(answer)
            } else {
                line.writing = true;
                Ok(record)
            }
        };
        let own = match waiting {
            Ok(record) => record,
            Err(answer) => match answer.await {
                Ok(Reply::Written(written)) => return written,
                Ok(Reply::Lead(record)) => record,
                Err(_) => {
                    return Err(StoreError::Other(
                        "the batch holding this step record was abandoned".into(),
                    ));
                }
            },
        };
        let turn = Turn { recorder: self };
        let others = turn.take(own.workflow_id());
        let mut records = vec![own];
        records.extend(others.iter().map(|w| w.record.clone()));
        let mut written = write_batch(pool, &records).await.into_iter();
        let own = written.next().unwrap_or_else(|| Err(missing()));
        for (waiting, result) in others
            .into_iter()
            .zip(written.chain(std::iter::repeat_with(|| Err(missing()))))
        {
            // A caller that gave up waiting has nobody to tell.
            let _ = waiting.reply.send(Reply::Written(result));
        }
        drop(turn);
        own
    }
}

fn missing() -> StoreError {
    StoreError::Other("a batch of step records answered fewer records than it was given".into())
}

/// The writer's turn: on its end, however it ends (a caller dropped mid-write included), the
/// next one waiting leads, or the line is free again.
struct Turn<'r> {
    recorder: &'r Recorder,
}

impl Turn<'_> {
    /// Who joins the batch: those waiting, in order, one record per workflow (the next record
    /// of a workflow waits for the batch after, as its own worker would).
    fn take(&self, own: &str) -> Vec<Waiting> {
        let mut line = self.recorder.line();
        let mut workflows: HashSet<String> = HashSet::from([own.to_owned()]);
        let mut taken = Vec::new();
        let mut left = VecDeque::new();
        while let Some(waiting) = line.waiting.pop_front() {
            if taken.len() + 1 < MOST_AT_ONCE
                && workflows.insert(waiting.record.workflow_id().to_owned())
            {
                taken.push(waiting);
            } else {
                left.push_back(waiting);
            }
        }
        line.waiting = left;
        taken
    }
}

impl Drop for Turn<'_> {
    fn drop(&mut self) {
        let mut line = self.recorder.line();
        while let Some(next) = line.waiting.pop_front() {
            match next.reply.send(Reply::Lead(next.record)) {
                Ok(()) => return,
                // It stopped waiting: the next one leads.
                Err(_) => continue,
            }
        }
        line.writing = false;
    }
}

/// Writes `records` in one transaction, or, if that fails, each in its own.
async fn write_batch(pool: &PgPool, records: &[Record]) -> Vec<Written> {
    if let [record] = records {
        return vec![write_one(pool, record).await];
    }
    match write_together(pool, records).await {
        Ok(written) => written,
        Err(error) => {
            tracing::warn!(%error, records = records.len(), "a batch of step records failed; writing them one at a time");
            let mut written = Vec::with_capacity(records.len());
            for record in records {
                written.push(write_one(pool, record).await);
            }
            written
        }
    }
}

/// A transaction that commits without waiting for the disk, begun in the same round trip.
async fn relaxed(pool: &PgPool) -> StoreResult<sqlx::Transaction<'static, sqlx::Postgres>> {
    pool.begin_with("BEGIN; SET LOCAL synchronous_commit = off")
        .await
        .map_err(map_err)
}

/// The same, its statements planned for the arrays they are given. A statement over arrays
/// planned once for any arrays keeps the plan made while the tables were small: joined to a
/// sequential scan of every step record (measured: one per batch, 39 million rows read in a
/// run of 3,000 workflows), where the index finds each record.
async fn relaxed_over_arrays(
    pool: &PgPool,
) -> StoreResult<sqlx::Transaction<'static, sqlx::Postgres>> {
    pool.begin_with(
        "BEGIN; SET LOCAL synchronous_commit = off; SET LOCAL plan_cache_mode = force_custom_plan",
    )
    .await
    .map_err(map_err)
}

/// One record, its plan applied write by write.
async fn write_one(pool: &PgPool, record: &Record) -> Written {
    let mut tx = relaxed(pool).await?;
    let read = match record {
        Record::Start {
            workflow_id,
            position,
            name,
            at,
        } => {
            let start = Write::StartStep {
                workflow_id,
                position: *position,
                name,
                at: *at,
            };
            apply_all(&mut tx, &[start]).await?;
            None
        }
        Record::Finish(step) => {
            let workflow = fetch(&mut tx, &step.workflow_id).await?;
            apply_all(&mut tx, &plan::finish_step(&workflow, step)?).await?;
            Some(workflow)
        }
    };
    tx.commit().await.map_err(map_err)?;
    Ok(read)
}

/// Records of distinct workflows in one transaction: the workflows read at once, each
/// record planned, and each kind of write made for all of them in one statement. A record
/// whose plan is refused, or whose step is no longer running, gets its error and writes
/// nothing; the others go on. The error returned is the transaction's own.
async fn write_together(pool: &PgPool, records: &[Record]) -> StoreResult<Vec<Written>> {
    let mut tx = relaxed_over_arrays(pool).await?;
    let finishing: Vec<&str> = records
        .iter()
        .filter(|r| matches!(r, Record::Finish(_)))
        .map(Record::workflow_id)
        .collect();
    let workflows = fetch_all(&mut tx, &finishing).await?;
    let mut written: Vec<Written> = Vec::with_capacity(records.len());
    let mut plans: Vec<(usize, Vec<Write<'_>>)> = Vec::new();
    for (n, record) in records.iter().enumerate() {
        let planned = match record {
            Record::Start {
                workflow_id,
                position,
                name,
                at,
            } => Ok((
                None,
                vec![Write::StartStep {
                    workflow_id,
                    position: *position,
                    name,
                    at: *at,
                }],
            )),
            Record::Finish(step) => match workflows.get(&step.workflow_id) {
                None => Err(StoreError::NotFound(format!(
                    "workflow {}",
                    step.workflow_id
                ))),
                Some(workflow) => {
                    plan::finish_step(workflow, step).map(|writes| (Some(workflow.clone()), writes))
                }
            },
        };
        match planned {
            Ok((read, writes)) => {
                written.push(Ok(read));
                plans.push((n, writes));
            }
            Err(refused) => written.push(Err(refused)),
        }
    }
    for (n, refused) in apply_together(&mut tx, &plans).await? {
        written[n] = Err(refused);
    }
    tx.commit().await.map_err(map_err)?;
    Ok(written)
}

async fn fetch_all(
    conn: &mut PgConnection,
    ids: &[&str],
) -> StoreResult<HashMap<String, Workflow>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let sql = format!("SELECT {WORKFLOW_COLUMNS} FROM workflows WHERE id = ANY($1)");
    let found = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(ids)
        .fetch_all(conn)
        .await
        .map_err(map_err)?;
    found
        .iter()
        .map(|row| rows::workflow(row).map(|w| (w.id.clone(), w)))
        .collect()
}

/// Applies plans of step records together: the finishes first (guarded: the step must be
/// running), then the events and starts of the plans whose finish held. Returns the plans
/// (by their number) whose finish found its step no longer running.
async fn apply_together(
    conn: &mut PgConnection,
    plans: &[(usize, Vec<Write<'_>>)],
) -> StoreResult<Vec<(usize, StoreError)>> {
    let finishes: Vec<(usize, &StepOutcome)> = plans
        .iter()
        .filter_map(|(n, writes)| match writes.first() {
            Some(Write::FinishStep(step)) => Some((*n, *step)),
            _ => None,
        })
        .collect();
    let finished = finish_all(conn, finishes.iter().map(|(_, step)| *step)).await?;
    let mut refused = Vec::new();
    for (n, step) in &finishes {
        let held = finished.contains(&(step.workflow_id.as_str(), step.position));
        if let Err(lost) = Write::FinishStep(step).check(u64::from(held)) {
            refused.push((*n, lost));
        }
    }
    let mut events = Vec::new();
    let mut starts = Vec::new();
    for (n, writes) in plans {
        if refused.iter().any(|(r, _)| r == n) {
            continue;
        }
        for write in writes {
            match write {
                Write::FinishStep(_) => {}
                Write::Event(event) => events.push(event),
                Write::StartStep {
                    workflow_id,
                    position,
                    name,
                    at,
                } => starts.push((*workflow_id, *position, *name, *at)),
                other => {
                    return Err(StoreError::Other(format!(
                        "a step record's plan holds a write that is not written together: {other:?}"
                    )));
                }
            }
        }
    }
    insert_events(conn, &events).await?;
    start_all(conn, &starts).await?;
    Ok(refused)
}

/// The steps' ends; returns the steps that were running (and so now are not).
async fn finish_all<'s>(
    conn: &mut PgConnection,
    steps: impl Iterator<Item = &'s StepOutcome>,
) -> StoreResult<HashSet<(&'s str, i64)>> {
    let steps: Vec<&StepOutcome> = steps.collect();
    if steps.is_empty() {
        return Ok(HashSet::new());
    }
    let ended: Vec<(String, i64)> = sqlx::query_as(
        "UPDATE workflow_steps s SET status = u.status, error = u.error, output = u.output, finished_at = u.at, \
         wake_at = COALESCE(u.wake_at, s.wake_at) \
         FROM UNNEST($1::text[], $2::bigint[], $3::text[], $4::text[], $5::jsonb[], $6::timestamptz[], $7::timestamptz[]) \
         AS u (workflow_id, position, status, error, output, at, wake_at) \
         WHERE s.workflow_id = u.workflow_id AND s.position = u.position AND s.status = 'running' \
         RETURNING s.workflow_id, s.position",
    )
    .bind(steps.iter().map(|s| s.workflow_id.as_str()).collect::<Vec<_>>())
    .bind(steps.iter().map(|s| s.position).collect::<Vec<_>>())
    .bind(steps.iter().map(|s| s.status.as_str()).collect::<Vec<_>>())
    .bind(steps.iter().map(|s| s.error.as_deref()).collect::<Vec<_>>())
    .bind(steps.iter().map(|s| s.output.clone()).collect::<Vec<_>>())
    .bind(steps.iter().map(|s| s.at).collect::<Vec<_>>())
    .bind(steps.iter().map(|s| s.wake_at).collect::<Vec<_>>())
    .fetch_all(conn)
    .await
    .map_err(map_err)?;
    Ok(steps
        .iter()
        .filter(|s| {
            ended
                .iter()
                .any(|(id, position)| *id == s.workflow_id && *position == s.position)
        })
        .map(|s| (s.workflow_id.as_str(), s.position))
        .collect())
}

/// The events, in order, and one wake-up for them (`writes::apply` explains `written_at`).
async fn insert_events(conn: &mut PgConnection, events: &[&NewEvent]) -> StoreResult<()> {
    if events.is_empty() {
        return Ok(());
    }
    sqlx::query(
        "WITH e AS (INSERT INTO workflow_events (workflow_id, council_id, agent_id, kind, data, at, written_at) \
         SELECT workflow_id, council_id, agent_id, kind, data, at, clock_timestamp() \
         FROM UNNEST($1::text[], $2::text[], $3::text[], $4::text[], $5::jsonb[], $6::timestamptz[]) \
         WITH ORDINALITY AS u (workflow_id, council_id, agent_id, kind, data, at, n) ORDER BY n RETURNING 1) \
         SELECT pg_notify('quorum_events', '') WHERE EXISTS (SELECT 1 FROM e)",
    )
    .bind(events.iter().map(|e| e.workflow_id.as_str()).collect::<Vec<_>>())
    .bind(events.iter().map(|e| e.council_id.as_str()).collect::<Vec<_>>())
    .bind(events.iter().map(|e| e.agent_id.as_str()).collect::<Vec<_>>())
    .bind(events.iter().map(|e| e.event.kind().as_str()).collect::<Vec<_>>())
    .bind(events.iter().map(|e| e.event.data()).collect::<Vec<_>>())
    .bind(events.iter().map(|e| e.at).collect::<Vec<_>>())
    .execute(conn)
    .await
    .map_err(map_err)?;
    Ok(())
}

/// Marks steps running, as `Write::StartStep` does one (see `writes::apply`).
async fn start_all(
    conn: &mut PgConnection,
    starts: &[(&str, i64, &str, DateTime<Utc>)],
) -> StoreResult<()> {
    if starts.is_empty() {
        return Ok(());
    }
    sqlx::query(
        "INSERT INTO workflow_steps (workflow_id, position, name, status, attempts, started_at) \
         SELECT workflow_id, position, name, 'running', 1, at \
         FROM UNNEST($1::text[], $2::bigint[], $3::text[], $4::timestamptz[]) AS u (workflow_id, position, name, at) \
         ON CONFLICT (workflow_id, position) DO UPDATE SET status = 'running', \
         attempts = workflow_steps.attempts + CASE WHEN workflow_steps.status = 'waiting' THEN 0 ELSE 1 END, \
         started_at = excluded.started_at, finished_at = NULL, error = NULL",
    )
    .bind(starts.iter().map(|s| s.0).collect::<Vec<_>>())
    .bind(starts.iter().map(|s| s.1).collect::<Vec<_>>())
    .bind(starts.iter().map(|s| s.2).collect::<Vec<_>>())
    .bind(starts.iter().map(|s| s.3).collect::<Vec<_>>())
    .execute(conn)
    .await
    .map_err(map_err)?;
    Ok(())
}
