//! Each page's main content, made only from the inputs: the business's own words, and the
//! generator's few (headings, labels) in the site's language. A page with nothing true to say
//! is not made at all (see `plan`), so no page here ever needs a placeholder.

use maud::{Markup, PreEscaped, html};

use super::contact::{self, ContactFormState};
use super::images::{self, Placement};
use super::layout::{Ctx, Meta, document};
use super::markdown::{self, shorten};
use super::plan::{self, HOME_SERVICES};
use super::sections::{self, band, words};
use super::{Page, PageKind, affiliate, landing, shop};

/// How many testimonials and posts the home page shows before linking to the rest.
const HOME_TESTIMONIALS: usize = 3;
const HOME_POSTS: usize = 3;
/// A meta description's length past which search engines cut it.
const DESCRIPTION_CHARS: usize = 160;

/// The page as HTML bytes.
pub(crate) fn render(ctx: &Ctx, page: &Page) -> Vec<u8> {
    let description = description(ctx, page);
    let main = match page.kind {
        PageKind::Home => match (&ctx.inputs.affiliate, &ctx.inputs.shop) {
            (Some(affiliate), _) => affiliate::home(ctx, page, affiliate),
            (None, Some(s)) => shop::home(ctx, s),
            _ => home(ctx),
        },
        PageKind::Product | PageKind::Category | PageKind::Cart => match &ctx.inputs.shop {
            Some(s) if page.kind == PageKind::Product => shop::product(ctx, page, s),
            Some(s) if page.kind == PageKind::Category => shop::category(ctx, page, s),
            Some(s) => shop::cart(ctx, s, &shop::CheckoutState::default()),
            None => not_found(ctx),
        },
        PageKind::Landing => match &ctx.inputs.landing {
            Some(l) => landing::page(ctx, l, ctx.variant),
            None => home(ctx),
        },
        PageKind::Review | PageKind::Comparison => match &ctx.inputs.affiliate {
            Some(a) if page.kind == PageKind::Review => affiliate::review(ctx, page, a),
            Some(a) => affiliate::comparison(ctx, page, a),
            None => not_found(ctx),
        },
        PageKind::About => about(ctx, page),
        PageKind::Services => services(ctx, page),
        PageKind::Contact => contact(ctx),
        PageKind::Blog => blog(ctx, page),
        PageKind::Post => post(ctx, page),
        PageKind::Custom => custom(ctx, page),
        PageKind::NotFound => not_found(ctx),
    };
    let meta = Meta { page, description };
    document(ctx, &meta, main).into_string().into_bytes()
}

/// The page's meta description: its own first words where it has some, else the page's
/// title, the site's name and its description.
fn description(ctx: &Ctx, page: &Page) -> String {
    let inputs = ctx.inputs;
    let own = match page.kind {
        PageKind::Home => Some(ctx.description().to_owned()),
        PageKind::Landing => inputs.landing.as_ref().map(|l| {
            let sub = l.sub_headline.as_deref().unwrap_or(ctx.description());
            format!("{} {}", l.headline(ctx.variant), sub.trim())
        }),
        PageKind::Review => inputs.affiliate.as_ref().and_then(|a| {
            let links = super::affiliate_links(a);
            page.item
                .and_then(|i| links.get(i))
                .map(|(_, p)| p.summary.trim().to_owned())
        }),
        PageKind::Comparison | PageKind::Category | PageKind::Cart => None,
        PageKind::Product => inputs.shop.as_ref().and_then(|s| {
            let all = super::shop_products(s);
            page.item
                .and_then(|i| all.get(i))
                .map(|(_, p)| p.description.trim().to_owned())
        }),
        PageKind::About => inputs
            .about
            .as_deref()
            .and_then(|a| markdown::first_paragraph(a, DESCRIPTION_CHARS)),
        PageKind::Services => {
            let names: Vec<&str> = inputs.services.iter().map(|s| s.name.trim()).collect();
            Some(shorten(
                &format!(
                    "{}{}{}.",
                    page.info.title,
                    words(ctx).colon,
                    names.join(", ")
                ),
                DESCRIPTION_CHARS,
            ))
        }
        PageKind::Post => page.summary.clone(),
        PageKind::Custom => plan::body_of(inputs, page)
            .and_then(|b| markdown::first_paragraph(b, DESCRIPTION_CHARS)),
        PageKind::NotFound => Some(words(ctx).not_found_text.to_owned()),
        PageKind::Contact | PageKind::Blog => None,
    };
    own.map(|d| shorten(&d, DESCRIPTION_CHARS))
        .unwrap_or_else(|| {
            format!(
                "{} — {}. {}",
                page.info.title,
                ctx.name(),
                ctx.description()
            )
        })
}

/// The call to action, to the contact page.
fn contact_button(ctx: &Ctx) -> Markup {
    html! {
        @if let Some(href) = ctx.page_href(PageKind::Contact) {
            p.actions { a.button href=(href) { (words(ctx).get_in_touch) } }
        }
    }
}

/// A Markdown body, as prose.
fn prose(ctx: &Ctx, markdown: &str) -> Markup {
    let base = ctx.href("");
    let html = markdown::to_html(markdown, base.trim_end_matches('/'));
    // Already HTML, and safe: pulldown-cmark's writer escaped every text and attribute, and
    // markdown.rs let no raw HTML, unsafe link or image reach it.
    html! { div.prose { (PreEscaped(html)) } }
}

