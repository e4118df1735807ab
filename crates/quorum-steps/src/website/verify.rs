//! Verify: fetch the live site from Quorum over HTTP and check what the type promises — every
//! page answers 200 and parses, with its SEO tags; every internal link resolves; every image
//! has alt text and its `src` and each `srcset` URL answer 200 as an image; form fields have
//! labels; the palette passes WCAG AA; the sitemap lists every page;
//! and the contact form accepts a message. What was checked goes into the outputs.

use std::collections::BTreeSet;
use std::sync::OnceLock;
use std::time::Duration;

use async_trait::async_trait;
use scraper::{Html, Selector};
use serde_json::{Value, json};

use super::Plan;
use crate::site::contrast_ratio;
use crate::{StepContext, StepError, StepHandler};

pub(crate) struct Verify;

fn client() -> &'static reqwest::Client {
    static CLIENT: OnceLock<reqwest::Client> = OnceLock::new();
    CLIENT.get_or_init(|| {
        reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("an HTTP client without TLS builds")
    })
}

/// The server not answering may pass (it is restarting): retry. Anything it answers is final.
fn unreachable(url: &str, e: reqwest::Error) -> StepError {
    StepError::Retryable(format!("could not fetch {url}: {e}"))
}

fn selector(css: &str) -> Selector {
    Selector::parse(css).expect("the verifier's selectors are valid")
}

struct Page {
    url: String,
    problems: Vec<String>,
    links: BTreeSet<String>,
    /// Every picture's `src` and `srcset` URL.
    images: BTreeSet<String>,
}

async fn fetch(url: &str) -> Result<(u16, String, String), StepError> {
    let response = client()
        .get(url)
        .send()
        .await
        .map_err(|e| unreachable(url, e))?;
    let status = response.status().as_u16();
    let kind = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let body = response.text().await.map_err(|e| unreachable(url, e))?;
    Ok((status, kind, body))
}

/// Checks one page's markup; returns what is wrong and the internal URLs it refers to.
fn inspect(plan: &Plan, url: &str, body: &str) -> Page {
    let doc = Html::parse_document(body);
    let mut problems = Vec::new();
    let mut need = |ok: bool, what: &str| {
        if !ok {
            problems.push(what.to_owned());
        }
    };
    let attr = |css: &str, name: &str| -> Option<String> {
        doc.select(&selector(css))
            .next()
            .and_then(|e| e.value().attr(name))
            .map(str::to_owned)
    };
    let filled = |v: Option<String>| v.is_some_and(|v| !v.trim().is_empty());
    need(filled(attr("html", "lang")), "html lang");
    need(
        doc.select(&selector("title"))
            .next()
            .is_some_and(|t| !t.text().collect::<String>().trim().is_empty()),
        "a title",
    );
    need(
        filled(attr("meta[name=description]", "content")),
        "a meta description",
    );
    need(
        filled(attr("meta[name=viewport]", "content")),
        "a viewport meta tag",
    );
    need(
        attr("link[rel=canonical]", "href").as_deref() == Some(url),
        "a canonical URL naming the page",
    );
    for og in ["og:title", "og:description", "og:url", "og:type"] {
        need(
            filled(attr(&format!("meta[property=\"{og}\"]"), "content")),
            og,
        );
    }
    need(doc.select(&selector("h1")).count() == 1, "exactly one h1");
    need(
        doc.select(&selector("main#main")).next().is_some(),
        "a main landmark with id main",
    );
    need(
        doc.select(&selector("a[href=\"#main\"]")).next().is_some(),
        "a skip link",
    );
    for img in doc.select(&selector("img")) {
        let alt = img.value().attr("alt");
        need(
            alt.is_some_and(|a| !a.trim().is_empty()),
            "alt text on every image",
        );
    }
    let labelled: BTreeSet<&str> = doc
        .select(&selector("label[for]"))
        .filter_map(|l| l.value().attr("for"))
        .collect();
    for field in doc.select(&selector("input, textarea, select")) {
        let element = field.value();
        let kind = element.attr("type").unwrap_or("text");
        if ["hidden", "submit", "button", "reset"].contains(&kind) {
            continue;
        }
        let ok = element.attr("id").is_some_and(|id| labelled.contains(id))
            || element.attr("aria-label").is_some()
            || element.attr("aria-labelledby").is_some();
        need(ok, "a label for every form field");
    }
    let base_path = plan
        .spec
        .base_url
        .split_once("://")
        .and_then(|(_, rest)| rest.find('/').map(|i| &rest[i..]))
        .unwrap_or("");
    let origin = plan
        .spec
        .base_url
        .strip_suffix(base_path)
        .unwrap_or(&plan.spec.base_url);
    // An internal URL as fetched; None for mailto:, fragments and other sites.
    let internal = |target: &str| {
        let target = target.split('#').next().unwrap_or_default();
        if target.starts_with(&plan.spec.base_url) {
            Some(target.to_owned())
        } else if !base_path.is_empty() && target.starts_with(base_path) {
            Some(format!("{origin}{target}"))
        } else {
            None
        }
    };
    let mut links = BTreeSet::new();
    for (css, name) in [
        ("a[href]", "href"),
        ("link[href]", "href"),
        ("script[src]", "src"),
    ] {
        for element in doc.select(&selector(css)) {
            let absolute = element.value().attr(name).and_then(internal);
            // The contact endpoint's POST target is no page to fetch.
            if let Some(absolute) = absolute.filter(|a| *a != plan.spec.contact_action) {
                links.insert(absolute);
            }
        }
    }
    let mut images = BTreeSet::new();
    for img in doc.select(&selector("img")) {
        let element = img.value();
        // Each candidate of a srcset is a URL and a width: `a.jpg 480w, b.jpg 960w`.
        let candidates = element
            .attr("srcset")
            .into_iter()
            .flat_map(|srcset| srcset.split(','))
            .filter_map(|candidate| candidate.split_whitespace().next());
        for target in element.attr("src").into_iter().chain(candidates) {
            match internal(target) {
                Some(absolute) => {
                    images.insert(absolute);
                }
                None => problems.push(format!("pictures from its own files, not {target:?}")),
            }
        }
    }
    Page {
        url: url.to_owned(),
        problems,
        links,
        images,
    }
}

