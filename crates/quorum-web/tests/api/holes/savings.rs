//! Savings are money, bounded: the aggregates stay exact at the maximum, and only known fields are kept.

use reqwest::{Method, StatusCode};
use serde_json::json;

use super::{propose, website};
use crate::helpers::{Backend, TestApp};

crate::on_both_backends!(
    savings_are_bounded_and_the_aggregates_stay_exact_at_the_maximum,
    calculated_savings_keeps_only_its_known_fields,
);

async fn savings_are_bounded_and_the_aggregates_stay_exact_at_the_maximum(backend: Backend) {
    let app = TestApp::start(backend).await;
    let agent = "agent_jermaine_super_action";
    for weekly in [
        json!(9_999_999_999_999_i64),
        json!(500_000.01),
        json!(-1),
        json!(1e308),
    ] {
        let body = website(json!({"calculated_savings": {"weekly_savings": weekly}}));
        let (status, refused) = app
            .send(Method::POST, "/api/workflows", agent, Some(body))
            .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{weekly}: {refused}"
        );
        assert_eq!(
            refused["error"]["details"][0]["field"],
            "calculated_savings.weekly_savings"
        );
    }
    let at_max = json!({"weekly_savings": 500_000, "annual_savings": 26_000_000});
    let mut ids = Vec::new();
    for _ in 0..200 {
        let body = website(json!({"calculated_savings": at_max}));
        let (status, created) = app
            .send(Method::POST, "/api/workflows", agent, Some(body))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{created}");
        ids.push(created["id"].as_str().unwrap().to_owned());
    }
    for id in &ids[..150] {
        app.force_status(
            id,
            quorum_domain::WorkflowStatus::Pending,
            quorum_domain::WorkflowStatus::Completed,
        )
        .await;
    }
    let metrics = app.get("/api/workflows/metrics").await;
    assert_eq!(metrics["total_weekly_savings"], 150.0 * 500_000.0);
    assert_eq!(metrics["total_annual_savings"], 150.0 * 26_000_000.0);
    assert_eq!(
        app.quorum.check_aggregates().await.unwrap(),
        Vec::<String>::new()
    );
    for page in ["/dashboard/analytics", "/dashboard"] {
        let response = app
            .client
            .get(format!("{}{page}", app.url))
            .send()
            .await
            .unwrap();
        assert!(!response.status().is_server_error(), "{page}");
    }
}

async fn calculated_savings_keeps_only_its_known_fields(backend: Backend) {
    let app = TestApp::start(backend).await;
    let padded = json!({"weekly_savings": 1, "padding": "x".repeat(500_000)});
    let body = website(json!({"calculated_savings": padded}));
    let (status, refused) = propose(&app, body).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        refused["error"]["details"][0],
        json!({"field": "calculated_savings.padding", "rule": "additionalProperties",
            "message": refused["error"]["details"][0]["message"]})
    );
    let seed = json!({"weekly_savings": 225.0, "annual_savings": 11700.0});
    let body = website(json!({"calculated_savings": seed}));
    let (status, created) = propose(&app, body).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(created["calculated_savings"], seed);
}
