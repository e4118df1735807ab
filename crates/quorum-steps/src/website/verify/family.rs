//! What verify checks of the website family's own parts, on the live site: a landing page's
//! second variant and its lead form (refusing an empty lead, so no test lead is ever counted
//! as a conversion), and an affiliate site's links, each marked sponsored after the
//! disclosure and redirecting to exactly the merchant the inputs name.

use std::collections::BTreeSet;

use scraper::Html;
use serde_json::{Value, json};

use super::{client, fetch, selector, unreachable};
use crate::StepError;
use crate::site::{
    AFFILIATE_REL, GO_PREFIX, LEAD_ENDPOINT, ORDER_ENDPOINT, VARIANT_B_FILE, merchant_url,
};
use crate::website::Plan;

/// Whether `absolute` is one of Quorum's endpoints for the site rather than a file.
pub(super) fn is_endpoint(plan: &Plan, absolute: &str) -> bool {
    let Some(path) = absolute.strip_prefix(&format!("{}/", plan.spec.base_url)) else {
        return false;
    };
    (plan.inputs.landing.is_some() && path == LEAD_ENDPOINT)
        || (plan.inputs.shop.is_some() && path == ORDER_ENDPOINT)
        || (plan.inputs.affiliate.is_some() && path.starts_with(GO_PREFIX))
}

/// The affiliate links of the page at `url`, each checked for its `rel`; the page must open
/// with the disclosure when it has one.
pub(super) fn inspect(
    plan: &Plan,
    url: &str,
    doc: &Html,
    problems: &mut Vec<String>,
) -> BTreeSet<String> {
    let mut outbound = BTreeSet::new();
    if plan.inputs.affiliate.is_none() {
        return outbound;
    }
    let go = format!("{}/{GO_PREFIX}", plan.spec.base_url);
    for link in doc.select(selector("a[href]")) {
        let element = link.value();
        let Some(absolute) = element.attr("href").and_then(|h| super::resolve(url, h)) else {
            continue;
        };
        if !absolute.starts_with(&go) {
            continue;
        }
        if element.attr("rel") != Some(AFFILIATE_REL) {
            problems.push(format!("rel=\"{AFFILIATE_REL}\" on its link to {absolute}"));
        }
        outbound.insert(absolute.split('?').next().unwrap_or_default().to_owned());
    }
    if !outbound.is_empty()
        && doc
            .select(selector("main aside.disclosure"))
            .next()
            .is_none()
    {
        problems.push("the affiliate disclosure before its links".into());
    }
    outbound
}

/// Checks the family's parts; returns what joins the verification's outputs.
pub(super) async fn check(
    plan: &Plan,
    outbound: &BTreeSet<String>,
    problems: &mut Vec<String>,
) -> Result<Value, StepError> {
    let mut found = serde_json::Map::new();
    if let Some(landing) = &plan.inputs.landing {
        let mut variants =
            vec![json!({"variant": "a", "headline": landing.headline.trim(), "url": plan.url("")})];
        if landing.has_variants() {
            let url = plan.url(VARIANT_B_FILE);
            let (status, _, body) = fetch(&url).await?;
            let h1: String = Html::parse_document(&body)
                .select(selector("h1"))
                .next()
                .map(|h| h.text().collect())
                .unwrap_or_default();
            let headline = landing.headline(crate::site::Variant::B);
            if status != 200 || h1.trim() != headline {
                problems.push(format!(
                    "{url} answered {status} without the headline {headline:?}"
                ));
            }
            variants.push(json!({"variant": "b", "headline": headline, "url": url}));
        }
        found.insert("variants".into(), json!(variants));
        found.insert(
            "lead_form".into(),
            refuses_an_empty_lead(plan, problems).await?,
        );
    }
    if let Some(affiliate) = &plan.inputs.affiliate {
        let go = format!("{}/{GO_PREFIX}", plan.spec.base_url);
        let mut links = Vec::new();
        for url in outbound {
            let link = url.strip_prefix(&go).unwrap_or_default();
            let expected = merchant_url(affiliate, link);
            // HEAD: answered as GET would be, but not counted as a click.
            let response = client()
                .head(url)
                .send()
                .await
                .map_err(|e| unreachable(url, e))?;
            let status = response.status().as_u16();
            let header = |name: &str| {
                response
                    .headers()
                    .get(name)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default()
                    .to_owned()
            };
            let location = header("location");
            if status != 302 || Some(location.as_str()) != expected {
                problems.push(format!(
                    "the link {url} answered {status} to {location:?}, not 302 to {expected:?}"
                ));
            }
            if !header("x-robots-tag").contains("noindex") {
                problems.push(format!(
                    "the link {url} answered without X-Robots-Tag: noindex"
                ));
            }
            links.push(json!({"url": url, "merchant_url": location}));
        }
        found.insert("affiliate_links".into(), json!(links));
    }
    if plan.inputs.shop.is_some() {
        found.insert(
            "checkout".into(),
            refuses_an_empty_cart(plan, problems).await?,
        );
    }
    Ok(Value::Object(found))
}

/// Posts an order of an empty cart: the endpoint must read the deployed catalogue and refuse
/// it. No order is made, no stock taken, no e-mail sent.
async fn refuses_an_empty_cart(
    plan: &Plan,
    problems: &mut Vec<String>,
) -> Result<Value, StepError> {
    let url = plan.url(ORDER_ENDPOINT);
    let response = client()
        .post(&url)
        .header(reqwest::header::ACCEPT, "application/json")
        .form(&[
            ("cart", "[]"),
            ("name", "Quorum verification"),
            ("email", plan.inputs.contact_email.as_str()),
        ])
        .send()
        .await
        .map_err(|e| unreachable(&url, e))?;
    let status = response.status().as_u16();
    if status == 503 || status == 429 {
        return Err(StepError::Retryable(format!(
            "the checkout answered {status}"
        )));
    }
    if status != 422 {
        problems.push(format!(
            "the checkout at {url} answered an empty cart with {status}, not 422"
        ));
    }
    Ok(json!({"url": url, "refuses_empty_cart": status == 422}))
}

/// Posts an empty lead: the endpoint must read the deployed form and refuse it, naming the
/// name and the e-mail (and the consent, when the form asks for it). Nothing is kept.
async fn refuses_an_empty_lead(
    plan: &Plan,
    problems: &mut Vec<String>,
) -> Result<Value, StepError> {
    let url = plan.url(LEAD_ENDPOINT);
    let response = client()
        .post(&url)
        .header(reqwest::header::ACCEPT, "application/json")
        .form(&[("name", ""), ("email", "")])
        .send()
        .await
        .map_err(|e| unreachable(&url, e))?;
    let status = response.status().as_u16();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    let fields: BTreeSet<&str> = body["error"]["details"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|d| d["field"].as_str())
        .collect();
    if status == 503 || status == 429 {
        return Err(StepError::Retryable(format!(
            "the lead form answered {status}: {body}"
        )));
    }
    if status != 422 || !fields.contains("name") || !fields.contains("email") {
        problems.push(format!(
            "the lead form at {url} answered an empty lead with {status} {body}, not 422 naming name and email"
        ));
    }
    Ok(json!({"url": url, "refuses_empty_lead": status == 422, "fields": fields}))
}
