//! Verify: fetch the live site from Quorum over HTTP and check what the type promises — every
//! page answers 200 and parses, with its SEO tags; every internal link resolves; every image
//! has alt text and its `src` and each `srcset` URL answer 200 as an image; form fields have
//! labels; every font the stylesheet names answers as woff2; every pair of the palette meets
//! its contrast; the sitemap lists every page; every page's JSON-LD parses, the home page is
//! titled by the site's name, the social card is a 1200 × 630 PNG and the favicon an ICO; and
//! the contact form accepts a message. What was checked goes into the outputs.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use async_trait::async_trait;
use scraper::{Html, Selector};
use serde_json::{Value, json};

mod family;
mod fonts;

use super::Plan;
use crate::site::{
    CARD_FILE, CARD_HEIGHT, CARD_WIDTH, FAVICON_FILE, contrast_ratio, ico_images, png_size,
};
use crate::{StepContext, StepError, StepHandler};

pub(crate) struct Verify;

pub(super) fn client() -> &'static reqwest::Client {
    static CLIENT: OnceLock<reqwest::Client> = OnceLock::new();
    CLIENT.get_or_init(|| {
        reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .user_agent(crate::VERIFIER_AGENT)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("an HTTP client without TLS builds")
    })
}

/// The server not answering may pass (it is restarting): retry. Anything it answers is final.
pub(super) fn unreachable(url: &str, e: reqwest::Error) -> StepError {
    StepError::Retryable(format!("could not fetch {url}: {e}"))
}

/// The verifier's selector `css`, parsed the first time it is asked for: every page of every
/// site is checked with the same few dozen.
pub(super) fn selector(css: &str) -> &'static Selector {
    static PARSED: Mutex<BTreeMap<String, &'static Selector>> = Mutex::new(BTreeMap::new());
    let mut parsed = PARSED.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(selector) = parsed.get(css) {
        return selector;
    }
    let selector = Selector::parse(css).expect("the verifier's selectors are valid");
    // Leaked on purpose: the set is the verifier's own, fixed in its code.
    let selector: &'static Selector = Box::leak(Box::new(selector));
    parsed.insert(css.to_owned(), selector);
    selector
}

struct Page {
    url: String,
    problems: Vec<String>,
    links: BTreeSet<String>,
    /// Every picture's `src` and `srcset` URL.
    images: BTreeSet<String>,
    /// The `@type` of each JSON-LD document, in page order.
    structured_data: Vec<String>,
    /// The affiliate links it carries (`…/go/{link}`, without the query).
    outbound: BTreeSet<String>,
}

