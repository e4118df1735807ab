//! The storage conformance suite. Every backend runs every test here through
//! [`conformance_suite!`](crate::conformance_suite), each on a fresh, empty database; a
//! module per concern. The database queue's claims and leases are the queue suite's
//! (`quorum_queue::conformance`), which every backend runs through `DbQueue`.

mod aggregates;
mod directory;
mod domains;
mod events;
mod governance;
mod keys;
mod limits;
mod lists;
mod orders;
mod sessions;
mod sites;
mod steps;
mod uploads;
mod visitors;
mod workflows;

use std::sync::Arc;

use chrono::{TimeZone, Utc};
use quorum_domain::ids::new_id;
use quorum_domain::{Council, Principal, PrincipalKind, Role, Threshold, WorkflowStatus};
use serde_json::json;

use crate::*;

/// Expands to one `#[tokio::test]` per conformance test. `$fresh` is an async expression that
/// yields `Option<impl AsRef<Arc<dyn Store>>>`; `None` skips (a backend that is not running
/// outside CI).
#[macro_export]
macro_rules! conformance_suite {
    ($fresh:expr) => {
        $crate::conformance_suite!(@each $fresh;
            types_are_versioned_and_an_identical_definition_is_not_a_new_version,
            principals_resolve_by_token_hash_and_ids_are_unique,
            councils_round_trip_and_a_domain_has_one_council,
            a_created_workflow_reads_back_field_by_field,
            an_unknown_workflow_is_not_found,
            lists_are_newest_first_and_total_counts_the_filter_not_the_page,
            deep_offset_pages_from_marks_are_the_walks_pages_until_a_late_insert,
            time_ranges_narrow_the_list_and_the_aggregates,
            cursor_pages_visit_every_row_exactly_once,
            transitions_are_conditional_and_audited,
            metrics_add_to_the_aggregates_of_the_workflows_status,
            random_creates_transitions_and_metrics_keep_the_aggregates_exact,
            bulk_history_matches_a_full_scan,
            votes_decide_as_soon_as_the_outcome_is_certain,
            a_decision_approves_and_queues_or_rejects_and_cancels,
            concurrent_votes_make_exactly_one_decision,
            concurrent_votes_decide_once_by_required_and_veto_members,
            a_delegates_vote_counts_once_as_the_members,
            an_escalation_happens_once_and_is_not_then_expired,
            the_queue_pages_undecided_workflows_in_each_order,
            only_undecided_overdue_workflows_expire,
            events_follow_a_filter_and_resume_after_an_id,
            every_kind_of_event_carries_the_recorded_payload,
            step_records_show_progress_attempts_and_errors,
            concurrent_step_records_each_get_their_own_answer,
            a_waiting_step_keeps_its_time_and_resumes_as_the_same_attempt,
            sessions_live_until_they_expire_and_sign_out_ends_every_session_of_the_token,
            creating_a_session_prunes_expired_ones,
            revoking_a_principals_tokens_ends_its_tokens_and_sessions_and_nothing_else,
            hits_count_per_key_and_window_and_expired_windows_go,
            twenty_concurrent_hits_are_each_counted_once,
            old_events_of_finished_workflows_are_pruned_in_batches_and_the_rest_kept,
            blobs_are_kept_once_and_read_back_by_hash,
            a_deploy_makes_its_deployment_live_and_may_run_again,
            a_deployment_naming_a_missing_blob_changes_nothing,
            a_site_belongs_to_its_first_deployer_and_rolls_back_with_an_audit,
            old_deployments_and_the_blobs_only_they_named_are_collected,
            a_live_deployment_claims_its_domain_for_its_site_alone,
            concurrent_claims_of_one_domain_have_exactly_one_winner,
            the_first_signing_key_is_kept_once_and_reads_back,
            concurrent_first_keys_leave_exactly_one_current_key,
            rotating_retires_the_current_key_and_forgets_long_retired_ones,
            concurrent_rotations_run_one_after_the_other,
            an_upload_reads_back_with_its_renditions_and_an_id_is_kept_once,
            an_upload_without_the_blob_of_a_rendition_keeps_nothing,
            a_deployed_rendition_is_the_uploads_blob_and_outlives_the_deployment,
            leads_read_back_newest_first_and_count_as_conversions,
            concurrent_site_events_are_each_counted_once,
            an_order_is_placed_once_per_key_and_takes_its_stock_once,
            concurrent_orders_never_take_more_than_the_stock
        );
    };
    (@each $fresh:expr; $($name:ident),*) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                let Some(db) = $fresh.await else { return };
                $crate::conformance::$name(std::convert::AsRef::as_ref(&db)).await;
            }
        )*
    };
}

