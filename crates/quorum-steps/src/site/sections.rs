//! The parts pages share, each from one kind of input: service cards, testimonials, the team,
//! the gallery, the contact details with their opening hours, and the list of posts. Pages
//! decide which to show and how many; these decide the markup and its class names, which the
//! themes' stylesheet styles.

use maud::{Markup, html};

use super::check::{calendar_date, phone_href, social_url_ok};
use super::images::{self, Placement};
use super::inputs::{Address, OpeningHours, PostInput, Service, TeamMember, Testimonial, Weekday};
use super::layout::Ctx;
use super::words::Words;
use super::{Page, PageKind, plan};

/// The generator's words in the site's language.
pub(crate) fn words(ctx: &Ctx) -> &'static Words {
    Words::for_language(ctx.inputs.language())
}

/// A titled section of a page: `section.band` named by its h2.
pub(crate) fn band(id: &str, heading: &str, content: Markup) -> Markup {
    html! {
        section.band aria-labelledby=(id) {
            h2 #(id) { (heading) }
            (content)
        }
    }
}

/// A text that may have several lines, as one paragraph's worth of lines.
pub(crate) fn lines(text: &str) -> Markup {
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    html! {
        @for (i, line) in lines.iter().enumerate() {
            @if i > 0 { br; }
            (line)
        }
    }
}

pub(crate) fn service_cards(services: &[Service]) -> Markup {
    html! {
        ul.cards {
            @for service in services {
                li.card.service {
                    h3 { (service.name.trim()) }
                    @if let Some(description) = &service.description {
                        p { (lines(description)) }
                    }
                    @if let Some(price) = &service.price {
                        p.price { (price.trim()) }
                    }
                }
            }
        }
    }
}

pub(crate) fn testimonials(testimonials: &[Testimonial]) -> Markup {
    html! {
        ul.testimonials {
            @for t in testimonials {
                li {
                    figure.testimonial {
                        blockquote { p { (lines(&t.quote)) } }
                        figcaption {
                            (t.author.trim())
                            @if let Some(role) = &t.role { ", " (role.trim()) }
                        }
                    }
                }
            }
        }
    }
}

/// The team, each with a portrait when the site has it and their initials in its place when
/// not, so a team with some photos keeps one shape; `bios` on the About page, where a phone
/// gives each member its whole width for them.
pub(crate) fn team(ctx: &Ctx, members: &[TeamMember], bios: bool) -> Markup {
    let portrait = Placement::Portrait {
        two_up: members.len() > 1 && !bios,
    };
    html! {
        ul.team.team-bios[bios] {
            @for member in members {
                li.member {
                    @if let Some(photo) = member.photo.as_ref()
                        .and_then(|p| images::img(ctx, p, portrait, member.name.trim())) {
                        (photo)
                    } @else {
                        // The name follows as text: the initials are only its picture.
                        span.initials aria-hidden="true" { (initials(&member.name)) }
                    }
                    h3 { (member.name.trim()) }
                    @if let Some(role) = &member.role { p.role { (role.trim()) } }
                    @if bios {
                        @if let Some(bio) = &member.bio { p.bio { (lines(bio)) } }
                    }
                }
            }
        }
    }
}

/// The first letter of a name's first and last words: `Sam Okafor` → `SO`, `Lena` → `L`.
fn initials(name: &str) -> String {
    let words: Vec<&str> = name.split_whitespace().collect();
    let first = words.first().and_then(|w| w.chars().next());
    let last = words
        .get(1..)
        .and_then(<[&str]>::last)
        .and_then(|w| w.chars().next());
    first
        .into_iter()
        .chain(last)
        .flat_map(char::to_uppercase)
        .collect()
}

/// How many columns a gallery of `count` pictures takes on a wide screen: none left alone in
/// a row when it can be helped (four are two by two), never more than three.
fn gallery_columns(count: usize) -> u8 {
    match count {
        0 | 1 => 1,
        2 | 4 => 2,
        _ => 3,
    }
}

/// The gallery's pictures the site has, or nothing when it has none of them.
pub(crate) fn gallery(ctx: &Ctx) -> Option<Markup> {
    let shown = ctx
        .inputs
        .gallery
        .iter()
        .filter(|image| images::upload(ctx.media, image).is_some())
        .count();
    let columns = gallery_columns(shown);
    let pictures: Vec<Markup> = ctx
        .inputs
        .gallery
        .iter()
        .filter_map(|image| images::img(ctx, image, Placement::Gallery { columns }, ""))
        .collect();
    (!pictures.is_empty()).then(|| {
        html! {
            ul class=(format!("gallery gallery-{columns}")) {
                @for picture in pictures { li { figure { (picture) } } }
            }
        }
    })
}

