//! The generator as a whole: which files a site gets, what every page carries, and what
//! hostile or unusual inputs do to them.

use serde_json::json;

use super::*;

pub(crate) fn seed() -> SiteInputs {
    serde_json::from_value(json!({
        "site_name": "Codex Digital Studios",
        "site_description": "AI-powered web development",
        "brand_colors": {"primary": "#1a1a1a"},
        "contact_email": "hello@codexdigital.app"
    }))
    .unwrap()
}

pub(crate) fn spec() -> SiteSpec {
    SiteSpec {
        slug: "codex-digital-studios".into(),
        base_url: "http://127.0.0.1:5000/sites/codex-digital-studios/".into(),
        contact_action: "http://127.0.0.1:5000/sites/codex-digital-studios/_contact".into(),
        deployment_id: "dep_abc123".into(),
        date: "2026-03-14".into(),
    }
}

const BASE: &str = "http://127.0.0.1:5000/sites/codex-digital-studios";
const BASE_PATH: &str = "/sites/codex-digital-studios";

fn text(site: &Site, path: &str) -> String {
    let file = site.files.get(path).unwrap_or_else(|| panic!("no {path}"));
    String::from_utf8(file.bytes.clone()).unwrap()
}

fn paths(site: &Site) -> Vec<&str> {
    site.files.keys().map(String::as_str).collect()
}

#[test]
fn the_seed_example_makes_every_page_and_asset() {
    let site = generate(&seed(), &spec(), &Media::default());
    assert_eq!(
        paths(&site),
        [
            "404.html",
            "about/index.html",
            "apple-touch-icon.png",
            "assets/logo.svg",
            "assets/main.css",
            "assets/main.js",
            "assets/social-card.png",
            "blog/index.html",
            "blog/welcome/index.html",
            "contact/index.html",
            "favicon.ico",
            "index.html",
            "robots.txt",
            "services/index.html",
            "sitemap.xml",
        ]
    );
    let slugs: Vec<&str> = site.pages.iter().map(|p| p.slug.as_str()).collect();
    assert_eq!(
        slugs,
        [
            "home",
            "about",
            "services",
            "contact",
            "blog",
            "blog/welcome"
        ]
    );
    assert_eq!(site.pages[0].path, "");
    assert_eq!(site.pages[5].path, "blog/welcome/");
    assert_eq!(site.pages[5].file, "blog/welcome/index.html");
    assert_eq!(site.pages[5].title, "Welcome to Codex Digital Studios");
}

#[test]
fn every_file_belongs_to_exactly_one_group() {
    let site = generate(&seed(), &spec(), &Media::default());
    let groups = [
        site.html_files(),
        site.branding_files(),
        site.seo_files(),
        site.script_files(),
    ];
    assert_eq!(
        groups.iter().map(BTreeMap::len).sum::<usize>(),
        site.files.len()
    );
    assert_eq!(groups[0].len(), 7);
    assert_eq!(
        groups[1].keys().copied().collect::<Vec<_>>(),
        [LOGO_FILE, CSS_FILE]
    );
    assert_eq!(
        groups[2].keys().copied().collect::<Vec<_>>(),
        [
            TOUCH_ICON_FILE,
            CARD_FILE,
            FAVICON_FILE,
            "robots.txt",
            "sitemap.xml"
        ]
    );
    assert_eq!(groups[3].keys().copied().collect::<Vec<_>>(), [JS_FILE]);
}

#[test]
fn the_sitemap_lists_every_page_and_robots_points_at_it() {
    let site = generate(&seed(), &spec(), &Media::default());
    let sitemap = text(&site, "sitemap.xml");
    for page in &site.pages {
        assert!(
            sitemap.contains(&format!("<loc>{BASE}/{}</loc>", page.path)),
            "{}",
            page.slug
        );
    }
    assert_eq!(sitemap.matches("<loc>").count(), site.pages.len());
    assert!(!sitemap.contains("404"));
    assert_eq!(
        text(&site, "robots.txt"),
        format!("User-agent: *\nAllow: /\n\nSitemap: {BASE}/sitemap.xml\n")
    );
}

