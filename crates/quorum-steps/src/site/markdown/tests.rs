//! Markdown as a hostile author would write it: every way to a script comes out inert.
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
    let out =
        html("A <b>bold</b> claim <img src=x onerror=alert(1)> and <a href=\"javascript:x\">y</a>");
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
