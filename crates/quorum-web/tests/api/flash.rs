//! Flash messages are sealed with the signing key in the database: one server shows what
//! another set, a restarted server opens what was sealed before, a rotation keeps old messages
//! opening while new ones use the new key, and an altered or long-expired one is not shown.
//! Beneath them, the keys themselves open a sealed value only unchanged and for its purpose.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::Duration;
use quorum_service::Quorum;
use quorum_store::SigningKey;
use reqwest::{Method, StatusCode};

use crate::dashboard::{Dash, Page, cookie_value};
use crate::helpers::{ADMIN_TOKEN, Backend, TestApp};

crate::on_both_backends!(
    a_flash_set_by_one_server_is_shown_by_another,
    a_flash_sealed_before_a_restart_is_shown_after_it,
    after_a_rotation_old_flashes_still_open_and_new_ones_use_the_new_key,
    an_altered_forged_or_long_expired_flash_is_not_shown,
    a_sealed_value_opens_only_unchanged_and_for_its_purpose,
);

const SIGNED_OUT: &str = "You are signed out.";

/// Signs `who` in at `base` and out again; returns the flash cookie sign-out set.
async fn sign_out_flash(app: &TestApp, base: &str, who: &str) -> String {
    let mut dash = Dash::at(base);
    let page = dash.sign_in(&app.tokens[who]).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    dash.session = Some(cookie_value(&page.set_cookie("quorum_session").unwrap()));
    let csrf = dash.csrf("/dashboard").await;
    let out = dash.post("/dashboard/sign-out", &[("csrf", &csrf)]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER, "{}", out.body);
    cookie_value(&out.set_cookie("quorum_flash").expect("a flash cookie"))
}

/// The sign-in page at `base` as a browser holding `flash` sees it.
async fn sign_in_page(base: &str, flash: &str) -> Page {
    let page = Dash::at(base)
        .request(
            Method::GET,
            "/dashboard/sign-in",
            None,
            &[("quorum_flash", flash)],
        )
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    page
}

async fn shows(base: &str, flash: &str, message: &str) -> bool {
    let alerts = sign_in_page(base, flash).await.texts(".flash").join(" ");
    alerts.contains(message)
}

/// The id of the key a sealed value names.
fn key_of(flash: &str) -> &str {
    flash.split('.').next().unwrap()
}

async fn a_flash_set_by_one_server_is_shown_by_another(backend: Backend) {
    let app = TestApp::start(backend).await;
    let second = app.second_server(ADMIN_TOKEN).await;

    // The message after a vote, set by the first server, on the second server's queue page.
    let w = app
        .create_website("agent_jermaine_super_action", "Acme")
        .await;
    let id = w["id"].as_str().unwrap();
    let here = Dash::signed_in(&app, "user_council_lead").await;
    let csrf = here.csrf("/dashboard/queue").await;
    let voted = here
        .post(
            &format!("/dashboard/workflows/{id}/vote"),
            &[("csrf", &csrf), ("vote", "reject")],
        )
        .await;
    assert_eq!(voted.status, StatusCode::SEE_OTHER);
    let flash = cookie_value(&voted.set_cookie("quorum_flash").unwrap());
    let mut there = Dash::at(&second);
    there.session = here.session.clone();
    let queue = there
        .request(
            Method::GET,
            "/dashboard/queue",
            None,
            &[("quorum_flash", &flash)],
        )
        .await;
    assert_eq!(queue.status, StatusCode::OK);
    let alert = queue.texts("[role=alert]").join(" ");
    assert!(alert.contains("Your vote was not recorded"), "{alert}");

    // The message after signing out, set by the second server, on the first one's sign-in page.
    let flash = sign_out_flash(&app, &second, "user_b").await;
    assert!(shows(&app.url, &flash, SIGNED_OUT).await);
    assert_eq!(
        key_of(&flash),
        key_of(&sign_out_flash(&app, &app.url, "user_c").await),
        "one key for every server"
    );
}

async fn a_flash_sealed_before_a_restart_is_shown_after_it(backend: Backend) {
    let app = TestApp::start(backend).await;
    let flash = sign_out_flash(&app, &app.url, "user_council_lead").await;
    // A server started afterwards is the process after a restart: it has read no key yet.
    let restarted = app.second_server(ADMIN_TOKEN).await;
    assert!(shows(&restarted, &flash, SIGNED_OUT).await);
    assert_eq!(
        key_of(&sign_out_flash(&app, &restarted, "user_b").await),
        key_of(&flash),
        "the restarted server seals with the same key"
    );
}