#[test]
fn every_page_carries_the_shared_structure_and_seo_tags() {
    let site = generate(&seed(), &spec(), &Media::default());
    for page in &site.pages {
        let html = text(&site, &page.file);
        let url = format!("{BASE}/{}", page.path);
        for needed in [
            "<!DOCTYPE html><html lang=\"en\">".to_string(),
            "<meta charset=\"utf-8\">".into(),
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">".into(),
            match page.slug.as_str() {
                "home" => "<title>Codex Digital Studios</title>".to_string(),
                _ => format!("<title>{} — Codex Digital Studios</title>", page.title),
            },
            "<meta name=\"description\" content=\"".into(),
            format!("<link rel=\"canonical\" href=\"{url}\">"),
            format!("<meta property=\"og:url\" content=\"{url}\">"),
            "<meta property=\"og:title\"".into(),
            "<meta property=\"og:description\"".into(),
            "<meta property=\"og:site_name\" content=\"Codex Digital Studios\">".into(),
            format!("<meta property=\"og:image\" content=\"{BASE}/assets/social-card.png\">"),
            format!("<link rel=\"stylesheet\" href=\"{BASE_PATH}/assets/main.css\">"),
            format!("<script src=\"{BASE_PATH}/assets/main.js\" defer></script>"),
            "<body><a class=\"skip-link\" href=\"#main\">Skip to content</a>".into(),
            "<main id=\"main\"".into(),
            "<header class=\"site-header\">".into(),
            "<nav class=\"site-nav\" aria-label=\"Main\">".into(),
            "<footer class=\"site-footer\">".into(),
            "<nav class=\"footer-nav\" aria-label=\"Footer\">".into(),
            format!(
                "<img src=\"{BASE_PATH}/assets/logo.svg\" alt=\"Codex Digital Studios logo\" width=\"48\" height=\"48\">"
            ),
            "<a href=\"mailto:hello@codexdigital.app\">hello@codexdigital.app</a>".into(),
        ] {
            assert!(html.contains(&needed), "{}: {needed}", page.file);
        }
        assert_eq!(html.matches("<h1").count(), 1, "{}", page.file);
        assert!(html.len() < 30_000, "{} is {} bytes", page.file, html.len());
    }
}

#[test]
fn navigation_links_every_page_and_marks_the_current_one() {
    let site = generate(&seed(), &spec(), &Media::default());
    let about = text(&site, "about/index.html");
    for path in ["", "about/", "services/", "contact/", "blog/"] {
        // Once in the header, once in the footer.
        let link = format!("href=\"{BASE_PATH}/{path}\"");
        assert!(about.matches(&link).count() >= 2, "{path}");
    }
    assert_eq!(
        about
            .matches(&format!(
                "<a href=\"{BASE_PATH}/about/\" aria-current=\"page\">About</a>"
            ))
            .count(),
        2
    );
    assert_eq!(about.matches("aria-current").count(), 2);
    let post = text(&site, "blog/welcome/index.html");
    assert!(post.contains(&format!(
        "<a href=\"{BASE_PATH}/blog/\" aria-current=\"page\">Blog</a>"
    )));
    assert!(post.contains("<article class=\"post\">"));
    assert!(post.contains("<meta property=\"og:type\" content=\"article\">"));
}

#[test]
fn every_internal_link_is_an_absolute_path_under_the_base_ending_in_a_slash() {
    let site = generate(&seed(), &spec(), &Media::default());
    for (path, html) in site.html_files() {
        let html = std::str::from_utf8(html).unwrap();
        for part in html.split("href=\"").skip(1) {
            let href = &part[..part.find('"').unwrap()];
            let ok = href == "#main"
                || href.starts_with("mailto:")
                || href.starts_with(BASE)
                || (href.starts_with(&format!("{BASE_PATH}/"))
                    && (href.ends_with('/') || href.starts_with(&format!("{BASE_PATH}/assets/"))))
                || [FAVICON_FILE, TOUCH_ICON_FILE]
                    .map(|f| format!("{BASE_PATH}/{f}"))
                    .contains(&href.to_owned());
            assert!(ok, "{path}: {href}");
        }
    }
}

