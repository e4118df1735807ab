//! Which pages a site has, from what its inputs say: a page is made only when there is
//! something true to put on it, and everything left out — or that would make a page better —
//! is listed as [`Missing`], naming the input that would fill it.

use serde::Serialize;

use super::inputs::{PageInput, PostInput, SiteInputs};
use super::landing::Landing;
use super::markdown;
use super::words::Words;
use super::{NOT_FOUND_FILE, Page, PageKind, check, hashed_slug, readable_slug};

/// How many services the home page shows before linking to the Services page.
pub(crate) const HOME_SERVICES: usize = 3;

/// One thing the inputs do not give: which page it concerns, which input would give it, and
/// a sentence saying so for the council.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Missing {
    /// A page slug (`services`, a custom page's), whether or not the page was made.
    pub page: String,
    /// The input to give, as the schema names it: `services`, `contact.phone`, `pages[3].body`.
    pub field: String,
    pub message: String,
}

impl Missing {
    fn new(page: &str, field: impl Into<String>, message: impl Into<String>) -> Missing {
        Missing {
            page: page.to_owned(),
            field: field.into(),
            message: message.into(),
        }
    }
}

/// The pages, in navigation order: home first whether listed or not (the site's URL is its
/// home page), then the listed pages in their order; contact is added if missing (the
/// workflow promises a contact form), the blog follows `include_blog` whatever the list says,
/// and the posts follow, newest first. Slugs `check` would reject are skipped.
pub(crate) fn plan(inputs: &SiteInputs, words: &Words) -> (Vec<Page>, Vec<Missing>) {
    if let Some(landing) = &inputs.landing {
        let page = Page::new("home", PageKind::Landing, words.home.to_owned());
        return (vec![page], landing_improvements(inputs, landing));
    }
    let (mut pages, missing) = site_plan(inputs, words);
    if let Some(affiliate) = &inputs.affiliate {
        // Reviews and comparisons follow the home page, before the business's own pages.
        let at = pages
            .iter()
            .take_while(|p| p.kind == PageKind::Home)
            .count();
        pages.splice(at..at, super::affiliate::pages(inputs, affiliate));
    }
    if let Some(shop) = &inputs.shop {
        // Categories and the cart follow the home page in the menu; products are reached
        // from them, and come last.
        let (mut shop_pages, cart) = super::shop::pages(inputs, shop);
        let products = shop_pages.split_off(
            shop_pages
                .iter()
                .position(|p| p.kind == PageKind::Product)
                .unwrap_or(shop_pages.len()),
        );
        shop_pages.push(cart);
        let at = pages
            .iter()
            .take_while(|p| p.kind == PageKind::Home)
            .count();
        pages.splice(at..at, shop_pages);
        pages.extend(products);
    }
    (pages, missing)
}

/// What would make a landing page convert better.
fn landing_improvements(inputs: &SiteInputs, landing: &Landing) -> Vec<Missing> {
    let mut missing = Vec::new();
    if landing.benefits.is_empty() {
        missing.push(Missing::new(
            "home",
            "landing.benefits",
            "The page lists no benefits: give `landing.benefits`, each a short title and a \
             sentence, so visitors see what they get.",
        ));
    }
    if inputs.testimonials.is_empty() && landing.proof.is_empty() {
        missing.push(Missing::new(
            "home",
            "testimonials",
            "The page has no social proof: give `testimonials` or `landing.proof` (short \
             facts such as \"1,200 customers\").",
        ));
    }
    if inputs.hero_image.is_none() {
        missing.push(Missing::new(
            "home",
            "hero_image",
            "The page has no picture: upload one and name it in `hero_image`, with its alt \
             text.",
        ));
    }
    if !landing.has_variants() {
        missing.push(Missing::new(
            "home",
            "landing.headline_b",
            "No A/B test: give `landing.headline_b` to show half the visitors another \
             headline and learn which one converts better.",
        ));
    }
    missing
}

