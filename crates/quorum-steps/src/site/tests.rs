//! The generator as a whole: which files a site gets, what every page carries, and what
//! hostile or unusual inputs do to them.

mod content;
mod escaping;
mod family;
mod languages;
mod pages;

use std::sync::Arc;

use serde_json::json;

use super::*;

/// The seed's inputs with an About story and one post, so the seed's five pages are all made:
/// home, about, contact, the blog and its post at `blog/welcome/`.
pub(crate) fn seed_with_pages() -> SiteInputs {
    let mut inputs = seed();
    inputs.about = Some("We build websites for small businesses.".into());
    inputs.posts = serde_json::from_value(json!([{
        "title": "Welcome to Codex Digital Studios", "date": "2025-11-02",
        "body": "Hello.", "slug": "welcome"
    }]))
    .unwrap();
    inputs
}

pub(crate) fn seed() -> SiteInputs {
    serde_json::from_value(json!({
        "site_name": "Codex Digital Studios",
        "site_description": "AI-powered web development",
        "brand_colors": {"primary": "#1a1a1a"},
        "contact_email": "hello@codexdigital.app"
    }))
    .unwrap()
}

/// The full content set: a bakery with every field of the content model.
pub(crate) fn bakery() -> SiteInputs {
    serde_json::from_str(include_str!("../../fixtures/bakery.json")).unwrap()
}

/// The uploads the bakery names, shaped as the browser test uploads them (a 16:10 hero, 4:3
/// gallery pictures, a square portrait, a 3:1 logo with transparency) with the renditions an
/// upload makes of each; the bytes only name the file.
pub(crate) fn bakery_media() -> Media {
    media_for(&bakery())
}

/// The uploads `inputs` name, shaped as [`bakery_media`]'s.
pub(crate) fn media_for(inputs: &SiteInputs) -> Media {
    let mut media = Media::default();
    for (_, image) in inputs.images() {
        let id = image.upload.clone();
        let (width, height, widths, content_type): (u32, u32, &[u32], &str) = match id.as_str() {
            "upl_heroloavesrack01" => (1600, 1000, &[480, 960, 1600], "image/jpeg"),
            "upl_hearthcrumblogo1" => (600, 200, &[480, 600], "image/png"),
            "upl_claraatthebench1" => (600, 600, &[480, 600], "image/jpeg"),
            _ => (1200, 900, &[480, 960, 1200], "image/jpeg"),
        };
        let variants = widths
            .iter()
            .map(|&w| ImageVariant {
                width: w,
                height: height * w / width,
                content_type: content_type.into(),
                bytes: Arc::from(format!("{id} at {w}").into_bytes()),
            })
            .collect();
        let upload = UploadedImage {
            id: id.clone(),
            width,
            height,
            variants,
        };
        media.images.insert(id, upload);
    }
    media
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
    String::from_utf8(file.bytes.to_vec()).unwrap()
}

fn paths(site: &Site) -> Vec<&str> {
    site.files.keys().map(String::as_str).collect()
}

