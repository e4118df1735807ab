//! The storage conformance suite. Every backend runs every test here through
//! [`conformance_suite!`](crate::conformance_suite), each on a fresh, empty database.

use std::collections::HashSet;
use std::sync::Arc;

use chrono::{Duration, TimeZone, Utc};
use quorum_domain::ids::new_id;
use quorum_domain::{Council, Principal, PrincipalKind, Role, Threshold, WorkflowStatus};
use rand::{RngExt, SeedableRng};
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
            time_ranges_narrow_the_list_and_the_aggregates,
            cursor_pages_visit_every_row_exactly_once,
            transitions_are_conditional_and_audited,
            metrics_add_to_the_aggregates_of_the_workflows_status,
            random_creates_transitions_and_metrics_keep_the_aggregates_exact,
            bulk_history_matches_a_full_scan,
            votes_decide_as_soon_as_the_outcome_is_certain,
            a_decision_approves_and_queues_or_rejects_and_cancels,
            concurrent_votes_make_exactly_one_decision,
            only_undecided_overdue_workflows_expire,
            events_follow_a_filter_and_resume_after_an_id,
            every_kind_of_event_carries_the_recorded_payload,
            jobs_are_claimed_by_priority_then_age_and_only_once_ready,
            eight_concurrent_claimers_never_take_the_same_job,
            an_expired_lease_is_claimed_again_and_the_old_claim_is_fenced,
            step_records_show_progress_attempts_and_errors,
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
            the_first_signing_key_is_kept_once_and_reads_back,
            concurrent_first_keys_leave_exactly_one_current_key,
            rotating_retires_the_current_key_and_forgets_long_retired_ones,
            concurrent_rotations_run_one_after_the_other
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

pub use crate::conformance_deployments::*;
pub use crate::conformance_events::*;
pub use crate::conformance_governance::*;
pub use crate::conformance_keys::*;
pub use crate::conformance_limits::*;
pub use crate::conformance_queue::*;
pub use crate::conformance_sessions::*;

const TYPE_ID: &str = "test.echo";

