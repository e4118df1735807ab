//! The storage contract: one `Store` trait that the SQLite and PostgreSQL backends implement,
//! the records that cross it, and (feature `conformance`) the suite both must pass.

mod aggregates;
mod calls;
mod cursor;
pub mod detail_json;
mod error;
mod event;
pub mod marks;
pub mod plan;
mod rate;
mod records;
pub mod stored;
mod wakeups;

#[cfg(feature = "conformance")]
pub mod conformance;

pub use aggregates::{
    AggregateKey, AggregateRow, Counts, MetricsSummary, bulk_deltas, metric_shares, normalize,
    summarize,
};
pub use cursor::Cursor;
pub use error::StoreError;
pub use event::{Event, Moved, NewEvent};
pub use rate::{EXPIRED_WINDOWS_PER_HIT, Hit, HitCounts, windows as rate_windows};
pub use records::*;
pub use wakeups::{Change, OnChange, Wakeups};

use async_trait::async_trait;
use quorum_domain::{Council, Principal};

pub type StoreResult<T> = Result<T, StoreError>;

/// Everything Quorum keeps. Every method that writes more than one row does so in one
/// transaction; every status change is a conditional update that loses a race with
/// `StoreError::Conflict`.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// `sqlite` or `postgres`.
    fn backend(&self) -> &'static str;

    /// Applies pending migrations; safe to call from several processes at once.
    async fn migrate(&self) -> StoreResult<()>;

    /// A round trip to the database, for `/readyz`.
    async fn ping(&self) -> StoreResult<()>;

    /// Capability: calls `on_change` whenever any process sharing this database commits a
    /// workflow event, so that other processes' changes wake event streams and idle workers
    /// without polling. A backend without such a channel keeps this default, which says so.
    async fn listen_for_changes(&self, on_change: OnChange) -> StoreResult<Wakeups> {
        drop(on_change);
        Ok(Wakeups::None)
    }

    // --- workflow types -------------------------------------------------------------------

    /// Stores `definition` as the type's next version, unless it equals the latest one, which
    /// is then returned unchanged.
    async fn register_type(&self, new: NewTypeVersion) -> StoreResult<TypeRecord>;
    /// The latest version when `version` is `None`.
    async fn get_type(&self, id: &str, version: Option<i64>) -> StoreResult<TypeRecord>;
    /// The latest version of every type, by id.
    async fn list_types(&self) -> StoreResult<Vec<TypeRecord>>;

    // --- principals and tokens ------------------------------------------------------------

    async fn create_principal(
        &self,
        principal: &Principal,
        token_hash: Option<&str>,
    ) -> StoreResult<()>;
    async fn add_token(&self, principal_id: &str, token_hash: &str) -> StoreResult<()>;
    async fn get_principal(&self, id: &str) -> StoreResult<Principal>;
    async fn principal_by_token(&self, token_hash: &str) -> StoreResult<Option<Principal>>;
    /// Deletes every API token and dashboard session of a principal, in one transaction;
    /// returns how many tokens there were. NotFound when there is no such principal.
    async fn revoke_tokens(&self, principal_id: &str) -> StoreResult<u64>;

    // --- dashboard sessions ---------------------------------------------------------------

    /// Keeps a new session; in the same transaction, removes a bounded number of expired ones,
    /// so that the table holds little more than the live sessions.
    async fn create_session(&self, session: &DashboardSession) -> StoreResult<()>;
    /// The session whose id hashes to `id_hash`, unless it has expired at `now`.
    async fn live_session(
        &self,
        id_hash: &str,
        now: chrono::DateTime<chrono::Utc>,
    ) -> StoreResult<Option<DashboardSession>>;
    /// Ends every session that signed in with the token `token_hash`; returns how many.
    async fn end_sessions(&self, token_hash: &str) -> StoreResult<u64>;

    // --- signing keys ---------------------------------------------------------------------

    /// The current key, then the keys retired after `retired_after`, latest retired first.
    async fn signing_keys(
        &self,
        retired_after: chrono::DateTime<chrono::Utc>,
    ) -> StoreResult<Vec<SigningKey>>;
    /// Keeps `key` as the current key unless there is one already; returns whether it was
    /// kept. Of any number of processes calling this at once, exactly one key is kept.
    async fn add_first_signing_key(&self, key: &SigningKey) -> StoreResult<bool>;
    /// In one transaction: retires the current key at `key.created_at`, keeps `key` as the
    /// current one, and deletes the keys retired before `forget_retired_before`. Rotations
    /// from several processes at once run one after the other.
    async fn rotate_signing_key(
        &self,
        key: &SigningKey,
        forget_retired_before: chrono::DateTime<chrono::Utc>,
    ) -> StoreResult<()>;

    // --- councils -------------------------------------------------------------------------

    /// Conflict when the id or one of its domains is taken; NotFound when a member is unknown.
    /// Makes `delegation` its member's one delegation, replacing any other.
    async fn set_delegation(&self, delegation: &quorum_domain::Delegation) -> StoreResult<()>;
    /// Ends a member's delegation; whether there was one.
    async fn clear_delegation(&self, principal_id: &str) -> StoreResult<bool>;
    async fn delegation(
        &self,
        principal_id: &str,
    ) -> StoreResult<Option<quorum_domain::Delegation>>;
    /// The delegations naming `delegate_id` that are in force at `at`.
    async fn delegations_to(
        &self,
        delegate_id: &str,
        at: chrono::DateTime<chrono::Utc>,
    ) -> StoreResult<Vec<quorum_domain::Delegation>>;
    async fn create_council(&self, council: &Council) -> StoreResult<()>;
    async fn get_council(&self, id: &str) -> StoreResult<Council>;
    async fn list_councils(&self) -> StoreResult<Vec<Council>>;
    async fn council_for_domain(&self, domain: &str) -> StoreResult<Option<String>>;

    // --- workflows ------------------------------------------------------------------------

    /// Inserts the workflow, its `created` audit row and its aggregate counts together.
    async fn create_workflow(&self, new: &NewWorkflow) -> StoreResult<quorum_domain::Workflow>;
    async fn get_workflow(&self, id: &str) -> StoreResult<WorkflowDetail>;
    /// A page of the list, newest first: deep unfiltered offsets from the marks
    /// ([`marks`]), everything else by [`Store::walk_workflows`].
    async fn list_workflows(
        &self,
        filter: &WorkflowFilter,
        page: &PageRequest,
    ) -> StoreResult<WorkflowPage> {
        marks::list(self, filter, page, &marks::RULES).await
    }
    /// A page of the list found by walking the ordering index to it.
    async fn walk_workflows(
        &self,
        filter: &WorkflowFilter,
        page: &PageRequest,
    ) -> StoreResult<WorkflowPage>;
    /// The total and the state of the marks, read together.
    async fn workflow_marks(&self) -> StoreResult<marks::MarkSnapshot>;
    /// Where the workflow at `rank` (counted from the oldest) is, stepping from the nearest
    /// mark at or below it; `None` without one.
    async fn workflow_at_rank(&self, rank: i64) -> StoreResult<Option<Cursor>>;
    /// Counts the workflows created `horizon_secs` before the database's clock, oldest first,
    /// and marks every `spacing`th and the last; counts the late inserts first.
    async fn take_workflow_marks(
        &self,
        spacing: i64,
        horizon_secs: i64,
    ) -> StoreResult<marks::MarkSet>;
    /// Replaces the marks with `set`.
    async fn save_workflow_marks(&self, set: &marks::MarkSet) -> StoreResult<()>;
    /// Moves a workflow from `from` to `to` if it is still in `from`; Conflict otherwise.
    async fn transition(&self, change: &Transition) -> StoreResult<quorum_domain::Workflow>;
    /// Records an ended attempt's metric and adds it to the aggregates.
    async fn record_metric(&self, metric: &NewMetric) -> StoreResult<()>;

    /// Marks a step running (a retry counts another attempt and clears the last error).
    async fn start_step(
        &self,
        workflow_id: &str,
        position: i64,
        name: &str,
        at: chrono::DateTime<chrono::Utc>,
    ) -> StoreResult<()>;
    /// Records how a running step ended (`succeeded` or `failed`), emits `step_finished`, and
    /// starts `then_start` when the workflow is still in progress.
    async fn finish_step(&self, step: &StepOutcome) -> StoreResult<quorum_domain::Workflow>;

    // --- governance -----------------------------------------------------------------------

    /// Counts a vote and, if it settles the matter, makes the decision, in one transaction
    /// that holds the workflow: of any number of concurrent votes exactly one decides.
    /// Conflict for a second vote by the same member, a vote after the decision, a vote on a
    /// workflow that is not pending, or a digest that is not the workflow's.
    async fn cast_vote(&self, vote: &NewVote) -> StoreResult<VoteOutcome>;
    /// Marks an approved, pending workflow as handed to execution; Conflict otherwise.
    async fn enqueue(
        &self,
        workflow_id: &str,
        actor: &str,
        at: chrono::DateTime<chrono::Utc>,
    ) -> StoreResult<quorum_domain::Workflow>;
    /// Sends a pending, undecided workflow nobody has voted on yet to another council, with a
    /// new electorate, moving its aggregates; audited. Conflict once a vote is cast or the
    /// workflow is decided.
    async fn reassign(&self, change: &Reassignment) -> StoreResult<quorum_domain::Workflow>;
    /// A page of the pending workflows awaiting a decision from `councils` (every council's
    /// when empty), in `order`.
    async fn undecided(
        &self,
        councils: &[String],
        order: QueueOrder,
        limit: i64,
        offset: i64,
    ) -> StoreResult<Vec<quorum_domain::Workflow>>;
    /// Undecided workflows of `council_id` whose voting deadline falls after `now` and by
    /// `until`, and that nobody has been reminded of yet, soonest first.
    async fn due_for_reminder(
        &self,
        council_id: &str,
        now: chrono::DateTime<chrono::Utc>,
        until: chrono::DateTime<chrono::Utc>,
        limit: i64,
    ) -> StoreResult<Vec<String>>;
    /// Undecided pending workflows whose voting deadline is before `now`, oldest first.
    async fn due_for_expiry(
        &self,
        now: chrono::DateTime<chrono::Utc>,
        limit: i64,
    ) -> StoreResult<Vec<String>>;
    /// Replaces a council's members and its rule (whose named members are among them);
    /// workflows already created keep their electorate and rule.
    async fn set_members(
        &self,
        council_id: &str,
        members: &[String],
        rule: &quorum_domain::Rule,
    ) -> StoreResult<()>;

    // --- the database queue -----------------------------------------------------------------

    /// Queues workflows for execution; returns how many were not queued already. Approvals
    /// queue in the transaction that decides them; this is for the rest.
    async fn enqueue_jobs(&self, jobs: &[NewJob]) -> StoreResult<u64>;
    /// Up to `limit` jobs by priority, then age, whose lease is free or expired at `now`,
    /// in that order. Concurrent claimers never get the same job.
    async fn claim_jobs(
        &self,
        worker: &str,
        now: chrono::DateTime<chrono::Utc>,
        lease: chrono::Duration,
        limit: i64,
    ) -> StoreResult<Vec<JobClaim>>;
    /// Extends a claim's lease; false when the claim is no longer the job's.
    async fn renew_lease(
        &self,
        claim: &JobClaim,
        now: chrono::DateTime<chrono::Utc>,
        lease: chrono::Duration,
    ) -> StoreResult<bool>;
    /// Removes finished jobs; returns how many claims were still the jobs' own.
    async fn ack_jobs(&self, claims: &[JobClaim]) -> StoreResult<u64>;
    /// `ack_jobs(done)` then `claim_jobs(…)` in one call, so that a worker asks for its next
    /// job as it hands in the last (one round trip on PostgreSQL); a job of `done` is never
    /// among those claimed. Returns how many of `done` were still held, and the claims.
    async fn ack_and_claim_jobs(
        &self,
        done: &[JobClaim],
        worker: &str,
        now: chrono::DateTime<chrono::Utc>,
        lease: chrono::Duration,
        limit: i64,
    ) -> StoreResult<(u64, Vec<JobClaim>)>;
    /// Gives a job back, claimable again from `available_at` (a retry's backoff).
    async fn release_job(
        &self,
        claim: &JobClaim,
        available_at: chrono::DateTime<chrono::Utc>,
    ) -> StoreResult<bool>;
    /// Jobs queued or held.
    async fn queue_depth(&self) -> StoreResult<i64>;

    // --- contact forms ----------------------------------------------------------------------

    /// Keeps a message (its `delivery` says what became of it so far).
    async fn add_contact_message(&self, message: &ContactMessage) -> StoreResult<()>;
    /// Records what the SMTP server said: `sent`, or `failed` with the error. NotFound when
    /// no such message is kept.
    async fn set_contact_delivery(&self, report: &DeliveryReport) -> StoreResult<()>;
    /// A site's messages, newest first.
    async fn contact_messages(&self, site: &str, limit: i64) -> StoreResult<Vec<ContactMessage>>;

    // --- what visitors do on sites ---------------------------------------------------------

    /// Keeps a lead and counts it as a conversion of its variant, in one transaction.
    async fn add_lead(&self, lead: &Lead) -> StoreResult<()>;
    /// Records what the SMTP server said of a lead forwarded to its site's address.
    async fn set_lead_delivery(&self, report: &DeliveryReport) -> StoreResult<()>;
    /// A site's leads, newest first.
    async fn leads(&self, site: &str, limit: i64, offset: i64) -> StoreResult<Vec<Lead>>;
    /// Counts one event (one atomic upsert, each of any number of servers' counted once).
    async fn count_site_event(&self, event: &SiteEvent) -> StoreResult<()>;
    /// Every count of a site's events, by deployment, metric and label.
    async fn site_counts(&self, site: &str) -> StoreResult<Vec<SiteCount>>;

    /// Places an order in one transaction: a key placed already gives its order back
    /// (`Replayed`); otherwise each product's stock is taken (the deployment's count starts at
    /// the catalogue's number) or, when too few are left, nothing at all is written.
    async fn place_order(&self, order: &NewOrder) -> StoreResult<OrderPlaced>;
    /// A site's orders, newest first.
    async fn orders(&self, site: &str, limit: i64, offset: i64) -> StoreResult<Vec<Order>>;
    async fn order(&self, site: &str, number: &str) -> StoreResult<Option<Order>>;
    /// Changes an order's status if it still has `change.from`, with an entry in its history
    /// and, for a cancellation, its stock given back; None when its status was not `from`.
    async fn set_order_status(&self, change: &OrderStatusChange) -> StoreResult<Option<Order>>;
    /// An order's history, oldest first.
    async fn order_events(&self, order_id: &str) -> StoreResult<Vec<OrderEvent>>;

    // --- rate limits ------------------------------------------------------------------------

    /// Counts one hit of its key in its window (one atomic upsert: concurrent hits from any
    /// number of servers are each counted once) and returns that window's count with the
    /// previous window's. Also removes a bounded number of windows that have expired at the
    /// hit's time, so the table holds about two rows per active key.
    async fn count_hit(&self, hit: &Hit) -> StoreResult<HitCounts>;

    // --- notifications ----------------------------------------------------------------------

    async fn set_notification_settings(&self, settings: &NotificationSettings) -> StoreResult<()>;
    async fn notification_settings(
        &self,
        principal_id: &str,
    ) -> StoreResult<Option<NotificationSettings>>;
    /// Adds notices not owed yet (one per member, workflow and kind ever); how many were new.
    async fn add_notices(&self, notices: &[Notice]) -> StoreResult<u64>;
    /// Claims up to `limit` notices due at `now` that nobody holds, for `lease`: a sender that
    /// dies leaves them to another after that.
    async fn claim_notices(
        &self,
        now: chrono::DateTime<chrono::Utc>,
        lease: chrono::Duration,
        limit: i64,
    ) -> StoreResult<Vec<Notice>>;
    async fn finish_notice(&self, outcome: &NoticeOutcome) -> StoreResult<()>;
    /// Makes an unsent notice due later (a daily digest's hour) and releases it.
    async fn defer_notice(
        &self,
        id: &str,
        due_at: chrono::DateTime<chrono::Utc>,
    ) -> StoreResult<()>;
    async fn add_vote_links(&self, links: &[VoteLink]) -> StoreResult<()>;
    async fn vote_link(&self, token_hash: &str) -> StoreResult<Option<VoteLink>>;
    /// Uses the link, and with it every other link of its member for its workflow; false when
    /// it was used (or does not exist), changing nothing.
    async fn use_vote_link(
        &self,
        token_hash: &str,
        at: chrono::DateTime<chrono::Utc>,
    ) -> StoreResult<bool>;
    async fn add_outbox_mail(&self, mail: &OutboxMail) -> StoreResult<()>;
    /// Mail kept for `recipient`, newest first.
    async fn outbox_mail(&self, recipient: &str, limit: i64) -> StoreResult<Vec<OutboxMail>>;

    // --- deployed sites ---------------------------------------------------------------------

    /// Keeps blobs not kept yet; a blob already kept is left as it is (its hash names it).
    async fn put_blobs(&self, blobs: &[Blob]) -> StoreResult<()>;
    /// A blob by its hash.
    async fn blob(&self, hash: &str) -> StoreResult<Option<Blob>>;
    /// Stores the deployment with its files and makes it its site's live one, in one
    /// transaction; the site then claims the deployment's domain (none releases the one it
    /// had). Deploying an id again stores nothing new and makes it live again, so a deploy
    /// that runs twice is harmless. NotFound when a file names a blob not kept; Conflict,
    /// changing nothing, when another agent's workflow owns the site or another site holds
    /// the domain (see [`plan::claim_domain`]).
    async fn deploy(&self, deployment: &Deployment) -> StoreResult<()>;
    /// The site whose live deployment claims `domain`, if any.
    async fn domain_claim(&self, domain: &str) -> StoreResult<Option<DomainClaim>>;
    /// The deployment a site serves, with its files by path; None for a site never deployed.
    async fn live_deployment(&self, site: &str) -> StoreResult<Option<Deployment>>;
    /// The files of a workflow's preview, by path; none when it has no preview.
    async fn preview_files(&self, workflow_id: &str) -> StoreResult<Vec<records::DeploymentFile>>;
    /// A site with its owner, live deployment and history; None for a site never deployed.
    async fn site(&self, slug: &str) -> StoreResult<Option<SiteRecord>>;
    /// Sites in slug order after `after`, each without its history.
    async fn sites(&self, after: Option<&str>, limit: i64) -> StoreResult<Vec<SiteRecord>>;
    /// Makes `to_deployment` the site's live one, with its domain, and records who did it and
    /// why, in one transaction; returns the deployment it replaced. NotFound for an unknown
    /// site or a deployment of another site, Conflict when it is live already or another site
    /// holds its domain now.
    async fn rollback_site(&self, rollback: &SiteRollback) -> StoreResult<String>;
    /// Removes the site's deployments older than its newest `keep` (never the live one, at
    /// most [`PRUNE_BATCH`]) with their files, then the blobs no deployment, upload or
    /// preview names any more, in one transaction.
    async fn prune_deployments(&self, site: &str, keep: i64) -> StoreResult<Pruned>;

    // --- uploads ----------------------------------------------------------------------------

    /// Keeps an upload with its renditions' blobs (`blobs`, one per rendition; a blob kept
    /// already is left as it is), in one transaction. Conflict when the id is taken; NotFound,
    /// keeping nothing, when a rendition's blob is not among `blobs`.
    async fn add_upload(&self, upload: &Upload, blobs: &[Blob]) -> StoreResult<()>;
    /// The uploads of `ids` that exist, each with its renditions, in the order of `ids`.
    async fn uploads(&self, ids: &[String]) -> StoreResult<Vec<Upload>>;

    // --- events ---------------------------------------------------------------------------

    /// Events after `after_id` matching `filter`, oldest first.
    async fn events_after(
        &self,
        after_id: i64,
        filter: &EventFilter,
        limit: i64,
    ) -> StoreResult<Vec<EventRecord>>;
    async fn last_event_id(&self) -> StoreResult<i64>;
    /// Deletes, in one transaction, up to `limit` events from before `before` whose workflow
    /// has finished (or no longer exists), oldest first; returns how many. Every event of a
    /// pending or running workflow is kept whatever its age, so its history can still be
    /// streamed. Callers repeat until fewer than `limit` go, so no prune holds the writer long.
    async fn prune_events(
        &self,
        before: chrono::DateTime<chrono::Utc>,
        limit: i64,
    ) -> StoreResult<u64>;

    // --- aggregates -----------------------------------------------------------------------

    /// The aggregate rows matching `filter`. Without a time range they come from the aggregate
    /// table alone, never from the workflows.
    async fn aggregates(&self, filter: &WorkflowFilter) -> StoreResult<Vec<AggregateRow>>;
    /// The same rows recomputed by a full scan of workflows; for checks, never for requests.
    async fn scan_aggregates(&self) -> StoreResult<Vec<AggregateRow>>;
    /// Every aggregate row as stored.
    async fn stored_aggregates(&self) -> StoreResult<Vec<AggregateRow>>;

    // --- bulk -----------------------------------------------------------------------------

    /// Inserts finished history in bulk (demo data, imports) with its aggregates, in one
    /// transaction.
    async fn bulk_insert(&self, batch: &BulkBatch) -> StoreResult<()>;
}
