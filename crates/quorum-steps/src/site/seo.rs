//! What search engines and social networks read: each page's title and the head tags for
//! sharing (Open Graph and Twitter with the social card, the icons, the JSON-LD of
//! `jsonld.rs`); `sitemap.xml` listing every page's canonical URL with its date, and
//! `robots.txt` pointing at it. Also the XML escaping the sitemap, logo and card share.

use maud::{Markup, PreEscaped, html};

use super::card::{self, CARD_FILE};
use super::icons::{self, FAVICON_FILE, TOUCH_ICON_FILE};
use super::jsonld;
use super::layout::{Ctx, Meta};
use super::{LOGO_FILE, Page, PageKind};

/// A page's `<title>`: the site's name alone on the home page, which is the site; elsewhere
/// the page's, then the site's.
pub(crate) fn title(ctx: &Ctx, page: &Page) -> String {
    match page.kind {
        PageKind::Home | PageKind::Landing => ctx.name().to_owned(),
        _ => format!("{} — {}", page.info.title, ctx.name()),
    }
}

/// Open Graph's form of a BCP 47 tag: `fr-CA` → `fr_CA`, `pt` → `pt`; the language and its
/// region only (`zh-Hant-TW` → `zh_TW`), and `en` for a tag that does not start with one.
pub(crate) fn og_locale(tag: &str) -> String {
    let mut parts = tag.trim().split(['-', '_']);
    let language = parts.next().unwrap_or_default();
    if !(2..=3).contains(&language.len()) || !language.bytes().all(|b| b.is_ascii_alphabetic()) {
        return "en".into();
    }
    let region = parts.find(|p| {
        (p.len() == 2 && p.bytes().all(|b| b.is_ascii_alphabetic()))
            || (p.len() == 3 && p.bytes().all(|b| b.is_ascii_digit()))
    });
    match region {
        Some(region) => format!(
            "{}_{}",
            language.to_ascii_lowercase(),
            region.to_ascii_uppercase()
        ),
        None => language.to_ascii_lowercase(),
    }
}

/// The head tags for sharing and search: the social card for Open Graph and Twitter, the
/// icons, and the page's JSON-LD.
pub(crate) fn head(ctx: &Ctx, meta: &Meta) -> Markup {
    let card_url = ctx.url(CARD_FILE);
    let alt = card::alt(ctx);
    html! {
        meta property="og:image" content=(card_url);
        meta property="og:image:width" content=(card::WIDTH);
        meta property="og:image:height" content=(card::HEIGHT);
        meta property="og:image:type" content="image/png";
        meta property="og:image:alt" content=(alt);
        meta property="og:locale" content=(og_locale(ctx.inputs.language()));
        // X reads the card's title, description and image from Open Graph when it has no
        // tags of its own, so only what Open Graph cannot say is repeated for it.
        meta name="twitter:card" content="summary_large_image";
        meta name="twitter:image:alt" content=(alt);
        link rel="icon" href=(ctx.href(FAVICON_FILE)) sizes="32x32";
        // The generated tile scales as SVG; an uploaded logo has only its pictures.
        @if icons::uploaded_logo(ctx).is_none() {
            link rel="icon" href=(ctx.href(LOGO_FILE)) type="image/svg+xml";
        }
        link rel="apple-touch-icon" href=(ctx.href(TOUCH_ICON_FILE));
        @for script in jsonld::scripts(ctx, meta.page) {
            // Escaped for a script element by `script_text`; HTML escaping would break it.
            script type="application/ld+json" { (PreEscaped(script)) }
        }
    }
}

/// `YYYY-MM-DD` with a month and day that can exist: what `lastmod` and `datePublished` take.
pub(crate) fn date_ok(date: &str) -> bool {
    let b = date.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    if b.len() != 10
        || b[4] != b'-'
        || b[7] != b'-'
        || !digits(0..4)
        || !digits(5..7)
        || !digits(8..10)
    {
        return false;
    }
    let month: u8 = date[5..7].parse().unwrap_or(0);
    let day: u8 = date[8..10].parse().unwrap_or(0);
    (1..=12).contains(&month) && (1..=31).contains(&day)
}

/// When a page last changed: a post, the day it was published; any other page, the day its
/// workflow was created (the site changes only by a new workflow).
pub(crate) fn lastmod<'a>(ctx: &Ctx<'a>, page: &'a Page) -> Option<&'a str> {
    let date = match page.kind {
        PageKind::Post => jsonld::posting(ctx, page).date,
        _ => ctx.spec.date.as_str(),
    };
    date_ok(date).then_some(date)
}

/// Escapes the five characters XML gives meaning to; safe in text and in either quoting of
/// an attribute.
pub(crate) fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

pub(crate) fn sitemap(ctx: &Ctx) -> Vec<u8> {
    let mut xml = String::from(concat!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n",
        "<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n"
    ));
    for page in ctx.pages {
        xml.push_str("  <url><loc>");
        xml.push_str(&xml_escape(&ctx.url(&page.info.path)));
        xml.push_str("</loc>");
        if let Some(date) = lastmod(ctx, page) {
            xml.push_str("<lastmod>");
            xml.push_str(date);
            xml.push_str("</lastmod>");
        }
        xml.push_str("</url>\n");
    }
    xml.push_str("</urlset>\n");
    xml.into_bytes()
}

