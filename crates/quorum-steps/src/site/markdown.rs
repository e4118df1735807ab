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
mod tests {
    use super::*;

    fn html(markdown: &str) -> String {
        to_html(markdown, "/sites/acme")
    }

    /// Parsed as a browser would: only prose elements, no attribute but a link's target and
    /// title (and a code block's language), and no target a browser would run.
    fn assert_inert(out: &str) {
        let doc = scraper::Html::parse_fragment(out);
        for element in doc
            .root_element()
            .descendants()
            .filter_map(scraper::ElementRef::wrap)
        {
            let el = element.value();
            let allowed = [
                "html",
                "p",
                "em",
                "strong",
                "del",
                "code",
                "pre",
                "ul",
                "ol",
                "li",
                "blockquote",
                "h2",
                "h3",
                "h4",
                "h5",
                "h6",
                "a",
                "br",
                "hr",
            ];
            assert!(allowed.contains(&el.name()), "<{}> in {out}", el.name());
            for (name, value) in el.attrs() {
                let ok = match (el.name(), name) {
                    ("a", "href") => {
                        browser_scheme(value).is_none_or(|s| SAFE_SCHEMES.contains(&s.as_str()))
                    }
                    ("a", "title") | ("ol", "start") => true,
                    ("code", "class") => value.starts_with("language-"),
                    _ => false,
                };
                assert!(ok, "{name}={value:?} on <{}> in {out}", el.name());
            }
        }
    }