/// Address, phone, email, opening hours and social links, each when given, each under its
/// h3 in a group of its own, so a grid keeps every heading with what it heads.
pub(crate) fn contact_details(ctx: &Ctx) -> Markup {
    let words = words(ctx);
    let contact = &ctx.inputs.contact;
    let email = ctx.inputs.contact_email.trim();
    let social = social_links(ctx);
    html! {
        div.contact-details {
            @if let Some(address) = &contact.address {
                div {
                    h3 { (words.address) }
                    (postal_address(address, words))
                }
            }
            @if let Some(phone) = &contact.phone {
                div {
                    h3 { (words.phone) }
                    p.phone { a href=(phone_href(phone)) { (phone.trim()) } }
                }
            }
            div {
                h3 { (words.email) }
                p.email { a href=(format!("mailto:{email}")) { (email) } }
            }
            @if !contact.opening_hours.is_empty() {
                div {
                    h3 { (words.opening_hours) }
                    (hours_table(&contact.opening_hours, words))
                }
            }
            @if !social.is_empty() {
                div {
                    h3 { (words.follow_us) }
                    ul.social-links {
                        @for (url, label) in &social {
                            li { a href=(url) rel="me" { (label) } }
                        }
                    }
                }
            }
        }
    }
}

/// Countries that write the postal code before the town (`75007 Paris`); the rest, led by
/// the English-speaking ones, after it (`Portland, OR 97201`).
const POSTCODE_FIRST: [&str; 22] = [
    "AT", "BE", "BR", "CH", "CZ", "DE", "DK", "ES", "FI", "FR", "GR", "HR", "HU", "IS", "IT", "LU",
    "MX", "NL", "NO", "PL", "PT", "SE",
];

/// An optional part of an address, when it says something.
fn part(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

fn postal_address(address: &Address, words: &Words) -> Markup {
    let (town, region_line) = town_lines(address, words);
    let country = part(&address.country);
    // A two-letter code is for machines (the JSON-LD carries it); a name is for people.
    let country_line = country.filter(|c| c.chars().count() > 2);
    html! {
        address {
            (address.street.trim()) br;
            (town)
            @if let Some(region) = region_line { br; (region) }
            @if let Some(country) = country_line { br; (country) }
        }
    }
}

/// The town's line as the address's country writes it (`75007 Paris`, `Portland, OR 97201`),
/// and the region's own line where the postal code leads.
pub(crate) fn town_lines<'a>(address: &'a Address, words: &Words) -> (String, Option<&'a str>) {
    let (locality, region, postal) = (
        address.locality.trim(),
        part(&address.region),
        part(&address.postal_code),
    );
    let country = part(&address.country);
    let code_first = match country {
        Some(c) if c.len() == 2 => POSTCODE_FIRST.contains(&c.to_ascii_uppercase().as_str()),
        // No code to go by: the site's language decides.
        _ => words.language != "en",
    };
    let town = match (code_first, postal, region) {
        (true, Some(code), _) => format!("{code} {locality}"),
        (false, Some(code), Some(region)) => format!("{locality}, {region} {code}"),
        (false, Some(code), None) => format!("{locality} {code}"),
        (_, None, Some(region)) => format!("{locality}, {region}"),
        (_, None, None) => locality.to_owned(),
    };
    (town, region.filter(|_| code_first && postal.is_some()))
}

/// The opening hours as a week, Monday first: consecutive days with the same hours share a
/// row (`Monday – Friday`), a day open twice lists both spans, and a day the inputs leave
/// out is closed.
pub(crate) fn hours_table(hours: &[OpeningHours], words: &Words) -> Markup {
    const WEEK: [Weekday; 7] = [
        Weekday::Monday,
        Weekday::Tuesday,
        Weekday::Wednesday,
        Weekday::Thursday,
        Weekday::Friday,
        Weekday::Saturday,
        Weekday::Sunday,
    ];
    let spans_of = |day: Weekday| {
        let mut spans: Vec<String> = hours
            .iter()
            .filter(|h| h.days.contains(&day))
            .map(|h| format!("{}–{}", h.opens.trim(), h.closes.trim()))
            .collect();
        spans.sort();
        spans.dedup();
        spans
    };
    let mut rows: Vec<(Weekday, Weekday, Vec<String>)> = Vec::new();
    for day in WEEK {
        let spans = spans_of(day);
        match rows.last_mut() {
            Some((_, last, same)) if *same == spans => *last = day,
            _ => rows.push((day, day, spans)),
        }
    }
    html! {
        table.hours {
            tbody {
                @for (first, last, spans) in &rows {
                    tr {
                        th scope="row" {
                            (words.weekday(*first))
                            @if first != last { " – " (words.weekday(*last)) }
                        }
                        td {
                            @if spans.is_empty() { (words.closed) } @else { (spans.join(", ")) }
                        }
                    }
                }
            }
        }
    }
}

