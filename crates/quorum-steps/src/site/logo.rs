//! The generated logo: the site's initials on a rounded tile, as a small SVG that is valid
//! XML whatever the site's name. The tile is not the header's colour but the palette's
//! `logo_tile`, which stands 3:1 from the header, so the mark shows as a shape and not only
//! as letters; the initials are `logo_ink`, 4.5:1 on the tile.

use super::fonts::SiteFonts;
use super::glyphs::{Anchor, Line};
use super::layout::LOGO_SIZE;
use super::palette::Palette;
use super::raster::Weight;
use super::seo::xml_escape;

/// The tile's corner radius and its initials' size, in the tile's units (`LOGO_SIZE` wide).
const RADIUS: u32 = 10;
const INITIALS_SIZE: f32 = 20.0;
/// How far below the middle the initials' baseline sits, in ems: centres Inter's capitals.
const INITIALS_DROP: f32 = 0.35;

/// The tile for `site_name`, titled `title` (its text alternative in the site's language).
pub(crate) fn logo(site_name: &str, title: &str, palette: &Palette, fonts: &SiteFonts) -> Vec<u8> {
    let size = LOGO_SIZE;
    let half = size / 2;
    let svg = format!(
        concat!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" "#,
            r#"viewBox="0 0 {size} {size}" role="img" aria-labelledby="logo-title">"#,
            r#"<title id="logo-title">{title}</title>{shape}"#,
            r#"<text x="{half}" y="{half}" dy="{drop}em" text-anchor="middle" "#,
            r#"font-family="{font}" font-size="{font_size}" font-weight="700" fill="{ink}">{initials}</text>"#,
            "</svg>\n"
        ),
        size = size,
        half = half,
        title = xml_escape(title),
        shape = shape(palette),
        drop = INITIALS_DROP,
        font = xml_escape(&fonts.heading.stack),
        font_size = INITIALS_SIZE,
        ink = xml_escape(&palette.logo_ink),
        initials = xml_escape(&initials(site_name)),
    );
    svg.into_bytes()
}

/// The tile as the site's pictures draw it, in the tile's units: its shape as SVG, and its
/// initials as a line of the bundled font where the SVG above places them.
pub(crate) fn tile(site_name: &str, palette: &Palette) -> (String, Line) {
    let half = LOGO_SIZE as f32 / 2.0;
    let initials = Line {
        text: initials(site_name),
        weight: Weight::Bold,
        size: INITIALS_SIZE,
        x: half,
        baseline: half + INITIALS_DROP * INITIALS_SIZE,
        anchor: Anchor::Middle,
        color: palette.logo_ink.clone(),
    };
    (shape(palette), initials)
}

fn shape(palette: &Palette) -> String {
    format!(
        r#"<rect width="{size}" height="{size}" rx="{RADIUS}" fill="{bg}"/>"#,
        size = LOGO_SIZE,
        bg = xml_escape(&palette.logo_tile),
    )
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
    use crate::site::fonts::fonts;
    use crate::site::palette::{AA, NON_TEXT, contrast_ratio, palette};
    use crate::site::{BrandColors, Typography};

    fn svg(name: &str, colors: &BrandColors, typography: &Typography) -> String {
        let title = crate::site::words::EN.logo_alt(name);
        String::from_utf8(logo(name, &title, &palette(colors), &fonts(typography))).unwrap()
    }

    fn attr<'a>(svg: &'a str, element: &str, name: &str) -> &'a str {
        let at = svg.find(&format!("<{element} ")).unwrap();
        let rest = &svg[at..];
        let value = &rest[rest.find(&format!(" {name}=\"")).unwrap() + name.len() + 3..];
        &value[..value.find('"').unwrap()]
    }

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
        let svg = svg(
            "A & B <Co>",
            &BrandColors::default(),
            &Typography::default(),
        );
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(svg.contains(r#"role="img""#));
        assert!(svg.contains("<title id=\"logo-title\">A &amp; B &lt;Co&gt; logo</title>"));
        assert!(svg.contains("font-family=\"&quot;Inter&quot;, system-ui"));
        assert!(svg.contains(">AB</text>"));
    }

    #[test]
    fn the_tile_stands_out_from_the_header_and_the_initials_from_the_tile() {
        for colors in [
            BrandColors::default(),
            // The accent is the header's own colour: the tile must still show.
            BrandColors {
                primary: "#c62828".into(),
                secondary: "#ffffff".into(),
                accent: "#c62828".into(),
            },
            BrandColors {
                primary: "#f4c430".into(),
                secondary: "#fffaf0".into(),
                accent: "#f4c430".into(),
            },
        ] {
            let header = palette(&colors).header;
            let svg = svg("Codex Digital", &colors, &Typography::default());
            let tile = attr(&svg, "rect", "fill");
            let ink = attr(&svg, "text", "fill");
            assert_ne!(tile, header);
            assert!(
                contrast_ratio(tile, &header) >= NON_TEXT,
                "{tile} on {header}"
            );
            assert!(contrast_ratio(ink, tile) >= AA, "{ink} on {tile}");
        }
    }

    #[test]
    fn the_initials_use_the_heading_font() {
        let typography = Typography {
            heading: "Playfair Display".into(),
            body: "Lato".into(),
        };
        let svg = svg("Rose Bakery", &BrandColors::default(), &typography);
        assert_eq!(
            attr(&svg, "text", "font-family"),
            "&quot;Playfair Display&quot;, Georgia, &quot;Times New Roman&quot;, serif"
        );
    }
}
