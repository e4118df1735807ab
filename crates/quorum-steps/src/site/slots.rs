//! The box each design draws a picture in, and the `sizes` attribute that tells a browser how
//! wide a file fills it before any stylesheet has loaded. The widths follow main.css and the
//! themes' stylesheets (a 68rem column, 1rem of padding on a phone and 1.5rem from 48em, the
//! grids' gaps); the browser test measures every picture against its `sizes`, so a stylesheet
//! change that outgrows these fails there.

use super::Theme;
use super::images::Placement;

/// One breakpoint of a box: from a viewport this wide (none: the narrowest screens), the box
/// is `vw` viewport widths plus `rem` root ems wide and `crop` as high as it is wide.
struct Slot {
    from: Option<&'static str>,
    vw: f64,
    rem: f64,
    crop: f64,
}

const fn slot(from: &'static str, vw: f64, rem: f64, crop: f64) -> Slot {
    Slot {
        from: Some(from),
        vw,
        rem,
        crop,
    }
}

const fn phone(vw: f64, rem: f64, crop: f64) -> Slot {
    Slot {
        from: None,
        vw,
        rem,
        crop,
    }
}

/// 4:3, the shape of the heroes and gallery pictures the stylesheet crops to.
const LANDSCAPE: f64 = 0.75;

/// Beside the text on a wide screen: half the column less the gap.
const HERO: [Slot; 3] = [
    slot("71rem", 0.0, 32.5, LANDSCAPE),
    slot("48em", 50.0, -3.0, LANDSCAPE),
    phone(100.0, -2.0, LANDSCAPE),
];
/// Bold bleeds its picture to the screen's edge: on a phone across it, on a wide screen to the
/// right from the gap, at least square and as tall as the text beside it (a fifth more, say).
const HERO_BOLD: [Slot; 3] = [
    slot("71rem", 25.0, 15.5, 1.2),
    slot("48em", 50.0, -2.25, 1.2),
    phone(100.0, 0.0, LANDSCAPE),
];
const GALLERY_1: [Slot; 3] = [
    slot("51rem", 0.0, 48.0, LANDSCAPE),
    slot("48em", 100.0, -3.0, LANDSCAPE),
    phone(100.0, -2.0, LANDSCAPE),
];
const GALLERY_2: [Slot; 3] = [
    slot("71rem", 0.0, 33.625, LANDSCAPE),
    slot("48em", 50.0, -1.875, LANDSCAPE),
    phone(100.0, -2.0, LANDSCAPE),
];
const GALLERY_3: [Slot; 3] = [
    slot("71rem", 0.0, 22.17, LANDSCAPE),
    slot("48em", 33.34, -1.5, LANDSCAPE),
    phone(100.0, -2.0, LANDSCAPE),
];
/// Warm's portraits are discs beside the name.
const PORTRAIT_WARM: [Slot; 1] = [phone(0.0, 7.0, 1.0)];
/// Studio's fill a team column at 4:5: 22rem at most, two to a phone's row or one.
const PORTRAIT_STUDIO: [Slot; 3] = [
    slot("71rem", 0.0, 22.0, 1.25),
    slot("48em", 33.0, 0.0, 1.25),
    phone(50.0, -1.625, 1.25),
];
const PORTRAIT_STUDIO_ALONE: [Slot; 2] = [slot("25rem", 0.0, 22.0, 1.25), phone(100.0, -2.0, 1.25)];
/// Bold's fill a team card inside its padding and accent edge, square.
const PORTRAIT_BOLD: [Slot; 3] = [
    slot("71rem", 0.0, 19.0, 1.0),
    slot("48em", 33.0, -3.0, 1.0),
    phone(50.0, -4.625, 1.0),
];
const PORTRAIT_BOLD_ALONE: [Slot; 2] = [slot("25rem", 0.0, 19.0, 1.0), phone(100.0, -5.0, 1.0)];

fn slots(placement: Placement, theme: Theme) -> &'static [Slot] {
    match (placement, theme) {
        (Placement::Hero, Theme::Bold) => &HERO_BOLD,
        (Placement::Hero, _) => &HERO,
        (Placement::Gallery { columns: 1 }, _) => &GALLERY_1,
        (Placement::Gallery { columns: 2 }, _) => &GALLERY_2,
        (Placement::Gallery { .. }, _) => &GALLERY_3,
        (Placement::Portrait { .. }, Theme::Warm) => &PORTRAIT_WARM,
        (Placement::Portrait { two_up: true }, Theme::Studio) => &PORTRAIT_STUDIO,
        (Placement::Portrait { two_up: false }, Theme::Studio) => &PORTRAIT_STUDIO_ALONE,
        (Placement::Portrait { two_up: true }, Theme::Bold) => &PORTRAIT_BOLD,
        (Placement::Portrait { two_up: false }, Theme::Bold) => &PORTRAIT_BOLD_ALONE,
    }
}

