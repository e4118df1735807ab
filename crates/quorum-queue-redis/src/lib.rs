//! `RedisQueue`: Quorum's queue on Redis Streams with a consumer group, for workers that
//! should not poll the database. Every operation is one Lua script (see `lua/`), so each is
//! atomic on the server.
//!
//! Keys, all under a prefix (`quorum` unless configured):
//!
//! - `{prefix}:stream:{priority}`: a stream per priority level, read by the consumer group
//!   `workers` with one consumer per worker name. An entry carries the workflow id (`wf`) and
//!   the attempts it had before this entry (`base`). Finished entries are acknowledged and
//!   deleted, so a stream holds exactly the level's queued and held jobs.
//! - `{prefix}:priorities`: the levels that have a stream; claim reads them highest first.
//! - `{prefix}:queued`: the workflows queued, delayed or held, so each is queued once.
//! - `{prefix}:delayed`: jobs not yet due, scored by due time in milliseconds of the Redis
//!   clock; claim moves the due ones into their stream.
//! - `{prefix}:reclaim:{priority}`: where the sweep for expired leases resumes.
//! - `{prefix}:swept:{priority}`: present for a tenth of a lease after a whole sweep, until
//!   which claims do not sweep that level again.
//!
//! A claimed entry stays pending for its consumer. Its lease runs out once it has been idle
//! longer than the lease the *claimer* passes to `claim`; the claimer then takes it over with
//! XAUTOCLAIM, which raises the delivery count and so the attempt (claims sweep for expired
//! leases at most every tenth of a lease, so a takeover may come that much late). All workers
//! must therefore claim with the same lease length, and `renew` resets the idle clock rather
//! than setting a deadline. Renew, ack and release check both the consumer and the attempt, so a lease that
//! was taken over, even by the same worker, is fenced off.

mod error;
mod scripts;

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use quorum_queue::{Job, Lease, Queue, QueueError, QueueResult};
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{FromRedisValue, Script, ScriptInvocation};

use crate::error::map_err;
use crate::scripts::SCRIPTS;

/// The key prefix when none is configured.
pub const DEFAULT_PREFIX: &str = "quorum";

/// Jobs per enqueue script, so that a large batch never blocks Redis for long.
const ENQUEUE_CHUNK: usize = 1_000;
/// Leases per ack script, for the same reason.
const ACK_CHUNK: usize = 1_000;
/// The most one claim hands out.
const MAX_CLAIM: usize = 1_000;
/// Durations are clamped to what a Lua number (a double) holds exactly.
const MAX_MS: u64 = 1 << 50;

#[derive(Clone)]
pub struct RedisQueue {
    connection: ConnectionManager,
    prefix: Arc<str>,
}

impl RedisQueue {
    /// Connects to `url` (`redis://…`), keeping keys under `prefix`. The connection is
    /// re-established after it drops; meanwhile calls fail with `Unavailable`.
    pub async fn connect(url: &str, prefix: &str) -> QueueResult<Self> {
        if prefix.is_empty() {
            return Err(QueueError::Other("the Redis key prefix is empty".into()));
        }
        let client = redis::Client::open(url)
            .map_err(|e| QueueError::Other(format!("bad Redis URL: {e}")))?;
        // The library's 500 ms response timeout is too short for a busy server running a
        // thousand-job script; a few retries keep a start against a dead server short.
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(Duration::from_secs(2)))
            .set_response_timeout(Some(Duration::from_secs(5)))
            .set_number_of_retries(3)
            .set_max_delay(Duration::from_secs(1));
        let connection = ConnectionManager::new_with_config(client, config)
            .await
            .map_err(map_err)?;
        Ok(RedisQueue {
            connection,
            prefix: prefix.into(),
        })
    }

    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// An invocation of `script` with the prefix, which every script takes first.
    fn invocation<'a>(&self, script: &'a Script) -> ScriptInvocation<'a> {
        let mut invocation = script.prepare_invoke();
        invocation.arg(&*self.prefix);
        invocation
    }

    async fn run<T: FromRedisValue>(&self, invocation: &ScriptInvocation<'_>) -> QueueResult<T> {
        let mut connection = self.connection.clone();
        invocation
            .invoke_async(&mut connection)
            .await
            .map_err(map_err)
    }

    /// The invocation of a script that claims (`claim.lua`'s first arguments).
    fn claim_invocation<'a>(
        &self,
        script: &'a Script,
        worker: &str,
        max: usize,
        lease: Duration,
    ) -> QueueResult<ScriptInvocation<'a>> {
        if worker.is_empty() {
            return Err(QueueError::Other("a worker needs a name to claim".into()));
        }
        let mut invocation = self.invocation(script);
        // A zero lease would take over every entry another worker holds.
        invocation
            .arg(worker)
            .arg(max.min(MAX_CLAIM))
            .arg(millis(lease).max(1));
        Ok(invocation)
    }

    /// The invocation of `script` for one held lease: priority, entry id, workflow, worker,
    /// attempt.
    fn lease_invocation<'a>(
        &self,
        script: &'a Script,
        lease: &Lease,
    ) -> QueueResult<ScriptInvocation<'a>> {
        let mut invocation = self.invocation(script);
        push_lease(&mut invocation, lease)?;
        Ok(invocation)
    }
}

