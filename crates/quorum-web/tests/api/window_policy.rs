//! A council's voting window: one reminder to each member who has not voted, and expiry that
//! cancels or escalates, exactly once however many servers sweep.

use serde_json::{Value, json};

use crate::helpers::{ADMIN_TOKEN, Backend, TestApp};
use crate::on_both_backends;

/// Another server's core over the same database: a second sweeper.
fn second_sweeper(app: &TestApp) -> quorum_service::Quorum {
    quorum_service::Quorum::new(app.store.clone(), Some(ADMIN_TOKEN), false)
}

async fn subscribe(app: &TestApp, member: &str) {
    let (status, body) = app
        .send(
            reqwest::Method::PUT,
            "/api/principals/me/notifications",
            member,
            Some(json!({"email": format!("{member}@council.example"), "mode": "immediate"})),
        )
        .await;
    assert_eq!(status, reqwest::StatusCode::OK, "{body}");
}

async fn outbox(app: &TestApp, member: &str) -> Vec<Value> {
    app.get(&format!("/api/outbox?to={member}@council.example"))
        .await
        .as_array()
        .unwrap()
        .clone()
}

async fn a_reminder_goes_once_to_each_member_who_has_not_voted(backend: Backend) {
    let mut app = TestApp::start(backend).await;
    let members = app
        .council(
            "council_reminded",
            "reminded",
            3,
            json!({"voting_window_hours": 48, "remind_hours_before": 24}),
        )
        .await;
    for member in &members {
        subscribe(&app, member).await;
    }
    let created = app
        .create_for("agent_jermaine_super_action", "council_reminded", json!({}))
        .await;
    let id = created["id"].as_str().unwrap();
    let now = quorum_domain::time::now();
    app.quorum.send_notices(now).await.unwrap();
    let (status, body) = app.vote(&members[0], id, "approve", "fine").await;
    assert_eq!(status, reqwest::StatusCode::CREATED, "{body}");
    assert_eq!(app.quorum.owe_reminders(now).await.unwrap(), 0, "too early");
    let near = now + chrono::Duration::hours(25);
    let other = second_sweeper(&app);
    let (a, b) = tokio::join!(app.quorum.owe_reminders(near), other.owe_reminders(near));
    assert_eq!(
        a.unwrap() + b.unwrap(),
        2,
        "one for each member who has not voted"
    );
    assert_eq!(app.quorum.owe_reminders(near).await.unwrap(), 0);
    let (a, b) = tokio::join!(app.quorum.send_notices(near), other.send_notices(near));
    assert_eq!(a.unwrap() + b.unwrap(), 2);
    for member in &members[1..] {
        let mail = outbox(&app, member).await;
        assert_eq!(
            mail.len(),
            2,
            "{member}: the notice, then one reminder: {mail:?}"
        );
        assert_eq!(mail[0]["subject"], "Reminder: your vote on Codex");
        assert!(
            mail[0]["body"]
                .as_str()
                .unwrap()
                .contains("You have not voted yet")
        );
    }
    assert_eq!(
        outbox(&app, &members[0]).await.len(),
        1,
        "the voter is not reminded"
    );
}

