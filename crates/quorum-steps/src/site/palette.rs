//! The site's colours: a whole palette derived from the three brand colours in OKLCH, and
//! every pair the theme puts together (text on its background, a control against the page,
//! the logo against the header) brought to its WCAG 2.1 contrast by moving OKLCH lightness
//! alone. Hue is kept and chroma only given up where sRGB has no such colour, so a yellow
//! bakery reads in dark brown of its own yellow, never in olive.

mod oklch;
#[cfg(test)]
mod tests;

use serde::Serialize;

use super::BrandColors;
use oklch::{BLACK, WHITE};
pub(crate) use oklch::{Oklch, Rgb};

/// WCAG 2.1 AA for normal text (1.4.3).
pub const AA: f64 = 4.5;
/// WCAG 2.1 AAA for normal text (1.4.6). Body text aims for it: it is what visitors read at
/// length, and a body colour at the AA minimum looks washed out beside its headings.
pub const AAA: f64 = 7.0;
/// WCAG 2.1 for controls and their outlines (1.4.11), and for large text.
pub const NON_TEXT: f64 = 3.0;
/// How far the page background stands from black or white at least. Enough for text at AAA
/// on it and on surface-alt, with muted text and borders in between still visibly apart.
const SURFACE: f64 = 12.0;
/// One step of the lightness search: a thousandth of OKLab's lightness range, below what an
/// 8-bit colour can show.
pub(crate) const L_STEP: f64 = 0.001;
/// Under this chroma a colour reads as grey, and its hue says nothing about the brand.
const GREYISH: f64 = 0.03;
/// surface-alt's distance in lightness from the surface: a card or band visibly set apart.
const ALT_STEP: f64 = 0.04;
/// The most chroma body text keeps when the primary cannot be the text colour as it is: a
/// red plumber's body text is a dark red-brown, not red, and a yellow bakery's a dark brown.
const TEXT_CHROMA: f64 = 0.08;
/// The most chroma muted text and borders keep: tinted by the brand, not competing with it.
const MUTED_CHROMA: f64 = 0.05;
const BORDER_CHROMA: f64 = 0.04;
/// The tint a grey surface's alternate takes from a colourful primary.
const ALT_TINT: f64 = 0.015;

/// The colours the theme uses, each `#rrggbb` in lowercase. The header keeps the primary
/// and the accent stays as given; every other role is derived and corrected.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Palette {
    /// The brand colours as given (normalised; an unreadable one replaced by its default).
    pub brand: BrandColors,
    /// The page background: the secondary colour, lightened or darkened if text could not
    /// reach AAA on it.
    pub surface: String,
    /// Cards and bands: a lightness step from the surface, toward the middle.
    pub surface_alt: String,
    /// Body text and headings: the primary if it reads at AAA on both surfaces; else the
    /// primary's hue with little chroma, at the nearest lightness that does.
    pub text: String,
    /// Dates, captions and hints: text's hue, little chroma, at AA.
    pub muted: String,
    /// Links: the primary's hue (the accent's when the primary is a grey) at AA.
    pub link: String,
    /// Buttons: the accent, standing 3:1 from both surfaces.
    pub button: String,
    pub on_button: String,
    /// The header and footer: the primary.
    pub header: String,
    pub on_header: String,
    /// Highlights: the accent as given.
    pub accent: String,
    pub on_accent: String,
    /// Form fields' outlines and rules, 3:1 on both surfaces.
    pub border: String,
    /// The generated logo's tile, 3:1 against the header so the mark shows, and its initials.
    pub logo_tile: String,
    pub logo_ink: String,
    /// Every colour that had to move to meet its contrast, and by how much.
    pub adjustments: Vec<Adjustment>,
}

/// One colour the palette moved in lightness because, as given, it failed its contrast.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Adjustment {
    /// The palette role: `surface`, `text`, `link`, `button`, `on_button`, `on_header`,
    /// `on_accent` or `logo_tile`, `logo_ink`.
    pub role: String,
    pub from: String,
    pub to: String,
    /// The background `from` read worst on.
    pub against: String,
    /// The ratio the role needs.
    pub required: f64,
    /// Ratios against `against`, rounded down to two places, so a failing "before" never
    /// reads as passing.
    pub contrast_before: f64,
    pub contrast_after: f64,
}

/// One pair of colours the theme puts together, and the contrast it must have.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ContrastPair<'a> {
    pub role: &'static str,
    /// The role of the background.
    pub on: &'static str,
    pub foreground: &'a str,
    pub background: &'a str,
    pub minimum: f64,
}

