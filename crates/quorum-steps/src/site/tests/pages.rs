//! Which pages a site has: custom pages with and without a body, the pages always made, the
//! largest site, and the 404 page.

use super::*;

fn custom(slug: &str, title: Option<&str>, body: Option<&str>) -> PageInput {
    PageInput::Page(CustomPage {
        slug: slug.into(),
        title: title.map(Into::into),
        body: body.map(Into::into),
    })
}

#[test]
fn a_custom_page_gets_its_own_file_title_body_and_place_in_the_navigation() {
    let mut inputs = seed();
    inputs.pages = vec![
        "home".into(),
        custom(
            "pricing",
            Some("Our prices"),
            Some("# Plans\n\nFrom **$900**."),
        ),
        custom("case-studies", None, Some("Three sites we built.")),
        "contact".into(),
    ];
    let site = generate(&inputs, &spec(), &Media::default());
    let pricing = text(&site, "pricing/index.html");
    assert!(pricing.contains("<title>Our prices — Codex Digital Studios</title>"));
    assert!(pricing.contains(
        "<h1>Our prices</h1><div class=\"prose\"><h2>Plans</h2>\n<p>From <strong>$900</strong>.</p>\n</div>"
    ));
    assert!(pricing.contains("<meta name=\"description\" content=\"From $900.\">"));
    let studies = text(&site, "case-studies/index.html");
    assert!(studies.contains("<h1>Case Studies</h1>"));
    assert!(text(&site, "index.html").contains("href=\"pricing/\""));
    assert!(text(&site, "sitemap.xml").contains(&format!("{BASE}/pricing/")));
    // Not listed, so not made; the blog is on by default, but has no posts.
    assert!(!site.files.contains_key("about/index.html"));
    assert!(!site.files.contains_key("blog/index.html"));
}

#[test]
fn a_custom_page_without_a_body_is_left_out_and_reported() {
    let mut inputs = seed();
    inputs.pages = vec![
        "home".into(),
        "pricing".into(),
        custom("team", Some("Team"), None),
    ];
    let site = generate(&inputs, &spec(), &Media::default());
    assert!(!site.files.contains_key("pricing/index.html"));
    assert!(!site.files.contains_key("team/index.html"));
    assert!(!text(&site, "index.html").contains("pricing/"));
    let missing: Vec<(&str, &str)> = site
        .missing
        .iter()
        .map(|m| (m.page.as_str(), m.field.as_str()))
        .collect();
    assert!(
        missing.contains(&("pricing", "pages[1].body")),
        "{missing:?}"
    );
    assert!(missing.contains(&("team", "pages[2].body")), "{missing:?}");
}

#[test]
fn home_and_contact_are_always_made() {
    let mut inputs = seed();
    inputs.pages = vec!["about".into()];
    inputs.about = Some("We build websites.".into());
    inputs.include_blog = false;
    let site = generate(&inputs, &spec(), &Media::default());
    let slugs: Vec<&str> = site.pages.iter().map(|p| p.slug.as_str()).collect();
    assert_eq!(slugs, ["home", "about", "contact"]);
}

#[test]
fn the_largest_site_keeps_every_page_small() {
    let inputs = SiteInputs {
        site_name: "W".repeat(100),
        site_description: "&".repeat(300),
        pages: (0..20)
            .map(|i| {
                let slug = format!("{}-{i}", "p".repeat(36));
                custom(&slug, Some(&"T".repeat(60)), Some("A page."))
            })
            .collect(),
        ..seed()
    };
    let site = generate(&inputs, &spec(), &Media::default());
    assert_eq!(site.pages.len(), 22);
    for (path, html) in site.html_files() {
        assert!(html.len() < 30_000, "{path} is {} bytes", html.len());
    }
}

#[test]
fn the_not_found_page_is_not_indexed_and_marks_no_link_as_current() {
    let mut inputs = seed();
    inputs
        .pages
        .push(custom("404", None, Some("Our 404 service.")));
    let site = generate(&inputs, &spec(), &Media::default());
    let html = text(&site, NOT_FOUND_FILE);
    assert!(html.contains("<meta name=\"robots\" content=\"noindex\">"));
    assert!(!html.contains("rel=\"canonical\""));
    assert!(!html.contains("aria-current"));
    assert!(html.contains(&format!("<a href=\"{BASE_PATH}/\">Go to the home page</a>")));
    assert!(site.files.contains_key("404/index.html"));
}

#[test]
fn content_for_a_page_the_site_does_not_make_is_reported() {
    let mut inputs = bakery();
    inputs.pages = vec!["home".into(), "contact".into()];
    inputs.include_blog = false;
    let site = generate(&inputs, &spec(), &Media::default());
    let slugs: Vec<&str> = site.pages.iter().map(|p| p.slug.as_str()).collect();
    assert_eq!(slugs, ["home", "contact"]);
    let missing: Vec<(&str, &str)> = site
        .missing
        .iter()
        .map(|m| (m.page.as_str(), m.field.as_str()))
        .collect();
    assert_eq!(
        missing,
        [
            ("about", "pages"),
            ("services", "pages"),
            ("blog", "include_blog")
        ]
    );
    assert!(site.missing[1].message.contains("first 3 services of 5"));
    // The home page still shows what it can.
    assert!(text(&site, "index.html").contains("Sourdough and rye loaves"));
}
