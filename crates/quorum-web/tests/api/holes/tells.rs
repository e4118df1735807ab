//! The small tells: hidden files, the honeypot, security headers, ranges, counters.

use reqwest::{Method, StatusCode};
use serde_json::Value;

use super::{admin_get, fake_site, raw};
use crate::helpers::{Backend, TestApp};

crate::on_both_backends!(
    a_double_encoded_hidden_file_is_not_served,
    the_honeypot_answers_like_a_real_message_and_names_are_one_line,
    api_and_site_answers_carry_security_headers,
    a_multi_range_request_gets_the_whole_file,
    every_counter_is_exported_before_its_first_increment,
);

async fn a_double_encoded_hidden_file_is_not_served(backend: Backend) {
    let app = TestApp::start(backend).await;
    fake_site(&app, "acme").await;
    let get = |path: &str| app.client.get(format!("{}{path}", app.url)).send();
    assert_eq!(get("/sites/acme/").await.unwrap().status(), StatusCode::OK);
    for path in [
        "/sites/acme/.quorum/site.json",
        "/sites/acme/%2equorum/site.json",
        "/sites/acme/%252equorum/site.json",
        "/sites/acme/%25252equorum/site.json",
    ] {
        let response = get(path).await.unwrap();
        let status = response.status();
        let body = response.text().await.unwrap();
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert!(!body.contains("owner@example.com"), "{path}");
    }
}

async fn the_honeypot_answers_like_a_real_message_and_names_are_one_line(backend: Backend) {
    let app = TestApp::start(backend).await;
    fake_site(&app, "acme").await;
    let post = |form: &'static str| {
        raw(
            &app,
            Method::POST,
            "/sites/acme/contact",
            "",
            "application/x-www-form-urlencoded",
            form.into(),
        )
    };
    let (status, _, real) = post("name=Ana&email=ana%40example.com&message=Hello").await;
    assert_eq!(status, StatusCode::CREATED, "{real}");
    let (status, _, bot) = post("name=Bot&email=bot%40example.com&message=Buy&website=x").await;
    assert_eq!(status, StatusCode::CREATED, "{bot}");
    let (real, bot): (Value, Value) = (
        serde_json::from_str(&real).unwrap(),
        serde_json::from_str(&bot).unwrap(),
    );
    assert_eq!(real["delivery"], bot["delivery"]);
    let shape = |v: &Value| v["id"].as_str().map(|id| (id.len(), id[..4].to_owned()));
    assert_eq!(shape(&real), shape(&bot), "{real} {bot}");
    let (status, _, text) =
        post("name=Ana%0D%0ABcc%3A+x%40example.com&email=ana%40example.com&message=Hi").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{text}");
    assert!(text.contains("no_control_characters"), "{text}");
    let (status, _, text) = post("name=Ana&email=ana%40example.com&message=a%00b").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{text}");
    let (status, _, _) = post("name=Ana&email=ana%40example.com&message=%ff").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let kept = app.get("/api/sites/acme/messages").await;
    assert_eq!(kept.as_array().unwrap().len(), 1, "{kept}");
}

async fn api_and_site_answers_carry_security_headers(backend: Backend) {
    let app = TestApp::start(backend).await;
    fake_site(&app, "acme").await;
    for path in [
        "/api/workflows",
        "/api/nothing",
        "/sites/acme/",
        "/sites/acme/missing",
        "/healthz",
    ] {
        let response = admin_get(&app, path).await;
        let headers = response.headers();
        assert_eq!(headers["x-frame-options"], "DENY", "{path}");
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
        let csp = headers["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        if path.starts_with("/api/") {
            assert!(csp.starts_with("default-src 'none'"), "{path}: {csp}");
        }
    }
}

async fn a_multi_range_request_gets_the_whole_file(backend: Backend) {
    let app = TestApp::start(backend).await;
    fake_site(&app, "acme").await;
    let get = |range: &'static str| {
        app.client
            .get(format!("{}/sites/acme/big.txt", app.url))
            .header("range", range)
            .send()
    };
    let one = get("bytes=0-9").await.unwrap();
    assert_eq!(one.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(one.text().await.unwrap(), "0123456789");
    let many = get("bytes=0-1,5-6").await.unwrap();
    assert_eq!(many.status(), StatusCode::OK);
    assert_eq!(many.text().await.unwrap().len(), 1000);
}

async fn every_counter_is_exported_before_its_first_increment(backend: Backend) {
    let app = TestApp::start(backend).await;
    let text = app
        .client
        .get(format!("{}/metrics", app.url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for counter in [
        "quorum_jobs_claimed_total",
        "quorum_workflows_completed_total",
        "quorum_workflows_failed_total",
        "quorum_workflows_cancelled_while_running_total",
        "quorum_attempt_retries_total",
        "quorum_lease_expiries_total",
        "quorum_leases_lost_total",
    ] {
        assert!(
            text.lines()
                .any(|line| line.starts_with(&format!("{counter} "))),
            "{counter} missing from:\n{text}"
        );
    }
}
