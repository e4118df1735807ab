//! The live events every write emits, compared with the payloads recorded in
//! `fixtures/events.json`: clients parse these, so a backend or a refactoring that changes
//! one by a byte fails here. After an intended change, `QUORUM_RECORD=1` records them anew.

use chrono::Duration;
use quorum_domain::{Threshold, VoteChoice, WorkflowStatus};
use serde_json::{Value, json};

use crate::conformance::{S, base_time, new_workflow, seed};
use crate::*;

const RECORDED: &str = include_str!("../fixtures/events.json");

fn vote(workflow_id: &str, user: &str, choice: VoteChoice) -> NewVote {
    NewVote {
        id: quorum_domain::ids::new_id("vote"),
        workflow_id: workflow_id.into(),
        user_id: user.into(),
        vote: choice,
        reason: format!("{user} says {}", choice.as_str()),
        digest: "digest".into(),
        voted_at: base_time(),
    }
}

fn change(id: &str, from: WorkflowStatus, to: WorkflowStatus, event: &str) -> Transition {
    Transition {
        workflow_id: id.into(),
        from,
        to,
        decision: None,
        outputs: None,
        error: None,
        actor: "worker_1".into(),
        event: event.into(),
        reason: None,
        at: base_time(),
        require_undecided: false,
        metric: None,
    }
}

fn step(id: &str, position: i64, status: &str, error: Option<&str>) -> StepOutcome {
    StepOutcome {
        workflow_id: id.into(),
        position,
        status: status.into(),
        error: error.map(str::to_owned),
        output: Some(json!({"files": 3})),
        at: base_time(),
        then_start: None,
    }
}

/// Creates a workflow of `agent_a` for the media council; `adjust` changes it first.
async fn create(store: &S, adjust: impl FnOnce(&mut NewWorkflow)) -> String {
    let mut new = new_workflow("agent_a", "council_media", base_time());
    adjust(&mut new);
    store.create_workflow(&new).await.unwrap();
    new.id
}

pub async fn every_kind_of_event_carries_the_recorded_payload(store: &S) {
    seed(store).await;
    let start = store.last_event_id().await.unwrap();
    let (approve, reject) = (VoteChoice::Approve, VoteChoice::Reject);

    // Approved by vote and queued with the decision, then run: two steps, one failing.
    let run = create(store, |_| {}).await;
    store
        .cast_vote(&vote(&run, "user_1", approve))
        .await
        .unwrap();
    store
        .cast_vote(&vote(&run, "user_2", approve))
        .await
        .unwrap();
    let started = change(
        &run,
        WorkflowStatus::Pending,
        WorkflowStatus::InProgress,
        "started",
    );
    store.transition(&started).await.unwrap();
    store
        .start_step(&run, 0, "echo", base_time())
        .await
        .unwrap();
    store
        .finish_step(&step(&run, 0, "succeeded", None))
        .await
        .unwrap();
    store
        .start_step(&run, 1, "echo", base_time())
        .await
        .unwrap();
    store
        .finish_step(&step(&run, 1, "failed", Some("disk full")))
        .await
        .unwrap();
    let mut completed = change(
        &run,
        WorkflowStatus::InProgress,
        WorkflowStatus::Completed,
        "completed",
    );
    completed.outputs = Some(json!({"url": "http://example.test/"}));
    store.transition(&completed).await.unwrap();

    // Approved without being queued, queued by hand, then refused by the worker.
    let queued = create(store, |new| new.enqueue = false).await;
    store
        .cast_vote(&vote(&queued, "user_1", approve))
        .await
        .unwrap();
    store
        .cast_vote(&vote(&queued, "user_3", approve))
        .await
        .unwrap();
    store
        .enqueue(&queued, "agent_a", base_time())
        .await
        .unwrap();
    let mut refused = change(
        &queued,
        WorkflowStatus::Pending,
        WorkflowStatus::Failed,
        "failed",
    );
    refused.error = Some("not run: its type changed".into());
    refused.reason = refused.error.clone();
    store.transition(&refused).await.unwrap();

    // Rejected by vote.
    let rejected = create(store, |_| {}).await;
    for user in ["user_1", "user_2"] {
        store
            .cast_vote(&vote(&rejected, user, reject))
            .await
            .unwrap();
    }

    // Sent to another council, then cancelled by its agent.
    let moved = create(store, |_| {}).await;
    store
        .reassign(&Reassignment {
            workflow_id: moved.clone(),
            council_id: "council_commerce".into(),
            electorate: vec!["user_1".into(), "user_2".into()],
            threshold: Threshold::Unanimous,
            voting_deadline: None,
            actor: "admin".into(),
            reason: "commerce owns shops".into(),
            at: base_time(),
        })
        .await
        .unwrap();
    let mut cancelled = change(
        &moved,
        WorkflowStatus::Pending,
        WorkflowStatus::Cancelled,
        "cancelled",
    );
    cancelled.actor = "agent_a".into();
    cancelled.reason = Some("no longer needed".into());
    store.transition(&cancelled).await.unwrap();

    // Expired undecided, and approved by policy at creation.
    let overdue = create(store, |new| {
        new.voting_deadline = Some(base_time() + Duration::hours(1));
    })
    .await;
    let mut expired = change(
        &overdue,
        WorkflowStatus::Pending,
        WorkflowStatus::Cancelled,
        "expired",
    );
    expired.decision = Some("expired".into());
    expired.actor = "system".into();
    expired.reason = Some("no decision within 72 hours".into());
    expired.require_undecided = true;
    store.transition(&expired).await.unwrap();
    let by_policy = create(store, |new| {
        new.decision = Some("approved".into());
        new.electorate = Vec::new();
    })
    .await;

    let names = [
        (run, "run"),
        (queued, "queued"),
        (rejected, "rejected"),
        (moved, "moved"),
        (overdue, "overdue"),
        (by_policy, "by_policy"),
    ];
    let events = store
        .events_after(start, &EventFilter::default(), 1_000)
        .await
        .unwrap();
    let seen: Vec<Value> = events
        .iter()
        .map(|e| {
            let (_, name) = names.iter().find(|(id, _)| *id == e.workflow_id).unwrap();
            // The text a stream sends: `data` as the store hands it to the web layer.
            json!({
                "workflow": name,
                "council_id": e.council_id,
                "agent_id": e.agent_id,
                "kind": e.kind,
                "data": e.data.to_string(),
            })
        })
        .collect();
    let file = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/events.json");
    if std::env::var_os("QUORUM_RECORD").is_some() {
        let mut text = serde_json::to_string_pretty(&seen).unwrap();
        text.push('\n');
        std::fs::write(file, text).unwrap();
        return;
    }
    let recorded: Vec<Value> = serde_json::from_str(RECORDED).unwrap();
    assert_eq!(seen.len(), recorded.len(), "{seen:#?}");
    for (seen, recorded) in seen.iter().zip(&recorded) {
        assert_eq!(seen, recorded);
    }
}
