//! What an attacker tried, each on both backends: choosing one's reviewers, voting on one's
//! own proposal, savings that overflow the aggregates, NUL and invalid UTF-8 everywhere, a
//! double-encoded hidden file, inputs that fail only at run time, and the small tells.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp};

crate::on_both_backends!(
    an_agent_cannot_send_its_workflow_to_another_council,
    an_admin_reassigns_an_undecided_workflow_and_the_audit_trail_says_why,
    the_creator_of_a_workflow_is_never_in_its_electorate,
    savings_are_bounded_and_the_aggregates_stay_exact_at_the_maximum,
    calculated_savings_keeps_only_its_known_fields,
    nul_in_paths_queries_and_bodies_is_a_client_error_in_the_envelope,
    invalid_utf8_and_control_characters_in_a_path_are_json_errors,
    a_double_encoded_hidden_file_is_not_served,
    inputs_a_step_would_refuse_are_refused_at_creation,
    a_repeated_key_inside_inputs_is_refused,
    an_unreachable_threshold_is_refused,
    the_honeypot_answers_like_a_real_message_and_names_are_one_line,
    api_and_site_answers_carry_security_headers,
    a_multi_range_request_gets_the_whole_file,
    every_counter_is_exported_before_its_first_increment,
);

const SITE_INPUTS: &str = r#"{"site_name": "Codex", "site_description": "AI-powered web development", "contact_email": "hello@codexdigital.app"}"#;

fn website(extra: Value) -> Value {
    let mut body = json!({
        "workflow_type_id": "website.create_basic_site",
        "inputs": serde_json::from_str::<Value>(SITE_INPUTS).unwrap(),
    });
    for (k, v) in extra.as_object().cloned().unwrap_or_default() {
        body[k] = v;
    }
    body
}

async fn total(app: &TestApp) -> i64 {
    app.get("/api/workflows").await["total"].as_i64().unwrap()
}

/// The demo agent's `POST /api/workflows` of `body`.
async fn propose(app: &TestApp, body: Value) -> (StatusCode, Value) {
    app.send(
        Method::POST,
        "/api/workflows",
        "agent_jermaine_super_action",
        Some(body),
    )
    .await
}

/// `GET path` as the admin, whatever it answers.
async fn admin_get(app: &TestApp, path: &str) -> reqwest::Response {
    app.client
        .get(format!("{}{path}", app.url))
        .bearer_auth(&app.tokens["admin"])
        .send()
        .await
        .unwrap()
}

/// Sends `body` as raw bytes with `content_type`, as `who`.
async fn raw(
    app: &TestApp,
    method: Method,
    path: &str,
    who: &str,
    content_type: &str,
    body: Vec<u8>,
) -> (StatusCode, reqwest::header::HeaderMap, String) {
    let mut request = app
        .client
        .request(method, format!("{}{path}", app.url))
        .header("content-type", content_type)
        .body(body);
    if !who.is_empty() {
        request = request.bearer_auth(&app.tokens[who]);
    }
    let response = request.send().await.unwrap();
    let (status, headers) = (response.status(), response.headers().clone());
    (status, headers, response.text().await.unwrap())
}

/// Asserts a 4xx whose body is the JSON error envelope, and returns its code.
fn envelope(status: StatusCode, body: &str, what: &str) -> String {
    assert!(status.is_client_error(), "{what}: {status} {body}");
    let value: Value =
        serde_json::from_str(body).unwrap_or_else(|_| panic!("{what}: not JSON: {body}"));
    let code = value["error"]["code"].as_str();
    assert!(
        code.is_some() && value["error"]["message"].is_string(),
        "{what}: {body}"
    );
    code.unwrap().to_owned()
}

