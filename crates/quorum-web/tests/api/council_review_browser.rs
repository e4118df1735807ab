//! A council's review in headless Chromium, as two members do it: one opens the queue, sees
//! the site's name, its colours and the embedded preview, and approves from the card; the
//! other approves from the e-mail a real SMTP server received, confirming on the link's page.
//! The workflow then runs, and what it deploys is what was previewed. The new pages have no
//! serious accessibility finding at a phone's and a laptop's width. With
//! `QUORUM_REVIEW_SCREENSHOTS=1` the screenshots also go to docs/screenshots/.

use std::time::Duration;

use fantoccini::Locator;
use quorum_testkit::artifact_path;
use quorum_testkit::browser::Browser;
use reqwest::Method;
use serde_json::json;

use crate::dashboard_browser::{SOON, check_page, sign_in, until};
use crate::helpers::{Backend, TestApp};

fn bakery() -> serde_json::Value {
    json!({
        "site_name": "Mill Street Bakery",
        "site_description": "Sourdough, rye and pastries baked every morning on Mill Street.",
        "tagline": "Bread worth getting up for",
        "brand_colors": {"primary": "#3b2314", "secondary": "#fff8ef", "accent": "#c8553d"},
        "about": "We have baked on Mill Street since 1998, with flour from the mill next door. Every loaf rises overnight and goes into the oven before dawn.",
        "services": [
            {"name": "Wholesale", "description": "Daily bread for cafés and restaurants.", "price": "from $40 a week"},
            {"name": "Saturday classes", "description": "Three hours of sourdough for beginners.", "price": "$65"}
        ],
        "contact_email": "hello@millstreet.example"
    })
}