#[test]
fn the_contact_page_has_a_labelled_form_and_a_hidden_honeypot() {
    let site = generate(&seed(), &spec(), &Media::default());
    let html = text(&site, "contact/index.html");
    for needed in [
        format!("<form class=\"contact-form\" method=\"post\" action=\"{BASE}/_contact\">"),
        "<label for=\"contact-name\">Name</label>".into(),
        "<input id=\"contact-name\" type=\"text\" name=\"name\" autocomplete=\"name\" maxlength=\"100\" required>".into(),
        "<label for=\"contact-email\">Email</label>".into(),
        "<input id=\"contact-email\" type=\"email\" name=\"email\" autocomplete=\"email\" maxlength=\"254\" required>".into(),
        "<label for=\"contact-message\">Message</label>".into(),
        "<textarea id=\"contact-message\" name=\"message\" rows=\"6\" maxlength=\"5000\" required></textarea>".into(),
        "<div class=\"visually-hidden\" aria-hidden=\"true\"><label for=\"contact-website\">".into(),
        "<input id=\"contact-website\" type=\"text\" name=\"website\" tabindex=\"-1\" autocomplete=\"off\">".into(),
        "<button class=\"button\" type=\"submit\">Send message</button>".into(),
    ] {
        assert!(html.contains(&needed), "{needed}");
    }
}

#[test]
fn a_custom_page_gets_its_own_file_title_and_place_in_the_navigation() {
    let mut inputs = seed();
    inputs.pages = ["home", "pricing", "case-studies", "contact"]
        .map(PageInput::from)
        .to_vec();
    let site = generate(&inputs, &spec(), &Media::default());
    let pricing = text(&site, "pricing/index.html");
    assert!(pricing.contains("<title>Pricing — Codex Digital Studios</title>"));
    assert!(pricing.contains("<h1>Pricing</h1>"));
    assert!(pricing.contains("AI-powered web development"));
    assert!(text(&site, "case-studies/index.html").contains("<h1>Case Studies</h1>"));
    assert!(text(&site, "index.html").contains(&format!("href=\"{BASE_PATH}/pricing/\"")));
    assert!(text(&site, "sitemap.xml").contains(&format!("{BASE}/pricing/")));
    // Not listed, so not made; the blog is on by default, so it is added.
    assert!(!site.files.contains_key("about/index.html"));
    assert!(site.files.contains_key("blog/welcome/index.html"));
}

#[test]
fn without_the_blog_there_are_no_blog_pages_even_if_listed() {
    let mut inputs = seed();
    inputs.include_blog = false;
    let site = generate(&inputs, &spec(), &Media::default());
    assert!(paths(&site).iter().all(|p| !p.starts_with("blog")));
    assert!(site.pages.iter().all(|p| !p.slug.starts_with("blog")));
    for (path, bytes) in &site.files {
        let text = String::from_utf8_lossy(&bytes.bytes);
        assert!(!text.contains("/blog/"), "{path}");
    }
}

#[test]
fn home_and_contact_are_always_made() {
    let mut inputs = seed();
    inputs.pages = vec!["about".into()];
    inputs.include_blog = false;
    let site = generate(&inputs, &spec(), &Media::default());
    let slugs: Vec<&str> = site.pages.iter().map(|p| p.slug.as_str()).collect();
    assert_eq!(slugs, ["home", "about", "contact"]);
}

#[test]
fn slugs_are_lowercase_ascii_with_single_hyphens() {
    assert_eq!(slug_for("Codex Digital Studios"), "codex-digital-studios");
    assert_eq!(slug_for("  Hello, World!! "), "hello-world");
    assert_eq!(slug_for("Café Crème"), "cafe-creme");
    assert_eq!(slug_for("../../etc/passwd"), "etc-passwd");
    let long = slug_for(&"ab ".repeat(30));
    assert!(long.len() <= 40 && !long.ends_with('-'), "{long}");
    assert_eq!(slug_for(&"x".repeat(100)).len(), 40);
}

#[test]
fn names_in_any_script_get_readable_slugs() {
    assert_eq!(slug_for("東京カフェ"), "dong-jing-kahue");
    assert_eq!(slug_for("Кафе Москва"), "kafe-moskva");
    assert_eq!(slug_for("Ελληνικό Καφέ"), "elleniko-kaphe");
    assert_eq!(slug_for("Straße & Söhne"), "strasse-sohne");
}

#[test]
fn a_name_with_nothing_to_read_gets_a_stable_slug_of_its_own() {
    let bangs = slug_for("!!!");
    assert!(bangs.starts_with("site-") && bangs.len() == 15, "{bangs}");
    assert!(check::site_slug_ok(&bangs), "{bangs}");
    assert_eq!(slug_for("!!!"), bangs, "the same name, the same slug");
    assert_ne!(slug_for("???"), bangs, "two such names, two slugs");
    assert_ne!(slug_for(""), bangs);
}

