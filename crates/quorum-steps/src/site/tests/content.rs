//! Pages made from content: the full bakery makes every page with what it gives, no page
//! admits to being a placeholder, every new field is escaped, and a site speaks its language.

use scraper::{Html, Selector};

use super::*;

/// Phrases that give away placeholder copy.
const PLACEHOLDERS: [&str; 8] = [
    "getting started",
    "on its way",
    "first post",
    "lorem",
    "ipsum",
    "coming soon",
    "placeholder",
    "tell its story",
];

fn select<'a>(doc: &'a Html, css: &str) -> Vec<scraper::ElementRef<'a>> {
    doc.select(&Selector::parse(css).unwrap()).collect()
}

fn texts(doc: &Html, css: &str) -> Vec<String> {
    select(doc, css)
        .iter()
        .map(|e| e.text().collect::<String>().trim().to_owned())
        .collect()
}

fn page(site: &Site, path: &str) -> Html {
    Html::parse_document(&text(site, path))
}

#[test]
fn the_full_content_set_makes_every_page_with_its_content() {
    let site = generate(&bakery(), &spec(), &bakery_media());
    let slugs: Vec<&str> = site.pages.iter().map(|p| p.slug.as_str()).collect();
    assert_eq!(
        slugs,
        [
            "home",
            "about",
            "services",
            "wholesale",
            "faq",
            "contact",
            "blog",
            "blog/summer-classes",
            "blog/spring-menu-rhubarb-danishes-are-back",
            "blog/we-are-ten-years-old",
        ]
    );
    assert_eq!(site.missing, [], "the bakery gives everything");

    let home = page(&site, "index.html");
    assert_eq!(
        texts(&home, "section.hero .hero-text h1"),
        ["Hearth & Crumb Bakery"]
    );
    assert_eq!(
        texts(&home, ".hero-text p.tagline"),
        ["Slow-fermented bread, baked before sunrise"]
    );
    assert_eq!(
        texts(&home, ".hero-text p.actions a.button"),
        ["Get in touch", "What we offer"]
    );
    assert_eq!(
        select(&home, ".hero-text p.actions a.button.button-secondary").len(),
        1
    );
    let hero = select(&home, "section.hero .hero-media img");
    assert_eq!(hero.len(), 1);
    // Loaded at once, first: no `loading`, and a high priority.
    assert_eq!(hero[0].value().attr("loading"), None);
    assert_eq!(hero[0].value().attr("fetchpriority"), Some("high"));
    assert_eq!(
        hero[0].value().attr("alt"),
        Some("Loaves of sourdough cooling on a rack by the shop window")
    );
    assert_eq!(
        texts(&home, "section.band > h2"),
        [
            "What we offer",
            "What our customers say",
            "Our work",
            "Meet the team",
            "Contact details",
            "Latest posts"
        ]
    );
    assert_eq!(
        select(&home, "ul.cards li.card.service").len(),
        3,
        "the first few"
    );
    assert_eq!(
        select(&home, "ul.testimonials > li > figure.testimonial").len(),
        3
    );
    assert_eq!(select(&home, "ul.gallery > li > figure > img").len(), 2);
    assert_eq!(select(&home, "ul.team > li.member > h3").len(), 3);
    assert_eq!(
        select(&home, "ul.team p.bio").len(),
        0,
        "bios are for the About page"
    );
    assert_eq!(select(&home, ".contact-details address").len(), 1);
    assert_eq!(
        texts(&home, "ul.post-list article.post-summary h3"),
        [
            "Sourdough classes for the summer",
            "Spring menu: rhubarb danishes are back",
            "We are ten years old"
        ],
        "newest first"
    );

    let about = page(&site, "about/index.html");
    assert_eq!(texts(&about, "h1"), ["About"]);
    assert_eq!(texts(&about, "div.prose h2"), ["Our story"]);
    assert_eq!(texts(&about, "div.prose h3"), ["How we bake"]);
    assert_eq!(texts(&about, "div.prose blockquote p").len(), 1);
    assert_eq!(
        texts(&about, "ul.team li.member p.role"),
        ["Founder and head baker", "Pastry chef", "Shop manager"]
    );
    assert_eq!(select(&about, "ul.team p.bio").len(), 2);
    let portraits = select(&about, "ul.team li.member img");
    assert_eq!(portraits.len(), 1, "only Clara has a photo");
    assert_eq!(
        portraits[0].value().attr("sizes"),
        Some("7rem"),
        "a square photo in warm's disc"
    );
    assert_eq!(
        select(&about, "ul.testimonials figure.testimonial").len(),
        4
    );
    assert_eq!(
        texts(&about, "figure.testimonial figcaption")[2],
        "Priya Natarajan, owner, Little Fern Café"
    );

    let services = page(&site, "services/index.html");
    assert_eq!(select(&services, "li.card.service").len(), 5);
    assert_eq!(
        texts(&services, "li.card.service p.price"),
        [
            "from $7",
            "from $4",
            "from $65",
            "on request",
            "$95 per person"
        ]
    );
    let first = text(&site, "services/index.html");
    assert!(first.contains("<p>Country sourdough, seeded rye and spelt, baked fresh every morning.<br>Sliced on request.</p>"));

    let wholesale = page(&site, "wholesale/index.html");
    assert_eq!(texts(&wholesale, "h1"), ["Wholesale"]);
    assert_eq!(texts(&wholesale, "div.prose li").len(), 3);
    let link = select(&wholesale, "div.prose a[href$=\"/contact/\"]");
    assert_eq!(link[0].value().attr("href"), Some("../contact/"));
    assert_eq!(texts(&page(&site, "faq/index.html"), "h1"), ["FAQ"]);

    let contact = page(&site, "contact/index.html");
    assert_eq!(select(&contact, "form.contact-form").len(), 1);
    let phone = select(&contact, ".contact-details p.phone a");
    assert_eq!(phone[0].value().attr("href"), Some("tel:+15035550142"));
    assert_eq!(phone[0].text().collect::<String>(), "+1 (503) 555-0142");
    assert_eq!(
        text(&site, "contact/index.html")
            .matches("<address>2817 SE Division Street<br>Portland, OR 97202</address>")
            .count(),
        1
    );
    assert_eq!(
        texts(&contact, "table.hours th"),
        ["Monday", "Tuesday – Friday", "Saturday – Sunday"]
    );
    assert_eq!(
        texts(&contact, "table.hours td"),
        ["Closed", "07:00–15:00", "08:00–14:00"]
    );
    assert_eq!(
        texts(&contact, ".contact-details ul.social-links a"),
        ["Instagram", "Facebook", "Newsletter"]
    );

    let blog = page(&site, "blog/index.html");
    let summaries = select(&blog, "ul.post-list > li > article.post-summary");
    assert_eq!(summaries.len(), 3);
    let times: Vec<&str> = select(&blog, "article.post-summary time")
        .iter()
        .filter_map(|t| t.value().attr("datetime"))
        .collect();
    assert_eq!(times, ["2026-05-20", "2026-04-02", "2026-03-14"]);
    assert_eq!(texts(&blog, "article.post-summary time")[0], "20 May 2026");
    let summary = texts(&blog, "article.post-summary > p");
    assert!(
        summary.contains(
            &"Ten years, one oven and a starter called Clementine: thank you for every loaf."
                .to_owned()
        )
    );
    assert!(
        summary
            .iter()
            .any(|s| s.starts_with("The first Oregon rhubarb arrived this week"))
    );

    let post = page(&site, "blog/we-are-ten-years-old/index.html");
    assert_eq!(
        texts(&post, "article.post > header > h1"),
        ["We are ten years old"]
    );
    assert_eq!(
        texts(&post, "article.post > header p.post-byline"),
        ["14 March 2026 · By Clara Moreau"]
    );
    assert_eq!(
        select(&post, "p.post-byline time")[0]
            .value()
            .attr("datetime"),
        Some("2026-03-14")
    );
    assert_eq!(
        texts(&post, "article.post div.prose h2"),
        ["A party on the 21st"],
        "## is the first level under the title"
    );
}

