//! `website.create_basic_site` end to end: a council approves, workers build, deploy and
//! verify a real site, Quorum serves it, and its contact form reaches the outbox.

use std::time::Duration;

use reqwest::{Method, StatusCode, header};
use serde_json::{Value, json};

use crate::helpers::{ADMIN_TOKEN, Backend, TestApp};

const WITHIN: Duration = Duration::from_secs(30);

/// The seed's example inputs.
fn seed_inputs() -> Value {
    json!({
        "site_name": "Codex Digital Studios",
        "site_description": "AI-powered web development",
        "brand_colors": {"primary": "#1a1a1a"},
        "contact_email": "hello@codexdigital.app"
    })
}

/// The full content set of quorum-steps' fixture, a bakery with every field, without its
/// pictures: these tests upload none, and a site leaves out the pictures it lacks.
fn bakery_inputs() -> Value {
    let mut inputs: Value =
        serde_json::from_str(include_str!("../../../quorum-steps/fixtures/bakery.json")).unwrap();
    let fields = inputs.as_object_mut().unwrap();
    for picture in ["logo", "hero_image", "gallery"] {
        fields.remove(picture);
    }
    for member in fields["team"].as_array_mut().unwrap() {
        member.as_object_mut().unwrap().remove("photo");
    }
    inputs
}

async fn create(app: &TestApp, inputs: Value) -> (StatusCode, Value) {
    let body = json!({"workflow_type_id": "website.create_basic_site", "inputs": inputs});
    app.send(
        Method::POST,
        "/api/workflows",
        "agent_jermaine_super_action",
        Some(body),
    )
    .await
}

