//! Workflow conformance: a created workflow reads back as written, an unknown one is not
//! found, and transitions are conditional and audited.

use quorum_domain::WorkflowStatus;
use serde_json::json;

use super::*;
use crate::*;

pub async fn a_created_workflow_reads_back_field_by_field(store: &S) {
    seed(store).await;
    let new = new_workflow("agent_a", "council_media", base_time());
    let created = store.create_workflow(&new).await.unwrap();
    let detail = store.get_workflow(&new.id).await.unwrap();
    assert_eq!(detail.workflow, created);
    let w = detail.workflow;
    assert_eq!(
        (w.id.as_str(), w.status, w.decision.map(|d| d.as_str())),
        (new.id.as_str(), WorkflowStatus::Pending, None)
    );
    assert_eq!(w.inputs.to_value(), new.inputs);
    assert_eq!(w.outputs.to_value(), json!({}));
    assert_eq!(w.calculated_savings.to_value(), new.calculated_savings);
    assert_eq!(w.created_at, base_time());
    assert_eq!((w.started_at, w.completed_at), (None, None));
    assert_eq!(detail.audit.len(), 1);
    assert_eq!(detail.audit[0].event.as_str(), "created");
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
    approve.decision = Some(quorum_domain::Decision::Approved);
    let running = store.transition(&approve).await.unwrap();
    assert_eq!(running.decision.map(|d| d.as_str()), Some("approved"));
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