async fn an_agent_cannot_send_its_workflow_to_another_council(backend: Backend) {
    let app = TestApp::start(backend).await;
    let before = total(&app).await;
    let (status, body) = propose(
        &app,
        website(json!({"assigned_council_id": "council_commerce"})),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("council_media"),
        "{body}"
    );
    assert_eq!(total(&app).await, before, "nothing was created");
    // Naming the type's own council changes nothing.
    let (status, body) = propose(
        &app,
        website(json!({"assigned_council_id": "council_media"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["assigned_council_id"], "council_media");
}

async fn an_admin_reassigns_an_undecided_workflow_and_the_audit_trail_says_why(backend: Backend) {
    let mut app = TestApp::start(backend).await;
    let members = app.council("council_ops", "ops", 3, json!({})).await;
    let w = app
        .create_website("agent_jermaine_super_action", "Ops")
        .await;
    let id = w["id"].as_str().unwrap();
    let path = format!("/api/workflows/{id}/reassign");
    let body = json!({"council_id": "council_ops", "reason": "operations owns this client"});
    let (status, refused) = app
        .send(
            Method::POST,
            &path,
            "agent_jermaine_super_action",
            Some(body.clone()),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{refused}");
    let (status, moved) = app
        .send(Method::POST, &path, "admin", Some(body.clone()))
        .await;
    assert_eq!(status, StatusCode::OK, "{moved}");
    assert_eq!(moved["assigned_council_id"], "council_ops");
    let detail = app.get(&format!("/api/workflows/{id}")).await;
    let mut electorate: Vec<String> = serde_json::from_value(detail["electorate"].clone()).unwrap();
    electorate.sort();
    assert_eq!(electorate, members);
    let reassigned = detail["audit"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["event"] == "reassigned")
        .expect("an audit row");
    assert_eq!(reassigned["actor"], "admin");
    assert_eq!(reassigned["reason"], "operations owns this client");
    // The aggregates moved with it.
    let by_council = &app.get("/api/workflows/metrics").await["workflows_by_council"];
    assert_eq!(by_council["council_ops"], 1, "{by_council}");
    assert!(app.quorum.check_aggregates().await.unwrap().is_empty());
    // The old council's members no longer vote; once the new council votes, it stays there.
    let (status, _) = app.vote("user_b", id, "approve", "mine?").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = app.vote(&members[0], id, "approve", "fine").await;
    assert_eq!(status, StatusCode::CREATED);
    let back = json!({"council_id": "council_media", "reason": "back"});
    let (status, _) = app.send(Method::POST, &path, "admin", Some(back)).await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, _) = app
        .send(
            Method::POST,
            &path,
            "admin",
            Some(json!({"council_id": "council_nobody", "reason": "x"})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

async fn the_creator_of_a_workflow_is_never_in_its_electorate(backend: Backend) {
    let mut app = TestApp::start(backend).await;
    let (status, created) = app
        .send(
            Method::POST,
            "/api/principals",
            "admin",
            Some(json!({"id": "user_both", "kind": "user", "roles": ["agent", "member"]})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    app.tokens.insert(
        "user_both".into(),
        created["token"].as_str().unwrap().into(),
    );
    let members = json!({"members": ["user_both", "user_b", "user_c"]});
    let (status, body) = app
        .send(
            Method::PUT,
            "/api/councils/council_media/members",
            "admin",
            Some(members),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let w = app.create_website("user_both", "Mine").await;
    let id = w["id"].as_str().unwrap();
    let detail = app.get(&format!("/api/workflows/{id}")).await;
    assert_eq!(detail["electorate"], json!(["user_b", "user_c"]));
    let (status, body) = app.vote("user_both", id, "approve", "looks great").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(
        app.get(&format!("/api/workflows/{id}")).await["votes"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    // Two others remain: a majority of them is both.
    app.vote("user_b", id, "approve", "ok").await;
    let after = app.get(&format!("/api/workflows/{id}")).await;
    assert!(after["decision"].is_null(), "one of two is not a majority");
    // Where nobody else could decide, the proposal is refused outright.
    let alone = json!({"members": ["user_both"]});
    let (status, _) = app
        .send(
            Method::PUT,
            "/api/councils/council_media/members",
            "admin",
            Some(alone),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = app
        .send(
            Method::POST,
            "/api/workflows",
            "user_both",
            Some(website(json!({}))),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["details"][0]["rule"], "electorate");
}

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

/// A live deployment, stored as the deploy step stores one: these tests are about serving.
/// Its `.quorum/site.json` holds the recipient, to show a hidden name is never served even
/// when a deployment has a file under it.
pub(crate) async fn fake_site(app: &TestApp, slug: &str) {
    let files: std::collections::BTreeMap<String, Vec<u8>> = [
        ("index.html", b"<!doctype html><title>Acme</title>".to_vec()),
        ("big.txt", "0123456789".repeat(100).into_bytes()),
        (
            ".quorum/site.json",
            br#"{"contact_email":"owner@example.com"}"#.to_vec(),
        ),
    ]
    .into_iter()
    .map(|(path, bytes)| (path.to_owned(), bytes))
    .collect();
    let sites = app.quorum.site_store();
    sites
        .keep_files(files.values().cloned().collect())
        .await
        .unwrap();
    sites
        .publish(quorum_steps::SiteDeployment {
            id: format!("deploy_{slug}"),
            slug: slug.into(),
            workflow_id: "wf_x".into(),
            site_name: "Acme".into(),
            contact_email: "owner@example.com".into(),
            files,
        })
        .await
        .unwrap();
}

async fn a_double_encoded_hidden_file_is_not_served(backend: Backend) {
    let app = TestApp::start(backend).await;
    fake_site(&app, "acme").await;
    let get = |path: &str| app.client.get(format!("{}{path}", app.url)).send();
    assert_eq!(get("/sites/acme/").await.unwrap().status(), StatusCode::OK);
    for path in [
        "/sites/acme/.quorum/site.json",
        "/sites/acme/%2equorum/site.json",
        "/sites/acme/%252equorum/site.json",
        "/sites/acme/%25252equorum/site.json",
    ] {
        let response = get(path).await.unwrap();
        let status = response.status();
        let body = response.text().await.unwrap();
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert!(!body.contains("owner@example.com"), "{path}");
    }
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

async fn an_unreachable_threshold_is_refused(backend: Backend) {
    let app = TestApp::start(backend).await;
    let council = json!({"id": "council_one", "name": "One", "domains": ["one"],
        "members": ["user_b"], "threshold": {"at_least": 5}});
    let (status, body) = app
        .send(Method::POST, "/api/councils", "admin", Some(council))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["details"][0]["field"], "threshold");
    let council = json!({"id": "council_two", "name": "Two", "domains": ["two"],
        "members": ["user_b", "user_c"], "threshold": {"at_least": 2}});
    let (status, _) = app
        .send(Method::POST, "/api/councils", "admin", Some(council))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, body) = app
        .send(
            Method::PUT,
            "/api/councils/council_two/members",
            "admin",
            Some(json!({"members": ["user_b"]})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(
        app.get("/api/councils/council_two").await["members"],
        json!(["user_b", "user_c"])
    );
}

async fn the_honeypot_answers_like_a_real_message_and_names_are_one_line(backend: Backend) {
    let app = TestApp::start(backend).await;
    fake_site(&app, "acme").await;
    let post = |form: &'static str| {
        raw(
            &app,
            Method::POST,
            "/sites/acme/contact",
            "",
            "application/x-www-form-urlencoded",
            form.into(),
        )
    };
    let (status, _, real) = post("name=Ana&email=ana%40example.com&message=Hello").await;
    assert_eq!(status, StatusCode::CREATED, "{real}");
    let (status, _, bot) = post("name=Bot&email=bot%40example.com&message=Buy&website=x").await;
    assert_eq!(status, StatusCode::CREATED, "{bot}");
    let (real, bot): (Value, Value) = (
        serde_json::from_str(&real).unwrap(),
        serde_json::from_str(&bot).unwrap(),
    );
    assert_eq!(real["delivery"], bot["delivery"]);
    let shape = |v: &Value| v["id"].as_str().map(|id| (id.len(), id[..4].to_owned()));
    assert_eq!(shape(&real), shape(&bot), "{real} {bot}");
    let (status, _, text) =
        post("name=Ana%0D%0ABcc%3A+x%40example.com&email=ana%40example.com&message=Hi").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{text}");
    assert!(text.contains("no_control_characters"), "{text}");
    let (status, _, text) = post("name=Ana&email=ana%40example.com&message=a%00b").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{text}");
    let (status, _, _) = post("name=Ana&email=ana%40example.com&message=%ff").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let kept = app.get("/api/sites/acme/messages").await;
    assert_eq!(kept.as_array().unwrap().len(), 1, "{kept}");
}

async fn api_and_site_answers_carry_security_headers(backend: Backend) {
    let app = TestApp::start(backend).await;
    fake_site(&app, "acme").await;
    for path in [
        "/api/workflows",
        "/api/nothing",
        "/sites/acme/",
        "/sites/acme/missing",
        "/healthz",
    ] {
        let response = admin_get(&app, path).await;
        let headers = response.headers();
        assert_eq!(headers["x-frame-options"], "DENY", "{path}");
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
        let csp = headers["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        if path.starts_with("/api/") {
            assert!(csp.starts_with("default-src 'none'"), "{path}: {csp}");
        }
    }
}

async fn a_multi_range_request_gets_the_whole_file(backend: Backend) {
    let app = TestApp::start(backend).await;
    fake_site(&app, "acme").await;
    let get = |range: &'static str| {
        app.client
            .get(format!("{}/sites/acme/big.txt", app.url))
            .header("range", range)
            .send()
    };
    let one = get("bytes=0-9").await.unwrap();
    assert_eq!(one.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(one.text().await.unwrap(), "0123456789");
    let many = get("bytes=0-1,5-6").await.unwrap();
    assert_eq!(many.status(), StatusCode::OK);
    assert_eq!(many.text().await.unwrap().len(), 1000);
}

async fn every_counter_is_exported_before_its_first_increment(backend: Backend) {
    let app = TestApp::start(backend).await;
    let text = app
        .client
        .get(format!("{}/metrics", app.url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for counter in [
        "quorum_jobs_claimed_total",
        "quorum_workflows_completed_total",
        "quorum_workflows_failed_total",
        "quorum_workflows_cancelled_while_running_total",
        "quorum_attempt_retries_total",
        "quorum_lease_expiries_total",
        "quorum_leases_lost_total",
    ] {
        assert!(
            text.lines()
                .any(|line| line.starts_with(&format!("{counter} "))),
            "{counter} missing from:\n{text}"
        );
    }
}
