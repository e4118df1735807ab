//! What search engines read beyond the pages' own meta tags: `sitemap.xml` listing every
//! page's canonical URL, and `robots.txt` pointing at it. Also the XML escaping the sitemap
//! and the logo share.

use super::layout::Ctx;

/// Escapes the five characters XML gives meaning to; safe in text and in either quoting of
/// an attribute.
pub(crate) fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

pub(crate) fn sitemap(ctx: &Ctx) -> Vec<u8> {
    let mut xml = String::from(concat!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n",
        "<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n"
    ));
    for page in ctx.pages {
        xml.push_str("  <url><loc>");
        xml.push_str(&xml_escape(&ctx.url(&page.info.path)));
        xml.push_str("</loc></url>\n");
    }
    xml.push_str("</urlset>\n");
    xml.into_bytes()
}

pub(crate) fn robots(ctx: &Ctx) -> Vec<u8> {
    // A URL is one line here: a line break in it would start a directive of its own.
    let sitemap = ctx.url("sitemap.xml").replace(['\r', '\n'], "");
    format!("User-agent: *\nAllow: /\n\nSitemap: {sitemap}\n").into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_escaping_covers_all_five_characters() {
        assert_eq!(
            xml_escape(r#"<a href="x">Tom & Jerry's</a>"#),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&apos;s&lt;/a&gt;"
        );
    }
}