async fn escalation_hands_over_exactly_once_with_two_sweepers(backend: Backend) {
    let mut app = TestApp::start(backend).await;
    let seniors = app
        .council(
            "council_senior",
            "senior",
            3,
            json!({"voting_window_hours": 24}),
        )
        .await;
    let juniors = app
        .council(
            "council_junior",
            "junior",
            3,
            json!({"voting_window_hours": 1,
                   "on_expiry": {"action": "escalate", "to": "council_senior", "voting_window_hours": 24}}),
        )
        .await;
    let created = app
        .create_for("agent_jermaine_super_action", "council_junior", json!({}))
        .await;
    let id = created["id"].as_str().unwrap();
    let (status, _) = app.vote(&juniors[0], id, "approve", "fine by me").await;
    assert_eq!(status, reqwest::StatusCode::CREATED);

    let closed = quorum_domain::time::now() + chrono::Duration::hours(2);
    let other = second_sweeper(&app);
    let (a, b) = tokio::join!(
        app.quorum.expire_overdue(closed),
        other.expire_overdue(closed)
    );
    assert!(a.unwrap() + b.unwrap() >= 1);
    let detail = app.get(&format!("/api/workflows/{id}")).await;
    assert_eq!(detail["status"], "PENDING");
    assert_eq!(detail["assigned_council_id"], "council_senior");
    assert_eq!(detail["electorate"], json!(seniors));
    let escalations: Vec<&Value> = detail["audit"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["event"] == "reassigned" && a["actor"] == "system")
        .collect();
    assert_eq!(escalations.len(), 1, "handed over once: {escalations:?}");
    assert_eq!(escalations[0]["actor"], "system");
    assert!(
        escalations[0]["reason"]
            .as_str()
            .unwrap()
            .starts_with("escalated: council_junior's voting window closed"),
        "{escalations:?}"
    );
    let deadline =
        chrono::DateTime::parse_from_rfc3339(detail["voting_deadline"].as_str().unwrap()).unwrap();
    assert_eq!(
        deadline.timestamp(),
        (closed + chrono::Duration::hours(24)).timestamp()
    );

    // The juniors' vote stays on record but counts for nothing: two seniors decide.
    let (_, first) = app.vote(&seniors[0], id, "approve", "agreed").await;
    assert_eq!(first["workflow"]["decision"], Value::Null, "{first}");
    let (_, second) = app.vote(&seniors[1], id, "approve", "agreed").await;
    assert_eq!(second["workflow"]["decision"], "approved");
    let (status, _) = app.vote(&juniors[1], id, "approve", "late").await;
    assert_eq!(
        status,
        reqwest::StatusCode::FORBIDDEN,
        "the juniors no longer vote"
    );

    // Escalated once only: past the seniors' window, a workflow they leave undecided expires.
    let again = app
        .create_for("agent_jermaine_super_action", "council_junior", json!({}))
        .await;
    let again = again["id"].as_str().unwrap();
    app.quorum.expire_overdue(closed).await.unwrap();
    let later = closed + chrono::Duration::hours(30);
    app.quorum.expire_overdue(later).await.unwrap();
    let detail = app.get(&format!("/api/workflows/{again}")).await;
    assert_eq!(detail["status"], "CANCELLED");
    assert_eq!(detail["decision"], "expired");
}

async fn escalation_to_the_admins_lets_one_admin_decide(backend: Backend) {
    let mut app = TestApp::start(backend).await;
    app.council(
        "council_slow",
        "slow",
        3,
        json!({"voting_window_hours": 1,
               "on_expiry": {"action": "escalate", "to": "admins", "voting_window_hours": 12}}),
    )
    .await;
    let created = app
        .create_for("agent_jermaine_super_action", "council_slow", json!({}))
        .await;
    let id = created["id"].as_str().unwrap();
    let closed = quorum_domain::time::now() + chrono::Duration::hours(2);
    let other = second_sweeper(&app);
    let (a, b) = tokio::join!(
        app.quorum.expire_overdue(closed),
        other.expire_overdue(closed)
    );
    assert!(a.unwrap() + b.unwrap() >= 1);
    let detail = app.get(&format!("/api/workflows/{id}")).await;
    assert_eq!(detail["status"], "PENDING");
    assert_eq!(detail["assigned_council_id"], "council_slow");
    assert_eq!(detail["electorate"], json!(["admin"]));
    let escalations: Vec<&Value> = detail["audit"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["event"] == "reassigned" && a["actor"] == "system")
        .collect();
    assert_eq!(escalations.len(), 1, "{escalations:?}");
    assert!(
        escalations[0]["reason"]
            .as_str()
            .unwrap()
            .contains("the admins decide within 12 hours"),
        "{escalations:?}"
    );
    let (status, body) = app
        .vote("admin", id, "approve", "approved on the council's behalf")
        .await;
    assert_eq!(status, reqwest::StatusCode::CREATED, "{body}");
    assert_eq!(body["workflow"]["decision"], "approved");
}

async fn policies_are_checked(backend: Backend) {
    let app = TestApp::start(backend).await;
    for (extra, field) in [
        (json!({"remind_hours_before": 2}), "remind_hours_before"),
        (
            json!({"voting_window_hours": 2, "remind_hours_before": 2}),
            "remind_hours_before",
        ),
        (
            json!({"voting_window_hours": 2, "on_expiry": {"action": "escalate", "to": "council_nowhere", "voting_window_hours": 2}}),
            "on_expiry.to",
        ),
        (
            json!({"on_expiry": {"action": "escalate", "to": "council_media", "voting_window_hours": 2}}),
            "on_expiry",
        ),
    ] {
        let mut body =
            json!({"id": "council_new", "name": "New", "domains": ["new"], "members": ["user_b"]});
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        let (status, refused) = app
            .send(reqwest::Method::POST, "/api/councils", "admin", Some(body))
            .await;
        assert_eq!(
            status,
            reqwest::StatusCode::UNPROCESSABLE_ENTITY,
            "{refused}"
        );
        assert_eq!(refused["error"]["details"][0]["field"], field, "{refused}");
    }
}

on_both_backends!(
    a_reminder_goes_once_to_each_member_who_has_not_voted,
    escalation_hands_over_exactly_once_with_two_sweepers,
    escalation_to_the_admins_lets_one_admin_decide,
    policies_are_checked,
);