/// The pages of a business's site, as [`plan`] describes them.
fn site_plan(inputs: &SiteInputs, words: &Words) -> (Vec<Page>, Vec<Missing>) {
    let mut listed: Vec<(&str, Option<usize>)> = vec![("home", None)];
    for (i, page) in inputs.pages.iter().enumerate() {
        let slug = page.slug();
        if check::page_slug_ok(slug) && !listed.iter().any(|(s, _)| *s == slug) {
            listed.push((slug, Some(i)));
        }
    }
    listed.retain(|(s, _)| inputs.include_blog || *s != "blog");
    if !listed.iter().any(|(s, _)| *s == "contact") {
        listed.push(("contact", None));
    }
    if inputs.include_blog && !listed.iter().any(|(s, _)| *s == "blog") {
        listed.push(("blog", None));
    }

    let mut pages = Vec::new();
    let mut missing = Vec::new();
    for (slug, index) in listed {
        let input = index.map(|i| &inputs.pages[i]);
        let given_title = input
            .and_then(PageInput::title)
            .map(str::trim)
            .filter(|t| !t.is_empty());
        let title = |default: &str| given_title.unwrap_or(default).to_owned();
        let page = match slug {
            "home" => Some(Page::new(slug, PageKind::Home, title(words.home))),
            "about" if has_about(inputs) => {
                Some(Page::new(slug, PageKind::About, title(words.about)))
            }
            "about" => {
                missing.push(Missing::new(
                    slug,
                    "about",
                    "No About page: there is no story, team or testimonial to put on it. Give \
                     `about` (the business's story, in Markdown), `team` or `testimonials` to \
                     make one.",
                ));
                None
            }
            "services" if !inputs.services.is_empty() => {
                Some(Page::new(slug, PageKind::Services, title(words.services)))
            }
            "services" => {
                missing.push(Missing::new(
                    slug,
                    "services",
                    "No Services page: no services are given. Give `services` (each a name, \
                     with a description and a price if you like) to make one.",
                ));
                None
            }
            "contact" => Some(Page::new(slug, PageKind::Contact, title(words.contact))),
            "blog" if !inputs.posts.is_empty() => {
                Some(Page::new(slug, PageKind::Blog, title(words.blog)))
            }
            "blog" => {
                missing.push(Missing::new(
                    slug,
                    "posts",
                    "No blog: there are no posts. Give `posts` (each a title, a date and a \
                     Markdown body) to start one, or set `include_blog` to false.",
                ));
                None
            }
            custom => {
                let title = title(&title_for(custom));
                let has_body = input
                    .and_then(PageInput::body)
                    .is_some_and(|b| !b.trim().is_empty());
                if has_body {
                    let mut page = Page::new(custom, PageKind::Custom, title);
                    page.item = index;
                    Some(page)
                } else {
                    let i = index.unwrap_or_default();
                    missing.push(Missing::new(
                        custom,
                        format!("pages[{i}].body"),
                        format!(
                            "No {title} page: `pages[{i}]` names it but gives it no content. \
                             List it as {{\"slug\": \"{custom}\", \"title\": …, \"body\": …}} \
                             with its text in Markdown to make it."
                        ),
                    ));
                    None
                }
            }
        };
        pages.extend(page);
    }
    if pages.iter().any(|p| p.kind == PageKind::Blog) {
        for (i, slug) in post_order(&inputs.posts) {
            let mut page = Page::new(
                &format!("blog/{slug}"),
                PageKind::Post,
                inputs.posts[i].title.trim().to_owned(),
            );
            page.item = Some(i);
            page.summary = summary(&inputs.posts[i]);
            pages.push(page);
        }
    }
    missing.extend(improvements(inputs, &pages));
    (pages, missing)
}

/// The 404 page: a slug no listed page can have, so no navigation link is marked as it.
pub(crate) fn not_found(words: &Words) -> Page {
    Page::new(
        NOT_FOUND_FILE,
        PageKind::NotFound,
        words.not_found_title.to_owned(),
    )
}

/// The post a page shows, for a blog post's page.
pub(crate) fn post_of<'a>(inputs: &'a SiteInputs, page: &Page) -> Option<&'a PostInput> {
    match page.kind {
        PageKind::Post => page.item.and_then(|i| inputs.posts.get(i)),
        _ => None,
    }
}

/// The body a custom page shows.
pub(crate) fn body_of<'a>(inputs: &'a SiteInputs, page: &Page) -> Option<&'a str> {
    match page.kind {
        PageKind::Custom => page
            .item
            .and_then(|i| inputs.pages.get(i))
            .and_then(PageInput::body),
        _ => None,
    }
}

/// The line under a post's title: its summary, or its body's first paragraph.
fn summary(post: &PostInput) -> Option<String> {
    match post.summary.as_deref().map(str::trim) {
        Some(summary) if !summary.is_empty() => Some(summary.to_owned()),
        _ => markdown::first_paragraph(&post.body, 300),
    }
}

fn has_about(inputs: &SiteInputs) -> bool {
    inputs
        .about
        .as_deref()
        .is_some_and(|a| !a.trim().is_empty())
        || !inputs.team.is_empty()
        || !inputs.testimonials.is_empty()
}

