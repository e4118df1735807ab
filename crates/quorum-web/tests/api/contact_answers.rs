//! The contact form's answers, browser-free: a refused submission comes back as the site's
//! contact page with what was typed and each problem beside its field (no JavaScript
//! needed), a kept one as the site's thank-you page, both in the site's own layout and never
//! indexed; JSON clients get JSON, and a bot filling the honeypot cannot tell it was caught.

use std::time::Duration;

use reqwest::{Method, StatusCode, Url, header};
use scraper::{Html, Selector};
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp};

const WITHIN: Duration = Duration::from_secs(30);
const SLUG: &str = "codex-digital-studios";

/// Builds the seed's site and returns its contact endpoint.
async fn site(app: &TestApp) -> String {
    let inputs = json!({
        "site_name": "Codex Digital Studios",
        "site_description": "AI-powered web development",
        "contact_email": "hello@codexdigital.app",
        "about": "We build websites for small businesses, and look after them.",
        "services": [{"name": "Web design", "description": "Sites that load fast and read well."}],
        "posts": [{"title": "Why fast pages sell", "date": "2026-11-02", "body": "Every second counts."}]
    });
    site_of(app, inputs, SLUG).await
}

/// Builds a site from `inputs` through its workflow and returns its contact endpoint.
async fn site_of(app: &TestApp, inputs: Value, slug: &str) -> String {
    let body = json!({"workflow_type_id": "website.create_basic_site", "inputs": inputs});
    let (status, created) = app
        .send(
            Method::POST,
            "/api/workflows",
            "agent_jermaine_super_action",
            Some(body),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let id = created["id"].as_str().unwrap();
    for member in ["user_council_lead", "user_b"] {
        let (status, body) = app.vote(member, id, "approve", "on brand").await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let workers = app.workers(1);
    app.wait_for(id, "COMPLETED", WITHIN).await;
    workers.shutdown().await;
    format!("{}/sites/{slug}/contact", app.url)
}

async fn post(
    app: &TestApp,
    action: &str,
    form: &[(&str, &str)],
    accept: &str,
) -> reqwest::Response {
    app.client
        .post(action)
        .header(header::ACCEPT, accept)
        .form(form)
        .send()
        .await
        .unwrap()
}

fn one<'a>(doc: &'a Html, css: &str) -> scraper::ElementRef<'a> {
    doc.select(&Selector::parse(css).unwrap())
        .next()
        .unwrap_or_else(|| panic!("no {css}"))
}

fn count(doc: &Html, css: &str) -> usize {
    doc.select(&Selector::parse(css).unwrap()).count()
}