pub(crate) fn robots(ctx: &Ctx) -> Vec<u8> {
    // A URL is one line here: a line break in it would start a directive of its own.
    let sitemap = ctx.url("sitemap.xml").replace(['\r', '\n'], "");
    format!("User-agent: *\nAllow: /\n\nSitemap: {sitemap}\n").into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_escaping_covers_all_five_characters() {
        assert_eq!(
            xml_escape(r#"<a href="x">Tom & Jerry's</a>"#),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&apos;s&lt;/a&gt;"
        );
    }

    use crate::site::tests::{seed, seed_with_pages, spec};
    use crate::site::{Media, Site, SiteInputs, generate};

    const BASE: &str = "http://127.0.0.1:5000/sites/codex-digital-studios";

    fn text(site: &Site, path: &str) -> String {
        String::from_utf8(site.files[path].bytes.to_vec()).unwrap()
    }

    #[test]
    fn the_home_page_is_titled_by_the_name_alone() {
        let site = generate(&seed_with_pages(), &spec(), &Media::default());
        let home = text(&site, "index.html");
        assert!(home.contains("<title>Codex Digital Studios</title>"));
        assert!(home.contains(r#"<meta property="og:title" content="Codex Digital Studios">"#));
        let about = text(&site, "about/index.html");
        assert!(about.contains("<title>About — Codex Digital Studios</title>"));
        assert!(
            about.contains(r#"<meta property="og:title" content="About — Codex Digital Studios">"#)
        );
    }

    #[test]
    fn every_page_shares_the_card_and_links_the_icons() {
        let site = generate(&seed_with_pages(), &spec(), &Media::default());
        for page in &site.pages {
            let html = text(&site, &page.file);
            let up = "../".repeat(page.path.matches('/').count());
            for needed in [
                format!(r#"<meta property="og:image" content="{BASE}/assets/social-card.png">"#),
                r#"<meta property="og:image:width" content="1200">"#.into(),
                r#"<meta property="og:image:height" content="630">"#.into(),
                r#"<meta property="og:image:type" content="image/png">"#.into(),
                r#"<meta property="og:image:alt" content="Codex Digital Studios: AI-powered web development">"#.into(),
                r#"<meta property="og:locale" content="en">"#.into(),
                r#"<meta name="twitter:card" content="summary_large_image">"#.into(),
                r#"<meta name="twitter:image:alt" content="Codex Digital Studios: AI-powered web development">"#.into(),
                format!(r#"<link rel="icon" href="{up}favicon.ico" sizes="32x32">"#),
                format!(r#"<link rel="icon" href="{up}assets/logo.svg" type="image/svg+xml">"#),
                format!(r#"<link rel="apple-touch-icon" href="{up}apple-touch-icon.png">"#),
                r#"<script type="application/ld+json">{"@context":"https://schema.org""#.into(),
            ] {
                assert!(html.contains(&needed), "{}: {needed}", page.file);
            }
            assert_eq!(html.matches("og:image\"").count(), 1, "the card only");
        }
    }

    #[test]
    fn og_locale_is_the_language_and_region_of_the_tag() {
        for (tag, locale) in [
            ("en", "en"),
            ("fr-CA", "fr_CA"),
            ("pt-br", "pt_BR"),
            ("zh-Hant-TW", "zh_TW"),
            ("es-419", "es_419"),
            ("x", "en"),
            ("\"><script>", "en"),
        ] {
            assert_eq!(og_locale(tag), locale, "{tag}");
        }
        let mut inputs = seed_with_pages();
        inputs.language = Some("fr-CA".into());
        let site = generate(&inputs, &spec(), &Media::default());
        assert!(
            text(&site, "index.html").contains(r#"<meta property="og:locale" content="fr_CA">"#)
        );
    }

    #[test]
    fn every_sitemap_url_has_a_lastmod() {
        let mut inputs: SiteInputs = seed_with_pages();
        inputs.posts = serde_json::from_value(serde_json::json!([{
            "title": "Welcome to Codex Digital Studios", "date": "2025-11-02", "body": "Hello.",
            "slug": "welcome"
        }]))
        .unwrap();
        let site = generate(&inputs, &spec(), &Media::default());
        let sitemap = text(&site, "sitemap.xml");
        let urls: Vec<&str> = sitemap.split("<url>").skip(1).collect();
        assert_eq!(urls.len(), site.pages.len());
        for url in &urls {
            let dated = url.contains("<lastmod>2026-03-14</lastmod>")
                || url.contains("<lastmod>2025-11-02</lastmod>");
            assert!(dated, "{url}");
        }
        assert!(sitemap.contains(&format!(
            "<loc>{BASE}/blog/welcome/</loc><lastmod>2025-11-02</lastmod>"
        )));
        assert!(sitemap.contains(&format!("<loc>{BASE}/</loc><lastmod>2026-03-14</lastmod>")));

        let mut undated = spec();
        undated.date = "</lastmod>".into();
        let site = generate(&seed(), &undated, &Media::default());
        assert!(
            !text(&site, "sitemap.xml").contains("lastmod"),
            "no date rather than a wrong one"
        );
    }

    #[test]
    fn dates_are_checked_for_shape_and_range() {
        for ok in ["2026-03-14", "1999-12-31", "2024-02-29"] {
            assert!(date_ok(ok), "{ok}");
        }
        for bad in [
            "2026-3-14",
            "2026-13-01",
            "2026-00-10",
            "2026-01-32",
            "20260314",
            "2026-03-14T00",
            "２０２６-03-14",
        ] {
            assert!(!date_ok(bad), "{bad}");
        }
    }
}
