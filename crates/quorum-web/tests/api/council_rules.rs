//! Councils beyond a threshold, over HTTP: required members, vetoes, and delegates voting for
//! members who are away.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp};
use crate::on_both_backends;

/// A council of five owning `domain`, with `rule` (required, veto) merged in; its members.
async fn council(app: &mut TestApp, id: &str, domain: &str, rule: Value) -> Vec<String> {
    app.council(id, domain, 5, rule).await
}

/// A website workflow sent to `council`.
async fn proposed(app: &TestApp, council: &str) -> String {
    let created = app
        .create_for("agent_jermaine_super_action", council, json!({}))
        .await;
    created["id"].as_str().unwrap().to_owned()
}

async fn status_of(app: &TestApp, id: &str) -> (String, Value) {
    let detail = app.get(&format!("/api/workflows/{id}")).await;
    (detail["status"].as_str().unwrap().to_owned(), detail)
}

async fn a_required_member_must_approve_and_a_veto_rejects_at_once(backend: Backend) {
    let mut app = TestApp::start(backend).await;
    let members = council(
        &mut app,
        "council_rules",
        "rules",
        json!({"required": ["council_rules_member_0"], "veto": ["council_rules_member_4"]}),
    )
    .await;
    let shown = app.get("/api/councils/council_rules").await;
    assert_eq!(shown["required"], json!(["council_rules_member_0"]));
    assert_eq!(shown["veto"], json!(["council_rules_member_4"]));

    // Three approvals are a majority of five, but the required member has not approved.
    let id = proposed(&app, "council_rules").await;
    let detail = app.get(&format!("/api/workflows/{id}")).await;
    assert_eq!(detail["required"], json!(["council_rules_member_0"]));
    for member in &members[1..4] {
        let (status, body) = app.vote(member, &id, "approve", "fine").await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        assert_eq!(body["workflow"]["decision"], Value::Null);
    }
    let (status, body) = app.vote(&members[0], &id, "approve", "fine").await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["workflow"]["decision"], "approved");

    // The veto decides on the first vote.
    let id = proposed(&app, "council_rules").await;
    let (_, body) = app.vote(&members[4], &id, "reject", "off brand").await;
    assert_eq!(body["workflow"]["decision"], "rejected");
    let (status, detail) = status_of(&app, &id).await;
    assert_eq!(status, "CANCELLED");
    let decided = detail["audit"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["event"] == "decided")
        .unwrap();
    assert_eq!(
        decided["reason"],
        "rejected by the veto of council_rules_member_4"
    );

    // A required member's abstention rejects at once: approval can no longer be reached.
    let id = proposed(&app, "council_rules").await;
    let (_, body) = app.vote(&members[0], &id, "abstain", "").await;
    assert_eq!(body["workflow"]["decision"], "rejected");
}

