//! `POST /api/chat`: the seed's example, demo mode, plans, inference, and every refusal.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp};

crate::on_both_backends!(
    the_seeds_example_proposes_a_pending_website_as_the_agent,
    without_a_token_the_seeds_example_works_in_demo_mode_only,
    a_plan_creates_nothing_and_shows_defaults_steps_council_and_savings,
    the_type_and_the_site_name_are_inferred_from_the_message,
    missing_inputs_are_a_422_whose_reply_says_what_to_add,
    a_message_that_fits_no_type_is_a_422_listing_the_types,
    an_unknown_workflow_type_is_refused_as_creation_refuses_it,
    an_agent_may_chat_only_for_itself_and_an_admin_for_any_agent,
    a_member_may_not_chat,
    an_unknown_mode_or_field_or_a_missing_mode_is_a_400,
);

const AGENT: &str = "agent_jermaine_super_action";

/// The body of the seed's curl example, verbatim.
fn seed_body() -> Value {
    json!({
        "agent_id": "agent_jermaine_super_action",
        "message": "Create a website for Codex Digital Studios",
        "mode": "execute",
        "context": {
            "workflow_type": "website.create_basic_site",
            "workflow_inputs": {
                "site_name": "Codex Digital Studios",
                "site_description": "AI-powered web development",
                "contact_email": "hello@codexdigital.app"
            }
        }
    })
}

async fn chat(app: &TestApp, who: &str, body: Value) -> (StatusCode, Value) {
    app.send(Method::POST, "/api/chat", who, Some(body)).await
}

async fn total(app: &TestApp) -> i64 {
    app.get("/api/workflows").await["total"].as_i64().unwrap()
}

async fn the_seeds_example_proposes_a_pending_website_as_the_agent(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (status, body) = chat(&app, AGENT, seed_body()).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["workflow_type"], "website.create_basic_site");
    assert_eq!(body["status"], "PENDING");
    let reply = body["reply"].as_str().unwrap();
    assert!(reply.contains("Media Council"), "{reply}");
    let id = body["workflow_id"].as_str().unwrap();
    assert!(reply.contains(id), "{reply}");

    let workflow = app.get(&format!("/api/workflows/{id}")).await;
    assert_eq!(workflow["status"], "PENDING");
    assert_eq!(workflow["decision"], Value::Null);
    assert_eq!(workflow["created_by_agent"], AGENT);
    assert_eq!(workflow["assigned_council_id"], "council_media");
    let inputs = &workflow["inputs"];
    assert_eq!(inputs["site_name"], "Codex Digital Studios");
    assert_eq!(inputs["site_description"], "AI-powered web development");
    assert_eq!(inputs["contact_email"], "hello@codexdigital.app");
    assert_eq!(inputs["include_blog"], true);
    assert_eq!(inputs["brand_colors"]["primary"], "#1a1a1a");
    assert_eq!(workflow["calculated_savings"]["weekly_savings"], 225.0);
}