/// The `@type` of each JSON-LD document of a page; an error names the first document that
/// does not parse or lacks `@context` or `@type`.
pub(crate) fn structured_data(doc: &Html) -> Result<Vec<String>, String> {
    let mut types = Vec::new();
    for (i, script) in doc
        .select(selector(r#"script[type="application/ld+json"]"#))
        .enumerate()
    {
        let text: String = script.text().collect();
        let document: Value = serde_json::from_str(&text)
            .map_err(|e| format!("JSON-LD document {} does not parse: {e}", i + 1))?;
        let kind = document["@type"].as_str().filter(|t| !t.is_empty());
        match (document["@context"].as_str(), kind) {
            (Some(_), Some(kind)) => types.push(kind.to_owned()),
            _ => {
                return Err(format!(
                    "JSON-LD document {} lacks @context or @type",
                    i + 1
                ));
            }
        }
    }
    Ok(types)
}

/// A response's Content-Type, empty when it has none.
pub(super) fn content_type(response: &reqwest::Response) -> String {
    response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

async fn fetch_bytes(url: &str) -> Result<(u16, String, Vec<u8>), StepError> {
    let response = client()
        .get(url)
        .send()
        .await
        .map_err(|e| unreachable(url, e))?;
    let status = response.status().as_u16();
    let kind = content_type(&response);
    let body = response.bytes().await.map_err(|e| unreachable(url, e))?;
    Ok((status, kind, body.to_vec()))
}

/// The social card and the favicon, as a browser or a social network fetches them.
async fn check_pictures(plan: &Plan, problems: &mut Vec<String>) -> Result<Value, StepError> {
    let card_url = plan.url(CARD_FILE);
    // Its size is in the IHDR chunk of its first 32 bytes: a social network's crawler asks
    // for no more to size a preview, and fetching the 80 KB whole cost every verify.
    let response = client()
        .get(&card_url)
        .header(reqwest::header::RANGE, "bytes=0-31")
        .send()
        .await
        .map_err(|e| unreachable(&card_url, e))?;
    let status = response.status().as_u16();
    let kind = content_type(&response);
    let card = response
        .bytes()
        .await
        .map_err(|e| unreachable(&card_url, e))?;
    let size = png_size(&card);
    if !matches!(status, 200 | 206)
        || kind != "image/png"
        || size != Some((CARD_WIDTH, CARD_HEIGHT))
    {
        problems.push(format!(
            "the social card {card_url} answered {status} {kind} with a picture of {size:?}, not a {CARD_WIDTH} × {CARD_HEIGHT} PNG"
        ));
    }
    let favicon_url = plan.url(FAVICON_FILE);
    let (status, _, favicon) = fetch_bytes(&favicon_url).await?;
    let sizes: Vec<u32> = ico_images(&favicon)
        .unwrap_or_default()
        .iter()
        .map(|(side, _)| *side)
        .collect();
    if status != 200 || sizes.is_empty() {
        problems.push(format!("{favicon_url} answered {status} without an icon"));
    }
    Ok(json!({
        "social_card": {"url": card_url, "width": CARD_WIDTH, "height": CARD_HEIGHT},
        "favicon": {"url": favicon_url, "sizes": sizes},
    }))
}

pub(super) async fn fetch(url: &str) -> Result<(u16, String, String), StepError> {
    let (status, kind, body) = fetch_bytes(url).await?;
    Ok((status, kind, String::from_utf8_lossy(&body).into_owned()))
}

/// `href` as an absolute URL from the page at `base`, without its fragment; None for what
/// cannot be one.
pub(crate) fn resolve(base: &str, href: &str) -> Option<String> {
    let mut url = reqwest::Url::parse(base).ok()?.join(href).ok()?;
    url.set_fragment(None);
    Some(url.into())
}

/// The `action` of every form in a page.
pub(crate) fn form_actions(html: &str) -> Vec<String> {
    Html::parse_document(html)
        .select(selector("form[action]"))
        .filter_map(|form| form.value().attr("action").map(str::to_owned))
        .collect()
}

/// Checks one page's markup, fetched from `url` and naming `canonical` as its canonical URL;
/// returns what is wrong and the internal URLs it refers to.
fn inspect(plan: &Plan, url: &str, canonical: &str, body: &str) -> Page {
    let doc = Html::parse_document(body);
    let mut problems = Vec::new();
    let mut need = |ok: bool, what: &str| {
        if !ok {
            problems.push(what.to_owned());
        }
    };
    let attr = |css: &str, name: &str| -> Option<String> {
        doc.select(selector(css))
            .next()
            .and_then(|e| e.value().attr(name))
            .map(str::to_owned)
    };
    let filled = |v: Option<String>| v.is_some_and(|v| !v.trim().is_empty());
    need(filled(attr("html", "lang")), "html lang");
    need(
        doc.select(selector("title"))
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
        attr("link[rel=canonical]", "href").as_deref() == Some(canonical),
        "a canonical URL naming the page",
    );
    for og in [
        "og:title",
        "og:description",
        "og:url",
        "og:type",
        "og:image",
    ] {
        need(
            filled(attr(&format!("meta[property=\"{og}\"]"), "content")),
            og,
        );
    }
    if url == plan.url("") {
        let title: String = doc
            .select(selector("title"))
            .next()
            .map(|t| t.text().collect())
            .unwrap_or_default();
        need(
            title.trim() == plan.inputs.site_name.trim(),
            "the site's name as its title",
        );
    }
    let structured_data = match structured_data(&doc) {
        Ok(types) => {
            need(!types.is_empty(), "JSON-LD");
            types
        }
        Err(e) => {
            need(false, &format!("JSON-LD that reads ({e})"));
            Vec::new()
        }
    };
    need(doc.select(selector("h1")).count() == 1, "exactly one h1");
    need(
        doc.select(selector("main#main")).next().is_some(),
        "a main landmark with id main",
    );
    need(
        doc.select(selector("a[href=\"#main\"]")).next().is_some(),
        "a skip link",
    );
    for img in doc.select(selector("img")) {
        let alt = img.value().attr("alt");
        need(
            alt.is_some_and(|a| !a.trim().is_empty()),
            "alt text on every image",
        );
    }
    let labelled: BTreeSet<&str> = doc
        .select(selector("label[for]"))
        .filter_map(|l| l.value().attr("for"))
        .collect();
    for field in doc.select(selector("input, textarea, select")) {
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
    let mut links = BTreeSet::new();
    for (css, name) in [
        ("a[href]", "href"),
        ("link[href]", "href"),
        ("script[src]", "src"),
    ] {
        for element in doc.select(selector(css)) {
            let Some(target) = element.value().attr(name) else {
                continue;
            };
            // Links are relative to the page; those that leave the site (mailto:, another
            // host, the canonical domain Quorum may not be reached at) are not followed.
            let Some(absolute) = resolve(url, target) else {
                continue;
            };
            // Quorum's endpoints are checked by what they do, not by GET.
            if absolute.starts_with(&format!("{}/", plan.spec.base_url))
                && absolute != plan.spec.contact_action
                && !family::is_endpoint(plan, &absolute)
            {
                links.insert(absolute);
            }
        }
    }
    let outbound = family::inspect(plan, url, &doc, &mut problems);
    let mut images = BTreeSet::new();
    for img in doc.select(selector("img")) {
        let element = img.value();
        // Each candidate of a srcset is a URL and a width: `a.jpg 480w, b.jpg 960w`.
        let candidates = element
            .attr("srcset")
            .into_iter()
            .flat_map(|srcset| srcset.split(','))
            .filter_map(|candidate| candidate.split_whitespace().next());
        for target in element.attr("src").into_iter().chain(candidates) {
            match resolve(url, target)
                .filter(|a| a.starts_with(&format!("{}/", plan.spec.base_url)))
            {
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
        structured_data,
        images,
        outbound,
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
        let mut outbound = BTreeSet::new();
        for ((url, page), result) in urls.iter().zip(&plan.site.pages).zip(fetched) {
            let (status, kind, body) = result?;
            if status != 200 || !kind.starts_with("text/html") {
                problems.push(format!("{url} answered {status} {kind}"));
                continue;
            }
            let page = inspect(&plan, url, &plan.canonical(&page.path), &body);
            problems.extend(page.problems.iter().map(|p| format!("{url} lacks {p}")));
            links.extend(page.links);
            images.extend(page.images);
            outbound.extend(page.outbound);
            pages.push(json!({
                "url": page.url,
                "status": status,
                "problems": page.problems,
                "structured_data": page.structured_data,
            }));
        }
        // The font check fetches the stylesheet and its fonts: the link check need not again.
        let (fonts, font_problems, fetched) = fonts::check(&plan).await?;
        problems.extend(font_problems);
        let unchecked: Vec<&String> = links
            .iter()
            .filter(|l| !urls.contains(l) && !fetched.contains(*l))
            .collect();
        // Only whether they answer is checked: HEAD, which the server answers as it would GET,
        // without sending bodies nobody reads (an unread body also closes the connection).
        let answers =
            futures::future::join_all(unchecked.iter().map(|l| client().head(l.as_str()).send()))
                .await;
        for (link, answer) in unchecked.iter().zip(answers) {
            let status = answer.map_err(|e| unreachable(link, e))?.status().as_u16();
            if status != 200 {
                problems.push(format!("the link {link} answers {status}"));
            }
        }
        problems.extend(check_images(&images).await?);
        let (_, _, sitemap) = fetch(&plan.url("sitemap.xml")).await?;
        let canonicals: Vec<String> = plan
            .site
            .pages
            .iter()
            .map(|p| plan.canonical(&p.path))
            .collect();
        let unlisted: Vec<&String> = canonicals
            .iter()
            .filter(|u| !sitemap.contains(&format!("<loc>{u}</loc>")))
            .collect();
        if !unlisted.is_empty() {
            problems.push(format!("the sitemap does not list {unlisted:?}"));
        }
        let (_, _, robots) = fetch(&plan.url("robots.txt")).await?;
        if !robots.contains(&format!("Sitemap: {}", plan.canonical("sitemap.xml"))) {
            problems.push("robots.txt does not point at the sitemap".into());
        }
        let domain = match &plan.inputs.domain {
            Some(domain) => {
                let found = at_domain(&plan, domain).await?;
                problems.extend(found.iter().map(|p| format!("at {domain}: {p}")));
                Some(json!({"domain": domain, "home_and_robots_served": found.is_empty()}))
            }
            None => None,
        };
        let pictures = check_pictures(&plan, &mut problems).await?;
        let family = family::check(&plan, &outbound, &mut problems).await?;
        let mut contrast = Vec::new();
        for pair in plan.site.palette.text_pairs() {
            let (fg, bg, minimum) = (pair.foreground, pair.background, pair.minimum);
            let ratio = contrast_ratio(fg, bg);
            if ratio.is_nan() || ratio < minimum {
                problems.push(format!(
                    "{} {fg} on {} {bg} has contrast {ratio:.2}, under {minimum}",
                    pair.role, pair.on
                ));
            }
            contrast.push(json!({"role": pair.role, "on": pair.on, "foreground": fg, "background": bg, "minimum": minimum, "ratio": (ratio * 100.0).floor() / 100.0}));
        }
        if !problems.is_empty() {
            return Err(StepError::Permanent(format!(
                "the deployed site fails verification: {}",
                problems.join("; ")
            )));
        }
        let has_contact = plan.site.pages.iter().any(|p| p.slug == "contact");
        let contact_form = match has_contact {
            true => json!({"accepted": true, "delivery": send_test_message(&plan).await?}),
            false => Value::Null,
        };
        let mut verification = json!({
            "pages": pages,
            "links_checked": links.len(),
            "images_checked": images.len(),
            "sitemap_lists_every_page": true,
            "robots_points_at_sitemap": true,
            "domain": domain,
            "home_title": plan.inputs.site_name.trim(),
            "social_card": pictures["social_card"],
            "favicon": pictures["favicon"],
            "contrast": contrast,
            "fonts": fonts,
            "contact_form": contact_form,
        });
        if let (Some(own), Some(all)) = (family.as_object(), verification.as_object_mut()) {
            all.extend(own.clone());
        }
        Ok(json!({ "verification": verification }))
    }
}

/// Asks Quorum for the site's home page and robots.txt as a request for `domain` would (the
/// domain's DNS may not point here yet, so the request goes to Quorum with the domain as its
/// `Host`); returns what is wrong.
async fn at_domain(plan: &Plan, domain: &str) -> Result<Vec<String>, StepError> {
    let origin = plan
        .spec
        .base_url
        .strip_suffix(&format!("/sites/{}", plan.spec.slug))
        .unwrap_or(&plan.spec.base_url);
    let mut problems = Vec::new();
    for (path, needed) in [
        (
            "",
            format!("<link rel=\"canonical\" href=\"{}\">", plan.canonical("")),
        ),
        (
            "robots.txt",
            format!("Sitemap: {}", plan.canonical("sitemap.xml")),
        ),
    ] {
        let url = format!("{origin}/{path}");
        let response = client()
            .get(&url)
            .header(reqwest::header::HOST, domain)
            .send()
            .await
            .map_err(|e| unreachable(&url, e))?;
        let status = response.status().as_u16();
        let body = response.text().await.map_err(|e| unreachable(&url, e))?;
        if status != 200 || !body.contains(&needed) {
            problems.push(format!("/{path} answered {status} without {needed:?}"));
        }
    }
    Ok(problems)
}

/// What is wrong with the site's pictures at `urls`: each must answer 200 as an `image/*`,
/// which HEAD tells without their bytes.
async fn check_images(urls: &BTreeSet<String>) -> Result<Vec<String>, StepError> {
    let mut problems = Vec::new();
    let answers =
        futures::future::join_all(urls.iter().map(|u| client().head(u.as_str()).send())).await;
    for (url, answer) in urls.iter().zip(answers) {
        let answer = answer.map_err(|e| unreachable(url, e))?;
        let status = answer.status().as_u16();
        let kind = content_type(&answer);
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

#[cfg(test)]
mod tests {
    use super::*;

    fn types(html: &str) -> Result<Vec<String>, String> {
        structured_data(&Html::parse_document(html))
    }

    #[test]
    fn structured_data_names_each_documents_type() {
        let html = r#"<head><script type="application/ld+json">{"@context":"https://schema.org","@type":"Organization"}</script>
            <script type="application/ld+json">{"@context":"https://schema.org","@type":"WebSite"}</script></head>"#;
        assert_eq!(types(html).unwrap(), ["Organization", "WebSite"]);
        assert_eq!(types("<p>none</p>").unwrap(), Vec::<String>::new());
    }

    #[test]
    fn structured_data_that_does_not_parse_or_lacks_its_type_is_named() {
        let broken = r#"<script type="application/ld+json">{"@context": </script>"#;
        assert!(
            types(broken)
                .unwrap_err()
                .contains("document 1 does not parse")
        );
        let untyped = r#"<script type="application/ld+json">{"@context":"https://schema.org","@type":"Thing"}</script>
            <script type="application/ld+json">{"@context":"https://schema.org"}</script>"#;
        assert!(
            types(untyped)
                .unwrap_err()
                .contains("document 2 lacks @context or @type")
        );
    }
}
