//! The site's colours: WCAG 2.1 contrast arithmetic, and the palette derived from the brand
//! colours so that every text colour the stylesheet uses reads at AA (4.5:1) on its background.

use serde::Serialize;

use super::BrandColors;

/// WCAG 2.1 AA for normal text. Every pair the stylesheet uses meets it, large text included.
pub const AA: f64 = 4.5;

/// The colours the stylesheet uses, each `#rrggbb` in lowercase.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Palette {
    /// The brand colours as given (normalised); `primary` backs the header and footer.
    pub primary: String,
    pub secondary: String,
    /// Backs buttons.
    pub accent: String,
    /// Body text, on `background`.
    pub text: String,
    /// The page background: the secondary brand colour.
    pub background: String,
    /// Links in the page body, on `background`.
    pub link: String,
    /// Header and footer text and links, on `primary`.
    pub on_primary: String,
    /// Button text, on `accent`.
    pub on_accent: String,
    /// Every brand colour that had to change to be readable, and by how much.
    pub adjustments: Vec<Adjustment>,
}

/// One foreground the palette moved because, as given, it failed AA on its background.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Adjustment {
    /// `text`, `link`, `on_primary` or `on_accent`.
    pub role: String,
    pub from: String,
    pub to: String,
    /// The background the foreground is read on.
    pub against: String,
    /// Ratios rounded down to two places, so a failing "before" never reads as 4.5.
    pub contrast_before: f64,
    pub contrast_after: f64,
}