    /// The scheme a browser reads in an href (WHATWG URL), written apart from `safe_href` so
    /// the tests do not grade it by its own rule.
    fn browser_scheme(href: &str) -> Option<String> {
        let href: String = href
            .chars()
            .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
            .collect();
        let href = href.trim_matches(|c: char| c <= ' ');
        let end = href.find(':')?;
        let scheme = &href[..end];
        let mut chars = scheme.chars();
        let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic());
        (first_ok && chars.all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c)))
            .then(|| scheme.to_ascii_lowercase())
    }

    fn links(out: &str) -> usize {
        let doc = scraper::Html::parse_fragment(out);
        doc.select(&scraper::Selector::parse("a").unwrap()).count()
    }

    #[test]
    fn prose_becomes_html() {
        assert_eq!(
            html("Fresh *bread* and **cakes**, ~~never~~ always.\n\n- rye\n- spelt"),
            "<p>Fresh <em>bread</em> and <strong>cakes</strong>, <del>never</del> always.</p>\n<ul>\n<li>rye</li>\n<li>spelt</li>\n</ul>\n"
        );
    }

    #[test]
    fn a_script_block_is_shown_as_text() {
        let out = html("Hello\n\n<script>alert(1)</script>\n\nBye");
        assert_inert(&out);
        assert!(
            out.contains("<p>&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{out}"
        );
    }

    #[test]
    fn inline_html_is_shown_as_text() {
        let out = html(
            "A <b>bold</b> claim <img src=x onerror=alert(1)> and <a href=\"javascript:x\">y</a>",
        );
        assert_inert(&out);
        assert!(out.contains("&lt;b&gt;bold&lt;/b&gt;"), "{out}");
        assert!(out.contains("&lt;img src=x onerror=alert(1)&gt;"), "{out}");
    }

    #[test]
    fn raw_html_blocks_of_every_kind_are_text() {
        for block in [
            "<div onclick=\"x()\">hi</div>",
            "<iframe src=\"https://evil.example\"></iframe>",
            "<style>body{display:none}</style>",
            "<svg onload=alert(1)>",
            "<!-- a comment --><script>x</script>",
            "<?php echo 1; ?>",
            "<![CDATA[<script>x</script>]]>",
            "<form action=\"https://evil.example\"><input name=p></form>",
        ] {
            let out = html(block);
            assert_inert(&out);
            assert!(out.contains("&lt;"), "{block}: {out}");
        }
    }

    #[test]
    fn javascript_links_lose_the_link_and_keep_the_text() {
        for target in [
            "javascript:alert(1)",
            "JaVaScRiPt:alert(1)",
            "java\tscript:alert(1)",
            " javascript:alert(1)",
            "&#106;avascript:alert(1)",
            "&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;&#x3A;alert(1)",
            "javascript&colon;alert(1)",
            "java&#9;script:alert(1)",
            "java&#10;script:alert(1)",
            "<javascript:alert(1)>",
            "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
            "vbscript:msgbox(1)",
            "file:///etc/passwd",
        ] {
            let out = html(&format!("[click me]({target})"));
            assert_inert(&out);
            assert_eq!(links(&out), 0, "{target:?}: {out}");
            assert!(out.contains("click me"), "{target:?}: {out}");
        }
        // Without its semicolon an entity is not one (CommonMark): this is a relative link
        // to `&`, with a fragment, which runs nothing.
        assert_inert(&html("[x](&#0000106avascript:alert(1))"));
        // The same, written as a bare autolink or a reference.
        for markdown in [
            "<javascript:alert(1)>",
            "<JAVASCRIPT:alert(1)>",
            "[x][r]\n\n[r]: javascript:alert(1)",
            "[x][r]\n\n[r]: <data:text/html,<script>alert(1)</script>>",
        ] {
            let out = html(markdown);
            assert_inert(&out);
            assert_eq!(links(&out), 0, "{markdown:?}: {out}");
        }
    }

    #[test]
    fn safe_links_keep_their_target() {
        for (markdown, href) in [
            (
                "[a](https://example.com/x?y=1#z)",
                "https://example.com/x?y=1#z",
            ),
            ("[a](http://example.com)", "http://example.com"),
            ("[a](mailto:hello@example.com)", "mailto:hello@example.com"),
            ("[a](tel:+15550100199)", "tel:+15550100199"),
            ("[a](#menu)", "#menu"),
            ("[a](menu/)", "menu/"),
            ("[a](../contact/)", "../contact/"),
            ("[a](/contact/)", "/sites/acme/contact/"),
            ("[a](//example.com/)", "//example.com/"),
            ("<https://example.com>", "https://example.com"),
            ("<hello@example.com>", "mailto:hello@example.com"),
        ] {
            let out = html(markdown);
            assert!(
                out.contains(&format!("<a href=\"{href}\"")),
                "{markdown}: {out}"
            );
        }
    }

    #[test]
    fn a_link_title_and_target_are_escaped() {
        let out = html("[a](https://example.com/\"onmouseover=x \"t\\\" onclick=y\")");
        assert_inert(&out);
        assert_eq!(links(&out), 1, "{out}");
    }

    #[test]
    fn images_become_their_alt_text() {
        let out = html("Look: ![a *fresh* loaf](https://example.com/x.png \"t\") and ![](x.png)");
        assert_inert(&out);
        assert_eq!(out, "<p>Look: a <em>fresh</em> loaf and </p>\n");
        let out = html("![<img src=x onerror=alert(1)>](javascript:alert(1))");
        assert_inert(&out);
        assert!(out.contains("&lt;img"), "{out}");
        // An image inside a link: the link stays, the image is its alt text.
        let out = html("[![logo](logo.png)](https://example.com)");
        assert_eq!(out, "<p><a href=\"https://example.com\">logo</a></p>\n");
    }

    #[test]
    fn headings_move_below_the_pages_h1_without_skipping_a_level() {
        let out = html("# One\n\n## Two\n\n###### Six");
        assert_eq!(out, "<h2>One</h2>\n<h3>Two</h3>\n<h4>Six</h4>\n");
        let out = html("## Two\n\n#### Four\n\n## Two again");
        assert_eq!(out, "<h2>Two</h2>\n<h3>Four</h3>\n<h2>Two again</h2>\n");
        let all = html("# 1\n## 2\n### 3\n#### 4\n##### 5\n###### 6");
        assert_eq!(
            all,
            "<h2>1</h2>\n<h3>2</h3>\n<h4>3</h4>\n<h5>4</h5>\n<h6>5</h6>\n<h6>6</h6>\n"
        );
        assert_eq!(html("Title\n====="), "<h2>Title</h2>\n");
    }

    #[test]
    fn code_is_escaped() {
        let out = html("`<script>`\n\n```html\n<script>alert(1)</script>\n```");
        assert_inert(&out);
        assert!(out.contains("<code>&lt;script&gt;</code>"), "{out}");
    }

    #[test]
    fn the_first_paragraph_is_plain_text_cut_at_a_word() {
        let md = "# Big news\n\nWe *opened* a `second` shop\non Rue Cler. <b>Come</b>!\n\nMore.";
        assert_eq!(
            first_paragraph(md, 300).as_deref(),
            Some("We opened a second shop on Rue Cler. <b>Come</b>!")
        );
        assert_eq!(
            first_paragraph(md, 20).as_deref(),
            Some("We opened a second…")
        );
        assert_eq!(first_paragraph("# Only a heading", 300), None);
        assert_eq!(shorten("éééééé", 4), "ééé…");
    }
}
