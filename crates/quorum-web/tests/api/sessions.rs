//! Sessions end when they should, everywhere: a kept cookie after sign-out, another browser
//! of the same token, a second server over the same database, a changed admin token, an
//! admin's revocation of a principal's tokens, and expiry.

use quorum_service::auth::{admin_principal, hash_token};
use quorum_store::DashboardSession;
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::dashboard::Dash;
use crate::helpers::{ADMIN_TOKEN, Backend, TestApp};

crate::on_both_backends!(
    a_session_cookie_kept_after_sign_out_is_refused,
    signing_out_ends_every_session_of_the_same_token_and_no_other,
    a_session_works_on_every_server_and_signing_out_on_one_ends_it_on_the_other,
    changing_the_admin_token_ends_the_admins_sessions,
    revoking_a_principals_tokens_ends_its_api_token_and_its_dashboard_sessions,
    only_an_admin_revokes_tokens_and_only_of_a_principal_that_exists,
    an_expired_session_is_refused,
);

/// Whether `dash` is signed in: the overview answers, or it is sent to sign in.
async fn signed_in(dash: &Dash) -> bool {
    let page = dash.get("/dashboard").await;
    match page.status {
        StatusCode::OK => true,
        StatusCode::SEE_OTHER => {
            assert!(
                page.location().starts_with("/dashboard/sign-in"),
                "{}",
                page.location()
            );
            false
        }
        other => panic!("GET /dashboard: {other} {}", page.body),
    }
}

async fn sign_out(dash: &Dash) {
    let csrf = dash.csrf("/dashboard").await;
    let out = dash.post("/dashboard/sign-out", &[("csrf", &csrf)]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER, "{}", out.body);
    assert_eq!(out.location(), "/dashboard/sign-in");
}

async fn a_session_cookie_kept_after_sign_out_is_refused(backend: Backend) {
    let app = TestApp::start(backend).await;
    let w = app
        .create_website("agent_jermaine_super_action", "Acme")
        .await;
    let id = w["id"].as_str().unwrap();
    let dash = Dash::signed_in(&app, "user_council_lead").await;
    let csrf = dash.csrf("/dashboard/queue").await;
    sign_out(&dash).await;

    // The browser was told to forget the cookie; one that kept it is signed out all the same.
    let page = dash.get("/dashboard/queue").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(
        page.location(),
        "/dashboard/sign-in?next=%2Fdashboard%2Fqueue"
    );
    let vote = dash
        .post(
            &format!("/dashboard/workflows/{id}/vote"),
            &[("vote", "approve"), ("reason", "kept"), ("csrf", &csrf)],
        )
        .await;
    assert_eq!(vote.status, StatusCode::SEE_OTHER);
    assert!(vote.location().starts_with("/dashboard/sign-in"));
    let detail = app.get(&format!("/api/workflows/{id}")).await;
    assert_eq!(detail["votes"], json!([]), "the kept cookie voted");
}

async fn signing_out_ends_every_session_of_the_same_token_and_no_other(backend: Backend) {
    let app = TestApp::start(backend).await;
    let laptop = Dash::signed_in(&app, "user_b").await;
    let phone = Dash::signed_in(&app, "user_b").await;
    let colleague = Dash::signed_in(&app, "user_c").await;
    // The same principal signed in with a second token of its own.
    let second_token = app
        .quorum
        .create_token(&admin_principal(), "user_b")
        .await
        .unwrap();
    let mut other_token = Dash::new(&app);
    let page = other_token.sign_in(&second_token).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    other_token.session = Some(crate::dashboard::cookie_value(
        &page.set_cookie("quorum_session").unwrap(),
    ));
    assert_ne!(
        laptop.session, phone.session,
        "each sign-in is its own session"
    );

    sign_out(&laptop).await;
    assert!(!signed_in(&laptop).await);
    assert!(
        !signed_in(&phone).await,
        "the token's other session ended too"
    );
    assert!(
        signed_in(&colleague).await,
        "another principal's session lives"
    );
    assert!(
        signed_in(&other_token).await,
        "a session of another token lives"
    );
    // The API token itself is not revoked by signing out.
    let (status, _) = app
        .send(Method::GET, "/api/principals/me", "user_b", None)
        .await;
    assert_eq!(status, StatusCode::OK);
}

async fn a_session_works_on_every_server_and_signing_out_on_one_ends_it_on_the_other(
    backend: Backend,
) {
    let app = TestApp::start(backend).await;
    let second = app.second_server(ADMIN_TOKEN).await;
    let here = Dash::signed_in(&app, "user_council_lead").await;
    let mut there = Dash::at(&second);
    there.session = here.session.clone();
    let page = there.page("/dashboard").await;
    assert!(page.body.contains("user_council_lead"), "{}", page.body);
    assert_eq!(
        there.csrf("/dashboard").await,
        here.csrf("/dashboard").await,
        "one session, one CSRF token, whichever server renders the form"
    );

    sign_out(&there).await;
    assert!(!signed_in(&there).await);
    assert!(
        !signed_in(&here).await,
        "signed out on the first server too"
    );
}

