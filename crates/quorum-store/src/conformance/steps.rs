//! Step conformance: step records show progress, attempts and errors while a workflow runs.
//! (Claims, leases and their fencing are the queue suite's, which runs the database queue.)

use chrono::Duration;

use super::*;

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

pub async fn step_records_show_progress_attempts_and_errors(store: &S) {
    seed(store).await;
    let id = queued(store, 0, 0).await;
    let t = base_time();
    let done =
        |position: i64, status: &str, error: Option<&str>, seconds: i64| crate::StepOutcome {
            workflow_id: id.clone(),
            position,
            status: quorum_domain::StepStatus::parse(status).unwrap(),
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
        events
            .iter()
            .filter(|e| e.kind.as_str() == "step_finished")
            .count(),
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