/// The `sizes` of a `width` × `height` picture at `placement` in `theme`. A box cropped
/// taller than the picture (`object-fit: cover`) needs the picture wider than the box, by
/// as much as the shapes differ, or it is scaled up and blurred.
pub(crate) fn sizes(placement: Placement, theme: Theme, width: u32, height: u32) -> String {
    let aspect = f64::from(width.max(1)) / f64::from(height.max(1));
    slots(placement, theme)
        .iter()
        .map(|slot| {
            let factor = (slot.crop * aspect).max(1.0);
            let length = length(slot.vw * factor, slot.rem * factor);
            match slot.from {
                Some(from) => format!("(min-width: {from}) {length}"),
                None => length,
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// `vw` viewport widths plus `rem` root ems as the shortest CSS length, each rounded up to a
/// hundredth so the file is never the narrower side of the box.
fn length(vw: f64, rem: f64) -> String {
    // Less a hair, or 0.75 × 1.6 would round up to 1.21.
    let up = |x: f64| number((x * 100.0 - 1e-6).ceil() / 100.0);
    if rem == 0.0 {
        format!("{}vw", up(vw))
    } else if vw == 0.0 {
        format!("{}rem", up(rem))
    } else if rem < 0.0 {
        format!("calc({}vw - {}rem)", up(vw), number(-rem))
    } else {
        format!("calc({}vw + {}rem)", up(vw), up(rem))
    }
}

/// A number as CSS writes it: no trailing zeros, no point when whole.
fn number(x: f64) -> String {
    let text = format!("{x:.4}");
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_picture_the_shape_of_its_box_is_asked_for_at_the_boxs_width() {
        assert_eq!(
            sizes(Placement::Gallery { columns: 2 }, Theme::Warm, 1200, 900),
            "(min-width: 71rem) 33.63rem, (min-width: 48em) calc(50vw - 1.875rem), \
             calc(100vw - 2rem)"
        );
        assert_eq!(
            sizes(Placement::Portrait { two_up: true }, Theme::Warm, 600, 600),
            "7rem"
        );
    }

    #[test]
    fn a_picture_wider_than_its_box_is_asked_for_wider_by_as_much() {
        // 16:10 in a 4:3 box: a fifth wider; in a square, 1.6 times.
        assert_eq!(
            sizes(Placement::Hero, Theme::Studio, 1600, 1000),
            "(min-width: 71rem) 39rem, (min-width: 48em) calc(60vw - 3.6rem), \
             calc(120vw - 2.4rem)"
        );
        assert_eq!(
            sizes(Placement::Portrait { two_up: false }, Theme::Warm, 900, 600),
            "10.5rem"
        );
        // A tall picture in a landscape box is cropped top and bottom: the box's width does.
        assert_eq!(
            sizes(Placement::Gallery { columns: 1 }, Theme::Bold, 600, 900),
            "(min-width: 51rem) 48rem, (min-width: 48em) calc(100vw - 3rem), calc(100vw - 2rem)"
        );
    }

    #[test]
    fn each_design_and_gallery_width_has_its_own_boxes() {
        let hero = |theme| sizes(Placement::Hero, theme, 4, 3);
        assert_eq!(hero(Theme::Studio), hero(Theme::Warm));
        assert_ne!(hero(Theme::Studio), hero(Theme::Bold));
        let gallery = |columns| sizes(Placement::Gallery { columns }, Theme::Studio, 4, 3);
        assert_ne!(gallery(1), gallery(2));
        assert_ne!(gallery(2), gallery(3));
        assert_eq!(gallery(3), gallery(9));
        let portrait = |theme, two_up| sizes(Placement::Portrait { two_up }, theme, 1, 1);
        assert_ne!(portrait(Theme::Studio, true), portrait(Theme::Bold, true));
        assert_ne!(
            portrait(Theme::Studio, true),
            portrait(Theme::Studio, false)
        );
        assert_eq!(portrait(Theme::Warm, true), portrait(Theme::Warm, false));
    }
}
