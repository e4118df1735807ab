//! Previews: a website workflow's whole site, built when it is created, shown to those who
//! decide it under `/previews/{id}/`, bound to the vote, and deployed byte for byte.

use std::time::Duration;

use reqwest::{Method, StatusCode, header};
use serde_json::{Value, json};

use crate::helpers::{ADMIN_TOKEN, Backend, TestApp};
use crate::on_both_backends;

const WITHIN: Duration = Duration::from_secs(30);

fn inputs(name: &str) -> Value {
    json!({
        "site_name": name,
        "site_description": "Sourdough, rye and pastries baked every morning on Mill Street.",
        "tagline": "Bread worth getting up for",
        "about": "We have baked on Mill Street since 1998, with flour from the mill next door.",
        "services": [
            {"name": "Wholesale", "description": "Daily bread for cafés and restaurants."},
            {"name": "Classes", "description": "Saturday sourdough classes for beginners."}
        ],
        "contact_email": "hello@millstreet.example"
    })
}

/// Without redirects followed, so a link's answer can be read.
fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// The page as the site will serve it: the banner and its style, added at serve time, taken out.
fn without_banner(page: &str) -> String {
    let mut page = page.to_owned();
    for (open, close) in [
        ("<style>.quorum-preview", "</style>"),
        ("<aside class=\"quorum-preview\"", "</aside>"),
    ] {
        let start = page.find(open).expect("the preview's banner is there");
        let end = start + page[start..].find(close).unwrap() + close.len();
        page.replace_range(start..end, "");
    }
    page
}

