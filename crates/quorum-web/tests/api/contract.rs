//! The seed's HTTP contract, field by field, and what SPEC adds to it.

use quorum_domain::WorkflowStatus;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, assert_z_timestamp};

crate::on_both_backends!(
    a_listed_workflow_has_the_seeds_keys_an_uppercase_status_and_z_timestamps,
    the_list_is_newest_first_and_total_counts_the_filter_not_the_page,
    each_seed_filter_narrows_the_list_and_status_is_case_insensitive,
    cursor_pages_walk_the_whole_list_once,
    the_detail_has_metrics_votes_steps_and_an_audit_trail,
    metrics_have_the_seeds_keys_and_all_five_statuses,
    a_new_website_workflow_gets_defaults_the_media_council_and_the_seeds_savings,
    inputs_that_break_the_schema_are_a_422_naming_each_field,
    a_type_that_is_not_yet_executable_cannot_be_proposed,
);

async fn a_listed_workflow_has_the_seeds_keys_an_uppercase_status_and_z_timestamps(
    backend: Backend,
) {
    let app = TestApp::start(backend).await;
    let created = app
        .create_website("agent_jermaine_super_action", "Codex Digital Studios")
        .await;
    let id = created["id"].as_str().unwrap();
    app.force_status(id, WorkflowStatus::Pending, WorkflowStatus::InProgress)
        .await;
    let list = app.get("/api/workflows").await;
    for key in ["workflows", "total", "limit", "offset"] {
        assert!(list.get(key).is_some(), "list lacks {key}");
    }
    assert_eq!(
        (
            list["total"].as_i64(),
            list["limit"].as_i64(),
            list["offset"].as_i64()
        ),
        (Some(1), Some(100), Some(0))
    );
    let w = &list["workflows"][0];
    for key in [
        "id",
        "workflow_type_id",
        "created_by_agent",
        "assigned_council_id",
        "status",
        "inputs",
        "outputs",
        "calculated_savings",
        "created_at",
        "started_at",
        "completed_at",
    ] {
        assert!(w.get(key).is_some(), "workflow lacks {key}: {w}");
    }
    assert_eq!(w["id"], id);
    assert!(id.starts_with("wf_") && id.len() == 15);
    assert_eq!(w["workflow_type_id"], "website.create_basic_site");
    assert_eq!(w["created_by_agent"], "agent_jermaine_super_action");
    assert_eq!(w["assigned_council_id"], "council_media");
    assert_eq!(w["status"], "IN_PROGRESS");
    assert_z_timestamp(&w["created_at"]);
    assert_z_timestamp(&w["started_at"]);
    assert_eq!(w["completed_at"], Value::Null);
    assert_eq!(w["inputs"]["site_name"], "Codex Digital Studios");
    assert_eq!(
        list["review_criteria"],
        json!({}),
        "no pending workflow on the page"
    );
    app.create_website("agent_jermaine_super_action", "Pending")
        .await;
    let pending = app.get("/api/workflows?status=pending").await;
    assert_eq!(
        pending["review_criteria"]["website.create_basic_site"][2],
        "Accessibility compliance (WCAG 2.1 AA)"
    );
}