impl Palette {
    /// Every pair the theme uses with its minimum ratio: text on both surfaces, the text of
    /// the header, buttons and accents, the controls against the page, and the logo.
    pub fn text_pairs(&self) -> [ContrastPair<'_>; 15] {
        [
            self.pair("text", &self.text, "surface", &self.surface, AAA),
            self.pair("text", &self.text, "surface_alt", &self.surface_alt, AAA),
            self.pair("muted", &self.muted, "surface", &self.surface, AA),
            self.pair("muted", &self.muted, "surface_alt", &self.surface_alt, AA),
            self.pair("link", &self.link, "surface", &self.surface, AA),
            self.pair("link", &self.link, "surface_alt", &self.surface_alt, AA),
            self.pair("on_header", &self.on_header, "header", &self.header, AA),
            self.pair("on_button", &self.on_button, "button", &self.button, AA),
            self.pair("on_accent", &self.on_accent, "accent", &self.accent, AA),
            self.pair("button", &self.button, "surface", &self.surface, NON_TEXT),
            self.pair(
                "button",
                &self.button,
                "surface_alt",
                &self.surface_alt,
                NON_TEXT,
            ),
            self.pair("border", &self.border, "surface", &self.surface, NON_TEXT),
            self.pair(
                "border",
                &self.border,
                "surface_alt",
                &self.surface_alt,
                NON_TEXT,
            ),
            self.pair("logo_ink", &self.logo_ink, "logo_tile", &self.logo_tile, AA),
            self.pair(
                "logo_tile",
                &self.logo_tile,
                "header",
                &self.header,
                NON_TEXT,
            ),
        ]
    }

    fn pair<'a>(
        &'a self,
        role: &'static str,
        foreground: &'a str,
        on: &'static str,
        background: &'a str,
        minimum: f64,
    ) -> ContrastPair<'a> {
        ContrastPair {
            role,
            on,
            foreground,
            background,
            minimum,
        }
    }

    /// The CSS custom properties, by name without the leading `--`. The last three are the
    /// names the stylesheet used before the palette had roles.
    pub(crate) fn css_variables(&self) -> [(&'static str, &str); 15] {
        [
            ("surface", &self.surface),
            ("surface-alt", &self.surface_alt),
            ("text", &self.text),
            ("muted", &self.muted),
            ("link", &self.link),
            ("button", &self.button),
            ("on-button", &self.on_button),
            ("header", &self.header),
            ("on-header", &self.on_header),
            ("accent", &self.accent),
            ("on-accent", &self.on_accent),
            ("border", &self.border),
            ("primary", &self.header),
            ("on-primary", &self.on_header),
            ("background", &self.surface),
        ]
    }
}

/// The WCAG 2.1 contrast ratio of two `#rrggbb` colours, from 1 to 21. A colour that does not
/// parse gives NaN, which fails every `>=` threshold check rather than passing one.
pub fn contrast_ratio(a: &str, b: &str) -> f64 {
    match (Rgb::parse(a), Rgb::parse(b)) {
        (Some(a), Some(b)) => a.contrast(b),
        _ => f64::NAN,
    }
}

/// What a colour must meet: `minimum` against every one of `against`.
pub(crate) struct Need<'a> {
    pub against: &'a [Rgb],
    pub minimum: f64,
}

impl Need<'_> {
    pub(crate) fn met(&self, colour: Rgb) -> bool {
        self.against
            .iter()
            .all(|bg| colour.contrast(*bg) >= self.minimum)
    }

    /// The background `colour` reads worst on, and that ratio.
    fn worst(&self, colour: Rgb) -> (Rgb, f64) {
        self.against
            .iter()
            .map(|bg| (*bg, colour.contrast(*bg)))
            .fold((BLACK, f64::INFINITY), |a, b| if b.1 < a.1 { b } else { a })
    }
}

/// The first colour, `L_STEP` by `L_STEP` from `from` toward `dir` (−1 darker, +1 lighter)
/// and at most `within` steps away, that `pass`es, with how many steps it took; None if the
/// farthest, black or white or the step `within`, fails. By bisection, so ten or so colours
/// are tried, and whatever the shape of `pass`, the colour one step closer to `from` fails.
pub(crate) fn first_passing(
    from: Oklch,
    dir: f64,
    within: u32,
    pass: impl Fn(Rgb) -> bool,
) -> Option<(u32, Rgb)> {
    let room = if dir < 0.0 { from.l } else { 1.0 - from.l };
    // At most 1001 steps: lightness is 0–1, so the cast neither truncates nor wraps.
    let last = ((room.max(0.0) / L_STEP).ceil() as u32).min(within);
    let paint = from.at_any_lightness();
    let at = |k: u32| paint(from.l + dir * f64::from(k) * L_STEP);
    let end = at(last);
    if !pass(end) {
        return None;
    }
    if pass(at(0)) {
        return Some((0, at(0)));
    }
    // `lo` fails and `hi` passes, always.
    let (mut lo, mut hi, mut found) = (0, last, end);
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        let colour = at(mid);
        if pass(colour) {
            (hi, found) = (mid, colour);
        } else {
            lo = mid;
        }
    }
    Some((hi, found))
}

