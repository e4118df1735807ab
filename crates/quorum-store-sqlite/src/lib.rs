//! `SqliteStore`: Quorum's embedded storage, one SQLite file in WAL mode.
//!
//! Writes go through a single connection, so that transactions in this process queue up
//! instead of failing with SQLITE_BUSY; reads use connections of their own and never wait for
//! them. Each call runs as one closure on a connection's thread (see `db`).

mod bulk;
mod contact;
mod db;
mod deployments;
mod detail;
mod directory;
mod governance;
mod jobs;
mod keys;
mod limits;
mod migrations;
mod rows;
mod sessions;
mod steps;
mod workflows;

use std::path::PathBuf;
use std::sync::Arc;

use async_trait::async_trait;
use quorum_domain::{Council, Principal};
use quorum_store::*;

use crate::db::Db;

#[derive(Clone)]
pub struct SqliteStore {
    db: Arc<Db>,
}

impl SqliteStore {
    /// Opens (creating if missing) the database at `url`, e.g. `sqlite://quorum-data/quorum.db`.
    pub async fn connect(url: &str, readers: u32) -> StoreResult<Self> {
        let path = database_path(url)?;
        let db = tokio::task::spawn_blocking(move || Db::open(&path, readers))
            .await
            .map_err(|e| StoreError::Other(format!("opening SQLite: {e}")))??;
        Ok(Self { db: Arc::new(db) })
    }

    pub async fn close(&self) {
        self.db.close().await;
    }
}

/// The file a `sqlite://PATH` or `sqlite:PATH` URL names; options after `?` are not used.
fn database_path(url: &str) -> StoreResult<PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .ok_or_else(|| StoreError::Other(format!("bad SQLite URL {url:?}: use sqlite://PATH")))?;
    let path = rest.split('?').next().unwrap_or_default();
    if path.is_empty() || path == ":memory:" {
        return Err(StoreError::Other(format!(
            "bad SQLite URL {url:?}: name a database file"
        )));
    }
    Ok(PathBuf::from(path))
}

/// A failure inside a store call: SQLite's, or a rule the store checks. `?` turns either into
/// it, and the connection layer hands its `StoreError` to the caller.
pub(crate) struct Error(pub StoreError);

pub(crate) type Result<T> = std::result::Result<T, Error>;

impl From<StoreError> for Error {
    fn from(e: StoreError) -> Self {
        Self(e)
    }
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        use rusqlite::ErrorCode;
        use rusqlite::ffi;
        Self(match &e {
            rusqlite::Error::QueryReturnedNoRows => StoreError::NotFound("row".into()),
            rusqlite::Error::SqliteFailure(failure, message) => {
                let message = message.clone().unwrap_or_else(|| e.to_string());
                match (failure.code, failure.extended_code) {
                    (_, ffi::SQLITE_CONSTRAINT_UNIQUE | ffi::SQLITE_CONSTRAINT_PRIMARYKEY) => {
                        StoreError::Conflict(message)
                    }
                    (_, ffi::SQLITE_CONSTRAINT_FOREIGNKEY) => {
                        StoreError::NotFound(format!("a referenced record ({message})"))
                    }
                    (
                        ErrorCode::DatabaseBusy
                        | ErrorCode::DatabaseLocked
                        | ErrorCode::CannotOpen
                        | ErrorCode::SystemIoFailure
                        | ErrorCode::DiskFull,
                        _,
                    ) => StoreError::Unavailable(message),
                    _ => StoreError::Other(message),
                }
            }
            _ => StoreError::Other(e.to_string()),
        })
    }
}