#[test]
fn every_page_of_the_full_site_has_one_h1_and_stays_small() {
    let site = generate(&bakery(), &spec(), &bakery_media());
    for (path, html) in site.html_files() {
        let html = std::str::from_utf8(html).unwrap();
        assert_eq!(html.matches("<h1").count(), 1, "{path}");
        assert!(html.len() < 30_000, "{path} is {} bytes", html.len());
        let doc = Html::parse_document(html);
        let ids: Vec<&str> = select(&doc, "[id]")
            .iter()
            .filter_map(|e| e.value().attr("id"))
            .collect();
        let mut unique = ids.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(ids.len(), unique.len(), "{path}: repeated ids {ids:?}");
        for section in select(&doc, "section.band") {
            let id = section.value().attr("aria-labelledby").unwrap();
            let h2 = select(&doc, &format!("h2#{id}"));
            assert_eq!(h2.len(), 1, "{path}: the band {id} is named by its h2");
        }
    }
    assert_eq!(
        generate(&bakery(), &spec(), &bakery_media()),
        site,
        "deterministic with every field"
    );
}

#[test]
fn no_page_of_either_site_admits_to_being_a_placeholder() {
    for site in [
        generate(&seed(), &spec(), &Media::default()),
        generate(&bakery(), &spec(), &bakery_media()),
    ] {
        for (path, html) in site.html_files() {
            let html = String::from_utf8_lossy(html).to_lowercase();
            for phrase in PLACEHOLDERS {
                assert!(!html.contains(phrase), "{path} says {phrase:?}");
            }
        }
    }
}