/// What every answer carries: the site's stylesheet (which answers from where the page was
/// served), its header and navigation, and noindex.
async fn in_the_sites_layout(app: &TestApp, action: &str, doc: &Html) {
    assert_eq!(count(doc, "meta[name=robots][content=noindex]"), 1);
    assert_eq!(count(doc, "link[rel=canonical]"), 0);
    assert_eq!(
        count(doc, "header.site-header nav.site-nav a"),
        10,
        "the site's navigation, in the phone's menu and the wide list"
    );
    assert_eq!(count(doc, "footer.site-footer"), 1);
    let stylesheet = one(doc, "link[rel=stylesheet]")
        .value()
        .attr("href")
        .unwrap();
    let css = Url::parse(action).unwrap().join(stylesheet).unwrap();
    assert_eq!(css.path(), format!("/sites/{SLUG}/assets/main.css"));
    let fetched = app.client.get(css).send().await.unwrap();
    assert_eq!(fetched.status(), StatusCode::OK);
    assert!(
        fetched.headers()[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/css")
    );
    let about = one(doc, "nav.site-nav a[href$='about/']")
        .value()
        .attr("href")
        .unwrap();
    let about = Url::parse(action).unwrap().join(about).unwrap();
    assert_eq!(
        app.client.get(about).send().await.unwrap().status(),
        StatusCode::OK
    );
}

async fn a_refused_submission_comes_back_with_what_was_typed_and_each_problem_beside_its_field(
    backend: Backend,
) {
    let app = TestApp::start(backend).await;
    let action = site(&app).await;
    let typed_message = "Could you build us a shop?\nWith a <b>cart</b> & all.";
    let refused = post(
        &app,
        &action,
        &[
            ("name", "Ana \"Lima\" <ana>"),
            ("email", "not an address"),
            ("message", typed_message),
            ("website", ""),
        ],
        "text/html,application/xhtml+xml",
    )
    .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused.headers()["x-robots-tag"], "noindex");
    assert_eq!(refused.headers()[header::CACHE_CONTROL], "no-store");
    let doc = Html::parse_document(&refused.text().await.unwrap());
    in_the_sites_layout(&app, &action, &doc).await;

    // The same form as the contact page's, filled in as the visitor left it.
    let name = one(&doc, "form.contact-form input#contact-name");
    assert_eq!(name.value().attr("value"), Some("Ana \"Lima\" <ana>"));
    assert_eq!(name.value().attr("aria-invalid"), None);
    let email = one(&doc, "input#contact-email");
    assert_eq!(email.value().attr("value"), Some("not an address"));
    assert_eq!(email.value().attr("aria-invalid"), Some("true"));
    assert_eq!(email.value().attr("maxlength"), Some("254"));
    let message = one(&doc, "textarea#contact-message");
    assert_eq!(message.text().collect::<String>(), typed_message);
    let honeypot = one(&doc, "input[name=website]");
    assert_eq!(honeypot.value().attr("value"), None);

    // The e-mail's problem beside it, named by the field, and summed up at the top with a
    // link to the field.
    let described = email.value().attr("aria-describedby").unwrap();
    let problem = one(&doc, &format!("#{described}"));
    assert!(
        problem
            .text()
            .collect::<String>()
            .contains("Give an e-mail address such as ana@example.com"),
        "{}",
        problem.html()
    );
    let field = one(&doc, "input#contact-email").parent().unwrap();
    assert!(
        scraper::ElementRef::wrap(field)
            .unwrap()
            .html()
            .contains(described),
        "the problem sits in the e-mail's own field"
    );
    let summary = one(&doc, "form.contact-form > .error-summary[role=alert]");
    assert!(
        summary
            .text()
            .collect::<String>()
            .contains("Your message was not sent")
    );
    assert_eq!(
        one(&doc, ".error-summary a").value().attr("href"),
        Some("#contact-email")
    );
    assert_eq!(count(&doc, "[aria-invalid=true]"), 1);
    assert_eq!(
        count(
            &doc,
            "script:not([src]):not([type=\"application/ld+json\"])"
        ),
        0,
        "no inline script (JSON-LD is data): the page needs none"
    );

    // Sent again, corrected, from the answer's own form: it posts to the same endpoint.
    let form_action = one(&doc, "form.contact-form")
        .value()
        .attr("action")
        .unwrap();
    let again = Url::parse(&action).unwrap().join(form_action).unwrap();
    assert_eq!(again.as_str(), action);
    let kept = post(
        &app,
        again.as_str(),
        &[
            ("name", "Ana Lima"),
            ("email", "ana@example.com"),
            ("message", typed_message),
            ("website", ""),
        ],
        "text/html",
    )
    .await;
    assert_eq!(kept.status(), StatusCode::OK);
    let messages = app.get(&format!("/api/sites/{SLUG}/messages")).await;
    assert_eq!(messages[0]["message"], typed_message.trim());

    // A problem with the whole submission (too many messages) keeps what was typed too.
    let mut limited = None;
    for _ in 0..6 {
        let answer = post(
            &app,
            &action,
            &[
                ("name", "Ana"),
                ("email", "ana@example.com"),
                ("message", "Once more"),
                ("website", ""),
            ],
            "text/html",
        )
        .await;
        if answer.status() == StatusCode::TOO_MANY_REQUESTS {
            limited = Some(answer.text().await.unwrap());
            break;
        }
    }
    let doc = Html::parse_document(&limited.expect("the sixth message in a minute is refused"));
    assert!(
        one(&doc, ".error-summary li")
            .text()
            .collect::<String>()
            .starts_with("At most 5 messages")
    );
    assert_eq!(
        one(&doc, "textarea#contact-message")
            .text()
            .collect::<String>(),
        "Once more"
    );
    assert_eq!(
        count(&doc, "[aria-invalid=true]"),
        0,
        "no field is at fault"
    );
}

