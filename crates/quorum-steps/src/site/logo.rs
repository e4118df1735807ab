//! The generated logo: the site's initials on a rounded square, as a small SVG that is valid
//! XML whatever the site's name.

use super::Typography;
use super::assets::font_stack;
use super::layout::LOGO_SIZE;
use super::palette::{Palette, contrast_ratio};
use super::seo::xml_escape;

/// Large text (the initials are) needs 3:1 under WCAG; below that the accent gives way to
/// the palette's readable colour on primary.
const LARGE_TEXT: f64 = 3.0;

pub(crate) fn logo(site_name: &str, palette: &Palette, typography: &Typography) -> Vec<u8> {
    let ink = if contrast_ratio(&palette.accent, &palette.primary) >= LARGE_TEXT {
        &palette.accent
    } else {
        &palette.on_primary
    };
    let font = font_stack(&typography.heading, &Typography::default().heading);
    let size = LOGO_SIZE;
    let half = size / 2;
    let svg = format!(
        concat!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" "#,
            r#"viewBox="0 0 {size} {size}" role="img" aria-labelledby="logo-title">"#,
            r#"<title id="logo-title">{title}</title>"#,
            r#"<rect width="{size}" height="{size}" rx="10" fill="{bg}"/>"#,
            r#"<text x="{half}" y="{half}" dy="0.35em" text-anchor="middle" "#,
            r#"font-family="{font}" font-size="20" font-weight="700" fill="{ink}">{initials}</text>"#,
            "</svg>\n"
        ),
        size = size,
        half = half,
        title = xml_escape(&format!("{} logo", site_name.trim())),
        bg = xml_escape(&palette.primary),
        font = xml_escape(&font),
        ink = xml_escape(ink),
        initials = xml_escape(&initials(site_name)),
    );
    svg.into_bytes()
}

/// The first letter or digit of each of the first two words: `Codex Digital Studios` → `CD`.
fn initials(name: &str) -> String {
    let letters: String = name
        .split_whitespace()
        .filter_map(|word| word.chars().find(|c| c.is_alphanumeric()))
        .flat_map(char::to_uppercase)
        .take(2)
        .collect();
    if letters.is_empty() {
        "Q".into()
    } else {
        letters
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::site::{BrandColors, palette::palette};

    #[test]
    fn initials_take_the_first_two_words() {
        assert_eq!(initials("Codex Digital Studios"), "CD");
        assert_eq!(initials("acme"), "A");
        assert_eq!(initials("  (the) 42 club"), "T4");
        assert_eq!(initials("<script>alert(1)</script>"), "S");
        assert_eq!(initials("— —"), "Q");
    }

    #[test]
    fn the_logo_is_an_accessible_svg_with_the_name_escaped() {
        let p = palette(&BrandColors::default());
        let svg = String::from_utf8(logo("A & B <Co>", &p, &Typography::default())).unwrap();
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(svg.contains(r#"role="img""#));
        assert!(svg.contains("<title id=\"logo-title\">A &amp; B &lt;Co&gt; logo</title>"));
        assert!(svg.contains("font-family=\"&quot;Inter&quot;, system-ui"));
        assert!(svg.contains(">AB</text>"));
    }
}
