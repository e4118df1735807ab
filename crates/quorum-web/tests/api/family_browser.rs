//! The website family as visitors use it, in headless Chromium: a lead form sent as a browser
//! sends it without script and again with the page's script; two products put in the cart,
//! the page reloaded, the cart still there, the order placed and confirmed; an affiliate link
//! followed to a merchant's page (a local server standing in for the merchant's site), the
//! click counted once. The shop's and the customer's e-mails arrive at a real SMTP server.
//! Every page has no axe-core violation and no console error at 375 and 1280 px.

use fantoccini::Locator;
use quorum_testkit::artifact_path;
use quorum_testkit::browser::Browser;
use reqwest::Method;
use serde_json::json;

use crate::dashboard_browser::{SOON, check_page, sign_in, until};
use crate::family::{affiliate_inputs, built, landing_inputs, shop_inputs};
use crate::helpers::{Backend, TestApp};

/// Loads `url` at both widths and checks it as a visitor's browser would: no console error,
/// no axe-core violation of any impact, nothing wider than the screen.
async fn check(browser: &Browser, url: &str, name: &str) {
    for width in [375, 1280] {
        browser.set_viewport(width, 900).await;
        browser.goto(url).await;
        visible(browser, url, &format!("{name}-{width}")).await;
    }
}

/// Checks the page as it is now.
async fn visible(browser: &Browser, what: &str, name: &str) {
    let errors = browser.console_errors().await;
    assert!(errors.is_empty(), "{what}: {errors:?}");
    let axe = browser.axe().await;
    assert!(axe.is_empty(), "{what}:\n{axe}");
    let fits = browser
        .execute("return document.documentElement.scrollWidth <= window.innerWidth;")
        .await;
    if fits != json!(true) {
        let wide = browser.execute("return Array.from(document.querySelectorAll('body *')).filter(e => e.getBoundingClientRect().right > window.innerWidth).slice(0, 8).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right));").await;
        panic!("{what} scrolls sideways: {wide}");
    }
    browser
        .screenshot(artifact_path(format!("family/{name}.png")))
        .await;
}

async fn fill(browser: &Browser, css: &str, text: &str) {
    let field = browser.client().find(Locator::Css(css)).await.unwrap();
    field.clear().await.unwrap();
    field.send_keys(text).await.unwrap();
}

async fn click(browser: &Browser, css: &str) {
    // Into the middle of the screen, as a visitor scrolls to what they click.
    browser
        .execute(&format!(
            "document.querySelector({}).scrollIntoView({{block: 'center', behavior: 'instant'}});",
            json!(css)
        ))
        .await;
    browser
        .client()
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .click()
        .await
        .unwrap();
}

