//! Members told of workflows awaiting them, by e-mail (a real SMTP server) or the outbox, and
//! the one-click vote links those carry: a GET never votes, the POST votes once, and a link
//! that can no longer vote says why.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::dashboard::Dash;
use crate::helpers::{Backend, TestApp};
use crate::on_both_backends;

const MEMBERS: [&str; 3] = ["user_council_lead", "user_b", "user_c"];

fn address(member: &str) -> String {
    format!("{}@council.example", member.replace('_', "."))
}

async fn subscribe(app: &TestApp, member: &str, mode: &str) {
    let (status, body) = app
        .send(
            Method::PUT,
            "/api/principals/me/notifications",
            member,
            Some(json!({"email": address(member), "mode": mode})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

fn bakery() -> Value {
    json!({
        "site_name": "Mill Street Bakery",
        "site_description": "Sourdough, rye and pastries baked every morning on Mill Street.",
        "contact_email": "hello@millstreet.example"
    })
}

/// The mail kept for `member`, newest first.
async fn outbox(app: &TestApp, member: &str) -> Vec<Value> {
    let body = app
        .get(&format!("/api/outbox?to={}", address(member)))
        .await;
    body.as_array().unwrap().clone()
}

/// The link after `label: ` in a message.
fn link(body: &str, label: &str) -> String {
    body.lines()
        .find_map(|line| line.strip_prefix(&format!("{label}: ")))
        .unwrap_or_else(|| panic!("no {label} link in {body}"))
        .trim()
        .to_owned()
}

/// The path of an absolute URL on the test server.
fn path_of<'a>(app: &TestApp, url: &'a str) -> &'a str {
    url.strip_prefix(&app.url).unwrap_or(url)
}

async fn members_are_told_and_vote_once_from_the_message(backend: Backend) {
    let app = TestApp::start(backend).await;
    for member in MEMBERS {
        subscribe(&app, member, "immediate").await;
    }
    let created = app.propose("website.create_basic_site", bakery()).await;
    let id = created["id"].as_str().unwrap();
    let now = quorum_domain::time::now();
    assert_eq!(app.quorum.send_notices(now).await.unwrap(), 3);
    assert_eq!(
        app.quorum.send_notices(now).await.unwrap(),
        0,
        "each notice goes once"
    );
    let mail = outbox(&app, "user_b").await;
    assert_eq!(mail.len(), 1);
    let body = mail[0]["body"].as_str().unwrap();
    assert_eq!(
        mail[0]["subject"],
        "Your vote is needed: Mill Street Bakery"
    );
    assert!(
        body.contains("Mill Street Bakery — Create Basic Website"),
        "{body}"
    );
    let preview = link(body, "Preview");
    assert!(
        preview.contains(&format!("/previews/{id}/?token=")),
        "{preview}"
    );
    let approve = link(body, "Approve");
    let reject = link(body, "Reject");

    // Opening the link, as a mail scanner would, votes on nothing.
    let dash = Dash::new(&app);
    for _ in 0..2 {
        let page = dash.get(path_of(&app, &approve)).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        assert!(page.body.contains("Approve Mill Street Bakery?"));
        assert_eq!(page.headers["cache-control"], "no-store");
    }
    let detail = app.get(&format!("/api/workflows/{id}")).await;
    assert_eq!(
        detail["votes"].as_array().unwrap().len(),
        0,
        "a GET never votes"
    );

    // A rejection needs its reason; the link survives the refusal.
    let page = dash.post(path_of(&app, &reject), &[("reason", " ")]).await;
    assert_eq!(
        page.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        page.body
    );
    let page = dash
        .post(
            path_of(&app, &approve),
            &[("reason", "The menu reads well")],
        )
        .await;
    assert_eq!(page.status, StatusCode::CREATED, "{}", page.body);
    assert!(page.body.contains("Your vote was recorded"));
    let detail = app.get(&format!("/api/workflows/{id}")).await;
    assert_eq!(detail["votes"][0]["user_id"], "user_b");
    assert_eq!(detail["votes"][0]["reason"], "The menu reads well");

    // Twice, or the member's other link: refused, and why.
    for url in [&approve, &reject] {
        for page in [
            dash.get(path_of(&app, url)).await,
            dash.post(path_of(&app, url), &[("reason", "again")]).await,
        ] {
            assert_eq!(page.status, StatusCode::GONE, "{}", page.body);
            assert!(page.body.contains("used already"), "{}", page.body);
        }
    }

    // Another member's link, in a browser signed in as someone else.
    let lead_mail = outbox(&app, "user_council_lead").await;
    let lead_approve = link(lead_mail[0]["body"].as_str().unwrap(), "Approve");
    let signed_in = Dash::signed_in(&app, "user_c").await;
    let page = signed_in
        .post(path_of(&app, &lead_approve), &[("reason", "")])
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN, "{}", page.body);
    assert!(page.body.contains("sent to user_council_lead"));

    // Decided, the remaining links vote on nothing.
    let page = dash
        .post(path_of(&app, &lead_approve), &[("reason", "")])
        .await;
    assert_eq!(page.status, StatusCode::CREATED, "{}", page.body);
    let c_mail = outbox(&app, "user_c").await;
    let c_approve = link(c_mail[0]["body"].as_str().unwrap(), "Approve");
    let page = dash.get(path_of(&app, &c_approve)).await;
    assert_eq!(page.status, StatusCode::GONE);
    assert!(page.body.contains("The vote is over"), "{}", page.body);

    // A made-up token is not a link.
    let page = dash.get("/vote/not-a-token").await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
}

