//! Every new field's rule, by the problem it gives: the field it names and what it says.

use serde_json::{Value, json};

use super::*;
use crate::site::check::{check, phone_href};

fn seed() -> Value {
    json!({
        "site_name": "Codex Digital Studios",
        "site_description": "AI-powered web development",
        "contact_email": "hello@codexdigital.app"
    })
}

/// The problems of the seed with `changes` merged in, as (field, message).
fn problems(changes: Value) -> Vec<(String, String)> {
    let mut inputs = seed();
    for (key, value) in changes.as_object().unwrap() {
        inputs[key] = value.clone();
    }
    let inputs: SiteInputs = serde_json::from_value(inputs).unwrap();
    check(&inputs)
        .err()
        .unwrap_or_default()
        .into_iter()
        .map(|p| (p.field, p.message))
        .collect()
}

fn fields(changes: Value) -> Vec<String> {
    problems(changes).into_iter().map(|(f, _)| f).collect()
}

#[test]
fn the_full_bakery_fixture_passes() {
    let inputs: SiteInputs =
        serde_json::from_str(include_str!("../../../fixtures/bakery.json")).unwrap();
    assert_eq!(check(&inputs), Ok(()));
}

#[test]
fn texts_are_trimmed_non_empty_and_within_their_length_in_characters() {
    assert_eq!(fields(json!({"tagline": "  "})), ["tagline"]);
    assert_eq!(
        fields(json!({"tagline": "é".repeat(120)})),
        Vec::<String>::new()
    );
    let found = problems(json!({"tagline": "é".repeat(121)}));
    assert_eq!(found[0].1, "tagline may be at most 120 characters, not 121");
    assert_eq!(
        fields(json!({"services": [{"name": "x".repeat(81), "price": ""}]})),
        ["services[0].name", "services[0].price"]
    );
    assert_eq!(
        fields(json!({"testimonials": [{"quote": "q", "author": " "}]})),
        ["testimonials[0].author"]
    );
    assert_eq!(
        fields(
            json!({"posts": [{"title": "t", "date": "2026-01-01", "body": "b".repeat(20_001)}]})
        ),
        ["posts[0].body"]
    );
}

#[test]
fn line_breaks_are_allowed_only_where_a_text_may_have_lines() {
    assert_eq!(
        fields(json!({
            "about": "# Story\n\n\tcode\r\n",
            "services": [{"name": "Bread", "description": "Rye\nSpelt"}],
            "testimonials": [{"quote": "Good\nbread", "author": "Ana"}],
            "team": [{"name": "Ana", "bio": "Baker\r\nsince 2014"}]
        })),
        Vec::<String>::new()
    );
    assert_eq!(
        fields(json!({
            "tagline": "one\ntwo",
            "services": [{"name": "Bread\nRolls", "description": "tab\there"}],
            "team": [{"name": "Ana", "role": "a\u{7}b"}],
            "about": "bell \u{7}"
        })),
        [
            "tagline",
            "about",
            "services[0].name",
            "services[0].description",
            "team[0].role"
        ]
    );
}

#[test]
fn a_phone_number_has_digits_and_only_phone_punctuation() {
    for good in [
        "+1 (503) 555-0142",
        "030 1234567",
        "+44 20 7946 0958",
        "112",
    ] {
        assert_eq!(
            fields(json!({"contact": {"phone": good}})),
            Vec::<String>::new(),
            "{good}"
        );
    }
    for bad in [
        "call us",
        "+",
        "12",
        "555-CAKE",
        "+1 503 555 0142 ext 2",
        "1234567890123456",
    ] {
        assert_eq!(
            fields(json!({"contact": {"phone": bad}})),
            ["contact.phone"],
            "{bad}"
        );
    }
    assert_eq!(phone_href("+1 (503) 555-0142"), "tel:+15035550142");
    assert_eq!(phone_href("030 1234567"), "tel:0301234567");
}

#[test]
fn dates_must_be_real_calendar_days() {
    let post = |date: &str| json!({"posts": [{"title": "t", "date": date, "body": "b"}]});
    for good in ["2026-02-28", "2024-02-29", "2000-02-29", "2026-12-31"] {
        assert_eq!(fields(post(good)), Vec::<String>::new(), "{good}");
    }
    for bad in [
        "2026-02-30",
        "2025-02-29",
        "1900-02-29",
        "2026-13-01",
        "2026-00-10",
        "2026-4-1",
        "26-04-01",
        "2026-04-31",
        "tomorrow",
    ] {
        let found = problems(post(bad));
        assert_eq!(found.len(), 1, "{bad}: {found:?}");
        assert_eq!(found[0].0, "posts[0].date");
        assert!(found[0].1.contains("real calendar date"), "{}", found[0].1);
    }
}

