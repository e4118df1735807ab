//! `/api/councils`.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{Backend, TestApp};

crate::on_both_backends!(
    councils_are_created_listed_and_read,
    invalid_councils_are_refused_whole
);

async fn councils_are_created_listed_and_read(backend: Backend) {
    let app = TestApp::start(backend).await;
    let body = json!({"id": "council_ops", "name": "Operations", "domains": ["ops"], "members": ["user_b", "user_c"],
        "threshold": {"at_least": 2}, "voting_window_hours": 72});
    let (status, council) = app
        .send(Method::POST, "/api/councils", "admin", Some(body))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{council}");
    assert_eq!(council["threshold"], json!({"at_least": 2}));
    let read = app.get("/api/councils/council_ops").await;
    assert_eq!(read["members"], json!(["user_b", "user_c"]));
    assert_eq!(read["domains"], json!(["ops"]));
    assert_eq!(read["voting_window_hours"], 72);
    let all = app.get("/api/councils").await;
    assert_eq!(all.as_array().unwrap().len(), 3);
    let (status, _) = app
        .send(Method::GET, "/api/councils/council_none", "admin", None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn invalid_councils_are_refused_whole(backend: Backend) {
    let app = TestApp::start(backend).await;
    let duplicate = json!({"id": "council_media", "name": "Again", "domains": ["video"], "members": ["user_b"]});
    let (status, _) = app
        .send(Method::POST, "/api/councils", "admin", Some(duplicate))
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    let taken_domain = json!({"id": "council_video", "name": "Video", "domains": ["media"], "members": ["user_b"]});
    let (status, _) = app
        .send(Method::POST, "/api/councils", "admin", Some(taken_domain))
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, _) = app
        .send(Method::GET, "/api/councils/council_video", "admin", None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "nothing half-written");
    let bad = json!({"id": "council_bad", "name": "", "domains": [], "members": ["ghost", "agent_jermaine_super_action"], "threshold": {"at_least": 0}});
    let (status, body) = app
        .send(Method::POST, "/api/councils", "admin", Some(bad))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let mut fields: Vec<&str> = body["error"]["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["field"].as_str().unwrap())
        .collect();
    fields.sort();
    assert_eq!(
        fields,
        ["domains", "members.0", "members.1", "name", "threshold"]
    );
}
