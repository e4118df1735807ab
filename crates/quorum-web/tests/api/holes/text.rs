//! Text the database would refuse or a run would refuse, refused where it arrives: NUL, invalid UTF-8, control characters, repeated keys, inputs a step cannot use.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::{admin_get, envelope, propose, raw, total, website};
use crate::helpers::{Backend, TestApp};

crate::on_both_backends!(
    nul_in_paths_queries_and_bodies_is_a_client_error_in_the_envelope,
    invalid_utf8_and_control_characters_in_a_path_are_json_errors,
    inputs_a_step_would_refuse_are_refused_at_creation,
    a_repeated_key_inside_inputs_is_refused,
);

async fn nul_in_paths_queries_and_bodies_is_a_client_error_in_the_envelope(backend: Backend) {
    let app = TestApp::start_with(backend, true).await;
    let agent = "agent_jermaine_super_action";
    let w = app.create_website(agent, "Nul").await;
    let id = w["id"].as_str().unwrap();
    for path in [
        "/api/workflows/%00",
        "/api/workflow-types/%00",
        "/api/councils/%00",
        "/api/workflows?council_id=%00",
        "/api/workflows?agent_id=a%00b",
        "/api/workflows?workflow_type_id=%00",
        "/api/workflows/metrics?council_id=%00",
        "/api/events?council_id=%00",
        "/sites/%00/",
        "/dashboard/workflows/%00",
        "/dashboard/history?council_id=%00",
    ] {
        let response = admin_get(&app, path).await;
        let status = response.status();
        let body = response.text().await.unwrap();
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path}: {body}");
        envelope(status, &body, path);
    }
    let nul = "a\u{0}b";
    let posts: Vec<(String, &str, Value)> = vec![
        (
            "/api/workflows".into(),
            agent,
            website(
                json!({"inputs": {"site_name": nul, "site_description": "d", "contact_email": "a@example.com"}}),
            ),
        ),
        (
            "/api/councils".into(),
            "admin",
            json!({"id": "council_x", "name": nul, "domains": ["x"], "members": ["user_b"]}),
        ),
        (
            "/api/principals".into(),
            "admin",
            json!({"id": "user_x", "kind": "user", "roles": ["member"], "name": nul}),
        ),
        (
            format!("/api/workflows/{id}/votes"),
            "user_b",
            json!({"vote": "reject", "reason": nul}),
        ),
        (
            format!("/api/workflows/{id}/cancel"),
            "admin",
            json!({"reason": nul}),
        ),
        (
            "/api/chat".into(),
            "",
            json!({"agent_id": agent, "message": nul, "mode": "plan"}),
        ),
        (
            "/api/chat".into(),
            "",
            json!({"agent_id": nul, "message": "Create a website for X", "mode": "plan"}),
        ),
    ];
    for (path, who, body) in posts {
        let (status, _, text) = raw(
            &app,
            Method::POST,
            &path,
            who,
            "application/json",
            body.to_string().into_bytes(),
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path}: {text}");
        assert_eq!(envelope(status, &text, &path), "bad_request");
    }
    let detail = app.get(&format!("/api/workflows/{id}")).await;
    assert!(
        detail["votes"].as_array().unwrap().is_empty(),
        "nothing half-written"
    );
    assert_eq!(detail["status"], "PENDING");
}

async fn invalid_utf8_and_control_characters_in_a_path_are_json_errors(backend: Backend) {
    let app = TestApp::start(backend).await;
    for path in [
        "/api/workflows/%ff",
        "/api/workflows/%c3%28/votes",
        "/api/workflows?status=%ff",
        "/sites/a%0d%0aX",
        "/sites/a%7f",
        "/sites/a%0d%0aX/index.html",
        "/dashboard/agents/%ff",
    ] {
        let response = admin_get(&app, path).await;
        let status = response.status();
        assert_eq!(
            response.headers()["content-type"],
            "application/json",
            "{path}"
        );
        let body = response.text().await.unwrap();
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path}: {body}");
        envelope(status, &body, path);
    }
    // A slug that is merely not a site's is the site's 404, not an error in a header.
    let response = app
        .client
        .get(format!("{}/sites/A_B", app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}

async fn inputs_a_step_would_refuse_are_refused_at_creation(backend: Backend) {
    let app = TestApp::start(backend).await;
    let before = total(&app).await;
    for (site_name, colour) in [("Acme\u{7}Bell", "#112233"), ("Acme", "#11223")] {
        let body = website(
            json!({"inputs": {"site_name": site_name, "site_description": "d",
            "contact_email": "a@example.com", "brand_colors": {"primary": colour}}}),
        );
        let (status, refused) = propose(&app, body).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
        let fields: Vec<&str> = refused["error"]["details"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["field"].as_str().unwrap())
            .collect();
        assert!(
            fields.contains(&"site_name") || fields.contains(&"brand_colors.primary"),
            "{refused}"
        );
    }
    assert_eq!(total(&app).await, before, "nothing reached a vote");
}

async fn a_repeated_key_inside_inputs_is_refused(backend: Backend) {
    let app = TestApp::start(backend).await;
    let body = r#"{"workflow_type_id": "website.create_basic_site", "inputs": {"site_name": "Shown to the council", "site_description": "d", "contact_email": "a@example.com", "site_name": "Deployed instead"}}"#;
    let (status, _, text) = raw(
        &app,
        Method::POST,
        "/api/workflows",
        "agent_jermaine_super_action",
        "application/json",
        body.into(),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{text}");
    let value: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(value["error"]["details"][0]["field"], "inputs.site_name");
    assert_eq!(value["error"]["details"][0]["rule"], "unique_keys");
}
