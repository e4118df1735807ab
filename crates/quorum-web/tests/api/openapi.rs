//! The OpenAPI document lists every route the router serves, and nothing else; it is valid
//! OpenAPI 3.1; and what it says of each route (its token, its errors) the server does.

use std::collections::BTreeSet;

use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::helpers::{Backend, TestApp};

/// Every route of the API, as (method, path).
const ROUTES: [(&str, &str); 41] = [
    ("get", "/api/sites/{slug}/orders"),
    ("get", "/api/sites/{slug}/orders/{number}"),
    ("post", "/api/sites/{slug}/orders/{number}/status"),
    ("get", "/api/sites/{slug}/leads"),
    ("get", "/api/sites/{slug}/clicks"),
    ("get", "/api/workflows"),
    ("post", "/api/workflows"),
    ("get", "/api/workflows/metrics"),
    ("get", "/api/workflows/{id}"),
    ("post", "/api/chat"),
    ("get", "/api/workflow-types"),
    ("post", "/api/workflow-types"),
    ("get", "/api/workflow-types/{id}"),
    ("get", "/api/councils"),
    ("post", "/api/councils"),
    ("get", "/api/councils/{id}"),
    ("put", "/api/councils/{id}/members"),
    ("post", "/api/workflows/{id}/votes"),
    ("post", "/api/workflows/{id}/enqueue"),
    ("post", "/api/workflows/{id}/reassign"),
    ("post", "/api/workflows/{id}/cancel"),
    ("get", "/api/events"),
    ("post", "/api/principals"),
    ("get", "/api/principals/me"),
    ("put", "/api/principals/me/delegation"),
    ("get", "/api/principals/me/delegation"),
    ("delete", "/api/principals/me/delegation"),
    ("put", "/api/principals/me/notifications"),
    ("get", "/api/principals/me/notifications"),
    ("get", "/api/outbox"),
    ("delete", "/api/principals/{id}/tokens"),
    ("get", "/api/openapi.json"),
    ("get", "/healthz"),
    ("get", "/readyz"),
    ("get", "/metrics"),
    ("get", "/api/sites/{slug}/messages"),
    ("get", "/api/sites"),
    ("get", "/api/sites/{slug}"),
    ("post", "/api/sites/{slug}/rollback"),
    ("post", "/api/uploads"),
    ("get", "/api/uploads/{id}"),
];

#[tokio::test]
async fn the_openapi_document_lists_exactly_the_routes_the_router_serves() {
    let app = TestApp::start(Backend::Sqlite).await;
    let doc = app.get("/api/openapi.json").await;
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    let mut documented = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            documented.insert((method.clone(), path.clone()));
        }
    }
    let expected: BTreeSet<(String, String)> = ROUTES
        .iter()
        .map(|(m, p)| (m.to_string(), p.to_string()))
        .collect();
    assert_eq!(documented, expected);
    // And the router answers each documented route (anything but its 404 and 405 fallbacks).
    for (method, path) in documented.iter().filter(|(_, p)| p != "/api/events") {
        let path = path.replace("{id}", "website.create_basic_site");
        let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
        let (status, body) = app.send(method.clone(), &path, "admin", None).await;
        assert_ne!(status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
        assert!(
            status != StatusCode::NOT_FOUND
                || body["error"]["code"] == "not_found"
                    && !body["error"]["message"]
                        .as_str()
                        .unwrap()
                        .contains("no such endpoint"),
            "{method} {path}"
        );
    }
}

/// The routes that answer without a token in every configuration.
const HEALTH: [&str; 4] = ["/healthz", "/readyz", "/metrics", "/api/openapi.json"];

fn operations(doc: &Value) -> Vec<(String, String, &Value)> {
    let mut found = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            found.push((method.clone(), path.clone(), operation));
        }
    }
    found
}