/// A merchant's product page, as the affiliate link's target: the merchant's own site runs
/// nowhere here, so a local server stands in for it.
async fn merchant() -> String {
    let router = axum::Router::new().route(
        "/tents/alpenglow-ul2",
        axum::routing::get(|| async {
            axum::response::Html(
                "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Alpenglow UL2 — Summit Supply</title>\
                 <link rel=\"icon\" href=\"data:,\"></head><body><main><h1>Alpenglow UL2</h1></main></body></html>",
            )
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await });
    url
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn visitors_sign_up_order_and_click_through_and_the_business_hears_of_it() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let Some(smtp) = quorum_testkit::smtp::SmtpServer::start() else {
        return;
    };
    let mailer = quorum_service::Mailer::new(&smtp.url(), "Quorum <quorum@example.com>").unwrap();
    let app = TestApp::start_configured(Backend::Sqlite, false, |q| q.with_mailer(mailer)).await;
    let merchant = merchant().await;
    let mut affiliate = affiliate_inputs();
    affiliate["affiliate"]["products"][0]["url"] =
        json!(format!("{merchant}/tents/alpenglow-ul2?aff=ridgeline"));
    let workers = app.workers(2);
    built(&app, "website.create_landing_page", landing_inputs()).await;
    built(&app, "website.create_ecommerce_store", shop_inputs()).await;
    built(&app, "website.create_affiliate_site", affiliate).await;
    workers.shutdown().await;

    // The landing page: a lead sent as the browser sends the form without script, then one
    // sent by the page's script, which keeps the visitor on the page.
    let landing = format!("{}/sites/hearth-crumb-sourdough-school/", app.url);
    check(&browser, &landing, "landing").await;
    for (name, scripted) in [("Dana Okafor", false), ("Luis Romero", true)] {
        browser.set_viewport(1280, 900).await;
        browser.goto(&landing).await;
        if !scripted {
            // The script steps aside for a form marked plain: the browser posts it itself.
            browser
                .execute(
                    "document.querySelector('form.lead-form').setAttribute('data-plain', '1');",
                )
                .await;
        }
        fill(&browser, "#lead-name", name).await;
        fill(&browser, "#lead-email", "dana@example.com").await;
        browser
            .execute("document.querySelector('#lead-weekend').value = 'Next month';")
            .await;
        click(&browser, "#lead-consent").await;
        click(&browser, "form.lead-form button[type=submit]").await;
        match scripted {
            false => {
                until(
                    &browser,
                    "location.pathname.endsWith('/lead')",
                    SOON,
                    "the plain form's answer",
                )
                .await;
                let text = browser.execute("return document.body.innerText;").await;
                assert!(
                    text.as_str().unwrap().contains("We have your details"),
                    "{text}"
                );
                visible(&browser, "the lead's answer", "lead-answer").await;
            }
            true => {
                until(
                    &browser,
                    "document.querySelector('p.form-thanks') !== null",
                    SOON,
                    "the script's thanks",
                )
                .await;
                let path = browser.execute("return location.pathname;").await;
                assert_eq!(path, json!("/sites/hearth-crumb-sourdough-school/"));
                let focused = browser
                    .execute("return document.activeElement.className;")
                    .await;
                assert_eq!(
                    focused,
                    json!("lead form-thanks"),
                    "the thanks take the focus"
                );
                visible(&browser, "the landing page after a lead", "lead-thanks").await;
            }
        }
    }
    let (_, report) = app
        .send(
            Method::GET,
            "/api/sites/hearth-crumb-sourdough-school/leads",
            "agent_jermaine_super_action",
            None,
        )
        .await;
    let names: Vec<&str> = report["leads"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Luis Romero", "Dana Okafor"]);
    smtp.wait_for("Luis Romero <dana@example.com> signed up", SOON)
        .await;

    // The shop: two products into the cart, a reload, the order.
    let shop = format!("{}/sites/hearth-crumb-shop/", app.url);
    for page in ["", "products/croissant/", "shop/bread/", "cart/"] {
        check(
            &browser,
            &format!("{shop}{page}"),
            &format!("shop-{}", page.replace('/', "-")),
        )
        .await;
    }
    browser.set_viewport(1280, 900).await;
    browser
        .goto(&format!("{shop}products/country-sourdough/"))
        .await;
    fill(&browser, "#quantity", "2").await;
    click(&browser, "form.add-to-cart button[type=submit]").await;
    until(
        &browser,
        "document.querySelector('.cart-status').textContent.includes('Added')",
        SOON,
        "the first product added",
    )
    .await;
    browser.goto(&format!("{shop}products/croissant/")).await;
    browser
        .execute("document.querySelector('#option-0').value = 'Almond';")
        .await;
    click(&browser, "form.add-to-cart button[type=submit]").await;
    until(
        &browser,
        "document.querySelector('.cart-status').textContent.includes('Added')",
        SOON,
        "the second product added",
    )
    .await;
    browser.goto(&format!("{shop}cart/")).await;
    let rows = "document.querySelectorAll('.cart-lines tbody tr').length";
    until(
        &browser,
        &format!("{rows} === 2"),
        SOON,
        "two lines in the cart",
    )
    .await;
    browser.client().refresh().await.unwrap();
    until(
        &browser,
        &format!("{rows} === 2"),
        SOON,
        "two lines after a reload",
    )
    .await;
    let total = browser
        .execute("return document.querySelector('.cart-total').textContent;")
        .await;
    assert_eq!(total, json!("Total: $21.25"));
    visible(&browser, "the cart with two lines", "cart-lines").await;
    fill(&browser, "#order-name", "Ana Lima").await;
    fill(&browser, "#order-email", "ana@example.com").await;
    click(&browser, "form.checkout button[type=submit]").await;
    until(
        &browser,
        "document.querySelector('[data-order-placed]') !== null",
        SOON,
        "the confirmation",
    )
    .await;
    let number = browser
        .execute("return document.querySelector('[data-order-placed]').getAttribute('data-order-placed');")
        .await;
    let number = number.as_str().unwrap().to_owned();
    visible(&browser, "the order's confirmation", "order-placed").await;
    let cleared = browser
        .execute("return Object.keys(localStorage).length;")
        .await;
    assert_eq!(cleared, json!(0), "the placed cart is cleared");
    let (_, orders) = app
        .send(
            Method::GET,
            "/api/sites/hearth-crumb-shop/orders",
            "agent_jermaine_super_action",
            None,
        )
        .await;
    let orders = orders.as_array().unwrap();
    assert_eq!(orders.len(), 1);
    assert_eq!(
        (orders[0]["number"].as_str(), orders[0]["total"].as_i64()),
        (Some(number.as_str()), Some(2125))
    );
    let shop_mail = smtp
        .wait_for(
            &format!("Subject: New order {number} at Hearth & Crumb Bakery"),
            SOON,
        )
        .await;
    assert!(
        shop_mail.contains("2 × Country Sourdough: $17.00"),
        "{shop_mail}"
    );
    let customer_mail = smtp
        .wait_for(
            &format!("Subject: Your order {number} at Hearth & Crumb Bakery"),
            SOON,
        )
        .await;
    assert!(
        customer_mail.contains("To: ana@example.com"),
        "{customer_mail}"
    );

    // The affiliate site: a review's link to the merchant, counted once.
    let reviews = format!("{}/sites/ridgeline-gear-reviews/", app.url);
    check(&browser, &reviews, "affiliate").await;
    check(
        &browser,
        &format!("{reviews}reviews/alpenglow-ul2/"),
        "affiliate-review",
    )
    .await;
    check(
        &browser,
        &format!("{reviews}compare/backpacking-tents/"),
        "affiliate-compare",
    )
    .await;
    browser.set_viewport(1280, 900).await;
    browser
        .goto(&format!("{reviews}reviews/alpenglow-ul2/"))
        .await;
    click(&browser, "a[href*='go/alpenglow-ul2']").await;
    until(
        &browser,
        "document.title.includes('Summit Supply')",
        SOON,
        "the merchant's page",
    )
    .await;
    let landed = browser.execute("return location.href;").await;
    assert_eq!(
        landed,
        json!(format!("{merchant}/tents/alpenglow-ul2?aff=ridgeline"))
    );
    let (_, clicks) = app
        .send(
            Method::GET,
            "/api/sites/ridgeline-gear-reviews/clicks",
            "agent_jermaine_super_action",
            None,
        )
        .await;
    assert_eq!(clicks["total"], 1, "{clicks}");
    assert_eq!(
        clicks["links"][0]["pages"][0],
        json!({"page": "reviews/alpenglow-ul2", "clicks": 1})
    );

    // The owner's dashboard: what came in to each site, and an order fulfilled from it.
    sign_in(&browser, &app, "agent_jermaine_super_action").await;
    for (path, name) in [
        ("/dashboard/sites", "sites"),
        (
            "/dashboard/sites/hearth-crumb-sourdough-school",
            "site-landing",
        ),
        ("/dashboard/sites/hearth-crumb-shop", "site-shop"),
        ("/dashboard/sites/ridgeline-gear-reviews", "site-affiliate"),
    ] {
        check_page(&browser, &app, path, name, 375).await;
        check_page(&browser, &app, path, name, 1280).await;
    }
    browser
        .goto(&format!(
            "{}/dashboard/sites/hearth-crumb-sourdough-school",
            app.url
        ))
        .await;
    let text = browser
        .execute("return document.querySelector('main').innerText;")
        .await;
    let text = text.as_str().unwrap();
    assert!(
        text.contains("Luis Romero") && text.contains("Conversion rate"),
        "{text}"
    );
    browser
        .goto(&format!("{}/dashboard/sites/hearth-crumb-shop", app.url))
        .await;
    click(&browser, "form.inline button[type=submit]").await;
    until(
        &browser,
        "document.body.innerText.includes('the customer has been told')",
        SOON,
        "the order fulfilled",
    )
    .await;
    let (_, order) = app
        .send(
            Method::GET,
            &format!("/api/sites/hearth-crumb-shop/orders/{number}"),
            "agent_jermaine_super_action",
            None,
        )
        .await;
    assert_eq!(order["status"], "fulfilled");
    smtp.wait_for(
        &format!("Subject: Order {number} at Hearth & Crumb Bakery: fulfilled"),
        SOON,
    )
    .await;
}
