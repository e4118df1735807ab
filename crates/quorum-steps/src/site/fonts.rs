//! The font families Quorum ships and serves from each site itself: woff2 files compiled into
//! the binary (Latin subset, from the @fontsource packages `scripts/fetch-fonts.sh` names),
//! which of them a site's typography picks, the `@font-face` rules that load them, and the
//! system stack any other family falls back to.

use serde::Serialize;

use super::Typography;
use super::check::font_ok;

/// Where a site's font files are served, relative to its root; the stylesheet beside them
/// names them relative to itself.
pub(crate) const FONT_DIR: &str = "assets/fonts/";
/// What one site may spend on fonts, both families together.
pub const FONT_BUDGET: usize = 120 * 1024;

const SANS_FALLBACK: &str = r#"system-ui, -apple-system, "Segoe UI", Roboto, sans-serif"#;
const SERIF_FALLBACK: &str = r#"Georgia, "Times New Roman", serif"#;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Sans,
    Serif,
}

pub(crate) struct Family {
    pub name: &'static str,
    kind: Kind,
    pub faces: &'static [Face],
}

pub(crate) struct Face {
    pub weight: u16,
    /// The file's name under [`FONT_DIR`].
    pub file: &'static str,
    pub bytes: &'static [u8],
}

macro_rules! face {
    ($id:literal, $weight:literal) => {
        Face {
            weight: $weight,
            file: concat!($id, "-latin-", $weight, "-normal.woff2"),
            bytes: include_bytes!(concat!(
                "../../fonts/",
                $id,
                "/",
                $id,
                "-latin-",
                $weight,
                "-normal.woff2"
            )),
        }
    };
}

macro_rules! family {
    ($name:literal, $id:literal, $kind:ident, [$($weight:literal),+]) => {
        Family { name: $name, kind: Kind::$kind, faces: &[$(face!($id, $weight)),+] }
    };
}

/// Every family a site can be served in. A family with one face is a display face drawn in
/// one weight, which serves its bold too rather than have the browser smear a fake one.
pub(crate) const FAMILIES: &[Family] = &[
    family!("Inter", "inter", Sans, [400, 700]),
    family!("Open Sans", "open-sans", Sans, [400, 700]),
    family!("Roboto", "roboto", Sans, [400, 700]),
    family!("Lato", "lato", Sans, [400, 700]),
    family!("Montserrat", "montserrat", Sans, [400, 700]),
    family!("Poppins", "poppins", Sans, [400, 700]),
    family!("Nunito", "nunito", Sans, [400, 700]),
    family!("Raleway", "raleway", Sans, [400, 700]),
    family!("Work Sans", "work-sans", Sans, [400, 700]),
    family!("DM Sans", "dm-sans", Sans, [400, 700]),
    family!("Source Sans 3", "source-sans-3", Sans, [400, 700]),
    family!("Oswald", "oswald", Sans, [400, 700]),
    family!("Pacifico", "pacifico", Sans, [400]),
    family!("Playfair Display", "playfair-display", Serif, [400, 700]),
    family!("Lora", "lora", Serif, [400, 700]),
    family!("Source Serif 4", "source-serif-4", Serif, [400, 700]),
];

/// How one role's font is served: what the inputs asked, whether Quorum has it, the CSS
/// `font-family` value, and the files the site ships for it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FontChoice {
    pub family: String,
    pub served: bool,
    pub stack: String,
    pub files: Vec<String>,
    /// The family's index in [`FAMILIES`].
    #[serde(skip)]
    shipped: Option<usize>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SiteFonts {
    pub heading: FontChoice,
    pub body: FontChoice,
}

fn choose(asked: &str, default: &str) -> FontChoice {
    // A name `check` would refuse never reaches CSS: the default stands in for it.
    let asked = if font_ok(asked) {
        asked.trim()
    } else {
        default
    };
    let index = FAMILIES
        .iter()
        .position(|f| f.name.eq_ignore_ascii_case(asked));
    let shipped = index.map(|i| &FAMILIES[i]);
    let stack = match shipped {
        Some(f) => {
            let fallback = match f.kind {
                Kind::Sans => SANS_FALLBACK,
                Kind::Serif => SERIF_FALLBACK,
            };
            format!("\"{}\", {fallback}", f.name)
        }
        None => SANS_FALLBACK.to_owned(),
    };
    FontChoice {
        family: asked.to_owned(),
        served: shipped.is_some(),
        stack,
        files: shipped
            .into_iter()
            .flat_map(|f| f.faces)
            .map(|face| format!("{FONT_DIR}{}", face.file))
            .collect(),
        shipped: index,
    }
}