impl Palette {
    /// Every (role, foreground, background) pair the stylesheet puts text in.
    pub fn text_pairs(&self) -> [(&'static str, &str, &str); 4] {
        [
            ("text", &self.text, &self.background),
            ("link", &self.link, &self.background),
            ("on_primary", &self.on_primary, &self.primary),
            ("on_accent", &self.on_accent, &self.accent),
        ]
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Rgb(pub u8, pub u8, pub u8);

impl Rgb {
    pub(crate) fn parse(hex: &str) -> Option<Rgb> {
        let digits = hex.strip_prefix('#')?;
        if digits.len() != 6 || !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let channel = |i: usize| u8::from_str_radix(&digits[i..i + 2], 16).ok();
        Some(Rgb(channel(0)?, channel(2)?, channel(4)?))
    }

    pub(crate) fn hex(self) -> String {
        format!("#{:02x}{:02x}{:02x}", self.0, self.1, self.2)
    }

    /// WCAG 2.1 relative luminance (sRGB, 0.03928 threshold).
    fn luminance(self) -> f64 {
        let linear = |c: u8| {
            let c = f64::from(c) / 255.0;
            if c <= 0.03928 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * linear(self.0) + 0.7152 * linear(self.1) + 0.0722 * linear(self.2)
    }

    fn contrast(self, other: Rgb) -> f64 {
        let (a, b) = (self.luminance(), other.luminance());
        let (hi, lo) = if a >= b { (a, b) } else { (b, a) };
        (hi + 0.05) / (lo + 0.05)
    }

    /// `t` of the way from `self` to `to`: mixing with black or white keeps the hue.
    fn mix(self, to: Rgb, t: f64) -> Rgb {
        let m = |a: u8, b: u8| {
            let v = f64::from(a) + (f64::from(b) - f64::from(a)) * t;
            // Clamped to 0..=255 first, so the cast cannot truncate.
            v.round().clamp(0.0, 255.0) as u8
        };
        Rgb(m(self.0, to.0), m(self.1, to.1), m(self.2, to.2))
    }
}

const BLACK: Rgb = Rgb(0, 0, 0);
const WHITE: Rgb = Rgb(255, 255, 255);

/// The WCAG 2.1 contrast ratio of two `#rrggbb` colours, from 1 to 21. A colour that does not
/// parse gives NaN, which fails every `>=` threshold check rather than passing one.
pub fn contrast_ratio(a: &str, b: &str) -> f64 {
    match (Rgb::parse(a), Rgb::parse(b)) {
        (Some(a), Some(b)) => a.contrast(b),
        _ => f64::NAN,
    }
}

/// The palette for these brand colours. A colour that does not parse falls back to its
/// default, so the result is always usable; `check` is where bad input is reported.
pub fn palette(colors: &BrandColors) -> Palette {
    let brand = |given: &str, default: &str| {
        Rgb::parse(given).unwrap_or_else(|| Rgb::parse(default).expect("defaults are #rrggbb"))
    };
    let defaults = BrandColors::default();
    let primary = brand(&colors.primary, &defaults.primary);
    let secondary = brand(&colors.secondary, &defaults.secondary);
    let accent = brand(&colors.accent, &defaults.accent);

    let mut adjustments = Vec::new();
    let background = secondary;
    let text = readable("text", primary, background, &mut adjustments);
    let link = readable("link", accent, background, &mut adjustments);
    let on_primary = readable(
        "on_primary",
        better_of(secondary, accent, primary),
        primary,
        &mut adjustments,
    );
    let on_accent = readable(
        "on_accent",
        better_of(primary, secondary, accent),
        accent,
        &mut adjustments,
    );

    Palette {
        primary: primary.hex(),
        secondary: secondary.hex(),
        accent: accent.hex(),
        text: text.hex(),
        background: background.hex(),
        link: link.hex(),
        on_primary: on_primary.hex(),
        on_accent: on_accent.hex(),
        adjustments,
    }
}

/// Of two brand colours, the one that reads better on `background`: the header keeps a brand
/// colour where one works, rather than adjusting one that never stood a chance.
fn better_of(a: Rgb, b: Rgb, background: Rgb) -> Rgb {
    if b.contrast(background) > a.contrast(background) {
        b
    } else {
        a
    }
}

/// `fg` if it meets AA on `bg`; otherwise `fg` moved step by step toward black or white,
/// whichever extreme reads better on `bg`, until it does. One of the two always reaches at
/// least 4.58:1 (the worst case is a background of luminance ≈ 0.18), so the walk ends at a
/// passing colour by its last step at the latest.
fn readable(role: &str, fg: Rgb, bg: Rgb, adjustments: &mut Vec<Adjustment>) -> Rgb {
    let before = fg.contrast(bg);
    if before >= AA {
        return fg;
    }
    let target = if BLACK.contrast(bg) >= WHITE.contrast(bg) {
        BLACK
    } else {
        WHITE
    };
    const STEPS: u32 = 50;
    let to = (1..=STEPS)
        .map(|step| fg.mix(target, f64::from(step) / f64::from(STEPS)))
        .find(|c| c.contrast(bg) >= AA)
        .unwrap_or(target);
    adjustments.push(Adjustment {
        role: role.to_string(),
        from: fg.hex(),
        to: to.hex(),
        against: bg.hex(),
        contrast_before: floor2(before),
        contrast_after: floor2(to.contrast(bg)),
    });
    to
}

fn floor2(x: f64) -> f64 {
    (x * 100.0).floor() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn colors(primary: &str, secondary: &str, accent: &str) -> BrandColors {
        BrandColors {
            primary: primary.into(),
            secondary: secondary.into(),
            accent: accent.into(),
        }
    }

    #[test]
    fn black_on_white_is_twenty_one_to_one() {
        assert!((contrast_ratio("#000000", "#ffffff") - 21.0).abs() < 1e-9);
        assert!((contrast_ratio("#FFFFFF", "#000000") - 21.0).abs() < 1e-9);
    }

    #[test]
    fn mid_grey_on_white_just_fails_aa() {
        let ratio = contrast_ratio("#777777", "#ffffff");
        assert!((ratio - 4.48).abs() < 0.01, "{ratio}");
        assert!(ratio < AA);
    }

    #[test]
    fn a_colour_on_itself_is_one_to_one_and_garbage_is_nan() {
        assert!((contrast_ratio("#d4af37", "#d4af37") - 1.0).abs() < 1e-9);
        assert!(contrast_ratio("d4af37", "#ffffff").is_nan());
        assert!(contrast_ratio("#ggggggg", "#ffffff").is_nan());
    }

    #[test]
    fn the_default_gold_link_is_darkened_on_cream_and_the_change_is_reported() {
        let p = palette(&BrandColors::default());
        assert_eq!(p.background, "#f7f1e3");
        assert_eq!(p.text, "#1a1a1a");
        let link = p.adjustments.iter().find(|a| a.role == "link").unwrap();
        assert_eq!(link.from, "#d4af37");
        assert_eq!(link.to, p.link);
        assert_eq!(link.against, "#f7f1e3");
        assert!(link.contrast_before < AA);
        assert!(link.contrast_after >= AA);
        // Darkened, not replaced: the hue survives, so red still leads blue.
        let to = Rgb::parse(&p.link).unwrap();
        assert!(to.0 > to.2 && to.0 < 0xd4);
    }

    #[test]
    fn passing_brand_pairs_are_left_alone() {
        let p = palette(&colors("#000000", "#ffffff", "#0000ee"));
        assert_eq!(p.text, "#000000");
        assert_eq!(p.link, "#0000ee");
        assert_eq!(p.on_primary, "#ffffff");
        assert!(p.adjustments.is_empty(), "{:?}", p.adjustments);
    }

    #[test]
    fn a_light_primary_on_a_light_background_is_darkened_for_body_text() {
        let p = palette(&colors("#eeeeee", "#ffffff", "#ffff00"));
        assert!(contrast_ratio(&p.text, &p.background) >= AA);
        assert!(p.adjustments.iter().any(|a| a.role == "text"));
    }

    #[test]
    fn unparseable_colours_fall_back_to_the_defaults() {
        let p = palette(&colors("red", "#12345", "#zzzzzz"));
        let d = palette(&BrandColors::default());
        assert_eq!(p, d);
    }

    #[test]
    fn every_text_pair_passes_aa_for_thousands_of_random_brand_colours() {
        // A fixed LCG (Knuth's MMIX constants): deterministic, and no extra dependency.
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = move || {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            Rgb(
                (state >> 56) as u8,
                (state >> 48) as u8,
                (state >> 40) as u8,
            )
            .hex()
        };
        let mut greys = (0..=255u8).map(|v| Rgb(v, v, v).hex());
        for i in 0..20_000 {
            let (a, b, c) = if i < 256 {
                let g = greys.next().unwrap();
                (g.clone(), g.clone(), g)
            } else {
                (next(), next(), next())
            };
            let p = palette(&colors(&a, &b, &c));
            for (role, fg, bg) in p.text_pairs() {
                let ratio = contrast_ratio(fg, bg);
                assert!(
                    ratio >= AA,
                    "{role} {fg} on {bg} is {ratio} for {a} {b} {c}"
                );
            }
            for adj in &p.adjustments {
                assert!(
                    adj.contrast_before < AA && adj.contrast_after >= AA,
                    "{adj:?}"
                );
            }
        }
    }
}
