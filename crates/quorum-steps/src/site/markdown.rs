//! Markdown from the inputs (the About story, custom pages, blog posts) as HTML that can only
//! be prose. The business writes text, not markup: raw HTML is shown as the text it is, a
//! link keeps its target only for the schemes a visitor can safely follow, Markdown images
//! become their alt text (pictures come from uploads, which have renditions and sizes), and
//! headings move down so the page's own h1 stays the only one: the highest level the text
//! uses becomes h2 and the others follow in order without gaps, so `# A` / `## B` and
//! `## A` / `#### B` both become h2 / h3 and no heading level is skipped.
//!
//! pulldown-cmark parses (CommonMark, plus ~~strikethrough~~) and writes the HTML: its writer
//! escapes every text and attribute, so the only thing decided here is which events reach it.

use pulldown_cmark::{CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

/// The schemes a link may keep; anything else with a scheme (`javascript:`, `data:`,
/// `vbscript:`, `file:` …) loses the link and keeps its text.
const SAFE_SCHEMES: [&str; 4] = ["http", "https", "mailto", "tel"];

fn parser(markdown: &str) -> Parser<'_> {
    Parser::new_ext(markdown, Options::ENABLE_STRIKETHROUGH)
}

/// `markdown` as HTML. `base_path` is the site's path below its host (`/sites/x`, or empty
/// at a host's root): a link to `/contact/` means the site's contact page, wherever the site
/// is served.
pub(crate) fn to_html(markdown: &str, base_path: &str) -> String {
    // Links cannot nest, but an image can sit in a link: whether each open link or image was
    // kept decides whether its end is.
    let mut open: Vec<bool> = Vec::new();
    let parsed: Vec<Event> = parser(markdown).collect();
    let levels = heading_levels(&parsed);
    let shifted = |level: HeadingLevel| levels[level as usize];
    let events = parsed.into_iter().filter_map(|event| match event {
        Event::Html(raw) | Event::InlineHtml(raw) => Some(Event::Text(raw)),
        // Shown as text, an HTML block is a paragraph of its own.
        Event::Start(Tag::HtmlBlock) => Some(Event::Start(Tag::Paragraph)),
        Event::End(TagEnd::HtmlBlock) => Some(Event::End(TagEnd::Paragraph)),
        Event::Start(Tag::Heading { level, .. }) => Some(Event::Start(Tag::Heading {
            level: shifted(level),
            id: None,
            classes: Vec::new(),
            attrs: Vec::new(),
        })),
        Event::End(TagEnd::Heading(level)) => Some(Event::End(TagEnd::Heading(shifted(level)))),
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) => match safe_href(&dest_url, base_path) {
            Some(href) => {
                open.push(true);
                Some(Event::Start(Tag::Link {
                    link_type,
                    dest_url: CowStr::from(href),
                    title,
                    id,
                }))
            }
            None => {
                open.push(false);
                None
            }
        },
        Event::Start(Tag::Image { .. }) => {
            open.push(false);
            None
        }
        Event::End(TagEnd::Link | TagEnd::Image) => {
            if open.pop().unwrap_or(false) {
                Some(event)
            } else {
                None
            }
        }
        other => Some(other),
    });
    let mut html = String::with_capacity(markdown.len() + markdown.len() / 2);
    pulldown_cmark::html::push_html(&mut html, events);
    html
}

/// The first paragraph of `markdown` as plain text, whitespace collapsed, cut at a word
/// boundary to at most `max` characters (with `…` when cut): a post's summary when it has
/// none, a page's meta description.
pub(crate) fn first_paragraph(markdown: &str, max: usize) -> Option<String> {
    let mut text = String::new();
    let mut inside = false;
    for event in parser(markdown) {
        match event {
            Event::Start(Tag::Paragraph) => inside = true,
            Event::End(TagEnd::Paragraph) if inside => break,
            Event::Text(t) | Event::Code(t) | Event::InlineHtml(t) if inside => text.push_str(&t),
            Event::SoftBreak | Event::HardBreak if inside => text.push(' '),
            _ => {}
        }
    }
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    (!text.is_empty()).then(|| shorten(&text, max))
}

/// `text` cut to at most `max` characters, at a space when there is one, `…` ending the cut.
pub(crate) fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let cut: String = text.chars().take(max.saturating_sub(1)).collect();
    let cut = match cut.rfind(' ') {
        Some(i) if i > cut.len() / 2 => &cut[..i],
        _ => cut.as_str(),
    };
    format!("{}…", cut.trim_end_matches([' ', ',', ';', ':', '.']))
}

/// What each Markdown heading level (by its number) becomes: the levels `events` use, in
/// order, as h2, h3 … (h6 at most).
fn heading_levels(events: &[Event]) -> [HeadingLevel; 7] {
    const BELOW_THE_TITLE: [HeadingLevel; 5] = [
        HeadingLevel::H2,
        HeadingLevel::H3,
        HeadingLevel::H4,
        HeadingLevel::H5,
        HeadingLevel::H6,
    ];
    let mut used = [false; 7];
    for event in events {
        if let Event::Start(Tag::Heading { level, .. }) = event {
            used[*level as usize] = true;
        }
    }
    let mut levels = [HeadingLevel::H6; 7];
    let mut next = 0;
    for (level, used) in used.iter().enumerate() {
        if *used {
            levels[level] = BELOW_THE_TITLE[next.min(BELOW_THE_TITLE.len() - 1)];
            next += 1;
        }
    }
    levels
}

/// The target a link may keep, or `None`. The parser has already decoded entities and
/// backslash escapes; the scheme is then read as a browser reads it (WHATWG URL: tabs and
/// newlines anywhere are dropped, controls and spaces at either end are trimmed, case does
/// not matter), so `java\tscript:` and `JaVaScRiPt:` are the `javascript:` they would be.
/// Anything with a colon before its first `/`, `?` or `#` has a scheme and must name a safe
/// one; the rest is relative. A root-relative path is put under the site's base path.
fn safe_href(raw: &str, base_path: &str) -> Option<String> {
    let cleaned: String = raw
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect();
    let href = cleaned.trim_matches(|c: char| c <= ' ');
    if href.is_empty() {
        return None;
    }
    let first_delimiter = href.find([':', '/', '?', '#']);
    match first_delimiter {
        Some(i) if href[i..].starts_with(':') => {
            let scheme = href[..i].to_ascii_lowercase();
            SAFE_SCHEMES
                .contains(&scheme.as_str())
                .then(|| href.to_owned())
        }
        _ if href.starts_with('/') && !href.starts_with("//") => Some(format!("{base_path}{href}")),
        _ => Some(href.to_owned()),
    }
}

#[cfg(test)]
mod tests;