async fn without_a_token_the_seeds_example_works_in_demo_mode_only(backend: Backend) {
    let demo = TestApp::start_with(backend, true).await;
    let (status, body) = chat(&demo, "", seed_body()).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let id = body["workflow_id"].as_str().unwrap();
    let workflow = demo.get(&format!("/api/workflows/{id}")).await;
    assert_eq!(workflow["created_by_agent"], AGENT);

    // Anonymous requests speak only for real agents, even in demo mode.
    let mut body = seed_body();
    body["agent_id"] = json!("user_council_lead");
    let (status, refused) = chat(&demo, "", body.clone()).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{refused}");
    body["agent_id"] = json!("agent_nobody");
    let (status, refused) = chat(&demo, "", body).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{refused}");
    assert_eq!(refused["error"]["code"], "not_found");
    // A token that is sent is checked, demo mode or not.
    let (status, _) = chat(&demo, "qrm_wrong", seed_body()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(total(&demo).await, 1);

    let app = TestApp::start(backend).await;
    let (status, body) = chat(&app, "", seed_body()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(body["error"]["code"], "unauthorized");
    assert_eq!(total(&app).await, 0);
}

async fn a_plan_creates_nothing_and_shows_defaults_steps_council_and_savings(backend: Backend) {
    let app = TestApp::start(backend).await;
    let mut body = seed_body();
    body["mode"] = json!("plan");
    let (status, body) = chat(&app, AGENT, body).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(total(&app).await, 0, "a plan creates nothing");

    let plan = &body["plan"];
    assert_eq!(plan["workflow_type"], "website.create_basic_site");
    assert_eq!(plan["workflow_type_version"], 1);
    assert_eq!(plan["name"], "Create Basic Website");
    assert_eq!(plan["executable"], true);
    assert_eq!(plan["inputs"]["site_name"], "Codex Digital Studios");
    assert_eq!(
        plan["inputs"]["brand_colors"],
        json!({"primary": "#1a1a1a", "secondary": "#f7f1e3", "accent": "#d4af37"})
    );
    assert_eq!(
        plan["inputs"]["pages"],
        json!(["home", "about", "services", "contact", "blog"])
    );
    assert_eq!(plan["inputs"]["include_blog"], true);
    let steps = plan["steps"].as_array().unwrap();
    assert_eq!(steps.len(), 8);
    assert_eq!(
        steps[0],
        json!({"name": "initialize_project", "title": "Initialize Project", "estimated_seconds": 30, "handler": "website.initialize_project"})
    );
    assert_eq!(plan["council"]["id"], "council_media");
    assert_eq!(plan["council"]["name"], "Media Council");
    assert_eq!(plan["council"]["threshold"], "simple_majority");
    assert_eq!(plan["council"]["approvals_needed"], 2);
    assert_eq!(plan["oversight_required"], true);
    assert_eq!(plan["estimated_duration_seconds"], 900);
    assert_eq!(plan["calculated_savings"]["weekly_savings"], 225.0);
    assert_eq!(plan["calculated_savings"]["annual_savings"], 11700.0);
    assert_eq!(plan["review_criteria"].as_array().unwrap().len(), 5);
    let reply = body["reply"].as_str().unwrap();
    assert!(reply.contains("Nothing was created"), "{reply}");
    assert!(reply.contains("Media Council"), "{reply}");
}

async fn the_type_and_the_site_name_are_inferred_from_the_message(backend: Backend) {
    let app = TestApp::start(backend).await;
    let body = json!({
        "agent_id": AGENT,
        "message": "Create a website for Codex Digital Studios",
        "mode": "execute",
        "context": {"workflow_inputs": {
            "site_description": "AI-powered web development",
            "contact_email": "hello@codexdigital.app"
        }}
    });
    let (status, body) = chat(&app, AGENT, body).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["workflow_type"], "website.create_basic_site");
    assert!(
        body["reply"]
            .as_str()
            .unwrap()
            .contains("\"Codex Digital Studios\""),
        "{body}"
    );
    let id = body["workflow_id"].as_str().unwrap();
    let workflow = app.get(&format!("/api/workflows/{id}")).await;
    assert_eq!(workflow["inputs"]["site_name"], "Codex Digital Studios");

    // A plan infers the same, from another phrasing.
    let body = json!({
        "agent_id": AGENT,
        "message": "Plan a site called Blue Fox.",
        "mode": "plan",
        "context": {"workflow_inputs": {"site_description": "Foxes", "contact_email": "a@b.co"}}
    });
    let (status, body) = chat(&app, AGENT, body).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["plan"]["inputs"]["site_name"], "Blue Fox");
}

