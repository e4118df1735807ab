//! Checks of the content model past the seed's fields: lengths in characters as the schema
//! counts them, no control characters (line breaks only where a text may have several
//! lines), and the values that become links, dates or times (see `values`).

use super::Problems;
use super::values::{
    calendar_date, language_ok, phone_ok, post_slug_ok, social_url_ok, time_ok, upload_id_ok,
};
use crate::site::inputs::{ImageRef, PageInput, SiteInputs};

/// What a text may hold besides printable characters.
#[derive(Clone, Copy)]
pub(super) enum Lines {
    /// One line: no control character at all.
    One,
    /// Line breaks (`\n`, `\r`): a bio, a description, a quote.
    Many,
    /// Line breaks and tabs, which Markdown gives meaning to.
    Markdown,
}

/// Slugs the generator makes pages of from their own inputs, and the input each is made
/// from: a `body` on them would be silently unused.
const BUILT_IN_PAGES: [(&str, &str); 5] = [
    (
        "home",
        "`tagline` and `site_description` (the home page is made from them and from the services, testimonials, gallery, team and posts)",
    ),
    ("about", "`about`"),
    ("services", "`services`"),
    ("contact", "`contact` (phone, address and opening hours)"),
    ("blog", "`posts`"),
];

pub(super) fn check(inputs: &SiteInputs, p: &mut Problems) {
    optional(p, "tagline", inputs.tagline.as_deref(), 120, Lines::One);
    optional(p, "about", inputs.about.as_deref(), 10_000, Lines::Markdown);

    count(p, "services", inputs.services.len(), 24);
    for (i, service) in inputs.services.iter().enumerate() {
        let at = format!("services[{i}]");
        required(p, &format!("{at}.name"), &service.name, 80, Lines::One);
        let description = service.description.as_deref();
        optional(
            p,
            &format!("{at}.description"),
            description,
            600,
            Lines::Many,
        );
        optional(
            p,
            &format!("{at}.price"),
            service.price.as_deref(),
            40,
            Lines::One,
        );
    }

    count(p, "testimonials", inputs.testimonials.len(), 12);
    for (i, t) in inputs.testimonials.iter().enumerate() {
        let at = format!("testimonials[{i}]");
        required(p, &format!("{at}.quote"), &t.quote, 600, Lines::Many);
        required(p, &format!("{at}.author"), &t.author, 80, Lines::One);
        optional(p, &format!("{at}.role"), t.role.as_deref(), 80, Lines::One);
    }

    count(p, "team", inputs.team.len(), 24);
    for (i, member) in inputs.team.iter().enumerate() {
        let at = format!("team[{i}]");
        required(p, &format!("{at}.name"), &member.name, 80, Lines::One);
        optional(
            p,
            &format!("{at}.role"),
            member.role.as_deref(),
            80,
            Lines::One,
        );
        optional(
            p,
            &format!("{at}.bio"),
            member.bio.as_deref(),
            600,
            Lines::Many,
        );
        if let Some(photo) = &member.photo {
            image(p, &format!("{at}.photo"), photo, true);
        }
    }

    contact(inputs, p);

    count(p, "social_links", inputs.social_links.len(), 10);
    for (i, link) in inputs.social_links.iter().enumerate() {
        let at = format!("social_links[{i}]");
        if !social_url_ok(&link.url) {
            p.add(
                format!("{at}.url"),
                format_args!(
                    "must be an https:// address of at most 300 characters with a host name, \
                     like https://instagram.com/yourshop, not {:?}",
                    link.url
                ),
            );
        }
        optional(
            p,
            &format!("{at}.label"),
            link.label.as_deref(),
            40,
            Lines::One,
        );
    }

    posts(inputs, p);

    if let Some(tag) = &inputs.language
        && !language_ok(tag)
    {
        p.add(
            "language",
            format_args!("must be a BCP 47 language tag such as en, fr-CA or pt-BR, not {tag:?}"),
        );
    }

    for (i, page) in inputs.pages.iter().enumerate() {
        let PageInput::Page(page) = page else {
            continue;
        };
        let at = format!("pages[{i}]");
        optional(
            p,
            &format!("{at}.title"),
            page.title.as_deref(),
            60,
            Lines::One,
        );
        let body = page.body.as_deref();
        optional(p, &format!("{at}.body"), body, 20_000, Lines::Markdown);
        let built_in = BUILT_IN_PAGES.iter().find(|(slug, _)| *slug == page.slug);
        if let (Some(_), Some((slug, instead))) = (body, built_in) {
            p.add(
                format!("{at}.body"),
                format_args!("is not used on the {slug} page, which is made from {instead}: give that instead"),
            );
        }
    }

    if let Some(logo) = &inputs.logo {
        image(p, "logo", logo, false);
    }
    if let Some(hero) = &inputs.hero_image {
        image(p, "hero_image", hero, true);
    }
    count(p, "gallery", inputs.gallery.len(), 12);
    for (i, picture) in inputs.gallery.iter().enumerate() {
        image(p, &format!("gallery[{i}]"), picture, true);
    }
}

