//! Colour arithmetic: `#rrggbb` parsing, WCAG 2.1 contrast, and OKLCH (Björn Ottosson's
//! OKLab in polar form, as CSS Color 4 defines it) with sRGB gamut mapping by chroma.
//!
//! Written here rather than taken from a colour crate: the palette needs two matrix products,
//! a cube root and a gamut test, in f64 and allocation-free, run a few hundred times per
//! site; the tests pin it to published reference values.

use std::sync::OnceLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Rgb(pub u8, pub u8, pub u8);

/// Lightness 0–1, chroma from 0 (about 0.37 at most in sRGB), hue in degrees 0–360.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Oklch {
    pub l: f64,
    pub c: f64,
    pub h: f64,
}

pub(crate) const BLACK: Rgb = Rgb(0, 0, 0);
pub(crate) const WHITE: Rgb = Rgb(255, 255, 255);

/// The linear-light value of each 8-bit sRGB channel value. WCAG 2.1 names 0.03928 as the
/// threshold, sRGB 0.04045; no 8-bit value lies between them, so one table serves both.
fn linear_table() -> &'static [f64; 256] {
    static TABLE: OnceLock<[f64; 256]> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut table = [0.0; 256];
        for (v, slot) in table.iter_mut().enumerate() {
            *slot = decode(v as f64 / 255.0);
        }
        table
    })
}

fn decode(c: f64) -> f64 {
    if c <= 0.04045 {
        c / 12.92
    } else {
        ((c + 0.055) / 1.055).powf(2.4)
    }
}

/// The linear-light values halfway (in encoded terms) between neighbouring 8-bit values:
/// a linear value rounds to the number of thresholds below it, which is what rounding its
/// sRGB encoding would give, at the cost of eight comparisons instead of a `powf`.
fn rounding_table() -> &'static [f64; 255] {
    static TABLE: OnceLock<[f64; 255]> = OnceLock::new();
    TABLE.get_or_init(|| std::array::from_fn(|v| decode((v as f64 + 0.5) / 255.0)))
}

fn encode(linear: f64) -> u8 {
    // At most 255 thresholds lie below any value, so the count fits a u8.
    rounding_table().partition_point(|&t| t <= linear) as u8
}

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

    fn linear(self) -> [f64; 3] {
        let t = linear_table();
        [t[self.0 as usize], t[self.1 as usize], t[self.2 as usize]]
    }

    /// WCAG 2.1 relative luminance.
    pub(crate) fn luminance(self) -> f64 {
        let [r, g, b] = self.linear();
        0.2126 * r + 0.7152 * g + 0.0722 * b
    }

    /// The WCAG 2.1 contrast ratio, 1 to 21.
    pub(crate) fn contrast(self, other: Rgb) -> f64 {
        let (a, b) = (self.luminance(), other.luminance());
        let (hi, lo) = if a >= b { (a, b) } else { (b, a) };
        (hi + 0.05) / (lo + 0.05)
    }

    pub(crate) fn oklch(self) -> Oklch {
        let [r, g, b] = self.linear();
        let l = 0.412_221_470_8 * r + 0.536_332_536_3 * g + 0.051_445_992_9 * b;
        let m = 0.211_903_498_2 * r + 0.680_699_545_1 * g + 0.107_396_956_6 * b;
        let s = 0.088_302_461_9 * r + 0.281_718_837_6 * g + 0.629_978_700_5 * b;
        let (l, m, s) = (l.cbrt(), m.cbrt(), s.cbrt());
        let lightness = 0.210_454_255_3 * l + 0.793_617_785 * m - 0.004_072_046_8 * s;
        let a = 1.977_998_495_1 * l - 2.428_592_205 * m + 0.450_593_709_9 * s;
        let b = 0.025_904_037_1 * l + 0.782_771_766_2 * m - 0.808_675_766 * s;
        Oklch {
            l: lightness,
            c: a.hypot(b),
            h: b.atan2(a).to_degrees().rem_euclid(360.0),
        }
    }
}

/// Linear-light sRGB of an OKLab colour given as lightness, chroma and the hue's cosine and
/// sine; channels outside 0–1 mean it is out of gamut.
fn linear_srgb(l: f64, c: f64, (cos, sin): (f64, f64)) -> [f64; 3] {
    let (a, b) = (c * cos, c * sin);
    let l_ = l + 0.396_337_777_4 * a + 0.215_803_757_3 * b;
    let m_ = l - 0.105_561_345_8 * a - 0.063_854_172_8 * b;
    let s_ = l - 0.089_484_177_5 * a - 1.291_485_548 * b;
    let (l, m, s) = (l_ * l_ * l_, m_ * m_ * m_, s_ * s_ * s_);
    [
        4.076_741_662_1 * l - 3.307_711_591_3 * m + 0.230_969_929_2 * s,
        -1.268_438_004_6 * l + 2.609_757_401_1 * m - 0.341_319_396_5 * s,
        -0.004_196_086_3 * l - 0.703_418_614_7 * m + 1.707_614_701 * s,
    ]
}

/// How far past 0–1 a linear channel may fall and still count as in gamut: the float noise
/// of the round trip through OKLab (an sRGB colour at the gamut's edge comes back a little
/// outside it), and a fifteenth of the smallest 8-bit step, so rounding never shows it.
const GAMUT_SLACK: f64 = 2e-5;