/// The social links a visitor can follow safely (`https://` with a real host: a
/// `javascript:` link would run in the visitor's page), each with its words: its own label,
/// else the network's name.
pub(crate) fn social_links<'c>(ctx: &Ctx<'c>) -> Vec<(&'c str, String)> {
    ctx.inputs
        .social_links
        .iter()
        .filter(|l| social_url_ok(&l.url))
        .map(|l| {
            let label = l
                .label
                .as_deref()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_owned);
            (
                l.url.as_str(),
                label.unwrap_or_else(|| network_name(&l.url)),
            )
        })
        .collect()
}

/// What a social link is called when the inputs give it no label: the network's name for
/// the ones people know, else the host.
pub(crate) fn network_name(url: &str) -> String {
    let rest = url.strip_prefix("https://").unwrap_or(url);
    let host = rest[..rest.find(['/', '?', '#', ':']).unwrap_or(rest.len())].to_ascii_lowercase();
    let host = host
        .strip_prefix("www.")
        .or_else(|| host.strip_prefix("m."))
        .unwrap_or(&host)
        .to_owned();
    let known = [
        ("instagram.com", "Instagram"),
        ("facebook.com", "Facebook"),
        ("fb.com", "Facebook"),
        ("x.com", "X"),
        ("twitter.com", "X"),
        ("linkedin.com", "LinkedIn"),
        ("youtube.com", "YouTube"),
        ("youtu.be", "YouTube"),
        ("tiktok.com", "TikTok"),
        ("pinterest.com", "Pinterest"),
        ("threads.net", "Threads"),
        ("bsky.app", "Bluesky"),
        ("mastodon.social", "Mastodon"),
        ("github.com", "GitHub"),
        ("yelp.com", "Yelp"),
        ("tripadvisor.com", "Tripadvisor"),
        ("etsy.com", "Etsy"),
        ("behance.net", "Behance"),
        ("dribbble.com", "Dribbble"),
        ("vimeo.com", "Vimeo"),
        ("wa.me", "WhatsApp"),
    ];
    known
        .iter()
        .find(|(domain, _)| host == *domain || host.ends_with(&format!(".{domain}")))
        .map_or(host.clone(), |(_, name)| (*name).to_owned())
}

/// A post's date as `<time datetime>` in the site's language; the text as given when it is
/// not a real date (inputs `check` would have refused).
pub(crate) fn post_date(post: &PostInput, words: &Words) -> Markup {
    let date = post.date.trim();
    match calendar_date(date).and_then(|(y, m, d)| words.date(y, m, d)) {
        Some(shown) => html! { time datetime=(date) { (shown) } },
        None => html! { (date) },
    }
}

/// The newest `limit` posts (all with `None`), headed at `h2` on the blog or `h3` in a
/// section of another page.
pub(crate) fn post_list(ctx: &Ctx, limit: Option<usize>, h2: bool) -> Markup {
    let words = words(ctx);
    let posts: Vec<(&Page, &PostInput)> = ctx
        .pages
        .iter()
        .filter(|p| p.kind == PageKind::Post)
        .filter_map(|p| plan::post_of(ctx.inputs, p).map(|post| (p, post)))
        .take(limit.unwrap_or(usize::MAX))
        .collect();
    html! {
        ul.post-list {
            @for (page, post) in posts {
                @let href = ctx.href(&page.info.path);
                li {
                    article.post-summary {
                        @if h2 {
                            h2 { a href=(href) { (page.info.title) } }
                        } @else {
                            h3 { a href=(href) { (page.info.title) } }
                        }
                        (post_date(post, words))
                        @if let Some(summary) = &page.summary { p { (summary) } }
                        p {
                            a href=(href) {
                                (words.read_more)
                                span.visually-hidden { ": " (page.info.title) }
                            }
                        }
                    }
                }
            }
        }
    }
}
