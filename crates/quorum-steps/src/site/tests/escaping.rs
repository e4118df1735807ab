//! Hostile text in every field of the content model reaches no file as markup.

use scraper::{Html, Selector};

use super::*;

fn select<'a>(doc: &'a Html, css: &str) -> Vec<scraper::ElementRef<'a>> {
    doc.select(&Selector::parse(css).unwrap()).collect()
}

/// Every text field of the content model, set to `attack`.
fn hostile(attack: &str) -> SiteInputs {
    let mut inputs = bakery();
    let a = |prefix: &str| format!("{prefix} {attack}");
    inputs.site_name = a("Acme");
    inputs.site_description = a("We build");
    inputs.contact_email = format!("{attack}@example.com");
    inputs.typography.heading = attack.into();
    inputs.brand_colors.accent = attack.into();
    inputs.tagline = Some(a("tagline"));
    inputs.about = Some(format!(
        "{attack}\n\n# {attack}\n\n[x]({attack}) ![{attack}](x.png)"
    ));
    inputs.language = Some(attack.into());
    for s in &mut inputs.services {
        s.name = a("service");
        s.description = Some(a("description\n"));
        s.price = Some(a("$"));
    }
    for t in &mut inputs.testimonials {
        t.quote = a("quote");
        t.author = a("author");
        t.role = Some(a("role"));
    }
    for m in &mut inputs.team {
        m.name = a("name");
        m.role = Some(a("role"));
        m.bio = Some(a("bio"));
        if let Some(photo) = &mut m.photo {
            photo.alt = Some(a("alt"));
        }
    }
    inputs.contact.phone = Some(a("+1 555"));
    let address = inputs.contact.address.as_mut().unwrap();
    address.street = a("street");
    address.locality = a("town");
    address.region = Some(a("region"));
    address.postal_code = Some(a("code"));
    address.country = Some(a("country"));
    for h in &mut inputs.contact.opening_hours {
        h.opens = a("opens");
        h.closes = a("closes");
    }
    inputs.social_links[0].label = Some(a("label"));
    inputs.social_links[1].url = format!("https://x.com/{attack}");
    for p in &mut inputs.posts {
        p.title = a("title");
        p.date = attack.into();
        p.body = format!("{attack}\n\n<{attack}>");
        p.author = Some(a("author"));
        p.summary = Some(a("summary"));
        p.slug = Some(attack.into());
    }
    for page in &mut inputs.pages {
        if let PageInput::Page(custom) = page {
            custom.title = Some(a("title"));
            custom.body = Some(a("body"));
        }
    }
    inputs.pages.push(attack.into());
    inputs.pages.push("../x".into());
    inputs.hero_image.as_mut().unwrap().alt = Some(a("alt"));
    for g in &mut inputs.gallery {
        g.alt = Some(a("alt"));
    }
    inputs
}

#[test]
fn hostile_text_in_any_field_never_reaches_a_file_unescaped() {
    for attack in HOSTILE {
        let mut spec = spec();
        spec.deployment_id = attack.into();
        let site = generate(&hostile(attack), &spec, &bakery_media());
        for (path, file) in &site.files {
            let text = String::from_utf8_lossy(&file.bytes);
            for raw in ["<script>alert", "<img onerror", "<svg onload"] {
                assert!(!text.contains(raw), "{path} contains {raw:?} for {attack}");
            }
            if path.ends_with(".html") {
                let doc = Html::parse_document(&text);
                for element in select(&doc, "*") {
                    for (name, _) in element.value().attrs() {
                        assert!(!name.starts_with("on"), "{path}: {name} for {attack}");
                    }
                }
                // The site's one script file, and JSON-LD, which is data, not script.
                for script in select(&doc, "script") {
                    let element = script.value();
                    assert!(
                        element.attr("src").is_some_and(|s| s.ends_with(JS_FILE))
                            || element.attr("type") == Some("application/ld+json"),
                        "{path}: a script of {attack}"
                    );
                }
            }
        }
        assert!(
            paths(&site)
                .iter()
                .all(|p| !p.contains("..") && !p.contains('<'))
        );
        assert!(
            text(&site, "index.html").contains("&lt;"),
            "the text is kept, escaped"
        );
    }
}
