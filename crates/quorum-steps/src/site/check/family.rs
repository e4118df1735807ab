//! Checks of the website family's own inputs: a landing page's copy and lead form, an
//! affiliate site's products and the merchant links the server will redirect to.

use super::Problems;
use super::content::{Lines, count, optional, required};
use super::values::post_slug_ok;
use crate::site::affiliate::{self, Affiliate};
use crate::site::inputs::SiteInputs;
use crate::site::landing::{
    LEAD_LINE_MAX, LEAD_TEXT_MAX, Landing, LeadFieldKind, RESERVED_LEAD_FIELDS,
};
use crate::site::shop::Shop;

pub(super) fn check(inputs: &SiteInputs, p: &mut Problems) {
    if let Some(landing) = &inputs.landing {
        self::landing(landing, p);
    }
    if let Some(affiliate) = &inputs.affiliate {
        self::affiliate(affiliate, p);
    }
    if let Some(shop) = &inputs.shop {
        self::shop(shop, p);
    }
    let kinds = [
        inputs.landing.is_some(),
        inputs.affiliate.is_some(),
        inputs.shop.is_some(),
    ];
    if kinds.iter().filter(|k| **k).count() > 1 {
        p.add(
            "",
            "may give one of `landing`, `affiliate` and `shop`: a site is one of them",
        );
    }
    // The family's own paths: a page of the business's of one of these names would hide them.
    let taken: &[&str] = match (&inputs.affiliate, &inputs.shop) {
        (Some(_), _) => &["reviews", "compare", "go"],
        (_, Some(_)) => &["products", "shop", "cart", "order"],
        _ => &[],
    };
    for (i, page) in inputs.pages.iter().enumerate() {
        if taken.contains(&page.slug()) {
            p.add(
                format!("pages[{i}]"),
                format_args!(
                    "{:?} is where the site's own pages live: choose another slug",
                    page.slug()
                ),
            );
        }
    }
}

fn landing(landing: &Landing, p: &mut Problems) {
    required(p, "landing.headline", &landing.headline, 120, Lines::One);
    optional(
        p,
        "landing.headline_b",
        landing.headline_b.as_deref(),
        120,
        Lines::One,
    );
    if landing.headline_b.as_deref().map(str::trim) == Some(landing.headline.trim()) {
        p.add(
            "landing.headline_b",
            "is the same as `landing.headline`: an A/B test needs two headlines",
        );
    }
    optional(
        p,
        "landing.sub_headline",
        landing.sub_headline.as_deref(),
        300,
        Lines::One,
    );
    required(
        p,
        "landing.call_to_action",
        &landing.call_to_action,
        40,
        Lines::One,
    );
    count(p, "landing.benefits", landing.benefits.len(), 12);
    for (i, benefit) in landing.benefits.iter().enumerate() {
        required(
            p,
            &format!("landing.benefits[{i}].title"),
            &benefit.title,
            80,
            Lines::One,
        );
        let text = benefit.text.as_deref();
        optional(
            p,
            &format!("landing.benefits[{i}].text"),
            text,
            400,
            Lines::Many,
        );
    }
    count(p, "landing.proof", landing.proof.len(), 6);
    for (i, fact) in landing.proof.iter().enumerate() {
        required(p, &format!("landing.proof[{i}]"), fact, 80, Lines::One);
    }
    count(p, "landing.faq", landing.faq.len(), 20);
    for (i, q) in landing.faq.iter().enumerate() {
        required(
            p,
            &format!("landing.faq[{i}].question"),
            &q.question,
            200,
            Lines::One,
        );
        required(
            p,
            &format!("landing.faq[{i}].answer"),
            &q.answer,
            1_000,
            Lines::Many,
        );
    }
    count(p, "landing.pricing", landing.pricing.len(), 4);
    for (i, plan) in landing.pricing.iter().enumerate() {
        let at = format!("landing.pricing[{i}]");
        required(p, &format!("{at}.name"), &plan.name, 40, Lines::One);
        required(p, &format!("{at}.price"), &plan.price, 20, Lines::One);
        optional(
            p,
            &format!("{at}.period"),
            plan.period.as_deref(),
            20,
            Lines::One,
        );
        count(p, &format!("{at}.features"), plan.features.len(), 12);
        for (j, feature) in plan.features.iter().enumerate() {
            required(p, &format!("{at}.features[{j}]"), feature, 80, Lines::One);
        }
    }
    let form = &landing.form;
    count(p, "landing.form.fields", form.fields.len(), 8);
    for (i, field) in form.fields.iter().enumerate() {
        let at = format!("landing.form.fields[{i}]");
        if !field_name_ok(&field.name) {
            p.add(
                format!("{at}.name"),
                format_args!(
                    "must be 1 to 32 lowercase letters, digits or underscores starting with a \
                     letter, and not {}, not {:?}",
                    RESERVED_LEAD_FIELDS.join(", "),
                    field.name
                ),
            );
        } else if form.fields[..i].iter().any(|f| f.name == field.name) {
            p.add(
                format!("{at}.name"),
                format_args!("repeats {:?}", field.name),
            );
        }
        required(p, &format!("{at}.label"), &field.label, 80, Lines::One);
        let limit = match field.kind {
            LeadFieldKind::Textarea => LEAD_TEXT_MAX,
            _ => LEAD_LINE_MAX,
        };
        if field.max_length.is_some_and(|max| max == 0 || max > limit) {
            p.add(
                format!("{at}.max_length"),
                format_args!("must be 1 to {limit}"),
            );
        }
        match field.kind {
            LeadFieldKind::Select if field.options.is_empty() => {
                p.add(format!("{at}.options"), "must list the choices of a select");
            }
            LeadFieldKind::Select => {
                count(p, &format!("{at}.options"), field.options.len(), 20);
                for (j, option) in field.options.iter().enumerate() {
                    required(p, &format!("{at}.options[{j}]"), option, 80, Lines::One);
                }
            }
            _ if !field.options.is_empty() => {
                p.add(
                    format!("{at}.options"),
                    "are only for a field of kind select",
                );
            }
            _ => {}
        }
    }
    optional(
        p,
        "landing.form.consent",
        form.consent.as_deref(),
        300,
        Lines::One,
    );
}

