//! Aggregate conformance: the stored totals equal a full scan after metrics, random
//! transitions and bulk history.

use chrono::Duration;
use quorum_domain::ids::new_id;
use quorum_domain::{Decision, EventKind, WorkflowStatus};
use rand::{RngExt, SeedableRng};
use serde_json::json;

use super::*;
use crate::*;

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
            if from.can_become(to) {
                result.unwrap_or_else(|e| panic!("seed {seed_value}: {from} -> {to}: {e}"));
                live[i].1 = to;
            } else {
                // The store refuses what the lifecycle does not allow, and changes nothing.
                assert!(
                    matches!(result, Err(StoreError::Conflict(_))),
                    "seed {seed_value}: {from} -> {to} must be refused"
                );
            }
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
        new.decision = (status != WorkflowStatus::Pending).then_some(Decision::Approved);
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
            event: EventKind::Created,
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
