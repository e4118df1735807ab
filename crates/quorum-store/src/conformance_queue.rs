//! Database-queue conformance: order, exclusive claims, leases and their fencing.

use std::collections::HashSet;

use chrono::Duration;

use crate::conformance::{S, base_time, new_workflow, seed};

async fn claim_job(
    store: &S,
    worker: &str,
    now: chrono::DateTime<chrono::Utc>,
    lease: Duration,
) -> crate::StoreResult<Option<crate::JobClaim>> {
    Ok(store.claim_jobs(worker, now, lease, 1).await?.pop())
}

async fn ack_job(store: &S, claim: &crate::JobClaim) -> crate::StoreResult<bool> {
    Ok(store.ack_jobs(std::slice::from_ref(claim)).await? == 1)
}

async fn enqueue_job(
    store: &S,
    workflow_id: &str,
    priority: i64,
    available_at: chrono::DateTime<chrono::Utc>,
) -> crate::StoreResult<bool> {
    let job = crate::NewJob {
        workflow_id: workflow_id.to_owned(),
        priority,
        available_at,
    };
    Ok(store.enqueue_jobs(&[job]).await? == 1)
}

async fn queued(store: &S, priority: i64, minutes: i64) -> String {
    let new = new_workflow("agent_a", "council_media", base_time());
    store.create_workflow(&new).await.unwrap();
    assert!(
        enqueue_job(
            store,
            &new.id,
            priority,
            base_time() + Duration::minutes(minutes)
        )
        .await
        .unwrap()
    );
    new.id
}

pub async fn jobs_are_claimed_by_priority_then_age_and_only_once_ready(store: &S) {
    seed(store).await;
    let old = queued(store, 0, 0).await;
    let young = queued(store, 0, 5).await;
    let urgent = queued(store, 10, 7).await;
    let future = queued(store, 0, 60).await;
    assert!(
        !enqueue_job(store, &old, 0, base_time()).await.unwrap(),
        "a workflow is queued once"
    );
    assert_eq!(store.queue_depth().await.unwrap(), 4);
    let now = base_time() + Duration::minutes(10);
    let lease = Duration::seconds(30);
    let mut order = Vec::new();
    while let Some(claim) = claim_job(store, "w1", now, lease).await.unwrap() {
        assert_eq!(claim.attempt, 1);
        assert!(ack_job(store, &claim).await.unwrap());
        order.push(claim.workflow_id);
    }
    assert_eq!(
        order,
        [urgent, old, young],
        "priority first, then age; not before it is available"
    );
    let later = claim_job(store, "w1", base_time() + Duration::minutes(61), lease)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(later.workflow_id, future);
}

pub async fn eight_concurrent_claimers_never_take_the_same_job(store: &S) {
    seed(store).await;
    for _ in 0..40 {
        queued(store, 0, 0).await;
    }
    let mut tasks = Vec::new();
    for worker in 0..8 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let mut mine = Vec::new();
            while let Some(claim) = claim_job(
                &store,
                &format!("w{worker}"),
                base_time() + Duration::hours(1),
                Duration::minutes(5),
            )
            .await
            .unwrap()
            {
                mine.push(claim);
            }
            mine
        }));
    }
    let mut claimed = Vec::new();
    for task in tasks {
        claimed.extend(task.await.unwrap());
    }
    let distinct: HashSet<&str> = claimed.iter().map(|c| c.workflow_id.as_str()).collect();
    assert_eq!(
        (claimed.len(), distinct.len()),
        (40, 40),
        "every job claimed once"
    );
    for claim in &claimed {
        assert!(ack_job(store, claim).await.unwrap());
    }
    assert_eq!(store.queue_depth().await.unwrap(), 0, "ack removes");
}