fn definition(name: &str) -> serde_json::Value {
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

fn council(id: &str, domain: &str) -> Council {
    Council {
        id: id.into(),
        name: format!("{id} council"),
        domains: vec![domain.into()],
        members: vec!["user_1".into(), "user_2".into(), "user_3".into()],
        threshold: Threshold::SimpleMajority,
        voting_window_hours: Some(72),
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
        threshold: Threshold::SimpleMajority,
        digest: "digest".into(),
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
        event: to.as_str().to_lowercase(),
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

pub async fn types_are_versioned_and_an_identical_definition_is_not_a_new_version(store: &S) {
    seed(store).await;
    let again = store
        .register_type(NewTypeVersion {
            id: TYPE_ID.into(),
            definition: definition("Echo"),
            executable: true,
            registered_at: Utc::now(),
        })
        .await
        .unwrap();
    assert_eq!(again.version, 1);
    let changed = store
        .register_type(NewTypeVersion {
            id: TYPE_ID.into(),
            definition: definition("Echo 2"),
            executable: false,
            registered_at: Utc::now(),
        })
        .await
        .unwrap();
    assert_eq!(changed.version, 2);
    assert_eq!(
        store.get_type(TYPE_ID, None).await.unwrap().definition["name"],
        "Echo 2"
    );
    assert_eq!(
        store.get_type(TYPE_ID, Some(1)).await.unwrap().definition["name"],
        "Echo"
    );
    assert!(!store.get_type(TYPE_ID, None).await.unwrap().executable);
    let listed = store.list_types().await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].version, 2);
    assert!(matches!(
        store.get_type("nope", None).await,
        Err(StoreError::NotFound(_))
    ));
}

pub async fn principals_resolve_by_token_hash_and_ids_are_unique(store: &S) {
    seed(store).await;
    let agent = store
        .principal_by_token("hash-agent_a")
        .await
        .unwrap()
        .expect("token resolves");
    assert_eq!(agent.id, "agent_a");
    assert_eq!(agent.roles, vec![Role::Agent]);
    assert_eq!(agent.kind, PrincipalKind::Agent);
    assert!(
        store
            .principal_by_token("hash-unknown")
            .await
            .unwrap()
            .is_none()
    );
    store.add_token("agent_a", "second-hash").await.unwrap();
    assert_eq!(
        store
            .principal_by_token("second-hash")
            .await
            .unwrap()
            .unwrap()
            .id,
        "agent_a"
    );
    assert!(matches!(
        store.add_token("nobody", "h").await,
        Err(StoreError::NotFound(_))
    ));
    let dup = Principal {
        id: "agent_a".into(),
        kind: PrincipalKind::Agent,
        name: "x".into(),
        roles: vec![],
        created_at: Utc::now(),
    };
    assert!(matches!(
        store.create_principal(&dup, None).await,
        Err(StoreError::Conflict(_))
    ));
}

pub async fn councils_round_trip_and_a_domain_has_one_council(store: &S) {
    seed(store).await;
    let media = store.get_council("council_media").await.unwrap();
    assert_eq!(media.members, ["user_1", "user_2", "user_3"]);
    assert_eq!(media.domains, ["media"]);
    assert_eq!(media.voting_window_hours, Some(72));
    assert_eq!(
        store
            .council_for_domain("commerce")
            .await
            .unwrap()
            .as_deref(),
        Some("council_commerce")
    );
    assert_eq!(store.council_for_domain("nothing").await.unwrap(), None);
    assert!(matches!(
        store
            .create_council(&council("council_other", "media"))
            .await,
        Err(StoreError::Conflict(_))
    ));
    let mut ghost = council("council_ghost", "ghost");
    ghost.members.push("user_missing".into());
    assert!(matches!(
        store.create_council(&ghost).await,
        Err(StoreError::NotFound(_))
    ));
    assert!(
        matches!(
            store.get_council("council_ghost").await,
            Err(StoreError::NotFound(_))
        ),
        "nothing half-written"
    );
    assert_eq!(store.list_councils().await.unwrap().len(), 2);
}

pub async fn a_created_workflow_reads_back_field_by_field(store: &S) {
    seed(store).await;
    let new = new_workflow("agent_a", "council_media", base_time());
    let created = store.create_workflow(&new).await.unwrap();
    let detail = store.get_workflow(&new.id).await.unwrap();
    assert_eq!(detail.workflow, created);
    let w = detail.workflow;
    assert_eq!(
        (w.id.as_str(), w.status, w.decision.as_deref()),
        (new.id.as_str(), WorkflowStatus::Pending, None)
    );
    assert_eq!(w.inputs.to_value(), new.inputs);
    assert_eq!(w.outputs.to_value(), json!({}));
    assert_eq!(w.calculated_savings.to_value(), new.calculated_savings);
    assert_eq!(w.created_at, base_time());
    assert_eq!((w.started_at, w.completed_at), (None, None));
    assert_eq!(detail.audit.len(), 1);
    assert_eq!(detail.audit[0].event, "created");
    assert_eq!(detail.audit[0].to_status, Some(WorkflowStatus::Pending));
    assert!(detail.metrics.is_empty() && detail.votes.is_empty() && detail.steps.is_empty());
    assert!(matches!(
        store.create_workflow(&new).await,
        Err(StoreError::Conflict(_))
    ));
    assert_aggregates_exact(store).await;
}

pub async fn an_unknown_workflow_is_not_found(store: &S) {
    seed(store).await;
    assert!(matches!(
        store.get_workflow("wf_000000000000").await,
        Err(StoreError::NotFound(_))
    ));
    let t = move_to(
        "wf_000000000000",
        WorkflowStatus::Pending,
        WorkflowStatus::Cancelled,
    );
    assert!(matches!(
        store.transition(&t).await,
        Err(StoreError::NotFound(_))
    ));
}

/// 30 workflows a minute apart: agents alternate, councils every third.
async fn thirty(store: &S) -> Vec<NewWorkflow> {
    let mut all = Vec::new();
    for i in 0..30 {
        let agent = if i % 2 == 0 { "agent_a" } else { "agent_b" };
        let council = if i % 3 == 0 {
            "council_commerce"
        } else {
            "council_media"
        };
        let new = new_workflow(agent, council, base_time() + Duration::minutes(i));
        store.create_workflow(&new).await.unwrap();
        all.push(new);
    }
    all
}

pub async fn lists_are_newest_first_and_total_counts_the_filter_not_the_page(store: &S) {
    seed(store).await;
    let all = thirty(store).await;
    let page = store
        .list_workflows(
            &WorkflowFilter::default(),
            &PageRequest::Offset {
                limit: 10,
                offset: 5,
            },
        )
        .await
        .unwrap();
    assert_eq!(page.total, 30);
    let ids: Vec<&str> = page.workflows.iter().map(|w| w.id.as_str()).collect();
    let expected: Vec<&str> = all
        .iter()
        .rev()
        .skip(5)
        .take(10)
        .map(|w| w.id.as_str())
        .collect();
    assert_eq!(ids, expected);
    assert!(page.next_cursor.is_some());

    let agent_b = WorkflowFilter {
        agent_id: Some("agent_b".into()),
        ..Default::default()
    };
    let page = store
        .list_workflows(
            &agent_b,
            &PageRequest::Offset {
                limit: 100,
                offset: 0,
            },
        )
        .await
        .unwrap();
    assert_eq!((page.total, page.workflows.len()), (15, 15));
    assert!(
        page.workflows
            .iter()
            .all(|w| w.created_by_agent == "agent_b")
    );
    assert!(page.next_cursor.is_none(), "a short page has no next page");

    store
        .transition(&move_to(
            &all[0].id,
            WorkflowStatus::Pending,
            WorkflowStatus::Cancelled,
        ))
        .await
        .unwrap();
    let cases = [
        (
            WorkflowFilter {
                status: Some(WorkflowStatus::Cancelled),
                ..Default::default()
            },
            1,
        ),
        (
            WorkflowFilter {
                status: Some(WorkflowStatus::Pending),
                council_id: Some("council_commerce".into()),
                ..Default::default()
            },
            9,
        ),
        (
            WorkflowFilter {
                council_id: Some("council_media".into()),
                ..Default::default()
            },
            20,
        ),
        (
            WorkflowFilter {
                workflow_type_id: Some(TYPE_ID.into()),
                agent_id: Some("agent_a".into()),
                ..Default::default()
            },
            15,
        ),
        (
            WorkflowFilter {
                workflow_type_id: Some("other".into()),
                ..Default::default()
            },
            0,
        ),
    ];
    for (filter, total) in cases {
        let page = store
            .list_workflows(
                &filter,
                &PageRequest::Offset {
                    limit: 3,
                    offset: 0,
                },
            )
            .await
            .unwrap();
        assert_eq!(page.total, total, "{filter:?}");
        assert_eq!(page.workflows.len() as i64, total.min(3), "{filter:?}");
    }
    let beyond = store
        .list_workflows(
            &WorkflowFilter::default(),
            &PageRequest::Offset {
                limit: 10,
                offset: 100,
            },
        )
        .await
        .unwrap();
    assert!(beyond.workflows.is_empty());
    assert_eq!(beyond.total, 30);
}

pub async fn time_ranges_narrow_the_list_and_the_aggregates(store: &S) {
    seed(store).await;
    thirty(store).await;
    let filter = WorkflowFilter {
        created_after: Some(base_time() + Duration::minutes(10)),
        created_before: Some(base_time() + Duration::minutes(20)),
        ..Default::default()
    };
    let page = store
        .list_workflows(
            &filter,
            &PageRequest::Offset {
                limit: 100,
                offset: 0,
            },
        )
        .await
        .unwrap();
    assert_eq!(page.total, 10, "after is inclusive, before exclusive");
    assert_eq!(
        page.workflows[0].created_at,
        base_time() + Duration::minutes(19)
    );
    assert_eq!(
        summarize(&store.aggregates(&filter).await.unwrap()).total_workflows,
        10
    );
}

pub async fn cursor_pages_visit_every_row_exactly_once(store: &S) {
    seed(store).await;
    let mut all = thirty(store).await;
    // Two workflows in the same microsecond: the id breaks the tie.
    let mut twin = new_workflow(
        "agent_a",
        "council_media",
        base_time() + Duration::minutes(7),
    );
    twin.id = "wf_zzzzzzzzzzzz".into();
    store.create_workflow(&twin).await.unwrap();
    all.push(twin);
    let mut seen = Vec::new();
    let mut page = store
        .list_workflows(
            &WorkflowFilter::default(),
            &PageRequest::Offset {
                limit: 7,
                offset: 0,
            },
        )
        .await
        .unwrap();
    loop {
        seen.extend(page.workflows.iter().map(|w| (w.created_at, w.id.clone())));
        let Some(cursor) = page.next_cursor else {
            break;
        };
        page = store
            .list_workflows(
                &WorkflowFilter::default(),
                &PageRequest::After { limit: 7, cursor },
            )
            .await
            .unwrap();
    }
    assert_eq!(seen.len(), 31);
    let mut sorted = seen.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(seen, sorted, "newest first, ties by id descending");
    assert_eq!(seen.iter().map(|s| &s.1).collect::<HashSet<_>>().len(), 31);
}

pub async fn transitions_are_conditional_and_audited(store: &S) {
    seed(store).await;
    let new = new_workflow("agent_a", "council_media", base_time());
    store.create_workflow(&new).await.unwrap();
    let stale = move_to(
        &new.id,
        WorkflowStatus::InProgress,
        WorkflowStatus::Completed,
    );
    assert!(matches!(
        store.transition(&stale).await,
        Err(StoreError::Conflict(_))
    ));
    let mut approve = move_to(&new.id, WorkflowStatus::Pending, WorkflowStatus::InProgress);
    approve.decision = Some("approved".into());
    let running = store.transition(&approve).await.unwrap();
    assert_eq!(running.decision.as_deref(), Some("approved"));
    assert!(running.started_at.is_some() && running.completed_at.is_none());
    let mut done = move_to(
        &new.id,
        WorkflowStatus::InProgress,
        WorkflowStatus::Completed,
    );
    done.outputs = Some(json!({"site_url": "http://x/sites/codex/"}));
    let done = store.transition(&done).await.unwrap();
    assert_eq!(done.outputs.to_value()["site_url"], "http://x/sites/codex/");
    assert!(done.completed_at.is_some());
    assert_eq!(done.started_at, running.started_at, "started_at is kept");
    let audit = store.get_workflow(&new.id).await.unwrap().audit;
    let events: Vec<_> = audit.iter().map(|a| (a.from_status, a.to_status)).collect();
    assert_eq!(
        events,
        [
            (None, Some(WorkflowStatus::Pending)),
            (
                Some(WorkflowStatus::Pending),
                Some(WorkflowStatus::InProgress)
            ),
            (
                Some(WorkflowStatus::InProgress),
                Some(WorkflowStatus::Completed)
            ),
        ]
    );
    assert_aggregates_exact(store).await;
}

pub async fn metrics_add_to_the_aggregates_of_the_workflows_status(store: &S) {
    seed(store).await;
    let new = new_workflow("agent_a", "council_media", base_time());
    store.create_workflow(&new).await.unwrap();
    store
        .transition(&move_to(
            &new.id,
            WorkflowStatus::Pending,
            WorkflowStatus::InProgress,
        ))
        .await
        .unwrap();
    let metric = NewMetric {
        id: new_id("metric"),
        workflow_id: new.id.clone(),
        attempt: 1,
        duration_ms: 935_000,
        weekly_cents: 22_500,
        success_ppm: 1_000_000,
        error_count: 0,
        recorded_at: base_time(),
    };
    store.record_metric(&metric).await.unwrap();
    store
        .transition(&move_to(
            &new.id,
            WorkflowStatus::InProgress,
            WorkflowStatus::Completed,
        ))
        .await
        .unwrap();
    let detail = store.get_workflow(&new.id).await.unwrap();
    assert_eq!(detail.metrics.len(), 1);
    assert_eq!(detail.metrics[0].duration_seconds, 935.0);
    assert_eq!(detail.metrics[0].estimated_weekly_savings, 225.0);
    assert_eq!(detail.metrics[0].success_rate, 1.0);
    let summary = summarize(&store.aggregates(&WorkflowFilter::default()).await.unwrap());
    assert_eq!(summary.average_duration_seconds, 935.0);
    assert_eq!(summary.total_weekly_savings, 225.0);
    assert_eq!(summary.status_distribution["COMPLETED"], 1);
    assert_aggregates_exact(store).await;
}

pub async fn random_creates_transitions_and_metrics_keep_the_aggregates_exact(store: &S) {
    seed(store).await;
    let seed_value: u64 = rand::rng().random();
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed_value);
    let mut live: Vec<(String, WorkflowStatus)> = Vec::new();
    for step in 0..400 {
        let roll = rng.random_range(0..10);
        if live.is_empty() || roll < 3 {
            let agent = ["agent_a", "agent_b"][rng.random_range(0..2)];
            let council = ["council_media", "council_commerce"][rng.random_range(0..2)];
            let mut new = new_workflow(agent, council, base_time() + Duration::seconds(step));
            new.weekly_cents = rng.random_range(0..100_000);
            new.annual_cents = new.weekly_cents * 52;
            store.create_workflow(&new).await.unwrap();
            live.push((new.id, WorkflowStatus::Pending));
        } else if roll < 5 {
            let (id, _) = &live[rng.random_range(0..live.len())];
            let metric = NewMetric {
                id: new_id("metric"),
                workflow_id: id.clone(),
                attempt: 1,
                duration_ms: rng.random_range(0..1_000_000),
                weekly_cents: rng.random_range(0..100_000),
                success_ppm: rng.random_range(0..=1_000_000),
                error_count: rng.random_range(0..3),
                recorded_at: base_time(),
            };
            store.record_metric(&metric).await.unwrap();
        } else {
            let i = rng.random_range(0..live.len());
            let (id, from) = live[i].clone();
            let to = WorkflowStatus::ALL[rng.random_range(0..5)];
            let result = store.transition(&move_to(&id, from, to)).await;
            // The store enforces only the precondition; the lifecycle rules live above it.
            result.unwrap_or_else(|e| panic!("seed {seed_value}: {from} -> {to}: {e}"));
            live[i].1 = to;
        }
        if step % 100 == 99 {
            assert_aggregates_exact(store).await;
        }
    }
    // A stale precondition changes nothing.
    let (id, status) = live[0].clone();
    let wrong_from = WorkflowStatus::ALL
        .into_iter()
        .find(|s| *s != status)
        .unwrap();
    assert!(
        store
            .transition(&move_to(&id, wrong_from, status))
            .await
            .is_err()
    );
    assert_aggregates_exact(store).await;
}