async fn a_link_dies_at_the_voting_deadline(backend: Backend) {
    let mut app = TestApp::start(backend).await;
    let members = app
        .council(
            "council_timed",
            "timed",
            3,
            json!({"voting_window_hours": 1}),
        )
        .await;
    for member in &members {
        subscribe(&app, member, "immediate").await;
    }
    let created = app
        .create_for("agent_jermaine_super_action", "council_timed", json!({}))
        .await;
    let id = created["id"].as_str().unwrap();
    let now = quorum_domain::time::now();
    app.quorum.send_notices(now).await.unwrap();
    let body = outbox(&app, &members[0]).await[0]["body"]
        .as_str()
        .unwrap()
        .to_owned();
    let token = link(&body, "Approve")
        .rsplit('/')
        .next()
        .unwrap()
        .to_owned();
    let later = now + chrono::Duration::hours(2);
    let refusal = app.quorum.vote_link(&token, None, later).await.unwrap();
    assert!(
        matches!(refusal, Err(quorum_service::LinkRefusal::Expired(_))),
        "{refusal:?}"
    );
    // Within the window it would vote.
    let open = app.quorum.vote_link(&token, None, now).await.unwrap();
    assert!(open.is_ok());
    assert_eq!(open.unwrap().detail.workflow.id, id);
}

async fn a_daily_member_gets_one_digest_and_a_member_who_wants_none_gets_nothing(backend: Backend) {
    let app = TestApp::start(backend).await;
    subscribe(&app, "user_b", "daily").await;
    subscribe(&app, "user_c", "none").await;
    let first = app.propose("website.create_basic_site", bakery()).await;
    let mut other = bakery();
    other["site_name"] = json!("Rye and Barley");
    let second = app.propose("website.create_basic_site", other).await;
    let now = quorum_domain::time::now();
    app.quorum.send_notices(now).await.unwrap();
    assert!(
        outbox(&app, "user_b").await.is_empty(),
        "held for the digest"
    );
    assert!(outbox(&app, "user_c").await.is_empty());
    let digest_at = (now + chrono::Duration::days(1))
        .date_naive()
        .and_hms_opt(8, 0, 0)
        .unwrap()
        .and_utc();
    app.quorum.send_notices(digest_at).await.unwrap();
    let mail = outbox(&app, "user_b").await;
    assert_eq!(mail.len(), 1, "{mail:?}");
    assert_eq!(mail[0]["subject"], "2 workflows await your vote");
    let body = mail[0]["body"].as_str().unwrap();
    for w in [&first, &second] {
        assert!(body.contains(w["id"].as_str().unwrap()), "{body}");
    }
    assert!(outbox(&app, "user_c").await.is_empty());
}

async fn notice_settings_are_checked(backend: Backend) {
    let app = TestApp::start(backend).await;
    for (who, body, status) in [
        (
            "user_b",
            json!({"email": "not an address", "mode": "daily"}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "user_b",
            json!({"email": "b@example.com", "mode": "hourly"}),
            StatusCode::BAD_REQUEST,
        ),
        (
            "agent_jermaine_super_action",
            json!({"email": "a@example.com", "mode": "daily"}),
            StatusCode::FORBIDDEN,
        ),
    ] {
        let (got, answer) = app
            .send(
                Method::PUT,
                "/api/principals/me/notifications",
                who,
                Some(body),
            )
            .await;
        assert_eq!(got, status, "{answer}");
    }
    let (status, _) = app
        .send(
            Method::GET,
            "/api/principals/me/notifications",
            "user_b",
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    subscribe(&app, "user_b", "daily").await;
    let (status, shown) = app
        .send(
            Method::GET,
            "/api/principals/me/notifications",
            "user_b",
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(shown["mode"], "daily");
}

/// Through a real SMTP server: the message arrives, its link opens the confirmation page,
/// and confirming votes.
async fn a_notice_reaches_a_real_smtp_server_and_its_link_votes(backend: Backend) {
    let Some(smtp) = quorum_testkit::smtp::SmtpServer::start() else {
        return;
    };
    let mailer = quorum_service::Mailer::new(&smtp.url(), "Quorum <quorum@example.com>").unwrap();
    let app = TestApp::start_configured(backend, false, |q| q.with_mailer(mailer)).await;
    subscribe(&app, "user_b", "immediate").await;
    let created = app.propose("website.create_basic_site", bakery()).await;
    let id = created["id"].as_str().unwrap();
    app.quorum
        .send_notices(quorum_domain::time::now())
        .await
        .unwrap();
    let received = smtp
        .wait_for(
            "Subject: Your vote is needed: Mill Street Bakery",
            Duration::from_secs(10),
        )
        .await;
    assert!(received.contains(&address("user_b")), "{received}");
    let approve = link(&received, "Approve");
    let dash = Dash::new(&app);
    let page = dash.get(path_of(&app, &approve)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let page = dash.post(path_of(&app, &approve), &[("reason", "")]).await;
    assert_eq!(page.status, StatusCode::CREATED, "{}", page.body);
    let detail = app.get(&format!("/api/workflows/{id}")).await;
    assert_eq!(detail["votes"][0]["user_id"], "user_b");
    assert!(outbox(&app, "user_b").await.is_empty(), "sent, not kept");
}

on_both_backends!(
    members_are_told_and_vote_once_from_the_message,
    a_link_dies_at_the_voting_deadline,
    a_daily_member_gets_one_digest_and_a_member_who_wants_none_gets_nothing,
    notice_settings_are_checked,
    a_notice_reaches_a_real_smtp_server_and_its_link_votes,
);