#[async_trait]
impl Store for SqliteStore {
    fn backend(&self) -> &'static str {
        "sqlite"
    }

    async fn migrate(&self) -> StoreResult<()> {
        self.db.with_writer(migrations::run).await
    }

    async fn ping(&self) -> StoreResult<()> {
        self.db
            .read(|conn| Ok(conn.query_row("SELECT 1", [], |_| Ok(()))?))
            .await
    }

    async fn register_type(&self, new: NewTypeVersion) -> StoreResult<TypeRecord> {
        self.db
            .write(move |tx| directory::register_type(tx, new))
            .await
    }

    async fn get_type(&self, id: &str, version: Option<i64>) -> StoreResult<TypeRecord> {
        let id = id.to_owned();
        self.db
            .read(move |conn| directory::get_type(conn, &id, version))
            .await
    }

    async fn list_types(&self) -> StoreResult<Vec<TypeRecord>> {
        self.db.read(directory::list_types).await
    }

    async fn create_principal(
        &self,
        principal: &Principal,
        token_hash: Option<&str>,
    ) -> StoreResult<()> {
        let (principal, token_hash) = (principal.clone(), token_hash.map(str::to_owned));
        self.db
            .write(move |tx| directory::create_principal(tx, &principal, token_hash.as_deref()))
            .await
    }

    async fn add_token(&self, principal_id: &str, token_hash: &str) -> StoreResult<()> {
        let (principal_id, token_hash) = (principal_id.to_owned(), token_hash.to_owned());
        self.db
            .write(move |tx| directory::add_token(tx, &principal_id, &token_hash))
            .await
    }

    async fn get_principal(&self, id: &str) -> StoreResult<Principal> {
        let id = id.to_owned();
        self.db
            .read(move |conn| directory::get_principal(conn, &id))
            .await
    }

    async fn principal_by_token(&self, token_hash: &str) -> StoreResult<Option<Principal>> {
        let token_hash = token_hash.to_owned();
        self.db
            .read(move |conn| directory::principal_by_token(conn, &token_hash))
            .await
    }

    async fn revoke_tokens(&self, principal_id: &str) -> StoreResult<u64> {
        let principal_id = principal_id.to_owned();
        self.db
            .write(move |tx| directory::revoke_tokens(tx, &principal_id))
            .await
    }

    async fn create_session(&self, session: &DashboardSession) -> StoreResult<()> {
        let session = session.clone();
        self.db
            .write(move |tx| sessions::create(tx, &session))
            .await
    }

    async fn live_session(
        &self,
        id_hash: &str,
        now: chrono::DateTime<chrono::Utc>,
    ) -> StoreResult<Option<DashboardSession>> {
        let id_hash = id_hash.to_owned();
        self.db
            .read(move |conn| sessions::live(conn, &id_hash, now))
            .await
    }

    async fn end_sessions(&self, token_hash: &str) -> StoreResult<u64> {
        let token_hash = token_hash.to_owned();
        self.db
            .write(move |tx| sessions::end(tx, &token_hash))
            .await
    }

    async fn signing_keys(
        &self,
        retired_after: chrono::DateTime<chrono::Utc>,
    ) -> StoreResult<Vec<SigningKey>> {
        self.db
            .read(move |conn| keys::list(conn, retired_after))
            .await
    }

    async fn add_first_signing_key(&self, key: &SigningKey) -> StoreResult<bool> {
        let key = key.clone();
        self.db.write(move |tx| keys::add_first(tx, &key)).await
    }

    async fn rotate_signing_key(
        &self,
        key: &SigningKey,
        forget_retired_before: chrono::DateTime<chrono::Utc>,
    ) -> StoreResult<()> {
        let key = key.clone();
        self.db
            .write(move |tx| keys::rotate(tx, &key, forget_retired_before))
            .await
    }

    async fn create_council(&self, council: &Council) -> StoreResult<()> {
        let council = council.clone();
        self.db
            .write(move |tx| directory::create_council(tx, &council))
            .await
    }

    async fn get_council(&self, id: &str) -> StoreResult<Council> {
        let id = id.to_owned();
        self.db
            .read(move |conn| directory::get_council(conn, &id))
            .await
    }

    async fn list_councils(&self) -> StoreResult<Vec<Council>> {
        self.db.read(directory::list_councils).await
    }

    async fn council_for_domain(&self, domain: &str) -> StoreResult<Option<String>> {
        let domain = domain.to_owned();
        self.db
            .read(move |conn| directory::council_for_domain(conn, &domain))
            .await
    }

    async fn create_workflow(&self, new: &NewWorkflow) -> StoreResult<quorum_domain::Workflow> {
        let new = new.clone();
        self.db.write(move |tx| workflows::create(tx, &new)).await
    }

    async fn get_workflow(&self, id: &str) -> StoreResult<WorkflowDetail> {
        let id = id.to_owned();
        self.db.read(move |conn| detail::detail(conn, &id)).await
    }

    async fn list_workflows(
        &self,
        filter: &WorkflowFilter,
        page: &PageRequest,
    ) -> StoreResult<WorkflowPage> {
        let (filter, page) = (filter.clone(), page.clone());
        self.db
            .read(move |conn| workflows::list(conn, &filter, &page))
            .await
    }

    async fn transition(&self, change: &Transition) -> StoreResult<quorum_domain::Workflow> {
        let change = change.clone();
        self.db
            .write(move |tx| workflows::transition(tx, &change))
            .await
    }

    async fn record_metric(&self, metric: &NewMetric) -> StoreResult<()> {
        let metric = metric.clone();
        self.db
            .write(move |tx| workflows::record_metric(tx, &metric))
            .await
    }

    async fn start_step(
        &self,
        workflow_id: &str,
        position: i64,
        name: &str,
        at: chrono::DateTime<chrono::Utc>,
    ) -> StoreResult<()> {
        let (workflow_id, name) = (workflow_id.to_owned(), name.to_owned());
        self.db
            .write(move |tx| steps::start(tx, &workflow_id, position, &name, at))
            .await
    }

    async fn finish_step(&self, step: &StepOutcome) -> StoreResult<quorum_domain::Workflow> {
        let step = step.clone();
        self.db.write(move |tx| steps::finish(tx, &step)).await
    }

    async fn cast_vote(&self, vote: &NewVote) -> StoreResult<VoteOutcome> {
        let vote = vote.clone();
        self.db
            .write(move |tx| governance::cast_vote(tx, &vote))
            .await
    }

    async fn enqueue(
        &self,
        workflow_id: &str,
        actor: &str,
        at: chrono::DateTime<chrono::Utc>,
    ) -> StoreResult<quorum_domain::Workflow> {
        let (workflow_id, actor) = (workflow_id.to_owned(), actor.to_owned());
        self.db
            .write(move |tx| governance::enqueue(tx, &workflow_id, &actor, at))
            .await
    }

    async fn reassign(&self, change: &Reassignment) -> StoreResult<quorum_domain::Workflow> {
        let change = change.clone();
        self.db
            .write(move |tx| governance::reassign(tx, &change))
            .await
    }

    async fn due_for_expiry(
        &self,
        now: chrono::DateTime<chrono::Utc>,
        limit: i64,
    ) -> StoreResult<Vec<String>> {
        self.db
            .read(move |conn| governance::due_for_expiry(conn, now, limit))
            .await
    }

    async fn set_members(&self, council_id: &str, members: &[String]) -> StoreResult<()> {
        let (council_id, members) = (council_id.to_owned(), members.to_vec());
        self.db
            .write(move |tx| governance::set_members(tx, &council_id, &members))
            .await
    }

    async fn enqueue_jobs(&self, jobs: &[NewJob]) -> StoreResult<u64> {
        let jobs = jobs.to_vec();
        self.db.write(move |tx| jobs::enqueue(tx, &jobs)).await
    }

    async fn claim_jobs(
        &self,
        worker: &str,
        now: chrono::DateTime<chrono::Utc>,
        lease: chrono::Duration,
        limit: i64,
    ) -> StoreResult<Vec<JobClaim>> {
        let worker = worker.to_owned();
        self.db
            .write(move |tx| jobs::claim(tx, &worker, now, lease, limit))
            .await
    }

    async fn renew_lease(
        &self,
        claim: &JobClaim,
        now: chrono::DateTime<chrono::Utc>,
        lease: chrono::Duration,
    ) -> StoreResult<bool> {
        let claim = claim.clone();
        self.db
            .write(move |tx| jobs::renew(tx, &claim, now, lease))
            .await
    }

    async fn ack_jobs(&self, claims: &[JobClaim]) -> StoreResult<u64> {
        let claims = claims.to_vec();
        self.db.write(move |tx| jobs::ack(tx, &claims)).await
    }

    async fn release_job(
        &self,
        claim: &JobClaim,
        available_at: chrono::DateTime<chrono::Utc>,
    ) -> StoreResult<bool> {
        let claim = claim.clone();
        self.db
            .write(move |tx| jobs::release(tx, &claim, available_at))
            .await
    }

    async fn queue_depth(&self) -> StoreResult<i64> {
        self.db.read(jobs::depth).await
    }

    async fn add_contact_message(&self, message: &ContactMessage) -> StoreResult<()> {
        let message = message.clone();
        self.db.write(move |tx| contact::add(tx, &message)).await
    }

    async fn set_contact_delivery(
        &self,
        id: &str,
        delivery: &str,
        error: Option<&str>,
        at: chrono::DateTime<chrono::Utc>,
    ) -> StoreResult<()> {
        let (id, delivery, error) = (id.to_owned(), delivery.to_owned(), error.map(str::to_owned));
        self.db
            .write(move |tx| contact::set_delivery(tx, &id, &delivery, error.as_deref(), at))
            .await
    }

    async fn contact_messages(&self, site: &str, limit: i64) -> StoreResult<Vec<ContactMessage>> {
        let site = site.to_owned();
        self.db
            .read(move |conn| contact::list(conn, &site, limit))
            .await
    }

    async fn count_hit(
        &self,
        key: &str,
        at: chrono::DateTime<chrono::Utc>,
        window: chrono::Duration,
    ) -> StoreResult<HitCounts> {
        let key = key.to_owned();
        self.db
            .write(move |tx| limits::count_hit(tx, &key, at, window))
            .await
    }

    async fn put_blobs(&self, blobs: &[Blob]) -> StoreResult<()> {
        let blobs = blobs.to_vec();
        self.db
            .write(move |tx| deployments::put_blobs(tx, &blobs))
            .await
    }

    async fn blob(&self, hash: &str) -> StoreResult<Option<Blob>> {
        let hash = hash.to_owned();
        self.db
            .read(move |conn| deployments::blob(conn, &hash))
            .await
    }

    async fn deploy(&self, deployment: &Deployment) -> StoreResult<()> {
        let deployment = deployment.clone();
        self.db
            .write(move |tx| deployments::deploy(tx, &deployment))
            .await
    }

    async fn live_deployment(&self, site: &str) -> StoreResult<Option<Deployment>> {
        let site = site.to_owned();
        self.db
            .read(move |conn| deployments::live(conn, &site))
            .await
    }

    async fn site(&self, slug: &str) -> StoreResult<Option<SiteRecord>> {
        let slug = slug.to_owned();
        self.db
            .read(move |conn| deployments::site(conn, &slug))
            .await
    }

    async fn sites(&self, after: Option<&str>, limit: i64) -> StoreResult<Vec<SiteRecord>> {
        let after = after.map(str::to_owned);
        self.db
            .read(move |conn| deployments::sites(conn, after.as_deref(), limit))
            .await
    }

    async fn rollback_site(&self, rollback: &SiteRollback) -> StoreResult<String> {
        let rollback = rollback.clone();
        self.db
            .write(move |tx| deployments::rollback(tx, &rollback))
            .await
    }

    async fn prune_deployments(&self, site: &str, keep: i64) -> StoreResult<Pruned> {
        let site = site.to_owned();
        self.db
            .write(move |tx| deployments::prune(tx, &site, keep))
            .await
    }

    async fn events_after(
        &self,
        after_id: i64,
        filter: &EventFilter,
        limit: i64,
    ) -> StoreResult<Vec<EventRecord>> {
        let filter = filter.clone();
        self.db
            .read(move |conn| governance::events_after(conn, after_id, &filter, limit))
            .await
    }

    async fn last_event_id(&self) -> StoreResult<i64> {
        self.db.read(governance::last_event_id).await
    }

    async fn prune_events(
        &self,
        before: chrono::DateTime<chrono::Utc>,
        limit: i64,
    ) -> StoreResult<u64> {
        self.db
            .write(move |tx| limits::prune_events(tx, before, limit))
            .await
    }

    async fn aggregates(&self, filter: &WorkflowFilter) -> StoreResult<Vec<AggregateRow>> {
        let filter = filter.clone();
        self.db
            .read(move |conn| workflows::aggregates(conn, &filter))
            .await
    }

    async fn scan_aggregates(&self) -> StoreResult<Vec<AggregateRow>> {
        self.db.read(workflows::scan_aggregates).await
    }

    async fn stored_aggregates(&self) -> StoreResult<Vec<AggregateRow>> {
        self.db
            .read(|conn| workflows::aggregates(conn, &WorkflowFilter::default()))
            .await
    }

    async fn bulk_insert(&self, batch: &BulkBatch) -> StoreResult<()> {
        let batch = batch.clone();
        self.db.write(move |tx| bulk::insert(tx, &batch)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_url_names_a_database_file() {
        let path = |url| database_path(url).map(|p| p.display().to_string());
        assert_eq!(
            path("sqlite://quorum-data/quorum.db").unwrap(),
            "quorum-data/quorum.db"
        );
        assert_eq!(
            path("sqlite:///var/lib/q.db?mode=rwc").unwrap(),
            "/var/lib/q.db"
        );
        assert_eq!(path("sqlite:q.db").unwrap(), "q.db");
        for refused in ["sqlite::memory:", "sqlite://", "postgres://x/y", "q.db"] {
            assert!(path(refused).is_err(), "{refused}");
        }
    }
}
