//! The website family's sites as a whole: a landing page and its second variant, an
//! affiliate site's reviews, comparisons, links and disclosure, and hostile text in each.

use scraper::{Html, Selector};

use super::*;

pub(crate) fn landing() -> SiteInputs {
    serde_json::from_str(include_str!("../../../fixtures/landing.json")).unwrap()
}

pub(crate) fn shop() -> SiteInputs {
    serde_json::from_str(include_str!("../../../fixtures/shop.json")).unwrap()
}

pub(crate) fn affiliate() -> SiteInputs {
    serde_json::from_str(include_str!("../../../fixtures/affiliate.json")).unwrap()
}

fn select(html: &str, css: &str) -> Vec<String> {
    let doc = Html::parse_document(html);
    doc.select(&Selector::parse(css).unwrap())
        .map(|e| e.html())
        .collect()
}

#[test]
fn the_fixtures_pass_the_generators_checks() {
    for inputs in [landing(), affiliate(), shop()] {
        assert_eq!(check(&inputs), Ok(()), "{}", inputs.site_name);
    }
}

#[test]
fn a_landing_page_is_one_page_with_two_headlines_and_a_lead_form() {
    let site = generate(&landing(), &spec(), &Media::default());
    assert_eq!(
        site.pages
            .iter()
            .map(|p| p.path.as_str())
            .collect::<Vec<_>>(),
        [""]
    );
    let a = text(&site, "index.html");
    let b = text(&site, VARIANT_B_FILE);
    assert!(a.contains("<h1 id=\"page-title\">Bake a real sourdough loaf in one weekend</h1>"));
    assert!(b.contains(
        "<h1 id=\"page-title\">Your first open-crumb sourdough, taught by working bakers</h1>"
    ));
    assert!(a.contains(r#"<input type="hidden" name="variant" value="a">"#));
    assert!(b.contains(r#"<input type="hidden" name="variant" value="b">"#));
    // The same page but for the headline, its description and the hidden field.
    let canonical = format!(r#"<link rel="canonical" href="{BASE}/">"#);
    assert!(a.contains(&canonical) && b.contains(&canonical));
    for html in [&a, &b] {
        assert_eq!(
            select(html, "form.lead-form[method=post][action=lead]").len(),
            1
        );
        for id in [
            "lead-name",
            "lead-email",
            "lead-phone",
            "lead-weekend",
            "lead-notes",
            "lead-consent",
        ] {
            assert_eq!(select(html, &format!("label[for={id}]")).len(), 1, "{id}");
        }
        assert_eq!(
            select(html, "select#lead-weekend[required] option").len(),
            4
        );
        assert_eq!(
            select(html, "textarea#lead-notes[maxlength=\"500\"]").len(),
            1
        );
        assert_eq!(
            select(html, "input#lead-consent[type=checkbox][required]").len(),
            1
        );
        assert_eq!(select(html, ".plans .featured .plan-badge").len(), 1);
        assert_eq!(select(html, ".faq details").len(), 3);
        assert_eq!(select(html, "#signup").len(), 1);
        assert!(
            !html.contains("class=\"site-nav\""),
            "one page needs no menu"
        );
    }
    let sitemap = text(&site, "sitemap.xml");
    assert_eq!(sitemap.matches("<url>").count(), 1, "{sitemap}");
    let css = text(&site, CSS_FILE);
    assert!(css.contains(".plan-badge"));
    // A business's site does not carry the family's rules.
    let basic = generate(&seed(), &spec(), &Media::default());
    assert!(!text(&basic, CSS_FILE).contains(".plan-badge"));
}

#[test]
fn without_a_second_headline_there_is_one_variant() {
    let mut inputs = landing();
    inputs.landing.as_mut().unwrap().headline_b = None;
    let site = generate(&inputs, &spec(), &Media::default());
    assert!(!site.files.contains_key(VARIANT_B_FILE));
    assert!(site.missing.iter().any(|m| m.field == "landing.headline_b"));
}

#[test]
fn an_affiliate_site_reviews_and_compares_each_product() {
    let site = generate(&affiliate(), &spec(), &Media::default());
    let paths: Vec<&str> = site.pages.iter().map(|p| p.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "",
            "reviews/alpenglow-ul2/",
            "reviews/basecamp-dome-3/",
            "reviews/stormline-solo/",
            "compare/backpacking-tents/",
            "about/",
            "contact/",
        ]
    );
    let sitemap = text(&site, "sitemap.xml");
    for path in &paths {
        assert!(
            sitemap.contains(&format!("<loc>{BASE}/{path}</loc>")),
            "{path}"
        );
    }
    let review = text(&site, "reviews/alpenglow-ul2/index.html");
    assert!(review.contains("Rated 4.5 out of 5"));
    assert_eq!(select(&review, "ul.pros li").len(), 3);
    assert_eq!(select(&review, "ul.cons li").len(), 2);
    assert!(review.contains("\"@type\":\"Product\""));
    assert!(review.contains("\"ratingValue\":\"4.5\""));
    let compare = text(&site, "compare/backpacking-tents/index.html");
    assert_eq!(select(&compare, "table.comparison tbody tr").len(), 3);
    // Reviews are reached from the home page and the comparison, not the menu.
    let nav = select(&text(&site, "index.html"), ".nav-wide a");
    assert_eq!(nav.len(), 4, "{nav:?}");
}

#[test]
fn a_shop_lists_its_categories_and_cart_and_a_page_per_product() {
    let site = generate(&shop(), &spec(), &Media::default());
    let paths: Vec<&str> = site.pages.iter().map(|p| p.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "",
            "shop/bread/",
            "shop/pastry/",
            "shop/cakes/",
            "cart/",
            "about/",
            "contact/",
            "products/country-sourdough/",
            "products/seeded-rye/",
            "products/croissant/",
            "products/celebration-cake/",
        ]
    );
    let product = text(&site, "products/croissant/index.html");
    assert!(
        product.contains("\"@type\":\"Offer\",\"price\":\"4.25\",\"priceCurrency\":\"USD\"")
            || product.contains("\"price\":\"4.25\""),
        "{product}"
    );
    assert_eq!(
        select(&product, "form.add-to-cart[hidden] select#option-0 option").len(),
        3
    );
    assert_eq!(
        select(&product, "noscript").len(),
        1,
        "without script it says how to order"
    );
    let cart = text(&site, "cart/index.html");
    assert_eq!(
        select(&cart, "form.checkout[method=post][action=\"../order\"]").len(),
        1
    );
    assert!(cart.contains("no card is needed now"));
    assert!(text(&site, JS_FILE).contains("quorum-cart:"));
    // The catalogue the cart reads is data, escaped for its script element.
    assert!(cart.contains("<script id=\"store-catalog\" type=\"application/json\">"));
}

#[test]
fn every_affiliate_link_goes_through_the_site_marked_sponsored_after_the_disclosure() {
    let site = generate(&affiliate(), &spec(), &Media::default());
    let mut links = 0;
    for page in &site.pages {
        let html = text(&site, &page.file);
        let outbound = select(&html, "main a[href*=\"go/\"]");
        let merchants = select(
            &html,
            "a[href^=\"https://www.summitsupply\"], a[href^=\"https://trailhead\"]",
        );
        assert!(
            merchants.is_empty(),
            "{}: a merchant linked directly",
            page.path
        );
        if outbound.is_empty() {
            assert!(!html.contains("class=\"disclosure\""), "{}", page.path);
            continue;
        }
        let disclosure = html.find("class=\"disclosure\"").unwrap_or(usize::MAX);
        let first = html.find("go/").unwrap();
        assert!(
            disclosure < first,
            "{}: the disclosure comes first",
            page.path
        );
        assert!(html.contains("earns a commission when you buy through the affiliate links"));
        for link in &outbound {
            assert!(link.contains(&format!("rel=\"{AFFILIATE_REL}\"")), "{link}");
            let from = match page.slug.as_str() {
                "home" => "home".to_owned(),
                slug => slug.to_owned(),
            };
            assert!(link.contains(&format!("?from={from}\"")), "{link}");
            links += 1;
        }
    }
    // Home 3, each review 1 or 2 (one with a written review has a second), comparison 3.
    assert_eq!(links, 3 + 2 + 1 + 1 + 3);
}

#[test]
fn the_familys_links_reach_a_file_or_an_endpoint_of_quorum() {
    for inputs in [landing(), affiliate(), shop()] {
        let site = generate(&inputs, &spec(), &Media::default());
        let root = format!("{BASE}/");
        for page in &site.pages {
            let html = text(&site, &page.file);
            for path in internal_targets(&html, &format!("{root}{}", page.path), &root) {
                let path = path.split('?').next().unwrap().to_owned();
                let endpoint = path == LEAD_ENDPOINT
                    || path == ORDER_ENDPOINT
                    || path == "_contact"
                    || path.strip_prefix(GO_PREFIX).is_some_and(|link| {
                        inputs
                            .affiliate
                            .as_ref()
                            .and_then(|a| merchant_url(a, link))
                            .is_some()
                    });
                assert!(
                    endpoint || site.files.contains_key(&file_for(&path)),
                    "{}: {path}",
                    page.path
                );
            }
        }
    }
}

#[test]
fn hostile_text_in_the_familys_inputs_reaches_no_page_as_markup() {
    let attack = "<script>alert(1)</script>\"'><img src=x onerror=alert(2)>";
    let mut landing = landing();
    let l = landing.landing.as_mut().unwrap();
    l.headline = format!("Head {attack}");
    l.headline_b = Some(format!("B {attack}"));
    l.sub_headline = Some(attack.into());
    l.call_to_action = format!("Go {attack}");
    l.proof = vec![attack.into()];
    for b in &mut l.benefits {
        b.title = attack.into();
        b.text = Some(attack.into());
    }
    for q in &mut l.faq {
        q.question = attack.into();
        q.answer = attack.into();
    }
    for p in &mut l.pricing {
        p.name = attack.into();
        p.price = attack.into();
        p.period = Some(attack.into());
        p.features = vec![attack.into()];
    }
    for f in &mut l.form.fields {
        f.label = attack.into();
        f.options = f.options.iter().map(|_| attack.to_owned()).collect();
    }
    l.form.consent = Some(attack.into());
    let mut affiliate = affiliate();
    let a = affiliate.affiliate.as_mut().unwrap();
    a.disclosure = Some(attack.into());
    for p in &mut a.products {
        p.name = format!("P {attack}");
        p.summary = attack.into();
        p.review = Some(format!("{attack}\n\n[x](javascript:alert(3))"));
        p.pros = vec![attack.into()];
        p.cons = vec![attack.into()];
        p.merchant = attack.into();
        p.price = Some(attack.into());
    }
    for c in &mut a.comparisons {
        c.title = attack.into();
        c.intro = Some(attack.into());
    }
    let mut shop = shop();
    let s = shop.shop.as_mut().unwrap();
    s.pickup = Some(attack.into());
    for p in &mut s.products {
        p.name = format!("P {attack}");
        p.description = attack.into();
        p.category = Some(attack.into());
        for o in &mut p.options {
            o.name = attack.into();
            o.values = vec![attack.into()];
        }
    }
    for inputs in [landing, affiliate, shop] {
        let site = generate(&inputs, &spec(), &Media::default());
        for (path, file) in site.files_of(FileKind::Html) {
            let html = String::from_utf8_lossy(file);
            assert!(!html.contains("<script>alert"), "{path}");
            assert!(!html.contains("<img src=x"), "{path}");
            assert!(!html.contains("javascript:"), "{path}");
        }
    }
}

#[test]
fn every_page_of_each_kind_parses_without_an_html_error() {
    // The parser does report what a validator would: a stray end tag, an unclosed element.
    assert!(
        !Html::parse_document("<!DOCTYPE html><p>a</div><table><td>b")
            .errors
            .is_empty()
    );
    for inputs in [bakery(), landing(), affiliate(), shop()] {
        let media = media_for(&inputs);
        let site = generate(&inputs, &spec(), &media);
        for (path, file) in site.files_of(FileKind::Html) {
            let doc = Html::parse_document(std::str::from_utf8(file).unwrap());
            assert!(
                doc.errors.is_empty(),
                "{} {path}: {:?}",
                inputs.site_name,
                doc.errors
            );
        }
    }
}