pub type S = Arc<dyn Store>;

pub use aggregates::*;
pub use directory::*;
pub use domains::*;
pub use events::*;
pub use governance::*;
pub use keys::*;
pub use limits::*;
pub use lists::*;
pub use orders::*;
pub use sessions::*;
pub use sites::*;
pub use steps::*;
pub use uploads::*;
pub use visitors::*;
pub use workflows::*;

pub(crate) const TYPE_ID: &str = "test.echo";

pub(crate) fn definition(name: &str) -> serde_json::Value {
    json!({"id": TYPE_ID, "name": name, "steps": [{"name": "echo", "handler": "test.echo"}]})
}

/// A type, two agents, three members and two councils.
pub async fn seed(store: &S) {
    store
        .migrate()
        .await
        .expect("migrations apply twice without harm");
    store
        .register_type(NewTypeVersion {
            id: TYPE_ID.into(),
            definition: definition("Echo"),
            executable: true,
            registered_at: Utc::now(),
        })
        .await
        .unwrap();
    for (id, kind, role) in [
        ("agent_a", PrincipalKind::Agent, Role::Agent),
        ("agent_b", PrincipalKind::Agent, Role::Agent),
        ("user_1", PrincipalKind::User, Role::Member),
        ("user_2", PrincipalKind::User, Role::Member),
        ("user_3", PrincipalKind::User, Role::Member),
    ] {
        let p = Principal {
            id: id.into(),
            kind,
            name: id.into(),
            roles: vec![role],
            created_at: quorum_domain::time::now(),
        };
        store
            .create_principal(&p, Some(&format!("hash-{id}")))
            .await
            .unwrap();
    }
    for (id, domain) in [("council_media", "media"), ("council_commerce", "commerce")] {
        store.create_council(&council(id, domain)).await.unwrap();
    }
}

pub(crate) fn council(id: &str, domain: &str) -> Council {
    Council {
        id: id.into(),
        name: format!("{id} council"),
        domains: vec![domain.into()],
        members: vec!["user_1".into(), "user_2".into(), "user_3".into()],
        threshold: Threshold::SimpleMajority,
        required: Vec::new(),
        veto: Vec::new(),
        voting_window_hours: Some(72),
        remind_hours_before: None,
        on_expiry: Default::default(),
        created_at: quorum_domain::time::now(),
    }
}

pub fn new_workflow(agent: &str, council: &str, created_at: chrono::DateTime<Utc>) -> NewWorkflow {
    NewWorkflow {
        id: new_id("wf"),
        workflow_type_id: TYPE_ID.into(),
        workflow_type_version: 1,
        created_by_agent: agent.into(),
        assigned_council_id: council.into(),
        status: WorkflowStatus::Pending,
        decision: None,
        inputs: json!({"site_name": "Codex <Digital>", "pages": ["home", "about"]}),
        calculated_savings: json!({"weekly_savings": 225.0, "annual_savings": 11700.0}),
        weekly_cents: 22_500,
        annual_cents: 1_170_000,
        created_at,
        actor: agent.into(),
        electorate: vec!["user_1".into(), "user_2".into(), "user_3".into()],
        rule: Threshold::SimpleMajority.into(),
        digest: "digest".into(),
        preview: None,
        voting_deadline: None,
        enqueue: true,
        note: None,
    }
}

pub fn base_time() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 12, 20, 12, 0, 0).unwrap()
}

pub(crate) fn move_to(id: &str, from: WorkflowStatus, to: WorkflowStatus) -> Transition {
    Transition {
        workflow_id: id.into(),
        from,
        to,
        decision: None,
        outputs: None,
        error: None,
        actor: "system".into(),
        event: quorum_domain::EventKind::entering(to),
        reason: None,
        at: quorum_domain::time::now(),
        require_undecided: false,
        metric: None,
    }
}

pub(crate) async fn assert_aggregates_exact(store: &S) {
    let stored = normalize(store.stored_aggregates().await.unwrap());
    let scanned = normalize(store.scan_aggregates().await.unwrap());
    assert_eq!(stored, scanned, "stored aggregates differ from a full scan");
    let from_endpoint = summarize(&store.aggregates(&WorkflowFilter::default()).await.unwrap());
    let from_scan = summarize(&store.scan_aggregates().await.unwrap());
    assert_eq!(from_endpoint, from_scan);
}
