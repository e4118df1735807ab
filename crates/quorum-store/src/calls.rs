//! The `Store` methods a backend implements by handing its arguments to a function of one of
//! its modules, listed once for every backend, and the macro that writes its `impl Store`.

/// `impl Store for $store`: the methods written in `{ … }` (`backend`, `migrate`, `ping`), and
/// one per line below, each handing its arguments to a function of the backend's own module
/// through the backend's macro `$call`, invoked as
/// `$call!(self, read|write, module::function, arg, …)`.
///
/// `read` or `write` says which connection a call needs (SQLite runs each call on a reader or
/// on its single writer). The signatures are the trait's; they are written there and here only.
#[macro_export]
macro_rules! impl_store {
    ($store:ty, $call:ident, { $($own:tt)* }) => {
        $crate::impl_store! { @methods $store, $call, { $($own)* },
            write register_type(new: $crate::NewTypeVersion) -> $crate::TypeRecord = directory::register_type;
            read get_type(id: &str, version: Option<i64>) -> $crate::TypeRecord = directory::get_type;
            read list_types() -> Vec<$crate::TypeRecord> = directory::list_types;
            write create_principal(principal: &quorum_domain::Principal, token_hash: Option<&str>) -> () = directory::create_principal;
            write add_token(principal_id: &str, token_hash: &str) -> () = directory::add_token;
            read get_principal(id: &str) -> quorum_domain::Principal = directory::get_principal;
            read principal_by_token(token_hash: &str) -> Option<quorum_domain::Principal> = directory::principal_by_token;
            write revoke_tokens(principal_id: &str) -> u64 = directory::revoke_tokens;
            write create_session(session: &$crate::DashboardSession) -> () = sessions::create;
            read live_session(id_hash: &str, now: chrono::DateTime<chrono::Utc>) -> Option<$crate::DashboardSession> = sessions::live;
            write end_sessions(token_hash: &str) -> u64 = sessions::end;
            read signing_keys(retired_after: chrono::DateTime<chrono::Utc>) -> Vec<$crate::SigningKey> = keys::list;
            write add_first_signing_key(key: &$crate::SigningKey) -> bool = keys::add_first;
            write rotate_signing_key(key: &$crate::SigningKey, forget_retired_before: chrono::DateTime<chrono::Utc>) -> () = keys::rotate;
            write set_delegation(delegation: &quorum_domain::Delegation) -> () = directory::set_delegation;
            write clear_delegation(principal_id: &str) -> bool = directory::clear_delegation;
            read delegation(principal_id: &str) -> Option<quorum_domain::Delegation> = directory::delegation;
            read delegations_to(delegate_id: &str, at: chrono::DateTime<chrono::Utc>) -> Vec<quorum_domain::Delegation> = directory::delegations_to;
            write create_council(council: &quorum_domain::Council) -> () = directory::create_council;
            read get_council(id: &str) -> quorum_domain::Council = directory::get_council;
            read list_councils() -> Vec<quorum_domain::Council> = directory::list_councils;
            read council_for_domain(domain: &str) -> Option<String> = directory::council_for_domain;
            write create_workflow(new: &$crate::NewWorkflow) -> quorum_domain::Workflow = workflows::create;
            read get_workflow(id: &str) -> $crate::WorkflowDetail = detail::detail;
            read walk_workflows(filter: &$crate::WorkflowFilter, page: &$crate::PageRequest) -> $crate::WorkflowPage = workflows::list;
            read workflow_marks() -> $crate::marks::MarkSnapshot = marks::snapshot;
            read workflow_at_rank(rank: i64) -> Option<$crate::Cursor> = marks::at_rank;
            read take_workflow_marks(spacing: i64, horizon_secs: i64) -> $crate::marks::MarkSet = marks::take;
            write save_workflow_marks(set: &$crate::marks::MarkSet) -> () = marks::save;
            write transition(change: &$crate::Transition) -> quorum_domain::Workflow = workflows::transition;
            write record_metric(metric: &$crate::NewMetric) -> () = workflows::record_metric;
            write start_step(workflow_id: &str, position: i64, name: &str, at: chrono::DateTime<chrono::Utc>) -> () = steps::start;
            write finish_step(step: &$crate::StepOutcome) -> quorum_domain::Workflow = steps::finish;
            write cast_vote(vote: &$crate::NewVote) -> $crate::VoteOutcome = governance::cast_vote;
            write enqueue(workflow_id: &str, actor: &str, at: chrono::DateTime<chrono::Utc>) -> quorum_domain::Workflow = governance::enqueue;
            write reassign(change: &$crate::Reassignment) -> quorum_domain::Workflow = governance::reassign;
            read undecided(councils: &[String], order: $crate::QueueOrder, limit: i64, offset: i64) -> Vec<quorum_domain::Workflow> = governance::undecided;
            read due_for_reminder(council_id: &str, now: chrono::DateTime<chrono::Utc>, until: chrono::DateTime<chrono::Utc>, limit: i64) -> Vec<String> = governance::due_for_reminder;
            read due_for_expiry(now: chrono::DateTime<chrono::Utc>, limit: i64) -> Vec<String> = governance::due_for_expiry;
            write set_members(council_id: &str, members: &[String], rule: &quorum_domain::Rule) -> () = governance::set_members;
            write enqueue_jobs(jobs: &[$crate::NewJob]) -> u64 = jobs::enqueue;
            write claim_jobs(worker: &str, now: chrono::DateTime<chrono::Utc>, lease: chrono::Duration, limit: i64) -> Vec<$crate::JobClaim> = jobs::claim;
            write renew_lease(claim: &$crate::JobClaim, now: chrono::DateTime<chrono::Utc>, lease: chrono::Duration) -> bool = jobs::renew;
            write ack_jobs(claims: &[$crate::JobClaim]) -> u64 = jobs::ack;
            write ack_and_claim_jobs(done: &[$crate::JobClaim], worker: &str, now: chrono::DateTime<chrono::Utc>, lease: chrono::Duration, limit: i64) -> (u64, Vec<$crate::JobClaim>) = jobs::ack_and_claim;
            write release_job(claim: &$crate::JobClaim, available_at: chrono::DateTime<chrono::Utc>) -> bool = jobs::release;
            read queue_depth() -> i64 = jobs::depth;
            write add_contact_message(message: &$crate::ContactMessage) -> () = contact::add;
            write set_contact_delivery(report: &$crate::DeliveryReport) -> () = contact::set_delivery;
            read contact_messages(site: &str, limit: i64) -> Vec<$crate::ContactMessage> = contact::list;
            write add_lead(lead: &$crate::Lead) -> () = visitors::add_lead;
            write set_lead_delivery(report: &$crate::DeliveryReport) -> () = visitors::set_lead_delivery;
            read leads(site: &str, limit: i64, offset: i64) -> Vec<$crate::Lead> = visitors::leads;
            write count_site_event(event: &$crate::SiteEvent) -> () = visitors::count;
            read site_counts(site: &str) -> Vec<$crate::SiteCount> = visitors::counts;
            write place_order(order: &$crate::NewOrder) -> $crate::OrderPlaced = orders::place;
            read orders(site: &str, limit: i64, offset: i64) -> Vec<$crate::Order> = orders::list;
            read order(site: &str, number: &str) -> Option<$crate::Order> = orders::get;
            write set_order_status(change: &$crate::OrderStatusChange) -> Option<$crate::Order> = orders::set_status;
            read order_events(order_id: &str) -> Vec<$crate::OrderEvent> = orders::events;
            write count_hit(hit: &$crate::Hit) -> $crate::HitCounts = limits::count_hit;
            write set_notification_settings(settings: &$crate::NotificationSettings) -> () = notices::set_settings;
            read notification_settings(principal_id: &str) -> Option<$crate::NotificationSettings> = notices::settings;
            write add_notices(notices: &[$crate::Notice]) -> u64 = notices::add;
            write claim_notices(now: chrono::DateTime<chrono::Utc>, lease: chrono::Duration, limit: i64) -> Vec<$crate::Notice> = notices::claim;
            write finish_notice(outcome: &$crate::NoticeOutcome) -> () = notices::finish;
            write defer_notice(id: &str, due_at: chrono::DateTime<chrono::Utc>) -> () = notices::defer;
            write add_vote_links(links: &[$crate::VoteLink]) -> () = notices::add_links;
            read vote_link(token_hash: &str) -> Option<$crate::VoteLink> = notices::link;
            write use_vote_link(token_hash: &str, at: chrono::DateTime<chrono::Utc>) -> bool = notices::use_link;
            write add_outbox_mail(mail: &$crate::OutboxMail) -> () = notices::add_mail;
            read outbox_mail(recipient: &str, limit: i64) -> Vec<$crate::OutboxMail> = notices::mail_to;
            write put_blobs(blobs: &[$crate::Blob]) -> () = deployments::put_blobs;
            read blob(hash: &str) -> Option<$crate::Blob> = deployments::blob;
            write deploy(deployment: &$crate::Deployment) -> () = deployments::deploy;
            read domain_claim(domain: &str) -> Option<$crate::DomainClaim> = deployments::domain_claim;
            read live_deployment(site: &str) -> Option<$crate::Deployment> = deployments::live;
            read preview_files(workflow_id: &str) -> Vec<$crate::DeploymentFile> = deployments::preview_files;
            read site(slug: &str) -> Option<$crate::SiteRecord> = deployments::site;
            read sites(after: Option<&str>, limit: i64) -> Vec<$crate::SiteRecord> = deployments::sites;
            write rollback_site(rollback: &$crate::SiteRollback) -> String = deployments::rollback;
            write prune_deployments(site: &str, keep: i64) -> $crate::Pruned = deployments::prune;
            write add_upload(upload: &$crate::Upload, blobs: &[$crate::Blob]) -> () = uploads::add;
            read uploads(ids: &[String]) -> Vec<$crate::Upload> = uploads::by_ids;
            read events_after(after_id: i64, filter: &$crate::EventFilter, limit: i64) -> Vec<$crate::EventRecord> = governance::events_after;
            read last_event_id() -> i64 = governance::last_event_id;
            write prune_events(before: chrono::DateTime<chrono::Utc>, limit: i64) -> u64 = limits::prune_events;
            read aggregates(filter: &$crate::WorkflowFilter) -> Vec<$crate::AggregateRow> = workflows::aggregates;
            read scan_aggregates() -> Vec<$crate::AggregateRow> = workflows::scan_aggregates;
            read stored_aggregates() -> Vec<$crate::AggregateRow> = workflows::stored_aggregates;
            write bulk_insert(batch: &$crate::BulkBatch) -> () = bulk::insert;
        }
    };
    (@methods $store:ty, $call:ident, { $($own:tt)* },
        $($mode:ident $name:ident($($arg:ident: $ty:ty),*) -> $ret:ty = $module:ident::$function:ident;)*) => {
        #[async_trait::async_trait]
        impl $crate::Store for $store {
            $($own)*

            $(async fn $name(&self, $($arg: $ty),*) -> $crate::StoreResult<$ret> {
                $call!(self, $mode, $module::$function, $($arg),*)
            })*
        }
    };
}
