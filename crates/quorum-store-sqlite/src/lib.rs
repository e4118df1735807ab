//! `SqliteStore`: Quorum's embedded storage, one SQLite file in WAL mode.
//!
//! Writes go through a single-connection pool, so that transactions in this process queue up
//! instead of failing with SQLITE_BUSY; reads use a pool of their own and never wait for them.

mod bulk;
mod contact;
mod detail;
mod directory;
mod governance;
mod jobs;
mod rows;
mod steps;
mod workflows;

use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use quorum_domain::{Council, Principal};
use quorum_store::*;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

#[derive(Clone)]
pub struct SqliteStore {
    writer: SqlitePool,
    reader: SqlitePool,
}

impl SqliteStore {
    /// Opens (creating if missing) the database at `url`, e.g. `sqlite://quorum-data/quorum.db`.
    pub async fn connect(url: &str, readers: u32) -> StoreResult<Self> {
        let options = SqliteConnectOptions::from_str(url)
            .map_err(|e| StoreError::Other(format!("bad SQLite URL: {e}")))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            .pragma("cache_size", "-65536")
            .pragma("temp_store", "memory");
        // The writer's page cache holds the indexes that random ids make bulk loads touch.
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options.clone().pragma("cache_size", "-262144"))
            .await
            .map_err(map_err)?;
        let reader = SqlitePoolOptions::new()
            .max_connections(readers.max(1))
            .connect_with(options.read_only(true))
            .await
            .map_err(map_err)?;
        Ok(Self { writer, reader })
    }

    pub async fn close(&self) {
        self.writer.close().await;
        self.reader.close().await;
    }
}

pub(crate) fn map_err(e: sqlx::Error) -> StoreError {
    match &e {
        sqlx::Error::RowNotFound => StoreError::NotFound("row".into()),
        sqlx::Error::Database(db) if db.is_unique_violation() => {
            StoreError::Conflict(db.message().to_owned())
        }
        sqlx::Error::Database(db) if db.is_foreign_key_violation() => {
            StoreError::NotFound(format!("a referenced record ({})", db.message()))
        }
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => {
            StoreError::Unavailable(e.to_string())
        }
        _ => StoreError::Other(e.to_string()),
    }
}

