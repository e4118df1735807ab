//! Structured data for search engines, as schema.org JSON-LD: the business on every page
//! (a LocalBusiness when the inputs say where, when or by phone it is found, else an
//! Organization), the WebSite on the home page, and a BlogPosting on each post. Built with
//! serde_json, so every text is a JSON string, and escaped for the `<script>` it sits in.

use serde_json::{Map, Value, json};

use super::card::CARD_FILE;
use super::icons::TOUCH_ICON_FILE;
use super::images;
use super::layout::Ctx;
use super::seo::date_ok;
use super::{Page, PageKind};

const CONTEXT: &str = "https://schema.org";

/// What a BlogPosting says about its post. Made by [`posting`] from the page and the post
/// the inputs give for it, and taken on its own so any page showing a post can describe it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Posting<'a> {
    pub headline: &'a str,
    /// `YYYY-MM-DD`.
    pub date: &'a str,
    /// `None`: the business wrote it.
    pub author: Option<&'a str>,
}

/// The post a post page shows, as the inputs give it: by its chosen slug, else by its title.
/// A post the inputs do not give (the blog's first post) was published with the site.
pub(crate) fn posting<'a>(ctx: &Ctx<'a>, page: &'a Page) -> Posting<'a> {
    let post = ctx.inputs.posts.iter().find(|post| {
        post.slug
            .as_deref()
            .is_some_and(|slug| page.info.slug == format!("blog/{}", slug.trim()))
            || post.title.trim() == page.info.title
    });
    let date = post
        .map(|p| p.date.trim())
        .filter(|d| date_ok(d))
        .unwrap_or(ctx.spec.date.as_str());
    let author = post
        .and_then(|p| p.author.as_deref())
        .map(str::trim)
        .filter(|a| !a.is_empty());
    Posting {
        headline: &page.info.title,
        date,
        author,
    }
}

/// The JSON-LD documents of a page, each ready to be the text of a
/// `<script type="application/ld+json">`.
pub(crate) fn scripts(ctx: &Ctx, page: &Page) -> Vec<String> {
    let mut documents = vec![business(ctx)];
    match page.kind {
        PageKind::Home => documents.push(website(ctx)),
        PageKind::Post => documents.push(blog_posting(ctx, page, &posting(ctx, page))),
        PageKind::NotFound => return Vec::new(),
        _ => {}
    }
    documents.iter().map(script_text).collect()
}

/// JSON that no text inside can end the script with, nor turn into a comment: `<`, `>` and
/// `&` as `\u` escapes, which JSON reads as the same characters. (`<\/` alone would leave
/// `<!--<script>` able to make the page's own `</script>` part of the data.)
pub(crate) fn script_text(document: &Value) -> String {
    let json = document.to_string();
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            c => out.push(c),
        }
    }
    out
}

fn business_id(ctx: &Ctx) -> String {
    format!("{}#business", ctx.url(""))
}

/// Whether the inputs say enough to make the business a LocalBusiness.
fn is_local(ctx: &Ctx) -> bool {
    let contact = &ctx.inputs.contact;
    contact.address.is_some() || contact.phone.is_some() || !contact.opening_hours.is_empty()
}

/// The logo as a picture search engines read: the uploaded one's widest web-sized
/// rendition, else the touch icon (a 180-pixel PNG of the generated tile).
fn logo_url(ctx: &Ctx) -> String {
    let uploaded = ctx
        .inputs
        .logo
        .as_ref()
        .and_then(|logo| images::upload(ctx.media, logo))
        .and_then(|upload| {
            let variant = upload
                .variants
                .iter()
                .rev()
                .find(|v| v.width <= 1024)
                .or(upload.variants.first())?;
            Some(ctx.url(&images::variant_path(&upload.id, variant)))
        });
    uploaded.unwrap_or_else(|| ctx.url(TOUCH_ICON_FILE))
}

pub(crate) fn business(ctx: &Ctx) -> Value {
    let inputs = ctx.inputs;
    let kind = if is_local(ctx) {
        "LocalBusiness"
    } else {
        "Organization"
    };
    let mut business = Map::new();
    let mut put = |key: &str, value: Value| {
        business.insert(key.to_owned(), value);
    };
    put("@context", CONTEXT.into());
    put("@type", kind.into());
    put("@id", business_id(ctx).into());
    put("name", ctx.name().into());
    put("description", ctx.description().into());
    put("url", ctx.url("").into());
    put("email", inputs.contact_email.trim().into());
    put("logo", logo_url(ctx).into());
    put("image", ctx.url(CARD_FILE).into());
    if let Some(phone) = inputs.contact.phone.as_deref().map(str::trim) {
        put("telephone", phone.into());
    }
    if let Some(address) = &inputs.contact.address {
        let mut postal = Map::new();
        postal.insert("@type".into(), "PostalAddress".into());
        for (key, value) in [
            ("streetAddress", Some(&address.street)),
            ("addressLocality", Some(&address.locality)),
            ("addressRegion", address.region.as_ref()),
            ("postalCode", address.postal_code.as_ref()),
            ("addressCountry", address.country.as_ref()),
        ] {
            if let Some(value) = value.map(|v| v.trim()).filter(|v| !v.is_empty()) {
                postal.insert(key.into(), value.into());
            }
        }
        put("address", Value::Object(postal));
    }
    if !inputs.contact.opening_hours.is_empty() {
        let hours: Vec<Value> = inputs
            .contact
            .opening_hours
            .iter()
            .map(|h| {
                let days: Vec<&str> = h.days.iter().map(|d| d.schema_org()).collect();
                json!({
                    "@type": "OpeningHoursSpecification",
                    "dayOfWeek": days,
                    "opens": h.opens.trim(),
                    "closes": h.closes.trim(),
                })
            })
            .collect();
        put("openingHoursSpecification", hours.into());
    }
    let same_as: Vec<&str> = inputs
        .social_links
        .iter()
        .map(|l| l.url.trim())
        .filter(|u| u.starts_with("https://") || u.starts_with("http://"))
        .collect();
    if !same_as.is_empty() {
        put("sameAs", same_as.into());
    }
    Value::Object(business)
}

fn website(ctx: &Ctx) -> Value {
    json!({
        "@context": CONTEXT,
        "@type": "WebSite",
        "@id": format!("{}#website", ctx.url("")),
        "name": ctx.name(),
        "description": ctx.description(),
        "url": ctx.url(""),
        "inLanguage": ctx.inputs.language(),
        "publisher": {"@id": business_id(ctx)},
    })
}

pub(crate) fn blog_posting(ctx: &Ctx, page: &Page, posting: &Posting) -> Value {
    let url = ctx.url(&page.info.path);
    let publisher = json!({
        "@type": if is_local(ctx) { "LocalBusiness" } else { "Organization" },
        "@id": business_id(ctx),
        "name": ctx.name(),
        "logo": {"@type": "ImageObject", "url": logo_url(ctx)},
    });
    let author = match posting.author {
        Some(name) => json!({"@type": "Person", "name": name}),
        None => json!({"@type": "Organization", "@id": business_id(ctx), "name": ctx.name()}),
    };
    json!({
        "@context": CONTEXT,
        "@type": "BlogPosting",
        "headline": posting.headline,
        "datePublished": posting.date,
        "dateModified": posting.date,
        "author": author,
        "publisher": publisher,
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "url": url,
        "image": ctx.url(CARD_FILE),
        "inLanguage": ctx.inputs.language(),
    })
}