async fn rules_name_only_members_and_stay_consistent_with_them(backend: Backend) {
    let mut app = TestApp::start(backend).await;
    let (status, body) = app
        .send(
            Method::POST,
            "/api/councils",
            "admin",
            Some(
                json!({"id": "council_odd", "name": "Odd", "domains": ["odd"],
                "members": ["user_b", "user_c"], "veto": ["user_council_lead"]}),
            ),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["details"][0]["field"], "veto");
    let members = council(
        &mut app,
        "council_kept",
        "kept",
        json!({"required": ["council_kept_member_1"]}),
    )
    .await;
    // Replacing the members without the required one must say what to do.
    let (status, body) = app
        .send(
            Method::PUT,
            "/api/councils/council_kept/members",
            "admin",
            Some(json!({"members": [members[0], members[2]]})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["details"][0]["field"], "required");
    let (status, body) = app
        .send(
            Method::PUT,
            "/api/councils/council_kept/members",
            "admin",
            Some(json!({"members": [members[0], members[2]], "required": [members[2]]})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["required"], json!([members[2]]));
}

async fn a_delegate_votes_for_a_member_away_and_the_audit_names_both(backend: Backend) {
    let mut app = TestApp::start(backend).await;
    let members = council(&mut app, "council_away", "away", json!({})).await;
    let (away, delegate) = (&members[0], "user_viewer_member");
    // The delegate sits on no council of its own.
    let (status, created) = app
        .send(
            Method::POST,
            "/api/principals",
            "admin",
            Some(json!({"id": delegate, "kind": "user", "roles": ["member"]})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    app.tokens
        .insert(delegate.into(), created["token"].as_str().unwrap().into());
    let ends_at = (chrono::Utc::now() + chrono::Duration::days(7)).to_rfc3339();

    for (body, field) in [
        (json!({"delegate": away, "ends_at": ends_at}), "delegate"),
        (
            json!({"delegate": "agent_jermaine_super_action", "ends_at": ends_at}),
            "delegate",
        ),
        (
            json!({"delegate": delegate, "ends_at": "2020-01-01T00:00:00Z"}),
            "ends_at",
        ),
    ] {
        let (status, refused) = app
            .send(
                Method::PUT,
                "/api/principals/me/delegation",
                away,
                Some(body),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
        assert_eq!(refused["error"]["details"][0]["field"], field);
    }
    let id = proposed(&app, "council_away").await;
    // Before the delegation the delegate cannot vote.
    let (status, _) = app.vote(delegate, &id, "approve", "for a colleague").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, set) = app
        .send(
            Method::PUT,
            "/api/principals/me/delegation",
            away,
            Some(json!({"delegate": delegate, "ends_at": ends_at})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{set}");
    assert_eq!(set["delegate_id"], delegate);
    let (status, shown) = app
        .send(Method::GET, "/api/principals/me/delegation", away, None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(shown["principal_id"], away.as_str());

    let (status, cast) = app.vote(delegate, &id, "approve", "for a colleague").await;
    assert_eq!(status, StatusCode::CREATED, "{cast}");
    assert_eq!(cast["vote"]["user_id"], away.as_str());
    assert_eq!(cast["vote"]["cast_by"], delegate);
    // The member's own vote is now refused, and so is the delegate's second.
    let (status, _) = app.vote(away, &id, "reject", "changed my mind").await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, _) = app.vote(delegate, &id, "approve", "again").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "no member left to vote for");
    let (_, detail) = status_of(&app, &id).await;
    let voted = detail["audit"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["event"] == "voted")
        .unwrap();
    assert_eq!(voted["actor"], delegate);
    assert!(
        voted["reason"]
            .as_str()
            .unwrap()
            .starts_with(&format!("approve for {away} as their delegate")),
        "{voted}"
    );

    // Ended, the delegation gives the delegate no vote.
    let (status, _) = app
        .send(Method::DELETE, "/api/principals/me/delegation", away, None)
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let next = proposed(&app, "council_away").await;
    let (status, _) = app
        .vote(delegate, &next, "approve", "for a colleague")
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = app
        .send(Method::GET, "/api/principals/me/delegation", away, None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

/// A delegate's queue holds the workflows of the member who delegated to them, with a form
/// that votes for that member.
async fn a_delegate_finds_the_members_workflows_in_their_queue_and_votes_for_them(
    backend: Backend,
) {
    let mut app = TestApp::start(backend).await;
    let members = council(&mut app, "council_far", "far", json!({})).await;
    let ends_at = (chrono::Utc::now() + chrono::Duration::days(3)).to_rfc3339();
    let (status, _) = app
        .send(
            Method::PUT,
            "/api/principals/me/delegation",
            &members[0],
            Some(json!({"delegate": "user_viewer_delegate", "ends_at": ends_at})),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "no such member yet"
    );
    let (status, _) = app
        .send(
            Method::PUT,
            "/api/principals/me/delegation",
            &members[0],
            Some(json!({"delegate": "user_c", "ends_at": ends_at})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let id = proposed(&app, "council_far").await;
    let dash = crate::dashboard::Dash::signed_in(&app, "user_c").await;
    let queue = dash.page("/dashboard/queue").await;
    assert_eq!(
        queue.attrs("form.vote-form input[name=on_behalf_of]", "value"),
        [members[0].clone()]
    );
    assert!(
        queue
            .texts(".my-vote")
            .join(" ")
            .contains("as their delegate")
    );
    let csrf = queue
        .attrs("form.vote-form input[name=csrf]", "value")
        .remove(0);
    let voted = dash
        .post(
            &format!("/dashboard/workflows/{id}/vote"),
            &[
                ("csrf", &csrf),
                ("vote", "approve"),
                ("reason", "as agreed before she left"),
                ("return_to", "/dashboard/queue"),
                ("on_behalf_of", &members[0]),
            ],
        )
        .await;
    assert_eq!(voted.status, StatusCode::SEE_OTHER, "{}", voted.body);
    let detail = app.get(&format!("/api/workflows/{id}")).await;
    assert_eq!(detail["votes"][0]["user_id"], members[0].as_str());
    assert_eq!(detail["votes"][0]["cast_by"], "user_c");
}

on_both_backends!(
    a_delegate_finds_the_members_workflows_in_their_queue_and_votes_for_them,
    a_required_member_must_approve_and_a_veto_rejects_at_once,
    rules_name_only_members_and_stay_consistent_with_them,
    a_delegate_votes_for_a_member_away_and_the_audit_names_both,
);
