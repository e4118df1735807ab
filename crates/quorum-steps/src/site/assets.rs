//! The stylesheet and the script. Both are fixed files kept beside this module; the only
//! generated part is the stylesheet's head: the `@font-face` rules of the fonts the site
//! ships and the `:root` block of colours and font stacks, built from the palette's colours
//! (re-validated here) and the fonts module's constants, so nothing from the inputs reaches
//! CSS. After it come the base every site shares and the chosen design's part (`css.rs`).

use super::check::colour_ok;
use super::fonts::SiteFonts;
use super::palette::Palette;
use super::{SiteKind, Theme};

const SCRIPT: &str = include_str!("static/main.js");
const FAMILY_CSS: &str = include_str!("static/family.css");
const LEAD_SCRIPT: &str = include_str!("static/lead.js");
const CART_SCRIPT: &str = include_str!("static/cart.js");

/// The stylesheet of a site of `kind`: the family's sites carry the rules of their own parts.
pub(crate) fn stylesheet(
    palette: &Palette,
    fonts: &SiteFonts,
    theme: Theme,
    kind: SiteKind,
) -> Vec<u8> {
    // Minified like the fixed parts: a site's every page carries these bytes in its budget.
    let mut css = super::css::minify(&root_css(palette, fonts));
    // The base every site shares, then the chosen design's part only.
    for part in super::css::parts(theme) {
        css.push_str(part);
    }
    if kind != SiteKind::Basic {
        static FAMILY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
        css.push_str(FAMILY.get_or_init(|| super::css::minify(FAMILY_CSS)));
    }
    css.into_bytes()
}

/// What every theme's stylesheet starts with: the `@font-face` rules, then `:root` with a
/// custom property per palette role (`--surface`, `--on-button`, …) and `--font-heading`,
/// `--font-body`.
pub(crate) fn root_css(palette: &Palette, fonts: &SiteFonts) -> String {
    let mut css = fonts.font_faces();
    css.push_str(":root {\n");
    for (name, value) in palette.css_variables() {
        // The palette only ever holds #rrggbb; checked again because this is CSS.
        let value = if colour_ok(value) { value } else { "#000000" };
        css.push_str(&format!("  --{name}: {value};\n"));
    }
    css.push_str(&format!(
        "  --font-heading: {};\n  --font-body: {};\n}}\n\n",
        fonts.heading.stack, fonts.body.stack,
    ));
    css
}

/// The script of a site of `kind`: a landing page's also sends its lead form, a shop's keeps
/// its cart.
pub(crate) fn script(kind: SiteKind) -> Vec<u8> {
    match kind {
        SiteKind::Landing => [SCRIPT, LEAD_SCRIPT].concat().into_bytes(),
        SiteKind::Shop => [SCRIPT, CART_SCRIPT].concat().into_bytes(),
        _ => SCRIPT.as_bytes().to_vec(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::site::fonts::fonts;
    use crate::site::{BrandColors, Typography, palette::palette};

    fn css(typography: &Typography) -> String {
        let palette = palette(&BrandColors::default());
        String::from_utf8(stylesheet(
            &palette,
            &fonts(typography),
            Theme::Studio,
            SiteKind::Basic,
        ))
        .unwrap()
    }

    #[test]
    fn the_stylesheet_quotes_the_brand_fonts_before_system_fallbacks() {
        let css = css(&Typography::default());
        assert!(css.contains(
            r#"--font-heading:"Inter",system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;"#
        ));
        assert!(css.contains(r#"--font-body:"Open Sans",system-ui"#));
    }

    #[test]
    fn the_stylesheet_fetches_only_its_own_files() {
        let typography = Typography::default();
        let css = css(&typography);
        for banned in ["@import", "http", "//"] {
            assert!(!css.contains(banned), "{banned}");
        }
        let shipped: Vec<String> = fonts(&typography)
            .files()
            .into_iter()
            .map(|(path, _)| path)
            .collect();
        let urls: Vec<&str> = css
            .split("url(")
            .skip(1)
            .map(|rest| rest.split(')').next().unwrap())
            .collect();
        assert_eq!(urls.len(), 4, "Inter and Open Sans, 400 and 700 each");
        for url in urls {
            let path = url.trim_matches('"');
            // Relative to the stylesheet in assets/, inside the site.
            assert!(path.starts_with("fonts/") && !path.contains(".."), "{url}");
            assert!(shipped.contains(&format!("assets/{path}")), "{url}");
        }
    }

    #[test]
    fn the_root_block_names_every_palette_role() {
        let css = css(&Typography::default());
        let root = &css[css.find(":root{").unwrap()..];
        let root = &root[..root.find('}').unwrap()];
        for role in [
            "--surface:",
            "--surface-alt:",
            "--on-button:",
            "--border:",
            "--muted:",
        ] {
            assert!(root.contains(role), "{role}");
        }
        assert!(root.contains("--background:#f7f1e3;"));
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
        assert!(css.contains(r#"--font-heading:"Inter","#));
        assert!(css.contains(r#"--font-body:"Lora",Georgia"#));
    }

    #[test]
    fn an_unknown_font_gets_the_system_stack_and_no_font_face() {
        let css = css(&Typography {
            heading: "Comic Neue".into(),
            body: "Comic Neue".into(),
        });
        assert!(!css.contains("@font-face") && !css.contains("url("));
        assert!(css.contains("--font-body:system-ui,-apple-system,"));
        assert!(!css.contains("Comic Neue"));
    }
}