/// `^[a-z][a-z0-9_]{0,31}$`, and none of the form's own fields.
fn field_name_ok(name: &str) -> bool {
    (1..=32).contains(&name.len())
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        && !RESERVED_LEAD_FIELDS.contains(&name)
}

fn affiliate(affiliate: &Affiliate, p: &mut Problems) {
    optional(
        p,
        "affiliate.disclosure",
        affiliate.disclosure.as_deref(),
        600,
        Lines::One,
    );
    if affiliate.products.is_empty() {
        p.add("affiliate.products", "must list at least one product");
    }
    count(p, "affiliate.products", affiliate.products.len(), 30);
    for (i, product) in affiliate.products.iter().enumerate() {
        let at = format!("affiliate.products[{i}]");
        required(p, &format!("{at}.name"), &product.name, 80, Lines::One);
        required(
            p,
            &format!("{at}.summary"),
            &product.summary,
            400,
            Lines::Many,
        );
        let review = product.review.as_deref();
        optional(p, &format!("{at}.review"), review, 20_000, Lines::Markdown);
        required(
            p,
            &format!("{at}.merchant"),
            &product.merchant,
            60,
            Lines::One,
        );
        optional(
            p,
            &format!("{at}.price"),
            product.price.as_deref(),
            40,
            Lines::One,
        );
        if !(0.0..=5.0).contains(&product.rating) || (product.rating * 2.0).fract() != 0.0 {
            p.add(
                format!("{at}.rating"),
                format_args!("must be 0 to 5 in halves, like 4.5, not {}", product.rating),
            );
        }
        if !merchant_url_ok(&product.url) {
            p.add(
                format!("{at}.url"),
                format_args!(
                    "must be an http:// or https:// address of at most 500 characters with a \
                     host, not {:?}",
                    product.url
                ),
            );
        }
        let earlier = affiliate.products[..i].iter().map(|o| o.slug.as_deref());
        item_slug(p, &at, product.slug.as_deref(), earlier);
        for (list, items) in [("pros", &product.pros), ("cons", &product.cons)] {
            count(p, &format!("{at}.{list}"), items.len(), 10);
            for (j, item) in items.iter().enumerate() {
                required(p, &format!("{at}.{list}[{j}]"), item, 160, Lines::One);
            }
        }
    }
    let links: Vec<String> = affiliate::links(affiliate)
        .into_iter()
        .map(|(s, _)| s)
        .collect();
    count(p, "affiliate.comparisons", affiliate.comparisons.len(), 10);
    for (i, comparison) in affiliate.comparisons.iter().enumerate() {
        let at = format!("affiliate.comparisons[{i}]");
        required(p, &format!("{at}.title"), &comparison.title, 80, Lines::One);
        optional(
            p,
            &format!("{at}.intro"),
            comparison.intro.as_deref(),
            600,
            Lines::Many,
        );
        if let Some(slug) = comparison.slug.as_deref().filter(|s| !post_slug_ok(s)) {
            p.add(
                format!("{at}.slug"),
                format_args!("must be 1 to 40 lowercase letters, digits or hyphens, not {slug:?}"),
            );
        }
        if comparison.products.len() < 2 {
            p.add(
                format!("{at}.products"),
                "must name at least two products to compare",
            );
        }
        for (j, product) in comparison.products.iter().enumerate() {
            if !links.contains(product) {
                p.add(
                    format!("{at}.products[{j}]"),
                    format_args!(
                        "names no product: {product:?} is not one of {}",
                        links.join(", ")
                    ),
                );
            }
        }
    }
}

