use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

use super::oklch::hue_distance;
use super::*;

fn colors(primary: &str, secondary: &str, accent: &str) -> BrandColors {
    BrandColors {
        primary: primary.into(),
        secondary: secondary.into(),
        accent: accent.into(),
    }
}

fn rgb(hex: &str) -> Rgb {
    Rgb::parse(hex).unwrap()
}

fn random_rgb(rng: &mut StdRng) -> Rgb {
    Rgb(rng.random(), rng.random(), rng.random())
}

/// Where `from` would be `steps` lightness steps toward `dir`, as the search computes it.
fn stepped(from: Rgb, dir: f64, steps: u32) -> Rgb {
    let lch = from.oklch();
    lch.with_l(lch.l + dir * f64::from(steps) * L_STEP).to_rgb()
}

/// The nearest passing colour by walking step by step, both ways at once: what `nearest`
/// finds by bisection.
fn walked(from: Rgb, need: &Need) -> Option<(f64, u32, Rgb)> {
    (0..=1001).find_map(|k| {
        [-1.0, 1.0]
            .into_iter()
            .map(|dir| (dir, k, stepped(from, dir, k)))
            .find(|(_, _, c)| need.met(*c))
    })
}

#[test]
fn a_corrected_colour_keeps_its_hue_and_is_the_nearest_that_passes() {
    let mut rng = StdRng::seed_from_u64(14);
    let mut corrected = 0;
    while corrected < 400 {
        let (from, bg) = (random_rgb(&mut rng), random_rgb(&mut rng));
        let minimum = [AA, NON_TEXT, AAA][corrected % 3];
        let need = Need {
            against: &[bg],
            minimum,
        };
        if need.met(from) {
            assert_eq!(nearest(from, &need), from, "a passing colour stays");
            continue;
        }
        if !need.met(oklch::BLACK) && !need.met(oklch::WHITE) {
            continue; // AAA on a mid grey: nothing passes, and the palette never asks it
        }
        corrected += 1;
        let to = nearest(from, &need);
        assert!(
            need.met(to),
            "{} → {} on {}",
            from.hex(),
            to.hex(),
            bg.hex()
        );

        let (dir, steps, walked_to) = walked(from, &need).expect("black or white passes");
        assert_eq!(to, walked_to, "{} on {} at {minimum}", from.hex(), bg.hex());
        // One step closer, on either side, fails.
        for side in [-1.0, 1.0] {
            assert!(!need.met(stepped(from, side, steps - 1)), "{}", from.hex());
        }
        assert_eq!(stepped(from, dir, steps), to);

        // Hue within 2° wherever chroma is not near zero. Below 0.08 the 8-bit rounding of a
        // dark colour alone moves hue by more (up to 2.4° at 0.06, measured over 200,000
        // random corrections), so the bound would test sRGB, not the search.
        let (a, b) = (from.oklch(), to.oklch());
        if a.c >= 0.08 && b.c >= 0.08 {
            assert!(
                hue_distance(a.h, b.h) <= 2.0,
                "{} ({a:?}) → {} ({b:?})",
                from.hex(),
                to.hex()
            );
        }
        // Chroma is given up only where sRGB has none left at that lightness.
        assert!(b.c <= a.c + 0.002, "{} → {}", from.hex(), to.hex());
    }
}

#[test]
fn twenty_thousand_random_palettes_pass_every_pair() {
    let mut rng = StdRng::seed_from_u64(2024);
    let greys = (0..=255u8).map(|v| Rgb(v, v, v));
    let mut cases: Vec<[Rgb; 3]> = greys.map(|g| [g, g, g]).collect();
    while cases.len() < 20_000 {
        cases.push([
            random_rgb(&mut rng),
            random_rgb(&mut rng),
            random_rgb(&mut rng),
        ]);
    }
    for [a, b, c] in cases {
        let p = palette(&colors(&a.hex(), &b.hex(), &c.hex()));
        for pair in p.text_pairs() {
            let ratio = contrast_ratio(pair.foreground, pair.background);
            assert!(
                ratio >= pair.minimum,
                "{pair:?} is {ratio} for {} {} {}",
                a.hex(),
                b.hex(),
                c.hex()
            );
        }
        for adj in &p.adjustments {
            assert!(
                adj.contrast_before < adj.required && adj.contrast_after >= adj.required,
                "{adj:?}"
            );
        }
        assert_eq!(p.header, a.hex(), "the header keeps the primary");
        assert_eq!(p.accent, c.hex(), "the accent stays as given");
    }
}

#[test]
fn a_yellow_bakery_reads_in_dark_brown_of_its_own_yellow() {
    let yellow = rgb("#f4c430");
    let p = palette(&colors("#f4c430", "#fffaf0", "#8b4513"));
    let text = rgb(&p.text);
    // Brown: the yellow's hue (olive would be some 20° greener), dark, and AAA on the page.
    assert!(
        hue_distance(text.oklch().h, yellow.oklch().h) <= 2.0,
        "{}",
        p.text
    );
    assert!(text.oklch().l < 0.45, "{}", p.text);
    assert!(contrast_ratio(&p.text, &p.surface) >= AAA);
    let link = rgb(&p.link);
    assert!(
        hue_distance(link.oklch().h, yellow.oklch().h) <= 2.0,
        "{}",
        p.link
    );
    assert!(contrast_ratio(&p.link, &p.surface_alt) >= AA);
    // The header stays yellow and takes dark text; the adjustment says so.
    assert_eq!(p.header, "#f4c430");
    assert!(contrast_ratio(&p.on_header, &p.header) >= AA);
    let text_change = p.adjustments.iter().find(|a| a.role == "text").unwrap();
    assert_eq!(
        (text_change.from.as_str(), text_change.to.as_str()),
        ("#f4c430", p.text.as_str())
    );
}