/// `from` if it meets `need`; else the nearest colour that does and differs from it in OKLCH
/// lightness alone (and chroma where sRGB requires), darker or lighter, whichever is closer
/// (darker on a tie).
pub(crate) fn nearest(from: Rgb, need: &Need) -> Rgb {
    if need.met(from) {
        return from;
    }
    let lch = from.oklch();
    let darker = first_passing(lch, -1.0, u32::MAX, |c| need.met(c));
    // Lighter wins only by fewer steps, so it is searched no farther.
    let within = darker.map_or(u32::MAX, |(steps, _)| steps.saturating_sub(1));
    let lighter = first_passing(lch, 1.0, within, |c| need.met(c));
    match (lighter, darker) {
        (Some((_, c)), _) | (None, Some((_, c))) => c,
        // Unreachable for the needs this palette makes (black or white meets each), kept
        // total: the extreme that comes closest.
        (None, None) => {
            if need.worst(BLACK).1 >= need.worst(WHITE).1 {
                BLACK
            } else {
                WHITE
            }
        }
    }
}

/// Brings `from` to `need` and records the change, if there was one.
fn settle(role: &str, from: Rgb, need: &Need, log: &mut Vec<Adjustment>) -> Rgb {
    let to = nearest(from, need);
    if to != from {
        record(role, from, to, need, log);
    }
    to
}

fn record(role: &str, from: Rgb, to: Rgb, need: &Need, log: &mut Vec<Adjustment>) {
    let (against, before) = need.worst(from);
    log.push(Adjustment {
        role: role.to_owned(),
        from: from.hex(),
        to: to.hex(),
        against: against.hex(),
        required: need.minimum,
        contrast_before: floor2(before),
        contrast_after: floor2(to.contrast(against)),
    });
}

/// The foreground for a background: of the candidates, the one that needs the least change
/// in lightness to meet `need` (the first on a tie), brought to it.
fn foreground_for(role: &str, candidates: &[Rgb], need: &Need, log: &mut Vec<Adjustment>) -> Rgb {
    let mut best: Option<(f64, Rgb, Rgb)> = None;
    for &candidate in candidates {
        if need.met(candidate) {
            return candidate; // unchanged, and every earlier candidate needed a change
        }
        let to = nearest(candidate, need);
        let change = (to.oklch().l - candidate.oklch().l).abs();
        if best.is_none_or(|(least, _, _)| change < least) {
            best = Some((change, candidate, to));
        }
    }
    let (_, from, to) = best.expect("there is always a candidate");
    if to != from {
        record(role, from, to, need, log);
    }
    to
}

/// The page background: `secondary` if black or white stands [`SURFACE`]:1 from it, else
/// the nearest lightness where one does.
fn surface(secondary: Rgb, log: &mut Vec<Adjustment>) -> Rgb {
    let light = Need {
        against: &[BLACK],
        minimum: SURFACE,
    };
    let dark = Need {
        against: &[WHITE],
        minimum: SURFACE,
    };
    if light.met(secondary) || dark.met(secondary) {
        return secondary;
    }
    let lch = secondary.oklch();
    let lighter = first_passing(lch, 1.0, u32::MAX, |c| light.met(c));
    let darker = first_passing(lch, -1.0, u32::MAX, |c| dark.met(c));
    let (to, need) = match (lighter, darker) {
        (Some(l), Some(d)) if d.0 < l.0 => (d.1, &dark),
        (Some(l), _) => (l.1, &light),
        (None, Some(d)) => (d.1, &dark),
        (None, None) => (WHITE, &light),
    };
    record("surface", secondary, to, need, log);
    to
}

/// A lightness step from the surface toward the middle. A grey surface takes a faint tint of
/// a colourful primary, so its cards carry the brand.
fn surface_alt(surface: Rgb, primary: Rgb) -> Rgb {
    let s = surface.oklch();
    let p = primary.oklch();
    let l = if s.l >= 0.5 {
        s.l - ALT_STEP
    } else {
        s.l + ALT_STEP
    };
    let (c, h) = if s.c < GREYISH && p.c >= GREYISH {
        (s.c.max(ALT_TINT), p.h)
    } else {
        (s.c, s.h)
    };
    Oklch { l, c, h }.to_rgb()
}

