//! The footer every page ends with: the site's name and line, the navigation again, every
//! way to reach the business the inputs give (email always; phone, postal address and social
//! links when given) and the copyright line.

use maud::{Markup, html};

use super::check::phone_href;
use super::layout::Ctx;
use super::sections::{social_links, town_lines, words};
use super::{Address, Words};

/// The footer around this page's navigation list (which marks the page as current).
pub(crate) fn footer(ctx: &Ctx, nav: &Markup) -> Markup {
    // The rest is the same on every page, so it is rendered once per site.
    let (before, after) = ctx.footer_parts.get_or_init(|| parts(ctx));
    html! {
        footer.site-footer {
            div.footer-inner {
                (before)
                nav.footer-nav aria-label=(words(ctx).footer_nav) { (nav) }
                (after)
            }
        }
    }
}

/// What comes before the navigation (the name and its line) and after it (contact details,
/// social links, copyright).
fn parts(ctx: &Ctx) -> (Markup, Markup) {
    let words = words(ctx);
    let inputs = ctx.inputs;
    let email = inputs.contact_email.trim();
    let line = inputs
        .tagline
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .unwrap_or(ctx.description());
    let phone = inputs.contact.phone.as_deref().map(str::trim);
    let social = social_links(ctx);
    let before = html! {
        div.footer-about {
            p.footer-name { (ctx.name()) }
            p.footer-line { (line) }
        }
    };
    let after = html! {
        address.footer-contact {
            p { (words.email) (words.colon) a href=(format!("mailto:{email}")) { (email) } }
            @if let Some(phone) = phone.filter(|p| p.chars().any(|c| c.is_ascii_digit())) {
                p { (words.phone) (words.colon) a href=(phone_href(phone)) { (phone) } }
            }
            @if let Some(lines) = inputs.contact.address.as_ref().map(|a| address_lines(a, words)) {
                p {
                    @for (i, line) in lines.iter().enumerate() {
                        @if i > 0 { br; }
                        (line)
                    }
                }
            }
        }
        @if !social.is_empty() {
            div.footer-social {
                p.footer-label #footer-social { (words.follow_us) }
                ul.social-links aria-labelledby="footer-social" {
                    @for (url, label) in &social {
                        li { a href=(url) rel="noopener" { (label) } }
                    }
                }
            }
        }
        p.footer-legal {
            "© " span data-year {} (ctx.name())
        }
    };
    (before, after)
}

/// A postal address on the footer's few lines: the street; the town as its country writes it
/// (the contact details' rule), with the region after it where the postal code leads; the
/// country as given.
fn address_lines(address: &Address, words: &Words) -> Vec<String> {
    let (town, region) = town_lines(address, words);
    let country = address.country.as_deref().map(str::trim);
    [
        Some(address.street.trim()),
        Some(town.as_str()),
        region,
        country,
    ]
    .into_iter()
    .flatten()
    .filter(|l| !l.is_empty())
    .map(str::to_owned)
    .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::site::{Media, SiteInputs, SiteSpec, generate};

    fn spec() -> SiteSpec {
        SiteSpec {
            slug: "harbour".into(),
            base_url: "https://example.com".into(),
            contact_action: "https://example.com/contact".into(),
            deployment_id: "deploy_1".into(),
            date: "2026-11-02".into(),
        }
    }

    fn page(inputs: serde_json::Value) -> String {
        let inputs: SiteInputs = serde_json::from_value(inputs).unwrap();
        let site = generate(&inputs, &spec(), &Media::default());
        String::from_utf8(site.files["contact/index.html"].bytes.to_vec()).unwrap()
    }

    fn base() -> serde_json::Value {
        json!({
            "site_name": "Harbour Street Bakery",
            "site_description": "Sourdough by the harbour",
            "contact_email": "hello@example.com"
        })
    }

    fn footer_of(html: &str) -> &str {
        &html[html.find("<footer class=\"site-footer\">").unwrap()..]
    }

    #[test]
    fn the_footer_gives_every_way_to_reach_the_business_the_inputs_have() {
        let mut inputs = base();
        inputs["tagline"] = json!("Bread worth getting up for");
        inputs["contact"] = json!({
            "phone": "+44 (0)1632 960-418",
            "address": {"street": "14 Harbour Street", "locality": "Portwen",
                        "region": "Cornwall", "postal_code": "TR19 7QZ", "country": "GB"}
        });
        inputs["social_links"] = json!([
            {"url": "https://www.instagram.com/harbour"},
            {"url": "https://maps.example.com/harbour", "label": "Find us on the map"}
        ]);
        let html = page(inputs);
        let footer = footer_of(&html);
        for needed in [
            "<p class=\"footer-line\">Bread worth getting up for</p>",
            "<nav class=\"footer-nav\" aria-label=\"Footer\">",
            "<address class=\"footer-contact\">",
            "Email: <a href=\"mailto:hello@example.com\">hello@example.com</a>",
            "Phone: <a href=\"tel:+4401632960418\">+44 (0)1632 960-418</a>",
            "<p>14 Harbour Street<br>Portwen, Cornwall TR19 7QZ<br>GB</p>",
            "<ul class=\"social-links\" aria-labelledby=\"footer-social\">",
            "<a href=\"https://www.instagram.com/harbour\" rel=\"noopener\">Instagram</a>",
            ">Find us on the map</a>",
        ] {
            assert!(footer.contains(needed), "{needed}\n{footer}");
        }
    }

    #[test]
    fn the_seeds_footer_has_the_email_and_nothing_it_was_not_given() {
        let html = page(base());
        let footer = footer_of(&html);
        assert!(footer.contains("<p class=\"footer-line\">Sourdough by the harbour</p>"));
        for absent in ["tel:", "social-links", "<br>"] {
            assert!(!footer.contains(absent), "{absent}");
        }
    }

    #[test]
    fn a_social_link_that_is_not_https_is_left_out() {
        let mut inputs = base();
        inputs["social_links"] = json!([
            {"url": "javascript:alert(1)", "label": "Click"},
            {"url": "http://example.com/plain", "label": "Plain"},
            {"url": "https://example.com/a b", "label": "Spaced"},
            {"url": "https://bsky.app/profile/harbour"}
        ]);
        let html = page(inputs);
        let footer = footer_of(&html);
        assert!(!footer.contains("javascript:") && !footer.contains("Plain"));
        assert!(!footer.contains("Spaced"));
        assert!(footer.contains(">Bluesky</a>"));
    }

    #[test]
    fn social_labels_name_the_network_or_the_host() {
        let label = crate::site::sections::network_name;
        assert_eq!(label("https://www.facebook.com/x"), "Facebook");
        assert_eq!(label("https://m.youtube.com/@x"), "YouTube");
        assert_eq!(label("https://uk.linkedin.com/in/x"), "LinkedIn");
        assert_eq!(label("https://x.com/harbour"), "X");
        assert_eq!(label("https://shop.example.com/?a=1"), "shop.example.com");
        // A look-alike host is not the network.
        assert_eq!(label("https://notinstagram.com/x"), "notinstagram.com");
    }

    #[test]
    fn a_phone_number_dials_its_digits() {
        assert_eq!(phone_href("+1 (555) 010-0199"), "tel:+15550100199");
        assert_eq!(phone_href("020 7946 0958"), "tel:02079460958");
    }
}