async fn changing_the_admin_token_ends_the_admins_sessions(backend: Backend) {
    let app = TestApp::start(backend).await;
    let admin = Dash::signed_in(&app, "admin").await;
    assert!(signed_in(&admin).await);
    // A server started with the same admin token accepts the session …
    let mut same = Dash::at(&app.second_server(ADMIN_TOKEN).await);
    same.session = admin.session.clone();
    assert!(signed_in(&same).await);
    // … one restarted with a new admin token does not.
    let mut changed = Dash::at(&app.second_server("a-new-admin-token-9876543210").await);
    changed.session = admin.session.clone();
    assert!(!signed_in(&changed).await);
}

async fn revoking_a_principals_tokens_ends_its_api_token_and_its_dashboard_sessions(
    backend: Backend,
) {
    let app = TestApp::start(backend).await;
    let second = app.second_server(ADMIN_TOKEN).await;
    let revoked = Dash::signed_in(&app, "user_b").await;
    let mut revoked_there = Dash::at(&second);
    revoked_there.session = revoked.session.clone();
    let untouched = Dash::signed_in(&app, "user_c").await;
    assert!(signed_in(&revoked).await && signed_in(&revoked_there).await);

    let (status, body) = app
        .send(
            Method::DELETE,
            "/api/principals/user_b/tokens",
            "admin",
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body, json!({"principal_id": "user_b", "revoked_tokens": 1}));

    let (status, body) = app
        .send(Method::GET, "/api/principals/me", "user_b", None)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(body["error"]["code"], "unauthorized");
    assert!(!signed_in(&revoked).await);
    assert!(!signed_in(&revoked_there).await, "on every server");
    assert!(signed_in(&untouched).await);
    let (status, _) = app
        .send(Method::GET, "/api/principals/me", "user_c", None)
        .await;
    assert_eq!(status, StatusCode::OK);

    // Nothing is left to revoke; a new token brings the principal back.
    let (status, body) = app
        .send(
            Method::DELETE,
            "/api/principals/user_b/tokens",
            "admin",
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["revoked_tokens"], 0);
    let token = app
        .quorum
        .create_token(&admin_principal(), "user_b")
        .await
        .unwrap();
    let (status, _) = app
        .send(Method::GET, "/api/principals/me", &token, None)
        .await;
    assert_eq!(status, StatusCode::OK);
}

async fn only_an_admin_revokes_tokens_and_only_of_a_principal_that_exists(backend: Backend) {
    let app = TestApp::start(backend).await;
    for (who, status) in [
        ("user_b", StatusCode::FORBIDDEN),
        ("agent_jermaine_super_action", StatusCode::FORBIDDEN),
        ("", StatusCode::UNAUTHORIZED),
    ] {
        let (got, body) = app
            .send(Method::DELETE, "/api/principals/user_c/tokens", who, None)
            .await;
        assert_eq!(got, status, "{who}: {body}");
        assert!(body["error"]["message"].is_string(), "{body}");
    }
    let (status, _) = app
        .send(Method::GET, "/api/principals/me", "user_c", None)
        .await;
    assert_eq!(
        status,
        StatusCode::OK,
        "a refused revocation revokes nothing"
    );

    for id in ["nobody", "admin"] {
        let (status, body) = app
            .send(
                Method::DELETE,
                &format!("/api/principals/{id}/tokens"),
                "admin",
                None,
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{id}: {body}");
        assert_eq!(body["error"]["code"], "not_found");
    }
    let (status, _) = app
        .send(Method::GET, "/api/principals/me", "admin", None)
        .await;
    assert_eq!(status, StatusCode::OK);
}

async fn an_expired_session_is_refused(backend: Backend) {
    let app = TestApp::start(backend).await;
    let now = quorum_domain::time::now();
    let row = |id: &str, expires_in: chrono::Duration| DashboardSession {
        id_hash: hash_token(id),
        principal_id: "user_b".into(),
        token_hash: hash_token(&app.tokens["user_b"]),
        csrf: format!("csrf-{id}"),
        created_at: now - chrono::Duration::hours(13),
        expires_at: now + expires_in,
    };
    app.store
        .create_session(&row("still-live", chrono::Duration::hours(1)))
        .await
        .unwrap();
    app.store
        .create_session(&row("expired", chrono::Duration::seconds(-1)))
        .await
        .unwrap();
    let mut dash = Dash::new(&app);
    dash.session = Some("still-live".into());
    assert!(signed_in(&dash).await);
    dash.session = Some("expired".into());
    assert!(!signed_in(&dash).await);
}