async fn the_answers_are_the_sites_pages_and_json_clients_still_get_json(backend: Backend) {
    let app = TestApp::start(backend).await;
    let action = site(&app).await;
    let good = [
        ("name", "Ana"),
        ("email", "ana@example.com"),
        ("message", "Hello"),
        ("website", ""),
    ];
    let thanks = post(&app, &action, &good, "text/html").await;
    assert_eq!(thanks.status(), StatusCode::OK);
    assert_eq!(thanks.headers()["x-robots-tag"], "noindex");
    let thanks = thanks.text().await.unwrap();
    let doc = Html::parse_document(&thanks);
    in_the_sites_layout(&app, &action, &doc).await;
    assert_eq!(one(&doc, "main h1").text().collect::<String>(), "Thank you");
    assert!(
        thanks.contains("Your message has been received."),
        "no SMTP server: kept, not sent"
    );
    assert!(!thanks.contains("has been sent"));

    // A bot that fills the honeypot gets the very same page, and JSON of the same shape.
    let mut spam = good;
    spam[3].1 = "http://spam.example";
    let caught = post(&app, &action, &spam, "text/html").await;
    assert_eq!(caught.status(), StatusCode::OK);
    assert_eq!(caught.text().await.unwrap(), thanks);
    let real: Value = post(&app, &action, &good, "application/json")
        .await
        .json()
        .await
        .unwrap();
    let fake = post(&app, &action, &spam, "application/json").await;
    assert_eq!(fake.status(), StatusCode::CREATED);
    let fake: Value = fake.json().await.unwrap();
    assert_eq!(real["delivery"], fake["delivery"]);
    let (real_id, fake_id) = (real["id"].as_str().unwrap(), fake["id"].as_str().unwrap());
    assert!(real_id.starts_with("msg_") && fake_id.starts_with("msg_"));
    assert_eq!(real_id.len(), fake_id.len());
    assert_eq!(
        real.as_object().unwrap().keys().collect::<Vec<_>>(),
        fake.as_object().unwrap().keys().collect::<Vec<_>>()
    );

    // JSON clients are refused in JSON, field by field, as before.
    let refused = post(
        &app,
        &action,
        &[
            ("name", ""),
            ("email", "ana@example.com"),
            ("message", "Hi"),
            ("website", ""),
        ],
        "application/json",
    )
    .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["error"]["code"], "validation_failed");
    assert_eq!(body["error"]["details"][0]["field"], "name");
    let messages = app.get(&format!("/api/sites/{SLUG}/messages")).await;
    assert_eq!(
        messages.as_array().unwrap().len(),
        3,
        "verify's and the two real ones"
    );
}

async fn a_french_site_answers_in_french_and_json_clients_still_get_english(backend: Backend) {
    let app = TestApp::start(backend).await;
    let action = site_of(
        &app,
        json!({
            "site_name": "Atelier Lumière",
            "site_description": "Un studio de design graphique à Lyon",
            "contact_email": "bonjour@atelier-lumiere.fr",
            "language": "fr-FR"
        }),
        "atelier-lumiere",
    )
    .await;
    let refused = post(
        &app,
        &action,
        &[
            ("name", ""),
            ("email", "ana@example.com"),
            ("message", &"m".repeat(5_001)),
            ("website", ""),
        ],
        "text/html",
    )
    .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let doc = Html::parse_document(&refused.text().await.unwrap());
    assert_eq!(
        one(&doc, ".error-summary h2").text().collect::<String>(),
        "Votre message n’a pas été envoyé"
    );
    let summary: Vec<String> = doc
        .select(&Selector::parse(".error-summary li").unwrap())
        .map(|li| li.text().collect())
        .collect();
    assert_eq!(
        summary,
        [
            "Indiquez un nom de 1 à 100 caractères",
            "Écrivez un message de 1 à 5000 caractères"
        ]
    );
    assert_eq!(
        one(&doc, "#contact-name-error").text().collect::<String>(),
        "Erreur\u{a0}: Indiquez un nom de 1 à 100 caractères"
    );
    assert_eq!(
        one(&doc, "label[for=contact-name]")
            .text()
            .collect::<String>(),
        "Nom"
    );

    let thanks = post(
        &app,
        &action,
        &[
            ("name", "Ana"),
            ("email", "ana@example.com"),
            ("message", "Bonjour"),
            ("website", ""),
        ],
        "text/html",
    )
    .await;
    assert_eq!(thanks.status(), StatusCode::OK);
    let doc = Html::parse_document(&thanks.text().await.unwrap());
    assert_eq!(one(&doc, "main h1").text().collect::<String>(), "Merci");
    assert_eq!(
        one(&doc, "main p.lead").text().collect::<String>(),
        "Votre message a bien été reçu. Nous vous répondrons à l’adresse indiquée."
    );

    // The site's language is the page's; the API speaks English, as it always has.
    let json = post(
        &app,
        &action,
        &[
            ("name", ""),
            ("email", "ana@example.com"),
            ("message", "Bonjour"),
            ("website", ""),
        ],
        "application/json",
    )
    .await;
    let body: Value = json.json().await.unwrap();
    assert_eq!(
        body["error"]["details"][0]["message"],
        "give a name of 1 to 100 characters"
    );
}

crate::on_both_backends!(
    a_refused_submission_comes_back_with_what_was_typed_and_each_problem_beside_its_field,
    the_answers_are_the_sites_pages_and_json_clients_still_get_json,
    a_french_site_answers_in_french_and_json_clients_still_get_english,
);
