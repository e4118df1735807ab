//! Hostile input on every route of the OpenAPI document: NUL, control characters, lone
//! surrogates, invalid UTF-8, huge numbers, long strings, wrong types, duplicate keys and deep
//! nesting, in each path parameter, query parameter and body field, as each role. The server
//! must never answer 5xx, every error must be the JSON envelope, and every status must be one
//! the document lists.

mod document;
mod report;
mod request;
mod valid;
mod values;

use std::collections::BTreeMap;

use proptest::sample::select;
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use reqwest::{StatusCode, header};
use serde_json::Value;

use crate::helpers::{Backend, TestApp};
use document::Operation;
use report::{Exchange, broken, report, truncated};
use request::{TIMEOUT, build, client, send, targets};
use valid::{AGENT, Fixtures, MEMBER};
use values::{hostile, nul};

crate::on_both_backends!(
    hostile_input_is_never_a_5xx_and_every_error_is_in_the_envelope,
    hostile_input_in_demo_mode_is_never_a_5xx_and_every_error_is_in_the_envelope,
    every_status_hostile_input_gets_is_listed_in_the_openapi_document,
    a_nul_in_a_workflow_id_is_refused_in_the_envelope,
    invalid_utf8_in_a_workflow_id_is_refused_in_the_envelope,
    a_nul_council_filter_on_the_event_stream_is_a_400_not_a_silent_stream,
    a_nul_council_filter_on_the_workflow_list_is_refused_in_the_envelope,
    a_cr_lf_in_a_site_slug_is_refused_in_the_envelope,
    a_del_in_a_site_slug_is_refused_in_the_envelope,
);

/// The principals each request may be sent as, by role.
const ROLES: [(&str, &str); 4] = [
    ("admin", "admin"),
    ("agent", AGENT),
    ("member", MEMBER),
    ("anonymous", ""),
];

/// A per-operation runner with a fixed seed and nothing persisted: the same cases every run,
/// no file written into the source tree.
fn runner(operation: &str) -> TestRunner {
    let mut seed = [0u8; 32];
    for (i, b) in operation.bytes().enumerate() {
        seed[i % 32] = seed[i % 32].wrapping_mul(31).wrapping_add(b);
    }
    let config = Config {
        failure_persistence: None,
        ..Config::default()
    };
    TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &seed))
}

/// Sends the hostile cases of every operation of the document: a fixed number per operation,
/// scaled with its targets, taken in turn so that each gets a NUL and then other values.
async fn exercise(app: &TestApp, demo: bool) -> (Vec<Operation>, Vec<Exchange>) {
    let doc = app.get("/api/openapi.json").await;
    let fixtures = Fixtures::make(app).await;
    let operations = document::operations(&doc);
    assert!(operations.len() > 10, "the document lists the API");
    // Mostly the request's own principal, so that the value gets past the role checks; in
    // demo mode often no one, as anonymous reads and chat reach the database there.
    let mut roles = vec![None; 4];
    roles.extend(ROLES.map(Some));
    if demo {
        roles.extend([Some(ROLES[3]); 2]);
    }
    let (nul, any) = (nul(), hostile());
    let roles = select(roles);
    let client = client();
    let mut exchanges = Vec::new();
    for op in &operations {
        let name = op.name();
        let first = valid::request(app, &doc, &fixtures, op, 0)
            .await
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let targets = targets(app, &doc, op, &first).await;
        let cases = (targets.len() * 3).clamp(24, 64);
        let mut runner = runner(&format!("{name} demo={demo}"));
        for n in 0..cases {
            let target = &targets[n % targets.len()];
            // A NUL at each target first, sent by the request's own principal so that it gets
            // as deep as it can; then anything, as anyone.
            let (hostile, role) = if n < targets.len() {
                (nul.new_tree(&mut runner).unwrap().current(), None)
            } else {
                (
                    any.new_tree(&mut runner).unwrap().current(),
                    roles.new_tree(&mut runner).unwrap().current(),
                )
            };
            let valid = match valid::request(app, &doc, &fixtures, op, n + 1).await {
                Ok(valid) => valid,
                Err(e) => {
                    exchanges.push(Exchange {
                        operation: name.clone(),
                        target: target.to_string(),
                        kind: "setup",
                        request: "making the valid request".into(),
                        answer: Err(e),
                    });
                    continue;
                }
            };
            let (role, who) =
                role.unwrap_or_else(|| *ROLES.iter().find(|(_, id)| *id == valid.who).unwrap());
            let (url, body) = build(app, op, &valid, target, &hostile);
            let request = format!(
                "{} {} as {role}{}",
                op.method,
                truncated(url.strip_prefix(&app.url).unwrap_or(&url), 160),
                body.as_ref()
                    .map(|b| format!(", body {}", truncated(&String::from_utf8_lossy(b), 240)))
                    .unwrap_or_default()
            );
            let answer = send(app, &client, &op.method, &url, who, body).await;
            exchanges.push(Exchange {
                operation: name.clone(),
                target: target.to_string(),
                kind: hostile.kind(),
                request,
                answer,
            });
        }
    }
    (operations, exchanges)
}