#[async_trait]
impl StepHandler for Verify {
    async fn run(&self, ctx: &StepContext<'_>) -> Result<Value, StepError> {
        let plan = Plan::new(ctx).await?;
        let mut problems = Vec::new();
        let urls: Vec<String> = plan.site.pages.iter().map(|p| plan.url(&p.path)).collect();
        let fetched = futures::future::join_all(urls.iter().map(|u| fetch(u))).await;
        let mut pages = Vec::new();
        let mut links = BTreeSet::new();
        let mut images = BTreeSet::new();
        for (url, result) in urls.iter().zip(fetched) {
            let (status, kind, body) = result?;
            if status != 200 || !kind.starts_with("text/html") {
                problems.push(format!("{url} answered {status} {kind}"));
                continue;
            }
            let page = inspect(&plan, url, &body);
            problems.extend(page.problems.iter().map(|p| format!("{url} lacks {p}")));
            links.extend(page.links);
            images.extend(page.images);
            pages.push(json!({"url": page.url, "status": status, "problems": page.problems}));
        }
        let unchecked: Vec<&String> = links.iter().filter(|l| !urls.contains(l)).collect();
        let answers =
            futures::future::join_all(unchecked.iter().map(|l| client().get(l.as_str()).send()))
                .await;
        for (link, answer) in unchecked.iter().zip(answers) {
            let status = answer.map_err(|e| unreachable(link, e))?.status().as_u16();
            if status != 200 {
                problems.push(format!("the link {link} answers {status}"));
            }
        }
        problems.extend(check_images(&images).await?);
        let (_, _, sitemap) = fetch(&plan.url("sitemap.xml")).await?;
        let unlisted: Vec<&String> = urls
            .iter()
            .filter(|u| !sitemap.contains(&format!("<loc>{u}</loc>")))
            .collect();
        if !unlisted.is_empty() {
            problems.push(format!("the sitemap does not list {unlisted:?}"));
        }
        let (_, _, robots) = fetch(&plan.url("robots.txt")).await?;
        if !robots.contains(&format!("Sitemap: {}", plan.url("sitemap.xml"))) {
            problems.push("robots.txt does not point at the sitemap".into());
        }
        let mut contrast = Vec::new();
        for (role, fg, bg) in plan.site.palette.text_pairs() {
            let ratio = contrast_ratio(fg, bg);
            if ratio < 4.5 {
                problems.push(format!(
                    "{role} {fg} on {bg} has contrast {ratio:.2}, under 4.5"
                ));
            }
            contrast.push(json!({"role": role, "foreground": fg, "background": bg, "ratio": (ratio * 100.0).floor() / 100.0}));
        }
        if !problems.is_empty() {
            return Err(StepError::Permanent(format!(
                "the deployed site fails verification: {}",
                problems.join("; ")
            )));
        }
        let delivery = send_test_message(&plan).await?;
        Ok(json!({"verification": {
            "pages": pages,
            "links_checked": links.len(),
            "images_checked": images.len(),
            "sitemap_lists_every_page": true,
            "robots_points_at_sitemap": true,
            "contrast": contrast,
            "contact_form": {"accepted": true, "delivery": delivery},
        }}))
    }
}

/// What is wrong with the site's pictures at `urls`: each must answer 200 as an `image/*`.
async fn check_images(urls: &BTreeSet<String>) -> Result<Vec<String>, StepError> {
    let mut problems = Vec::new();
    let answers =
        futures::future::join_all(urls.iter().map(|u| client().get(u.as_str()).send())).await;
    for (url, answer) in urls.iter().zip(answers) {
        let answer = answer.map_err(|e| unreachable(url, e))?;
        let status = answer.status().as_u16();
        let kind = answer
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        if status != 200 || !kind.starts_with("image/") {
            problems.push(format!("the picture {url} answers {status} {kind}"));
        }
    }
    Ok(problems)
}

/// Posts a message through the contact form as a visitor would; returns its delivery
/// (`sent` with SMTP configured, `outbox` without).
async fn send_test_message(plan: &Plan) -> Result<String, StepError> {
    let action = &plan.spec.contact_action;
    let form = [
        ("name", "Quorum verification"),
        ("email", plan.inputs.contact_email.as_str()),
        (
            "message",
            &format!(
                "This message checks the contact form of deployment {}.",
                plan.spec.deployment_id
            ),
        ),
        ("website", ""),
    ];
    let response = client()
        .post(action)
        .header(reqwest::header::ACCEPT, "application/json")
        .form(&form)
        .send()
        .await
        .map_err(|e| unreachable(action, e))?;
    let status = response.status().as_u16();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    let delivery = body["delivery"].as_str().unwrap_or_default().to_owned();
    match (status, delivery.as_str()) {
        (201, "sent" | "outbox") => Ok(delivery),
        (201, _) => Err(StepError::Retryable(format!(
            "the contact form kept the test message but could not send it: {body}"
        ))),
        (429 | 503, _) => Err(StepError::Retryable(format!(
            "the contact form answered {status}: {body}"
        ))),
        _ => Err(StepError::Permanent(format!(
            "the contact form refused the test message with {status}: {body}"
        ))),
    }
}
