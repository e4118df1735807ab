//! Council governance over HTTP: who may vote, how decisions fall, cancellation, hand-off,
//! membership changes and the expiry sweeper.

use chrono::Duration;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp};

crate::on_both_backends!(
    a_majority_of_a_council_of_four_approves_and_the_workflow_is_queued,
    each_vote_rule_is_enforced_with_its_status,
    a_rejection_cancels_the_workflow_with_decision_rejected,
    cancel_rules_follow_the_role_and_the_status,
    a_workflow_created_without_enqueue_is_queued_on_request_once,
    new_members_vote_only_on_workflows_created_after_the_change,
    two_concurrent_sweepers_expire_each_overdue_workflow_once,
    a_worker_accepts_only_an_approval_that_binds_what_was_voted_on,
);

async fn a_majority_of_a_council_of_four_approves_and_the_workflow_is_queued(backend: Backend) {
    let mut app = TestApp::start(backend).await;
    let members = app.council("council_four", "four", 4, json!({})).await;
    let w = app
        .create_for("agent_jermaine_super_action", "council_four", json!({}))
        .await;
    let id = w["id"].as_str().unwrap();
    let detail = app.get(&format!("/api/workflows/{id}")).await;
    assert_eq!(detail["electorate"].as_array().unwrap().len(), 4);
    assert_eq!(detail["review_criteria"][0], "Brand consistency");
    assert_eq!(detail["digest"].as_str().unwrap().len(), 64);
    for (i, (who, vote)) in [
        (&members[0], "approve"),
        (&members[1], "abstain"),
        (&members[2], "approve"),
    ]
    .into_iter()
    .enumerate()
    {
        let (status, body) = app.vote(who, id, vote, "looks right").await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        assert_eq!(body["vote"]["user_id"], who.as_str());
        assert_eq!(body["vote"]["vote"], vote);
        assert_eq!(
            body["workflow"]["decision"],
            Value::Null,
            "vote {i}: 3 of 4 are needed"
        );
    }
    let (status, body) = app.vote(&members[3], id, "approve", "yes").await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(body["workflow"]["decision"], "approved");
    assert_eq!(
        body["workflow"]["status"], "PENDING",
        "approved work waits for a worker"
    );
    assert!(body["workflow"]["queued_at"].is_string(), "{body}");
    let detail = app.get(&format!("/api/workflows/{id}")).await;
    assert_eq!(detail["votes"].as_array().unwrap().len(), 4);
    let events: Vec<&str> = detail["audit"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["event"].as_str().unwrap())
        .collect();
    assert_eq!(
        events,
        [
            "created",
            "reassigned",
            "voted",
            "voted",
            "voted",
            "voted",
            "decided"
        ]
    );
}

async fn each_vote_rule_is_enforced_with_its_status(backend: Backend) {
    let mut app = TestApp::start(backend).await;
    let members = app.council("council_three", "three", 3, json!({})).await;
    let w = app.create_for("agent_jermaine_super_action", "council_three", json!({}));
    let id = w.await["id"].as_str().unwrap().to_owned();
    let (status, body) = app
        .vote("agent_jermaine_super_action", &id, "approve", "mine")
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "agents do not vote: {body}");
    let (status, _) = app.vote("user_b", &id, "approve", "not my council").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "non-members do not vote");
    let (status, body) = app.vote(&members[0], &id, "reject", "").await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a rejection needs a reason"
    );
    assert_eq!(body["error"]["details"][0]["field"], "reason");
    let (status, _) = app.vote(&members[0], &id, "maybe", "?").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = app.vote(&members[0], &id, "approve", "fine").await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, body) = app.vote(&members[0], &id, "approve", "again").await;
    assert_eq!(status, StatusCode::CONFLICT, "one vote per member: {body}");
    let (status, _) = app.vote(&members[1], &id, "approve", "fine").await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, body) = app.vote(&members[2], &id, "reject", "too late").await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "no vote after the decision: {body}"
    );
    let (status, _) = app
        .vote(&members[2], "wf_000000000000", "approve", "x")
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn a_rejection_cancels_the_workflow_with_decision_rejected(backend: Backend) {
    let mut app = TestApp::start(backend).await;
    let members = app.council("council_two", "two", 2, json!({})).await;
    let id = app
        .create_for("agent_jermaine_super_action", "council_two", json!({}))
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (_, body) = app
        .vote(
            &members[0],
            &id,
            "reject",
            "The brand colours fail contrast",
        )
        .await;
    assert_eq!(
        body["workflow"]["status"], "CANCELLED",
        "two members, one rejection: a majority is out of reach"
    );
    assert_eq!(body["workflow"]["decision"], "rejected");
    let metrics = app
        .get("/api/workflows/metrics?council_id=council_two")
        .await;
    assert_eq!(metrics["status_distribution"]["CANCELLED"], 1);
    assert_eq!(metrics["status_distribution"]["PENDING"], 0);
}

