//! The website family end to end through the API: a landing page and an affiliate site each
//! proposed, previewed, approved, built, deployed and verified; then what their visitors do —
//! leads (kept, refused, limited, forwarded to a real SMTP server, exported), views and
//! conversions per headline, clicks through the affiliate redirect — and what the owner reads.

use std::collections::BTreeSet;
use std::time::Duration;

use reqwest::{Method, StatusCode, header};
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp};

const WITHIN: Duration = Duration::from_secs(60);
const OWNER: &str = "agent_jermaine_super_action";
const LANDING: &str = "website.create_landing_page";
const AFFILIATE: &str = "website.create_affiliate_site";

pub(crate) fn landing_inputs() -> Value {
    serde_json::from_str(include_str!("../../../quorum-steps/fixtures/landing.json")).unwrap()
}

pub(crate) fn affiliate_inputs() -> Value {
    serde_json::from_str(include_str!(
        "../../../quorum-steps/fixtures/affiliate.json"
    ))
    .unwrap()
}

/// Proposes, checks the preview answers, approves, and waits for the workflow to complete.
pub(crate) async fn built(app: &TestApp, type_id: &str, inputs: Value) -> Value {
    let created = app.propose(type_id, inputs).await;
    let id = created["id"].as_str().unwrap().to_owned();
    let detail = app.get(&format!("/api/workflows/{id}")).await;
    let preview = detail["preview"]["url"]
        .as_str()
        .expect("a preview")
        .to_owned();
    let preview = match preview.starts_with("http") {
        true => preview,
        false => format!("{}{preview}", app.url),
    };
    let response = app
        .client
        .get(&preview)
        .bearer_auth(&app.tokens["user_council_lead"])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK, "{preview}");
    for member in ["user_council_lead", "user_b"] {
        let (status, body) = app.vote(member, &id, "approve", "converts").await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    app.wait_for(&id, "COMPLETED", WITHIN).await
}

/// Every URL the outputs name answers 200.
async fn every_output_url_answers(app: &TestApp, outputs: &Value) {
    let mut urls = vec![outputs["site_url"].as_str().unwrap().to_owned()];
    for page in outputs["pages_created"].as_array().unwrap() {
        urls.push(page.as_str().unwrap().to_owned());
    }
    for asset in outputs["asset_urls"].as_object().unwrap().values() {
        urls.push(asset.as_str().unwrap().to_owned());
    }
    for url in urls {
        let status = app.client.get(&url).send().await.unwrap().status();
        assert_eq!(status, StatusCode::OK, "{url}");
    }
}

async fn post_lead(app: &TestApp, accept: &str, form: &[(&str, &str)]) -> reqwest::Response {
    app.client
        .post(format!(
            "{}/sites/hearth-crumb-sourdough-school/lead",
            app.url
        ))
        .header(header::ACCEPT, accept)
        .form(form)
        .send()
        .await
        .unwrap()
}

const GOOD_LEAD: [(&str, &str); 7] = [
    ("variant", "b"),
    ("name", "Dana Okafor"),
    ("email", "dana@example.com"),
    ("weekend", "Next month"),
    ("notes", "No nuts, please"),
    ("consent", "yes"),
    ("website", ""),
];

