//! Who reviews and who decides: the council is the type's, the creator never votes, thresholds a council can meet.

use reqwest::{Method, StatusCode};
use serde_json::json;

use super::{propose, total, website};
use crate::helpers::{Backend, TestApp};

crate::on_both_backends!(
    an_agent_cannot_send_its_workflow_to_another_council,
    an_admin_reassigns_an_undecided_workflow_and_the_audit_trail_says_why,
    the_creator_of_a_workflow_is_never_in_its_electorate,
    an_unreachable_threshold_is_refused,
);

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
