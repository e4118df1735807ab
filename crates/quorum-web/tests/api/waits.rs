//! Durable waits: a step that waits for a time holds no worker meanwhile, resumes on time,
//! and can be cancelled while it waits; on both backends and both queues.

use std::sync::Arc;
use std::time::Duration;

use axum::http::{Method, StatusCode};
use chrono::{DateTime, Utc};
use quorum_service::{Quorum, WorkerConfig, WorkerPool};
use serde_json::{Value, json};

use crate::helpers::*;

const WAITING_TYPE: &str = "test.waits";
const QUICK_TYPE: &str = "test.quick";
const SOON: Duration = Duration::from_secs(20);

/// The queues a test runs on: the database's, and Redis when it answers (skipped loudly
/// outside CI otherwise).
async fn queues(app: &TestApp) -> Vec<(&'static str, Quorum)> {
    let mut on = vec![("database queue", app.quorum.clone())];
    let url =
        std::env::var("QUORUM_TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into());
    let prefix = format!("quorum_waits_{}", quorum_domain::ids::new_id("t"));
    match quorum_queue_redis::RedisQueue::connect(&url, &prefix).await {
        Ok(redis) => on.push((
            "Redis queue",
            app.quorum.clone().with_queue(Arc::new(redis)),
        )),
        Err(e) => quorum_testkit::skip(
            "Redis",
            &format!("not reachable at {url}: {e}"),
            quorum_testkit::REDIS_HOW,
        ),
    }
    on
}

fn workers(quorum: &Quorum, concurrency: usize) -> WorkerPool {
    quorum.spawn_workers(WorkerConfig {
        concurrency,
        lease: Duration::from_secs(2),
        poll: Duration::from_millis(50),
        grace: Duration::from_secs(10),
        name: "wait-worker".into(),
    })
}

async fn register(app: &TestApp, steps: &[(&str, &str)], id: &str) {
    let unattended = json!({
        "oversight": {"required": false, "threshold": "simple_majority"},
        "input_schema": {"type": "object", "properties": {
            "wait_seconds": {"type": "number", "minimum": 0},
            "wait_until": {"type": "string", "format": "date-time"}
        }}
    });
    app.register_steps(id, steps, unattended).await;
}

async fn types(app: &TestApp) {
    register(
        app,
        &[
            ("prepare", "core.noop"),
            ("wait", "core.wait"),
            ("after", "core.noop"),
        ],
        WAITING_TYPE,
    )
    .await;
    register(app, &[("only", "core.noop")], QUICK_TYPE).await;
}

async fn propose(app: &TestApp, type_id: &str, inputs: Value) -> String {
    let created = app.propose(type_id, inputs).await;
    assert_eq!(created["decision"], "approved", "{created}");
    created["id"].as_str().unwrap().to_owned()
}

/// Polls until the workflow's step `position` shows `status`.
async fn step_becomes(app: &TestApp, id: &str, position: usize, status: &str) -> Value {
    let deadline = tokio::time::Instant::now() + SOON;
    loop {
        let detail = app.get(&format!("/api/workflows/{id}")).await;
        if detail["steps"][position]["status"] == status {
            return detail;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "step {position} of {id} never became {status}: {detail:#}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The step's record as stored, its times to the microsecond.
async fn record(quorum: &Quorum, id: &str, position: i64) -> quorum_domain::StepRecord {
    let detail = quorum.store().get_workflow(id).await.unwrap();
    detail
        .steps
        .into_iter()
        .find(|s| s.position == position)
        .unwrap_or_else(|| panic!("{id} has no step {position}"))
}

fn time(value: &Value) -> DateTime<Utc> {
    value
        .as_str()
        .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| panic!("not a time: {value}"))
}

async fn a_waiting_workflow_holds_no_worker_and_resumes_on_time(backend: Backend) {
    let app = TestApp::start(backend).await;
    types(&app).await;
    for (queue, quorum) in queues(&app).await {
        // One worker: whatever else runs during the wait runs on the worker the wait left.
        let pool = workers(&quorum, 1);
        let waiting = propose(&app, WAITING_TYPE, json!({"wait_seconds": 2})).await;
        let detail = step_becomes(&app, &waiting, 1, "waiting").await;
        let until = record(&quorum, &waiting, 1).await.wake_at.unwrap();
        assert_eq!(detail["status"], "IN_PROGRESS", "{queue}");
        assert_eq!(
            time(&detail["steps"][1]["wake_at"]).timestamp(),
            until.timestamp(),
            "{queue}: the API shows the time"
        );
        assert_eq!(
            detail["steps"][2]["status"], "pending",
            "{queue}: nothing after the wait began: {detail:#}"
        );
        let mut others = Vec::new();
        for _ in 0..3 {
            others.push(propose(&app, QUICK_TYPE, json!({})).await);
        }
        for other in &others {
            app.wait_for(other, "COMPLETED", SOON).await;
            assert!(
                Utc::now() < until,
                "{queue}: another workflow ran on the only worker during the wait"
            );
        }
        let resumed = app.wait_for(&waiting, "COMPLETED", SOON).await;
        pool.shutdown().await;
        let wait = &resumed["steps"][1];
        let woke = record(&quorum, &waiting, 1).await.started_at.unwrap();
        assert!(woke >= until, "{queue}: resumed at {woke}, before {until}");
        assert!(
            woke - until < chrono::Duration::seconds(1),
            "{queue}: resumed {} ms late",
            (woke - until).num_milliseconds()
        );
        assert_eq!(
            (wait["attempts"].as_i64(), wait["status"].as_str()),
            (Some(1), Some("succeeded")),
            "{queue}: a wait is not another attempt"
        );
        assert_eq!(
            time(&wait["output"]["waited_until"]).timestamp_millis(),
            until.timestamp_millis()
        );
        assert_eq!(resumed["metrics"].as_array().unwrap().len(), 1, "{queue}");
        assert_eq!(quorum.queue().depth().await.unwrap(), 0, "{queue}");
    }
}

async fn a_workflow_cancelled_while_it_waits_never_resumes(backend: Backend) {
    let app = TestApp::start(backend).await;
    types(&app).await;
    for (queue, quorum) in queues(&app).await {
        let pool = workers(&quorum, 1);
        let id = propose(&app, WAITING_TYPE, json!({"wait_seconds": 1.5})).await;
        step_becomes(&app, &id, 1, "waiting").await;
        let (status, body) = app
            .send(
                Method::POST,
                &format!("/api/workflows/{id}/cancel"),
                "admin",
                Some(json!({"reason": "not needed after all"})),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{queue}: {body}");
        // Past its time, and then some: its job came back and found it cancelled.
        tokio::time::sleep(Duration::from_millis(2_500)).await;
        pool.shutdown().await;
        let detail = app.get(&format!("/api/workflows/{id}")).await;
        assert_eq!(detail["status"], "CANCELLED", "{queue}");
        let steps = detail["steps"].as_array().unwrap();
        assert_eq!(
            steps[2]["status"], "not_run",
            "{queue}: the step after the wait never began"
        );
        assert_eq!(steps[1]["status"], "waiting", "{queue}");
        assert_eq!(quorum.queue().depth().await.unwrap(), 0, "{queue}");
    }
}

/// A thousand workflows waiting at once hold none of the workers, and each resumes within a
/// second of its time (due 10 ms apart over ten seconds; how late waits due all at once
/// resume is a benchmark's, in BENCHMARKS.md).
async fn a_thousand_waits_hold_no_worker_and_resume_within_a_second(backend: Backend) {
    let app = TestApp::start(backend).await;
    register(&app, &[("wait", "core.wait")], WAITING_TYPE).await;
    for (queue, quorum) in queues(&app).await {
        let pool = workers(&quorum, 8);
        let first = Utc::now() + chrono::Duration::seconds(20);
        let mut waits = Vec::new();
        for n in 0..1_000 {
            let until = first + chrono::Duration::milliseconds(10 * n);
            let inputs = json!({"wait_until": until.to_rfc3339()});
            waits.push((propose(&app, WAITING_TYPE, inputs).await, until));
        }
        for (id, _) in &waits {
            step_becomes(&app, id, 0, "waiting").await;
        }
        assert!(
            Utc::now() < first,
            "{queue}: the thousand were not all waiting, on eight workers, before the first's time"
        );
        let mut late = Vec::new();
        for (id, until) in &waits {
            app.wait_for(id, "COMPLETED", SOON * 3).await;
            let woke = record(&quorum, id, 0).await.started_at.unwrap();
            assert!(woke >= *until, "{queue}: {id} resumed before its time");
            late.push((woke - *until).num_milliseconds());
        }
        pool.shutdown().await;
        late.sort_unstable();
        let worst = late[late.len() - 1];
        eprintln!(
            "{queue}: 1,000 waits resumed after their times by p50 {} ms, p99 {} ms, max {worst} ms",
            late[late.len() / 2],
            late[late.len() * 99 / 100]
        );
        assert!(worst < 1_000, "{queue}: one resumed {worst} ms late");
        assert_eq!(quorum.queue().depth().await.unwrap(), 0, "{queue}");
    }
}

crate::on_both_backends!(
    a_waiting_workflow_holds_no_worker_and_resumes_on_time,
    a_workflow_cancelled_while_it_waits_never_resumes,
    a_thousand_waits_hold_no_worker_and_resume_within_a_second,
);
