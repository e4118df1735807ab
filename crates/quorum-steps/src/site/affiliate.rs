//! `website.create_affiliate_site`: reviews and comparisons of the products the inputs list,
//! each outbound link through the site's own `go/{link}` (the server redirects to the
//! merchant the inputs name and counts the click), marked `rel="sponsored nofollow
//! noopener"`, on pages that open with the disclosure the FTC and the ASA expect before the
//! first such link.

use maud::{Markup, html};
use serde::{Deserialize, Serialize};

use super::family_words::FamilyWords;
use super::layout::Ctx;
use super::markdown;
use super::sections::{band, lines};
use super::words::fill;
use super::{Page, PageKind, SiteInputs, hashed_slug, readable_slug};

/// Where every affiliate link goes first, relative to the site's root: `go/{link}`.
pub const GO_PREFIX: &str = "go/";
/// The query parameter naming the page a click came from.
pub const FROM_PARAM: &str = "from";
/// What every affiliate link's `rel` says: paid (sponsored), not an endorsement search
/// engines should follow (nofollow), and no window handle for the merchant (noopener).
pub const AFFILIATE_REL: &str = "sponsored nofollow noopener";
/// The comparison made of every product when the inputs give none of their own.
pub const ALL_COMPARED: &str = "compare";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Affiliate {
    /// The disclosure in the site's own words; absent, the generator's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disclosure: Option<String>,
    pub products: Vec<AffiliateProduct>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub comparisons: Vec<Comparison>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AffiliateProduct {
    pub name: String,
    /// Where its review lives, `reviews/{slug}/`, and its link's name, `go/{slug}`; absent,
    /// made from the name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slug: Option<String>,
    /// One or two sentences, on the home page and the comparison.
    pub summary: String,
    /// The review itself, in Markdown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pros: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cons: Vec<String>,
    /// Out of 5, in halves.
    pub rating: f64,
    /// Who sells it: "Acme Outdoors".
    pub merchant: String,
    /// The merchant's (affiliate) URL the link redirects to.
    pub url: String,
    /// As the merchant writes it: "$129".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Comparison {
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slug: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intro: Option<String>,
    /// The products compared, by their link names (slugs).
    pub products: Vec<String>,
}

/// Every product with its link name, in the inputs' order: its own slug, else one made from
/// its name; a name already taken gets `-2`, `-3` …, so two products never share a link.
pub fn links(affiliate: &Affiliate) -> Vec<(String, &AffiliateProduct)> {
    let items = affiliate
        .products
        .iter()
        .map(|p| (p.slug.as_deref(), p.name.as_str()));
    super::item_slugs(items, "product")
        .into_iter()
        .zip(&affiliate.products)
        .collect()
}

/// The merchant URL behind link `link`, if the inputs list one.
pub fn merchant_url<'a>(affiliate: &'a Affiliate, link: &str) -> Option<&'a str> {
    links(affiliate)
        .into_iter()
        .find(|(slug, _)| slug == link)
        .map(|(_, product)| product.url.as_str())
}

/// The comparison pages, each with its slug and the products it lists: the inputs' own, or
/// one of every product when they give none and there are two or more.
pub(crate) fn comparisons(affiliate: &Affiliate) -> Vec<(String, String, Vec<usize>)> {
    let links = links(affiliate);
    let index = |slug: &str| links.iter().position(|(s, _)| s == slug);
    if affiliate.comparisons.is_empty() {
        return match affiliate.products.len() {
            0 | 1 => Vec::new(),
            n => vec![(ALL_COMPARED.to_owned(), String::new(), (0..n).collect())],
        };
    }
    let mut taken = Vec::new();
    affiliate
        .comparisons
        .iter()
        .map(|c| {
            let base = c
                .slug
                .clone()
                .filter(|s| super::check::post_slug_ok(s))
                .or_else(|| readable_slug(&c.title))
                .unwrap_or_else(|| hashed_slug("compare", &c.title));
            let slug = super::unique_slug(&base, &taken);
            taken.push(slug.clone());
            let products = c.products.iter().filter_map(|p| index(p)).collect();
            (
                format!("{ALL_COMPARED}/{slug}"),
                c.title.trim().to_owned(),
                products,
            )
        })
        .collect()
}

