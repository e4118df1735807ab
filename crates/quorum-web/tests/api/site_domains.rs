//! Sites at their own domains, with Host headers on loopback: each claimed domain's root
//! serves its own site (pages, assets, robots.txt, sitemap, 404 page, contact form) with
//! canonical URLs at the domain and links that resolve there, the same site still works under
//! `/sites/{slug}/`, a domain belongs to one site, and other hosts get Quorum as before.

use std::collections::BTreeSet;
use std::time::Duration;

use reqwest::{Method, StatusCode, Url, header};
use scraper::{Html, Selector};
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp};

const WITHIN: Duration = Duration::from_secs(30);
const OWNER: &str = "agent_jermaine_super_action";
const OTHER: &str = "commerce_agent";

fn site(name: &str, domain: &str) -> Value {
    json!({
        "site_name": name,
        "site_description": "Fresh bread and honest plumbing, as the case may be",
        "contact_email": "hello@example.com",
        "about": "A family business since 1988.",
        "services": [{"name": "Repairs"}, {"name": "Bread"}],
        "posts": [{"title": "Open on Sundays", "date": "2026-10-04", "body": "From nine to one."}],
        "domain": domain,
    })
}

async fn propose(app: &TestApp, agent: &str, inputs: Value) -> (StatusCode, Value) {
    let body = json!({"workflow_type_id": "website.create_basic_site", "inputs": inputs});
    app.send(Method::POST, "/api/workflows", agent, Some(body))
        .await
}