#[test]
fn a_chosen_slug_is_where_the_site_is_served() {
    assert_eq!(slug_of(&seed()), "codex-digital-studios");
    let chosen = SiteInputs {
        site_slug: Some("codex-two".into()),
        ..seed()
    };
    assert_eq!(slug_of(&chosen), "codex-two");
    assert!(check(&chosen).is_ok());
    for bad in [
        "",
        "-codex",
        "codex-",
        "Codex",
        "a/b",
        "..",
        &"x".repeat(41),
    ] {
        let inputs = SiteInputs {
            site_slug: Some(bad.into()),
            ..seed()
        };
        let problems = check(&inputs).unwrap_err();
        assert_eq!(problems[0].field, "site_slug", "{bad:?}");
    }
}

const HOSTILE: [&str; 3] = [
    "<script>alert(1)</script>",
    "\"><img onerror=alert(1) src=x>",
    "'><svg onload=alert(1)>",
];

#[test]
fn hostile_text_never_reaches_a_file_unescaped() {
    for attack in HOSTILE {
        let mut inputs = seed();
        inputs.site_name = format!("Acme {attack}");
        inputs.site_description = format!("We build {attack} things");
        inputs.contact_email = format!("{attack}@example.com");
        inputs.typography.heading = attack.into();
        inputs.brand_colors.accent = attack.into();
        inputs.pages = vec!["home".into(), attack.into(), "../x".into()];
        let mut spec = spec();
        spec.deployment_id = attack.into();
        let site = generate(&inputs, &spec, &Media::default());
        for (path, file) in &site.files {
            if path.ends_with(".png") || path.ends_with(".ico") {
                continue; // pictures: no text of the inputs is in their bytes
            }
            let text = String::from_utf8(file.bytes.clone()).unwrap();
            for raw in ["<script>alert", "<img onerror", "<svg onload"] {
                assert!(!text.contains(raw), "{path} contains {raw:?} for {attack}");
            }
        }
        assert!(paths(&site).iter().all(|p| !p.contains("..")));
        assert!(
            text(&site, "index.html").contains("&lt;"),
            "the text is kept, escaped"
        );
    }
}

#[test]
fn output_is_deterministic() {
    assert_eq!(
        generate(&seed(), &spec(), &Media::default()),
        generate(&seed(), &spec(), &Media::default())
    );
}

#[test]
fn the_largest_site_keeps_every_page_small() {
    let inputs = SiteInputs {
        site_name: "W".repeat(100),
        site_description: "&".repeat(300),
        pages: (0..20)
            .map(|i| format!("{}-{i}", "p".repeat(36)).into())
            .collect(),
        ..seed()
    };
    let site = generate(&inputs, &spec(), &Media::default());
    assert_eq!(site.pages.len(), 24);
    for (path, html) in site.html_files() {
        assert!(html.len() < 30_000, "{path} is {} bytes", html.len());
    }
}

#[test]
fn the_stylesheet_uses_the_palette_and_the_palette_passes_aa() {
    let site = generate(&seed(), &spec(), &Media::default());
    let css = text(&site, CSS_FILE);
    for (_, fg, bg) in site.palette.text_pairs() {
        assert!(contrast_ratio(fg, bg) >= AA);
        assert!(css.contains(fg) && css.contains(bg));
    }
    assert!(css.starts_with(":root {\n  --primary: #1a1a1a;"));
}

#[test]
fn a_base_url_at_a_hosts_root_gives_root_paths() {
    let spec = SiteSpec {
        base_url: "https://example.com".into(),
        ..spec()
    };
    let site = generate(&seed(), &spec, &Media::default());
    let html = text(&site, "index.html");
    assert!(html.contains("<link rel=\"canonical\" href=\"https://example.com/\">"));
    assert!(html.contains("href=\"/about/\""));
    assert!(html.contains("href=\"/assets/main.css\""));
}

#[test]
fn the_not_found_page_is_not_indexed_and_marks_no_link_as_current() {
    let mut inputs = seed();
    inputs.pages.push("404".into());
    let site = generate(&inputs, &spec(), &Media::default());
    let html = text(&site, NOT_FOUND_FILE);
    assert!(html.contains("<meta name=\"robots\" content=\"noindex\">"));
    assert!(!html.contains("rel=\"canonical\""));
    assert!(!html.contains("aria-current"));
    assert!(html.contains(&format!("<a href=\"{BASE_PATH}/\">Go to the home page</a>")));
    assert!(site.files.contains_key("404/index.html"));
}
