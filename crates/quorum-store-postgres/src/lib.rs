//! `PgStore`: Quorum on PostgreSQL, for many API servers and workers sharing one database.

mod bulk;
mod contact;
mod deployments;
mod detail;
mod directory;
mod governance;
mod jobs;
mod keys;
mod limits;
mod listen;
mod rows;
mod sessions;
mod steps;
mod workflows;

use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use quorum_domain::{Council, Principal};
use quorum_store::*;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

#[derive(Clone)]
pub struct PgStore {
    pool: PgPool,
}

impl PgStore {
    /// Connects to `url` (`postgres://…`) with a pool of `max_connections`.
    pub async fn connect(url: &str, max_connections: u32) -> StoreResult<Self> {
        let options = PgConnectOptions::from_str(url)
            .map_err(|e| StoreError::Other(format!("bad PostgreSQL URL: {e}")))?;
        Self::connect_with(options, max_connections).await
    }

    pub async fn connect_with(
        options: PgConnectOptions,
        max_connections: u32,
    ) -> StoreResult<Self> {
        let pool = PgPoolOptions::new()
            .max_connections(max_connections.max(2))
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await
            .map_err(map_err)?;
        Ok(Self { pool })
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    pub async fn close(&self) {
        self.pool.close().await;
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
impl Store for PgStore {
    fn backend(&self) -> &'static str {
        "postgres"
    }

    async fn migrate(&self) -> StoreResult<()> {
        MIGRATOR
            .run(&self.pool)
            .await
            .map_err(|e| StoreError::Other(format!("migration failed: {e}")))
    }

    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map(|_| ())
            .map_err(map_err)
    }

    async fn listen_for_changes(&self, on_change: OnChange) -> StoreResult<Wakeups> {
        listen::listen(&self.pool, on_change).await?;
        Ok(Wakeups::Listening)
    }

    async fn register_type(&self, new: NewTypeVersion) -> StoreResult<TypeRecord> {
        directory::register_type(&self.pool, new).await
    }

    async fn get_type(&self, id: &str, version: Option<i64>) -> StoreResult<TypeRecord> {
        directory::get_type(&self.pool, id, version).await
    }

    async fn list_types(&self) -> StoreResult<Vec<TypeRecord>> {
        directory::list_types(&self.pool).await
    }

    async fn create_principal(
        &self,
        principal: &Principal,
        token_hash: Option<&str>,
    ) -> StoreResult<()> {
        directory::create_principal(&self.pool, principal, token_hash).await
    }

    async fn add_token(&self, principal_id: &str, token_hash: &str) -> StoreResult<()> {
        directory::add_token(&self.pool, principal_id, token_hash).await
    }

    async fn get_principal(&self, id: &str) -> StoreResult<Principal> {
        directory::get_principal(&self.pool, id).await
    }

    async fn principal_by_token(&self, token_hash: &str) -> StoreResult<Option<Principal>> {
        directory::principal_by_token(&self.pool, token_hash).await
    }

    async fn revoke_tokens(&self, principal_id: &str) -> StoreResult<u64> {
        directory::revoke_tokens(&self.pool, principal_id).await
    }

    async fn create_session(&self, session: &DashboardSession) -> StoreResult<()> {
        sessions::create(&self.pool, session).await
    }

    async fn live_session(
        &self,
        id_hash: &str,
        now: chrono::DateTime<chrono::Utc>,
    ) -> StoreResult<Option<DashboardSession>> {
        sessions::live(&self.pool, id_hash, now).await
    }

    async fn end_sessions(&self, token_hash: &str) -> StoreResult<u64> {
        sessions::end(&self.pool, token_hash).await
    }

    async fn signing_keys(
        &self,
        retired_after: chrono::DateTime<chrono::Utc>,
    ) -> StoreResult<Vec<SigningKey>> {
        keys::list(&self.pool, retired_after).await
    }

    async fn add_first_signing_key(&self, key: &SigningKey) -> StoreResult<bool> {
        keys::add_first(&self.pool, key).await
    }

    async fn rotate_signing_key(
        &self,
        key: &SigningKey,
        forget_retired_before: chrono::DateTime<chrono::Utc>,
    ) -> StoreResult<()> {
        keys::rotate(&self.pool, key, forget_retired_before).await
    }

    async fn create_council(&self, council: &Council) -> StoreResult<()> {
        directory::create_council(&self.pool, council).await
    }

    async fn get_council(&self, id: &str) -> StoreResult<Council> {
        directory::get_council(&self.pool, id).await
    }

    async fn list_councils(&self) -> StoreResult<Vec<Council>> {
        directory::list_councils(&self.pool).await
    }

    async fn council_for_domain(&self, domain: &str) -> StoreResult<Option<String>> {
        directory::council_for_domain(&self.pool, domain).await
    }

    async fn create_workflow(&self, new: &NewWorkflow) -> StoreResult<quorum_domain::Workflow> {
        workflows::create(&self.pool, new).await
    }

    async fn get_workflow(&self, id: &str) -> StoreResult<WorkflowDetail> {
        detail::detail(&self.pool, id).await
    }

    async fn list_workflows(
        &self,
        filter: &WorkflowFilter,
        page: &PageRequest,
    ) -> StoreResult<WorkflowPage> {
        workflows::list(&self.pool, filter, page).await
    }

    async fn transition(&self, change: &Transition) -> StoreResult<quorum_domain::Workflow> {
        workflows::transition(&self.pool, change).await
    }

    async fn record_metric(&self, metric: &NewMetric) -> StoreResult<()> {
        workflows::record_metric(&self.pool, metric).await
    }

    async fn start_step(
        &self,
        workflow_id: &str,
        position: i64,
        name: &str,
        at: chrono::DateTime<chrono::Utc>,
    ) -> StoreResult<()> {
        steps::start(&self.pool, workflow_id, position, name, at).await
    }

    async fn finish_step(&self, step: &StepOutcome) -> StoreResult<quorum_domain::Workflow> {
        steps::finish(&self.pool, step).await
    }

    async fn cast_vote(&self, vote: &NewVote) -> StoreResult<VoteOutcome> {
        governance::cast_vote(&self.pool, vote).await
    }

    async fn enqueue(
        &self,
        workflow_id: &str,
        actor: &str,
        at: chrono::DateTime<chrono::Utc>,
    ) -> StoreResult<quorum_domain::Workflow> {
        governance::enqueue(&self.pool, workflow_id, actor, at).await
    }

    async fn reassign(&self, change: &Reassignment) -> StoreResult<quorum_domain::Workflow> {
        governance::reassign(&self.pool, change).await
    }

    async fn due_for_expiry(
        &self,
        now: chrono::DateTime<chrono::Utc>,
        limit: i64,
    ) -> StoreResult<Vec<String>> {
        governance::due_for_expiry(&self.pool, now, limit).await
    }

    async fn set_members(&self, council_id: &str, members: &[String]) -> StoreResult<()> {
        governance::set_members(&self.pool, council_id, members).await
    }

    async fn enqueue_jobs(&self, jobs: &[NewJob]) -> StoreResult<u64> {
        jobs::enqueue(&self.pool, jobs).await
    }

    async fn claim_jobs(
        &self,
        worker: &str,
        now: chrono::DateTime<chrono::Utc>,
        lease: chrono::Duration,
        limit: i64,
    ) -> StoreResult<Vec<JobClaim>> {
        jobs::claim(&self.pool, worker, now, lease, limit).await
    }

    async fn renew_lease(
        &self,
        claim: &JobClaim,
        now: chrono::DateTime<chrono::Utc>,
        lease: chrono::Duration,
    ) -> StoreResult<bool> {
        jobs::renew(&self.pool, claim, now, lease).await
    }

    async fn ack_jobs(&self, claims: &[JobClaim]) -> StoreResult<u64> {
        jobs::ack(&self.pool, claims).await
    }

    async fn release_job(
        &self,
        claim: &JobClaim,
        available_at: chrono::DateTime<chrono::Utc>,
    ) -> StoreResult<bool> {
        jobs::release(&self.pool, claim, available_at).await
    }

    async fn queue_depth(&self) -> StoreResult<i64> {
        jobs::depth(&self.pool).await
    }

    async fn add_contact_message(&self, message: &ContactMessage) -> StoreResult<()> {
        contact::add(&self.pool, message).await
    }

    async fn set_contact_delivery(
        &self,
        id: &str,
        delivery: &str,
        error: Option<&str>,
        at: chrono::DateTime<chrono::Utc>,
    ) -> StoreResult<()> {
        contact::set_delivery(&self.pool, id, delivery, error, at).await
    }

    async fn contact_messages(&self, site: &str, limit: i64) -> StoreResult<Vec<ContactMessage>> {
        contact::list(&self.pool, site, limit).await
    }

    async fn count_hit(
        &self,
        key: &str,
        at: chrono::DateTime<chrono::Utc>,
        window: chrono::Duration,
    ) -> StoreResult<HitCounts> {
        limits::count_hit(&self.pool, key, at, window).await
    }

    async fn put_blobs(&self, blobs: &[Blob]) -> StoreResult<()> {
        deployments::put_blobs(&self.pool, blobs).await
    }

    async fn blob(&self, hash: &str) -> StoreResult<Option<Blob>> {
        deployments::blob(&self.pool, hash).await
    }

    async fn deploy(&self, deployment: &Deployment) -> StoreResult<()> {
        deployments::deploy(&self.pool, deployment).await
    }

    async fn live_deployment(&self, site: &str) -> StoreResult<Option<Deployment>> {
        deployments::live(&self.pool, site).await
    }

    async fn site(&self, slug: &str) -> StoreResult<Option<SiteRecord>> {
        deployments::site(&self.pool, slug).await
    }

    async fn sites(&self, after: Option<&str>, limit: i64) -> StoreResult<Vec<SiteRecord>> {
        deployments::sites(&self.pool, after, limit).await
    }

    async fn rollback_site(&self, rollback: &SiteRollback) -> StoreResult<String> {
        deployments::rollback(&self.pool, rollback).await
    }

    async fn prune_deployments(&self, site: &str, keep: i64) -> StoreResult<Pruned> {
        deployments::prune(&self.pool, site, keep).await
    }

    async fn events_after(
        &self,
        after_id: i64,
        filter: &EventFilter,
        limit: i64,
    ) -> StoreResult<Vec<EventRecord>> {
        governance::events_after(&self.pool, after_id, filter, limit).await
    }

    async fn last_event_id(&self) -> StoreResult<i64> {
        governance::last_event_id(&self.pool).await
    }

    async fn prune_events(
        &self,
        before: chrono::DateTime<chrono::Utc>,
        limit: i64,
    ) -> StoreResult<u64> {
        limits::prune_events(&self.pool, before, limit).await
    }

    async fn aggregates(&self, filter: &WorkflowFilter) -> StoreResult<Vec<AggregateRow>> {
        workflows::aggregates(&self.pool, filter).await
    }

    async fn scan_aggregates(&self) -> StoreResult<Vec<AggregateRow>> {
        workflows::scan_aggregates(&self.pool).await
    }

    async fn stored_aggregates(&self) -> StoreResult<Vec<AggregateRow>> {
        workflows::aggregates(&self.pool, &WorkflowFilter::default()).await
    }

    async fn bulk_insert(&self, batch: &BulkBatch) -> StoreResult<()> {
        bulk::insert(&self.pool, batch).await
    }
}