async fn missing_inputs_are_a_422_whose_reply_says_what_to_add(backend: Backend) {
    let app = TestApp::start(backend).await;
    for mode in ["execute", "plan"] {
        let body = json!({"agent_id": AGENT, "message": "Create a website for Acme", "mode": mode});
        let (status, body) = chat(&app, AGENT, body).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(body["error"]["code"], "validation_failed");
        let reply = body["reply"].as_str().unwrap();
        assert!(
            reply.contains("site_description") && reply.contains("contact_email"),
            "{reply}"
        );
        assert!(
            !reply.contains("site_name"),
            "the name was in the message: {reply}"
        );
        assert_eq!(body["error"]["message"], reply);
        let mut fields: Vec<&str> = body["error"]["details"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["field"].as_str().unwrap())
            .collect();
        fields.sort();
        assert_eq!(fields, ["contact_email", "site_description"]);
    }
    // Invalid values are named too.
    let body = json!({"agent_id": AGENT, "message": "a website", "mode": "execute",
        "context": {"workflow_inputs": {"site_name": "Acme", "site_description": "Bread", "contact_email": "nope"}}});
    let (status, body) = chat(&app, AGENT, body).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body["reply"].as_str().unwrap().contains("contact_email"),
        "{body}"
    );
    assert_eq!(total(&app).await, 0, "nothing is written on failure");
}

async fn a_message_that_fits_no_type_is_a_422_listing_the_types(backend: Backend) {
    let app = TestApp::start(backend).await;
    let body = json!({"agent_id": AGENT, "message": "Make me a sandwich", "mode": "execute"});
    let (status, body) = chat(&app, AGENT, body).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let reply = body["reply"].as_str().unwrap();
    for id in [
        "website.create_basic_site",
        "content_scheduler",
        "invoice_reminders",
    ] {
        assert!(reply.contains(id), "{reply}");
    }
    assert_eq!(
        body["error"]["details"][0]["field"],
        "context.workflow_type"
    );
    assert_eq!(total(&app).await, 0);
}

async fn an_unknown_workflow_type_is_refused_as_creation_refuses_it(backend: Backend) {
    let app = TestApp::start(backend).await;
    let mut body = seed_body();
    body["context"]["workflow_type"] = json!("website.create_spaceship");
    let (status, body) = chat(&app, AGENT, body).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["details"][0]["rule"], "exists");
    assert!(
        body["reply"]
            .as_str()
            .unwrap()
            .contains("website.create_basic_site"),
        "{body}"
    );
}

async fn an_agent_may_chat_only_for_itself_and_an_admin_for_any_agent(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (status, body) = chat(&app, "commerce_agent", seed_body()).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["error"]["code"], "forbidden");
    assert_eq!(total(&app).await, 0);

    let (status, body) = chat(&app, "admin", seed_body()).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let id = body["workflow_id"].as_str().unwrap();
    let workflow = app.get(&format!("/api/workflows/{id}")).await;
    assert_eq!(workflow["created_by_agent"], AGENT);
}

async fn a_member_may_not_chat(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (status, body) = chat(&app, "user_council_lead", seed_body()).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let mut own = seed_body();
    own["agent_id"] = json!("user_council_lead");
    let (status, body) = chat(&app, "user_council_lead", own).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(total(&app).await, 0);
}

async fn an_unknown_mode_or_field_or_a_missing_mode_is_a_400(backend: Backend) {
    let app = TestApp::start(backend).await;
    let mut unknown_mode = seed_body();
    unknown_mode["mode"] = json!("dance");
    let mut missing_mode = seed_body();
    missing_mode.as_object_mut().unwrap().remove("mode");
    let mut unknown_field = seed_body();
    unknown_field["context"]["colour"] = json!("blue");
    for body in [unknown_mode, missing_mode, unknown_field] {
        let (status, refused) = chat(&app, AGENT, body.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body} → {refused}");
        assert_eq!(refused["error"]["code"], "bad_request");
    }
    let response = app
        .client
        .post(format!("{}/api/chat", app.url))
        .bearer_auth(&app.tokens[AGENT])
        .header("content-type", "application/json")
        .body("{\"agent_id\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(total(&app).await, 0);
}