#[test]
fn the_seed_example_makes_an_honest_small_site_and_says_what_is_missing() {
    let site = generate(&seed(), &spec(), &Media::default());
    assert_eq!(
        paths(&site),
        [
            "404.html",
            "apple-touch-icon.png",
            "assets/fonts/inter-latin-400-normal.woff2",
            "assets/fonts/inter-latin-700-normal.woff2",
            "assets/fonts/open-sans-latin-400-normal.woff2",
            "assets/fonts/open-sans-latin-700-normal.woff2",
            "assets/logo.svg",
            "assets/main.css",
            "assets/main.js",
            "assets/social-card.png",
            "contact/index.html",
            "favicon.ico",
            "index.html",
            "robots.txt",
            "sitemap.xml",
        ]
    );
    let slugs: Vec<&str> = site.pages.iter().map(|p| p.slug.as_str()).collect();
    assert_eq!(slugs, ["home", "contact"]);
    assert_eq!(site.pages[1].path, "contact/");
    assert_eq!(site.pages[1].file, "contact/index.html");
    let missing: Vec<(&str, &str)> = site
        .missing
        .iter()
        .map(|m| (m.page.as_str(), m.field.as_str()))
        .collect();
    assert_eq!(
        missing,
        [
            ("about", "about"),
            ("services", "services"),
            ("blog", "posts"),
            ("home", "tagline"),
            ("home", "hero_image"),
            ("contact", "contact.phone"),
            ("contact", "contact.address"),
            ("contact", "contact.opening_hours"),
        ]
    );
    assert!(site.missing.iter().all(|m| m.message.contains('`')));
    assert_eq!(site.words_language, "en");
    let home = text(&site, "index.html");
    assert!(home.contains("<h1 id=\"page-title\">Codex Digital Studios</h1>"));
    assert!(home.contains("<p class=\"lead\">AI-powered web development</p>"));
    assert!(home.contains(
        "<p class=\"actions\"><a class=\"button\" href=\"contact/\">Get in touch</a></p>"
    ));
    assert!(
        !home.contains("section class=\"band\""),
        "no section without content"
    );
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
    assert_eq!(groups[0].len(), 3);
    assert_eq!(
        groups[1]
            .keys()
            .copied()
            .filter(|p| !p.starts_with("assets/fonts/"))
            .collect::<Vec<_>>(),
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
        let up = "../".repeat(page.path.matches('/').count());
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
            format!("<link rel=\"stylesheet\" href=\"{up}assets/main.css\">"),
            format!("<script src=\"{up}assets/main.js\" defer></script>"),
            "<body class=\"theme-studio\"><a class=\"skip-link\" href=\"#main\">Skip to content</a>".into(),
            "<main id=\"main\"".into(),
            "<header class=\"site-header\">".into(),
            "<nav class=\"site-nav\" aria-label=\"Main\">".into(),
            "<footer class=\"site-footer\">".into(),
            "<nav class=\"footer-nav\" aria-label=\"Footer\">".into(),
            format!(
                "<img src=\"{up}assets/logo.svg\" alt=\"Codex Digital Studios logo\" width=\"48\" height=\"48\">"
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
    let site = generate(&bakery(), &spec(), &bakery_media());
    let about = text(&site, "about/index.html");
    for path in [
        "",
        "about/",
        "services/",
        "wholesale/",
        "faq/",
        "contact/",
        "blog/",
    ] {
        // In the phone's menu, in the wide screen's list, and in the footer; relative to
        // about/.
        let link = format!("href=\"../{path}\"");
        assert!(about.matches(&link).count() >= 3, "{path}");
    }
    assert_eq!(
        about
            .matches("<a href=\"../about/\" aria-current=\"page\">About</a>")
            .count(),
        3
    );
    assert_eq!(about.matches("aria-current").count(), 3);
    let post = text(&site, "blog/summer-classes/index.html");
    assert!(post.contains("<a href=\"../../blog/\" aria-current=\"page\">Blog</a>"));
    assert!(post.contains("<article class=\"post\">"));
    assert!(post.contains("<meta property=\"og:type\" content=\"article\">"));
}

/// Every `href` and `src` of a page, resolved from where the page is served: internal ones as
/// paths below `root`, the rest (mailto:, tel:, fragments, links to other https sites) left
/// out.
fn internal_targets(html: &str, page_url: &str, root: &str) -> Vec<String> {
    let base = reqwest::Url::parse(page_url).unwrap();
    let mut found = Vec::new();
    for attribute in ["href=\"", "src=\"", "action=\""] {
        for part in html.split(attribute).skip(1) {
            let target = &part[..part.find('"').unwrap()];
            if target.starts_with('#')
                || target.starts_with("mailto:")
                || target.starts_with("tel:")
                || target.starts_with("https://")
            {
                continue;
            }
            let url = base.join(target).unwrap();
            let url = url.as_str().split('#').next().unwrap();
            if let Some(path) = url.strip_prefix(root) {
                found.push(path.to_owned());
            } else if !url.starts_with("http://www.example.com/") {
                panic!("{page_url}: {target} leaves the site: {url}");
            }
        }
    }
    found
}

/// The file a site path names, as the server maps it.
fn file_for(path: &str) -> String {
    if path.is_empty() || path.ends_with('/') {
        format!("{path}index.html")
    } else {
        path.to_owned()
    }
}

#[test]
fn every_internal_link_reaches_a_file_at_both_mounts() {
    let mut inputs = bakery();
    inputs.domain = Some("www.example.com".into());
    let site = generate(&inputs, &spec(), &bakery_media());
    let roots = [format!("{BASE}/"), "http://www.example.com/".to_owned()];
    for (root, not_found) in roots.iter().zip([NOT_FOUND_FILE, NOT_FOUND_AT_ROOT_FILE]) {
        let mut checked = 0;
        for page in &site.pages {
            let html = text(&site, &page.file);
            for path in internal_targets(&html, &format!("{root}{}", page.path), root) {
                assert!(
                    path == "_contact" || site.files.contains_key(&file_for(&path)),
                    "{root}{}: {path}",
                    page.path
                );
                checked += 1;
            }
        }
        // The 404 page is served at any depth: its links must work from deep inside too.
        let html = text(&site, not_found);
        for path in internal_targets(&html, &format!("{root}no/such/page/"), root) {
            assert!(
                site.files.contains_key(&file_for(&path)),
                "{not_found}: {path}"
            );
            checked += 1;
        }
        assert!(checked > 100, "{checked} links at {root}");
    }
}

#[test]
fn the_contact_page_has_a_labelled_form_and_a_hidden_honeypot() {
    let site = generate(&seed(), &spec(), &Media::default());
    let html = text(&site, "contact/index.html");
    for needed in [
        "<form class=\"contact-form\" method=\"post\" action=\"../_contact\">",
        "<label for=\"contact-name\">Name</label>",
        "<input id=\"contact-name\" type=\"text\" name=\"name\" autocomplete=\"name\" maxlength=\"100\" required>",
        "<label for=\"contact-email\">Email</label>",
        "<input id=\"contact-email\" type=\"email\" name=\"email\" autocomplete=\"email\" maxlength=\"254\" required>",
        "<label for=\"contact-message\">Message</label>",
        "<textarea id=\"contact-message\" name=\"message\" rows=\"6\" maxlength=\"5000\" required></textarea>",
        "<div class=\"visually-hidden\" aria-hidden=\"true\"><label for=\"contact-website\">",
        "<input id=\"contact-website\" type=\"text\" name=\"website\" tabindex=\"-1\" autocomplete=\"off\">",
        "<button class=\"button\" type=\"submit\" data-sending=\"Sending…\">Send message</button>",
    ] {
        assert!(html.contains(needed), "{needed}");
    }
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
fn output_is_deterministic() {
    assert_eq!(
        generate(&seed(), &spec(), &Media::default()),
        generate(&seed(), &spec(), &Media::default())
    );
}

#[test]
fn the_stylesheet_uses_the_palette_and_the_palette_passes_aa() {
    let site = generate(&seed(), &spec(), &Media::default());
    let css = text(&site, CSS_FILE);
    for pair in site.palette.text_pairs() {
        assert!(contrast_ratio(pair.foreground, pair.background) >= pair.minimum);
        assert!(pair.minimum >= NON_TEXT);
        if !pair.role.starts_with("logo_") {
            assert!(css.contains(&format!(":{};", pair.foreground)), "{pair:?}");
        }
    }
    assert!(css.starts_with("@font-face{"));
    assert!(css.contains(":root{--surface:#f7f1e3;"));
}

#[test]
fn the_site_ships_its_fonts_and_preloads_the_body_and_heading_faces_on_every_page() {
    let mut inputs = seed();
    inputs.typography.heading = "Pacifico".into();
    inputs.typography.body = "Nunito".into();
    let site = generate(&inputs, &spec(), &Media::default());
    let fonts: Vec<&str> = site
        .branding_files()
        .into_keys()
        .filter(|p| p.ends_with(".woff2"))
        .collect();
    assert_eq!(
        fonts,
        [
            "assets/fonts/nunito-latin-400-normal.woff2",
            "assets/fonts/nunito-latin-700-normal.woff2",
            "assets/fonts/pacifico-latin-400-normal.woff2",
        ]
    );
    let bytes: usize = fonts.iter().map(|p| site.files[*p].bytes.len()).sum();
    assert!(bytes <= FONT_BUDGET);
    for (path, html) in site.html_files() {
        // Relative to the page, but for the 404 page, which is served at any depth.
        let up = match path {
            NOT_FOUND_FILE => format!("{BASE_PATH}/"),
            _ => "../".repeat(path.matches('/').count()),
        };
        let html = String::from_utf8_lossy(html);
        for face in ["nunito-latin-400-normal", "pacifico-latin-400-normal"] {
            let preload = format!(
                "<link rel=\"preload\" href=\"{up}assets/fonts/{face}.woff2\" \
                 as=\"font\" type=\"font/woff2\" crossorigin>"
            );
            assert!(html.contains(&preload), "{path}: {face}");
        }
        assert_eq!(html.matches("rel=\"preload\"").count(), 2, "{path}");
    }
    assert_eq!(site.fonts.heading.family, "Pacifico");
    assert!(site.fonts.heading.served && site.fonts.body.served);

    inputs.typography.body = "Comic Neue".into();
    let site = generate(&inputs, &spec(), &Media::default());
    assert!(!site.fonts.body.served);
    // A body set in the system's own font has nothing to fetch; the heading's face still does.
    let home = text(&site, "index.html");
    assert_eq!(home.matches("rel=\"preload\"").count(), 1, "{home}");
    assert!(home.contains("pacifico-latin-400-normal.woff2\" as=\"font\""));
}

#[test]
fn a_base_url_at_a_hosts_root_gives_root_urls() {
    let spec = SiteSpec {
        base_url: "https://example.com".into(),
        ..spec()
    };
    let site = generate(&seed(), &spec, &Media::default());
    let html = text(&site, "index.html");
    assert!(html.contains("<link rel=\"canonical\" href=\"https://example.com/\">"));
    assert!(html.contains("href=\"contact/\""));
    assert!(html.contains("href=\"assets/main.css\""));
    assert!(text(&site, NOT_FOUND_FILE).contains("href=\"/assets/main.css\""));
}

#[test]
fn a_site_with_a_domain_names_it_in_every_canonical_url() {
    let mut inputs = seed();
    inputs.domain = Some("www.codex.example".into());
    let site = generate(&inputs, &spec(), &Media::default());
    let at = "http://www.codex.example";
    for page in &site.pages {
        let html = text(&site, &page.file);
        for needed in [
            format!("<link rel=\"canonical\" href=\"{at}/{}\">", page.path),
            format!("<meta property=\"og:url\" content=\"{at}/{}\">", page.path),
            format!("<meta property=\"og:image\" content=\"{at}/assets/social-card.png\">"),
        ] {
            assert!(html.contains(&needed), "{}: {needed}", page.file);
        }
        assert!(!html.contains(BASE), "{}", page.file);
    }
    let sitemap = text(&site, "sitemap.xml");
    assert_eq!(
        sitemap.matches(&format!("<loc>{at}/")).count(),
        site.pages.len()
    );
    assert_eq!(
        text(&site, "robots.txt"),
        format!("User-agent: *\nAllow: /\n\nSitemap: {at}/sitemap.xml\n")
    );
    // One 404 page per mount, each linking absolutely from where it is served.
    let quorum = text(&site, NOT_FOUND_FILE);
    assert!(quorum.contains(&format!("<a href=\"{BASE_PATH}/\">Go to the home page</a>")));
    let root = text(&site, NOT_FOUND_AT_ROOT_FILE);
    assert!(root.contains("<a href=\"/\">Go to the home page</a>"));
    assert!(root.contains("<link rel=\"stylesheet\" href=\"/assets/main.css\">"));
    assert_eq!(site.files[NOT_FOUND_AT_ROOT_FILE].kind, FileKind::Html);
    assert!(
        !generate(&seed(), &spec(), &Media::default())
            .files
            .contains_key(NOT_FOUND_AT_ROOT_FILE),
        "only a site with a domain has a root 404 page"
    );
    // A domain the checks refuse changes nothing.
    inputs.domain = Some("127.0.0.1".into());
    assert_eq!(
        generate(&inputs, &spec(), &Media::default()),
        generate(&seed(), &spec(), &Media::default())
    );
}
