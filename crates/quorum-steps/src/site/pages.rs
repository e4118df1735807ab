//! Each page's main content. The words are honest starting points built from the site's own
//! name and description: they say what the page is for and never invent facts about the
//! business.

use maud::{Markup, html};

use super::contact::{self, ContactFormState};
use super::images::{self, Placement};
use super::layout::{Ctx, Meta, document};
use super::{Page, PageKind};

/// The page as HTML bytes.
pub(crate) fn render(ctx: &Ctx, page: &Page) -> Vec<u8> {
    let (description, main) = match page.kind {
        PageKind::Home => (ctx.description().to_string(), home(ctx)),
        PageKind::About => (
            format!("About {}. {}", ctx.name(), ctx.description()),
            about(ctx),
        ),
        PageKind::Services => (
            format!("Services from {}. {}", ctx.name(), ctx.description()),
            services(ctx),
        ),
        PageKind::Contact => (
            format!(
                "Contact {}: send a message, or write to {}.",
                ctx.name(),
                ctx.inputs.contact_email.trim()
            ),
            contact(ctx),
        ),
        PageKind::Blog => (format!("News and notes from {}.", ctx.name()), blog(ctx)),
        PageKind::Post => (
            format!("{}. {}", page.info.title, ctx.description()),
            post(ctx, page),
        ),
        PageKind::Custom => (
            format!(
                "{} — {}. {}",
                page.info.title,
                ctx.name(),
                ctx.description()
            ),
            custom(ctx, page),
        ),
        PageKind::NotFound => (
            format!("The page you asked for is not on {}.", ctx.name()),
            not_found(ctx),
        ),
    };
    let meta = Meta { page, description };
    document(ctx, &meta, main).into_string().into_bytes()
}

/// "Get in touch" as a button, to the contact page.
fn contact_button(ctx: &Ctx) -> Markup {
    html! {
        @if let Some(href) = ctx.page_href(PageKind::Contact) {
            p { a.button href=(href) { "Get in touch" } }
        }
    }
}

fn home(ctx: &Ctx) -> Markup {
    let highlights: Vec<(&Page, &str)> = [
        (PageKind::Services, "What we offer, and how we work."),
        (PageKind::About, "Who we are and what we care about."),
        (PageKind::Blog, "News, notes and updates."),
    ]
    .into_iter()
    .filter_map(|(kind, blurb)| ctx.page(kind).map(|p| (p, blurb)))
    .collect();
    let hero = ctx
        .inputs
        .hero_image
        .as_ref()
        .and_then(|image| images::img(ctx, image, Placement::Hero, ""));
    let gallery: Vec<Markup> = ctx
        .inputs
        .gallery
        .iter()
        .filter_map(|image| images::img(ctx, image, Placement::Card, ""))
        .collect();
    let portraits: Vec<Markup> = ctx
        .inputs
        .team
        .iter()
        .filter_map(|m| m.photo.as_ref())
        .filter_map(|image| images::img(ctx, image, Placement::Portrait, ""))
        .collect();
    html! {
        section.hero aria-labelledby="page-title" {
            @if let Some(hero) = hero {
                div.hero-media { (hero) }
            }
            h1 #page-title { (ctx.name()) }
            p.lead { (ctx.description()) }
            (contact_button(ctx))
        }
        @if !gallery.is_empty() {
            ul.gallery { @for image in gallery { li { (image) } } }
        }
        @if !portraits.is_empty() {
            ul.portraits { @for image in portraits { li { (image) } } }
        }
        @if !highlights.is_empty() {
            section aria-labelledby="explore" {
                h2 #explore { "Explore" }
                ul.cards {
                    @for (page, blurb) in &highlights {
                        li.card {
                            h3 { a href=(ctx.href(&page.info.path)) { (page.info.title) } }
                            p { (blurb) }
                        }
                    }
                }
            }
        }
    }
}

fn about(ctx: &Ctx) -> Markup {
    html! {
        h1 { "About " (ctx.name()) }
        p.lead { (ctx.description()) }
        h2 { "Our story" }
        p {
            (ctx.name()) " is just getting started on the web. This page will tell its story: "
            "who is behind it, what it stands for, and why it does what it does."
        }
        (contact_button(ctx))
    }
}

fn services(ctx: &Ctx) -> Markup {
    let offers = [
        (
            "Consultation",
            "Tell us what you need. We listen first, then say plainly how we can help.",
        ),
        (
            "Delivery",
            "We do the work we agreed, keep you informed, and hand over on time.",
        ),
        (
            "Ongoing support",
            "After delivery we stay available for questions, fixes and next steps.",
        ),
    ];
    html! {
        h1 { "Services" }
        p.lead { (ctx.description()) }
        ul.cards {
            @for (title, text) in offers {
                li.card {
                    h2 { (title) }
                    p { (text) }
                }
            }
        }
        (contact_button(ctx))
    }
}

fn contact(ctx: &Ctx) -> Markup {
    let email = ctx.inputs.contact_email.trim();
    html! {
        h1 { "Contact" }
        p.lead {
            "Send " (ctx.name()) " a message with the form below, or email "
            a href=(format!("mailto:{email}")) { (email) } "."
        }
        (contact::form(ctx, ctx.form.unwrap_or(&ContactFormState::default())))
    }
}

fn blog(ctx: &Ctx) -> Markup {
    let posts: Vec<&Page> = ctx
        .pages
        .iter()
        .filter(|p| p.kind == PageKind::Post)
        .collect();
    html! {
        h1 { "Blog" }
        p.lead { "News and notes from " (ctx.name()) "." }
        @for post in posts {
            article.post-summary {
                h2 { a href=(ctx.href(&post.info.path)) { (post.info.title) } }
                p { (ctx.description()) }
            }
        }
    }
}

fn post(ctx: &Ctx, page: &Page) -> Markup {
    html! {
        article.post {
            header {
                h1 { (page.info.title) }
                p.post-byline { "By " (ctx.name()) }
            }
            p.lead { (ctx.description()) }
            p {
                "This is the first post on our new website. Here we will share news, "
                "behind-the-scenes notes and answers to the questions we hear most."
            }
            p {
                "Have a question or an idea for a post? "
                @if let Some(href) = ctx.page_href(PageKind::Contact) {
                    a href=(href) { "Send us a message" } "."
                }
            }
            footer {
                @if let Some(href) = ctx.page_href(PageKind::Blog) {
                    p { a href=(href) { "All posts" } }
                }
            }
        }
    }
}

fn custom(ctx: &Ctx, page: &Page) -> Markup {
    html! {
        h1 { (page.info.title) }
        p.lead { (ctx.description()) }
        p {
            "More about " (page.info.title) " at " (ctx.name())
            " is on its way."
            @if let Some(href) = ctx.page_href(PageKind::Contact) {
                " Until then, " a href=(href) { "get in touch" } " and we will answer."
            }
        }
    }
}

fn not_found(ctx: &Ctx) -> Markup {
    html! {
        h1 { "Page not found" }
        p.lead { "The page you asked for is not here. It may have moved, or the link may be mistyped." }
        p { a href=(ctx.href("")) { "Go to the home page" } }
    }
}