#[test]
fn opening_hours_open_before_they_close_on_named_days() {
    let hours = |entry: Value| json!({"contact": {"opening_hours": [entry]}});
    assert_eq!(
        fields(hours(
            json!({"days": ["monday"], "opens": "08:00", "closes": "17:30"})
        )),
        Vec::<String>::new()
    );
    let found = problems(hours(
        json!({"days": ["monday"], "opens": "19:00", "closes": "02:00"}),
    ));
    assert_eq!(found[0].0, "contact.opening_hours[0].closes");
    assert!(
        found[0].1.contains("past midnight are two entries"),
        "{}",
        found[0].1
    );
    assert_eq!(
        fields(hours(
            json!({"days": ["monday"], "opens": "09:00", "closes": "09:00"})
        )),
        ["contact.opening_hours[0].closes"]
    );
    assert_eq!(
        fields(hours(
            json!({"days": [], "opens": "24:00", "closes": "9:60"})
        )),
        [
            "contact.opening_hours[0].days",
            "contact.opening_hours[0].opens",
            "contact.opening_hours[0].closes"
        ]
    );
    assert_eq!(
        fields(hours(
            json!({"days": ["monday", "monday"], "opens": "08:00", "closes": "12:00"})
        )),
        ["contact.opening_hours[0].days[1]"]
    );
}

#[test]
fn social_links_are_https_with_a_host() {
    for good in [
        "https://instagram.com/hearthandcrumb",
        "https://www.facebook.com/x?ref=1#top",
        "https://mastodon.social:443/@crumb",
    ] {
        assert!(social_url_ok(good), "{good}");
    }
    for bad in [
        "http://instagram.com/x",
        "https://",
        "https:///path",
        "https://localhost/",
        "https://user@evil.example/",
        "https://a b.com/",
        "https://instagram.com/x\"onmouseover=alert(1)",
        "https://instagram.com/<script>",
        "javascript:alert(1)//https://x.com",
        "HTTPS://x.com",
        "https://-x.com",
        "https://x.com:port/",
    ] {
        assert!(!social_url_ok(bad), "{bad}");
        assert_eq!(
            fields(json!({"social_links": [{"url": bad}]})),
            ["social_links[0].url"],
            "{bad}"
        );
    }
    let long = format!("https://x.com/{}", "a".repeat(300));
    assert!(!social_url_ok(&long));
}

#[test]
fn post_slugs_are_valid_and_unique() {
    let found = problems(json!({"posts": [
        {"title": "a", "date": "2026-01-01", "body": "b", "slug": "news"},
        {"title": "b", "date": "2026-01-02", "body": "b", "slug": "News!"},
        {"title": "c", "date": "2026-01-03", "body": "b", "slug": "news"}
    ]}));
    let fields: Vec<&str> = found.iter().map(|(f, _)| f.as_str()).collect();
    assert_eq!(fields, ["posts[1].slug", "posts[2].slug"]);
    assert!(found[1].1.contains("posts[0]"), "{}", found[1].1);
}

#[test]
fn a_language_is_a_bcp_47_tag() {
    for good in ["en", "fr-CA", "pt-BR", "zh-Hant-TW", "gsw"] {
        assert_eq!(
            fields(json!({"language": good})),
            Vec::<String>::new(),
            "{good}"
        );
    }
    for bad in [
        "",
        "e",
        "english",
        "en_US",
        "fr-",
        "en-US-x-",
        "1a",
        "en-abcdefghi",
        "\"><x",
    ] {
        assert_eq!(fields(json!({"language": bad})), ["language"], "{bad}");
    }
}

#[test]
fn a_body_on_a_built_in_page_names_the_field_to_use_instead() {
    let found = problems(json!({"pages": [
        "home",
        {"slug": "about", "title": "Our bakery", "body": "Our story"},
        {"slug": "services", "body": "x"},
        {"slug": "menu", "title": "Menu", "body": "Bread"}
    ]}));
    assert_eq!(found.len(), 2, "{found:?}");
    assert_eq!(found[0].0, "pages[1].body");
    assert!(found[0].1.contains("give that instead") && found[0].1.contains("`about`"));
    assert_eq!(found[1].0, "pages[2].body");
    assert!(found[1].1.contains("`services`"));
    assert_eq!(
        fields(json!({"pages": [{"slug": "menu", "title": "", "body": " "}]})),
        ["pages[0].title", "pages[0].body"]
    );
}

#[test]
fn pictures_have_an_upload_id_and_alt_text_except_the_logo() {
    assert_eq!(
        fields(json!({
            "logo": {"upload": "upl_logo"},
            "hero_image": {"upload": "upl_hero", "alt": "A loaf"},
            "team": [{"name": "Ana", "photo": {"upload": "upl_ana", "alt": "Ana"}}]
        })),
        Vec::<String>::new()
    );
    assert_eq!(
        fields(json!({
            "hero_image": {"upload": "../etc/passwd", "alt": " "},
            "gallery": [{"upload": "upl_x"}],
            "team": [{"name": "Ana", "photo": {"upload": "upl_UPPER", "alt": "Ana"}}]
        })),
        [
            "team[0].photo.upload",
            "hero_image.upload",
            "hero_image.alt",
            "gallery[0].alt"
        ]
    );
}

#[test]
fn lists_have_the_schemas_limits() {
    let services: Vec<Value> = (0..25).map(|i| json!({"name": format!("s{i}")})).collect();
    let found = problems(json!({"services": services}));
    assert_eq!(
        found,
        [(
            "services".into(),
            "services may list at most 24, not 25".into()
        )]
    );
}

#[test]
fn an_address_needs_a_street_and_a_town() {
    assert_eq!(
        fields(
            json!({"contact": {"address": {"street": " ", "locality": "Portland", "postal_code": "x".repeat(21)}}})
        ),
        ["contact.address.street", "contact.address.postal_code"]
    );
}