async fn cancel_rules_follow_the_role_and_the_status(backend: Backend) {
    let mut app = TestApp::start(backend).await;
    let members = app.council("council_c", "c", 1, json!({})).await;
    let cancel = |who: &'static str, id: String, body: Option<Value>| {
        let app = &app;
        async move {
            app.send(
                Method::POST,
                &format!("/api/workflows/{id}/cancel"),
                who,
                body,
            )
            .await
        }
    };
    let id = app
        .create_for("agent_jermaine_super_action", "council_c", json!({}))
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        cancel("commerce_agent", id.clone(), None).await.0,
        StatusCode::FORBIDDEN,
        "another agent"
    );
    assert_eq!(
        cancel("user_council_lead", id.clone(), None).await.0,
        StatusCode::FORBIDDEN,
        "a member"
    );
    let (status, body) = cancel(
        "agent_jermaine_super_action",
        id.clone(),
        Some(json!({"reason": "brief changed"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "CANCELLED");
    assert_eq!(
        cancel("admin", id.clone(), None).await.0,
        StatusCode::CONFLICT,
        "already cancelled"
    );
    let (status, _) = app.vote(&members[0], &id, "approve", "late").await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "no vote on a cancelled workflow"
    );
    let detail = app.get(&format!("/api/workflows/{id}")).await;
    let last = detail["audit"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        (
            last["event"].as_str(),
            last["actor"].as_str(),
            last["reason"].as_str()
        ),
        (
            Some("cancelled"),
            Some("agent_jermaine_super_action"),
            Some("brief changed")
        )
    );

    let running = app
        .create_for("agent_jermaine_super_action", "council_c", json!({}))
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.force_status(
        &running,
        quorum_domain::WorkflowStatus::Pending,
        quorum_domain::WorkflowStatus::InProgress,
    )
    .await;
    assert_eq!(
        cancel("agent_jermaine_super_action", running.clone(), None)
            .await
            .0,
        StatusCode::FORBIDDEN,
        "only an admin stops a running workflow"
    );
    assert_eq!(
        cancel("admin", running.clone(), None).await.0,
        StatusCode::OK
    );
    let done = app
        .create_for("agent_jermaine_super_action", "council_c", json!({}))
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.force_status(
        &done,
        quorum_domain::WorkflowStatus::Pending,
        quorum_domain::WorkflowStatus::InProgress,
    )
    .await;
    app.force_status(
        &done,
        quorum_domain::WorkflowStatus::InProgress,
        quorum_domain::WorkflowStatus::Completed,
    )
    .await;
    assert_eq!(
        cancel("admin", done.clone(), None).await.0,
        StatusCode::CONFLICT,
        "a completed workflow stays completed"
    );
    let (status, _) = app.vote(&members[0], &done, "approve", "late").await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "no vote on a finished workflow"
    );
}