/// The fonts a site's typography gets.
pub fn fonts(typography: &Typography) -> SiteFonts {
    let defaults = Typography::default();
    SiteFonts {
        heading: choose(&typography.heading, &defaults.heading),
        body: choose(&typography.body, &defaults.body),
    }
}

impl SiteFonts {
    /// The shipped families, each once.
    fn families(&self) -> Vec<&'static Family> {
        let mut indices = vec![self.heading.shipped, self.body.shipped];
        indices.dedup();
        indices
            .into_iter()
            .flatten()
            .map(|i| &FAMILIES[i])
            .collect()
    }

    /// Every font file the site ships, by its path under the site's root.
    pub(crate) fn files(&self) -> Vec<(String, &'static [u8])> {
        self.families()
            .into_iter()
            .flat_map(|f| f.faces)
            .map(|face| (format!("{FONT_DIR}{}", face.file), face.bytes))
            .collect()
    }

    /// The files worth preloading: the body's regular face, which nearly every page's first
    /// screen sets text in, and the heading's heaviest face (every theme sets headings at 600
    /// or more), which the first screen's title is drawn in. With `font-display: optional` a
    /// face that is not in by the first paint is not used on that page at all, so these two
    /// are fetched before the stylesheet asks for them.
    pub(crate) fn preloads(&self) -> Vec<String> {
        let body = self
            .body
            .shipped
            .and_then(|i| FAMILIES[i].faces.iter().find(|f| f.weight == 400));
        let heading = self
            .heading
            .shipped
            .and_then(|i| FAMILIES[i].faces.iter().max_by_key(|f| f.weight));
        let mut files: Vec<String> = [body, heading]
            .into_iter()
            .flatten()
            .map(|face| format!("{FONT_DIR}{}", face.file))
            .collect();
        files.dedup();
        files
    }

    /// The `@font-face` rules for the stylesheet at `assets/main.css`: one per face, each
    /// naming its file relative to the stylesheet, so nothing is fetched from elsewhere.
    pub(crate) fn font_faces(&self) -> String {
        let mut css = String::new();
        for family in self.families() {
            for face in family.faces {
                let weight = if family.faces.len() == 1 {
                    "400 700".to_owned()
                } else {
                    face.weight.to_string()
                };
                // Family names and file names are this module's constants, never input. No
                // `unicode-range`: a page of any language has Latin digits and punctuation, so
                // it fetches the face anyway, and a glyph a Latin file lacks falls back to the
                // next font in the stack without one. It was 190 bytes a face of every page.
                // `optional`, not `swap`: a face that arrives after the first paint would move
                // the text it replaces by as much as the two faces' metrics differ (up to 0.02
                // of layout shift, measured); with `optional` the first visit keeps the
                // fallback on that page if the preloaded file is late, and every later page
                // is drawn in the face from the cache.
                css.push_str(&format!(
                    "@font-face {{\n  font-family: \"{name}\";\n  \
                     font-weight: {weight};\n  font-display: optional;\n  \
                     src: url(\"fonts/{file}\") format(\"woff2\");\n}}\n\n",
                    name = family.name,
                    file = face.file,
                ));
            }
        }
        css
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typography(heading: &str, body: &str) -> Typography {
        Typography {
            heading: heading.into(),
            body: body.into(),
        }
    }

    #[test]
    fn every_shipped_file_is_a_woff2_with_a_licence_beside_it() {
        assert!((12..=16).contains(&FAMILIES.len()));
        for family in FAMILIES {
            assert!(font_ok(family.name), "{}", family.name);
            for face in family.faces {
                assert_eq!(&face.bytes[..4], b"wOF2", "{}", face.file);
                assert!(face.bytes.len() > 4_000, "{}", face.file);
            }
        }
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fonts");
        for family in FAMILIES {
            let id = family.faces[0].file.split("-latin-").next().unwrap();
            let licence = std::fs::read_to_string(dir.join(id).join("LICENSE")).unwrap();
            assert!(licence.contains("SIL Open Font License"), "{id}");
        }
    }

    #[test]
    fn the_type_tells_agents_every_family_it_serves() {
        let schema = include_str!("../../../../types/website.create_basic_site.json");
        let schema: serde_json::Value = serde_json::from_str(schema).unwrap();
        let told = schema["input_schema"]["properties"]["typography"]["description"]
            .as_str()
            .unwrap();
        for family in FAMILIES {
            assert!(told.contains(family.name), "{}", family.name);
        }
    }

    #[test]
    fn every_pair_of_families_fits_the_budget() {
        let mut heaviest = (0, "", "");
        for heading in FAMILIES {
            for body in FAMILIES {
                let fonts = fonts(&typography(heading.name, body.name));
                let bytes: usize = fonts.files().iter().map(|(_, b)| b.len()).sum();
                assert!(fonts.families().len() <= 2);
                if bytes > heaviest.0 {
                    heaviest = (bytes, heading.name, body.name);
                }
            }
        }
        assert!(heaviest.0 <= FONT_BUDGET, "{heaviest:?}");
    }

    #[test]
    fn a_shipped_family_is_found_whatever_its_case_and_served_with_fallbacks() {
        let fonts = fonts(&typography("playfair display", " Inter "));
        assert_eq!(fonts.heading.family, "playfair display");
        assert!(fonts.heading.served);
        assert_eq!(
            fonts.heading.stack,
            r#""Playfair Display", Georgia, "Times New Roman", serif"#
        );
        assert_eq!(
            fonts.body.stack,
            r#""Inter", system-ui, -apple-system, "Segoe UI", Roboto, sans-serif"#
        );
        assert_eq!(
            fonts.body.files,
            [
                "assets/fonts/inter-latin-400-normal.woff2",
                "assets/fonts/inter-latin-700-normal.woff2"
            ]
        );
        assert_eq!(
            fonts.preloads(),
            [
                "assets/fonts/inter-latin-400-normal.woff2",
                "assets/fonts/playfair-display-latin-700-normal.woff2"
            ]
        );
    }

    #[test]
    fn an_unknown_family_falls_back_to_the_system_stack_and_says_so() {
        let fonts = fonts(&typography("Comic Neue", "Comic Neue"));
        for choice in [&fonts.heading, &fonts.body] {
            assert_eq!(choice.family, "Comic Neue");
            assert!(!choice.served);
            assert!(choice.files.is_empty());
            assert_eq!(choice.stack, SANS_FALLBACK);
        }
        assert!(fonts.files().is_empty());
        assert!(fonts.preloads().is_empty());
        assert_eq!(fonts.font_faces(), "");
    }

    #[test]
    fn one_family_for_both_roles_is_shipped_once() {
        let fonts = fonts(&typography("Lora", "lora"));
        let files: Vec<String> = fonts.files().into_iter().map(|(p, _)| p).collect();
        assert_eq!(
            files,
            [
                "assets/fonts/lora-latin-400-normal.woff2",
                "assets/fonts/lora-latin-700-normal.woff2"
            ]
        );
        assert_eq!(fonts.font_faces().matches("@font-face").count(), 2);
    }

    #[test]
    fn font_faces_are_optional_and_name_only_their_own_files() {
        let fonts = fonts(&typography("Pacifico", "Open Sans"));
        let css = fonts.font_faces();
        assert_eq!(css.matches("@font-face").count(), 3);
        assert_eq!(css.matches("font-display: optional;").count(), 3);
        // One drawn weight serves bold headings too.
        assert!(css.contains("font-family: \"Pacifico\";\n  font-weight: 400 700;"));
        assert!(
            css.contains("src: url(\"fonts/open-sans-latin-700-normal.woff2\") format(\"woff2\");")
        );
        let urls: Vec<&str> = css
            .split("url(\"")
            .skip(1)
            .map(|rest| rest.split('"').next().unwrap())
            .collect();
        let shipped: Vec<String> = fonts.files().into_iter().map(|(p, _)| p).collect();
        assert_eq!(urls.len(), shipped.len());
        for url in urls {
            assert!(shipped.contains(&format!("assets/{url}")), "{url}");
        }
    }

    #[test]
    fn a_name_that_could_break_out_of_css_gets_the_default() {
        let fonts = fonts(&typography(
            "x\"; } body { background: url(//evil) }",
            "Lora",
        ));
        assert_eq!(fonts.heading.family, "Inter");
        assert!(fonts.heading.served);
    }
}
