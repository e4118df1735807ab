//! Quorum's use cases. Handlers and commands call these; this is the only crate that combines
//! storage, the workflow-type registry and authorization.

pub mod auth;
pub mod demo;
mod directory;
mod error;
mod governance;
pub mod registry;
mod workflows;

use std::sync::Arc;

use quorum_store::{Store, StoreError};

pub use directory::{NewCouncil, NewPrincipal, PrincipalCreated};
pub use error::ServiceError;
pub use governance::{CancelRequest, MembersRequest, VoteRequest};
pub use registry::Registry;
pub use workflows::CreateWorkflow;

pub type ServiceResult<T> = Result<T, ServiceError>;

/// The application core shared by every request and command.
#[derive(Clone)]
pub struct Quorum {
    store: Arc<dyn Store>,
    registry: Arc<Registry>,
    auth: Arc<auth::Auth>,
    public_reads: bool,
    /// Woken after every change this process makes, and by the database's notifications of
    /// changes other processes make; `GET /api/events` waits on it.
    changes: Arc<tokio::sync::Notify>,
}

impl Quorum {
    /// Wires the core over an opened store. `admin_token` is the value of QUORUM_ADMIN_TOKEN.
    pub fn new(store: Arc<dyn Store>, admin_token: Option<&str>, public_reads: bool) -> Self {
        Self {
            registry: Arc::new(Registry::new(store.clone())),
            auth: Arc::new(auth::Auth::new(store.clone(), admin_token)),
            store,
            public_reads,
            changes: Arc::new(tokio::sync::Notify::new()),
        }
    }

    pub fn changes(&self) -> &Arc<tokio::sync::Notify> {
        &self.changes
    }

    /// Starts what a server runs beside its requests: the voting-window sweeper and, on
    /// PostgreSQL, the listener that wakes event streams for changes made by other processes.
    pub async fn spawn_background(
        &self,
        database_url: &str,
        sweep_every: std::time::Duration,
    ) -> ServiceResult<()> {
        if database_url.starts_with("postgres") {
            let changes = self.changes.clone();
            quorum_store_postgres::listen_for_changes(database_url, move || {
                changes.notify_waiters()
            })
            .await?;
        }
        let quorum = self.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(sweep_every);
            loop {
                tick.tick().await;
                if let Err(e) = quorum.expire_overdue(quorum_domain::time::now()).await {
                    tracing::warn!(error = %e, "the voting-window sweep failed; it will run again");
                }
            }
        });
        Ok(())
    }

    pub(crate) fn changed(&self) {
        self.changes.notify_waiters();
    }

    /// Migrates the database and registers the built-in workflow types.
    pub async fn prepare(&self) -> ServiceResult<()> {
        self.store.migrate().await?;
        self.registry.register_builtin().await
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    pub fn auth(&self) -> &auth::Auth {
        &self.auth
    }

    pub fn public_reads(&self) -> bool {
        self.public_reads
    }
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
