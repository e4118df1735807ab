//! The social card, `assets/social-card.png`: the 1200 × 630 picture a link to the site shows
//! when shared. Drawn from the brand colours as an SVG — the mark on a plate, the name large
//! (two lines at most, shrunk to fit), the tagline or description, the site's address — and
//! rasterised by `raster.rs` (its words by `glyphs.rs`), once per content per process.

use super::glyphs::{Anchor, Line};
use super::icons;
use super::layout::Ctx;
use super::palette::Palette;
use super::raster::{self, Weight};
use super::seo::xml_escape;

pub const CARD_FILE: &str = "assets/social-card.png";
pub const WIDTH: u32 = 1200;
pub const HEIGHT: u32 = 630;

const MARGIN: f32 = 80.0;
/// The name's sizes, largest first: the first at which it fits two lines is used.
const NAME_SIZES: [f32; 7] = [88.0, 80.0, 72.0, 64.0, 56.0, 48.0, 42.0];
const NAME_WIDTH: f32 = 1040.0;
/// The highest the name starts: clear of the mark above it.
const NAME_TOP: f32 = 224.0;
const LINE_GAP: f32 = 1.12;
/// Between the name's last line and the blurb.
const BLURB_GAP: f32 = 24.0;
const BLURB_SIZE: f32 = 34.0;
const BLURB_LINE: f32 = 44.0;
/// The blurb's width stops short of the circle in the lower right corner.
const BLURB_WIDTH: f32 = 960.0;
/// The blurb ends above the accent rule over the address.
const BLURB_BOTTOM: f32 = 510.0;
/// How far below a line's top its baseline sits, in ems: Inter's cap height is 0.73.
const BASELINE: f32 = 0.8;

/// The line under the name: the tagline, else the description.
fn blurb<'a>(ctx: &Ctx<'a>) -> &'a str {
    ctx.inputs
        .tagline
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| ctx.inputs.site_description.trim())
}

/// Where the site lives, as people write it: its canonical address (at its domain when it has
/// one) without the scheme.
fn address(ctx: &Ctx) -> String {
    let url = ctx.url("");
    let url = url.split_once("://").map_or(url.as_str(), |(_, rest)| rest);
    url.trim_end_matches('/').to_owned()
}

/// What the card says in words, for `og:image:alt`.
pub(crate) fn alt(ctx: &Ctx) -> String {
    match blurb(ctx) {
        "" => ctx.name().to_owned(),
        blurb => format!("{}: {blurb}", ctx.name()),
    }
}

/// `lines` of text from `top`, `line` pixels apart.
fn text(
    lines: Vec<String>,
    top: f32,
    size: f32,
    line: f32,
    weight: Weight,
    fill: &str,
) -> Vec<Line> {
    lines
        .into_iter()
        .enumerate()
        .map(|(i, text)| Line {
            text,
            weight,
            size,
            x: MARGIN,
            baseline: top + i as f32 * line + size * BASELINE,
            anchor: Anchor::Start,
            color: fill.to_owned(),
        })
        .collect()
}

/// The card in two layers: the backdrop, an SVG that depends only on the palette, and what
/// is drawn over it: the mark's shapes (SVG) and the words. Text the font cannot draw is
/// transliterated (the name) or left out (the blurb, which would read as noise), so no part
/// of the card is a row of empty boxes.
struct Layers {
    backdrop: String,
    mark: String,
    /// The mark's initials, if it has them.
    initials: Vec<Line>,
    name: Vec<Line>,
    blurb: Vec<Line>,
    address: Vec<Line>,
}

impl Layers {
    fn document(body: &str) -> String {
        format!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}">{body}</svg>"#
        )
    }

    fn lines(&self) -> Vec<Line> {
        [&self.initials, &self.name, &self.blurb, &self.address]
            .into_iter()
            .flatten()
            .cloned()
            .collect()
    }
}

/// The card as one SVG document, its words as `<text>`: what resvg would draw, which the
/// tests compare the card with.
#[cfg(test)]
pub(crate) fn svg(ctx: &Ctx, palette: &Palette) -> String {
    let layers = layers(ctx, palette);
    let words: String = layers.lines().iter().map(Line::svg).collect();
    Layers::document(&format!("{}{}{words}", layers.backdrop, layers.mark))
}