/// Every post's index and slug, newest first (posts of one day in the inputs' order). A post's
/// slug is its own or made from its title; slugs the posts choose are kept first, and a slug
/// already taken gets `-2`, `-3` …, so two posts never share a URL.
fn post_order(posts: &[PostInput]) -> Vec<(usize, String)> {
    let mut taken: Vec<String> = Vec::with_capacity(posts.len());
    let mut slugs: Vec<Option<String>> = vec![None; posts.len()];
    for pass in [true, false] {
        for (i, post) in posts.iter().enumerate() {
            if chosen(post).is_some() != pass {
                continue;
            }
            let base = match chosen(post) {
                Some(slug) => slug.to_owned(),
                None => {
                    readable_slug(&post.title).unwrap_or_else(|| hashed_slug("post", &post.title))
                }
            };
            let mut slug = base.clone();
            let mut n = 2;
            while taken.contains(&slug) {
                slug = format!("{base}-{n}");
                n += 1;
            }
            taken.push(slug.clone());
            slugs[i] = Some(slug);
        }
    }
    let mut order: Vec<(usize, String)> = slugs
        .into_iter()
        .enumerate()
        .map(|(i, slug)| (i, slug.unwrap_or_default()))
        .collect();
    order.sort_by(|(a, _), (b, _)| posts[*b].date.cmp(&posts[*a].date).then(a.cmp(b)));
    order
}

/// A post's own slug, when it is one `check` accepts.
fn chosen(post: &PostInput) -> Option<&str> {
    post.slug.as_deref().filter(|s| check::post_slug_ok(s))
}

/// What the pages that are made would be better with.
fn improvements(inputs: &SiteInputs, pages: &[Page]) -> Vec<Missing> {
    let mut missing = Vec::new();
    if inputs.tagline.is_none() {
        missing.push(Missing::new(
            "home",
            "tagline",
            "The home page has no tagline: give `tagline`, a short line under the name that \
             says at a glance what the business does.",
        ));
    }
    if inputs.hero_image.is_none() {
        missing.push(Missing::new(
            "home",
            "hero_image",
            "The home page has no picture: upload one and name it in `hero_image`, with its \
             alt text.",
        ));
    }
    let made = |kind: PageKind| pages.iter().any(|p| p.kind == kind);
    if made(PageKind::About) && inputs.about.is_none() {
        missing.push(Missing::new(
            "about",
            "about",
            "The About page shows the team or testimonials but tells no story: give `about`, \
             in Markdown.",
        ));
    }
    // Content given for a page the site does not make is not shown (or only in part).
    if inputs.about.is_some() && !made(PageKind::About) {
        missing.push(Missing::new(
            "about",
            "pages",
            "The `about` story is given but shown nowhere: add \"about\" to `pages`.",
        ));
    }
    if inputs.services.len() > HOME_SERVICES && !made(PageKind::Services) {
        missing.push(Missing::new(
            "services",
            "pages",
            format!(
                "The home page shows the first {HOME_SERVICES} services of {}: add \"services\" \
                 to `pages` for a page listing them all.",
                inputs.services.len()
            ),
        ));
    }
    if !inputs.posts.is_empty() && !inputs.include_blog {
        missing.push(Missing::new(
            "blog",
            "include_blog",
            "Posts are given but not published: set `include_blog` to true.",
        ));
    }
    let contact = &inputs.contact;
    if contact.phone.is_none() {
        missing.push(Missing::new(
            "contact",
            "contact.phone",
            "The contact page gives no phone number: give `contact.phone`.",
        ));
    }
    if contact.address.is_none() {
        missing.push(Missing::new(
            "contact",
            "contact.address",
            "The contact page gives no address: give `contact.address` (street and town at \
             least).",
        ));
    }
    if contact.opening_hours.is_empty() {
        missing.push(Missing::new(
            "contact",
            "contact.opening_hours",
            "The contact page gives no opening hours: give `contact.opening_hours`.",
        ));
    }
    missing
}

/// A readable title for a custom slug: `case-studies` → `Case Studies`, `faq` → `FAQ`.
pub(crate) fn title_for(slug: &str) -> String {
    let words: Vec<String> = slug
        .split('-')
        .filter(|w| !w.is_empty())
        .map(|w| match w {
            "faq" | "faqs" => w.to_ascii_uppercase().replace("FAQS", "FAQs"),
            _ => {
                let mut chars = w.chars();
                chars.next().map_or_else(String::new, |c| {
                    c.to_ascii_uppercase().to_string() + chars.as_str()
                })
            }
        })
        .collect();
    if words.is_empty() {
        "Page".into()
    } else {
        words.join(" ")
    }
}
