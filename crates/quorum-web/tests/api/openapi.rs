//! The OpenAPI document lists every route the router serves, and nothing else.

use std::collections::BTreeSet;

use reqwest::{Method, StatusCode};

use crate::helpers::{Backend, TestApp};

/// Every route of the API, as (method, path).
const ROUTES: [(&str, &str); 25] = [
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
    ("delete", "/api/principals/{id}/tokens"),
    ("get", "/api/openapi.json"),
    ("get", "/healthz"),
    ("get", "/readyz"),
    ("get", "/metrics"),
    ("get", "/api/sites/{slug}/messages"),
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