async fn approve(app: &TestApp, id: &str) {
    for member in ["user_council_lead", "user_b"] {
        let (status, body) = app.vote(member, id, "approve", "on brand").await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
}

/// Proposes, approves and waits for each site; returns their details.
async fn build(app: &TestApp, sites: &[(&str, Value)]) -> Vec<Value> {
    let mut ids = Vec::new();
    for (agent, inputs) in sites {
        let (status, created) = propose(app, agent, inputs.clone()).await;
        assert_eq!(status, StatusCode::CREATED, "{created}");
        let id = created["id"].as_str().unwrap().to_owned();
        approve(app, &id).await;
        ids.push(id);
    }
    let mut details = Vec::new();
    for id in ids {
        details.push(app.wait_for(&id, "COMPLETED", WITHIN).await);
    }
    details
}

/// A client that shows redirects instead of following them.
fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// GET `path` from the test server as a request for `host` would reach it.
async fn get_at(app: &TestApp, host: &str, path: &str) -> reqwest::Response {
    client()
        .get(format!("{}{path}", app.url))
        .header(header::HOST, host)
        .send()
        .await
        .unwrap()
}

/// Every link, stylesheet, script and image of a page, resolved from `page_url`; not its
/// canonical URL, which names the domain wherever the page is served.
fn links(page_url: &str, html: &str) -> BTreeSet<String> {
    let base = Url::parse(page_url).unwrap();
    let doc = Html::parse_document(html);
    let mut found = BTreeSet::new();
    for (css, attribute) in [
        ("a[href]", "href"),
        ("link[href]:not([rel=canonical])", "href"),
        ("script[src]", "src"),
        ("img[src]", "src"),
    ] {
        for element in doc.select(&Selector::parse(css).unwrap()) {
            let target = element.value().attr(attribute).unwrap();
            if target.starts_with("mailto:") || target.starts_with('#') {
                continue;
            }
            let mut url = base.join(target).unwrap();
            url.set_fragment(None);
            found.insert(url.to_string());
        }
    }
    found
}

fn canonical(html: &str) -> String {
    Html::parse_document(html)
        .select(&Selector::parse("link[rel=canonical]").unwrap())
        .next()
        .and_then(|link| link.value().attr("href").map(str::to_owned))
        .unwrap_or_default()
}

/// Fetches every page reachable from the home page at `root` (an origin the test server
/// answers for, through `host`), following links; returns how many URLs answered.
async fn crawl(app: &TestApp, host: &str, root: &str) -> usize {
    let mut seen = BTreeSet::new();
    let mut todo = vec![root.to_owned()];
    while let Some(url) = todo.pop() {
        if !seen.insert(url.clone()) {
            continue;
        }
        let path = url
            .strip_prefix(root)
            .unwrap_or_else(|| panic!("{url} leaves {root}"));
        let response = get_at(
            app,
            host,
            &format!("{}{path}", Url::parse(root).unwrap().path()),
        )
        .await;
        assert_eq!(response.status(), StatusCode::OK, "{url} at {host}");
        let html = response
            .headers()
            .get(header::CONTENT_TYPE)
            .is_some_and(|kind| kind.to_str().unwrap().starts_with("text/html"));
        let body = response.text().await.unwrap();
        if html {
            todo.extend(links(&url, &body).into_iter().filter(|l| !seen.contains(l)));
        }
    }
    seen.len()
}

async fn two_sites_at_two_domains_are_each_served_at_their_own_root(backend: Backend) {
    let app = TestApp::start(backend).await;
    let workers = app.workers(2);
    let sites = [
        (
            "Green Leaf Bakery",
            "www.greenleaf.test",
            "green-leaf-bakery",
        ),
        (
            "Northside Plumbing",
            "northside-plumbing.test",
            "northside-plumbing",
        ),
    ];
    let details = build(
        &app,
        &[
            (OWNER, site(sites[0].0, sites[0].1)),
            (OTHER, site(sites[1].0, sites[1].1)),
        ],
    )
    .await;
    workers.shutdown().await;

    for ((name, domain, slug), detail) in sites.iter().zip(&details) {
        let outputs = &detail["outputs"];
        assert_eq!(
            outputs["verification"]["domain"],
            json!({"domain": domain, "home_and_robots_served": true}),
            "verify asked Quorum for the site as its domain"
        );
        let at = format!("http://{domain}");
        let home = get_at(&app, domain, "/").await;
        assert_eq!(home.status(), StatusCode::OK);
        let policy = home.headers()[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap();
        assert!(
            policy.contains("form-action 'self'"),
            "a site's policy: {policy}"
        );
        let html = home.text().await.unwrap();
        assert!(
            html.contains(&format!("<h1 id=\"page-title\">{name}</h1>")),
            "{html}"
        );
        assert_eq!(canonical(&html), format!("{at}/"));
        assert!(html.contains(&format!("<meta property=\"og:url\" content=\"{at}/\">")));

        let robots = get_at(&app, domain, "/robots.txt")
            .await
            .text()
            .await
            .unwrap();
        assert!(
            robots.contains(&format!("Sitemap: {at}/sitemap.xml")),
            "{robots}"
        );
        let sitemap = get_at(&app, domain, "/sitemap.xml")
            .await
            .text()
            .await
            .unwrap();
        assert!(
            sitemap.contains(&format!("<loc>{at}/about/</loc>")),
            "{sitemap}"
        );
        let about = get_at(&app, domain, "/about/").await.text().await.unwrap();
        assert_eq!(canonical(&about), format!("{at}/about/"));

        // Every link of every page resolves at the domain, and under /sites/{slug}/ too.
        let local = Url::parse(&app.url).unwrap();
        let local_host =
            local.host_str().unwrap().to_owned() + &format!(":{}", local.port().unwrap());
        assert!(crawl(&app, domain, &format!("{at}/")).await > 8);
        let mounted = format!("{}/sites/{slug}/", app.url);
        assert!(crawl(&app, &local_host, &mounted).await > 8);
        let under_sites = get_at(&app, &local_host, &format!("/sites/{slug}/")).await;
        assert_eq!(
            canonical(&under_sites.text().await.unwrap()),
            format!("{at}/"),
            "the copy under /sites/ names the domain as canonical"
        );

        // The host as browsers and proxies may write it is the same host.
        for spelled in [
            format!("{domain}:8080"),
            domain.to_uppercase(),
            format!("{domain}."),
        ] {
            let page = get_at(&app, &spelled, "/").await;
            assert_eq!(page.status(), StatusCode::OK, "{spelled}");
            assert_eq!(
                canonical(&page.text().await.unwrap()),
                format!("{at}/"),
                "{spelled}"
            );
        }

        // The domain's own 404 page, linking from its root; folders without their slash
        // redirect at the root.
        let missing = get_at(&app, domain, "/no/such/page/").await;
        assert_eq!(missing.status(), StatusCode::NOT_FOUND);
        let missing = missing.text().await.unwrap();
        assert!(missing.contains(name), "the site's own 404 page");
        assert!(missing.contains("<link rel=\"stylesheet\" href=\"/assets/main.css\">"));
        let folder = get_at(&app, domain, "/about").await;
        assert_eq!(folder.status(), StatusCode::PERMANENT_REDIRECT);
        assert_eq!(folder.headers()[header::LOCATION], "/about/");

        // Quorum's own paths are not served on a site's host.
        for path in [
            "/api/workflows",
            "/api/openapi.json",
            "/dashboard",
            "/healthz",
        ] {
            let answer = get_at(&app, domain, path).await;
            assert_eq!(answer.status(), StatusCode::NOT_FOUND, "{path} at {domain}");
        }
        let post = client()
            .post(format!("{}/api/workflows", app.url))
            .header(header::HOST, *domain)
            .bearer_auth(&app.tokens[OWNER])
            .json(&json!({"workflow_type_id": "website.create_basic_site", "inputs": {}}))
            .send()
            .await
            .unwrap();
        assert!(post.status().is_client_error(), "{}", post.status());

        // The contact form posts at the domain, and the answer is the site's page.
        let answer = client()
            .post(format!("{}/contact", app.url))
            .header(header::HOST, *domain)
            .header(header::ACCEPT, "text/html")
            .form(&[
                ("name", "Ana"),
                ("email", "ana@example.com"),
                ("message", format!("Hello {name}").as_str()),
                ("website", ""),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), StatusCode::OK);
        let answer = answer.text().await.unwrap();
        assert!(
            answer.contains("Your message has been received."),
            "{answer}"
        );
        assert!(answer.contains(&format!("<span class=\"brand-name\">{name}</span>")));
        let messages = app.get(&format!("/api/sites/{slug}/messages")).await;
        assert!(
            messages
                .as_array()
                .unwrap()
                .iter()
                .any(|m| m["message"] == format!("Hello {name}")),
            "{messages:#}"
        );
        let record = app.get(&format!("/api/sites/{slug}")).await;
        assert_eq!(record["domain"], *domain);
    }

    // Any other host gets Quorum as before.
    for host in ["unknown.test", "localhost", "127.0.0.1"] {
        let document = get_at(&app, host, "/api/openapi.json").await;
        assert_eq!(document.status(), StatusCode::OK, "{host}");
        let bakery = get_at(&app, host, "/sites/green-leaf-bakery/").await;
        assert_eq!(bakery.status(), StatusCode::OK, "{host}");
    }
    let unknown_root = get_at(&app, "unknown.test", "/no/such/page/").await;
    assert_eq!(unknown_root.status(), StatusCode::NOT_FOUND);
    let body: Value = unknown_root.json().await.unwrap();
    assert_eq!(body["error"]["code"], "not_found", "Quorum's own answer");
}

async fn a_domain_belongs_to_one_site_until_its_site_lets_it_go(backend: Backend) {
    let app = TestApp::start(backend).await;
    let workers = app.workers(1);
    let domain = "www.greenleaf.test";
    build(&app, &[(OWNER, site("Green Leaf Bakery", domain))]).await;

    // Another site may not claim it, whoever proposes it: the refusal names the holder.
    for agent in [OTHER, OWNER] {
        let (status, refused) = propose(&app, agent, site("Green Leaf Rival", domain)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
        let detail = &refused["error"]["details"][0];
        assert_eq!(detail["field"], "inputs.domain");
        let message = refused["error"]["message"].as_str().unwrap();
        assert!(
            message.contains("green-leaf-bakery") && message.contains(OWNER),
            "{message}"
        );
    }
    // Host names are lowercase names, not addresses, without a port.
    for bad in [
        "WWW.Greenleaf.test",
        "127.0.0.1",
        "greenleaf.test:8080",
        "localhost",
    ] {
        let (status, refused) = propose(&app, OWNER, site("Elsewhere", bad)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {refused}");
    }
    // The site's own next deployment keeps it.
    let mut again = site("Green Leaf Bakery", domain);
    again["site_description"] = json!("Sourdough, every morning");
    let (status, created) = propose(&app, OWNER, again).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    approve(&app, created["id"].as_str().unwrap()).await;
    app.wait_for(created["id"].as_str().unwrap(), "COMPLETED", WITHIN)
        .await;
    let home = get_at(&app, domain, "/").await.text().await.unwrap();
    assert!(home.contains("Sourdough, every morning"));

    // Two sites' workflows that both name a free domain both pass creation; the first to
    // deploy takes it, and the other's deploy fails for good, saying why.
    let contested = "www.contested.test";
    let first = propose(&app, OWNER, site("First Bakery", contested))
        .await
        .1;
    let second = propose(&app, OTHER, site("Second Bakery", contested))
        .await
        .1;
    approve(&app, first["id"].as_str().unwrap()).await;
    app.wait_for(first["id"].as_str().unwrap(), "COMPLETED", WITHIN)
        .await;
    approve(&app, second["id"].as_str().unwrap()).await;
    let failed = app
        .wait_for(second["id"].as_str().unwrap(), "FAILED", WITHIN)
        .await;
    let error = failed["error"].as_str().unwrap_or_default();
    assert!(
        error.contains("www.contested.test belongs to the site first-bakery"),
        "{failed:#}"
    );
    assert_eq!(
        app.send(Method::GET, "/api/sites/second-bakery", "admin", None)
            .await
            .0,
        StatusCode::NOT_FOUND,
        "nothing of the refused deploy is live"
    );

    // A deployment of the site without the domain lets it go: the host is Quorum's again.
    let (status, created) = propose(
        &app,
        OWNER,
        json!({
            "site_name": "Green Leaf Bakery",
            "site_description": "Sourdough, every morning",
            "contact_email": "hello@example.com",
        }),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    approve(&app, created["id"].as_str().unwrap()).await;
    app.wait_for(created["id"].as_str().unwrap(), "COMPLETED", WITHIN)
        .await;
    workers.shutdown().await;
    let released = get_at(&app, domain, "/api/openapi.json").await;
    assert_eq!(released.status(), StatusCode::OK);
    assert_eq!(
        app.get("/api/sites/green-leaf-bakery").await["domain"],
        Value::Null
    );
    let (status, created) = propose(&app, OTHER, site("Green Leaf Rival", domain)).await;
    assert_eq!(status, StatusCode::CREATED, "now free: {created}");
}

/// A claim made through one server is seen by another within the cache's bound.
async fn another_server_routes_a_new_domain_within_a_second(backend: Backend) {
    let app = TestApp::start(backend).await;
    let second = app.second_server(crate::helpers::ADMIN_TOKEN).await;
    let host = "www.acme.test";
    let before = client()
        .get(format!("{second}/api/openapi.json"))
        .header(header::HOST, host)
        .send()
        .await
        .unwrap();
    assert_eq!(before.status(), StatusCode::OK, "not claimed yet: Quorum");
    let files: std::collections::BTreeMap<String, Vec<u8>> =
        [("index.html".to_owned(), b"<h1>Acme</h1>".to_vec())].into();
    let sites = app.quorum.site_store();
    sites
        .keep_files(files.values().cloned().collect())
        .await
        .unwrap();
    sites
        .publish(quorum_steps::SiteDeployment {
            id: "deploy_acme".into(),
            slug: "acme".into(),
            workflow_id: "wf_acme".into(),
            site_name: "Acme".into(),
            contact_email: "owner@example.com".into(),
            domain: Some(host.into()),
            files,
        })
        .await
        .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(3);
    loop {
        let home = client()
            .get(format!("{second}/"))
            .header(header::HOST, host)
            .send()
            .await
            .unwrap();
        // Until it routes the host, the server answers `/` with its own index.
        if home.status() == StatusCode::OK && home.text().await.unwrap() == "<h1>Acme</h1>" {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the second server never routed {host}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

crate::on_both_backends!(
    two_sites_at_two_domains_are_each_served_at_their_own_root,
    a_domain_belongs_to_one_site_until_its_site_lets_it_go,
    another_server_routes_a_new_domain_within_a_second,
);
