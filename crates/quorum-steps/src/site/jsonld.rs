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
    documents(ctx, page).iter().map(script_text).collect()
}

/// The `@type` of each JSON-LD document of a page, in the order the page holds them.
pub(crate) fn types(ctx: &Ctx, page: &Page) -> Vec<String> {
    documents(ctx, page)
        .iter()
        .filter_map(|d| d["@type"].as_str().map(str::to_owned))
        .collect()
}

fn documents(ctx: &Ctx, page: &Page) -> Vec<Value> {
    let mut documents = vec![business(ctx)];
    match page.kind {
        PageKind::Home | PageKind::Landing => documents.push(website(ctx)),
        PageKind::Review => documents.extend(product_review(ctx, page)),
        PageKind::Product => documents.extend(super::shop::product_jsonld(ctx, page)),
        PageKind::Post => documents.push(blog_posting(ctx, page, &posting(ctx, page))),
        PageKind::NotFound => return Vec::new(),
        _ => {}
    }
    documents
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

/// An affiliate site's review: the Product, reviewed by the business, with its rating.
fn product_review(ctx: &Ctx, page: &Page) -> Option<Value> {
    let affiliate = ctx.inputs.affiliate.as_ref()?;
    let links = super::affiliate_links(affiliate);
    let (_, product) = page.item.and_then(|i| links.get(i))?;
    Some(json!({
        "@context": CONTEXT,
        "@type": "Product",
        "name": product.name.trim(),
        "description": product.summary.trim(),
        "review": {
            "@type": "Review",
            "reviewRating": {
                "@type": "Rating",
                "ratingValue": super::affiliate::rating_text(product.rating),
                "bestRating": "5",
            },
            "author": {"@type": "Organization", "name": ctx.name()},
            "url": ctx.url(&page.info.path),
        },
    }))
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

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::site::tests::{seed_with_pages, spec};
    use crate::site::{Media, SiteInputs, generate};

    /// Every JSON-LD document of a page of the site, parsed.
    fn documents(inputs: &SiteInputs, file: &str) -> Vec<Value> {
        let site = generate(inputs, &spec(), &Media::default());
        let html = String::from_utf8(site.files[file].bytes.to_vec()).unwrap();
        let doc = scraper::Html::parse_document(&html);
        let selector = scraper::Selector::parse(r#"script[type="application/ld+json"]"#).unwrap();
        doc.select(&selector)
            .map(|s| serde_json::from_str(&s.text().collect::<String>()).unwrap())
            .collect()
    }

    const BASE: &str = "http://127.0.0.1:5000/sites/codex-digital-studios/";

    #[test]
    fn the_types_a_site_reports_are_those_its_pages_carry() {
        use crate::site::tests::{bakery, bakery_media};
        let site = generate(&bakery(), &spec(), &bakery_media());
        assert!(site.pages.len() > 4);
        for page in &site.pages {
            let html = String::from_utf8(site.files[&page.file].bytes.to_vec()).unwrap();
            let doc = scraper::Html::parse_document(&html);
            let selector =
                scraper::Selector::parse(r#"script[type="application/ld+json"]"#).unwrap();
            let types: Vec<String> = doc
                .select(&selector)
                .map(|s| serde_json::from_str::<Value>(&s.text().collect::<String>()).unwrap())
                .map(|d| d["@type"].as_str().unwrap().to_owned())
                .collect();
            assert!(!types.is_empty(), "{}", page.file);
            assert_eq!(site.structured_data[&page.file], types, "{}", page.file);
        }
    }

    #[test]
    fn a_business_without_an_address_phone_or_hours_is_an_organization() {
        for file in ["index.html", "about/index.html", "contact/index.html"] {
            let documents = documents(&seed_with_pages(), file);
            let business = &documents[0];
            assert_eq!(business["@context"], "https://schema.org");
            assert_eq!(business["@type"], "Organization", "{file}");
            assert_eq!(business["name"], "Codex Digital Studios");
            assert_eq!(business["url"], BASE);
            assert_eq!(business["email"], "hello@codexdigital.app");
            assert_eq!(business["logo"], format!("{BASE}apple-touch-icon.png"));
            assert_eq!(business["image"], format!("{BASE}assets/social-card.png"));
            assert!(business.get("address").is_none() && business.get("sameAs").is_none());
        }
    }

    #[test]
    fn an_address_phone_and_hours_make_a_local_business() {
        let mut inputs = seed_with_pages();
        inputs.contact = serde_json::from_value(json!({
            "phone": "+1 555 010 0199",
            "address": {"street": "12 Baker Street", "locality": "Springfield",
                        "region": "IL", "postal_code": "62701", "country": "US"},
            "opening_hours": [
                {"days": ["monday", "tuesday"], "opens": "08:00", "closes": "17:30"},
                {"days": ["saturday"], "opens": "09:00", "closes": "12:00"}
            ]
        }))
        .unwrap();
        inputs.social_links = serde_json::from_value(json!([
            {"url": "https://instagram.com/codex"},
            {"url": "javascript:alert(1)"}
        ]))
        .unwrap();
        let business = &documents(&inputs, "about/index.html")[0];
        assert_eq!(business["@type"], "LocalBusiness");
        assert_eq!(business["telephone"], "+1 555 010 0199");
        assert_eq!(
            business["address"],
            json!({"@type": "PostalAddress", "streetAddress": "12 Baker Street",
                   "addressLocality": "Springfield", "addressRegion": "IL",
                   "postalCode": "62701", "addressCountry": "US"})
        );
        assert_eq!(
            business["openingHoursSpecification"],
            json!([
                {"@type": "OpeningHoursSpecification", "dayOfWeek": ["Monday", "Tuesday"],
                 "opens": "08:00", "closes": "17:30"},
                {"@type": "OpeningHoursSpecification", "dayOfWeek": ["Saturday"],
                 "opens": "09:00", "closes": "12:00"}
            ])
        );
        assert_eq!(business["sameAs"], json!(["https://instagram.com/codex"]));

        // Any one of the three is enough.
        let mut phone_only = seed_with_pages();
        phone_only.contact.phone = Some("+44 20 7946 0000".into());
        assert_eq!(
            documents(&phone_only, "index.html")[0]["@type"],
            "LocalBusiness"
        );
    }

    #[test]
    fn the_home_page_describes_the_website_and_other_pages_do_not() {
        let mut inputs = seed_with_pages();
        inputs.language = Some("fr-CA".into());
        let home = documents(&inputs, "index.html");
        assert_eq!(home.len(), 2);
        assert_eq!(home[1]["@type"], "WebSite");
        assert_eq!(home[1]["url"], BASE);
        assert_eq!(home[1]["inLanguage"], "fr-CA");
        assert_eq!(home[1]["publisher"]["@id"], home[0]["@id"]);
        assert_eq!(documents(&inputs, "about/index.html").len(), 1);
        assert!(
            documents(&inputs, "404.html").is_empty(),
            "a missing page describes nothing"
        );
    }

    #[test]
    fn a_post_is_a_blog_posting_dated_by_its_post_or_the_site() {
        let documents_of_post = |inputs: &SiteInputs| documents(inputs, "blog/welcome/index.html");
        let posting = &documents_of_post(&seed_with_pages())[1];
        assert_eq!(posting["@type"], "BlogPosting");
        assert_eq!(posting["headline"], "Welcome to Codex Digital Studios");
        assert_eq!(posting["datePublished"], "2025-11-02", "its own date");
        assert_eq!(posting["author"]["@type"], "Organization");
        assert_eq!(posting["publisher"]["name"], "Codex Digital Studios");
        assert_eq!(
            posting["mainEntityOfPage"]["@id"],
            format!("{BASE}blog/welcome/")
        );
        assert_eq!(posting["image"], format!("{BASE}assets/social-card.png"));

        // The post the inputs give for the page: its own date and author.
        let mut inputs = seed_with_pages();
        inputs.posts = serde_json::from_value(json!([{
            "title": "Welcome to Codex Digital Studios", "date": "2025-11-02",
            "body": "Hello.", "author": "Ana Lima", "slug": "welcome"
        }]))
        .unwrap();
        let posting = &documents_of_post(&inputs)[1];
        assert_eq!(posting["datePublished"], "2025-11-02");
        assert_eq!(
            posting["author"],
            json!({"@type": "Person", "name": "Ana Lima"})
        );

        // A date that is not one is not published as one.
        inputs.posts[0].date = "soon".into();
        assert_eq!(documents_of_post(&inputs)[1]["datePublished"], "2026-03-14");
    }

    #[test]
    fn a_blog_posting_is_built_from_what_any_post_page_knows() {
        let inputs = seed_with_pages();
        let pages =
            crate::site::plan::plan(&inputs, crate::site::Words::for_language(inputs.language())).0;
        let (spec, media) = (spec(), Media::default());
        let ctx = Ctx::new(&inputs, &spec, &pages, &media, crate::site::Theme::Studio);
        let page = pages.iter().find(|p| p.kind == PageKind::Post).unwrap();
        let posting = blog_posting(
            &ctx,
            page,
            &Posting {
                headline: "Our new oven",
                date: "2024-02-29",
                author: Some("Jo"),
            },
        );
        assert_eq!(posting["headline"], "Our new oven");
        assert_eq!(posting["datePublished"], "2024-02-29");
        assert_eq!(posting["author"]["name"], "Jo");
    }

    #[test]
    fn a_hostile_name_stays_inside_its_json_ld() {
        let mut inputs = seed_with_pages();
        inputs.site_name = "</script><script>alert(1)</script><!--<script>".into();
        let site = generate(&inputs, &spec(), &Media::default());
        let html = String::from_utf8(site.files["index.html"].bytes.to_vec()).unwrap();
        assert!(!html.contains("<script>alert"));
        assert!(!html.contains("<!--<script>"));
        // Every script the page opens, it closes: one per JSON-LD document and main.js.
        assert_eq!(
            html.matches("<script").count(),
            html.matches("</script>").count()
        );
        assert_eq!(html.matches("<script").count(), 3);
        let documents = documents(&inputs, "index.html");
        assert_eq!(
            documents[0]["name"], inputs.site_name,
            "the text is kept, exactly"
        );
    }

    #[test]
    fn script_text_escapes_what_html_reads_inside_a_script() {
        let value = json!({"a": "</script>&<!--"});
        let text = script_text(&value);
        assert_eq!(text, r#"{"a":"\u003c/script\u003e\u0026\u003c!--"}"#);
        assert_eq!(serde_json::from_str::<Value>(&text).unwrap(), value);
    }
}