#[test]
fn a_red_plumber_keeps_red_links() {
    let red = rgb("#c62828");
    let p = palette(&colors("#c62828", "#ffffff", "#1565c0"));
    for role in [&p.link, &p.text] {
        let c = rgb(role);
        assert!(hue_distance(c.oklch().h, red.oklch().h) <= 2.0, "{role}");
        assert!(contrast_ratio(role, &p.surface_alt) >= AA);
    }
    // Red on white already passes AA, so the link is the brand's own red.
    assert_eq!(p.link, "#c62828");
    assert_eq!(p.surface, "#ffffff");
    assert_eq!(p.button, "#1565c0");
    assert_eq!(p.on_header, "#ffffff");
}

#[test]
fn the_seed_colours_keep_their_page_and_text_and_darken_the_gold() {
    let gold = rgb("#d4af37");
    let p = palette(&BrandColors::default());
    assert_eq!(p.surface, "#f7f1e3");
    assert_eq!(p.text, "#1a1a1a");
    assert_eq!(p.header, "#1a1a1a");
    assert_eq!(p.on_header, "#f7f1e3");
    // The primary is a grey, so links take the accent's hue, darkened to AA.
    for (role, colour) in [("link", &p.link), ("button", &p.button)] {
        let c = rgb(colour);
        assert!(
            hue_distance(c.oklch().h, gold.oklch().h) <= 2.0,
            "{role} {colour}"
        );
        assert!(c.oklch().l < gold.oklch().l, "{role} {colour}");
        let change = p.adjustments.iter().find(|a| a.role == role).unwrap();
        assert_eq!(change.from, "#d4af37");
        assert_eq!(&change.to, colour);
        assert!(change.contrast_before < change.required);
        assert!(change.contrast_after >= change.required);
    }
    assert_eq!(
        p.adjustments
            .iter()
            .find(|a| a.role == "link")
            .unwrap()
            .against,
        p.surface_alt,
        "the link read worst on the darker surface"
    );
}

#[test]
fn passing_brand_colours_are_left_alone() {
    let p = palette(&colors("#000000", "#ffffff", "#0000ee"));
    assert_eq!(p.surface, "#ffffff");
    assert_eq!(p.text, "#000000");
    assert_eq!(p.link, "#0000ee");
    assert_eq!(p.button, "#0000ee");
    assert_eq!(p.on_button, "#ffffff");
    assert_eq!(p.on_header, "#ffffff");
    // Blue hardly stands from black: only the logo's tile had to move.
    let roles: Vec<&str> = p.adjustments.iter().map(|a| a.role.as_str()).collect();
    assert_eq!(roles, ["logo_tile"]);
    assert!(contrast_ratio(&p.logo_tile, &p.header) >= NON_TEXT);
}

#[test]
fn a_mid_grey_page_moves_to_the_nearer_end_and_says_so() {
    let p = palette(&colors("#1a1a1a", "#8a8a8a", "#d4af37"));
    let surface = rgb(&p.surface);
    assert!(surface.contrast(oklch::BLACK) >= SURFACE, "{}", p.surface);
    let change = p.adjustments.iter().find(|a| a.role == "surface").unwrap();
    assert_eq!(
        (change.from.as_str(), change.against.as_str()),
        ("#8a8a8a", "#000000")
    );
    // A dark page stays dark, and its text turns light in the primary's hue.
    let dark = palette(&colors("#1e3a8a", "#111111", "#f59e0b"));
    assert_eq!(dark.surface, "#111111");
    let text = rgb(&dark.text).oklch();
    assert!(text.l > 0.7, "{}", dark.text);
    assert!(hue_distance(text.h, rgb("#1e3a8a").oklch().h) <= 2.0);
}

#[test]
fn muted_text_and_borders_sit_between_text_and_page() {
    let p = palette(&BrandColors::default());
    let l = |hex: &str| rgb(hex).oklch().l;
    assert!(l(&p.text) < l(&p.muted) && l(&p.muted) < l(&p.border));
    assert!(l(&p.border) < l(&p.surface_alt) && l(&p.surface_alt) < l(&p.surface));
    assert!(
        contrast_ratio(&p.muted, &p.surface_alt) < 5.0,
        "muted, not a second text colour"
    );
}

#[test]
fn unparseable_colours_fall_back_to_the_defaults() {
    let p = palette(&colors("red", "#12345", "#zzzzzz"));
    assert_eq!(p, palette(&BrandColors::default()));
}

#[test]
fn contrast_of_hex_colours_is_nan_for_garbage() {
    assert!((contrast_ratio("#000000", "#FFFFFF") - 21.0).abs() < 1e-9);
    assert!(contrast_ratio("d4af37", "#ffffff").is_nan());
    assert!(contrast_ratio("#ggggggg", "#ffffff").is_nan());
}

#[test]
fn the_css_variables_name_every_role_and_the_old_names() {
    let p = palette(&BrandColors::default());
    let vars = p.css_variables();
    for name in [
        "surface",
        "surface-alt",
        "text",
        "muted",
        "link",
        "button",
        "on-button",
        "header",
        "on-header",
        "accent",
        "on-accent",
        "border",
        "primary",
        "on-primary",
        "background",
    ] {
        assert!(vars.iter().any(|(n, _)| *n == name), "{name}");
    }
    assert!(vars.iter().all(|(_, v)| Rgb::parse(v).is_some()));
}