fn layers(ctx: &Ctx, palette: &Palette) -> Layers {
    let mark = icons::mark(ctx, palette);
    let name = raster::drawable(ctx.name());
    let (mut size, mut lines) = (NAME_SIZES[0], Vec::new());
    for candidate in NAME_SIZES {
        let (wrapped, cut) = raster::wrap(&name, Weight::Bold, candidate, NAME_WIDTH, 2);
        (size, lines) = (candidate, wrapped);
        if !cut {
            break;
        }
    }
    let name_line = size * LINE_GAP;
    let name_height = lines.len() as f32 * name_line + BLURB_GAP;
    let room = ((BLURB_BOTTOM - NAME_TOP - name_height) / BLURB_LINE)
        .floor()
        .clamp(0.0, 2.0) as usize;
    let blurb = blurb(ctx);
    let blurb_lines = if raster::covers_all(blurb) && room > 0 {
        raster::wrap(blurb, Weight::Regular, BLURB_SIZE, BLURB_WIDTH, room).0
    } else {
        Vec::new()
    };
    // The name and blurb sit in the middle of the room between the mark and the address.
    let height = name_height + blurb_lines.len() as f32 * BLURB_LINE;
    let name_top = NAME_TOP + ((BLURB_BOTTOM - NAME_TOP - height) / 2.0).max(0.0);
    let blurb_top = name_top + name_height;
    let (address, _) = raster::wrap(
        &raster::drawable(&address(ctx)),
        Weight::Regular,
        28.0,
        WIDTH as f32 - 2.0 * MARGIN,
        1,
    );

    let fg = &palette.on_header;
    let accent = xml_escape(&palette.accent);
    let backdrop = format!(
        concat!(
            r#"<rect width="{w}" height="{h}" fill="{bg}" shape-rendering="crispEdges"/>"#,
            // Two discs of the accent, clear of the text, and a band along the foot.
            r#"<circle cx="1150" cy="-10" r="210" fill="{disc}"/>"#,
            r#"<circle cx="1200" cy="600" r="150" fill="{faint_disc}"/>"#,
            r#"<rect y="{band}" width="{w}" height="16" fill="{accent}" shape-rendering="crispEdges"/>"#,
            r#"<rect x="{m}" y="64" width="112" height="112" rx="22" fill="{plate}"/>"#,
            // The rule over the address: far from the mark, so drawing it first changes nothing.
            r#"<rect x="{m}" y="530" width="72" height="6" rx="3" fill="{accent}"/>"#,
        ),
        w = WIDTH,
        h = HEIGHT,
        m = MARGIN,
        band = HEIGHT - 16,
        bg = xml_escape(&palette.header),
        accent = accent,
        disc = xml_escape(&tint(&palette.accent, &palette.header, 0.3)),
        faint_disc = xml_escape(&tint(&palette.accent, &palette.header, 0.2)),
        plate = xml_escape(&palette.surface),
    );
    let (mark_x, mark_y, mark_side) = (MARGIN + 8.0, 72.0, 96.0);
    Layers {
        backdrop,
        mark: mark.placed(mark_x, mark_y, mark_side),
        initials: mark.lines_placed(mark_x, mark_y, mark_side),
        name: text(lines, name_top, size, name_line, Weight::Bold, fg),
        blurb: text(
            blurb_lines,
            blurb_top,
            BLURB_SIZE,
            BLURB_LINE,
            Weight::Regular,
            fg,
        ),
        address: text(address, 548.0, 28.0, 0.0, Weight::Regular, fg),
    }
}

/// `over` at `alpha` on `under`, as one opaque colour: a translucent shape costs resvg a
/// blend per pixel, an opaque one a plain fill. Colours that are not `#rrggbb` give `under`.
fn tint(over: &str, under: &str, alpha: f32) -> String {
    let rgb = |hex: &str| -> Option<[u8; 3]> {
        let digits = hex.strip_prefix('#').filter(|d| d.len() == 6)?;
        let channel = |i: usize| u8::from_str_radix(digits.get(i..i + 2)?, 16).ok();
        Some([channel(0)?, channel(2)?, channel(4)?])
    };
    let (Some(over), Some(under_rgb)) = (rgb(over), rgb(under)) else {
        return under.to_owned();
    };
    let mix = |i: usize| {
        (f32::from(over[i]) * alpha + f32::from(under_rgb[i]) * (1.0 - alpha)).round() as u8
    };
    format!("#{:02x}{:02x}{:02x}", mix(0), mix(1), mix(2))
}

