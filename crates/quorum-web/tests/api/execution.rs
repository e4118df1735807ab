//! Execution: approved workflows run on in-process workers, step by step, with retries,
//! failures, cancellation, draining and metrics.

use std::time::Duration;

use quorum_queue::Job;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, assert_z_timestamp};

const SOON: Duration = Duration::from_secs(20);

fn audit_events(detail: &Value) -> Vec<&str> {
    detail["audit"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["event"].as_str().unwrap())
        .collect()
}

/// The steps that started, leaving out those the detail lists as pending or not run.
fn ran(detail: &Value) -> Vec<&Value> {
    detail["steps"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["status"] != "pending" && s["status"] != "not_run")
        .collect()
}

fn effect_files(app: &TestApp) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(app.data_dir.path().join("effects"))
        .map(|dir| {
            dir.map(|e| e.unwrap().file_name().into_string().unwrap())
                .filter(|n| !n.starts_with('.') && n != "runs.log")
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

async fn an_approved_workflow_runs_every_step_and_completes_with_one_metric(backend: Backend) {
    let app = TestApp::start(backend).await;
    let steps = [
        ("first", "core.effect"),
        ("wait", "core.sleep"),
        ("last", "core.effect"),
    ];
    app.register_steps("test.three_steps", &steps, json!({}))
        .await;
    let workers = app.workers(2);
    let id = app
        .approved("test.three_steps", json!({"sleep_ms": 20}))
        .await;
    let detail = app.wait_for(&id, "COMPLETED", SOON).await;
    workers.shutdown().await;

    assert_z_timestamp(&detail["started_at"]);
    assert_z_timestamp(&detail["completed_at"]);
    assert_eq!(detail["decision"], "approved");
    let steps = detail["steps"].as_array().unwrap();
    assert_eq!(steps.len(), 3);
    for (step, name) in steps.iter().zip(["first", "wait", "last"]) {
        assert_eq!(
            (
                step["name"].as_str(),
                step["status"].as_str(),
                step["attempts"].as_i64()
            ),
            (Some(name), Some("succeeded"), Some(1))
        );
        assert!(step["duration_ms"].as_i64().unwrap() >= 0);
    }
    assert!(
        steps[1]["duration_ms"].as_i64().unwrap() >= 20,
        "the sleep took its time"
    );
    let metrics = detail["metrics"].as_array().unwrap();
    assert_eq!(metrics.len(), 1, "one metric per finished attempt");
    assert_eq!(metrics[0]["success_rate"], 1.0);
    assert_eq!(metrics[0]["error_count"], 0);
    assert_eq!(
        metrics[0]["estimated_weekly_savings"], 50.0,
        "60 min at 50/h"
    );
    assert!(metrics[0]["duration_seconds"].as_f64().unwrap() >= 0.02);
    assert_eq!(
        detail["outputs"]["effect"],
        format!("{id}.2.last"),
        "outputs gather the steps' outputs, later steps winning"
    );
    let events = audit_events(&detail);
    assert_eq!(
        events.iter().filter(|e| **e == "completed").count(),
        1,
        "{events:?}"
    );
    assert!(events.contains(&"started"));
    assert_eq!(
        effect_files(&app),
        [format!("{id}.0.first"), format!("{id}.2.last")]
    );
    assert_eq!(
        app.quorum.queue().depth().await.unwrap(),
        0,
        "no job left behind"
    );

    let totals = app.get("/api/workflows/metrics").await;
    assert_eq!(totals["status_distribution"]["COMPLETED"], 1);
    let response = app
        .client
        .get(format!("{}/metrics", app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let exposition = response.text().await.unwrap();
    for name in [
        "quorum_workflows_completed_total",
        "quorum_jobs_claimed_total",
        "quorum_queue_depth",
        "quorum_step_duration_seconds_bucket",
    ] {
        assert!(
            exposition.contains(name),
            "/metrics lacks {name}:\n{exposition}"
        );
    }
}

async fn a_type_without_oversight_runs_without_a_vote(backend: Backend) {
    let app = TestApp::start(backend).await;
    let policy = json!({"oversight": {"required": false, "threshold": "simple_majority"}});
    app.register_steps("test.unattended", &[("only", "core.noop")], policy)
        .await;
    let workers = app.workers(1);
    let created = app.propose("test.unattended", json!({})).await;
    assert_eq!(created["decision"], "approved", "decided by policy");
    let id = created["id"].as_str().unwrap();
    let detail = app.wait_for(id, "COMPLETED", SOON).await;
    workers.shutdown().await;
    assert!(detail["votes"].as_array().unwrap().is_empty());
    assert_eq!(
        detail["outputs"],
        json!({}),
        "a step that does nothing adds nothing"
    );
}

async fn retryable_failures_are_retried_with_backoff_until_one_succeeds(backend: Backend) {
    let app = TestApp::start(backend).await;
    let steps = [("prepare", "core.effect"), ("flaky", "core.flaky")];
    app.register_steps("test.flaky", &steps, json!({})).await;
    let workers = app.workers(2);
    let id = app.approved("test.flaky", json!({"fail_times": 2})).await;
    let detail = app.wait_for(&id, "COMPLETED", SOON).await;
    workers.shutdown().await;

    let steps = detail["steps"].as_array().unwrap();
    assert_eq!(steps[0]["attempts"], 1, "a succeeded step is not run again");
    assert_eq!(steps[1]["attempts"], 3);
    assert_eq!(steps[1]["status"], "succeeded");
    assert_eq!(
        steps[1]["error"],
        Value::Null,
        "the last attempt cleared the error"
    );
    let metrics = detail["metrics"].as_array().unwrap();
    let per_attempt: Vec<(i64, i64, f64)> = metrics
        .iter()
        .map(|m| {
            (
                m["attempt"].as_i64().unwrap(),
                m["error_count"].as_i64().unwrap(),
                m["success_rate"].as_f64().unwrap(),
            )
        })
        .collect();
    assert_eq!(per_attempt, [(1, 1, 0.5), (2, 1, 0.5), (3, 0, 1.0)]);
    assert_eq!(detail["outputs"]["succeeded_on_attempt"], 3);
}

async fn a_permanent_failure_fails_the_workflow_at_once_and_keeps_the_error(backend: Backend) {
    let app = TestApp::start(backend).await;
    app.register_steps(
        "test.broken",
        &[("break", "core.flaky"), ("never", "core.effect")],
        json!({}),
    )
    .await;
    let workers = app.workers(1);
    let id = app
        .approved("test.broken", json!({"fail_times": 1, "permanent": true}))
        .await;
    let detail = app.wait_for(&id, "FAILED", SOON).await;
    workers.shutdown().await;

    let error = detail["error"].as_str().unwrap();
    assert!(
        error.contains("step break failed") && error.contains("on purpose"),
        "{error}"
    );
    assert_eq!(ran(&detail).len(), 1, "no step after the failure");
    assert_eq!(detail["metrics"].as_array().unwrap().len(), 1);
    assert_eq!(detail["metrics"][0]["error_count"], 1);
    assert_eq!(detail["metrics"][0]["success_rate"], 0.0);
    assert_z_timestamp(&detail["completed_at"]);
    assert!(audit_events(&detail).contains(&"failed"));
    assert!(effect_files(&app).is_empty());
    assert_eq!(
        app.get("/api/workflows/metrics").await["status_distribution"]["FAILED"],
        1
    );
}

async fn retries_stop_at_the_types_max_attempts(backend: Backend) {
    let app = TestApp::start(backend).await;
    app.register_steps(
        "test.hopeless",
        &[("flaky", "core.flaky")],
        json!({"max_attempts": 2}),
    )
    .await;
    let workers = app.workers(1);
    let id = app
        .approved("test.hopeless", json!({"fail_times": 5}))
        .await;
    let detail = app.wait_for(&id, "FAILED", SOON).await;
    workers.shutdown().await;
    assert_eq!(detail["steps"][0]["attempts"], 2);
    assert_eq!(detail["metrics"].as_array().unwrap().len(), 2);
    let failed = detail["audit"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["event"] == "failed")
        .unwrap();
    assert_eq!(failed["reason"], "2 attempts failed");
}

async fn a_workflow_cancelled_while_it_runs_stops_before_its_next_step(backend: Backend) {
    let app = TestApp::start(backend).await;
    let steps = [("slow", "core.sleep"), ("after", "core.effect")];
    app.register_steps("test.cancellable", &steps, json!({}))
        .await;
    let workers = app.workers(1);
    let id = app
        .approved("test.cancellable", json!({"sleep_ms": 1500}))
        .await;
    app.wait_for(&id, "IN_PROGRESS", SOON).await;
    let (status, body) = app
        .send(
            Method::POST,
            &format!("/api/workflows/{id}/cancel"),
            "admin",
            Some(json!({"reason": "not needed"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    tokio::time::sleep(Duration::from_millis(2000)).await;
    workers.shutdown().await;
    let detail = app.get(&format!("/api/workflows/{id}")).await;
    assert_eq!(detail["status"], "CANCELLED");
    let steps = ran(&detail);
    assert_eq!(
        steps.len(),
        1,
        "the step after the cancel never started: {steps:?}"
    );
    assert_eq!(
        steps[0]["status"], "succeeded",
        "the running step was let finish"
    );
    assert!(effect_files(&app).is_empty());
    assert_eq!(app.quorum.queue().depth().await.unwrap(), 0);
}

async fn a_job_for_a_workflow_nobody_approved_is_refused_not_run(backend: Backend) {
    let app = TestApp::start(backend).await;
    app.register_steps("test.guarded", &[("act", "core.effect")], json!({}))
        .await;
    let created = app.propose("test.guarded", json!({})).await;
    let id = created["id"].as_str().unwrap();
    // A job the council never sanctioned, put on the queue behind its back.
    app.quorum.queue().enqueue(&[Job::now(id)]).await.unwrap();
    let workers = app.workers(1);
    let detail = app.wait_for(id, "FAILED", SOON).await;
    workers.shutdown().await;
    assert!(
        detail["error"]
            .as_str()
            .unwrap()
            .contains("is not approved"),
        "{detail:#}"
    );
    assert!(ran(&detail).is_empty(), "nothing ran");
    assert!(effect_files(&app).is_empty());
}

async fn a_draining_worker_hands_back_between_steps_and_another_finishes(backend: Backend) {
    let app = TestApp::start(backend).await;
    let steps = [
        ("one", "core.sleep"),
        ("two", "core.sleep"),
        ("three", "core.effect"),
    ];
    app.register_steps("test.drain", &steps, json!({})).await;
    let first = app.workers(1);
    let id = app.approved("test.drain", json!({"sleep_ms": 400})).await;
    app.wait_for(&id, "IN_PROGRESS", SOON).await;
    first.shutdown().await;
    let between = app.get(&format!("/api/workflows/{id}")).await;
    assert_eq!(between["status"], "IN_PROGRESS");
    assert_eq!(
        between["steps"][0]["status"], "succeeded",
        "the running step finished"
    );
    assert_eq!(ran(&between).len(), 1, "and no other began");
    assert_eq!(
        app.quorum.queue().depth().await.unwrap(),
        1,
        "handed back, not dropped"
    );

    let second = app.workers(1);
    let detail = app.wait_for(&id, "COMPLETED", SOON).await;
    second.shutdown().await;
    let attempts: Vec<i64> = detail["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["attempts"].as_i64().unwrap())
        .collect();
    assert_eq!(attempts, [1, 1, 1], "every step ran once");
    assert_eq!(detail["metrics"].as_array().unwrap().len(), 1);
}

/// Redis under a key prefix of this test's own, or None (skipped, loudly) outside CI.
async fn redis_queue() -> Option<quorum_queue_redis::RedisQueue> {
    let url =
        std::env::var("QUORUM_TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into());
    let prefix = format!("quorum_exec_{}", quorum_domain::ids::new_id("t"));
    match quorum_queue_redis::RedisQueue::connect(&url, &prefix).await {
        Ok(queue) => Some(queue),
        Err(e) => {
            quorum_testkit::skip(
                "Redis",
                &format!("not reachable at {url}: {e}"),
                quorum_testkit::REDIS_HOW,
            );
            None
        }
    }
}

async fn approvals_reach_redis_workers_through_the_relay(backend: Backend) {
    let Some(redis) = redis_queue().await else {
        return;
    };
    let app = TestApp::start(backend).await;
    app.register_steps("test.relayed", &[("act", "core.effect")], json!({}))
        .await;
    let on_redis = app.quorum.clone().with_queue(std::sync::Arc::new(redis));
    let workers = on_redis.spawn_workers(quorum_service::WorkerConfig {
        concurrency: 2,
        poll: Duration::from_millis(50),
        name: "redis-worker".into(),
        ..quorum_service::WorkerConfig::default()
    });
    let mut ids = Vec::new();
    for _ in 0..5 {
        ids.push(app.approved("test.relayed", json!({})).await);
    }
    for id in &ids {
        app.wait_for(id, "COMPLETED", SOON).await;
    }
    workers.shutdown().await;
    assert_eq!(effect_files(&app).len(), 5);
    assert_eq!(
        app.quorum.queue().depth().await.unwrap(),
        0,
        "the hand-off table is empty"
    );
    assert_eq!(
        on_redis.queue().depth().await.unwrap(),
        0,
        "and so is Redis"
    );
}

crate::on_both_backends!(
    approvals_reach_redis_workers_through_the_relay,
    an_approved_workflow_runs_every_step_and_completes_with_one_metric,
    a_type_without_oversight_runs_without_a_vote,
    retryable_failures_are_retried_with_backoff_until_one_succeeds,
    a_permanent_failure_fails_the_workflow_at_once_and_keeps_the_error,
    retries_stop_at_the_types_max_attempts,
    a_workflow_cancelled_while_it_runs_stops_before_its_next_step,
    a_job_for_a_workflow_nobody_approved_is_refused_not_run,
    a_draining_worker_hands_back_between_steps_and_another_finishes,
);
