//! Tokens, roles and public reads.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{Backend, TestApp};

crate::on_both_backends!(
    a_new_principals_token_works_once_issued_and_me_says_who_it_is,
    public_reads_let_anyone_read_but_never_write,
    a_principal_id_can_be_taken_only_once,
);

async fn a_new_principals_token_works_once_issued_and_me_says_who_it_is(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (status, created) = app
        .send(
            Method::POST,
            "/api/principals",
            "admin",
            Some(json!({"id": "agent_new", "kind": "agent", "roles": ["agent"], "name": "New"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(created["id"], "agent_new");
    assert_eq!(created["kind"], "agent");
    assert_eq!(created["roles"], json!(["agent"]));
    let token = created["token"].as_str().unwrap();
    assert!(token.starts_with("qrm_") && token.len() >= 40);
    let (status, me) = app
        .send(Method::GET, "/api/principals/me", token, None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (me["id"].as_str(), me["kind"].as_str()),
        (Some("agent_new"), Some("agent"))
    );
    let (status, me) = app
        .send(Method::GET, "/api/principals/me", "admin", None)
        .await;
    assert_eq!(
        (status, me["roles"].clone()),
        (StatusCode::OK, json!(["admin"]))
    );
    let (status, _) = app.send(Method::GET, "/api/principals/me", "", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

async fn public_reads_let_anyone_read_but_never_write(backend: Backend) {
    let app = TestApp::start_with(backend, true).await;
    for path in [
        "/api/workflows",
        "/api/workflows/metrics",
        "/api/workflow-types",
        "/api/councils",
    ] {
        let (status, _) = app.send(Method::GET, path, "", None).await;
        assert_eq!(status, StatusCode::OK, "{path}");
    }
    let (status, _) = app
        .send(Method::GET, "/api/workflows", "qrm_wrong", None)
        .await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "a token that is sent is checked"
    );
    let (status, _) = app
        .send(
            Method::POST,
            "/api/workflows",
            "",
            Some(json!({"workflow_type_id": "x"})),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

async fn a_principal_id_can_be_taken_only_once(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (status, body) = app
        .send(
            Method::POST,
            "/api/principals",
            "admin",
            Some(json!({"id": "user_b", "kind": "user"})),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    let (status, body) = app
        .send(
            Method::POST,
            "/api/principals",
            "admin",
            Some(json!({"id": "Bad Id", "kind": "user"})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["details"][0]["field"], "id");
    let (status, _) = app
        .send(
            Method::POST,
            "/api/principals",
            "admin",
            Some(json!({"id": "x", "kind": "robot"})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}