fn contact(inputs: &SiteInputs, p: &mut Problems) {
    let contact = &inputs.contact;
    if let Some(phone) = &contact.phone
        && !phone_ok(phone)
    {
        p.add(
            "contact.phone",
            format_args!(
                "must be a phone number of 3 to 15 digits, written with spaces, ( ) . or - and \
                 an optional leading +, like +1 555 010 0199, not {phone:?}"
            ),
        );
    }
    if let Some(address) = &contact.address {
        let a = "contact.address";
        required(p, &format!("{a}.street"), &address.street, 120, Lines::One);
        required(
            p,
            &format!("{a}.locality"),
            &address.locality,
            80,
            Lines::One,
        );
        let region = address.region.as_deref();
        optional(p, &format!("{a}.region"), region, 80, Lines::One);
        let postal_code = address.postal_code.as_deref();
        optional(p, &format!("{a}.postal_code"), postal_code, 20, Lines::One);
        optional(
            p,
            &format!("{a}.country"),
            address.country.as_deref(),
            60,
            Lines::One,
        );
    }
    let hours = &contact.opening_hours;
    count(p, "contact.opening_hours", hours.len(), 14);
    for (i, entry) in hours.iter().enumerate() {
        let at = format!("contact.opening_hours[{i}]");
        if entry.days.is_empty() || entry.days.len() > 7 {
            p.add(format!("{at}.days"), "must name 1 to 7 days");
        }
        for (j, day) in entry.days.iter().enumerate() {
            if entry.days[..j].contains(day) {
                p.add(
                    format!("{at}.days[{j}]"),
                    format_args!("repeats {}", day.schema_org().to_lowercase()),
                );
            }
        }
        let mut times_ok = true;
        for (field, value) in [("opens", &entry.opens), ("closes", &entry.closes)] {
            if !time_ok(value) {
                times_ok = false;
                p.add(
                    format!("{at}.{field}"),
                    format_args!("must be a time of day as HH:MM, 00:00 to 23:59, not {value:?}"),
                );
            }
        }
        // Two valid HH:MM strings compare as the times they are.
        if times_ok && entry.opens >= entry.closes {
            p.add(
                format!("{at}.closes"),
                format_args!(
                    "must be later than opens ({:?} is not after {:?}); hours past midnight are \
                     two entries, one closing at 23:59 and one opening at 00:00",
                    entry.closes, entry.opens
                ),
            );
        }
    }
}

fn posts(inputs: &SiteInputs, p: &mut Problems) {
    count(p, "posts", inputs.posts.len(), 50);
    for (i, post) in inputs.posts.iter().enumerate() {
        let at = format!("posts[{i}]");
        required(p, &format!("{at}.title"), &post.title, 120, Lines::One);
        if calendar_date(&post.date).is_none() {
            p.add(
                format!("{at}.date"),
                format_args!(
                    "must be a real calendar date as YYYY-MM-DD, not {:?}",
                    post.date
                ),
            );
        }
        required(
            p,
            &format!("{at}.body"),
            &post.body,
            20_000,
            Lines::Markdown,
        );
        optional(
            p,
            &format!("{at}.author"),
            post.author.as_deref(),
            80,
            Lines::One,
        );
        optional(
            p,
            &format!("{at}.summary"),
            post.summary.as_deref(),
            300,
            Lines::One,
        );
        let Some(slug) = &post.slug else { continue };
        if !post_slug_ok(slug) {
            p.add(
                format!("{at}.slug"),
                format_args!("must be 1 to 40 lowercase letters, digits or hyphens, not {slug:?}"),
            );
        } else if let Some(first) = inputs.posts[..i]
            .iter()
            .position(|other| other.slug.as_deref() == Some(slug))
        {
            p.add(
                format!("{at}.slug"),
                format_args!(
                    "repeats {slug:?}, the slug of posts[{first}]: each post needs its own"
                ),
            );
        }
    }
}

/// An uploaded image's id and alt text; `alt_required` for every image but the logo, whose
/// alt text is the site's name.
pub(super) fn image(p: &mut Problems, at: &str, image: &ImageRef, alt_required: bool) {
    if !upload_id_ok(&image.upload) {
        p.add(
            format!("{at}.upload"),
            format_args!(
                "must be an upload id as POST /api/uploads answers it (upl_ and 1 to 60 \
                 lowercase letters or digits), not {:?}",
                image.upload
            ),
        );
    }
    match &image.alt {
        Some(alt) => required(p, &format!("{at}.alt"), alt, 200, Lines::One),
        None if alt_required => p.add(
            format!("{at}.alt"),
            "must say what the picture shows, for people who cannot see it",
        ),
        None => {}
    }
}

pub(super) fn count(p: &mut Problems, field: &str, len: usize, max: usize) {
    if len > max {
        p.add(field, format_args!("may list at most {max}, not {len}"));
    }
}

pub(super) fn optional(
    p: &mut Problems,
    field: &str,
    value: Option<&str>,
    max: usize,
    lines: Lines,
) {
    if let Some(value) = value {
        required(p, field, value, max, lines);
    }
}

pub(super) fn required(p: &mut Problems, field: &str, value: &str, max: usize, lines: Lines) {
    if value.trim().is_empty() {
        p.add(field, "must not be empty");
    }
    let chars = value.chars().count();
    if chars > max {
        p.add(
            field,
            format_args!("may be at most {max} characters, not {chars}"),
        );
    }
    let allowed = |c: char| match lines {
        Lines::One => false,
        Lines::Many => c == '\n' || c == '\r',
        Lines::Markdown => c == '\n' || c == '\r' || c == '\t',
    };
    if value.chars().any(|c| c.is_control() && !allowed(c)) {
        let rule = match lines {
            Lines::One => "must be one line, without control characters",
            Lines::Many | Lines::Markdown => "must not contain control characters but line breaks",
        };
        p.add(field, rule);
    }
}

#[cfg(test)]
#[path = "content_tests.rs"]
mod tests;