async fn the_list_is_newest_first_and_total_counts_the_filter_not_the_page(backend: Backend) {
    let app = TestApp::start(backend).await;
    let mut ids = Vec::new();
    for i in 0..7 {
        ids.push(
            app.create_website("agent_jermaine_super_action", &format!("Site {i}"))
                .await["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    let page = app.get("/api/workflows?limit=3&offset=2").await;
    assert_eq!(
        (
            page["total"].as_i64(),
            page["limit"].as_i64(),
            page["offset"].as_i64()
        ),
        (Some(7), Some(3), Some(2))
    );
    let got: Vec<&str> = page["workflows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["id"].as_str().unwrap())
        .collect();
    let expected: Vec<&str> = ids
        .iter()
        .rev()
        .skip(2)
        .take(3)
        .map(String::as_str)
        .collect();
    assert_eq!(got, expected, "newest first, offset skips");
    let created: Vec<&str> = page["workflows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["created_at"].as_str().unwrap())
        .collect();
    assert!(created.windows(2).all(|p| p[0] >= p[1]));
    let past_the_end = app.get("/api/workflows?offset=50").await;
    assert_eq!(past_the_end["workflows"], json!([]));
    assert_eq!(past_the_end["total"], 7);
    assert_eq!(
        app.get("/api/workflows?limit=5000").await["limit"],
        1000,
        "limits above 1000 are clamped"
    );
}

async fn each_seed_filter_narrows_the_list_and_status_is_case_insensitive(backend: Backend) {
    let app = TestApp::start(backend).await;
    let a = app.create_website("agent_jermaine_super_action", "A").await;
    app.create_website("agent_jermaine_super_action", "B").await;
    let c = app.create_website("commerce_agent", "C").await;
    app.create_for("commerce_agent", "council_commerce", json!({}))
        .await;
    app.force_status(
        a["id"].as_str().unwrap(),
        WorkflowStatus::Pending,
        WorkflowStatus::Cancelled,
    )
    .await;
    app.force_status(
        c["id"].as_str().unwrap(),
        WorkflowStatus::Pending,
        WorkflowStatus::InProgress,
    )
    .await;
    for (query, total) in [
        ("status=pending", 2),
        ("status=PENDING", 2),
        ("status=In_Progress", 1),
        ("status=cancelled", 1),
        ("status=completed", 0),
        ("council_id=council_media", 3),
        ("council_id=council_commerce", 1),
        ("council_id=council_media&status=pending", 1),
        ("agent_id=agent_jermaine_super_action", 2),
        ("agent_id=commerce_agent&status=in_progress", 1),
        ("workflow_type_id=website.create_basic_site", 4),
        ("workflow_type_id=content_scheduler", 0),
        ("agent_id=nobody", 0),
    ] {
        let page = app.get(&format!("/api/workflows?{query}")).await;
        assert_eq!(page["total"], total, "{query}");
        assert_eq!(
            page["workflows"].as_array().unwrap().len() as i64,
            total,
            "{query}"
        );
    }
}

async fn cursor_pages_walk_the_whole_list_once(backend: Backend) {
    let app = TestApp::start(backend).await;
    for i in 0..5 {
        app.create_website("agent_jermaine_super_action", &format!("Site {i}"))
            .await;
    }
    let mut seen = Vec::new();
    let mut page = app.get("/api/workflows?limit=2").await;
    loop {
        seen.extend(
            page["workflows"]
                .as_array()
                .unwrap()
                .iter()
                .map(|w| w["id"].as_str().unwrap().to_owned()),
        );
        let Some(cursor) = page["next_cursor"].as_str() else {
            break;
        };
        page = app
            .get(&format!("/api/workflows?limit=2&cursor={cursor}"))
            .await;
    }
    let all: Vec<String> = app.get("/api/workflows").await["workflows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(seen, all);
}

async fn the_detail_has_metrics_votes_steps_and_an_audit_trail(backend: Backend) {
    let app = TestApp::start(backend).await;
    let created = app
        .create_website("agent_jermaine_super_action", "Codex")
        .await;
    let id = created["id"].as_str().unwrap();
    let detail = app.get(&format!("/api/workflows/{id}")).await;
    for key in [
        "id",
        "workflow_type_id",
        "created_by_agent",
        "assigned_council_id",
        "status",
        "decision",
        "inputs",
        "outputs",
        "calculated_savings",
        "created_at",
        "started_at",
        "completed_at",
        "metrics",
        "votes",
        "steps",
        "audit",
    ] {
        assert!(detail.get(key).is_some(), "detail lacks {key}");
    }
    assert_eq!(detail["decision"], Value::Null);
    assert_eq!(detail["metrics"], json!([]));
    assert_eq!(detail["votes"], json!([]));
    let steps: Vec<&str> = detail["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        steps,
        [
            "initialize_project",
            "generate_pages",
            "apply_branding",
            "setup_seo",
            "configure_navigation",
            "setup_contact_form",
            "deploy",
            "verify"
        ]
    );
    assert!(
        detail["steps"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["status"] == "pending")
    );
    assert_eq!(detail["audit"][0]["event"], "created");
    assert_eq!(detail["audit"][0]["actor"], "agent_jermaine_super_action");
    assert_z_timestamp(&detail["audit"][0]["at"]);
}

async fn metrics_have_the_seeds_keys_and_all_five_statuses(backend: Backend) {
    let app = TestApp::start(backend).await;
    let empty = app.get("/api/workflows/metrics").await;
    assert_eq!(empty["total_workflows"], 0);
    assert_eq!(empty["average_duration_seconds"], 0.0);
    let a = app.create_website("agent_jermaine_super_action", "A").await;
    app.create_website("commerce_agent", "B").await;
    app.force_status(
        a["id"].as_str().unwrap(),
        WorkflowStatus::Pending,
        WorkflowStatus::InProgress,
    )
    .await;
    app.force_status(
        a["id"].as_str().unwrap(),
        WorkflowStatus::InProgress,
        WorkflowStatus::Completed,
    )
    .await;
    let m = app.get("/api/workflows/metrics").await;
    for key in [
        "total_workflows",
        "total_weekly_savings",
        "average_duration_seconds",
        "status_distribution",
        "workflows_by_agent",
        "workflows_by_council",
        "workflows_by_type",
        "total_annual_savings",
        "success_rate",
    ] {
        assert!(m.get(key).is_some(), "metrics lack {key}");
    }
    assert_eq!(m["total_workflows"], 2);
    assert_eq!(
        m["status_distribution"],
        json!({"PENDING": 1, "IN_PROGRESS": 0, "COMPLETED": 1, "FAILED": 0, "CANCELLED": 0})
    );
    assert_eq!(
        m["workflows_by_agent"],
        json!({"agent_jermaine_super_action": 1, "commerce_agent": 1})
    );
    assert_eq!(m["workflows_by_council"], json!({"council_media": 2}));
    assert_eq!(
        m["workflows_by_type"],
        json!({"website.create_basic_site": 2})
    );
    assert_eq!(m["total_weekly_savings"], 225.0);
    assert_eq!(m["total_annual_savings"], 11700.0);
    assert_eq!(m["success_rate"], 1.0);
    let filtered = app
        .get("/api/workflows/metrics?agent_id=commerce_agent")
        .await;
    assert_eq!(filtered["total_workflows"], 1);
    assert_eq!(filtered["status_distribution"]["PENDING"], 1);
}

async fn a_new_website_workflow_gets_defaults_the_media_council_and_the_seeds_savings(
    backend: Backend,
) {
    let app = TestApp::start(backend).await;
    let w = app
        .create_website("agent_jermaine_super_action", "Codex Digital Studios")
        .await;
    assert_eq!(w["status"], "PENDING");
    assert_eq!(w["decision"], Value::Null);
    assert_eq!(w["assigned_council_id"], "council_media");
    assert_eq!(w["created_by_agent"], "agent_jermaine_super_action");
    assert_eq!(
        w["inputs"]["pages"],
        json!(["home", "about", "services", "contact", "blog"])
    );
    assert_eq!(w["inputs"]["brand_colors"]["primary"], "#1a1a1a");
    assert_eq!(w["inputs"]["include_blog"], true);
    assert_eq!(w["calculated_savings"]["weekly_savings"], 225.0);
    assert_eq!(w["calculated_savings"]["annual_savings"], 11700.0);
    let body = json!({"workflow_type_id": "website.create_basic_site", "calculated_savings": {"weekly_savings": 100.0},
        "inputs": {"site_name": "X", "site_description": "x", "contact_email": "x@example.com"}});
    let (status, given) = app
        .send(
            Method::POST,
            "/api/workflows",
            "agent_jermaine_super_action",
            Some(body),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(given["calculated_savings"]["annual_savings"], 5200.0);
}

async fn inputs_that_break_the_schema_are_a_422_naming_each_field(backend: Backend) {
    let app = TestApp::start(backend).await;
    let body = json!({"workflow_type_id": "website.create_basic_site", "inputs": {
        "site_name": "x".repeat(10_000), "contact_email": "not-an-email", "brand_colors": {"primary": "red"},
        "pages": ["home", "../etc"], "calculated": 1}});
    let (status, error) = app
        .send(
            Method::POST,
            "/api/workflows",
            "agent_jermaine_super_action",
            Some(body),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{error}");
    assert_eq!(error["error"]["code"], "validation_failed");
    let mut fields: Vec<&str> = error["error"]["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["field"].as_str().unwrap())
        .collect();
    fields.sort();
    assert_eq!(
        fields,
        [
            "",
            "brand_colors.primary",
            "contact_email",
            "pages.1",
            "site_description",
            "site_name"
        ]
    );
    assert!(
        !error.to_string().contains(&"x".repeat(200)),
        "the error does not echo the hostile value"
    );
    assert_eq!(
        app.get("/api/workflows").await["total"],
        0,
        "nothing was written"
    );
    let (status, _) = app
        .send(
            Method::POST,
            "/api/workflows",
            "agent_jermaine_super_action",
            Some(json!({"workflow_type_id": "website.create_basic_site", "inputs": [1, 2]})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, error) = app
        .send(
            Method::POST,
            "/api/workflows",
            "agent_jermaine_super_action",
            Some(json!({"workflow_type_id": "no.such.type", "inputs": {}})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error["error"]["details"][0]["field"], "workflow_type_id");
}

async fn a_type_that_is_not_yet_executable_cannot_be_proposed(backend: Backend) {
    let app = TestApp::start(backend).await;
    let body = json!({"workflow_type_id": "invoice_reminders", "inputs": {"overdue_days": 30}});
    let (status, error) = app
        .send(Method::POST, "/api/workflows", "commerce_agent", Some(body))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error["error"]["details"][0]["rule"], "executable");
    assert!(
        error["error"]["message"]
            .as_str()
            .unwrap()
            .contains("not yet executable")
    );
}
