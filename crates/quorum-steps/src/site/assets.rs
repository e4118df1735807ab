//! The stylesheet and the script. Both are fixed files kept beside this module; the only
//! generated part is the stylesheet's `:root` block of colours and fonts, built from values
//! that are re-validated here, so nothing else from the inputs reaches CSS. After it come the
//! base every site shares and the chosen design's part (`css.rs`).

use super::check::{colour_ok, font_ok};
use super::palette::Palette;
use super::{Theme, Typography};

const SCRIPT: &str = include_str!("static/main.js");

/// The fallbacks after a brand font: system faces only, nothing fetched from the internet.
const FALLBACK_FONTS: &str = r#"system-ui, -apple-system, "Segoe UI", Roboto, sans-serif"#;

pub(crate) fn stylesheet(palette: &Palette, typography: &Typography, theme: Theme) -> Vec<u8> {
    let defaults = Typography::default();
    let colours = [
        ("primary", &palette.primary),
        ("on-primary", &palette.on_primary),
        ("accent", &palette.accent),
        ("on-accent", &palette.on_accent),
        ("background", &palette.background),
        ("text", &palette.text),
        ("link", &palette.link),
    ];
    let mut css = String::from(":root {\n");
    for (name, value) in colours {
        // The palette only ever holds #rrggbb; checked again because this is CSS.
        let value = if colour_ok(value) { value } else { "#000000" };
        css.push_str(&format!("  --{name}: {value};\n"));
    }
    css.push_str(&format!(
        "  --font-heading: {};\n  --font-body: {};\n}}\n\n",
        font_stack(&typography.heading, &defaults.heading),
        font_stack(&typography.body, &defaults.body),
    ));
    // The base every site shares, then the chosen design's part only.
    for part in super::css::parts(theme) {
        css.push_str(part);
    }
    css.into_bytes()
}

/// `"Inter", system-ui, …`: the brand font quoted, if it is a plain name; else the default.
pub(crate) fn font_stack(font: &str, default: &str) -> String {
    let font = if font_ok(font) { font.trim() } else { default };
    format!("\"{font}\", {FALLBACK_FONTS}")
}

pub(crate) fn script() -> Vec<u8> {
    SCRIPT.as_bytes().to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::site::{BrandColors, palette::palette};

    fn css(typography: &Typography) -> String {
        String::from_utf8(stylesheet(
            &palette(&BrandColors::default()),
            typography,
            Theme::Studio,
        ))
        .unwrap()
    }

    #[test]
    fn the_stylesheet_quotes_the_brand_fonts_before_system_fallbacks() {
        let css = css(&Typography::default());
        assert!(css.contains(
            r#"--font-heading: "Inter", system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;"#
        ));
        assert!(css.contains(r#"--font-body: "Open Sans", system-ui"#));
    }

    #[test]
    fn the_stylesheet_fetches_nothing() {
        let css = css(&Typography::default());
        for banned in ["@import", "url(", "@font-face", "http"] {
            assert!(!css.contains(banned), "{banned}");
        }
    }

    #[test]
    fn the_stylesheet_is_mobile_first_with_focus_and_motion_rules() {
        let css = css(&Typography::default());
        for needed in [
            "@media (min-width:",
            ":focus-visible",
            ".skip-link:focus",
            "prefers-reduced-motion:reduce",
            "flex-wrap:wrap",
            "min-height:44px",
        ] {
            assert!(css.contains(needed), "{needed}");
        }
        assert!(
            !css.contains("@media (max-width"),
            "no desktop-first breakpoints"
        );
    }

    #[test]
    fn a_font_that_could_break_out_of_css_is_replaced_by_the_default() {
        let hostile = Typography {
            heading: "x\"; } body { background: url(//evil) } a { b: \"".into(),
            body: "Lora".into(),
        };
        let css = css(&hostile);
        assert!(!css.contains("evil"));
        assert!(css.contains(r#"--font-heading: "Inter", "#));
        assert!(css.contains(r#"--font-body: "Lora", "#));
    }
}