fn in_gamut(rgb: [f64; 3]) -> bool {
    rgb.iter()
        .all(|c| (-GAMUT_SLACK..=1.0 + GAMUT_SLACK).contains(c))
}

impl Oklch {
    /// The sRGB colour with this lightness and hue, and this chroma or, where sRGB has no
    /// such colour, the most chroma it has there (CSS Color 4's gamut mapping keeps L and h
    /// too). Lightness is clamped to 0–1, where grey always fits.
    pub(crate) fn to_rgb(self) -> Rgb {
        self.at_any_lightness()(self.l)
    }

    /// [`Oklch::to_rgb`] of this hue and chroma at any lightness: the lightness search asks
    /// for a dozen, and the hue's sine and cosine are worked out once for all of them.
    pub(crate) fn at_any_lightness(self) -> impl Fn(f64) -> Rgb {
        let (sin, cos) = self.h.to_radians().sin_cos();
        let hue = (cos, sin);
        let c = self.c;
        move |l: f64| {
            let l = l.clamp(0.0, 1.0);
            let mut rgb = linear_srgb(l, c, hue);
            if !in_gamut(rgb) {
                // Bisection on chroma: `lo` always fits, `hi` never does. Twelve halvings
                // leave it within 0.0001 of the edge, below what 8 bits per channel show.
                let (mut lo, mut hi) = (0.0, c);
                for _ in 0..12 {
                    let mid = (lo + hi) / 2.0;
                    if in_gamut(linear_srgb(l, mid, hue)) {
                        lo = mid;
                    } else {
                        hi = mid;
                    }
                }
                rgb = linear_srgb(l, lo, hue);
            }
            Rgb(encode(rgb[0]), encode(rgb[1]), encode(rgb[2]))
        }
    }

    #[cfg(test)]
    pub(crate) fn with_l(self, l: f64) -> Oklch {
        Oklch { l, ..self }
    }
}

/// The shorter way round the hue circle between two hues, in degrees.
#[cfg(test)]
pub(crate) fn hue_distance(a: f64, b: f64) -> f64 {
    let d = (a - b).rem_euclid(360.0);
    d.min(360.0 - d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tolerance: f64) -> bool {
        (a - b).abs() <= tolerance
    }

    #[test]
    fn srgb_primaries_match_the_published_oklch_values() {
        // CSS Color 4 and Ottosson's reference implementation agree on these to 4 places.
        for (hex, l, c, h) in [
            ("#ff0000", 0.627_96, 0.257_68, 29.234),
            ("#00ff00", 0.866_44, 0.294_83, 142.495),
            ("#0000ff", 0.452_01, 0.313_21, 264.052),
            ("#ffff00", 0.967_98, 0.211_01, 109.769),
            ("#008000", 0.519_75, 0.176_85, 142.495),
        ] {
            let got = Rgb::parse(hex).unwrap().oklch();
            assert!(close(got.l, l, 5e-4), "{hex} L {}", got.l);
            assert!(close(got.c, c, 5e-4), "{hex} C {}", got.c);
            assert!(hue_distance(got.h, h) < 0.05, "{hex} h {}", got.h);
        }
        let white = WHITE.oklch();
        assert!(close(white.l, 1.0, 1e-6) && white.c < 1e-6);
        let black = BLACK.oklch();
        assert!(black.l.abs() < 1e-9 && black.c < 1e-9);
    }

    #[test]
    fn every_grey_and_a_spread_of_colours_round_trip_exactly() {
        for v in 0..=255u8 {
            let grey = Rgb(v, v, v);
            assert_eq!(grey.oklch().to_rgb(), grey);
        }
        for r in (0..=255u8).step_by(15) {
            for g in (0..=255u8).step_by(17) {
                for b in (0..=255u8).step_by(51) {
                    let rgb = Rgb(r, g, b);
                    assert_eq!(rgb.oklch().to_rgb(), rgb);
                }
            }
        }
    }

    #[test]
    fn out_of_gamut_chroma_is_reduced_at_the_same_lightness_and_hue() {
        // Blue's hue at a light lightness has little chroma in sRGB: asking for all of blue's
        // gives the most there is, and neither L nor h moves.
        let blue = Rgb(0, 0, 255).oklch();
        let light = blue.with_l(0.9).to_rgb().oklch();
        assert!(close(light.l, 0.9, 3e-3), "{light:?}");
        assert!(hue_distance(light.h, blue.h) < 2.0, "{light:?}");
        assert!(light.c < blue.c / 2.0 && light.c > 0.03, "{light:?}");
        // Lightness beyond the range is clamped to black and white.
        assert_eq!(blue.with_l(-0.2).to_rgb(), BLACK);
        assert_eq!(blue.with_l(1.3).to_rgb(), WHITE);
    }

    #[test]
    fn contrast_is_wcag_2_1() {
        assert!(close(BLACK.contrast(WHITE), 21.0, 1e-9));
        let grey = Rgb::parse("#777777").unwrap();
        assert!(close(grey.contrast(WHITE), 4.48, 0.01));
        assert!(close(grey.contrast(grey), 1.0, 1e-12));
    }

    #[test]
    fn hue_distance_goes_the_short_way_round() {
        assert!(close(hue_distance(359.0, 1.0), 2.0, 1e-9));
        assert!(close(hue_distance(10.0, 190.0), 180.0, 1e-9));
    }
}