/// The card as PNG bytes.
pub(crate) fn card(ctx: &Ctx, palette: &Palette) -> Option<Vec<u8>> {
    let layers = layers(ctx, palette);
    raster::png_over(
        &Layers::document(&layers.backdrop),
        &Layers::document(&layers.mark),
        &layers.lines(),
        WIDTH,
        HEIGHT,
    )
    .map(|png| png.to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::site::tests::{seed, spec};
    use crate::site::{Media, SiteInputs, generate, palette, png_size};

    /// What `f` makes of the card of a site with `inputs` and no uploads.
    fn with_card<T>(inputs: &SiteInputs, f: impl FnOnce(&Ctx, &Palette) -> T) -> T {
        let pages =
            crate::site::plan::plan(inputs, crate::site::Words::for_language(inputs.language())).0;
        let media = Media::default();
        let spec = spec();
        let ctx = Ctx::new(inputs, &spec, &pages, &media, crate::site::Theme::Studio);
        f(&ctx, &palette(&inputs.brand_colors))
    }

    fn card_layers(inputs: &SiteInputs) -> Layers {
        with_card(inputs, layers)
    }

    fn card_svg(inputs: &SiteInputs) -> String {
        with_card(inputs, svg)
    }

    /// The words of the name, the blurb and the address, line by line.
    fn texts(inputs: &SiteInputs) -> [Vec<String>; 3] {
        let layers = card_layers(inputs);
        let words = |lines: &[Line]| lines.iter().map(|l| l.text.clone()).collect();
        [
            words(&layers.name),
            words(&layers.blurb),
            words(&layers.address),
        ]
    }

    #[test]
    fn a_tint_is_the_colour_seen_through_a_translucent_layer() {
        assert_eq!(tint("#ffffff", "#000000", 0.5), "#808080");
        assert_eq!(tint("#d4af37", "#1a1a1a", 0.0), "#1a1a1a");
        assert_eq!(tint("#d4af37", "#1a1a1a", 1.0), "#d4af37");
        assert_eq!(tint("red", "#1a1a1a", 0.3), "#1a1a1a");
    }

    #[test]
    fn the_card_is_its_svg_as_resvg_draws_it() {
        let decode = |png: &[u8]| {
            let mut reader = png::Decoder::new(std::io::Cursor::new(png.to_vec()))
                .read_info()
                .unwrap();
            let mut rgb = vec![0; reader.output_buffer_size().unwrap()];
            reader.next_frame(&mut rgb).unwrap();
            let mut pixmap = resvg::tiny_skia::Pixmap::new(WIDTH, HEIGHT).unwrap();
            for (to, from) in pixmap
                .data_mut()
                .chunks_exact_mut(4)
                .zip(rgb.chunks_exact(3))
            {
                to.copy_from_slice(&[from[0], from[1], from[2], 255]);
            }
            pixmap
        };
        for name in ["Codex Digital Studios", "東京カフェ", "Ünïcødé & <Sons>"] {
            let inputs = SiteInputs {
                site_name: name.into(),
                ..seed()
            };
            let card = generate(&inputs, &spec(), &Media::default()).files[CARD_FILE]
                .bytes
                .clone();
            let mut whole = resvg::tiny_skia::Pixmap::new(WIDTH, HEIGHT).unwrap();
            raster::draw_svg(&card_svg(&inputs), &mut whole).unwrap();
            let (mean, _) = crate::site::glyphs::difference(&decode(&card), &whole);
            // Glyphs stand at the nearest quarter pixel, so their edges differ a little: less
            // than all the words moved a pixel along would.
            let moved = card_svg(&inputs).replace("<text x=\"", "<text dx=\"1\" x=\"");
            let mut moved_whole = resvg::tiny_skia::Pixmap::new(WIDTH, HEIGHT).unwrap();
            raster::draw_svg(&moved, &mut moved_whole).unwrap();
            let (a_pixel, _) = crate::site::glyphs::difference(&moved_whole, &whole);
            assert!(
                mean < a_pixel / 4.0,
                "{name}: {mean:.3} against {a_pixel:.3}"
            );
        }
    }

    #[test]
    fn the_card_is_a_png_of_1200_by_630() {
        let site = generate(&seed(), &spec(), &Media::default());
        let card = &site.files[CARD_FILE].bytes;
        assert_eq!(png_size(card), Some((1200, 630)));
        assert!(card.len() < 300_000, "{} bytes", card.len());
    }

    #[test]
    fn the_card_says_the_name_the_blurb_and_the_address() {
        let mut inputs = seed();
        let texts = texts(&inputs);
        assert_eq!(texts[0], ["Codex Digital Studios"]);
        assert_eq!(texts[1], ["AI-powered web development"], "the description");
        assert_eq!(texts[2], ["127.0.0.1:5000/sites/codex-digital-studios"]);

        inputs.tagline = Some("Websites that work".into());
        inputs.domain = Some("www.codex.example".into());
        let texts = super::tests::texts(&inputs);
        assert_eq!(texts[1], ["Websites that work"], "the tagline first");
        assert_eq!(texts[2], ["www.codex.example"]);
    }

    #[test]
    fn a_long_name_shrinks_to_fit_two_lines() {
        let mut inputs = seed();
        let short = card_layers(&inputs).name[0].size;
        inputs.site_name =
            "The Extraordinarily Long Named Plumbing and Heating Company of Greater Manchester"
                .into();
        let long = card_layers(&inputs).name;
        let lines = &texts(&inputs)[0];
        assert_eq!(lines.len(), 2);
        assert_eq!(
            lines.join(" "),
            inputs.site_name,
            "all of it, at a smaller size"
        );
        let size = long[0].size;
        assert!(size < short);
        for line in lines {
            assert!(raster::width(line, Weight::Bold, size) <= NAME_WIDTH);
        }

        inputs.site_name = "W".repeat(100);
        let lines = &texts(&inputs)[0];
        assert_eq!(lines.len(), 2);
        assert!(lines[1].ends_with('…'), "what cannot fit is cut visibly");
    }

    #[test]
    fn a_name_in_a_script_the_font_lacks_still_reads_as_text() {
        let mut inputs = seed();
        inputs.site_name = "東京カフェ".into();
        inputs.site_description = "東京の小さなカフェ".into();
        let texts = texts(&inputs);
        assert!(texts[0][0].starts_with("Dong Jing"), "{:?}", texts[0]);
        assert!(
            texts[1].is_empty(),
            "a blurb the font cannot draw is left out"
        );
        for line in texts.iter().flatten() {
            assert!(raster::covers_all(line), "{line} would draw empty boxes");
        }
        // And the card is drawn: the name's pixels differ from a card whose name is blank.
        let site = generate(&inputs, &spec(), &Media::default());
        inputs.site_name = " ".into();
        let blank = generate(&inputs, &spec(), &Media::default());
        assert_ne!(site.files[CARD_FILE].bytes, blank.files[CARD_FILE].bytes);
    }

    #[test]
    fn hostile_text_is_escaped_in_the_card() {
        let mut inputs = seed();
        inputs.site_name = "</text><script>alert(1)</script>".into();
        inputs.tagline = Some("\"><image href=\"file:///etc/passwd\"/>".into());
        let svg = card_svg(&inputs);
        assert!(!svg.contains("<script"));
        assert!(!svg.contains("<image href=\"file"));
        assert_eq!(
            svg.matches("<image").count(),
            0,
            "the mark is the generated tile"
        );
        let layers = card_layers(&inputs);
        assert!(!layers.mark.contains("<script") && !layers.backdrop.contains("<script"));
        let texts = texts(&inputs);
        assert_eq!(
            texts[0].concat(),
            inputs.site_name,
            "one word, broken inside"
        );
        assert_eq!(texts[1].join(" "), inputs.tagline.clone().unwrap());
        let site = generate(&inputs, &spec(), &Media::default());
        assert_eq!(png_size(&site.files[CARD_FILE].bytes), Some((1200, 630)));
    }

    #[test]
    fn the_card_changes_with_its_content_and_only_then() {
        let inputs = seed();
        let a = generate(&inputs, &spec(), &Media::default());
        let mut other_deployment = spec();
        other_deployment.deployment_id = "dep_other".into();
        let b = generate(&inputs, &other_deployment, &Media::default());
        assert_eq!(a.files[CARD_FILE], b.files[CARD_FILE]);
        let mut tagged = seed();
        tagged.tagline = Some("New line".into());
        let c = generate(&tagged, &spec(), &Media::default());
        assert_ne!(a.files[CARD_FILE], c.files[CARD_FILE]);
    }

    /// `cargo test --release -p quorum-steps card_render_time -- --ignored --nocapture`
    /// (Linux: the figures are CPU time).
    #[test]
    #[ignore = "a measurement: run in release"]
    fn card_render_time() {
        // On-CPU time of this thread, from the scheduler: a busy machine does not inflate it.
        struct Instant(u64);
        impl Instant {
            fn now() -> Instant {
                let stat = std::fs::read_to_string("/proc/thread-self/schedstat").unwrap();
                Instant(stat.split_whitespace().next().unwrap().parse().unwrap())
            }
            fn elapsed(&self) -> std::time::Duration {
                std::time::Duration::from_nanos(Instant::now().0 - self.0)
            }
        }
        let inputs = seed();
        let pages =
            crate::site::plan::plan(&inputs, crate::site::Words::for_language(inputs.language())).0;
        let (media, spec) = (Media::default(), spec());
        let palette = palette(&inputs.brand_colors);
        let ms = |started: Instant, runs: u32| {
            started.elapsed().as_secs_f64() * 1000.0 / f64::from(runs)
        };
        let runs = 500;
        // Each run draws the pictures of a site with a name of its own, so nothing comes
        // from the cache.
        let per_site = |name: &dyn Fn(u32) -> String, draw: &dyn Fn(&Ctx)| {
            let started = Instant::now();
            for i in 0..runs {
                let inputs = SiteInputs {
                    site_name: name(i),
                    ..inputs.clone()
                };
                draw(&Ctx::new(
                    &inputs,
                    &spec,
                    &pages,
                    &media,
                    crate::site::Theme::Studio,
                ));
            }
            ms(started, runs)
        };
        let numbered = |i: u32| format!("Codex Digital Studios {i}");
        println!(
            "a social card, drawn and encoded: {:.2} ms",
            per_site(&numbered, &|ctx| assert!(card(ctx, &palette).is_some()))
        );
        // The same cards as one SVG each, words and all, drawn by resvg: what the words cost
        // through it.
        let whole = |ctx: &Ctx| {
            let mut pixmap = resvg::tiny_skia::Pixmap::new(WIDTH, HEIGHT).unwrap();
            raster::draw_svg(&svg(ctx, &palette), &mut pixmap).unwrap();
        };
        println!(
            "the same card as one SVG drawn by resvg, not encoded: {:.2} ms",
            per_site(&numbered, &whole)
        );
        // Icons show only the initials: two words whose first letters differ from run to run.
        let letters: Vec<char> = ('A'..='Z').chain('0'..='9').collect();
        let initialled = |i: u32| {
            let letter = |n: u32| letters[n as usize % letters.len()];
            format!("{}x {}y", letter(i), letter(i / letters.len() as u32))
        };
        let icons = |ctx: &Ctx| {
            assert!(icons::favicon(ctx, &palette).is_some());
            assert!(icons::touch_icon(ctx, &palette).is_some());
        };
        println!(
            "favicon.ico and the touch icon, drawn and encoded: {:.2} ms",
            per_site(&initialled, &icons)
        );

        let ctx = Ctx::new(&inputs, &spec, &pages, &media, crate::site::Theme::Studio);
        let started = Instant::now();
        for _ in 0..runs {
            assert!(card(&ctx, &palette).is_some());
            assert!(icons::favicon(&ctx, &palette).is_some());
            assert!(icons::touch_icon(&ctx, &palette).is_some());
        }
        println!("the three from the cache: {:.3} ms", ms(started, runs));

        let started = Instant::now();
        for _ in 0..runs {
            generate(&inputs, &spec, &media);
        }
        println!(
            "a whole site generated, pictures from the cache: {:.3} ms",
            ms(started, runs)
        );
    }
}