async fn previews_are_built_at_creation_shown_to_the_council_and_deployed_as_previewed(
    backend: Backend,
) {
    let app = TestApp::start(backend).await;
    let (status, created) = app
        .send(
            Method::POST,
            "/api/workflows",
            "agent_jermaine_super_action",
            Some(json!({"workflow_type_id": "website.create_basic_site", "inputs": inputs("Mill Street Bakery")})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let id = created["id"].as_str().unwrap();
    let detail = app.get(&format!("/api/workflows/{id}")).await;
    let preview = &detail["preview"];
    let url = preview["url"].as_str().unwrap();
    assert_eq!(url, format!("{}/previews/{id}/", app.url));
    assert_eq!(preview["content_hash"].as_str().unwrap().len(), 64);

    // Nobody outside the decision sees it: anonymous, a viewer, another agent.
    let client = browser();
    let anonymous = client.get(url).send().await.unwrap();
    assert_eq!(anonymous.status(), StatusCode::FORBIDDEN);
    assert!(anonymous.text().await.unwrap().contains("council"));
    for outsider in ["user_viewer", "commerce_agent"] {
        let refused = client
            .get(url)
            .bearer_auth(&app.tokens[outsider])
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status(), StatusCode::FORBIDDEN, "{outsider}");
    }

    // A voter sees the site with the banner, not indexed, framable only by Quorum's pages.
    let page = client
        .get(url)
        .bearer_auth(&app.tokens["user_b"])
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let headers = page.headers().clone();
    assert_eq!(headers["x-robots-tag"], "noindex, nofollow");
    assert_eq!(headers[header::X_FRAME_OPTIONS], "SAMEORIGIN");
    let policy = headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
    assert!(policy.contains("frame-ancestors 'self'"), "{policy}");
    let home = page.text().await.unwrap();
    assert!(home.contains("Preview — awaiting the council"), "{home}");
    assert!(home.contains("Mill Street Bakery"));
    // Pages link relatively, so the preview's links stay in the preview.
    let about = client
        .get(format!("{url}about/"))
        .bearer_auth(&app.tokens["agent_jermaine_super_action"])
        .send()
        .await
        .unwrap();
    assert_eq!(about.status(), StatusCode::OK, "the creator sees it too");
    assert!(about.text().await.unwrap().contains("since 1998"));
    let css = client
        .get(format!("{url}assets/main.css"))
        .bearer_auth(ADMIN_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(css.status(), StatusCode::OK);
    assert_eq!(css.headers()["x-robots-tag"], "noindex, nofollow");
    let missing = client
        .get(format!("{url}no-such-page/"))
        .bearer_auth(ADMIN_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);

    // Approved and run, the deployment is the preview, file for file.
    let workers = app.workers(2);
    for member in ["user_council_lead", "user_b"] {
        let (status, body) = app.vote(member, id, "approve", "on brand").await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let done = app.wait_for(id, "COMPLETED", WITHIN).await;
    workers.shutdown().await;
    let previewed = app.store.preview_files(id).await.unwrap();
    let deployed = app
        .store
        .live_deployment("mill-street-bakery")
        .await
        .unwrap()
        .unwrap();
    assert!(previewed.len() > 10, "{previewed:?}");
    assert_eq!(deployed.files, previewed);
    let site_url = done["outputs"]["site_url"].as_str().unwrap();
    for path in ["", "about/", "contact/"] {
        let live = app
            .client
            .get(format!("{site_url}{path}"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let shown = client
            .get(format!("{url}{path}"))
            .bearer_auth(ADMIN_TOKEN)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(shown.contains("Preview — approved and deployed"), "{path}");
        assert_eq!(without_banner(&shown), live, "{path}");
    }
}

async fn a_preview_link_opens_the_preview_without_signing_in_and_only_that_one(backend: Backend) {
    let app = TestApp::start(backend).await;
    let first = app
        .propose("website.create_basic_site", inputs("Mill Street Bakery"))
        .await;
    let second = app
        .propose("website.create_basic_site", inputs("Rye and Barley"))
        .await;
    let (first, second) = (
        first["id"].as_str().unwrap(),
        second["id"].as_str().unwrap(),
    );
    let link = app.quorum.preview_link(first).await.unwrap();
    let token = link.split_once("?token=").unwrap().1;
    let client = browser();
    let opened = client.get(&link).send().await.unwrap();
    assert_eq!(opened.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        opened.headers()[header::LOCATION],
        format!("/previews/{first}/")
    );
    let cookie = opened.headers()[header::SET_COOKIE].to_str().unwrap();
    assert!(
        cookie.contains(&format!("Path=/previews/{first}/")),
        "{cookie}"
    );
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    let value = cookie.split(';').next().unwrap();
    let page = client
        .get(format!("{}/previews/{first}/about/", app.url))
        .header(header::COOKIE, value)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    // The same token opens no other workflow's preview, and an altered one opens nothing.
    for url in [
        format!("{}/previews/{second}/?token={token}", app.url),
        format!("{}/previews/{first}/?token={token}x", app.url),
    ] {
        let refused = client.get(&url).send().await.unwrap();
        assert_eq!(refused.status(), StatusCode::FORBIDDEN, "{url}");
    }
    let bare = client
        .get(format!("{}/previews/{second}/", app.url))
        .header(header::COOKIE, value)
        .send()
        .await
        .unwrap();
    assert_eq!(bare.status(), StatusCode::FORBIDDEN);
}

async fn a_type_without_a_preview_says_so_and_deploy_refuses_other_bytes(backend: Backend) {
    let app = TestApp::start(backend).await;
    app.register_steps("test.no_preview", &[("touch", "core.noop")], json!({}))
        .await;
    let plain = app.propose("test.no_preview", json!({})).await;
    let id = plain["id"].as_str().unwrap();
    let detail = app.get(&format!("/api/workflows/{id}")).await;
    assert_eq!(detail["preview"], Value::Null);
    let answer = browser()
        .get(format!("{}/previews/{id}/", app.url))
        .bearer_auth(ADMIN_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::NOT_FOUND);
    assert!(answer.text().await.unwrap().contains("no preview"));

    // A worker whose public URL is not the one the preview was built for would build other
    // pages (their canonical links): it must deploy nothing.
    let site = app
        .propose("website.create_basic_site", inputs("Mill Street Bakery"))
        .await;
    let id = site["id"].as_str().unwrap();
    let elsewhere = app.quorum.clone().with_step_env(quorum_steps::StepEnv {
        data_dir: app.data_dir.path().to_owned(),
        public_url: "https://sites.example.com".into(),
    });
    let workers = elsewhere.spawn_workers(quorum_service::WorkerConfig {
        concurrency: 1,
        lease: Duration::from_secs(2),
        poll: Duration::from_millis(50),
        grace: Duration::from_secs(10),
        name: "misconfigured".into(),
    });
    for member in ["user_council_lead", "user_b"] {
        let (status, body) = app.vote(member, id, "approve", "on brand").await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let failed = app.wait_for(id, "FAILED", WITHIN).await;
    workers.shutdown().await;
    let error = failed["error"].as_str().unwrap();
    assert!(
        error.contains("differs from the preview its council approved"),
        "{error}"
    );
    assert!(
        app.store
            .live_deployment("mill-street-bakery")
            .await
            .unwrap()
            .is_none()
    );
}

async fn the_digest_binds_the_preview(backend: Backend) {
    let app = TestApp::start(backend).await;
    let a = app
        .propose("website.create_basic_site", inputs("Mill Street Bakery"))
        .await;
    let b = app
        .propose("website.create_basic_site", inputs("Mill Street Bakery"))
        .await;
    let a = app
        .get(&format!("/api/workflows/{}", a["id"].as_str().unwrap()))
        .await;
    let b = app
        .get(&format!("/api/workflows/{}", b["id"].as_str().unwrap()))
        .await;
    // Equal inputs, but each site is its workflow's deployment: different previews, and so
    // different digests, each recomputable from the inputs and the preview.
    assert_ne!(a["preview"]["content_hash"], b["preview"]["content_hash"]);
    assert_ne!(a["digest"], b["digest"]);
    for w in [&a, &b] {
        let recomputed = quorum_domain::governance::digest(
            "website.create_basic_site",
            w["workflow_type_version"].as_i64().unwrap(),
            &w["inputs"],
            w["preview"]["content_hash"].as_str(),
        );
        assert_eq!(w["digest"], recomputed.as_str());
    }
}

on_both_backends!(
    previews_are_built_at_creation_shown_to_the_council_and_deployed_as_previewed,
    a_preview_link_opens_the_preview_without_signing_in_and_only_that_one,
    a_type_without_a_preview_says_so_and_deploy_refuses_other_bytes,
    the_digest_binds_the_preview,
);