async fn a_workflow_created_without_enqueue_is_queued_on_request_once(backend: Backend) {
    let mut app = TestApp::start(backend).await;
    let members = app.council("council_q", "q", 1, json!({})).await;
    let id = app
        .create_for(
            "agent_jermaine_super_action",
            "council_q",
            json!({"enqueue": false}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = format!("/api/workflows/{id}/enqueue");
    assert_eq!(
        app.send(Method::POST, &path, "agent_jermaine_super_action", None)
            .await
            .0,
        StatusCode::CONFLICT,
        "not approved yet"
    );
    let (_, body) = app.vote(&members[0], &id, "approve", "ok").await;
    assert_eq!(body["workflow"]["decision"], "approved");
    assert_eq!(
        body["workflow"]["queued_at"],
        Value::Null,
        "enqueue: false waits"
    );
    assert_eq!(
        app.send(Method::POST, &path, "commerce_agent", None)
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    let (status, queued) = app
        .send(Method::POST, &path, "agent_jermaine_super_action", None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(queued["queued_at"].is_string());
    assert_eq!(
        app.send(Method::POST, &path, "admin", None).await.0,
        StatusCode::CONFLICT,
        "queued once"
    );
}

async fn new_members_vote_only_on_workflows_created_after_the_change(backend: Backend) {
    let mut app = TestApp::start(backend).await;
    let members = app.council("council_m", "m", 2, json!({})).await;
    let before = app
        .create_for("agent_jermaine_super_action", "council_m", json!({}))
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, council) = app
        .send(
            Method::PUT,
            "/api/councils/council_m/members",
            "admin",
            Some(json!({"members": ["user_b", "user_c"]})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{council}");
    assert_eq!(council["members"], json!(["user_b", "user_c"]));
    let after = app
        .create_for("agent_jermaine_super_action", "council_m", json!({}))
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        app.vote("user_b", &before, "approve", "x").await.0,
        StatusCode::FORBIDDEN,
        "not in the old electorate"
    );
    assert_eq!(
        app.vote(&members[0], &before, "approve", "x").await.0,
        StatusCode::CREATED,
        "the old electorate still votes"
    );
    assert_eq!(
        app.vote(&members[0], &after, "approve", "x").await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.vote("user_b", &after, "approve", "x").await.0,
        StatusCode::CREATED
    );
    let (status, _) = app
        .send(
            Method::PUT,
            "/api/councils/council_m/members",
            "admin",
            Some(json!({"members": ["ghost"]})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = app
        .send(
            Method::PUT,
            "/api/councils/council_m/members",
            "user_b",
            Some(json!({"members": ["user_b"]})),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = app
        .send(
            Method::PUT,
            "/api/councils/council_none/members",
            "admin",
            Some(json!({"members": ["user_b"]})),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn two_concurrent_sweepers_expire_each_overdue_workflow_once(backend: Backend) {
    let mut app = TestApp::start(backend).await;
    let members = app
        .council("council_w", "w", 3, json!({"voting_window_hours": 72}))
        .await;
    let mut ids = Vec::new();
    for _ in 0..20 {
        ids.push(
            app.create_for("agent_jermaine_super_action", "council_w", json!({}))
                .await["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    // One is decided in time; it must survive the sweep.
    app.vote(&members[0], &ids[0], "approve", "ok").await;
    app.vote(&members[1], &ids[0], "approve", "ok").await;
    let detail = app.get(&format!("/api/workflows/{}", ids[1])).await;
    assert!(detail["voting_deadline"].is_string());
    assert_eq!(
        app.quorum
            .expire_overdue(quorum_domain::time::now())
            .await
            .unwrap(),
        0,
        "nothing is due yet"
    );
    let later = quorum_domain::time::now() + Duration::hours(73);
    let other = quorum_service::Quorum::new(app.store.clone(), None, false);
    let (a, b) = tokio::join!(
        app.quorum.expire_overdue(later),
        other.expire_overdue(later)
    );
    assert_eq!(
        a.unwrap() + b.unwrap(),
        19,
        "each overdue workflow expires exactly once"
    );
    for id in &ids[1..] {
        let detail = app.get(&format!("/api/workflows/{id}")).await;
        assert_eq!(
            (detail["status"].as_str(), detail["decision"].as_str()),
            (Some("CANCELLED"), Some("expired"))
        );
        let expiries = detail["audit"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| a["event"] == "expired")
            .count();
        assert_eq!(expiries, 1, "{id}");
    }
    assert_eq!(
        app.get(&format!("/api/workflows/{}", ids[0])).await["decision"],
        "approved"
    );
}

async fn a_worker_accepts_only_an_approval_that_binds_what_was_voted_on(backend: Backend) {
    let mut app = TestApp::start(backend).await;
    let members = app.council("council_v", "v", 1, json!({})).await;
    let id = app
        .create_for("agent_jermaine_super_action", "council_v", json!({}))
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        matches!(
            app.quorum.verify_approval(&id).await,
            Err(quorum_service::ServiceError::Conflict(_))
        ),
        "not approved yet"
    );
    app.vote(&members[0], &id, "approve", "ok").await;
    app.quorum
        .verify_approval(&id)
        .await
        .expect("the approval binds the stored inputs");
}
