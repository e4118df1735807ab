//! What an attacker tried, each on both backends: choosing one's reviewers, voting on one's
//! own proposal, savings that overflow the aggregates, NUL and invalid UTF-8 everywhere, a
//! double-encoded hidden file, inputs that fail only at run time, and the small tells.

mod governance;
mod savings;
mod tells;
mod text;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::TestApp;

pub(crate) const SITE_INPUTS: &str = r#"{"site_name": "Codex", "site_description": "AI-powered web development", "contact_email": "hello@codexdigital.app"}"#;

pub(crate) fn website(extra: Value) -> Value {
    let mut body = json!({
        "workflow_type_id": "website.create_basic_site",
        "inputs": serde_json::from_str::<Value>(SITE_INPUTS).unwrap(),
    });
    for (k, v) in extra.as_object().cloned().unwrap_or_default() {
        body[k] = v;
    }
    body
}

pub(crate) async fn total(app: &TestApp) -> i64 {
    app.get("/api/workflows").await["total"].as_i64().unwrap()
}

/// The demo agent's `POST /api/workflows` of `body`.
pub(crate) async fn propose(app: &TestApp, body: Value) -> (StatusCode, Value) {
    app.send(
        Method::POST,
        "/api/workflows",
        "agent_jermaine_super_action",
        Some(body),
    )
    .await
}

/// `GET path` as the admin, whatever it answers.
pub(crate) async fn admin_get(app: &TestApp, path: &str) -> reqwest::Response {
    app.client
        .get(format!("{}{path}", app.url))
        .bearer_auth(&app.tokens["admin"])
        .send()
        .await
        .unwrap()
}

/// Sends `body` as raw bytes with `content_type`, as `who`.
pub(crate) async fn raw(
    app: &TestApp,
    method: Method,
    path: &str,
    who: &str,
    content_type: &str,
    body: Vec<u8>,
) -> (StatusCode, reqwest::header::HeaderMap, String) {
    let mut request = app
        .client
        .request(method, format!("{}{path}", app.url))
        .header("content-type", content_type)
        .body(body);
    if !who.is_empty() {
        request = request.bearer_auth(&app.tokens[who]);
    }
    let response = request.send().await.unwrap();
    let (status, headers) = (response.status(), response.headers().clone());
    (status, headers, response.text().await.unwrap())
}

/// Asserts a 4xx whose body is the JSON error envelope, and returns its code.
pub(crate) fn envelope(status: StatusCode, body: &str, what: &str) -> String {
    assert!(status.is_client_error(), "{what}: {status} {body}");
    let value: Value =
        serde_json::from_str(body).unwrap_or_else(|_| panic!("{what}: not JSON: {body}"));
    let code = value["error"]["code"].as_str();
    assert!(
        code.is_some() && value["error"]["message"].is_string(),
        "{what}: {body}"
    );
    code.unwrap().to_owned()
}

/// A live deployment, stored as the deploy step stores one: these tests are about serving.
/// Its `.quorum/site.json` holds the recipient, to show a hidden name is never served even
/// when a deployment has a file under it.
pub(crate) async fn fake_site(app: &TestApp, slug: &str) {
    let files: std::collections::BTreeMap<String, Vec<u8>> = [
        ("index.html", b"<!doctype html><title>Acme</title>".to_vec()),
        ("big.txt", "0123456789".repeat(100).into_bytes()),
        (
            ".quorum/site.json",
            br#"{"contact_email":"owner@example.com"}"#.to_vec(),
        ),
    ]
    .into_iter()
    .map(|(path, bytes)| (path.to_owned(), bytes))
    .collect();
    app.publish_site(&format!("deploy_{slug}"), slug, "wf_x", files)
        .await;
}
