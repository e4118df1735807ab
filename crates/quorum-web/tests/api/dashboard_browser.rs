//! The dashboards in headless Chromium: a council member signs in, sees a workflow arrive
//! without reloading, approves it, and watches it run to completion; history filters and
//! pages; every page at a phone's and a laptop's width has no console error and no serious
//! accessibility violation. Screenshots go to target/test-artifacts/dashboard/.

use std::time::Duration;

use fantoccini::Locator;
use quorum_testkit::artifact_path;
use quorum_testkit::browser::Browser;
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{Backend, TestApp};

pub(crate) const SOON: Duration = Duration::from_secs(20);

/// Polls `script` (a JS expression) in the page until it is true; panics after `within`.
pub(crate) async fn create(app: &TestApp, type_id: &str, inputs: serde_json::Value) -> String {
    let created = app.propose(type_id, inputs).await;
    created["id"].as_str().unwrap().to_owned()
}

pub(crate) async fn until(browser: &Browser, script: &str, within: Duration, what: &str) {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        if browser.execute(&format!("return !!({script});")).await == json!(true) {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{what} did not happen within {within:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

pub(crate) async fn sign_in(browser: &Browser, app: &TestApp, who: &str) {
    let client = browser.client();
    browser
        .goto(&format!("{}/dashboard/sign-in", app.url))
        .await;
    client
        .find(Locator::Css("#token"))
        .await
        .unwrap()
        .send_keys(&app.tokens[who])
        .await
        .unwrap();
    client
        .find(Locator::Css("form.sign-in button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    until(
        browser,
        "location.pathname === '/dashboard'",
        SOON,
        "signing in",
    )
    .await;
}

/// Loads `path` at `width`, checks it like a person would, and keeps a screenshot.
pub(crate) async fn check_page(
    browser: &Browser,
    app: &TestApp,
    path: &str,
    name: &str,
    width: u32,
) {
    browser.set_viewport(width, 900).await;
    browser.goto(&format!("{}{path}", app.url)).await;
    let errors = browser.console_errors().await;
    assert!(errors.is_empty(), "{path} at {width}px: {errors:?}");
    let axe = browser.axe().await;
    if !axe.is_empty() {
        // Lesser findings do not fail the test, but a person should see them.
        eprintln!("{path} at {width}px, axe-core:\n{axe}");
    }
    let serious = axe.serious_or_critical();
    assert!(serious.is_empty(), "{path} at {width}px:\n{serious}");
    // Nothing wider than the screen: tables scroll inside their own regions.
    let fits = browser
        .execute("return document.documentElement.scrollWidth <= window.innerWidth;")
        .await;
    assert_eq!(fits, json!(true), "{path} scrolls sideways at {width}px");
    browser
        .screenshot(artifact_path(format!("dashboard/{name}-{width}.png")))
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_reviews_live_and_watches_an_approved_workflow_complete() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::start(Backend::Sqlite).await;
    app.register_steps(
        "test.quick",
        &[("prepare", "core.noop"), ("finish", "core.noop")],
        json!({}),
    )
    .await;
    let workers = app.workers(1);
    sign_in(&browser, &app, "user_council_lead").await;
    let client = browser.client();

    browser.goto(&format!("{}/dashboard/queue", app.url)).await;
    until(
        &browser,
        "document.getElementById('live-status').textContent.startsWith('Live')",
        SOON,
        "the event stream opening",
    )
    .await;
    browser
        .execute("window.notReloaded = true; return true;")
        .await;
    let id = create(&app, "test.quick", json!({})).await;
    let card = format!("document.getElementById('title-{id}')");
    until(
        &browser,
        &card,
        SOON,
        "the new workflow appearing in the queue",
    )
    .await;
    assert_eq!(
        browser.execute("return window.notReloaded === true;").await,
        json!(true),
        "no reload"
    );
    assert!(browser.console_errors().await.is_empty());

    // Approve from the queue; the page comes back with what happened.
    let approve = format!("form[action='/dashboard/workflows/{id}/vote'] button.approve");
    client
        .find(Locator::Css(&approve))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let flash = client
        .wait()
        .at_most(SOON)
        .for_element(Locator::Css(".flash-success"))
        .await
        .unwrap();
    let text = flash.text().await.unwrap();
    assert!(
        text.contains(&format!("Your approve vote on {id} was recorded")),
        "{text}"
    );

    // The second approval arrives through the API while the detail page is open.
    browser
        .goto(&format!("{}/dashboard/workflows/{id}", app.url))
        .await;
    until(
        &browser,
        "document.getElementById('live-status').textContent.startsWith('Live')",
        SOON,
        "the detail page going live",
    )
    .await;
    browser
        .execute("window.notReloaded = true; return true;")
        .await;
    let (status, body) = app.vote("user_b", &id, "approve", "fine by me").await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    until(
        &browser,
        "document.querySelector('[data-status=COMPLETED]')",
        SOON,
        "the page showing COMPLETED",
    )
    .await;
    assert_eq!(
        browser.execute("return window.notReloaded === true;").await,
        json!(true),
        "no reload"
    );
    let steps = browser
        .execute("return Array.from(document.querySelectorAll('.timeline .step-status')).map(e => e.textContent);")
        .await;
    assert_eq!(steps, json!(["succeeded", "succeeded"]));
    workers.shutdown().await;
    assert!(browser.console_errors().await.is_empty());
}

/// Without server-sent events the script polls every five seconds. A decided workflow's page
/// has no live region, so the script stops at once there; the test then gives the page a
/// region and runs the same script again in a browser without EventSource.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_event_source_the_queue_is_polled_every_five_seconds() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::start(Backend::Sqlite).await;
    let rejected = create(
        &app,
        "website.create_basic_site",
        json!({"site_name": "Old", "site_description": "x", "contact_email": "a@b.co"}),
    )
    .await;
    for member in ["user_b", "user_c"] {
        app.vote(member, &rejected, "reject", "not now").await;
    }
    sign_in(&browser, &app, "user_council_lead").await;
    browser
        .goto(&format!("{}/dashboard/workflows/{rejected}", app.url))
        .await;
    assert_eq!(
        browser
            .execute("return document.querySelector('[data-live-src]') === null;")
            .await,
        json!(true)
    );
    browser
        .execute(
            "window.EventSource = undefined;
             var region = document.getElementById('workflow-live');
             region.setAttribute('data-live-src', '/dashboard/queue?fragment=1');
             region.removeAttribute('data-live-workflow');
             region.setAttribute('data-live-all', 'true');
             var script = document.createElement('script');
             script.src = document.querySelector('script[src]').src + '&again';
             document.body.appendChild(script);
             return true;",
        )
        .await;
    until(
        &browser,
        "document.getElementById('live-status').textContent.includes('every 5 seconds')",
        SOON,
        "polling starting",
    )
    .await;
    let id = create(
        &app,
        "website.create_basic_site",
        json!({"site_name": "New", "site_description": "x", "contact_email": "a@b.co"}),
    )
    .await;
    let started = tokio::time::Instant::now();
    until(
        &browser,
        &format!("document.getElementById('title-{id}')"),
        SOON,
        "the poll bringing the new workflow",
    )
    .await;
    assert!(
        started.elapsed() < Duration::from_secs(8),
        "within a poll: {:?}",
        started.elapsed()
    );
    assert!(browser.console_errors().await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_dashboard_page_is_accessible_at_phone_and_laptop_widths() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::start(Backend::Sqlite).await;
    let mut ids = Vec::new();
    for i in 0..55 {
        let agent = if i % 4 == 0 {
            "commerce_agent"
        } else {
            "agent_jermaine_super_action"
        };
        let council = if i % 4 == 0 {
            "council_commerce"
        } else {
            "council_media"
        };
        let inputs = json!({"inputs": {"site_name": format!("Site {i}"), "site_description": "<b>Local</b> & friendly", "contact_email": "hi@example.com"}});
        let w = app.create_for(agent, council, inputs).await;
        ids.push(w["id"].as_str().unwrap().to_owned());
    }
    app.vote("user_b", &ids[54], "approve", "Clear brief").await;
    app.vote("user_c", &ids[53], "reject", "Needs a contact page")
        .await;
    app.vote("user_b", &ids[53], "reject", "Agreed").await;

    // The sign-in page, before there is a session.
    for width in [1280, 375] {
        check_page(&browser, &app, "/dashboard/sign-in", "sign-in", width).await;
    }
    sign_in(&browser, &app, "user_council_lead").await;
    let pages = [
        ("/dashboard".to_owned(), "overview"),
        ("/dashboard/queue".to_owned(), "queue"),
        ("/dashboard/history".to_owned(), "history"),
        (format!("/dashboard/workflows/{}", ids[54]), "detail"),
        (
            format!("/dashboard/workflows/{}", ids[53]),
            "detail-rejected",
        ),
        ("/dashboard/agents".to_owned(), "agents"),
        (
            "/dashboard/agents/agent_jermaine_super_action".to_owned(),
            "agent",
        ),
        ("/dashboard/analytics".to_owned(), "analytics"),
    ];
    for width in [1280, 375] {
        for (path, name) in &pages {
            check_page(&browser, &app, path, name, width).await;
        }
    }

    // History: filter with the form, then page with the links.
    browser.set_viewport(1280, 900).await;
    let client = browser.client();
    browser
        .goto(&format!("{}/dashboard/history", app.url))
        .await;
    client
        .find(Locator::Css("#council_id"))
        .await
        .unwrap()
        .select_by_value("council_commerce")
        .await
        .unwrap();
    client
        .find(Locator::Css("form.filters button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    until(
        &browser,
        "location.search.includes('council_id=council_commerce')",
        SOON,
        "filtering",
    )
    .await;
    let rows = browser
        .execute("return document.querySelectorAll('tbody tr').length;")
        .await;
    assert_eq!(rows, json!(14));
    browser
        .goto(&format!("{}/dashboard/history", app.url))
        .await;
    let rows = browser
        .execute("return document.querySelectorAll('tbody tr').length;")
        .await;
    assert_eq!(rows, json!(50));
    client
        .find(Locator::Css("a[rel=next]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    until(
        &browser,
        "location.search.includes('cursor=')",
        SOON,
        "the next page",
    )
    .await;
    let rows = browser
        .execute("return document.querySelectorAll('tbody tr').length;")
        .await;
    assert_eq!(rows, json!(5));
    browser
        .screenshot(artifact_path("dashboard/history-page-2-1280.png"))
        .await;
    client
        .find(Locator::Css("a[rel=prev]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    until(
        &browser,
        "!location.search.includes('cursor=')",
        SOON,
        "the first page again",
    )
    .await;

    // Signing out is a form too, and lands on the sign-in page.
    client
        .find(Locator::Css(".who button"))
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
    browser.goto(&format!("{}/dashboard/queue", app.url)).await;
    until(
        &browser,
        "location.pathname === '/dashboard/sign-in'",
        SOON,
        "the queue asking to sign in",
    )
    .await;
    assert!(browser.console_errors().await.is_empty());
}

/// The README's screenshots, over a year of demo history: not part of the suite (it writes
/// into docs/ when QUORUM_README_SCREENSHOTS is set). Run with
/// `QUORUM_README_SCREENSHOTS=1 cargo test -p quorum-web --test api readme -- --ignored`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "refreshes the README's screenshots on request"]
async fn readme_screenshots_of_the_queue_and_analytics() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::start(Backend::Sqlite).await;
    quorum_service::demo::ensure_directory(&app.quorum)
        .await
        .unwrap();
    quorum_service::demo::load(&app.quorum, 3_000, 1_000, 42, |_| {})
        .await
        .unwrap();
    for name in ["Codex Digital Studios", "Harbor Bakery", "Northwind Clinic"] {
        let inputs = json!({"site_name": name, "site_description": "A new website for the spring launch.", "contact_email": "hello@example.com"});
        create(&app, "website.create_basic_site", inputs).await;
    }
    sign_in(&browser, &app, "user_council_lead").await;
    let target = |file: &str| match std::env::var("QUORUM_README_SCREENSHOTS") {
        Ok(_) => std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../docs/screenshots")
            .join(file),
        Err(_) => artifact_path(format!("dashboard/readme-{file}")),
    };
    for (path, file, width) in [
        ("/dashboard/queue", "queue-1280.png", 1280),
        ("/dashboard/analytics", "analytics-1280.png", 1280),
        ("/dashboard/queue", "queue-375.png", 375),
    ] {
        browser.set_viewport(width, 900).await;
        browser.goto(&format!("{}{path}", app.url)).await;
        browser.screenshot(target(file)).await;
    }
}