/// Creates a website workflow, has the council approve it and waits for it to complete.
async fn built(app: &TestApp, inputs: Value) -> Value {
    let (status, created) = create(app, inputs).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let id = created["id"].as_str().unwrap();
    for member in ["user_council_lead", "user_b"] {
        let (status, body) = app.vote(member, id, "approve", "on brand").await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    app.wait_for(id, "COMPLETED", WITHIN).await
}

async fn fetch(app: &TestApp, url: &str) -> reqwest::Response {
    app.client.get(url).send().await.unwrap()
}

async fn body(app: &TestApp, url: &str) -> String {
    fetch(app, url).await.text().await.unwrap()
}

async fn the_seed_example_becomes_a_live_verified_site(backend: Backend) {
    let app = TestApp::start(backend).await;
    let workers = app.workers(2);
    let detail = built(&app, seed_inputs()).await;
    workers.shutdown().await;

    let outputs = &detail["outputs"];
    let site_url = outputs["site_url"].as_str().unwrap();
    assert_eq!(
        site_url,
        format!("{}/sites/codex-digital-studios/", app.url)
    );
    let pages: Vec<&str> = outputs["pages_created"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    // The seed says nothing an About, Services or blog page could show: they are left out,
    // and the outputs say what would make them.
    assert_eq!(pages, [site_url.to_owned(), format!("{site_url}contact/")]);
    let missing: Vec<&str> = outputs["missing"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["field"].as_str().unwrap())
        .collect();
    for field in ["about", "services", "posts", "tagline", "contact.phone"] {
        assert!(missing.contains(&field), "{field} in {missing:?}");
    }
    assert_eq!(outputs["words_language"], "en");
    for asset in ["css", "js", "logo"] {
        assert!(
            outputs["asset_urls"][asset]
                .as_str()
                .unwrap()
                .starts_with(site_url)
        );
    }
    assert!(
        outputs["deployment_id"]
            .as_str()
            .unwrap()
            .starts_with("deploy_")
    );
    let verification = &outputs["verification"];
    assert_eq!(verification["pages"].as_array().unwrap().len(), pages.len());
    assert_eq!(verification["contact_form"]["delivery"], "outbox");
    let fonts = verification["fonts"]["files"].as_array().unwrap();
    assert_eq!(
        fonts.len(),
        4,
        "Inter and Open Sans, 400 and 700: {fonts:?}"
    );
    assert!(fonts.iter().all(|f| f["content_type"] == "font/woff2"));
    assert_eq!(outputs["fonts"]["body"]["family"], "Open Sans");
    assert_eq!(outputs["fonts"]["body"]["served"], true);
    assert_eq!(outputs["palette"]["surface"], "#f7f1e3");
    assert_eq!(verification["home_title"], "Codex Digital Studios");
    assert_eq!(
        verification["social_card"]["url"],
        format!("{site_url}assets/social-card.png")
    );
    assert_eq!(verification["favicon"]["sizes"], json!([16, 32, 48]));
    assert_eq!(
        verification["pages"][0]["structured_data"],
        json!(["Organization", "WebSite"])
    );
    let seo = &outputs["structured_data"];
    assert_eq!(seo.as_array().unwrap().len(), pages.len(), "{seo}");
    assert_eq!(outputs["social_card"]["width"], 1200);
    assert!(
        outputs["lastmod"]
            .as_str()
            .is_some_and(|d| d.len() == 10 && d.starts_with("20")),
        "the workflow's creation day: {}",
        outputs["lastmod"]
    );
    assert!(verification["links_checked"].as_u64().unwrap() >= 5);

    let urls = pages
        .iter()
        .copied()
        .chain(["css", "js", "logo"].map(|a| outputs["asset_urls"][a].as_str().unwrap()));
    for url in urls {
        assert_eq!(fetch(&app, url).await.status(), StatusCode::OK, "{url}");
    }
    let steps = detail["steps"].as_array().unwrap();
    assert_eq!(steps.len(), 8);
    assert!(
        steps.iter().all(|s| s["status"] == "succeeded"),
        "{steps:?}"
    );
    assert_eq!(detail["metrics"][0]["success_rate"], 1.0);
    assert_eq!(detail["calculated_savings"]["weekly_savings"], 225.0);
    assert_eq!(detail["calculated_savings"]["annual_savings"], 11700.0);

    let messages = app.get("/api/sites/codex-digital-studios/messages").await;
    let messages = messages.as_array().unwrap();
    assert_eq!(messages.len(), 1, "verify's test message is kept");
    assert_eq!(messages[0]["recipient"], "hello@codexdigital.app");
    assert_eq!(
        messages[0]["delivery"], "outbox",
        "no SMTP server: the outbox keeps it"
    );
}

async fn a_full_content_set_becomes_a_live_verified_site_with_every_page(backend: Backend) {
    let app = TestApp::start(backend).await;
    let workers = app.workers(2);
    let detail = built(&app, bakery_inputs()).await;
    workers.shutdown().await;

    let outputs = &detail["outputs"];
    let site_url = outputs["site_url"].as_str().unwrap();
    assert_eq!(site_url, format!("{}/sites/hearth-and-crumb/", app.url));
    let pages: Vec<&str> = outputs["pages_created"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap().trim_start_matches(site_url))
        .collect();
    assert_eq!(
        pages,
        [
            "",
            "about/",
            "services/",
            "wholesale/",
            "faq/",
            "contact/",
            "blog/",
            "blog/summer-classes/",
            "blog/spring-menu-rhubarb-danishes-are-back/",
            "blog/we-are-ten-years-old/",
        ]
    );
    let missing: Vec<&str> = outputs["missing"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        missing,
        ["hero_image"],
        "only the picture this test did not upload"
    );
    let verification = &outputs["verification"];
    assert_eq!(verification["pages"].as_array().unwrap().len(), 10);
    assert!(verification["links_checked"].as_u64().unwrap() > 12);

    let home = body(&app, site_url).await;
    assert!(home.contains("<html lang=\"en-US\">"));
    assert!(home.contains("<p class=\"tagline\">Slow-fermented bread, baked before sunrise</p>"));
    assert!(home.contains("Sourdough and rye loaves"));
    let contact = body(&app, &format!("{site_url}contact/")).await;
    assert!(contact.contains("<a href=\"tel:+15035550142\">+1 (503) 555-0142</a>"));
    assert!(contact.contains("<th scope=\"row\">Tuesday – Friday</th><td>07:00–15:00</td>"));
    let post = body(&app, &format!("{site_url}blog/we-are-ten-years-old/")).await;
    assert!(post.contains("<time datetime=\"2026-03-14\">14 March 2026</time> · By Clara Moreau"));
    for placeholder in ["getting started", "on its way", "first post", "coming soon"] {
        for html in [&home, &contact, &post] {
            assert!(!html.to_lowercase().contains(placeholder), "{placeholder}");
        }
    }
}

async fn a_french_site_is_served_in_french(backend: Backend) {
    let app = TestApp::start(backend).await;
    let workers = app.workers(1);
    let mut inputs = bakery_inputs();
    inputs["language"] = json!("fr");
    inputs["site_slug"] = json!("hearth-fr");
    let detail = built(&app, inputs).await;
    assert_eq!(detail["outputs"]["words_language"], "fr");
    assert!(detail["outputs"].get("words_note").is_none());
    let site_url = detail["outputs"]["site_url"].as_str().unwrap();
    let about = body(&app, &format!("{site_url}about/")).await;
    assert!(about.contains("<html lang=\"fr\">"));
    assert!(about.contains("<h1>À propos</h1>"));
    assert!(about.contains("Notre équipe"));

    let mut inputs = seed_inputs();
    inputs["language"] = json!("ja");
    let detail = built(&app, inputs).await;
    workers.shutdown().await;
    assert_eq!(detail["outputs"]["words_language"], "en");
    assert!(
        detail["outputs"]["words_note"]
            .as_str()
            .unwrap()
            .contains("\"ja\"")
    );
}

async fn deployed_sites_are_served_with_types_caching_and_compression(backend: Backend) {
    let app = TestApp::start(backend).await;
    let workers = app.workers(1);
    let mut inputs = seed_inputs();
    inputs["about"] = json!("We build websites for small businesses.");
    built(&app, inputs).await;
    workers.shutdown().await;
    let base = format!("{}/sites/codex-digital-studios", app.url);

    for (path, kind, cache) in [
        ("/", "text/html", "no-cache"),
        ("/assets/main.css", "text/css", "public, max-age=300"),
        ("/assets/logo.svg", "image/svg+xml", "public, max-age=300"),
        ("/sitemap.xml", "", "public, max-age=300"),
        ("/robots.txt", "text/plain", "public, max-age=300"),
        (
            "/assets/fonts/inter-latin-400-normal.woff2",
            "font/woff2",
            "public, max-age=300",
        ),
        (
            "/assets/social-card.png",
            "image/png",
            "public, max-age=300",
        ),
        ("/favicon.ico", "image/x-icon", "public, max-age=300"),
        ("/apple-touch-icon.png", "image/png", "public, max-age=300"),
    ] {
        let response = fetch(&app, &format!("{base}{path}")).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        let headers = response.headers();
        assert!(
            headers[header::CONTENT_TYPE]
                .to_str()
                .unwrap()
                .starts_with(kind),
            "{path}: {headers:?}"
        );
        assert_eq!(headers[header::CACHE_CONTROL], cache, "{path}");
        assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    }
    let compressed = app
        .client
        .get(format!("{base}/assets/main.css"))
        .header(header::ACCEPT_ENCODING, "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(compressed.headers()[header::CONTENT_ENCODING], "gzip");
    let font = app
        .client
        .get(format!("{base}/assets/fonts/inter-latin-400-normal.woff2"))
        .header(header::ACCEPT_ENCODING, "gzip")
        .send()
        .await
        .unwrap();
    assert!(
        font.headers().get(header::CONTENT_ENCODING).is_none(),
        "woff2 is compressed already"
    );
    assert!(font.bytes().await.unwrap().starts_with(b"wOF2"));

    let bare = app
        .client
        .get(format!("{base}/about"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        bare.url().path(),
        "/sites/codex-digital-studios/about/",
        "redirected to the folder"
    );
    for hidden in [
        "/.quorum/site.json",
        "/../.builds/",
        "/%2e%2e/%2e%2e/quorum.db",
        "/no-such-page/",
    ] {
        let response = fetch(&app, &format!("{base}{hidden}")).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{hidden}");
    }
    let missing = fetch(&app, &format!("{base}/no-such-page/"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        missing.contains("Codex Digital Studios"),
        "the site's own 404 page"
    );
    let unknown = fetch(&app, &format!("{}/sites/nobody/", app.url)).await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
}

/// Publishes a deployment of `files` for `acme` as the deploy step does.
async fn publish(app: &TestApp, id: &str, files: &[(&str, &[u8])]) {
    let files: std::collections::BTreeMap<String, Vec<u8>> = files
        .iter()
        .map(|(path, bytes)| ((*path).to_owned(), bytes.to_vec()))
        .collect();
    app.publish_site(id, "acme", "wf_acme", files).await;
}

async fn site_files_come_from_the_database_with_etags_ranges_and_head(backend: Backend) {
    let app = TestApp::start(backend).await;
    let css = "body { color: #123456; }\n".repeat(40);
    publish(
        &app,
        "deploy_one",
        &[("index.html", b"<h1>One</h1>"), ("a.css", css.as_bytes())],
    )
    .await;
    assert!(
        !app.data_dir.path().join("sites").exists(),
        "nothing of a deployment is on disk"
    );
    let url = format!("{}/sites/acme/a.css", app.url);
    let get = |headers: Vec<(&'static str, String)>| {
        let mut request = app.client.get(&url);
        for (name, value) in headers {
            request = request.header(name, value);
        }
        request.send()
    };
    let plain = get(vec![]).await.unwrap();
    assert_eq!(plain.status(), StatusCode::OK);
    let tag = plain.headers()[header::ETAG].to_str().unwrap().to_owned();
    assert!(tag.starts_with('"') && tag.len() == 66, "{tag}");
    assert_eq!(
        plain.headers()[header::CONTENT_TYPE],
        "text/css; charset=utf-8"
    );
    assert_eq!(plain.text().await.unwrap(), css);

    let again = get(vec![("if-none-match", tag.clone())]).await.unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(
        again.headers()[header::CACHE_CONTROL],
        "public, max-age=300"
    );
    let other = get(vec![("if-none-match", "\"other\"".into())])
        .await
        .unwrap();
    assert_eq!(other.status(), StatusCode::OK);

    let gzip = get(vec![("accept-encoding", "gzip".into())]).await.unwrap();
    assert_eq!(gzip.headers()[header::CONTENT_ENCODING], "gzip");
    assert_ne!(
        gzip.headers()[header::ETAG],
        tag.as_str(),
        "each encoding its own tag"
    );
    assert!(
        gzip.bytes().await.unwrap().len() < css.len() / 4,
        "the stored gzip"
    );
    let refused = get(vec![("accept-encoding", "gzip;q=0".into())])
        .await
        .unwrap();
    assert!(refused.headers().get(header::CONTENT_ENCODING).is_none());

    let ranged = get(vec![("range", "bytes=5-9".into())]).await.unwrap();
    assert_eq!(ranged.status(), StatusCode::PARTIAL_CONTENT);
    let range = format!("bytes 5-9/{}", css.len());
    assert_eq!(ranged.headers()[header::CONTENT_RANGE], range.as_str());
    assert_eq!(ranged.text().await.unwrap(), &css[5..10]);
    let suffix = get(vec![("range", "bytes=-3".into())]).await.unwrap();
    assert_eq!(suffix.text().await.unwrap(), &css[css.len() - 3..]);
    let beyond = get(vec![("range", format!("bytes={}-", css.len()))])
        .await
        .unwrap();
    assert_eq!(beyond.status(), StatusCode::RANGE_NOT_SATISFIABLE);

    let head = app.client.head(&url).send().await.unwrap();
    assert_eq!(head.status(), StatusCode::OK);
    assert_eq!(head.headers()[header::ETAG], tag.as_str());
    assert_eq!(head.text().await.unwrap(), "");

    // A new deployment is served at once by the server that made it; the old is gone.
    publish(&app, "deploy_two", &[("index.html", b"<h1>Two</h1>")]).await;
    let home = fetch(&app, &format!("{}/sites/acme/", app.url)).await;
    assert_eq!(home.text().await.unwrap(), "<h1>Two</h1>");
    assert_eq!(fetch(&app, &url).await.status(), StatusCode::NOT_FOUND);
    // Deploying the first again (a step that ran twice) makes it live again.
    publish(&app, "deploy_one", &[]).await;
    assert_eq!(
        fetch(&app, &format!("{}/sites/acme/", app.url))
            .await
            .text()
            .await
            .unwrap(),
        "<h1>One</h1>"
    );
}

async fn the_contact_form_keeps_checks_and_limits_messages(backend: Backend) {
    let app = TestApp::start(backend).await;
    let workers = app.workers(1);
    built(&app, seed_inputs()).await;
    workers.shutdown().await;
    let action = format!("{}/sites/codex-digital-studios/contact", app.url);
    let post = |form: Vec<(&'static str, String)>, accept: &'static str| {
        app.client
            .post(&action)
            .header(header::ACCEPT, accept)
            .form(&form)
            .send()
    };
    let good = || {
        vec![
            ("name", "Ana <b>".to_owned()),
            ("email", "ana@example.com".to_owned()),
            ("message", "Hello <script>alert(1)</script>".to_owned()),
            ("website", String::new()),
        ]
    };

    // A browser without JavaScript gets a page, kept out of search engines. Without an SMTP
    // server the message waits in the outbox: it is received, not sent.
    let page = post(good(), "text/html").await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert_eq!(page.headers()["x-robots-tag"], "noindex");
    let text = page.text().await.unwrap();
    assert!(text.contains("Thank you"));
    assert!(text.contains(r#"<meta name="robots" content="noindex">"#));
    assert!(text.contains("Your message has been received."), "{text}");
    assert!(!text.contains("sent"), "{text}");
    // Other clients get JSON.
    let json: Value = post(good(), "application/json")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(json["delivery"], "outbox");

    let mut bad = good();
    bad[1].1 = "not an address".into();
    bad[2].1 = String::new();
    let refused = post(bad.clone(), "application/json").await.unwrap();
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = refused.json().await.unwrap();
    let fields: Vec<&str> = body["error"]["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["email", "message"]);
    let refused_page = post(bad, "text/html").await.unwrap();
    assert_eq!(refused_page.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused_page.headers()["x-robots-tag"], "noindex");
    assert!(refused_page.text().await.unwrap().contains("was not sent"));

    let mut spam = good();
    spam[3].1 = "http://spam.example".into();
    assert_eq!(
        post(spam, "application/json").await.unwrap().status(),
        StatusCode::CREATED
    );

    // Refused forms store nothing and do not count; verify's message, three good ones and
    // the spam make five in this minute: the sixth is refused.
    let fifth = post(good(), "application/json").await.unwrap();
    assert_eq!(fifth.status(), StatusCode::CREATED);
    let limited = post(good(), "application/json").await.unwrap();
    assert_eq!(limited.status(), StatusCode::TOO_MANY_REQUESTS);
    let body: Value = limited.json().await.unwrap();
    assert_eq!(body["error"]["code"], "rate_limited");
    let messages = app.get("/api/sites/codex-digital-studios/messages").await;
    assert_eq!(
        messages.as_array().unwrap().len(),
        4,
        "verify's and the three good ones; not the spam"
    );
    assert_eq!(
        messages[0]["message"], "Hello <script>alert(1)</script>",
        "kept as written"
    );

    let (status, _) = app
        .send(
            Method::GET,
            "/api/sites/codex-digital-studios/messages",
            "agent_jermaine_super_action",
            None,
        )
        .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "only admins read the messages"
    );
    let nowhere = app
        .client
        .post(format!("{}/sites/nobody/contact", app.url))
        .header(header::ACCEPT, "application/json")
        .form(&good())
        .send()
        .await
        .unwrap();
    assert_eq!(nowhere.status(), StatusCode::NOT_FOUND);
}

async fn hostile_inputs_are_refused_or_escaped(backend: Backend) {
    let app = TestApp::start(backend).await;
    let with = |field: &str, value: Value| {
        let mut inputs = seed_inputs();
        inputs[field] = value;
        inputs
    };
    for (field, value, rule) in [
        ("pages", json!(["home", "../etc"]), "pattern"),
        ("pages", json!(["home", "home"]), "uniqueItems"),
        ("site_name", json!("x".repeat(10_000)), "maxLength"),
        ("brand_colors", json!({"primary": "red"}), "pattern"),
        ("brand_colors", json!({"accent": "#12345"}), "pattern"),
        ("contact_email", json!("not-an-email"), "format"),
    ] {
        let (status, body) = create(&app, with(field, value)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{field}: {body}");
        assert!(
            body["error"]["details"]
                .as_array()
                .unwrap()
                .iter()
                .any(|d| d["rule"] == rule),
            "{field}: {body}"
        );
    }

    // What the schema's patterns let through, the steps' own checks refuse, naming the field.
    for (field, value, named) in [
        (
            "posts",
            json!([{"title": "t", "date": "2026-02-30", "body": "b"}]),
            "posts[0].date",
        ),
        (
            "contact",
            json!({"opening_hours": [{"days": ["monday"], "opens": "18:00", "closes": "09:00"}]}),
            "contact.opening_hours[0].closes",
        ),
        ("contact", json!({"phone": "+1 2"}), "contact.phone"),
        (
            "social_links",
            json!([{"url": "https://user@evil.example/"}]),
            "social_links[0].url",
        ),
        (
            "pages",
            json!(["home", {"slug": "about", "body": "Our story"}]),
            "pages[1].body",
        ),
        (
            "posts",
            json!([
                {"title": "a", "date": "2026-01-01", "body": "b", "slug": "news"},
                {"title": "b", "date": "2026-01-02", "body": "b", "slug": "news"}
            ]),
            "posts[1].slug",
        ),
    ] {
        let (status, body) = create(&app, with(field, value)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{named}: {body}");
        let details = body["error"]["details"].as_array().unwrap();
        assert!(
            details
                .iter()
                .any(|d| d["field"].as_str().unwrap().ends_with(named) && d["rule"] == "step_check"),
            "{named}: {body}"
        );
    }

    let script = "<script>alert('x')</script>";
    let mut inputs = seed_inputs();
    inputs["site_name"] = json!(format!("Evil {script} Site"));
    inputs["site_description"] = json!(format!("\"><img src=x onerror=alert(1)> {script}"));
    inputs["about"] = json!(format!(
        "{script}\n\n[click](javascript:alert(1)) <img src=x onerror=alert(1)>"
    ));
    inputs["posts"] = json!([{"title": script, "date": "2026-01-01", "body": script}]);
    let workers = app.workers(1);
    let detail = built(&app, inputs).await;
    workers.shutdown().await;
    let mut urls: Vec<String> = detail["outputs"]["pages_created"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u.as_str().unwrap().to_owned())
        .collect();
    let base = detail["outputs"]["site_url"].as_str().unwrap().to_owned();
    urls.extend(["sitemap.xml", "assets/logo.svg", "404.html"].map(|f| format!("{base}{f}")));
    for url in urls {
        let body = fetch(&app, &url).await.text().await.unwrap();
        assert!(
            !body.contains("<script>alert"),
            "{url} carries the script unescaped"
        );
        assert!(
            !body.contains("<img src=x"),
            "{url} carries the tag unescaped"
        );
        assert!(
            !body.contains("href=\"javascript"),
            "{url} links to a script"
        );
    }
    assert_eq!(
        urls_made(&detail),
        5,
        "home, about, contact, blog and the post"
    );
}

fn urls_made(detail: &Value) -> usize {
    detail["outputs"]["pages_created"].as_array().unwrap().len()
}

async fn contact_messages_reach_a_real_smtp_server(backend: Backend) {
    let Some(smtp) = quorum_testkit::smtp::SmtpServer::start() else {
        return;
    };
    let mailer = quorum_service::Mailer::new(&smtp.url(), "Quorum <quorum@example.com>").unwrap();
    let app = TestApp::start_configured(backend, false, |q| q.with_mailer(mailer)).await;
    let workers = app.workers(1);
    let detail = built(&app, seed_inputs()).await;
    workers.shutdown().await;
    assert_eq!(
        detail["outputs"]["verification"]["contact_form"]["delivery"], "sent",
        "verify's test message went through SMTP"
    );
    smtp.wait_for("checks the contact form", WITHIN).await;

    let form = [
        ("name", "Ana Lima"),
        ("email", "ana@example.com"),
        ("message", "Could you build us a shop?"),
        ("website", ""),
    ];
    let response = app
        .client
        .post(format!("{}/sites/codex-digital-studios/contact", app.url))
        .header(header::ACCEPT, "application/json")
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let page = app
        .client
        .post(format!("{}/sites/codex-digital-studios/contact", app.url))
        .header(header::ACCEPT, "text/html")
        .form(&form)
        .send()
        .await
        .unwrap();
    let text = page.text().await.unwrap();
    assert!(
        text.contains("Your message has been sent."),
        "the SMTP server took it: {text}"
    );
    let received = smtp.wait_for("Could you build us a shop?", WITHIN).await;
    assert!(
        received.contains("To: hello@codexdigital.app"),
        "{received}"
    );
    assert!(
        received.contains("Reply-To: \"Ana Lima\" <ana@example.com>")
            || received.contains("Reply-To: Ana Lima <ana@example.com>"),
        "{received}"
    );
    assert!(
        received.contains("Subject: Message from the contact form of Codex Digital Studios"),
        "{received}"
    );
    let messages = app.get("/api/sites/codex-digital-studios/messages").await;
    assert!(
        messages
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["delivery"] == "sent"),
        "{messages:#}"
    );
}

/// Every page of a generated site in headless Chromium at a phone's and a desktop's width:
/// no console errors, no serious or critical axe-core violation, working navigation and a
/// contact form that submits without JavaScript's help. Screenshots go to
/// target/test-artifacts/websites/.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_generated_site_works_in_a_real_browser() {
    use fantoccini::Locator;
    use quorum_testkit::{artifact_path, browser::Browser};

    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::start(Backend::Sqlite).await;
    let workers = app.workers(1);
    let detail = built(&app, bakery_inputs()).await;
    workers.shutdown().await;
    let pages: Vec<String> = detail["outputs"]["pages_created"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap().to_owned())
        .collect();
    let site = detail["outputs"]["site_url"].as_str().unwrap().to_owned();
    for width in [375, 1280] {
        browser.set_viewport(width, 900).await;
        for page in &pages {
            browser.goto(page).await;
            let errors = browser.console_errors().await;
            assert!(errors.is_empty(), "{page} at {width}px: {errors:?}");
            let axe = browser.axe().await.serious_or_critical();
            assert!(axe.is_empty(), "{page} at {width}px:\n{axe}");
            let name = page
                .trim_start_matches(&site)
                .trim_end_matches('/')
                .replace('/', "-");
            let name = if name.is_empty() {
                "home".to_owned()
            } else {
                name
            };
            browser
                .screenshot(artifact_path(format!("websites/{name}-{width}.png")))
                .await;
        }
    }

    browser.set_viewport(375, 900).await;
    browser.goto(&site).await;
    // The fonts come from the site itself and are the ones the text is set in.
    let loaded = browser
        .client()
        .execute_async(
            "const done = arguments[arguments.length - 1];\
             document.fonts.ready.then(() => done([...document.fonts]\
               .filter(f => f.status === 'loaded').map(f => f.family + ' ' + f.weight).sort()));",
            Vec::new(),
        )
        .await
        .unwrap();
    assert_eq!(
        loaded,
        json!(["Lora 400", "Lora 700", "Nunito 400", "Nunito 700"]),
        "the bakery's headings and quotes in Lora and its body in Nunito"
    );
    let client = browser.client();
    // Navigation by clicking, ending on the contact page for the form below. On a phone the
    // links are in the menu, which opens first.
    for (link, path) in [("About", "about/"), ("Contact", "contact/")] {
        client
            .find(Locator::Css(".menu summary"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        client
            .find(Locator::LinkText(link))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        assert_eq!(
            client.current_url().await.unwrap().as_str(),
            format!("{site}{path}")
        );
    }
    for (field, value) in [
        ("name", "Ana Lima"),
        ("email", "ana@example.com"),
        ("message", "Sent from a browser"),
    ] {
        let css = format!("[name={field}]");
        client
            .find(Locator::Css(&css))
            .await
            .unwrap()
            .send_keys(value)
            .await
            .unwrap();
    }
    client
        .find(Locator::Css("form [type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    // The click only starts the form's navigation: read the answer's page, not the form's.
    let form_page = format!("{site}contact/");
    let deadline = std::time::Instant::now() + WITHIN;
    while client.current_url().await.unwrap().as_str() == form_page {
        assert!(
            std::time::Instant::now() < deadline,
            "the form's answer never loaded"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let thanks = client
        .find(Locator::Css("h1"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(thanks, "Thank you");
    assert!(browser.console_errors().await.is_empty());
    browser
        .screenshot(artifact_path("websites/contact-sent-375.png"))
        .await;
    let messages = app.get("/api/sites/hearth-and-crumb/messages").await;
    assert!(
        messages
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["message"] == "Sent from a browser")
    );
    let axe = browser.axe().await.serious_or_critical();
    assert!(axe.is_empty(), "the thank-you page:\n{axe}");

    // A name of spaces passes the browser's own checks and not the server's: the contact
    // page comes back with the message kept and the name's problem beside it.
    browser.goto(&form_page).await;
    for (field, value) in [
        ("name", "   "),
        ("email", "ana@example.com"),
        ("message", "Kept when refused"),
    ] {
        let css = format!("[name={field}]");
        client
            .find(Locator::Css(&css))
            .await
            .unwrap()
            .send_keys(value)
            .await
            .unwrap();
    }
    client
        .find(Locator::Css("form [type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let summary = loop {
        if let Ok(summary) = client.find(Locator::Css(".error-summary")).await {
            break summary;
        }
        assert!(
            std::time::Instant::now() < deadline + WITHIN,
            "the refusal never loaded"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(summary.text().await.unwrap().contains("Give a name"));
    let message = client
        .find(Locator::Css("textarea#contact-message"))
        .await
        .unwrap();
    assert_eq!(
        message.prop("value").await.unwrap().as_deref(),
        Some("Kept when refused")
    );
    let name = client.find(Locator::Css("#contact-name")).await.unwrap();
    assert_eq!(
        name.attr("aria-invalid").await.unwrap().as_deref(),
        Some("true")
    );
    // Chromium logs the answer's own 422 as a failed load; nothing else may be logged.
    let errors = browser.console_errors().await;
    let others: Vec<&String> = errors
        .iter()
        .filter(|e| {
            !e.ends_with("the server responded with a status of 422 (Unprocessable Entity)")
        })
        .collect();
    assert!(others.is_empty(), "{errors:?}");
    let axe = browser.axe().await.serious_or_critical();
    assert!(axe.is_empty(), "the refused form:\n{axe}");
    browser
        .screenshot(artifact_path("websites/contact-refused-375.png"))
        .await;
}

/// Two servers over one database share the contact form's limit: the address's sixth message
/// in a minute is refused whichever server it reaches.
async fn the_contact_limit_holds_across_servers(backend: Backend) {
    let app = TestApp::start(backend).await;
    crate::holes::fake_site(&app, "acme").await;
    let second = app.second_server(ADMIN_TOKEN).await;
    let post = |server: &str| {
        app.client
            .post(format!("{server}/sites/acme/contact"))
            .header(header::ACCEPT, "application/json")
            .form(&[
                ("name", "Ana"),
                ("email", "ana@example.com"),
                ("message", "Hello"),
                ("website", ""),
            ])
            .send()
    };
    for server in [&app.url, &second, &app.url, &second, &app.url] {
        let sent = post(server).await.unwrap();
        assert_eq!(sent.status(), StatusCode::CREATED, "{server}");
    }
    let sixth = post(&second).await.unwrap();
    assert_eq!(sixth.status(), StatusCode::TOO_MANY_REQUESTS);
    let body: Value = sixth.json().await.unwrap();
    assert_eq!(body["error"]["code"], "rate_limited");
    let again = post(&app.url).await.unwrap();
    assert_eq!(again.status(), StatusCode::TOO_MANY_REQUESTS);
    let messages = app.get("/api/sites/acme/messages").await;
    assert_eq!(messages.as_array().unwrap().len(), 5);
}

crate::on_both_backends!(
    the_contact_limit_holds_across_servers,
    contact_messages_reach_a_real_smtp_server,
    the_seed_example_becomes_a_live_verified_site,
    a_full_content_set_becomes_a_live_verified_site_with_every_page,
    a_french_site_is_served_in_french,
    deployed_sites_are_served_with_types_caching_and_compression,
    site_files_come_from_the_database_with_etags_ranges_and_head,
    the_contact_form_keeps_checks_and_limits_messages,
    hostile_inputs_are_refused_or_escaped,
);