/// What a claiming script returns of each entry: lease id, workflow id, attempt.
type Claimed = (String, String, i64);

fn leases(claimed: Vec<Claimed>, worker: &str) -> Vec<Lease> {
    claimed
        .into_iter()
        .map(|(id, workflow_id, attempt)| Lease {
            id,
            workflow_id,
            attempt,
            worker: worker.to_owned(),
        })
        .collect()
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(MAX_MS).min(MAX_MS)
}

/// A lease id names the entry's stream and the entry: `{priority}/{entry id}` (built by
/// `claim.lua`).
fn parse_lease_id(id: &str) -> QueueResult<(i64, &str)> {
    let bad = || QueueError::Other(format!("{id} is not a Redis queue lease id"));
    let (priority, entry) = id.split_once('/').ok_or_else(bad)?;
    let priority: i64 = priority.parse().map_err(|_| bad())?;
    let (ms, seq) = entry.split_once('-').ok_or_else(bad)?;
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !(digits(ms) && digits(seq)) {
        return Err(bad());
    }
    Ok((priority, entry))
}

fn push_lease(invocation: &mut ScriptInvocation<'_>, lease: &Lease) -> QueueResult<()> {
    let (priority, entry) = parse_lease_id(&lease.id)?;
    invocation
        .arg(priority)
        .arg(entry)
        .arg(&lease.workflow_id)
        .arg(&lease.worker)
        .arg(lease.attempt);
    Ok(())
}

#[async_trait]
impl Queue for RedisQueue {
    fn backend(&self) -> &'static str {
        "redis"
    }

    async fn enqueue(&self, jobs: &[Job]) -> QueueResult<u64> {
        let mut added = 0;
        for chunk in jobs.chunks(ENQUEUE_CHUNK) {
            let mut invocation = self.invocation(&SCRIPTS.enqueue);
            for job in chunk {
                let due = job
                    .not_before
                    .map(|at| at.timestamp_millis().to_string())
                    .unwrap_or_default();
                invocation.arg(&job.workflow_id).arg(job.priority).arg(due);
            }
            added += self.run::<u64>(&invocation).await?;
        }
        Ok(added)
    }

    async fn claim(&self, worker: &str, max: usize, lease: Duration) -> QueueResult<Vec<Lease>> {
        if max == 0 {
            return Ok(Vec::new());
        }
        let invocation = self.claim_invocation(&SCRIPTS.claim, worker, max, lease)?;
        let claimed: Vec<Claimed> = self.run(&invocation).await?;
        Ok(leases(claimed, worker))
    }

    async fn renew(&self, lease: &Lease, _duration: Duration) -> QueueResult<bool> {
        let invocation = self.lease_invocation(&SCRIPTS.renew, lease)?;
        Ok(self.run::<i64>(&invocation).await? == 1)
    }

    async fn ack(&self, leases: &[Lease]) -> QueueResult<u64> {
        let mut acked = 0;
        for chunk in leases.chunks(ACK_CHUNK) {
            let mut invocation = self.invocation(&SCRIPTS.ack);
            for lease in chunk {
                push_lease(&mut invocation, lease)?;
            }
            acked += self.run::<u64>(&invocation).await?;
        }
        Ok(acked)
    }

    async fn ack_and_claim(
        &self,
        done: &[Lease],
        worker: &str,
        max: usize,
        lease: Duration,
    ) -> QueueResult<(u64, Vec<Lease>)> {
        if done.len() > ACK_CHUNK || max == 0 {
            let acked = self.ack(done).await?;
            return Ok((acked, self.claim(worker, max, lease).await?));
        }
        let mut invocation = self.claim_invocation(&SCRIPTS.ack_and_claim, worker, max, lease)?;
        for finished in done {
            push_lease(&mut invocation, finished)?;
        }
        let (acked, claimed): (u64, Vec<Claimed>) = self.run(&invocation).await?;
        Ok((acked, leases(claimed, worker)))
    }

    async fn release(&self, lease: &Lease, delay: Duration) -> QueueResult<bool> {
        let mut invocation = self.lease_invocation(&SCRIPTS.release, lease)?;
        invocation.arg(millis(delay));
        Ok(self.run::<i64>(&invocation).await? == 1)
    }

    async fn depth(&self) -> QueueResult<i64> {
        self.run(&self.invocation(&SCRIPTS.depth)).await
    }

    async fn ping(&self) -> QueueResult<()> {
        let mut connection = self.connection.clone();
        redis::cmd("PING")
            .query_async::<String>(&mut connection)
            .await
            .map(|_| ())
            .map_err(map_err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lease_id_names_the_priority_and_the_entry() {
        assert_eq!(
            parse_lease_id("-5/1700000000000-3").unwrap(),
            (-5, "1700000000000-3")
        );
        for bad in [
            "", "7", "x/1-0", "7/", "7/1", "7/1-", "7/-0", "7/1-0-0", "7/a-0",
        ] {
            assert!(
                matches!(parse_lease_id(bad), Err(QueueError::Other(_))),
                "{bad:?} is refused"
            );
        }
    }

    #[test]
    fn durations_fit_a_lua_number() {
        assert_eq!(millis(Duration::from_millis(1500)), 1500);
        assert_eq!(millis(Duration::MAX), MAX_MS);
    }
}