fn has_contact_details(ctx: &Ctx) -> bool {
    !ctx.inputs.contact.is_empty() || !ctx.inputs.social_links.is_empty()
}

fn home(ctx: &Ctx) -> Markup {
    let words = words(ctx);
    let inputs = ctx.inputs;
    let hero = inputs
        .hero_image
        .as_ref()
        .and_then(|image| images::img(ctx, image, Placement::Hero, ""));
    let services_href = ctx.page_href(PageKind::Services);
    let blog_href = ctx.page_href(PageKind::Blog);
    html! {
        section.hero aria-labelledby="page-title" {
            @if let Some(hero) = hero {
                div.hero-media { (hero) }
            }
            div.hero-text {
                h1 #page-title { (ctx.name()) }
                @if let Some(tagline) = &inputs.tagline {
                    p.tagline { (tagline.trim()) }
                }
                p.lead { (ctx.description()) }
                p.actions {
                    @if let Some(href) = ctx.page_href(PageKind::Contact) {
                        a.button href=(href) { (words.get_in_touch) }
                    }
                    @if let Some(href) = &services_href {
                        " "
                        a.button.button-secondary href=(href) { (words.what_we_offer) }
                    }
                }
            }
        }
        @if !inputs.services.is_empty() {
            (band("home-services", words.what_we_offer, html! {
                (sections::service_cards(&inputs.services[..inputs.services.len().min(HOME_SERVICES)]))
                @if let Some(href) = &services_href {
                    p { a href=(href) { (words.all_services) } }
                }
            }))
        }
        @if !inputs.testimonials.is_empty() {
            @let shown = &inputs.testimonials[..inputs.testimonials.len().min(HOME_TESTIMONIALS)];
            (band("home-testimonials", words.testimonials, sections::testimonials(shown)))
        }
        @if let Some(gallery) = sections::gallery(ctx) {
            (band("home-gallery", words.gallery, gallery))
        }
        @if !inputs.team.is_empty() {
            (band("home-team", words.team, sections::team(ctx, &inputs.team, false)))
        }
        @if has_contact_details(ctx) {
            (band("home-contact", words.contact_details, sections::contact_details(ctx)))
        }
        @if let Some(href) = &blog_href {
            (band("home-posts", words.latest_posts, html! {
                (sections::post_list(ctx, Some(HOME_POSTS), false))
                p { a href=(href) { (words.all_posts) } }
            }))
        }
    }
}

fn about(ctx: &Ctx, page: &Page) -> Markup {
    let words = words(ctx);
    let inputs = ctx.inputs;
    let story = inputs.about.as_deref().filter(|a| !a.trim().is_empty());
    html! {
        h1 { (page.info.title) }
        @if let Some(story) = story {
            (prose(ctx, story))
        } @else {
            p.lead { (ctx.description()) }
        }
        @if !inputs.team.is_empty() {
            (band("about-team", words.team, sections::team(ctx, &inputs.team, true)))
        }
        @if !inputs.testimonials.is_empty() {
            (band("about-testimonials", words.testimonials, sections::testimonials(&inputs.testimonials)))
        }
        (contact_button(ctx))
    }
}

fn services(ctx: &Ctx, page: &Page) -> Markup {
    let words = words(ctx);
    html! {
        h1 { (page.info.title) }
        p.lead { (ctx.description()) }
        (band("services-list", words.what_we_offer, sections::service_cards(&ctx.inputs.services)))
        (contact_button(ctx))
    }
}

fn contact(ctx: &Ctx) -> Markup {
    let words = words(ctx);
    html! {
        h1 { (ctx.page(PageKind::Contact).map_or(words.contact, |p| p.info.title.as_str())) }
        p.lead { (words.contact_lead) }
        (contact::form(ctx, ctx.form.unwrap_or(&ContactFormState::default())))
        (band("contact-details", words.contact_details, sections::contact_details(ctx)))
    }
}

fn blog(ctx: &Ctx, page: &Page) -> Markup {
    html! {
        h1 { (page.info.title) }
        (sections::post_list(ctx, None, true))
    }
}

fn post(ctx: &Ctx, page: &Page) -> Markup {
    let words = words(ctx);
    let Some(post) = plan::post_of(ctx.inputs, page) else {
        return html! { h1 { (page.info.title) } };
    };
    let author = post
        .author
        .as_deref()
        .map(str::trim)
        .filter(|a| !a.is_empty());
    html! {
        article.post {
            header {
                h1 { (page.info.title) }
                p.post-byline {
                    (sections::post_date(post, words))
                    @if let Some(author) = author {
                        " · " (words.by) " " (author)
                    }
                }
            }
            (prose(ctx, &post.body))
            @if let Some(href) = ctx.page_href(PageKind::Blog) {
                footer { p { a href=(href) { (words.all_posts) } } }
            }
        }
    }
}

fn custom(ctx: &Ctx, page: &Page) -> Markup {
    html! {
        h1 { (page.info.title) }
        @if let Some(body) = plan::body_of(ctx.inputs, page) {
            (prose(ctx, body))
        }
    }
}

fn not_found(ctx: &Ctx) -> Markup {
    let words = words(ctx);
    html! {
        h1 { (words.not_found_title) }
        p.lead { (words.not_found_text) }
        p { a href=(ctx.href("")) { (words.not_found_home) } }
    }
}
