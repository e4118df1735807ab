//! Quorum's use cases. Handlers and commands call these; this is the only crate that combines
//! storage, the workflow-type registry and authorization.

pub mod auth;
mod ballot;
mod blob_cache;
mod chat;
mod contact;
pub mod dashboard;
pub mod demo;
mod directory;
mod error;
mod events;
mod executor;
mod governance;
pub mod keys;
mod mail;
pub mod registry;
mod relay;
pub mod sessions;
mod site_owners;
mod sites;
pub mod telemetry;
mod view;
mod worker;
mod workflows;

use std::sync::Arc;

use quorum_queue::{DbQueue, Queue};
use quorum_steps::{Handlers, StepEnv};
use quorum_store::{Store, StoreError};

pub use ballot::{Ballot, Standing, Tally};
pub use chat::{ChatContext, ChatMode, ChatOutcome, ChatRequest, Plan, PlannedCouncil};
pub use contact::{ContactForm, Received, valid_slug};
pub use directory::{NewCouncil, NewPrincipal, PrincipalCreated, TokensRevoked};
pub use error::ServiceError;
pub use executor::Outcome;
pub use governance::{CancelRequest, MembersRequest, ReassignRequest, VoteRequest};
pub use mail::Mailer;
pub use quorum_queue::RetryPolicy;
pub use registry::{Registered, Registry};
pub use site_owners::{Replaces, RollbackRequest};
pub use sites::{LiveSite, SiteAnswer};
pub use view::{StepView, WorkflowView};
pub use worker::{Signals, WorkerConfig, WorkerPool, default_workers};
pub use workflows::CreateWorkflow;

pub type ServiceResult<T> = Result<T, ServiceError>;

/// The application core shared by every request and command.
#[derive(Clone)]
pub struct Quorum {
    store: Arc<dyn Store>,
    queue: Arc<dyn Queue>,
    handlers: Arc<Handlers>,
    step_env: Arc<StepEnv>,
    /// Deployed sites, and the caches that serve them.
    sites: Arc<sites::Sites>,
    /// Spacing of retries; `max_attempts` is replaced by each type's.
    retry: RetryPolicy,
    mailer: Option<Arc<Mailer>>,
    registry: Arc<Registry>,
    auth: Arc<auth::Auth>,
    keys: Arc<keys::Keys>,
    public_reads: bool,
    /// Woken after every change this process makes, and by the database's notifications of
    /// changes other processes make; `GET /api/events` waits on it.
    changes: Arc<tokio::sync::Notify>,
    /// Woken when this process queues a workflow, and by the database's notifications; idle
    /// workers wait on it, so a step finishing elsewhere does not send them all to the queue.
    work: Arc<tokio::sync::Notify>,
}

impl Quorum {
    /// Wires the core over an opened store, with the database queue and the built-in step
    /// handlers. `admin_token` is the value of QUORUM_ADMIN_TOKEN.
    pub fn new(store: Arc<dyn Store>, admin_token: Option<&str>, public_reads: bool) -> Self {
        // Counters recorded before a recorder exists are lost, so the first core installs it.
        telemetry::install();
        let handlers = Arc::new(Handlers::builtin());
        Self {
            registry: Arc::new(Registry::new(store.clone(), handlers.clone())),
            auth: Arc::new(auth::Auth::new(store.clone(), admin_token)),
            keys: Arc::new(keys::Keys::new(store.clone())),
            queue: Arc::new(DbQueue::new(store.clone())),
            handlers,
            step_env: Arc::new(StepEnv {
                data_dir: "quorum-data".into(),
                public_url: "http://127.0.0.1:5000".into(),
            }),
            sites: Arc::new(sites::Sites::new(store.clone())),
            retry: RetryPolicy::default(),
            mailer: None,
            store,
            public_reads,
            changes: Arc::new(tokio::sync::Notify::new()),
            work: Arc::new(tokio::sync::Notify::new()),
        }
    }

    /// Consumes workflows from `queue` instead of the database's own.
    pub fn with_queue(mut self, queue: Arc<dyn Queue>) -> Self {
        self.queue = queue;
        self
    }

    /// Where step handlers leave their effects and where deployed work is reached.
    pub fn with_step_env(mut self, env: StepEnv) -> Self {
        self.step_env = Arc::new(env);
        self
    }