async fn assert_no_5xx_and_errors_in_the_envelope(app: &TestApp, demo: bool) {
    let (_, exchanges) = exercise(app, demo).await;
    let failures = report(
        exchanges.iter().filter_map(|e| broken(e).map(|r| (e, r))),
        true,
    );
    assert!(
        failures.is_empty(),
        "hostile input got a 5xx or an error outside the envelope: {failures}"
    );
}

async fn hostile_input_is_never_a_5xx_and_every_error_is_in_the_envelope(backend: Backend) {
    let app = TestApp::start(backend).await;
    assert_no_5xx_and_errors_in_the_envelope(&app, false).await;
}

/// Demo mode: reads and chat need no token, so anonymous requests reach the database.
async fn hostile_input_in_demo_mode_is_never_a_5xx_and_every_error_is_in_the_envelope(
    backend: Backend,
) {
    let app = TestApp::start_with(backend, true).await;
    assert_no_5xx_and_errors_in_the_envelope(&app, true).await;
}

/// The document is the contract: every status a route answers, to anyone in either mode,
/// must be one it lists for that route.
async fn every_status_hostile_input_gets_is_listed_in_the_openapi_document(backend: Backend) {
    let mut runs = Vec::new();
    for demo in [false, true] {
        let app = TestApp::start_with(backend, demo).await;
        let (operations, exchanges) = exercise(&app, demo).await;
        let mode = if demo { "demo mode" } else { "tokens required" };
        runs.push((operations, exchanges, mode));
    }
    let failures = runs.iter().flat_map(|(operations, exchanges, mode)| {
        let by_name: BTreeMap<String, &Operation> =
            operations.iter().map(|op| (op.name(), op)).collect();
        exchanges.iter().filter_map(move |e| {
            let status = e.answer.as_ref().ok()?.status;
            (!by_name[&e.operation].documents(status))
                .then(|| (e, format!("a status the document does not list ({mode})")))
        })
    });
    let undocumented = report(failures, false);
    assert!(
        undocumented.is_empty(),
        "hostile input got statuses the OpenAPI document does not list: {undocumented}"
    );
}

/// GET `path` as the admin: a 4xx in the JSON envelope, in time.
async fn assert_refused_in_the_envelope(app: &TestApp, path: &str) -> StatusCode {
    let response = app
        .client
        .get(format!("{}{path}", app.url))
        .bearer_auth(&app.tokens["admin"])
        .timeout(TIMEOUT)
        .send()
        .await
        .unwrap_or_else(|e| panic!("GET {path}: no answer: {e}"));
    let status = response.status();
    let content_type = response
        .headers()
        .get(header::CONTENT_TYPE)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        .unwrap_or_default();
    assert!(
        status.is_client_error(),
        "GET {path}: {status} {content_type:?}, not a 4xx"
    );
    let body = response.text().await.unwrap();
    assert!(
        content_type.starts_with("application/json"),
        "GET {path}: {status} as {content_type:?}: {body}"
    );
    let envelope: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
    assert!(
        envelope["error"]["code"].is_string() && envelope["error"]["message"].is_string(),
        "GET {path}: {status} outside the envelope: {body}"
    );
    status
}

async fn a_nul_in_a_workflow_id_is_refused_in_the_envelope(backend: Backend) {
    let app = TestApp::start(backend).await;
    assert_refused_in_the_envelope(&app, "/api/workflows/%00").await;
}

async fn invalid_utf8_in_a_workflow_id_is_refused_in_the_envelope(backend: Backend) {
    let app = TestApp::start(backend).await;
    assert_refused_in_the_envelope(&app, "/api/workflows/%ff").await;
}

async fn a_nul_council_filter_on_the_event_stream_is_a_400_not_a_silent_stream(backend: Backend) {
    let app = TestApp::start(backend).await;
    let status = assert_refused_in_the_envelope(&app, "/api/events?council_id=%00").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

async fn a_nul_council_filter_on_the_workflow_list_is_refused_in_the_envelope(backend: Backend) {
    let app = TestApp::start(backend).await;
    assert_refused_in_the_envelope(&app, "/api/workflows?council_id=%00").await;
}

async fn a_cr_lf_in_a_site_slug_is_refused_in_the_envelope(backend: Backend) {
    let app = TestApp::start(backend).await;
    assert_refused_in_the_envelope(&app, "/sites/a%0d%0aX").await;
}

async fn a_del_in_a_site_slug_is_refused_in_the_envelope(backend: Backend) {
    let app = TestApp::start(backend).await;
    assert_refused_in_the_envelope(&app, "/sites/a%7f").await;
}
