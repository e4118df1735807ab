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
mod notices;
mod orders;
mod previews;
pub mod registry;
mod relay;
mod review;
pub mod sessions;
mod site_domains;
mod site_owners;
mod sites;
pub mod telemetry;
mod uploads;
mod view;
mod visitors;
mod worker;
mod workflows;

use std::sync::Arc;

use quorum_queue::{DbQueue, Queue};
use quorum_steps::{Handlers, StepEnv};
use quorum_store::{Change, Store, Wakeups};

pub use ballot::{Ballot, Standing, Tally};
pub use chat::{ChatContext, ChatMode, ChatOutcome, ChatRequest, Plan, PlannedCouncil};
pub use contact::{ContactForm, Received, form_problems, valid_slug};
pub use directory::{NewCouncil, NewPrincipal, PrincipalCreated, TokensRevoked};
pub use error::ServiceError;
pub use executor::Outcome;
pub use governance::{
    CancelRequest, DelegationRequest, MembersRequest, ReassignRequest, VoteRequest,
};
pub use mail::Mailer;
pub use notices::{LinkRefusal, LinkView, NotificationRequest};
pub use orders::{
    ORDERS_PER_MINUTE, OrderDetail, OrderReceipt, StatusRequest, payment_due, placed_view,
};
pub use previews::{PreviewAnswer, PreviewFile};
pub use quorum_queue::RetryPolicy;
pub use quorum_steps::VERIFIER_AGENT;
pub use quorum_steps::site::VARIANT_B_FILE;
pub use quorum_steps::site::{
    CheckoutState, ContactAnswer, ContactFormState, FormProblem, LeadAnswer, LeadFormState,
    LeadProblem, LeadProblemKind, OrderAnswer, ProblemKind, Variant,
};
pub use quorum_steps::site::{SiteKind, money as price};
pub use registry::{Registered, Registry};
pub use review::{Names, ReviewSummary, Swatch, Thumbnail, excerpt};
pub use site_domains::claimable_host;
pub use site_owners::{Replaces, RollbackRequest};
pub use sites::{LiveSite, SiteAnswer, SiteMount};
pub use uploads::{MAX_BYTES as MAX_UPLOAD_BYTES, UPLOADS_PER_MINUTE};
pub use view::{PreviewView, StepView, WorkflowPage, WorkflowView};
pub use visitors::{
    ClicksReport, LEADS_PAGE_MAX, LEADS_PER_MINUTE, LeadReceipt, LeadsReport, LinkClicks,
    PageClicks, SiteActivity, VariantStats,
};
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
    /// How many uploaded pictures this process decodes at once.
    decoding: Arc<uploads::Decoding>,
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
            decoding: Arc::new(uploads::Decoding::new()),
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

    /// The store itself, for what reads records at their full precision (the API's times
    /// are to the second).
    pub fn store(&self) -> &Arc<dyn quorum_store::Store> {
        &self.store
    }

    pub fn changes(&self) -> &Arc<tokio::sync::Notify> {
        &self.changes
    }

    /// Starts what a server runs beside its requests: the sweeper (overdue votes expired,
    /// members' notices sent, old events pruned), the keeper of the list's marks for deep
    /// offset pages and, where the store hears other processes' changes, the listener that
    /// wakes event streams for them.
    pub async fn spawn_background(
        &self,
        sweep_every: std::time::Duration,
        event_retention: chrono::Duration,
    ) -> ServiceResult<()> {
        self.listen_for_changes().await?;
        let store = self.store.clone();
        tokio::spawn(async move {
            let failed = |e| tracing::warn!(error = %e, "taking the list's marks failed; the next deep page asks again");
            quorum_store::marks::keep(&*store, &quorum_store::marks::RULES, failed).await;
        });
        let quorum = self.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(sweep_every);
            loop {
                tick.tick().await;
                if let Err(e) = quorum.expire_overdue(quorum_domain::time::now()).await {
                    tracing::warn!(error = %e, "the voting-window sweep failed; it will run again");
                }
                if let Err(e) = quorum.owe_reminders(quorum_domain::time::now()).await {
                    tracing::warn!(error = %e, "owing reminders failed; it will run again");
                }
                if let Err(e) = quorum.send_notices(quorum_domain::time::now()).await {
                    tracing::warn!(error = %e, "sending members' notices failed; it will run again");
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

    /// Wakes this process's event streams and idle workers when another process changes
    /// something, if the store has that capability (PostgreSQL's notifications); says which.
    pub async fn listen_for_changes(&self) -> ServiceResult<Wakeups> {
        let (changes, work) = (self.changes.clone(), self.work.clone());
        let wakeups = self
            .store
            .listen_for_changes(Box::new(move |change| match change {
                Change::Events => changes.notify_waiters(),
                // One idle worker: one that claims a job wakes the next (`Worker::run`).
                Change::Work => work.notify_one(),
            }))
            .await?;
        Ok(wakeups)
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
