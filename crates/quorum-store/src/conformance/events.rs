//! Event conformance: every kind of live event carries the payload recorded in
//! `fixtures/events.json` (clients parse these: a change by a byte fails here; after an
//! intended change, `QUORUM_RECORD=1` records them anew), streams follow a filter and resume
//! after an id, and old events of finished workflows are pruned while the rest stay.

use std::collections::HashSet;

use chrono::Duration;
use quorum_domain::{Decision, EventKind, StepStatus, Threshold, VoteChoice, WorkflowStatus};
use serde_json::{Value, json};

use super::*;
use crate::*;

const RECORDED: &str = include_str!("../../fixtures/events.json");

fn ballot(workflow_id: &str, user: &str, choice: VoteChoice) -> NewVote {
    NewVote {
        id: quorum_domain::ids::new_id("vote"),
        workflow_id: workflow_id.into(),
        user_id: user.into(),
        vote: choice,
        reason: format!("{user} says {}", choice.as_str()),
        digest: "digest".into(),
        voted_at: base_time(),
        cast_by: None,
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
        event: EventKind::parse(event).unwrap(),
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
        status: StepStatus::parse(status).unwrap(),
        error: error.map(str::to_owned),
        output: Some(json!({"files": 3})),
        at: base_time(),
        then_start: None,
        wake_at: None,
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
        .cast_vote(&ballot(&run, "user_1", approve))
        .await
        .unwrap();
    store
        .cast_vote(&ballot(&run, "user_2", approve))
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
    // It waits an hour first, then resumes and fails.
    let waiting = StepOutcome {
        wake_at: Some(base_time() + Duration::hours(1)),
        output: None,
        ..step(&run, 1, "waiting", None)
    };
    store.finish_step(&waiting).await.unwrap();
    store
        .start_step(&run, 1, "echo", base_time() + Duration::hours(1))
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
        .cast_vote(&ballot(&queued, "user_1", approve))
        .await
        .unwrap();
    store
        .cast_vote(&ballot(&queued, "user_3", approve))
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
            .cast_vote(&ballot(&rejected, user, reject))
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
            rule: Threshold::Unanimous.into(),
            voting_deadline: None,
            actor: "admin".into(),
            reason: "commerce owns shops".into(),
            at: base_time(),
            expired_deadline: None,
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
        new.voting_deadline = Some(base_time() - Duration::hours(1));
    })
    .await;
    let mut expired = change(
        &overdue,
        WorkflowStatus::Pending,
        WorkflowStatus::Cancelled,
        "expired",
    );
    expired.decision = Some(Decision::Expired);
    expired.actor = "system".into();
    expired.reason = Some("no decision within 72 hours".into());
    expired.require_undecided = true;
    store.transition(&expired).await.unwrap();
    let by_policy = create(store, |new| {
        new.decision = Some(Decision::Approved);
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

pub async fn events_follow_a_filter_and_resume_after_an_id(store: &S) {
    seed(store).await;
    let start = store.last_event_id().await.unwrap();
    let media = pending(store, 1, Threshold::SimpleMajority).await;
    store
        .create_workflow(&new_workflow("agent_b", "council_commerce", base_time()))
        .await
        .unwrap();
    store
        .cast_vote(&vote(&media, "member_0", VoteChoice::Approve))
        .await
        .unwrap();
    let filter = EventFilter {
        council_id: Some("council_media".into()),
        agent_id: None,
    };
    let events = store.events_after(start, &filter, 100).await.unwrap();
    let kinds: Vec<&str> = events.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds, ["created", "voted", "decided"]);
    assert!(
        events
            .iter()
            .all(|e| e.workflow_id == media && e.council_id == "council_media")
    );
    assert!(events.windows(2).all(|w| w[0].id < w[1].id));
    let resumed = store
        .events_after(events[0].id, &filter, 100)
        .await
        .unwrap();
    assert_eq!(resumed, events[1..]);
    let by_agent = store
        .events_after(
            start,
            &EventFilter {
                council_id: None,
                agent_id: Some("agent_b".into()),
            },
            100,
        )
        .await
        .unwrap();
    assert_eq!(by_agent.len(), 1);
    assert_eq!(
        store.last_event_id().await.unwrap(),
        events.last().unwrap().id.max(by_agent[0].id)
    );
}

async fn workflow_at(
    store: &S,
    created: chrono::DateTime<chrono::Utc>,
    moves: &[(
        WorkflowStatus,
        WorkflowStatus,
        chrono::DateTime<chrono::Utc>,
    )],
) -> String {
    let new = new_workflow("agent_a", "council_media", created);
    store.create_workflow(&new).await.unwrap();
    for (from, to, at) in moves {
        let mut change = move_to(&new.id, *from, *to);
        change.at = *at;
        store.transition(&change).await.unwrap();
    }
    new.id
}

async fn all_events(store: &S) -> Vec<EventRecord> {
    store
        .events_after(0, &EventFilter::default(), 1_000)
        .await
        .unwrap()
}

pub async fn old_events_of_finished_workflows_are_pruned_in_batches_and_the_rest_kept(store: &S) {
    use WorkflowStatus::*;
    seed(store).await;
    let old = base_time();
    let later = old + Duration::hours(1);
    let recent = old + Duration::days(10);
    let cutoff = old + Duration::days(5);
    let cancelled = workflow_at(store, old, &[(Pending, Cancelled, later)]).await;
    let completed = workflow_at(
        store,
        old,
        &[(Pending, InProgress, later), (InProgress, Completed, later)],
    )
    .await;
    let pending = workflow_at(store, old, &[]).await;
    let running = workflow_at(store, old, &[(Pending, InProgress, later)]).await;
    let finished_recently = workflow_at(store, recent, &[(Pending, Cancelled, recent)]).await;
    let straddling = workflow_at(store, old, &[(Pending, Cancelled, recent)]).await;

    let before = all_events(store).await;
    let prunable: Vec<i64> = before
        .iter()
        .filter(|e| {
            e.at < cutoff && [&cancelled, &completed, &straddling].contains(&&e.workflow_id)
        })
        .map(|e| e.id)
        .collect();
    assert_eq!(prunable.len(), 6, "{before:?}");

    assert_eq!(store.prune_events(cutoff, 4).await.unwrap(), 4);
    let left: HashSet<i64> = all_events(store).await.iter().map(|e| e.id).collect();
    assert!(
        prunable[..4].iter().all(|id| !left.contains(id)) && left.contains(&prunable[4]),
        "the oldest go first"
    );
    assert_eq!(store.prune_events(cutoff, 4).await.unwrap(), 2);
    assert_eq!(store.prune_events(cutoff, 4).await.unwrap(), 0);

    let after = all_events(store).await;
    let expected: Vec<i64> = before
        .iter()
        .map(|e| e.id)
        .filter(|id| !prunable.contains(id))
        .collect();
    assert_eq!(after.iter().map(|e| e.id).collect::<Vec<_>>(), expected);
    for id in [&pending, &running] {
        let kept = after.iter().filter(|e| &e.workflow_id == id).count();
        let had = before.iter().filter(|e| &e.workflow_id == id).count();
        assert_eq!(
            kept, had,
            "an unfinished workflow keeps every event, however old"
        );
    }
    assert_eq!(
        after
            .iter()
            .filter(|e| e.workflow_id == finished_recently)
            .count(),
        2,
        "recent events stay"
    );
    assert!(
        after
            .iter()
            .all(|e| e.workflow_id != straddling || e.at >= cutoff),
        "a finished workflow keeps its recent events only"
    );
    assert_eq!(
        store.last_event_id().await.unwrap(),
        before.last().unwrap().id
    );
}