    /// How far apart a failed workflow's attempts are (its type says how many there are).
    pub fn with_retry_policy(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// Sends contact-form messages through `mailer` instead of keeping them in the outbox.
    pub fn with_mailer(mut self, mailer: Mailer) -> Self {
        self.mailer = Some(Arc::new(mailer));
        self
    }

    pub fn step_env(&self) -> &StepEnv {
        &self.step_env
    }

    pub fn queue(&self) -> &Arc<dyn Queue> {
        &self.queue
    }

    pub fn changes(&self) -> &Arc<tokio::sync::Notify> {
        &self.changes
    }

    /// Starts what a server runs beside its requests: the sweeper (overdue votes expired, old
    /// events pruned) and, on PostgreSQL, the listener that wakes event streams for changes
    /// made by other processes.
    pub async fn spawn_background(
        &self,
        database_url: &str,
        sweep_every: std::time::Duration,
        event_retention: chrono::Duration,
    ) -> ServiceResult<()> {
        self.listen_for_changes(database_url).await?;
        let quorum = self.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(sweep_every);
            loop {
                tick.tick().await;
                if let Err(e) = quorum.expire_overdue(quorum_domain::time::now()).await {
                    tracing::warn!(error = %e, "the voting-window sweep failed; it will run again");
                }
                let now = quorum_domain::time::now();
                if let Err(e) = quorum.prune_events(now, event_retention).await {
                    tracing::warn!(error = %e, "pruning old events failed; it will run again");
                }
            }
        });
        Ok(())
    }

    /// Deletes the events of finished workflows older than `retention` at `now`, a bounded
    /// batch per transaction so that a large backlog never holds the writer long; returns how
    /// many went. Events of pending and running workflows stay: a stream may still replay them.
    pub async fn prune_events(
        &self,
        now: chrono::DateTime<chrono::Utc>,
        retention: chrono::Duration,
    ) -> ServiceResult<u64> {
        const BATCH: i64 = 1_000;
        let mut pruned = 0;
        loop {
            let batch = self.store.prune_events(now - retention, BATCH).await?;
            pruned += batch;
            if batch < BATCH as u64 {
                break;
            }
            // Between batches, let requests waiting on the database in.
            tokio::task::yield_now().await;
        }
        if pruned > 0 {
            tracing::info!(pruned, "pruned old events of finished workflows");
        }
        Ok(pruned)
    }

    /// On PostgreSQL, wakes this process's event streams and idle workers when another
    /// process changes something; elsewhere there is no other process to hear from.
    pub async fn listen_for_changes(&self, database_url: &str) -> ServiceResult<()> {
        if database_url.starts_with("postgres") {
            let (changes, work) = (self.changes.clone(), self.work.clone());
            quorum_store_postgres::listen_for_changes(database_url, move || {
                changes.notify_waiters();
                work.notify_waiters();
            })
            .await?;
        }
        Ok(())
    }

    pub(crate) fn changed(&self) {
        self.changes.notify_waiters();
    }

    /// A workflow was queued: one idle worker of this process goes to claim it.
    pub(crate) fn work_queued(&self) {
        self.work.notify_one();
    }

    pub(crate) fn work(&self) -> &Arc<tokio::sync::Notify> {
        &self.work
    }

    /// Migrates the database, registers the built-in workflow types and makes sure the
    /// signing key exists.
    pub async fn prepare(&self) -> ServiceResult<()> {
        self.store.migrate().await?;
        self.registry.register_builtin().await?;
        self.keys().warm().await
    }

    /// The database's backend: `sqlite` or `postgres`.
    pub fn database_backend(&self) -> &'static str {
        self.store.backend()
    }

    /// A round trip to the database, for readiness.
    pub async fn ping_database(&self) -> ServiceResult<()> {
        Ok(self.store.ping().await?)
    }

    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    pub fn auth(&self) -> &auth::Auth {
        &self.auth
    }

    /// The keys cookies are sealed with, shared with every other process.
    pub fn keys(&self) -> &keys::Keys {
        &self.keys
    }

    pub fn public_reads(&self) -> bool {
        self.public_reads
    }
}

/// Opens the queue `spec` names: `db` (the store's own) or `redis://HOST:PORT[/DB]`, where
/// a `prefix=` query parameter names the keys (default `quorum`), so that deployments can
/// share one Redis.
pub async fn open_queue(spec: &str, store: Arc<dyn Store>) -> ServiceResult<Arc<dyn Queue>> {
    if spec.is_empty() || spec == "db" {
        return Ok(Arc::new(DbQueue::new(store)));
    }
    if !spec.starts_with("redis://") {
        return Err(ServiceError::bad_request(format!(
            "unsupported queue {spec:?}: use db or redis://HOST:PORT"
        )));
    }
    let (url, prefix) = split_prefix(spec);
    let queue = quorum_queue_redis::RedisQueue::connect(&url, &prefix).await?;
    Ok(Arc::new(queue))
}

/// Takes `prefix=` out of a Redis URL's query, which the Redis client would not accept.
fn split_prefix(spec: &str) -> (String, String) {
    let Some((base, query)) = spec.split_once('?') else {
        return (
            spec.to_owned(),
            quorum_queue_redis::DEFAULT_PREFIX.to_owned(),
        );
    };
    let mut prefix = quorum_queue_redis::DEFAULT_PREFIX.to_owned();
    let mut rest = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        match pair.strip_prefix("prefix=") {
            Some(value) if !value.is_empty() => prefix = value.to_owned(),
            _ => rest.push(pair),
        }
    }
    let url = match rest.is_empty() {
        true => base.to_owned(),
        false => format!("{base}?{}", rest.join("&")),
    };
    (url, prefix)
}

/// Opens the store a URL names: `sqlite://…` or `postgres://…`.
pub async fn open_store(url: &str, connections: u32) -> ServiceResult<Arc<dyn Store>> {
    if url.starts_with("sqlite:") {
        Ok(Arc::new(
            quorum_store_sqlite::SqliteStore::connect(url, connections).await?,
        ))
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Arc::new(
            quorum_store_postgres::PgStore::connect(url, connections).await?,
        ))
    } else {
        Err(ServiceError::Store(StoreError::Other(format!(
            "unsupported database URL {url:?}: use sqlite://PATH or postgres://…"
        ))))
    }
}

#[cfg(test)]
mod tests {
    use super::split_prefix;

    #[test]
    fn a_redis_url_may_name_its_key_prefix() {
        let split = |s: &str| {
            let (url, prefix) = split_prefix(s);
            (url, prefix)
        };
        assert_eq!(
            split("redis://127.0.0.1:6379"),
            ("redis://127.0.0.1:6379".into(), "quorum".into())
        );
        assert_eq!(
            split("redis://h:6379/2?prefix=team_a"),
            ("redis://h:6379/2".into(), "team_a".into())
        );
        assert_eq!(
            split("redis://h?protocol=resp3&prefix=x"),
            ("redis://h?protocol=resp3".into(), "x".into())
        );
    }
}
