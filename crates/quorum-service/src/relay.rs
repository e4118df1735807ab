//! The relay to an external queue. Approvals queue in the database, in the transaction that
//! decides them; when workers consume Redis instead, this moves those jobs across: claim a
//! batch from the database queue, enqueue it on Redis, then acknowledge it. A relay that dies
//! between the two lets its claim expire and the batch is moved again; Redis refuses a
//! workflow it holds already, and a worker acknowledges a workflow that has already finished.

use std::sync::Arc;
use std::time::Duration;

use quorum_queue::Job;
use tokio::sync::watch;

use crate::Quorum;
use crate::worker::WorkerConfig;

const BATCH: i64 = 500;

pub(crate) async fn run(
    quorum: Quorum,
    config: Arc<WorkerConfig>,
    mut draining: watch::Receiver<bool>,
) {
    let name = format!("{}-relay", config.name);
    let store = quorum.store.clone();
    let lease = chrono::Duration::from_std(config.lease).unwrap_or(chrono::Duration::seconds(30));
    while !*draining.borrow() {
        let moved = async {
            let claims = store
                .claim_jobs(&name, quorum_domain::time::now(), lease, BATCH)
                .await?;
            if claims.is_empty() {
                return Ok::<usize, crate::ServiceError>(0);
            }
            let jobs: Vec<Job> = claims
                .iter()
                .map(|c| Job::now(c.workflow_id.clone()))
                .collect();
            quorum
                .queue
                .enqueue(&jobs)
                .await
                .map_err(crate::ServiceError::from)?;
            store.ack_jobs(&claims).await?;
            quorum.work().notify_waiters();
            Ok(claims.len())
        }
        .await;
        let wait = match moved {
            Ok(0) => config.poll,
            Ok(_) => continue,
            Err(e) => {
                tracing::warn!(error = %e, "moving approved workflows to the queue failed; retrying");
                config.poll.saturating_mul(4)
            }
        };
        // Any change may be an approval; the relay is one task, so it listens to them all.
        let changes = quorum.changes().clone();
        tokio::select! {
            _ = changes.notified() => {}
            _ = tokio::time::sleep(wait.max(Duration::from_millis(10))) => {}
            _ = draining.changed() => {}
        }
    }
}