#[async_trait]
impl Store for SqliteStore {
    fn backend(&self) -> &'static str {
        "sqlite"
    }

    async fn migrate(&self) -> StoreResult<()> {
        MIGRATOR
            .run(&self.writer)
            .await
            .map_err(|e| StoreError::Other(format!("migration failed: {e}")))
    }

    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1")
            .execute(&self.reader)
            .await
            .map(|_| ())
            .map_err(map_err)
    }

    async fn register_type(&self, new: NewTypeVersion) -> StoreResult<TypeRecord> {
        directory::register_type(&self.writer, new).await
    }

    async fn get_type(&self, id: &str, version: Option<i64>) -> StoreResult<TypeRecord> {
        directory::get_type(&self.reader, id, version).await
    }

    async fn list_types(&self) -> StoreResult<Vec<TypeRecord>> {
        directory::list_types(&self.reader).await
    }

    async fn create_principal(
        &self,
        principal: &Principal,
        token_hash: Option<&str>,
    ) -> StoreResult<()> {
        directory::create_principal(&self.writer, principal, token_hash).await
    }

    async fn add_token(&self, principal_id: &str, token_hash: &str) -> StoreResult<()> {
        directory::add_token(&self.writer, principal_id, token_hash).await
    }

    async fn get_principal(&self, id: &str) -> StoreResult<Principal> {
        directory::get_principal(&self.reader, id).await
    }

    async fn principal_by_token(&self, token_hash: &str) -> StoreResult<Option<Principal>> {
        directory::principal_by_token(&self.reader, token_hash).await
    }

    async fn create_council(&self, council: &Council) -> StoreResult<()> {
        directory::create_council(&self.writer, council).await
    }

    async fn get_council(&self, id: &str) -> StoreResult<Council> {
        directory::get_council(&self.reader, id).await
    }

    async fn list_councils(&self) -> StoreResult<Vec<Council>> {
        directory::list_councils(&self.reader).await
    }

    async fn council_for_domain(&self, domain: &str) -> StoreResult<Option<String>> {
        directory::council_for_domain(&self.reader, domain).await
    }

    async fn create_workflow(&self, new: &NewWorkflow) -> StoreResult<quorum_domain::Workflow> {
        workflows::create(&self.writer, new).await
    }

    async fn get_workflow(&self, id: &str) -> StoreResult<WorkflowDetail> {
        detail::detail(&self.reader, id).await
    }

    async fn list_workflows(
        &self,
        filter: &WorkflowFilter,
        page: &PageRequest,
    ) -> StoreResult<WorkflowPage> {
        workflows::list(&self.reader, filter, page).await
    }

    async fn transition(&self, change: &Transition) -> StoreResult<quorum_domain::Workflow> {
        workflows::transition(&self.writer, change).await
    }

    async fn record_metric(&self, metric: &NewMetric) -> StoreResult<()> {
        workflows::record_metric(&self.writer, metric).await
    }

    async fn start_step(
        &self,
        workflow_id: &str,
        position: i64,
        name: &str,
        at: chrono::DateTime<chrono::Utc>,
    ) -> StoreResult<()> {
        steps::start(&self.writer, workflow_id, position, name, at).await
    }

    async fn finish_step(&self, step: &StepOutcome) -> StoreResult<quorum_domain::Workflow> {
        steps::finish(&self.writer, step).await
    }

    async fn cast_vote(&self, vote: &NewVote) -> StoreResult<VoteOutcome> {
        governance::cast_vote(&self.writer, vote).await
    }

    async fn enqueue(
        &self,
        workflow_id: &str,
        actor: &str,
        at: chrono::DateTime<chrono::Utc>,
    ) -> StoreResult<quorum_domain::Workflow> {
        governance::enqueue(&self.writer, workflow_id, actor, at).await
    }

    async fn due_for_expiry(
        &self,
        now: chrono::DateTime<chrono::Utc>,
        limit: i64,
    ) -> StoreResult<Vec<String>> {
        governance::due_for_expiry(&self.reader, now, limit).await
    }

    async fn set_members(&self, council_id: &str, members: &[String]) -> StoreResult<()> {
        governance::set_members(&self.writer, council_id, members).await
    }

    async fn enqueue_jobs(&self, jobs: &[NewJob]) -> StoreResult<u64> {
        jobs::enqueue(&self.writer, jobs).await
    }

    async fn claim_jobs(
        &self,
        worker: &str,
        now: chrono::DateTime<chrono::Utc>,
        lease: chrono::Duration,
        limit: i64,
    ) -> StoreResult<Vec<JobClaim>> {
        jobs::claim(&self.writer, worker, now, lease, limit).await
    }

    async fn renew_lease(
        &self,
        claim: &JobClaim,
        now: chrono::DateTime<chrono::Utc>,
        lease: chrono::Duration,
    ) -> StoreResult<bool> {
        jobs::renew(&self.writer, claim, now, lease).await
    }

    async fn ack_jobs(&self, claims: &[JobClaim]) -> StoreResult<u64> {
        jobs::ack(&self.writer, claims).await
    }

    async fn release_job(
        &self,
        claim: &JobClaim,
        available_at: chrono::DateTime<chrono::Utc>,
    ) -> StoreResult<bool> {
        jobs::release(&self.writer, claim, available_at).await
    }

    async fn queue_depth(&self) -> StoreResult<i64> {
        jobs::depth(&self.reader).await
    }

    async fn add_contact_message(&self, message: &ContactMessage) -> StoreResult<()> {
        contact::add(&self.writer, message).await
    }

    async fn set_contact_delivery(
        &self,
        id: &str,
        delivery: &str,
        error: Option<&str>,
        at: chrono::DateTime<chrono::Utc>,
    ) -> StoreResult<()> {
        contact::set_delivery(&self.writer, id, delivery, error, at).await
    }

    async fn contact_messages(&self, site: &str, limit: i64) -> StoreResult<Vec<ContactMessage>> {
        contact::list(&self.reader, site, limit).await
    }

    async fn events_after(
        &self,
        after_id: i64,
        filter: &EventFilter,
        limit: i64,
    ) -> StoreResult<Vec<EventRecord>> {
        governance::events_after(&self.reader, after_id, filter, limit).await
    }

    async fn last_event_id(&self) -> StoreResult<i64> {
        governance::last_event_id(&self.reader).await
    }

    async fn aggregates(&self, filter: &WorkflowFilter) -> StoreResult<Vec<AggregateRow>> {
        workflows::aggregates(&self.reader, filter).await
    }

    async fn scan_aggregates(&self) -> StoreResult<Vec<AggregateRow>> {
        workflows::scan_aggregates(&self.reader).await
    }

    async fn stored_aggregates(&self) -> StoreResult<Vec<AggregateRow>> {
        workflows::aggregates(&self.reader, &WorkflowFilter::default()).await
    }

    async fn bulk_insert(&self, batch: &BulkBatch) -> StoreResult<()> {
        bulk::insert(&self.writer, batch).await
    }
}
