//! Workers: tasks that claim workflows from the queue, keep their lease alive with a
//! heartbeat while `execute` runs them, then acknowledge, retry or hand the job back. The same
//! pool runs inside `quorum serve` and in `quorum worker` processes.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use quorum_queue::{Lease, Queue};
use rand::RngExt;
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::Quorum;
use crate::executor::Outcome;
use crate::telemetry;

#[derive(Debug, Clone)]
pub struct WorkerConfig {
    /// Workflows this process runs at once.
    pub concurrency: usize,
    /// How long a claim holds without a heartbeat; every worker of a deployment uses the same.
    pub lease: Duration,
    /// The longest an idle worker waits before looking at the queue again.
    pub poll: Duration,
    /// After a shutdown signal, how long running steps may take before their jobs are handed
    /// back unfinished.
    pub grace: Duration,
    /// Names this process's workers in leases and logs.
    pub name: String,
}

/// Workflows a process runs at once unless told otherwise: eight per core. Workers are tasks,
/// not threads, and a workflow's steps wait (HTTP, disk, the database), so more workers than
/// cores keep the cores busy: website workflows on 2 cores went 185/s with 2 workers, 221/s
/// with 4 and 240/s with 16 (BENCHMARKS.md); steps that call slower services gain more.
pub fn default_workers() -> usize {
    8 * std::thread::available_parallelism().map_or(2, usize::from)
}

impl Default for WorkerConfig {
    fn default() -> Self {
        WorkerConfig {
            concurrency: default_workers(),
            lease: Duration::from_secs(30),
            poll: Duration::from_millis(250),
            grace: Duration::from_secs(30),
            name: format!("worker-{}", std::process::id()),
        }
    }
}

/// What a running workflow's worker is told between steps.
pub struct Signals {
    lease_lost: AtomicBool,
    draining: watch::Receiver<bool>,
}

impl Signals {
    pub fn new(draining: watch::Receiver<bool>) -> Self {
        Signals {
            lease_lost: AtomicBool::new(false),
            draining,
        }
    }

    pub fn lease_lost(&self) -> bool {
        self.lease_lost.load(Ordering::Acquire)
    }

    pub fn draining(&self) -> bool {
        *self.draining.borrow()
    }
}

/// The running workers of this process.
pub struct WorkerPool {
    drain: watch::Sender<bool>,
    tasks: JoinSet<()>,
}

impl WorkerPool {
    /// Stops claiming, lets running steps finish within the grace period, hands back what is
    /// left, and returns once every worker has stopped.
    pub async fn shutdown(mut self) {
        let _ = self.drain.send(true);
        while self.tasks.join_next().await.is_some() {}
    }
}

impl Quorum {
    /// Starts `config.concurrency` workers, and, when the queue is not the database's, the
    /// relay that moves approvals from the database's hand-off table onto it.
    pub fn spawn_workers(&self, config: WorkerConfig) -> WorkerPool {
        let (drain, draining) = watch::channel(false);
        let mut tasks = JoinSet::new();
        let config = Arc::new(config);
        for n in 0..config.concurrency.max(1) {
            let worker = Worker {
                quorum: self.clone(),
                config: config.clone(),
                name: format!("{}-{n}", config.name),
                draining: draining.clone(),
            };
            tasks.spawn(worker.run());
        }
        if !self.queue.shares_store_transactions() {
            tasks.spawn(crate::relay::run(self.clone(), config.clone(), draining));
        }
        WorkerPool { drain, tasks }
    }
}

struct Worker {
    quorum: Quorum,
    config: Arc<WorkerConfig>,
    name: String,
    draining: watch::Receiver<bool>,
}

impl Worker {
    async fn run(mut self) {
        let queue = self.quorum.queue.clone();
        let mut failures = 0u32;
        // A finished job's ack, handed in with the next claim: one round trip per job, not two.
        let mut finished: Vec<Lease> = Vec::new();
        while !*self.draining.borrow() {
            match queue
                .ack_and_claim(&finished, &self.name, 1, self.config.lease)
                .await
            {
                Ok((acked, mut claimed)) => {
                    lost_in_ack(&finished, acked);
                    finished.clear();
                    match claimed.pop() {
                        Some(lease) => {
                            failures = 0;
                            // There may be more: a wake-up says only that work came, so each
                            // claim passes it on to the next idle worker of this process.
                            self.quorum.work().notify_one();
                            metrics::counter!(telemetry::CLAIMS).increment(1);
                            finished.extend(self.run_one(lease).await);
                        }
                        None => self.idle(self.config.poll).await,
                    }
                }
                Err(e) => {
                    // Each queue's call is atomic, so an ack it carried is still owed.
                    failures = failures.saturating_add(1);
                    tracing::warn!(worker = %self.name, error = %e, "claiming from the queue failed; backing off");
                    self.idle(self.config.poll.saturating_mul(failures.min(20)))
                        .await;
                }
            }
        }
        if !finished.is_empty() {
            match queue.ack(&finished).await {
                Ok(acked) => lost_in_ack(&finished, acked),
                Err(e) => {
                    tracing::warn!(worker = %self.name, error = %e, "acknowledging the last job failed; its lease will expire")
                }
            }
        }
        tracing::debug!(worker = %self.name, "stopped");
    }

