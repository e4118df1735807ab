//! The dashboard pages as people read them: names where ids stood, one timeline per
//! workflow, no JSON outside a disclosure, and `/` sending each kind of client where it
//! belongs.

use std::time::Duration;

use reqwest::{StatusCode, header};
use scraper::{ElementRef, Selector};
use serde_json::{Value, json};

use crate::dashboard::{Dash, Page};
use crate::helpers::{Backend, TestApp};
use crate::on_both_backends;

fn bakery() -> Value {
    json!({
        "site_name": "Mill Street Bakery",
        "site_description": "Sourdough, rye and pastries baked every morning on Mill Street.",
        "brand_colors": {"primary": "#3b2314", "secondary": "#fff8ef", "accent": "#c8553d"},
        "about": "We have baked on Mill Street since 1998, with flour from the mill next door.",
        "services": [{"name": "Wholesale", "description": "Daily bread for cafés.", "price": "from $40"}],
        "contact_email": "hello@millstreet.example"
    })
}

/// Every `pre` (where JSON is printed) of `page` that is not inside a `details`.
fn json_outside_disclosures(page: &Page) -> Vec<String> {
    let html = page.html();
    let pre = Selector::parse("pre").unwrap();
    html.select(&pre)
        .filter(|e| {
            !e.ancestors()
                .filter_map(ElementRef::wrap)
                .any(|a| a.value().name() == "details")
        })
        .map(|e| e.text().collect::<String>().chars().take(80).collect())
        .collect()
}

async fn the_pages_speak_in_names_and_print_json_only_behind_a_disclosure(backend: Backend) {
    let app = TestApp::start(backend).await;
    let workers = app.workers(2);
    let done = app.approved("website.create_basic_site", bakery()).await;
    app.wait_for(&done, "COMPLETED", Duration::from_secs(30))
        .await;
    workers.shutdown().await;
    let pending = app.propose("website.create_basic_site", bakery()).await;
    let pending = pending["id"].as_str().unwrap();

    let dash = Dash::signed_in(&app, "user_c").await;
    let detail = dash.page(&format!("/dashboard/workflows/{done}")).await;
    assert_eq!(detail.texts("h1"), ["Mill Street Bakery"]);
    let facts = detail.texts("dl.facts dd").join(" | ");
    for name in ["Media Council", "Completed"] {
        assert!(facts.contains(name), "{name} in {facts}");
    }
    assert!(!facts.contains("council_media"), "{facts}");
    // One timeline: proposed, two votes with their reasons, the decision, eight steps.
    let timeline = detail.texts(".timeline-events > li");
    assert!(
        timeline[0].contains("proposed it to Media Council"),
        "{timeline:?}"
    );
    let votes: Vec<&String> = timeline.iter().filter(|t| t.contains(" voted ")).collect();
    assert_eq!(votes.len(), 2, "{timeline:?}");
    assert!(
        votes[0].contains("user_council_lead voted approve: looks right"),
        "{votes:?}"
    );
    assert!(
        timeline
            .iter()
            .any(|t| t.starts_with("20") && t.contains("Decided: approved"))
    );
    assert_eq!(detail.texts(".timeline .step-status").len(), 8);
    assert!(
        timeline.last().unwrap().contains("Completed"),
        "{timeline:?}"
    );
    assert!(!detail.body.contains("PENDING → PENDING"));
    assert_eq!(detail.texts(".site-link a"), ["Open the deployed site"]);
    assert_eq!(
        detail.attrs("iframe.preview-frame", "src"),
        [format!("/previews/{done}/")]
    );

    let queue = dash.page("/dashboard/queue").await;
    assert_eq!(queue.texts("article.card h3"), ["Mill Street Bakery"]);
    assert_eq!(
        queue.attrs("article.card svg.swatch rect", "fill"),
        ["#3b2314", "#fff8ef", "#c8553d"]
    );
    assert_eq!(
        queue.attrs("iframe.preview-frame", "src"),
        [format!("/previews/{pending}/")]
    );
    assert!(queue.texts(".pages a").contains(&"About".to_owned()));
    assert!(queue.texts("fieldset.criteria label").len() >= 3);

    for path in [
        "/dashboard".to_owned(),
        "/dashboard/queue".to_owned(),
        "/dashboard/history".to_owned(),
        format!("/dashboard/workflows/{done}"),
        format!("/dashboard/workflows/{pending}"),
        "/dashboard/agents".to_owned(),
        "/dashboard/agents/agent_jermaine_super_action".to_owned(),
        "/dashboard/analytics".to_owned(),
    ] {
        let page = dash.page(&path).await;
        assert_eq!(
            json_outside_disclosures(&page),
            Vec::<String>::new(),
            "{path}"
        );
        assert!(
            page.body.len() < 100_000,
            "{path}: {} bytes",
            page.body.len()
        );
    }
}

async fn the_root_sends_a_browser_to_the_dashboard_and_a_client_to_an_index(backend: Backend) {
    let app = TestApp::start(backend).await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let browser = client
        .get(format!("{}/", app.url))
        .header(header::ACCEPT, "text/html,application/xhtml+xml,*/*;q=0.8")
        .send()
        .await
        .unwrap();
    assert_eq!(browser.status(), StatusCode::SEE_OTHER);
    assert_eq!(browser.headers()[header::LOCATION], "/dashboard");
    let index: Value = client
        .get(format!("{}/", app.url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(index["links"]["openapi"], "/api/openapi.json");
    assert_eq!(index["links"]["dashboard"], "/dashboard");
}

on_both_backends!(
    the_pages_speak_in_names_and_print_json_only_behind_a_disclosure,
    the_root_sends_a_browser_to_the_dashboard_and_a_client_to_an_index,
);