async fn after_a_rotation_old_flashes_still_open_and_new_ones_use_the_new_key(backend: Backend) {
    let app = TestApp::start(backend).await;
    let old = sign_out_flash(&app, &app.url, "user_council_lead").await;

    // `quorum keys rotate` is another process over the same database.
    let rotated = Quorum::new(app.store.clone(), None, false)
        .keys()
        .rotate()
        .await
        .unwrap();
    assert_ne!(rotated.current, key_of(&old));
    assert_eq!(
        rotated
            .retired
            .iter()
            .map(|(id, _)| id.as_str())
            .collect::<Vec<_>>(),
        [key_of(&old)]
    );

    let after = app.second_server(ADMIN_TOKEN).await;
    let new = sign_out_flash(&app, &after, "user_b").await;
    assert_eq!(
        key_of(&new),
        rotated.current,
        "new messages use the new key"
    );
    assert!(
        shows(&after, &old, SIGNED_OUT).await,
        "the retired key still opens what it sealed"
    );
    // The first server read the keys before the rotation; a message naming a key it does not
    // know makes it read them again (at most once a second, so that forged ids cannot make
    // every request a database read).
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    assert!(shows(&app.url, &new, SIGNED_OUT).await);
    assert!(shows(&app.url, &old, SIGNED_OUT).await);
}

async fn an_altered_forged_or_long_expired_flash_is_not_shown(backend: Backend) {
    let app = TestApp::start(backend).await;
    let flash = sign_out_flash(&app, &app.url, "user_council_lead").await;
    assert!(shows(&app.url, &flash, SIGNED_OUT).await);
    let parts: Vec<&str> = flash.split('.').collect();
    let [key, payload, mac] = parts[..] else {
        panic!("key.payload.mac: {flash}")
    };
    let forged = URL_SAFE_NO_PAD.encode("error|Your account is locked. Call 555-0100.");
    let mut flipped = URL_SAFE_NO_PAD.decode(mac).unwrap();
    flipped[0] ^= 1;
    for altered in [
        format!("{key}.{forged}.{mac}"),
        format!("{key}.{payload}.{}", URL_SAFE_NO_PAD.encode(flipped)),
        format!("key_0000000000000.{payload}.{mac}"),
        format!("{key}.{payload}"),
        format!("{payload}.{mac}"),
    ] {
        let page = sign_in_page(&app.url, &altered).await;
        assert!(page.texts(".flash").is_empty(), "{altered}: {}", page.body);
    }

    // A key retired more than a session ago opens nothing. (A rotation back in time stands in
    // for the 12 hours; the first server would learn of it at its next read of the keys.)
    let long_ago = quorum_domain::time::now() - Duration::hours(13);
    let successor = SigningKey {
        id: "key_successor".into(),
        secret: vec![7; 32],
        created_at: long_ago,
        retired_at: None,
    };
    app.store
        .rotate_signing_key(&successor, long_ago - Duration::hours(12))
        .await
        .unwrap();
    assert!(!shows(&app.second_server(ADMIN_TOKEN).await, &flash, SIGNED_OUT).await);
}

async fn a_sealed_value_opens_only_unchanged_and_for_its_purpose(backend: Backend) {
    let app = TestApp::start(backend).await;
    let keys = app.quorum.keys();
    let sealed = keys.seal("flash", "success|Vote recorded.").await.unwrap();
    assert_eq!(
        keys.open("flash", &sealed).await.as_deref(),
        Some("success|Vote recorded.")
    );
    assert_eq!(keys.open("other", &sealed).await, None);
    let (id, rest) = sealed.split_once('.').unwrap();
    let (payload, mac) = rest.split_once('.').unwrap();
    let forged = URL_SAFE_NO_PAD.encode("error|Your session was revoked.");
    assert_eq!(
        keys.open("flash", &format!("{id}.{forged}.{mac}")).await,
        None
    );
    assert_eq!(keys.open("flash", &format!("{id}.{payload}")).await, None);
    assert_eq!(
        keys.open("flash", &format!("key_unknown.{payload}.{mac}"))
            .await,
        None
    );
}