    /// Waits for new work, at most `wait` (jittered, so idle workers do not poll in step).
    async fn idle(&mut self, wait: Duration) {
        let wait = wait.mul_f64(rand::rng().random_range(0.5..1.0));
        let work = self.quorum.work().clone();
        tokio::select! {
            _ = work.notified() => {}
            _ = tokio::time::sleep(wait) => {}
            _ = self.draining.changed() => {}
        }
    }

    /// Runs the job; returns its lease when it is done and owes its ack, having settled any
    /// other outcome itself.
    async fn run_one(&self, lease: Lease) -> Option<Lease> {
        let queue = self.quorum.queue.clone();
        let signals = Arc::new(Signals::new(self.draining.clone()));
        let heartbeat = tokio::spawn(heartbeat(
            queue.clone(),
            lease.clone(),
            self.config.lease,
            signals.clone(),
        ));
        let outcome = tokio::select! {
            outcome = self.quorum.execute(&lease, &signals) => outcome,
            _ = grace_over(self.draining.clone(), self.config.grace) => {
                tracing::warn!(workflow.id = %lease.workflow_id, "the grace period ended mid-step; handing the workflow back");
                Ok(Outcome::Handback)
            }
        };
        heartbeat.abort();
        let settled = match outcome {
            Ok(Outcome::Done) => return Some(lease),
            Ok(Outcome::Retry(wait)) => queue.release(&lease, wait).await,
            Ok(Outcome::Handback) => queue.release(&lease, Duration::ZERO).await,
            Ok(Outcome::Wait(wait)) => queue.release(&lease, wait).await,
            Ok(Outcome::LeaseLost) => Ok(true),
            Err(e) => {
                tracing::error!(workflow.id = %lease.workflow_id, error = %e, "running the workflow failed; it will be tried again");
                queue
                    .release(&lease, self.config.poll.saturating_mul(20))
                    .await
            }
        };
        match settled {
            Ok(true) => {}
            Ok(false) => lease_passed(&lease),
            Err(e) => {
                tracing::warn!(workflow.id = %lease.workflow_id, error = %e, "settling the job failed; its lease will expire")
            }
        }
        None
    }
}

/// Counts and logs the leases an ack found had passed to another worker (`acked` of `leases`
/// were still held).
fn lost_in_ack(leases: &[Lease], acked: u64) {
    if acked < leases.len() as u64 {
        // One job per ack in the workers' loop, so the one owed is the one lost.
        leases.iter().for_each(lease_passed);
    }
}

fn lease_passed(lease: &Lease) {
    metrics::counter!(telemetry::LEASES_LOST).increment(1);
    tracing::warn!(workflow.id = %lease.workflow_id, "the lease had passed to another worker");
}

/// Renews the lease at a third of its length until aborted; flags the lease lost when a
/// renewal is refused (another worker holds the job now).
async fn heartbeat(queue: Arc<dyn Queue>, lease: Lease, length: Duration, signals: Arc<Signals>) {
    let every = length / 3;
    loop {
        tokio::time::sleep(every).await;
        match queue.renew(&lease, length).await {
            Ok(true) => {}
            Ok(false) => {
                signals.lease_lost.store(true, Ordering::Release);
                metrics::counter!(telemetry::LEASES_LOST).increment(1);
                tracing::warn!(workflow.id = %lease.workflow_id, "lost the lease; stopping before the next step");
                return;
            }
            Err(e) => {
                tracing::warn!(workflow.id = %lease.workflow_id, error = %e, "renewing the lease failed; trying again")
            }
        }
    }
}

/// Resolves `grace` after draining starts; never, until then.
async fn grace_over(mut draining: watch::Receiver<bool>, grace: Duration) {
    if draining.wait_for(|d| *d).await.is_err() {
        std::future::pending::<()>().await;
    }
    tokio::time::sleep(grace).await;
}