fn shop(shop: &Shop, p: &mut Problems) {
    if !(shop.currency.len() == 3 && shop.currency.bytes().all(|b| b.is_ascii_uppercase())) {
        p.add(
            "shop.currency",
            format_args!(
                "must be an ISO 4217 code such as USD or EUR, not {:?}",
                shop.currency
            ),
        );
    }
    optional(p, "shop.pickup", shop.pickup.as_deref(), 300, Lines::One);
    if shop.products.is_empty() {
        p.add("shop.products", "must list at least one product");
    }
    count(p, "shop.products", shop.products.len(), 200);
    for (i, product) in shop.products.iter().enumerate() {
        let at = format!("shop.products[{i}]");
        required(p, &format!("{at}.name"), &product.name, 80, Lines::One);
        required(
            p,
            &format!("{at}.description"),
            &product.description,
            2_000,
            Lines::Many,
        );
        optional(
            p,
            &format!("{at}.category"),
            product.category.as_deref(),
            40,
            Lines::One,
        );
        if !(1..=1_000_000_000).contains(&product.price) {
            p.add(
                format!("{at}.price"),
                format_args!(
                    "must be 1 to 1,000,000,000 minor units (650 is 6.50), not {}",
                    product.price
                ),
            );
        }
        let earlier = shop.products[..i].iter().map(|o| o.slug.as_deref());
        item_slug(p, &at, product.slug.as_deref(), earlier);
        count(p, &format!("{at}.images"), product.images.len(), 6);
        for (j, picture) in product.images.iter().enumerate() {
            super::content::image(p, &format!("{at}.images[{j}]"), picture, true);
        }
        count(p, &format!("{at}.options"), product.options.len(), 3);
        for (j, option) in product.options.iter().enumerate() {
            let o = format!("{at}.options[{j}]");
            required(p, &format!("{o}.name"), &option.name, 40, Lines::One);
            if option.values.is_empty() {
                p.add(format!("{o}.values"), "must list at least one value");
            }
            count(p, &format!("{o}.values"), option.values.len(), 20);
            for (k, value) in option.values.iter().enumerate() {
                required(p, &format!("{o}.values[{k}]"), value, 40, Lines::One);
            }
        }
    }
}

/// A product's own slug, when it has one: a path segment, not one an earlier product chose.
fn item_slug<'a>(
    p: &mut Problems,
    at: &str,
    slug: Option<&str>,
    mut earlier: impl Iterator<Item = Option<&'a str>>,
) {
    let Some(slug) = slug else {
        return;
    };
    if !post_slug_ok(slug) {
        p.add(
            format!("{at}.slug"),
            format_args!("must be 1 to 40 lowercase letters, digits or hyphens, not {slug:?}"),
        );
    } else if earlier.any(|o| o == Some(slug)) {
        p.add(format!("{at}.slug"), format_args!("repeats {slug:?}"));
    }
}

/// `http://` or `https://`, a host (a name of dot-separated labels, or an IPv4 address,
/// with an optional port; no user name: `https://a@b` would show one host and go to another),
/// then any path and query without spaces, quotes or angle brackets; at most 500 characters.
/// The server redirects to exactly this text, so it must be one a browser reads as written.
pub(crate) fn merchant_url_ok(url: &str) -> bool {
    let Some(rest) = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
    else {
        return false;
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    let host = match authority.rsplit_once(':') {
        Some((host, port))
            if port.bytes().all(|b| b.is_ascii_digit())
                && port.parse::<u16>().is_ok_and(|p| p > 0) =>
        {
            host
        }
        Some(_) => return false,
        None => authority,
    };
    let labels: Vec<&str> = host.split('.').collect();
    let host_ok = labels.len() >= 2
        && labels.iter().all(|l| {
            (1..=63).contains(&l.len())
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        });
    url.len() <= 500
        && host_ok
        && !tail
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || "\"'<>\\`".contains(c) || !c.is_ascii())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merchant_links_are_web_addresses_a_browser_reads_as_written() {
        for good in [
            "https://acme.example/tent?aff=quorum&sub=1",
            "http://127.0.0.1:8123/merchant/tent",
            "https://shop.example",
        ] {
            assert!(merchant_url_ok(good), "{good}");
        }
        for bad in [
            "javascript:alert(1)",
            "//evil.example",
            "https://user@evil.example/",
            "https://localhost/",
            "https://acme.example/a b",
            "https://acme.example/\"><script>",
            "ftp://acme.example/",
            "https://acme.example:99999/",
            "https://acme.example/\r\nSet-Cookie: x",
        ] {
            assert!(!merchant_url_ok(bad), "{bad}");
        }
    }

    #[test]
    fn lead_field_names_are_identifiers_the_form_does_not_use() {
        assert!(field_name_ok("team_size"));
        for bad in [
            "", "Team", "1st", "name", "email", "website", "consent", "variant", "a-b",
        ] {
            assert!(!field_name_ok(bad), "{bad}");
        }
    }
}