/// Where a screenshot goes: target/test-artifacts always, docs/screenshots on request.
async fn screenshot(browser: &Browser, file: &str) {
    browser
        .screenshot(artifact_path(format!("review/{file}")))
        .await;
    if std::env::var_os("QUORUM_REVIEW_SCREENSHOTS").is_some() {
        let docs = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/screenshots");
        browser.screenshot(docs.join(file)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_members_approve_from_the_queue_and_from_an_email_and_the_preview_is_deployed() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let Some(smtp) = quorum_testkit::smtp::SmtpServer::start() else {
        return;
    };
    let mailer = quorum_service::Mailer::new(&smtp.url(), "Quorum <quorum@example.com>").unwrap();
    let app = TestApp::start_configured(Backend::Sqlite, false, |q| q.with_mailer(mailer)).await;
    let (status, body) = app
        .send(
            Method::PUT,
            "/api/principals/me/notifications",
            "user_b",
            Some(json!({"email": "user.b@council.example", "mode": "immediate"})),
        )
        .await;
    assert_eq!(status, reqwest::StatusCode::OK, "{body}");
    let workers = app.workers(2);
    let created = app.propose("website.create_basic_site", bakery()).await;
    let id = created["id"].as_str().unwrap().to_owned();

    // The first member, in the queue: the site's name, its colours, the preview inside.
    sign_in(&browser, &app, "user_council_lead").await;
    for width in [1280, 375] {
        check_page(
            &browser,
            &app,
            "/dashboard/queue",
            &format!("queue-{width}"),
            width,
        )
        .await;
    }
    browser.set_viewport(1280, 1000).await;
    browser.goto(&format!("{}/dashboard/queue", app.url)).await;
    let title = browser
        .execute("return document.querySelector('article.card h3').textContent.trim();")
        .await;
    assert_eq!(title, json!("Mill Street Bakery"));
    let swatches = browser
        .execute("return Array.from(document.querySelectorAll('article.card svg.swatch rect')).map(r => r.getAttribute('fill'));")
        .await;
    assert_eq!(swatches, json!(["#3b2314", "#fff8ef", "#c8553d"]));
    until(
        &browser,
        "(() => { const f = document.querySelector('iframe.preview-frame'); \
          const d = f && f.contentDocument; \
          return d && d.body && d.body.innerText.includes('Preview — awaiting the council') \
            && d.body.innerText.includes('Bread worth getting up for'); })()",
        SOON,
        "the embedded preview showing the site",
    )
    .await;
    screenshot(&browser, "review-queue-1280.png").await;
    browser.set_viewport(375, 900).await;
    screenshot(&browser, "review-queue-375.png").await;
    browser.set_viewport(1280, 1000).await;

    // The preview on its own, banner and all, is as accessible as the site.
    for width in [1280, 375] {
        check_page(
            &browser,
            &app,
            &format!("/previews/{id}/"),
            &format!("preview-{width}"),
            width,
        )
        .await;
    }

    // Approve from the card.
    browser.goto(&format!("{}/dashboard/queue", app.url)).await;
    let client = browser.client();
    client
        .find(Locator::Css(&format!("#reason-{id}")))
        .await
        .unwrap()
        .send_keys("Warm, readable and on brand")
        .await
        .unwrap();
    client
        .find(Locator::Css("article.card form.vote-form button.approve"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    until(
        &browser,
        "document.querySelector('.flash-success') !== null",
        SOON,
        "the vote recorded",
    )
    .await;

    // The second member, from the e-mail: the link's page asks, the button votes.
    app.quorum
        .send_notices(quorum_domain::time::now())
        .await
        .unwrap();
    let received = smtp
        .wait_for("Subject: Your vote is needed: Mill Street Bakery", SOON)
        .await;
    let approve = received
        .lines()
        .find_map(|line| line.strip_prefix("Approve: "))
        .expect("an approve link")
        .trim()
        .to_owned();
    // Signed out, as a member reading mail elsewhere would be.
    client
        .find(Locator::Css(".who form button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    until(
        &browser,
        "location.pathname === '/dashboard/sign-in'",
        SOON,
        "signing out",
    )
    .await;
    let link_path = approve.strip_prefix(&app.url).unwrap().to_owned();
    for width in [1280, 375] {
        check_page(
            &browser,
            &app,
            &link_path,
            &format!("vote-link-{width}"),
            width,
        )
        .await;
    }
    browser.set_viewport(375, 900).await;
    browser.goto(&approve).await;
    screenshot(&browser, "vote-link-375.png").await;
    let detail = app.get(&format!("/api/workflows/{id}")).await;
    assert_eq!(
        detail["votes"].as_array().unwrap().len(),
        1,
        "opening the link voted nothing"
    );
    client
        .find(Locator::Css("form.vote-form button.approve"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    until(
        &browser,
        "document.querySelector('h1') && document.querySelector('h1').textContent.includes('Your vote was recorded')",
        SOON,
        "the vote by link",
    )
    .await;

    // Approved by both, it runs; the deployment is the preview, file for file.
    let done = app
        .wait_for(&id, "COMPLETED", Duration::from_secs(60))
        .await;
    workers.shutdown().await;
    let previewed = app.store.preview_files(&id).await.unwrap();
    let live = app
        .store
        .live_deployment("mill-street-bakery")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(live.files, previewed);
    assert_eq!(done["votes"][1]["user_id"], "user_b");

    sign_in(&browser, &app, "user_b").await;
    for width in [1280, 375] {
        check_page(
            &browser,
            &app,
            &format!("/dashboard/workflows/{id}"),
            &format!("workflow-{width}"),
            width,
        )
        .await;
    }
    browser.set_viewport(1280, 1000).await;
    browser
        .goto(&format!("{}/dashboard/workflows/{id}", app.url))
        .await;
    screenshot(&browser, "review-workflow-1280.png").await;
    assert!(browser.console_errors().await.is_empty());
}

/// The settings page: a member chooses daily mail and names a delegate from the dashboard,
/// and the API sees both; the page passes axe at both widths.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_sets_mail_and_a_delegate_from_the_settings_page() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::start(Backend::Sqlite).await;
    sign_in(&browser, &app, "user_b").await;
    for width in [1280, 375] {
        check_page(
            &browser,
            &app,
            "/dashboard/settings",
            &format!("settings-{width}"),
            width,
        )
        .await;
    }
    browser.set_viewport(1280, 1000).await;
    browser
        .goto(&format!("{}/dashboard/settings", app.url))
        .await;
    let client = browser.client();
    client
        .find(Locator::Css("#email"))
        .await
        .unwrap()
        .send_keys("user.b@council.example")
        .await
        .unwrap();
    client
        .find(Locator::Css("#mode-daily"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    client
        .find(Locator::Css(
            "form[action='/dashboard/settings/notifications'] button",
        ))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    until(
        &browser,
        "document.querySelector('.flash-success') !== null",
        SOON,
        "saving mail",
    )
    .await;
    let (_, shown) = app
        .send(
            Method::GET,
            "/api/principals/me/notifications",
            "user_b",
            None,
        )
        .await;
    assert_eq!(shown["mode"], "daily");
    assert_eq!(shown["email"], "user.b@council.example");

    client
        .find(Locator::Css("#delegate"))
        .await
        .unwrap()
        .send_keys("user_c")
        .await
        .unwrap();
    let until_day = (chrono::Utc::now() + chrono::Duration::days(10))
        .format("%Y-%m-%d")
        .to_string();
    browser
        .execute(&format!(
            "document.getElementById('until').value = '{until_day}';"
        ))
        .await;
    client
        .find(Locator::Css(
            "form[action='/dashboard/settings/delegation'] button",
        ))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    until(
        &browser,
        "document.body.innerText.includes('votes for you until')",
        SOON,
        "naming a delegate",
    )
    .await;
    let (_, delegation) = app
        .send(Method::GET, "/api/principals/me/delegation", "user_b", None)
        .await;
    assert_eq!(delegation["delegate_id"], "user_c");
    screenshot(&browser, "settings-1280.png").await;
    assert!(browser.console_errors().await.is_empty());
}
