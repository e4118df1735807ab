//! Rate-limit and retention conformance: hits are counted exactly per key and window, however
//! many arrive at once, and expired windows go; old events of finished workflows are pruned in
//! batches while every event of an unfinished workflow stays.

use std::collections::HashSet;

use chrono::Duration;
use quorum_domain::WorkflowStatus;

use crate::conformance::{S, base_time, move_to, new_workflow, seed};
use crate::*;

const MINUTE: Duration = Duration::minutes(1);

async fn hit(store: &S, key: &str, at: chrono::DateTime<chrono::Utc>) -> (i64, i64) {
    let counts = store.count_hit(key, at, MINUTE).await.unwrap();
    assert_eq!(counts.window_start, rate_windows(at, MINUTE).0);
    (counts.current, counts.previous)
}

pub async fn hits_count_per_key_and_window_and_expired_windows_go(store: &S) {
    seed(store).await;
    let at = base_time() + Duration::seconds(10);
    for n in 1..=3 {
        assert_eq!(hit(store, "contact:acme:10.0.0.1", at).await, (n, 0));
    }
    assert_eq!(
        hit(store, "contact:acme:10.0.0.2", at).await,
        (1, 0),
        "another key counts apart"
    );
    assert_eq!(
        hit(store, "contact:acme:10.0.0.1", at + MINUTE).await,
        (1, 3),
        "the next window starts over and sees the previous one"
    );
    assert_eq!(
        hit(store, "contact:acme:10.0.0.1", at + MINUTE * 3).await,
        (1, 0),
        "after an idle window nothing is carried over"
    );
    // That hit removed the windows that had expired: a late hit counted in one starts over.
    assert_eq!(hit(store, "contact:acme:10.0.0.1", at).await, (1, 0));
    assert_eq!(hit(store, "contact:acme:10.0.0.2", at).await, (1, 0));
}

pub async fn twenty_concurrent_hits_are_each_counted_once(store: &S) {
    seed(store).await;
    let at = base_time();
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let store = store.clone();
            tokio::spawn(async move { store.count_hit("contact:acme:10.0.0.9", at, MINUTE).await })
        })
        .collect();
    let mut counts = Vec::new();
    for task in tasks {
        counts.push(task.await.unwrap().unwrap().current);
    }
    counts.sort_unstable();
    assert_eq!(counts, (1..=20).collect::<Vec<_>>());
    assert_eq!(hit(store, "contact:acme:10.0.0.9", at).await, (21, 0));
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
