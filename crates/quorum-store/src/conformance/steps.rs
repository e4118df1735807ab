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
            wake_at: None,
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

/// Many workflows' step records written at once (a backend may write them together): each
/// gets its own answer, a refused one fails alone, and the others are all written.
pub async fn concurrent_step_records_each_get_their_own_answer(store: &S) {
    use quorum_domain::StepStatus;
    use quorum_domain::WorkflowStatus::{Cancelled, InProgress, Pending};
    seed(store).await;
    let t = base_time();
    let mut ids = Vec::new();
    for _ in 0..12 {
        let id = queued(store, 0, 0).await;
        store
            .transition(&crate::conformance::move_to(&id, Pending, InProgress))
            .await
            .unwrap();
        ids.push(id);
    }
    let started: Vec<_> = ids
        .iter()
        .map(|id| {
            let (store, id) = (store.clone(), id.clone());
            tokio::spawn(async move { store.start_step(&id, 0, "initialize_project", t).await })
        })
        .collect();
    for start in started {
        start.await.unwrap().unwrap();
    }
    // One is cancelled while its step runs; one names a step that is not running; one names a
    // workflow that does not exist.
    let cancelled = ids[3].clone();
    store
        .transition(&crate::conformance::move_to(
            &cancelled, InProgress, Cancelled,
        ))
        .await
        .unwrap();
    let finish = |id: &str, position: i64| crate::StepOutcome {
        workflow_id: id.to_owned(),
        position,
        status: StepStatus::Succeeded,
        error: None,
        output: Some(serde_json::json!({"position": position, "of": id})),
        at: t + Duration::seconds(1),
        then_start: Some((position + 1, "generate_pages".into())),
        wake_at: None,
    };
    let mut outcomes: Vec<crate::StepOutcome> = ids.iter().map(|id| finish(id, 0)).collect();
    outcomes[5].position = 4;
    outcomes.push(finish("wf_nobody", 0));
    let finishing: Vec<_> = outcomes
        .iter()
        .map(|outcome| {
            let (store, outcome) = (store.clone(), outcome.clone());
            tokio::spawn(async move { store.finish_step(&outcome).await })
        })
        .collect();
    let mut answers = Vec::new();
    for finished in finishing {
        answers.push(finished.await.unwrap());
    }
    for (n, answer) in answers.iter().enumerate() {
        match n {
            5 => assert!(
                matches!(answer, Err(crate::StoreError::Conflict(m)) if m.contains("step 4 of")),
                "{answer:?}"
            ),
            12 => assert!(
                matches!(answer, Err(crate::StoreError::NotFound(_))),
                "{answer:?}"
            ),
            3 => assert_eq!(answer.as_ref().unwrap().status, Cancelled),
            _ => assert_eq!(answer.as_ref().unwrap().id, ids[n]),
        }
    }
    for (n, id) in ids.iter().enumerate() {
        let steps = store.get_workflow(id).await.unwrap().steps;
        let shown: Vec<(&str, i64)> = steps
            .iter()
            .map(|s| (s.status.as_str(), s.position))
            .collect();
        match n {
            5 => assert_eq!(shown, [("running", 0)], "the refused finish wrote nothing"),
            3 => assert_eq!(shown, [("succeeded", 0)], "no next step once cancelled"),
            _ => {
                assert_eq!(shown, [("succeeded", 0), ("running", 1)], "{id}");
                assert_eq!(
                    steps[0].output,
                    Some(serde_json::json!({"position": 0, "of": id})),
                    "each record its own output"
                );
            }
        }
    }
    let events = store
        .events_after(0, &crate::EventFilter::default(), 1_000)
        .await
        .unwrap();
    let finished = events
        .iter()
        .filter(|e| e.kind.as_str() == "step_finished")
        .count();
    assert_eq!(finished, 11, "one event for each finish that held");
}

/// A step that waits keeps its time and holds nothing; resumed, it is the same attempt, and
/// its time stays on its record after it ends.
pub async fn a_waiting_step_keeps_its_time_and_resumes_as_the_same_attempt(store: &S) {
    use quorum_domain::StepStatus;
    use quorum_domain::WorkflowStatus::{InProgress, Pending};
    seed(store).await;
    let id = queued(store, 0, 0).await;
    store
        .transition(&crate::conformance::move_to(&id, Pending, InProgress))
        .await
        .unwrap();
    let t = base_time();
    let until = t + Duration::days(365);
    store.start_step(&id, 0, "wait", t).await.unwrap();
    let outcome = |status: StepStatus, wake_at, seconds: i64| crate::StepOutcome {
        workflow_id: id.clone(),
        position: 0,
        status,
        error: None,
        output: None,
        at: t + Duration::seconds(seconds),
        then_start: Some((1, "publish".into())),
        wake_at,
    };
    assert!(
        matches!(
            store
                .finish_step(&outcome(StepStatus::Waiting, None, 1))
                .await,
            Err(crate::StoreError::Other(_))
        ),
        "a wait names its time"
    );
    store
        .finish_step(&outcome(StepStatus::Waiting, Some(until), 1))
        .await
        .unwrap();
    let steps = store.get_workflow(&id).await.unwrap().steps;
    assert_eq!(steps.len(), 1, "a waiting step starts no next step");
    assert_eq!(
        (steps[0].status, steps[0].wake_at, steps[0].attempts),
        (StepStatus::Waiting, Some(until), 1)
    );
    assert!(
        matches!(
            store
                .finish_step(&outcome(StepStatus::Succeeded, None, 2))
                .await,
            Err(crate::StoreError::Conflict(_))
        ),
        "a waiting step is not running"
    );
    store.start_step(&id, 0, "wait", until).await.unwrap();
    store
        .finish_step(&outcome(StepStatus::Succeeded, None, 3))
        .await
        .unwrap();
    let steps = store.get_workflow(&id).await.unwrap().steps;
    assert_eq!(
        (steps[0].status, steps[0].wake_at, steps[0].attempts),
        (StepStatus::Succeeded, Some(until), 1),
        "resumed as the same attempt, its time kept"
    );
    assert_eq!(
        (steps[1].name.as_str(), steps[1].status),
        ("publish", StepStatus::Running)
    );
    let events = store
        .events_after(0, &crate::EventFilter::default(), 100)
        .await
        .unwrap();
    let waiting = events
        .iter()
        .find(|e| e.kind.as_str() == "step_waiting")
        .expect("a step_waiting event");
    assert_eq!(waiting.data["position"], 0);
    assert_eq!(
        waiting.data["until"],
        quorum_domain::time::format(&until).as_str()
    );
}