/// The primary if it meets `need` as it is: a dark brand colour is the brand's text colour.
/// Else its hue, quieted to [`TEXT_CHROMA`], at the nearest lightness that meets it.
fn body_text(primary: Rgb, need: &Need, log: &mut Vec<Adjustment>) -> Rgb {
    if need.met(primary) {
        return primary;
    }
    let p = primary.oklch();
    let quiet = Oklch {
        c: p.c.min(TEXT_CHROMA),
        ..p
    };
    let to = nearest(quiet.to_rgb(), need);
    record("text", primary, to, need, log);
    to
}

/// Text's hue with at most `chroma`, at the lightness nearest the surfaces where it meets
/// `need`: as quiet as it may be, on the side of the surface where text is.
fn quiet(text: Rgb, surface: Rgb, chroma: f64, need: &Need) -> Rgb {
    let t = text.oklch();
    let s = surface.oklch();
    let start = Oklch {
        l: s.l,
        c: t.c.min(chroma),
        h: t.h,
    };
    let dir = if t.l < s.l { -1.0 } else { 1.0 };
    first_passing(start, dir, u32::MAX, |c| need.met(c)).map_or(text, |(_, c)| c)
}

/// The palette for these brand colours. A colour that does not parse falls back to its
/// default, so the result is always usable; `check` is where bad input is reported.
pub fn palette(colors: &BrandColors) -> Palette {
    let defaults = BrandColors::default();
    let brand = |given: &str, default: &str| {
        Rgb::parse(given).unwrap_or_else(|| Rgb::parse(default).expect("defaults are #rrggbb"))
    };
    let primary = brand(&colors.primary, &defaults.primary);
    let secondary = brand(&colors.secondary, &defaults.secondary);
    let accent = brand(&colors.accent, &defaults.accent);

    let mut log = Vec::new();
    let surface = surface(secondary, &mut log);
    let surface_alt = surface_alt(surface, primary);
    let surfaces = [surface, surface_alt];
    let on_surfaces = |minimum| Need {
        against: &surfaces,
        minimum,
    };

    let text = body_text(primary, &on_surfaces(AAA), &mut log);
    let muted = quiet(text, surface, MUTED_CHROMA, &on_surfaces(AA));
    let border = quiet(text, surface, BORDER_CHROMA, &on_surfaces(NON_TEXT));
    let link_source = if primary.oklch().c < GREYISH && accent.oklch().c >= GREYISH {
        accent
    } else {
        primary
    };
    let link = settle("link", link_source, &on_surfaces(AA), &mut log);
    let button = settle("button", accent, &on_surfaces(NON_TEXT), &mut log);

    let on_button = foreground_for(
        "on_button",
        &[surface, text],
        &readable_on(&[button]),
        &mut log,
    );
    let header = primary;
    let on_header = foreground_for(
        "on_header",
        &[surface, text],
        &readable_on(&[header]),
        &mut log,
    );
    let on_accent = foreground_for(
        "on_accent",
        &[surface, text],
        &readable_on(&[accent]),
        &mut log,
    );

    let logo_tile = settle(
        "logo_tile",
        button,
        &Need {
            against: &[header],
            minimum: NON_TEXT,
        },
        &mut log,
    );
    let logo_ink = foreground_for(
        "logo_ink",
        &[on_button, surface, text],
        &readable_on(&[logo_tile]),
        &mut log,
    );

    Palette {
        brand: BrandColors {
            primary: primary.hex(),
            secondary: secondary.hex(),
            accent: accent.hex(),
        },
        surface: surface.hex(),
        surface_alt: surface_alt.hex(),
        text: text.hex(),
        muted: muted.hex(),
        link: link.hex(),
        button: button.hex(),
        on_button: on_button.hex(),
        header: header.hex(),
        on_header: on_header.hex(),
        accent: accent.hex(),
        on_accent: on_accent.hex(),
        border: border.hex(),
        logo_tile: logo_tile.hex(),
        logo_ink: logo_ink.hex(),
        adjustments: log,
    }
}

fn readable_on(background: &[Rgb; 1]) -> Need<'_> {
    Need {
        against: background,
        minimum: AA,
    }
}

fn floor2(x: f64) -> f64 {
    (x * 100.0).floor() / 100.0
}