#[tokio::test]
async fn the_openapi_document_passes_openapi_spec_validator() {
    let Some(validator) = quorum_testkit::python_tool("openapi-spec-validator") else {
        return;
    };
    let app = TestApp::start(Backend::Sqlite).await;
    let doc = app.get("/api/openapi.json").await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("openapi.json");
    std::fs::write(&file, serde_json::to_vec_pretty(&doc).unwrap()).unwrap();
    let output = std::process::Command::new(validator)
        .args(["--validation-errors", "all"])
        .arg(&file)
        .output()
        .expect("openapi-spec-validator runs");
    assert!(
        output.status.success(),
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

#[tokio::test]
async fn every_operation_has_a_readable_unique_id_described_responses_and_envelope_errors() {
    let app = TestApp::start(Backend::Sqlite).await;
    let doc = app.get("/api/openapi.json").await;
    let mut ids = BTreeSet::new();
    for (method, path, operation) in operations(&doc) {
        let route = format!("{method} {path}");
        let id = operation["operationId"].as_str().unwrap_or_default();
        assert!(
            !id.is_empty() && id.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
            "{route}: operationId {id:?}"
        );
        assert!(
            ids.insert(id.to_owned()),
            "{route}: operationId {id} repeats"
        );
        let responses = operation["responses"].as_object().unwrap();
        for (status, response) in responses {
            let description = response["description"].as_str().unwrap_or_default();
            assert!(!description.is_empty(), "{route} {status}: no description");
            // readyz's 503 is its Health body, like its 200.
            if status.starts_with('4') || (status.starts_with('5') && path != "/readyz") {
                assert_eq!(
                    response["content"]["application/json"]["schema"]["$ref"]
                        .as_str()
                        .map(|r| r.ends_with("ErrorEnvelope")),
                    Some(true),
                    "{route} {status}: the error envelope"
                );
            }
        }
        // Every route refuses a control character in its path or query string.
        assert!(responses.contains_key("400"), "{route}: 400");
        let secured = operation["security"] == serde_json::json!([{"bearer": []}]);
        assert_eq!(
            secured,
            !HEALTH.contains(&path.as_str()),
            "{route}: security"
        );
        if secured {
            assert!(responses.contains_key("401"), "{route}: 401");
        }
        if let Some(body) = operation.get("requestBody") {
            // A JSON body is refused as one (415 for another type); a picture's refusals of
            // its type are its own 422s.
            let json = body["content"].get("application/json").is_some();
            let statuses: &[&str] = if json {
                &["413", "415"]
            } else {
                &["413", "422"]
            };
            for status in statuses {
                assert!(responses.contains_key(*status), "{route}: {status}");
            }
        }
        if path.contains("{id}") {
            assert!(responses.contains_key("404"), "{route}: 404");
        }
    }
}

#[tokio::test]
async fn every_route_the_document_secures_refuses_a_request_without_a_token_and_no_other_does() {
    let app = TestApp::start(Backend::Sqlite).await;
    let doc = app.get("/api/openapi.json").await;
    for (method, path, operation) in operations(&doc) {
        let path = path
            .replace("{id}", "website.create_basic_site")
            .replace("{slug}", "acme");
        let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
        // Chat reads its body before it decides whom a request without a token speaks for.
        let body = (path == "/api/chat").then(|| {
            serde_json::json!({"agent_id": "commerce_agent", "message": "a website", "mode": "plan"})
        });
        let (status, body) = app.send(method.clone(), &path, "", body).await;
        if operation.get("security").is_some() {
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{method} {path}: {body}");
            assert_eq!(body["error"]["code"], "unauthorized", "{method} {path}");
        } else {
            assert_eq!(status, StatusCode::OK, "{method} {path}");
        }
    }
}

/// The document as served, byte for byte, is the one recorded in `docs/openapi.json`: a change
/// to what clients are told shows in review as a change to that file. The file is the same
/// JSON pretty-printed for reading; served, it is compact with its keys in order, which is what
/// the file gives back compacted. After an intended change,
/// `QUORUM_RECORD=1 cargo test -p quorum-web --test api openapi` records it anew.
#[tokio::test]
async fn the_openapi_document_is_the_recorded_one_byte_for_byte() {
    let app = TestApp::start(Backend::Sqlite).await;
    let served = app
        .client
        .get(format!("{}/api/openapi.json", app.url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let recorded = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/openapi.json");
    if std::env::var_os("QUORUM_RECORD").is_some() {
        let doc: Value = serde_json::from_str(&served).unwrap();
        let mut pretty = serde_json::to_string_pretty(&doc).unwrap();
        pretty.push('\n');
        std::fs::write(recorded, pretty).unwrap();
    }
    let file = std::fs::read_to_string(recorded).expect("docs/openapi.json is recorded");
    let expected = serde_json::to_string(&serde_json::from_str::<Value>(&file).unwrap()).unwrap();
    assert!(
        served == expected,
        "GET /api/openapi.json differs from docs/openapi.json; if the change is intended, \
         record it with QUORUM_RECORD=1"
    );
}
