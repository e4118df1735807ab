//! Sites with an owner: the first deployment claims the slug, another agent's proposal for
//! it is refused, the owner's next proposal replaces the live site (and the council is told),
//! and the owner or an admin rolls it back, audited.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::dashboard::Dash;
use crate::helpers::{Backend, TestApp};

const WITHIN: Duration = Duration::from_secs(30);
const OWNER: &str = "agent_jermaine_super_action";
const OTHER: &str = "commerce_agent";
const SITE: &str = "/api/sites/codex-digital-studios";

fn inputs(description: &str) -> Value {
    json!({
        "site_name": "Codex Digital Studios",
        "site_description": description,
        "contact_email": "hello@codexdigital.app"
    })
}

async fn propose(app: &TestApp, agent: &str, inputs: Value) -> (StatusCode, Value) {
    let body = json!({"workflow_type_id": "website.create_basic_site", "inputs": inputs});
    app.send(Method::POST, "/api/workflows", agent, Some(body))
        .await
}

async fn approve_and_finish(app: &TestApp, id: &str) -> Value {
    for member in ["user_council_lead", "user_b"] {
        let (status, body) = app.vote(member, id, "approve", "on brand").await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    app.wait_for(id, "COMPLETED", WITHIN).await
}

async fn home(app: &TestApp) -> String {
    let url = format!("{}/sites/codex-digital-studios/", app.url);
    app.client
        .get(url)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

async fn a_site_belongs_to_its_first_deployer_who_may_replace_and_roll_it_back(backend: Backend) {
    let app = TestApp::start(backend).await;
    let workers = app.workers(1);
    let (status, first) = propose(&app, OWNER, inputs("The first site")).await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    let first_id = first["id"].as_str().unwrap();
    let detail = app.get(&format!("/api/workflows/{first_id}")).await;
    assert_eq!(
        detail["replaces"],
        Value::Null,
        "a new slug replaces nothing"
    );
    let first = approve_and_finish(&app, first_id).await;
    let first_deployment = first["outputs"]["deployment_id"].as_str().unwrap();

    // Another agent may not take the slug, and is told whose it is and how to choose another.
    let (status, refused) = propose(&app, OTHER, inputs("A rival site")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    let message = refused["error"]["message"].as_str().unwrap();
    assert!(
        message.contains(OWNER) && message.contains("site_slug"),
        "{message}"
    );
    assert_eq!(refused["error"]["details"][0]["field"], "inputs.site_slug");
    let mut elsewhere = inputs("A rival site");
    elsewhere["site_slug"] = json!("codex-rival");
    let (status, created) = propose(&app, OTHER, elsewhere).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let (status, _) = app
        .send(
            Method::POST,
            &format!("/api/workflows/{}/cancel", created["id"].as_str().unwrap()),
            "admin",
            Some(json!({"reason": "not needed"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);

    // The owner proposing again replaces its live site, and the council sees that first.
    let (status, second) = propose(&app, OWNER, inputs("The second site")).await;
    assert_eq!(status, StatusCode::CREATED, "{second}");
    let second_id = second["id"].as_str().unwrap();
    let detail = app.get(&format!("/api/workflows/{second_id}")).await;
    assert_eq!(
        detail["replaces"],
        json!({
            "slug": "codex-digital-studios",
            "owner_agent": OWNER,
            "live_deployment_id": first_deployment,
            "live_workflow_id": first_id,
        })
    );
    let queue = Dash::signed_in(&app, "user_council_lead")
        .await
        .page("/dashboard/queue")
        .await;
    assert!(
        queue
            .texts("p[role=note]")
            .iter()
            .any(|t| t.contains("replaces a live site") && t.contains(first_deployment)),
        "the queue card says so: {}",
        queue.body
    );
    let second = approve_and_finish(&app, second_id).await;
    workers.shutdown().await;
    let second_deployment = second["outputs"]["deployment_id"].as_str().unwrap();
    assert_eq!(
        second["replaces"],
        Value::Null,
        "once finished it is the live site"
    );
    assert!(home(&app).await.contains("The second site"));

    let site = app.get(SITE).await;
    assert_eq!(site["owner_agent"], OWNER);
    assert_eq!(site["live_deployment"]["id"], second_deployment);
    let history: Vec<(&str, &str)> = site["deployments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["id"].as_str().unwrap(),
                d["workflow_id"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        history,
        [(second_deployment, second_id), (first_deployment, first_id)],
        "one site, two deployments, newest first"
    );
    let list = app.get("/api/sites").await;
    assert_eq!(list["sites"][0]["slug"], "codex-digital-studios");
    assert_eq!(list["sites"][0]["owner_agent"], OWNER);

    // Only the owner or an admin rolls back.
    let rollback = json!({"deployment_id": first_deployment, "reason": "the old copy read better"});
    let path = format!("{SITE}/rollback");
    for who in [OTHER, "user_council_lead"] {
        let (status, body) = app
            .send(Method::POST, &path, who, Some(rollback.clone()))
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{who}: {body}");
    }
    let (status, site) = app
        .send(Method::POST, &path, OWNER, Some(rollback.clone()))
        .await;
    assert_eq!(status, StatusCode::OK, "{site}");
    assert_eq!(site["live_deployment"]["id"], first_deployment);
    assert_eq!(site["rollbacks"][0]["actor"], OWNER);
    assert_eq!(site["rollbacks"][0]["from_deployment"], second_deployment);
    assert_eq!(site["rollbacks"][0]["to_deployment"], first_deployment);
    assert_eq!(site["rollbacks"][0]["reason"], "the old copy read better");
    assert!(
        home(&app).await.contains("The first site"),
        "the server that switched it serves the earlier deployment at once"
    );

    let (status, body) = app
        .send(Method::POST, &path, "admin", Some(rollback.clone()))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "already live: {body}");
    let (status, _) = app
        .send(
            Method::POST,
            &path,
            "admin",
            Some(json!({"deployment_id": "deploy_nothing", "reason": "x"})),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = app
        .send(
            Method::POST,
            "/api/sites/nowhere/rollback",
            "admin",
            Some(rollback.clone()),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, body) = app
        .send(
            Method::POST,
            &path,
            "admin",
            Some(json!({"deployment_id": second_deployment, "reason": " "})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, body) = app
        .send(
            Method::POST,
            &path,
            "admin",
            Some(json!({"deployment_id": second_deployment, "reason": "forward again"})),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::OK,
        "an admin may roll forward too: {body}"
    );
    assert_eq!(body["rollbacks"].as_array().unwrap().len(), 2);
    assert_eq!(body["rollbacks"][0]["actor"], "admin");
}

async fn sites_are_read_by_slug_and_listed_in_pages(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (status, body) = app.send(Method::GET, SITE, "admin", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert_eq!(body["error"]["code"], "not_found");
    assert_eq!(
        app.get("/api/sites").await,
        json!({"sites": [], "next_after": null})
    );
    for query in [
        "?limit=0",
        "?limit=501",
        "?limit=x",
        "?bogus=1",
        "?after=0.5",
        "?after=Acme",
    ] {
        let (status, body) = app
            .send(Method::GET, &format!("/api/sites{query}"), "admin", None)
            .await;
        assert!(status.is_client_error(), "{query}: {status} {body}");
        assert!(body["error"]["code"].is_string(), "{query}: {body}");
    }
}

async fn of_two_agents_first_proposals_for_one_slug_the_first_deploy_claims_it(backend: Backend) {
    let app = TestApp::start(backend).await;
    let workers = app.workers(1);
    // Neither slug is owned yet, so creation lets both through.
    let (status, mine) = propose(&app, OWNER, inputs("The owner's site")).await;
    assert_eq!(status, StatusCode::CREATED, "{mine}");
    let (status, theirs) = propose(&app, OTHER, inputs("A rival site")).await;
    assert_eq!(status, StatusCode::CREATED, "{theirs}");
    approve_and_finish(&app, mine["id"].as_str().unwrap()).await;
    let theirs = theirs["id"].as_str().unwrap();
    for member in ["user_council_lead", "user_b"] {
        let (status, body) = app.vote(member, theirs, "approve", "on brand").await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let failed = app.wait_for(theirs, "FAILED", WITHIN).await;
    workers.shutdown().await;
    let error = failed["error"].as_str().unwrap_or_default();
    assert!(error.contains("belongs to another agent"), "{failed}");
    assert_eq!(app.get(SITE).await["owner_agent"], OWNER);
    assert!(home(&app).await.contains("The owner's site"));
}

/// Publishes deployment `n` of `acme` as the deploy step does: a page of its own and a
/// stylesheet every deployment shares.
async fn publish(app: &TestApp, n: usize) {
    let files: std::collections::BTreeMap<String, Vec<u8>> = [
        (
            "index.html".to_owned(),
            format!("<p>version {n}</p>").into_bytes(),
        ),
        ("main.css".to_owned(), b"body { color: #111 }".to_vec()),
    ]
    .into();
    app.publish_site(&format!("deploy_{n}"), "acme", &format!("wf_{n}"), files)
        .await;
}

fn hash(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

async fn a_deploy_collects_deployments_beyond_the_newest_five_and_their_blobs(backend: Backend) {
    let app = TestApp::start(backend).await;
    for n in 0..7 {
        publish(&app, n).await;
        // Deployments are ordered by when they were made.
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    let site = app.get("/api/sites/acme").await;
    let kept: Vec<&str> = site["deployments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        kept,
        ["deploy_6", "deploy_5", "deploy_4", "deploy_3", "deploy_2"]
    );
    for n in [0, 1] {
        let page = format!("<p>version {n}</p>");
        assert_eq!(
            app.store.blob(&hash(page.as_bytes())).await.unwrap(),
            None,
            "{n}"
        );
    }
    assert!(
        app.store
            .blob(&hash(b"<p>version 2</p>"))
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        app.store
            .blob(&hash(b"body { color: #111 }"))
            .await
            .unwrap()
            .is_some(),
        "the shared stylesheet stays"
    );

    // Rolled back to the oldest kept, it is live until the next deploy replaces it; then it
    // is only old, and goes.
    let (status, body) = app
        .send(
            Method::POST,
            "/api/sites/acme/rollback",
            "admin",
            Some(json!({"deployment_id": "deploy_2", "reason": "keep this one"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    publish(&app, 7).await;
    let site = app.get("/api/sites/acme").await;
    let ids: Vec<&str> = site["deployments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        ["deploy_7", "deploy_6", "deploy_5", "deploy_4", "deploy_3"]
    );
    assert_eq!(site["live_deployment"]["id"], "deploy_7");
}

crate::on_both_backends!(
    of_two_agents_first_proposals_for_one_slug_the_first_deploy_claims_it,
    a_deploy_collects_deployments_beyond_the_newest_five_and_their_blobs,
    a_site_belongs_to_its_first_deployer_who_may_replace_and_roll_it_back,
    sites_are_read_by_slug_and_listed_in_pages,
);