pub async fn bulk_history_matches_a_full_scan(store: &S) {
    seed(store).await;
    let mut batch = BulkBatch::default();
    for i in 0..2_500 {
        let status = WorkflowStatus::ALL[i % 5];
        let mut new = new_workflow(
            ["agent_a", "agent_b"][i % 2],
            "council_media",
            base_time() - Duration::minutes(i as i64),
        );
        new.status = status;
        new.decision = (status != WorkflowStatus::Pending).then(|| "approved".into());
        if status.is_terminal() {
            batch.metrics.push(NewMetric {
                id: new_id("metric"),
                workflow_id: new.id.clone(),
                attempt: 1,
                duration_ms: 1_000 + i as i64,
                weekly_cents: new.weekly_cents,
                success_ppm: 1_000_000,
                error_count: 0,
                recorded_at: new.created_at,
            });
        }
        batch.votes.push(BulkVote {
            id: new_id("vote"),
            workflow_id: new.id.clone(),
            user_id: "user_1".into(),
            vote: "approve".into(),
            reason: "fine".into(),
            voted_at: new.created_at,
        });
        batch.audit.push(NewAudit {
            workflow_id: new.id.clone(),
            event: "created".into(),
            actor: new.actor.clone(),
            from_status: None,
            to_status: Some(WorkflowStatus::Pending),
            reason: None,
            at: new.created_at,
        });
        batch.workflows.push(BulkWorkflow {
            workflow: new,
            started_at: None,
            completed_at: None,
            outputs: json!({}),
            error: None,
        });
    }
    store.bulk_insert(&batch).await.unwrap();
    assert_aggregates_exact(store).await;
    let page = store
        .list_workflows(
            &WorkflowFilter::default(),
            &PageRequest::Offset {
                limit: 1,
                offset: 0,
            },
        )
        .await
        .unwrap();
    assert_eq!(page.total, 2_500);
    let detail = store.get_workflow(&page.workflows[0].id).await.unwrap();
    assert_eq!((detail.votes.len(), detail.audit.len()), (1, 1));
    let summary = summarize(&store.aggregates(&WorkflowFilter::default()).await.unwrap());
    assert_eq!(summary.total_attempts, 1_500);
}