pub async fn an_expired_lease_is_claimed_again_and_the_old_claim_is_fenced(store: &S) {
    seed(store).await;
    queued(store, 0, 0).await;
    let t = base_time() + Duration::minutes(1);
    let lease = Duration::seconds(30);
    let first = claim_job(store, "w1", t, lease).await.unwrap().unwrap();
    assert!(
        claim_job(store, "w2", t + Duration::seconds(10), lease)
            .await
            .unwrap()
            .is_none(),
        "held"
    );
    assert!(
        store
            .renew_lease(&first, t + Duration::seconds(20), lease)
            .await
            .unwrap(),
        "a heartbeat extends the lease"
    );
    assert!(
        claim_job(store, "w2", t + Duration::seconds(40), lease)
            .await
            .unwrap()
            .is_none(),
        "renewed to t+50s"
    );
    let second = claim_job(store, "w2", t + Duration::seconds(51), lease)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(second.attempt, 2, "redelivered after the lease expired");
    assert!(
        !ack_job(store, &first).await.unwrap(),
        "the first claim is fenced off"
    );
    assert!(
        !store
            .renew_lease(&first, t + Duration::seconds(52), lease)
            .await
            .unwrap()
    );
    assert!(!store.release_job(&first, t).await.unwrap());
    assert!(
        store
            .release_job(&second, t + Duration::minutes(5))
            .await
            .unwrap(),
        "a retry backs off"
    );
    assert!(
        claim_job(store, "w3", t + Duration::minutes(4), lease)
            .await
            .unwrap()
            .is_none()
    );
    let third = claim_job(store, "w3", t + Duration::minutes(5), lease)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(third.attempt, 3);
    assert!(ack_job(store, &third).await.unwrap());
    assert_eq!(store.queue_depth().await.unwrap(), 0);
}

pub async fn step_records_show_progress_attempts_and_errors(store: &S) {
    seed(store).await;
    let id = queued(store, 0, 0).await;
    let t = base_time();
    let done =
        |position: i64, status: &str, error: Option<&str>, seconds: i64| crate::StepOutcome {
            workflow_id: id.clone(),
            position,
            status: status.into(),
            error: error.map(str::to_owned),
            output: Some(serde_json::json!({"files": 3})),
            at: t + Duration::seconds(seconds),
            then_start: None,
        };
    store
        .start_step(&id, 0, "initialize_project", t)
        .await
        .unwrap();
    store
        .finish_step(&done(0, "succeeded", None, 2))
        .await
        .unwrap();
    store
        .start_step(&id, 1, "generate_pages", t + Duration::seconds(2))
        .await
        .unwrap();
    store
        .finish_step(&done(1, "failed", Some("disk full"), 3))
        .await
        .unwrap();
    assert!(
        matches!(
            store.finish_step(&done(1, "succeeded", None, 4)).await,
            Err(crate::StoreError::Conflict(_))
        ),
        "only a running step finishes"
    );
    store
        .start_step(&id, 1, "generate_pages", t + Duration::seconds(5))
        .await
        .unwrap();
    let steps = store.get_workflow(&id).await.unwrap().steps;
    assert_eq!(steps.len(), 2);
    assert_eq!(
        (
            steps[0].status.as_str(),
            steps[0].attempts,
            steps[0].duration_ms
        ),
        ("succeeded", 1, Some(2_000))
    );
    assert_eq!(
        (
            steps[1].status.as_str(),
            steps[1].attempts,
            steps[1].error.as_deref()
        ),
        ("running", 2, None),
        "a retry clears the error"
    );
    let events = store
        .events_after(0, &crate::EventFilter::default(), 100)
        .await
        .unwrap();
    assert_eq!(
        events.iter().filter(|e| e.kind == "step_finished").count(),
        2
    );

    // Finishing a step may start the next in the same transaction, only while in progress.
    let chained = crate::StepOutcome {
        then_start: Some((2, "apply_branding".into())),
        ..done(1, "succeeded", None, 6)
    };
    store.finish_step(&chained).await.unwrap();
    let steps = store.get_workflow(&id).await.unwrap().steps;
    assert_eq!(
        steps.len(),
        2,
        "a pending workflow does not start its next step"
    );
    use quorum_domain::WorkflowStatus::{InProgress, Pending};
    store
        .transition(&crate::conformance::move_to(&id, Pending, InProgress))
        .await
        .unwrap();
    store.start_step(&id, 2, "apply_branding", t).await.unwrap();
    let chained = crate::StepOutcome {
        then_start: Some((3, "setup_seo".into())),
        ..done(2, "succeeded", None, 7)
    };
    store.finish_step(&chained).await.unwrap();
    let steps = store.get_workflow(&id).await.unwrap().steps;
    assert_eq!(
        (
            steps[3].name.as_str(),
            steps[3].status.as_str(),
            steps[3].attempts
        ),
        ("setup_seo", "running", 1),
        "started with the finish of the step before"
    );
}