#[test]
fn a_french_site_uses_french_words_and_dates() {
    let mut inputs = bakery();
    inputs.language = Some("fr-FR".into());
    let site = generate(&inputs, &spec(), &bakery_media());
    assert_eq!(site.words_language, "fr");
    let titles: Vec<&str> = site
        .pages
        .iter()
        .take(7)
        .map(|p| p.title.as_str())
        .collect();
    assert_eq!(
        titles,
        [
            "Accueil",
            "À propos",
            "Services",
            "Wholesale",
            "FAQ",
            "Contact",
            "Blog"
        ]
    );
    let home = page(&site, "index.html");
    assert!(text(&site, "index.html").starts_with("<!DOCTYPE html><html lang=\"fr-FR\">"));
    assert_eq!(texts(&home, ".hero-text a.button")[0], "Nous contacter");
    assert_eq!(
        texts(&home, "section.band > h2"),
        [
            "Nos services",
            "Ce que disent nos clients",
            "Nos réalisations",
            "Notre équipe",
            "Coordonnées",
            "Derniers articles"
        ]
    );
    let contact = page(&site, "contact/index.html");
    assert_eq!(texts(&contact, "h1"), ["Contact"]);
    assert_eq!(
        texts(&contact, ".contact-details h3"),
        [
            "Adresse",
            "Téléphone",
            "E-mail",
            "Horaires d’ouverture",
            "Suivez-nous"
        ]
    );
    let days = texts(&contact, "table.hours th");
    assert_eq!(days, ["Lundi", "Mardi – Vendredi", "Samedi – Dimanche"]);
    assert_eq!(texts(&contact, "table.hours td")[0], "Fermé");
    let post = page(&site, "blog/we-are-ten-years-old/index.html");
    assert_eq!(
        texts(&post, "p.post-byline"),
        ["14 mars 2026 · Par Clara Moreau"]
    );
    let missing = page(&site, NOT_FOUND_FILE);
    assert_eq!(texts(&missing, "h1"), ["Page introuvable"]);
}

#[test]
fn a_language_quorum_has_no_words_in_gets_english_and_says_so() {
    let mut inputs = seed();
    inputs.language = Some("ja".into());
    let site = generate(&inputs, &spec(), &Media::default());
    assert_eq!(site.words_language, "en");
    assert!(text(&site, "index.html").contains("<html lang=\"ja\">"));
    assert_eq!(site.pages[1].title, "Contact");
}

#[test]
fn posts_get_unique_slugs_and_sort_newest_first() {
    let mut inputs = seed();
    let post = |title: &str, date: &str, slug: Option<&str>| PostInput {
        title: title.into(),
        date: date.into(),
        body: format!("About {title}."),
        slug: slug.map(Into::into),
        author: None,
        summary: None,
    };
    inputs.posts = vec![
        post("News", "2026-01-01", None),
        post("News", "2026-03-01", None),
        post("Hello", "2026-02-01", Some("news")),
        post("News!", "2026-03-01", None),
        post("!!!", "2025-12-31", None),
    ];
    let site = generate(&inputs, &spec(), &Media::default());
    let posts: Vec<&str> = site
        .pages
        .iter()
        .filter(|p| p.slug.starts_with("blog/"))
        .map(|p| p.slug.as_str())
        .collect();
    // The chosen slug keeps "news"; made ones step aside in the inputs' order; one day's
    // posts keep the inputs' order.
    assert_eq!(
        posts,
        [
            "blog/news-3",
            "blog/news-4",
            "blog/news",
            "blog/news-2",
            &format!("blog/{}", hashed_slug("post", "!!!")),
        ]
    );
    let blog = page(&site, "blog/index.html");
    assert_eq!(select(&blog, "article.post-summary").len(), 5);
    let byline = texts(&page(&site, "blog/news/index.html"), "p.post-byline");
    assert_eq!(byline, ["1 February 2026"], "no author, no By");
}

#[test]
fn an_about_page_from_the_team_alone_asks_for_the_story() {
    let mut inputs = seed();
    inputs.team = vec![TeamMember {
        name: "Ana Lima".into(),
        role: Some("Designer".into()),
        bio: None,
        photo: None,
    }];
    let site = generate(&inputs, &spec(), &Media::default());
    assert!(site.files.contains_key("about/index.html"));
    assert!(
        site.missing
            .iter()
            .any(|m| m.page == "about" && m.field == "about")
    );
    let about = page(&site, "about/index.html");
    assert_eq!(texts(&about, "p.lead"), ["AI-powered web development"]);
    assert_eq!(texts(&about, "ul.team h3"), ["Ana Lima"]);
}
