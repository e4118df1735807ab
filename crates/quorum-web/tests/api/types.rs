//! `/api/workflow-types`: the registry over HTTP.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp};

crate::on_both_backends!(
    the_built_in_types_are_registered_and_only_the_website_family_is_executable,
    an_admin_registers_a_new_version_and_an_identical_one_is_not_new,
    a_definition_naming_an_unknown_handler_is_a_422,
);

fn website_definition() -> Value {
    serde_json::from_str(include_str!(
        "../../../../types/website.create_basic_site.json"
    ))
    .unwrap()
}

async fn the_built_in_types_are_registered_and_only_the_website_family_is_executable(
    backend: Backend,
) {
    let app = TestApp::start(backend).await;
    let types = app.get("/api/workflow-types").await;
    let mut listed: Vec<(String, bool)> = types
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["id"].as_str().unwrap().to_owned(),
                t["executable"].as_bool().unwrap(),
            )
        })
        .collect();
    listed.sort();
    assert_eq!(
        listed,
        [
            ("content_scheduler".into(), false),
            ("customer_followup".into(), false),
            ("data_entry_automation".into(), false),
            ("invoice_reminders".into(), false),
            ("website.create_affiliate_site".into(), true),
            ("website.create_basic_site".into(), true),
            ("website.create_ecommerce_store".into(), true),
            ("website.create_landing_page".into(), true),
        ]
    );
    let website = app
        .get("/api/workflow-types/website.create_basic_site")
        .await;
    assert_eq!(website["name"], "Create Basic Website");
    assert_eq!(website["domain"], "media");
    assert_eq!(website["definition"]["steps"].as_array().unwrap().len(), 8);
    assert_eq!(
        website["definition"]["oversight"]["council"],
        "council_media"
    );
    let (status, _) = app
        .send(Method::GET, "/api/workflow-types/nope", "admin", None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn an_admin_registers_a_new_version_and_an_identical_one_is_not_new(backend: Backend) {
    let app = TestApp::start(backend).await;
    let mut definition = website_definition();
    let (status, same) = app
        .send(
            Method::POST,
            "/api/workflow-types",
            "admin",
            Some(definition.clone()),
        )
        .await;
    assert_eq!(
        (status, same["version"].as_i64()),
        (StatusCode::OK, Some(1))
    );
    definition["estimated_duration_seconds"] = json!(60);
    let (status, next) = app
        .send(
            Method::POST,
            "/api/workflow-types",
            "admin",
            Some(definition),
        )
        .await;
    assert_eq!(
        (status, next["version"].as_i64()),
        (StatusCode::CREATED, Some(2))
    );
    let w = app
        .create_website("agent_jermaine_super_action", "Pinned")
        .await;
    assert_eq!(
        w["workflow_type_version"], 2,
        "a workflow pins the version it was created with"
    );
}

async fn a_definition_naming_an_unknown_handler_is_a_422(backend: Backend) {
    let app = TestApp::start(backend).await;
    let mut definition = website_definition();
    definition["id"] = json!("website.other");
    definition["steps"][3]["handler"] = json!("website.teleport");
    let (status, body) = app
        .send(
            Method::POST,
            "/api/workflow-types",
            "admin",
            Some(definition),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["details"][0]["field"], "steps.3.handler");
    let (status, body) = app
        .send(
            Method::POST,
            "/api/workflow-types",
            "admin",
            Some(json!({"id": "x"})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, _) = app
        .send(
            Method::GET,
            "/api/workflow-types/website.other",
            "admin",
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