async fn a_landing_page_is_built_verified_and_collects_leads(backend: Backend) {
    let app = TestApp::start(backend).await;
    let workers = app.workers(2);
    let detail = built(&app, LANDING, landing_inputs()).await;
    workers.shutdown().await;
    let outputs = &detail["outputs"];
    let site = format!("{}/sites/hearth-crumb-sourdough-school/", app.url);
    assert_eq!(outputs["site_url"], site);
    every_output_url_answers(&app, outputs).await;
    assert_eq!(outputs["lead_endpoint"], format!("{site}lead"));
    let verification = &outputs["verification"];
    assert_eq!(verification["lead_form"]["refuses_empty_lead"], true);
    assert_eq!(verification["variants"].as_array().unwrap().len(), 2);
    assert_eq!(
        verification["contact_form"],
        Value::Null,
        "a landing page has no contact page"
    );

    // A stable split: one browser always sees one headline, and both are shown.
    let mut seen = BTreeSet::new();
    let mut loads = 0;
    for i in 0..24 {
        let agent = format!("Browser/{i}");
        let mut headlines = BTreeSet::new();
        for _ in 0..2 {
            let page = app
                .client
                .get(&site)
                .header(header::USER_AGENT, &agent)
                .send()
                .await
                .unwrap();
            assert_eq!(page.status(), StatusCode::OK);
            assert_eq!(page.headers()[header::CACHE_CONTROL], "private, no-cache");
            let html = page.text().await.unwrap();
            loads += 1;
            let variant = if html.contains("value=\"b\"") {
                "b"
            } else {
                "a"
            };
            headlines.insert(variant);
            seen.insert(variant);
        }
        assert_eq!(headlines.len(), 1, "{agent} saw both headlines");
    }
    assert_eq!(seen.len(), 2, "both headlines are shown");
    let head = app.client.head(&site).send().await.unwrap();
    assert_eq!(head.status(), StatusCode::OK);

    let kept = post_lead(&app, "application/json", &GOOD_LEAD).await;
    assert_eq!(kept.status(), StatusCode::CREATED);
    let kept: Value = kept.json().await.unwrap();
    assert_eq!(kept["delivery"], "outbox");
    let page = post_lead(&app, "text/html", &GOOD_LEAD).await;
    assert_eq!(page.status(), StatusCode::OK);
    assert_eq!(page.headers()["x-robots-tag"], "noindex");
    let thanks = page.text().await.unwrap();
    assert!(
        thanks.contains("We have your details and will be in touch soon."),
        "{thanks}"
    );

    // Refused: each problem named, what was typed kept (and escaped), nothing kept.
    let hostile = [
        ("variant", "a"),
        ("name", "<script>alert(1)</script>"),
        ("email", "not an address"),
        ("weekend", "Tomorrow"),
        ("notes", "\"><img src=x onerror=alert(2)>"),
    ];
    let refused = post_lead(&app, "application/json", &hostile).await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let refused: Value = refused.json().await.unwrap();
    let fields: Vec<&str> = refused["error"]["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["email", "weekend", "consent"]);
    let page = post_lead(&app, "text/html", &hostile).await;
    assert_eq!(page.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("Choose one of the options for Preferred weekend"),
        "{html}"
    );
    assert!(html.contains("Tick the box to agree before you send the form"));
    assert!(html.contains("value=\"&lt;script&gt;alert(1)&lt;/script&gt;\""));
    assert!(!html.contains("<script>alert") && !html.contains("<img src=x"));
    assert!(
        html.contains("Bake a real sourdough loaf in one weekend"),
        "variant a again"
    );

    // A NUL byte is refused before anything is read; a filled honeypot is answered like a
    // success and kept nowhere.
    let nul = app
        .client
        .post(format!("{site}lead"))
        .header(header::ACCEPT, "application/json")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body("name=Ana%00&email=ana%40example.com&weekend=Next+month&consent=yes")
        .send()
        .await
        .unwrap();
    assert_eq!(nul.status(), StatusCode::BAD_REQUEST);
    let mut bot = GOOD_LEAD;
    bot[6] = ("website", "https://spam.example");
    assert_eq!(
        post_lead(&app, "application/json", &bot).await.status(),
        StatusCode::CREATED
    );

    // The owner reads the leads and each headline's counts; another agent may not.
    let (status, report) = app
        .send(
            Method::GET,
            "/api/sites/hearth-crumb-sourdough-school/leads",
            OWNER,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{report}");
    let leads = report["leads"].as_array().unwrap();
    assert_eq!(
        leads.len(),
        2,
        "two kept; the refused, the NUL and the bot's are not"
    );
    assert_eq!(leads[0]["fields"]["weekend"], "Next month");
    assert_eq!(leads[0]["variant"], "b");
    assert_eq!(leads[0]["consent"], true);
    let variants = report["variants"].as_array().unwrap();
    let views: i64 = variants.iter().map(|v| v["views"].as_i64().unwrap()).sum();
    // Views are counted in the background: give the last ones a moment.
    let views = if views < loads {
        tokio::time::sleep(Duration::from_millis(300)).await;
        let (_, report) = app
            .send(
                Method::GET,
                "/api/sites/hearth-crumb-sourdough-school/leads",
                OWNER,
                None,
            )
            .await;
        report["variants"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["views"].as_i64().unwrap())
            .sum()
    } else {
        views
    };
    // The two GETs of every_output_url_answers count too; verify's own do not.
    assert_eq!(
        views,
        loads + 2,
        "every visitor's GET counted, the HEAD not"
    );
    let b = variants.iter().find(|v| v["variant"] == "b").unwrap();
    assert_eq!(b["conversions"], 2);
    assert_eq!(
        b["headline"],
        "Your first open-crumb sourdough, taught by working bakers"
    );
    let (status, _) = app
        .send(
            Method::GET,
            "/api/sites/hearth-crumb-sourdough-school/leads",
            "commerce_agent",
            None,
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = app
        .send(
            Method::GET,
            "/api/sites/hearth-crumb-sourdough-school/leads?limit=0",
            OWNER,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    let csv = app
        .client
        .get(format!(
            "{}/api/sites/hearth-crumb-sourdough-school/leads?format=csv",
            app.url
        ))
        .bearer_auth(&app.tokens[OWNER])
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status(), StatusCode::OK);
    assert_eq!(
        csv.headers()[header::CONTENT_TYPE],
        "text/csv; charset=utf-8"
    );
    let csv = csv.text().await.unwrap();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next().unwrap(),
        "received_at,id,name,email,phone,weekend,notes,consent,variant,delivery"
    );
    assert!(
        csv.contains(",Dana Okafor,dana@example.com,,Next month,\"No nuts, please\",yes,b,outbox"),
        "{csv}"
    );
    assert_eq!(csv.lines().count(), 3);

    // A site that is not a landing page has no lead form.
    let missing = app
        .client
        .post(format!("{}/sites/no-such-site/lead", app.url))
        .header(header::ACCEPT, "application/json")
        .form(&GOOD_LEAD)
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
}

async fn leads_are_limited_across_servers_and_forwarded_by_a_real_smtp_server(backend: Backend) {
    let Some(smtp) = quorum_testkit::smtp::SmtpServer::start() else {
        return;
    };
    let mailer = quorum_service::Mailer::new(&smtp.url(), "Quorum <quorum@example.com>").unwrap();
    let app = TestApp::start_configured(backend, false, |q| q.with_mailer(mailer)).await;
    let workers = app.workers(2);
    built(&app, LANDING, landing_inputs()).await;
    workers.shutdown().await;
    let second = app.second_server(crate::helpers::ADMIN_TOKEN).await;
    let post = |server: String| {
        app.client
            .post(format!("{server}/sites/hearth-crumb-sourdough-school/lead"))
            .header(header::ACCEPT, "application/json")
            .form(&GOOD_LEAD)
            .send()
    };
    for server in [&app.url, &second, &app.url, &second, &app.url] {
        let sent = post(server.clone()).await.unwrap();
        assert_eq!(sent.status(), StatusCode::CREATED, "{server}");
        let sent: Value = sent.json().await.unwrap();
        // The second server has no SMTP server configured: its leads wait in the outbox.
        let expected = if server == &app.url { "sent" } else { "outbox" };
        assert_eq!(sent["delivery"], expected);
    }
    let sixth = post(second.clone()).await.unwrap();
    assert_eq!(sixth.status(), StatusCode::TOO_MANY_REQUESTS);
    let received = smtp.wait_for("signed up on the landing page", WITHIN).await;
    for needed in [
        "To: school@hearthandcrumb.com",
        "Dana Okafor <dana@example.com> signed up on the landing page of Hearth & Crumb Sourdough School (headline B)",
        "Preferred weekend: Next month",
        "Allergies or questions: No nuts, please",
        "They ticked the form's consent box.",
    ] {
        assert!(received.contains(needed), "{needed}\n{received}");
    }
}

async fn an_affiliate_site_is_built_verified_and_counts_each_click(backend: Backend) {
    let app = TestApp::start(backend).await;
    let workers = app.workers(2);
    let detail = built(&app, AFFILIATE, affiliate_inputs()).await;
    workers.shutdown().await;
    let outputs = &detail["outputs"];
    every_output_url_answers(&app, outputs).await;
    let links = outputs["affiliate_links"].as_array().unwrap();
    assert_eq!(links.len(), 3);
    assert_eq!(
        outputs["verification"]["affiliate_links"]
            .as_array()
            .unwrap()
            .len(),
        3,
        "verify followed every link (by HEAD, uncounted)"
    );
    let site = format!("{}/sites/ridgeline-gear-reviews", app.url);
    let go = |path: &str| app.client.get(format!("{site}/go/{path}")).send();
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    for (from, times) in [
        ("home", 2),
        ("reviews/alpenglow-ul2", 1),
        ("nowhere/else", 1),
    ] {
        for _ in 0..times {
            let click = client
                .get(format!("{site}/go/alpenglow-ul2?from={from}"))
                .send()
                .await
                .unwrap();
            assert_eq!(click.status(), StatusCode::FOUND);
            assert_eq!(
                click.headers()[header::LOCATION],
                "https://www.summitsupply.example/tents/alpenglow-ul2?aff=ridgeline"
            );
            assert_eq!(click.headers()["x-robots-tag"], "noindex, nofollow");
            assert_eq!(click.headers()[header::CACHE_CONTROL], "no-store");
        }
    }
    let head = client
        .head(format!("{site}/go/stormline-solo"))
        .send()
        .await
        .unwrap();
    assert_eq!(head.status(), StatusCode::FOUND);
    // No open redirect: a link the inputs do not list is the site's 404, whatever it holds.
    for hostile in [
        "https%3A%2F%2Fevil.example",
        "..%2F..%2Fapi%2Fworkflows",
        "unknown-tent",
        "%2F%2Fevil.example",
    ] {
        let answer = go(hostile).await.unwrap();
        assert_eq!(answer.status(), StatusCode::NOT_FOUND, "{hostile}");
    }
    let (status, clicks) = app
        .send(
            Method::GET,
            "/api/sites/ridgeline-gear-reviews/clicks",
            OWNER,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{clicks}");
    assert_eq!(
        clicks["total"], 4,
        "the HEAD and the refused links are not clicks"
    );
    let tent = &clicks["links"][0];
    assert_eq!(tent["link"], "alpenglow-ul2");
    assert_eq!(tent["clicks"], 4);
    let pages: Vec<(String, i64)> = tent["pages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["page"].as_str().unwrap().to_owned(),
                p["clicks"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        pages,
        [
            ("home".into(), 2),
            ("reviews/alpenglow-ul2".into(), 1),
            ("unknown".into(), 1)
        ]
    );
    let (status, _) = app
        .send(
            Method::GET,
            "/api/sites/ridgeline-gear-reviews/clicks",
            "commerce_agent",
            None,
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = app
        .send(
            Method::GET,
            "/api/sites/ridgeline-gear-reviews/leads",
            OWNER,
            None,
        )
        .await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "an affiliate site has no lead form"
    );
}

async fn hostile_family_inputs_are_refused_at_creation(backend: Backend) {
    let app = TestApp::start(backend).await;
    let mut inputs = affiliate_inputs();
    inputs["affiliate"]["products"][0]["url"] = json!("javascript:alert(1)");
    inputs["affiliate"]["comparisons"][0]["products"] = json!(["alpenglow-ul2", "no-such-tent"]);
    let body = json!({"workflow_type_id": AFFILIATE, "inputs": inputs});
    let (status, refused) = app
        .send(Method::POST, "/api/workflows", OWNER, Some(body))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    let text = refused.to_string();
    assert!(text.contains("affiliate.products.0.url"), "{text}");

    let mut inputs = affiliate_inputs();
    inputs["affiliate"]["comparisons"][0]["products"] = json!(["alpenglow-ul2", "no-such-tent"]);
    let body = json!({"workflow_type_id": AFFILIATE, "inputs": inputs});
    let (status, refused) = app
        .send(Method::POST, "/api/workflows", OWNER, Some(body))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert!(
        refused.to_string().contains("names no product"),
        "{refused}"
    );

    let mut inputs = landing_inputs();
    inputs["landing"]["form"]["fields"][0]["name"] = json!("email");
    let body = json!({"workflow_type_id": LANDING, "inputs": inputs});
    let (status, refused) = app
        .send(Method::POST, "/api/workflows", OWNER, Some(body))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    let (_, list) = app.send(Method::GET, "/api/workflows", "admin", None).await;
    assert_eq!(list["total"], 0, "nothing was created: {list}");
}

async fn chat_recognises_each_member_of_the_family(backend: Backend) {
    let app = TestApp::start(backend).await;
    for (message, type_id) in [
        (
            "Make a landing page for Crumbs Baking Class",
            "Create Landing Page",
        ),
        (
            "Build an affiliate site about hiking tents",
            "Create Affiliate Site",
        ),
        (
            "Create a website for Codex Digital Studios",
            "Create Basic Website",
        ),
    ] {
        let body = json!({"agent_id": OWNER, "message": message, "mode": "plan"});
        let (_, reply) = app.send(Method::POST, "/api/chat", OWNER, Some(body)).await;
        let text = reply.to_string();
        assert!(text.contains(type_id), "{message}: {text}");
    }
}

crate::on_both_backends!(
    a_landing_page_is_built_verified_and_collects_leads,
    leads_are_limited_across_servers_and_forwarded_by_a_real_smtp_server,
    an_affiliate_site_is_built_verified_and_counts_each_click,
    hostile_family_inputs_are_refused_at_creation,
    chat_recognises_each_member_of_the_family,
    a_store_is_built_and_its_server_prices_every_order,
    the_council_sees_headlines_prices_and_every_merchant_link_before_it_votes,
);

const SHOP: &str = "website.create_ecommerce_store";

pub(crate) fn shop_inputs() -> Value {
    serde_json::from_str(include_str!("../../../quorum-steps/fixtures/shop.json")).unwrap()
}

async fn post_order(app: &TestApp, accept: &str, form: &[(&str, String)]) -> reqwest::Response {
    app.client
        .post(format!("{}/sites/hearth-crumb-shop/order", app.url))
        .header(header::ACCEPT, accept)
        .form(form)
        .send()
        .await
        .unwrap()
}

fn checkout(cart: Value, key: &str) -> Vec<(&'static str, String)> {
    vec![
        ("cart", cart.to_string()),
        ("idempotency_key", key.to_owned()),
        ("name", "Ana Lima".into()),
        ("email", "ana@example.com".into()),
        ("phone", "+1 503 555 0100".into()),
        ("notes", "Sliced, please".into()),
        ("website", String::new()),
    ]
}

async fn outbox(app: &TestApp, to: &str) -> Vec<Value> {
    let mails = app.get(&format!("/api/outbox?to={to}")).await;
    mails.as_array().unwrap().clone()
}

async fn a_store_is_built_and_its_server_prices_every_order(backend: Backend) {
    let app = TestApp::start(backend).await;
    let workers = app.workers(2);
    let detail = built(&app, SHOP, shop_inputs()).await;
    workers.shutdown().await;
    let outputs = &detail["outputs"];
    every_output_url_answers(&app, outputs).await;
    assert_eq!(
        outputs["verification"]["checkout"]["refuses_empty_cart"],
        true
    );
    assert_eq!(outputs["catalogue"].as_array().unwrap().len(), 4);
    let site = format!("{}/sites/hearth-crumb-shop/", app.url);
    let product = app
        .client
        .get(format!("{site}products/country-sourdough/"))
        .send()
        .await
        .unwrap();
    let product = product.text().await.unwrap();
    assert!(
        product.contains("\"@type\":\"Offer\",\"price\":\"8.50\",\"priceCurrency\":\"USD\"")
            || product.contains("\"priceCurrency\":\"USD\""),
        "{product}"
    );
    assert!(product.contains("$8.50"));
    let cart = app
        .client
        .get(format!("{site}cart/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(cart.contains("You pay when you pick up your order: no card is needed now."));

    let two_loaves_and_a_croissant = json!([
        {"product": "country-sourdough", "quantity": 2, "price": 850},
        {"product": "croissant", "options": {"Filling": "Almond"}, "quantity": 1, "price": 425}
    ]);
    let placed = post_order(
        &app,
        "application/json",
        &checkout(two_loaves_and_a_croissant.clone(), "cart-key-000001"),
    )
    .await;
    assert_eq!(placed.status(), StatusCode::CREATED);
    let placed: Value = placed.json().await.unwrap();
    assert_eq!(placed["total"], 2125);
    assert_eq!(placed["lines"][1]["options"]["Filling"], "Almond");
    let number = placed["number"].as_str().unwrap().to_owned();
    // The same key again (a double click, a retry): the same order, nothing taken or sent.
    let again = post_order(
        &app,
        "application/json",
        &checkout(two_loaves_and_a_croissant, "cart-key-000001"),
    )
    .await;
    assert_eq!(again.status(), StatusCode::OK);
    let again: Value = again.json().await.unwrap();
    assert_eq!(
        (again["number"].as_str(), again["replayed"].as_bool()),
        (Some(number.as_str()), Some(true))
    );

    // Hostile carts: each refused with its reason, and nothing kept.
    let refused = |cart: Value| {
        let app = &app;
        async move {
            let answer =
                post_order(app, "application/json", &checkout(cart, "cart-key-hostile")).await;
            let status = answer.status();
            let body: Value = answer.json().await.unwrap();
            (status, body.to_string())
        }
    };
    for (cart, status, said) in [
        (
            json!([{"product": "country-sourdough", "quantity": 1, "price": 1}]),
            422,
            "costs $8.50, not $0.01",
        ),
        (
            json!([{"product": "country-sourdough", "quantity": -1}]),
            422,
            "order 1 to 99 of Country Sourdough, not -1",
        ),
        (
            json!([{"product": "country-sourdough", "quantity": 13}]),
            422,
            "only 12 of Country Sourdough are for sale, not 13",
        ),
        (
            json!([{"product": "country-sourdough", "quantity": 11}]),
            409,
            "only 10 of Country Sourdough are left",
        ),
        (
            json!([{"product": "baguette", "quantity": 1}]),
            422,
            "the shop sells no product",
        ),
        (
            json!([{"product": "croissant", "options": {"Filling": "Ham"}, "quantity": 1}]),
            422,
            "comes in Filling Plain, Almond, Chocolate",
        ),
        (
            json!([{"product": "croissant", "options": {"Size": "XL", "Filling": "Plain"}, "quantity": 1}]),
            422,
            "has no option",
        ),
        (json!([]), 422, "the cart is empty"),
        (json!("not a cart"), 422, "the cart could not be read"),
    ] {
        let (got, body) = refused(cart.clone()).await;
        assert_eq!(got.as_u16(), status, "{cart}: {body}");
        assert!(body.contains(said), "{cart}: {body}");
    }
    let many: Vec<Value> = (0..10_000)
        .map(|_| json!({"product": "croissant", "quantity": 1}))
        .collect();
    let (got, body) = refused(Value::Array(many)).await;
    assert_eq!(got, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.contains("at most 50 lines"), "{body}");
    let nul = app
        .client
        .post(format!("{site}order"))
        .header(header::ACCEPT, "application/json")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body("cart=%5B%5D&name=Ana%00&email=ana%40example.com")
        .send()
        .await
        .unwrap();
    assert_eq!(nul.status(), StatusCode::BAD_REQUEST);
    let (status, orders) = app
        .send(
            Method::GET,
            "/api/sites/hearth-crumb-shop/orders",
            OWNER,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{orders}");
    assert_eq!(
        orders.as_array().unwrap().len(),
        1,
        "one order, whatever was sent"
    );

    // The shop and the customer each got the order once.
    let shop_mail = outbox(&app, "orders@hearthandcrumb.com").await;
    assert_eq!(shop_mail.len(), 1, "{shop_mail:?}");
    assert!(
        shop_mail[0]["body"]
            .as_str()
            .unwrap()
            .contains("2 × Country Sourdough: $17.00")
    );
    let customer_mail = outbox(&app, "ana@example.com").await;
    assert_eq!(customer_mail.len(), 1);
    assert!(
        customer_mail[0]["body"]
            .as_str()
            .unwrap()
            .contains("Total: $21.25")
    );
    assert!(
        customer_mail[0]["body"]
            .as_str()
            .unwrap()
            .contains("no payment was taken online")
    );

    // The owner fulfils then cancels it; a cancelled order cannot be fulfilled; another agent
    // may not touch it.
    let status_path = format!("/api/sites/hearth-crumb-shop/orders/{number}/status");
    let (status, _) = app
        .send(
            Method::POST,
            &status_path,
            "commerce_agent",
            Some(json!({"status": "fulfilled"})),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, fulfilled) = app
        .send(
            Method::POST,
            &status_path,
            OWNER,
            Some(json!({"status": "fulfilled", "reason": "Collected at 9:10"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{fulfilled}");
    assert_eq!(fulfilled["status"], "fulfilled");
    let (status, cancelled) = app
        .send(
            Method::POST,
            &status_path,
            OWNER,
            Some(json!({"status": "cancelled", "reason": "Refunded at the counter"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{cancelled}");
    assert_eq!(cancelled["history"].as_array().unwrap().len(), 3);
    let (status, _) = app
        .send(
            Method::POST,
            &status_path,
            OWNER,
            Some(json!({"status": "fulfilled"})),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    let told = outbox(&app, "ana@example.com").await;
    assert_eq!(
        told.len(),
        3,
        "the order, its fulfilment and its cancellation"
    );
    // The cancellation gave its two loaves back: twelve can be ordered again.
    let all = post_order(
        &app,
        "application/json",
        &checkout(
            json!([{"product": "country-sourdough", "quantity": 12}]),
            "cart-key-000002",
        ),
    )
    .await;
    assert_eq!(all.status(), StatusCode::CREATED);

    // A browser's checkout gets the confirmation page; a refused one, the cart with why.
    let mut form = checkout(
        json!([{"product": "seeded-rye", "quantity": 1, "price": 950}]),
        "cart-key-000003",
    );
    form[2] = ("name", "<script>alert(1)</script>".into());
    let page = post_order(&app, "text/html", &form).await;
    assert_eq!(page.status(), StatusCode::OK);
    assert_eq!(page.headers()["x-robots-tag"], "noindex");
    let html = page.text().await.unwrap();
    assert!(html.contains("data-order-placed=\"Q-"), "{html}");
    assert!(html.contains("$9.50"));
    assert!(!html.contains("<script>alert"));
    let page = post_order(
        &app,
        "text/html",
        &checkout(
            json!([{"product": "seeded-rye", "quantity": 1, "price": 1}]),
            "cart-key-000004",
        ),
    )
    .await;
    assert_eq!(page.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = page.text().await.unwrap();
    assert!(html.contains("Seeded Rye costs $9.50, not $0.01"), "{html}");
    assert!(
        html.contains("value=\"Ana Lima\""),
        "what was typed is kept"
    );
}

async fn the_council_sees_headlines_prices_and_every_merchant_link_before_it_votes(
    backend: Backend,
) {
    let app = TestApp::start(backend).await;
    app.propose(LANDING, landing_inputs()).await;
    app.propose(SHOP, shop_inputs()).await;
    app.propose(AFFILIATE, affiliate_inputs()).await;
    let dash = crate::dashboard::Dash::signed_in(&app, "user_c").await;
    let queue = dash.page("/dashboard/queue").await;
    let text = queue.body.replace("&amp;", "&");
    for needed in [
        "Second headline (half the visitors)",
        "Your first open-crumb sourdough, taught by working bakers",
        "Preferred weekend (required)",
        "I agree that Hearth & Crumb may e-mail me about this booking.",
        "Country Sourdough $8.50 (12 in stock)",
        "on pickup: no card is taken online",
        "Alpenglow UL2 → https://www.summitsupply.example/tents/alpenglow-ul2?aff=ridgeline",
    ] {
        assert!(text.contains(needed), "{needed} in the queue");
    }
}