/// The review pages and comparison pages, in that order.
pub(crate) fn pages(inputs: &SiteInputs, affiliate: &Affiliate) -> Vec<Page> {
    let family = FamilyWords::for_language(inputs.language());
    let mut pages = Vec::new();
    for (i, (slug, product)) in links(affiliate).into_iter().enumerate() {
        let mut page = Page::new(
            &format!("reviews/{slug}"),
            PageKind::Review,
            product.name.trim().to_owned(),
        );
        page.item = Some(i);
        pages.push(page);
    }
    for (i, (slug, title, _)) in comparisons(affiliate).into_iter().enumerate() {
        let title = match title.is_empty() {
            true => family.compare.to_owned(),
            false => title,
        };
        let mut page = Page::new(&slug, PageKind::Comparison, title);
        page.item = Some(i);
        pages.push(page);
    }
    pages
}

/// The disclosure every page with an affiliate link opens with, before the first link.
fn disclosure(ctx: &Ctx, affiliate: &Affiliate) -> Markup {
    let family = FamilyWords::for_language(ctx.inputs.language());
    let text = match affiliate.disclosure.as_deref().map(str::trim) {
        Some(own) if !own.is_empty() => own.to_owned(),
        _ => fill(family.disclosure, &[("name", ctx.name())]),
    };
    html! {
        aside.disclosure aria-labelledby="disclosure" {
            p { strong #disclosure { (family.disclosure_title) } (super::sections::words(ctx).colon) (text) }
        }
    }
}

/// The link to a merchant, through the site's redirect, marked as what it is.
fn merchant_link(ctx: &Ctx, page: &Page, link: &str, product: &AffiliateProduct) -> Markup {
    let family = FamilyWords::for_language(ctx.inputs.language());
    let from = match page.kind {
        PageKind::Home => "home",
        _ => page.info.slug.as_str(),
    };
    let href = format!(
        "{}?{FROM_PARAM}={from}",
        ctx.href(&format!("{GO_PREFIX}{link}"))
    );
    html! {
        a.button href=(href) rel=(AFFILIATE_REL) {
            (fill(family.visit, &[("merchant", product.merchant.trim())]))
        }
        " " span.affiliate-label { (family.affiliate_link) }
    }
}

fn rating(ctx: &Ctx, value: f64) -> Markup {
    let family = FamilyWords::for_language(ctx.inputs.language());
    let shown = rating_text(value);
    let stars = value.clamp(0.0, 5.0).round() as usize;
    html! {
        p.rating {
            span.stars aria-hidden="true" {
                @for i in 0..5 {
                    @if i < stars { "★" } @else { "☆" }
                }
            }
            " " (fill(family.rating, &[("rating", &shown)]))
        }
    }
}

/// A rating as people write it: `4.5`, `4`.
pub(crate) fn rating_text(value: f64) -> String {
    let halves = (value.clamp(0.0, 5.0) * 2.0).round() / 2.0;
    match halves.fract() == 0.0 {
        true => format!("{halves:.0}"),
        false => format!("{halves:.1}"),
    }
}

/// The home page of an affiliate site: the site's own words, then each product ranked as
/// the inputs list them.
pub(crate) fn home(ctx: &Ctx, page: &Page, affiliate: &Affiliate) -> Markup {
    let family = FamilyWords::for_language(ctx.inputs.language());
    let compare = ctx
        .pages
        .iter()
        .filter(|p| p.kind == PageKind::Comparison)
        .collect::<Vec<_>>();
    html! {
        (disclosure(ctx, affiliate))
        section.hero aria-labelledby="page-title" {
            div.hero-text {
                h1 #page-title { (ctx.name()) }
                @if let Some(tagline) = &ctx.inputs.tagline { p.tagline { (tagline.trim()) } }
                p.lead { (ctx.description()) }
                @if let Some(first) = compare.first() {
                    p.actions { a.button.button-secondary href=(ctx.href(&first.info.path)) { (first.info.title) } }
                }
            }
        }
        (band("picks", family.our_picks, html! {
            ol.cards.picks {
                @for (link, product) in links(affiliate) {
                    li.card {
                        h3 { (product.name.trim()) }
                        (rating(ctx, product.rating))
                        p { (lines(&product.summary)) }
                        @if let Some(price) = &product.price { p.price { (price.trim()) } }
                        p.actions {
                            a href=(ctx.href(&format!("reviews/{link}/"))) { (family.read_review) }
                            " "
                            (merchant_link(ctx, page, &link, product))
                        }
                    }
                }
            }
        }))
    }
}

/// A product's review page.
pub(crate) fn review(ctx: &Ctx, page: &Page, affiliate: &Affiliate) -> Markup {
    let family = FamilyWords::for_language(ctx.inputs.language());
    let links = links(affiliate);
    let Some((link, product)) = page.item.and_then(|i| links.get(i)) else {
        return html! { h1 { (page.info.title) } };
    };
    let base = ctx.href("");
    html! {
        (disclosure(ctx, affiliate))
        article.review {
            h1 { (product.name.trim()) }
            (rating(ctx, product.rating))
            p.lead { (lines(&product.summary)) }
            @if let Some(price) = &product.price { p.price { (family.price) (super::sections::words(ctx).colon) (price.trim()) } }
            p.actions { (merchant_link(ctx, page, link, product)) }
            @if !product.pros.is_empty() || !product.cons.is_empty() {
                div.pros-cons {
                    @if !product.pros.is_empty() {
                        section aria-labelledby="pros" {
                            h2 #pros { (family.pros) }
                            ul.pros { @for pro in &product.pros { li { (pro.trim()) } } }
                        }
                    }
                    @if !product.cons.is_empty() {
                        section aria-labelledby="cons" {
                            h2 #cons { (family.cons) }
                            ul.cons { @for con in &product.cons { li { (con.trim()) } } }
                        }
                    }
                }
            }
            @if let Some(review) = product.review.as_deref().filter(|r| !r.trim().is_empty()) {
                div.prose { (maud::PreEscaped(markdown::to_html(review, base.trim_end_matches('/')))) }
                p.actions { (merchant_link(ctx, page, link, product)) }
            }
        }
    }
}

/// A comparison page: one table row per product.
pub(crate) fn comparison(ctx: &Ctx, page: &Page, affiliate: &Affiliate) -> Markup {
    let family = FamilyWords::for_language(ctx.inputs.language());
    let links = links(affiliate);
    let all = comparisons(affiliate);
    let Some((_, _, products)) = page.item.and_then(|i| all.get(i)) else {
        return html! { h1 { (page.info.title) } };
    };
    let intro = page
        .item
        .and_then(|i| affiliate.comparisons.get(i))
        .and_then(|c| c.intro.as_deref())
        .map(str::trim)
        .filter(|t| !t.is_empty());
    html! {
        (disclosure(ctx, affiliate))
        h1 { (page.info.title) }
        @if let Some(intro) = intro { p.lead { (lines(intro)) } }
        div.table-scroll role="region" aria-labelledby="comparison-caption" tabindex="0" {
            table.comparison {
                caption #comparison-caption { (page.info.title) }
                thead {
                    tr {
                        th scope="col" { (family.product) }
                        th scope="col" { (family.rating_heading) }
                        th scope="col" { (family.price) }
                        th scope="col" { (family.pros) }
                        th scope="col" { (family.cons) }
                        th scope="col" { span.visually-hidden { (family.affiliate_link) } }
                    }
                }
                tbody {
                    @for &i in products {
                        @if let Some((link, product)) = links.get(i) {
                            tr {
                                th scope="row" { a href=(ctx.href(&format!("reviews/{link}/"))) { (product.name.trim()) } }
                                td { (rating_text(product.rating)) " / 5" }
                                td { (product.price.as_deref().map_or("—", str::trim)) }
                                td { (product.pros.len()) }
                                td { (product.cons.len()) }
                                td { (merchant_link(ctx, page, link, product)) }
                            }
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn affiliate() -> Affiliate {
        serde_json::from_value(serde_json::json!({
            "products": [
                {"name": "Trail Tent 2", "summary": "Light.", "rating": 4.5, "merchant": "Acme", "url": "https://acme.example/tent?aff=1"},
                {"name": "Trail Tent 2", "summary": "Again.", "rating": 3, "merchant": "Bolt", "url": "https://bolt.example/t"},
                {"name": "Dome", "slug": "trail-tent-2-2", "summary": "Roomy.", "rating": 5, "merchant": "Acme", "url": "https://acme.example/dome"}
            ]
        }))
        .unwrap()
    }

    #[test]
    fn every_product_has_its_own_link_name() {
        let names: Vec<String> = links(&affiliate()).into_iter().map(|(s, _)| s).collect();
        assert_eq!(names, ["trail-tent-2", "trail-tent-2-3", "trail-tent-2-2"]);
        assert_eq!(
            merchant_url(&affiliate(), "trail-tent-2-3"),
            Some("https://bolt.example/t")
        );
        assert_eq!(merchant_url(&affiliate(), "https://evil.example"), None);
    }

    #[test]
    fn ratings_read_as_people_write_them() {
        assert_eq!(rating_text(4.5), "4.5");
        assert_eq!(rating_text(4.0), "4");
        assert_eq!(rating_text(9.0), "5");
        assert_eq!(rating_text(4.26), "4.5");
    }
}
