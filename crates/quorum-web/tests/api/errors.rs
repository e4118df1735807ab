//! Bad input: each gets the JSON envelope with the right status, and writes nothing.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp};

crate::on_both_backends!(
    bad_query_values_are_a_400_naming_the_parameter,
    an_unknown_workflow_is_a_404_in_the_envelope,
    malformed_json_a_wrong_content_type_and_an_oversized_body_are_refused,
    missing_or_wrong_tokens_are_401_and_wrong_roles_403,
    unknown_routes_and_methods_answer_json,
);

fn assert_envelope(body: &Value, code: &str) {
    assert_eq!(body["error"]["code"], code, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| m.len() > 10),
        "{body}"
    );
    assert!(body["error"]["details"].is_array(), "{body}");
}

async fn bad_query_values_are_a_400_naming_the_parameter(backend: Backend) {
    let app = TestApp::start(backend).await;
    for (query, field) in [
        ("status=done", "status"),
        ("limit=ten", "limit"),
        ("limit=-1", "limit"),
        ("limit=0", "limit"),
        ("offset=-5", "offset"),
        ("offset=1.5", "offset"),
        ("created_after=yesterday", "created_after"),
        ("cursor=not-a-cursor", "cursor"),
    ] {
        for path in ["/api/workflows", "/api/workflows/metrics"] {
            if path.ends_with("metrics") && matches!(field, "limit" | "offset" | "cursor") {
                continue;
            }
            let (status, body) = app
                .send(Method::GET, &format!("{path}?{query}"), "admin", None)
                .await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{path}?{query}");
            assert_envelope(&body, "bad_request");
            assert_eq!(body["error"]["details"][0]["field"], field, "{query}");
        }
    }
    let (status, body) = app
        .send(
            Method::GET,
            "/api/workflows?status=done&limit=x",
            "admin",
            None,
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body["error"]["details"].as_array().unwrap().len(),
        2,
        "every bad value is named at once"
    );
}

async fn an_unknown_workflow_is_a_404_in_the_envelope(backend: Backend) {
    let app = TestApp::start(backend).await;
    for id in ["wf_abc123", "wf_000000000000", "%27%20OR%201=1"] {
        let (status, body) = app
            .send(Method::GET, &format!("/api/workflows/{id}"), "admin", None)
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{id}");
        assert_envelope(&body, "not_found");
    }
}

async fn malformed_json_a_wrong_content_type_and_an_oversized_body_are_refused(backend: Backend) {
    let app = TestApp::start(backend).await;
    let token = app.tokens["agent_jermaine_super_action"].clone();
    let post = |body: reqwest::Body, content_type: &'static str| {
        app.client
            .post(format!("{}/api/workflows", app.url))
            .bearer_auth(&token)
            .header("content-type", content_type)
            .body(body)
    };
    let cases: [(reqwest::Body, &str, StatusCode, &str); 4] = [
        ("{\"workflow_type_id\": ".into(), "application/json", StatusCode::BAD_REQUEST, "malformed_json"),
        ("{\"inputs\": {}}".into(), "application/json", StatusCode::BAD_REQUEST, "bad_request"),
        ("workflow_type_id=x".into(), "application/x-www-form-urlencoded", StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type"),
        (
            json!({"workflow_type_id": "website.create_basic_site", "inputs": {"site_name": "x".repeat(1_100_000)}}).to_string().into(),
            "application/json",
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
        ),
    ];
    for (body, content_type, status, code) in cases {
        let response = post(body, content_type).send().await.unwrap();
        assert_eq!(response.status(), status, "{code}");
        assert_envelope(&response.json().await.unwrap(), code);
    }
    assert_eq!(
        app.get("/api/workflows").await["total"],
        0,
        "nothing was written"
    );
}

async fn missing_or_wrong_tokens_are_401_and_wrong_roles_403(backend: Backend) {
    let app = TestApp::start(backend).await;
    let create = json!({"workflow_type_id": "website.create_basic_site", "inputs": {}});
    let (status, body) = app
        .send(Method::POST, "/api/workflows", "", Some(create.clone()))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_envelope(&body, "unauthorized");
    let (status, _) = app
        .send(
            Method::POST,
            "/api/workflows",
            "qrm_not-a-real-token",
            Some(create.clone()),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = app.send(Method::GET, "/api/workflows", "", None).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "reads need a token outside demo mode"
    );
    let (status, body) = app
        .send(
            Method::POST,
            "/api/workflows",
            "user_viewer",
            Some(create.clone()),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_envelope(&body, "forbidden");
    let principal = json!({"id": "agent_x", "kind": "agent"});
    let (status, _) = app
        .send(
            Method::POST,
            "/api/principals",
            "agent_jermaine_super_action",
            Some(principal),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let council = json!({"id": "council_x", "name": "X", "domains": ["x"], "members": ["user_b"]});
    let (status, _) = app
        .send(
            Method::POST,
            "/api/councils",
            "user_council_lead",
            Some(council),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = app
        .send(
            Method::POST,
            "/api/workflow-types",
            "agent_jermaine_super_action",
            Some(json!({})),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

async fn unknown_routes_and_methods_answer_json(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (status, body) = app
        .send(Method::GET, "/api/nothing-here", "admin", None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_envelope(&body, "not_found");
    let (status, body) = app
        .send(Method::DELETE, "/api/workflows", "admin", None)
        .await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_envelope(&body, "method_not_allowed");
}
