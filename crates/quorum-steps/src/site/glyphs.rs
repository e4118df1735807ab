//! Words on the social card and the icons, drawn without resvg: each line shaped with
//! harfrust as resvg shapes it (kerning, ligatures), each glyph's coverage filled by
//! tiny-skia once per process at a quarter-pixel position, then stamped in the line's colour.
//! Through resvg every card re-shaped its text and re-filled every glyph's curves, which
//! was most of what drawing a site's pictures cost; a card's letters are mostly the same few
//! dozen at a few sizes.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use harfrust::{ShapeOptions, ShaperData, UnicodeBuffer};
use resvg::tiny_skia::{FillRule, Mask, PathBuilder, Pixmap, Transform};
use skrifa::instance::{LocationRef, Size};
use skrifa::outline::{DrawSettings, OutlinePen};
use skrifa::{GlyphId, MetadataProvider};

use super::raster::{self, Area, Weight};

/// Where a line's `x` is: where it starts, or its middle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Anchor {
    Start,
    Middle,
}

/// One line of text in the bundled font, placed in pixels: `baseline` is where its letters
/// stand, `color` an `#rrggbb` colour (anything else is drawn black).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Line {
    pub text: String,
    pub weight: Weight,
    pub size: f32,
    pub x: f32,
    pub baseline: f32,
    pub anchor: Anchor,
    pub color: String,
}

impl Line {
    /// The line moved by `dx`, `dy` after scaling by `scale`: how a picture drawn in its own
    /// units is placed in a larger one.
    pub(crate) fn placed(&self, dx: f32, dy: f32, scale: f32) -> Line {
        Line {
            size: self.size * scale,
            x: dx + self.x * scale,
            baseline: dy + self.baseline * scale,
            ..self.clone()
        }
    }

    /// The line as an SVG `<text>` element: the same words as resvg would draw them, for
    /// the tests that compare the two.
    #[cfg(test)]
    pub(crate) fn svg(&self) -> String {
        use super::seo::xml_escape;
        format!(
            concat!(
                r#"<text x="{x}" y="{y}" font-family="{family}" font-size="{size}" "#,
                r#"font-weight="{weight}" fill="{fill}" text-anchor="{anchor}">{text}</text>"#
            ),
            x = self.x,
            y = self.baseline,
            family = raster::FAMILY,
            size = self.size,
            weight = self.weight.css(),
            fill = xml_escape(&self.color),
            anchor = match self.anchor {
                Anchor::Start => "start",
                Anchor::Middle => "middle",
            },
            text = xml_escape(&self.text),
        )
    }

    /// What the line is, for a cache key: every field that changes its pixels.
    pub(crate) fn key(&self) -> String {
        format!("{self:?}")
    }
}

/// Draws `lines` over what `pixmap` holds; returns the part of it each glyph drew on.
pub(crate) fn draw(lines: &[Line], pixmap: &mut Pixmap) -> Vec<Area> {
    let mut areas = Vec::new();
    for line in lines {
        draw_line(line, pixmap, &mut areas);
    }
    areas
}

fn draw_line(line: &Line, pixmap: &mut Pixmap, areas: &mut Vec<Area>) {
    let Some(shaped) = shape(&line.text, line.weight) else {
        return;
    };
    let scale = line.size / shaped.units_per_em;
    let advance: f32 = shaped.glyphs.iter().map(|g| g.advance).sum::<f32>() * scale;
    let mut pen = match line.anchor {
        Anchor::Start => line.x,
        Anchor::Middle => line.x - advance / 2.0,
    };
    let color = rgb(&line.color);
    for glyph in &shaped.glyphs {
        let x = pen + glyph.x_offset * scale;
        let y = line.baseline - glyph.y_offset * scale;
        pen += glyph.advance * scale;
        let (x_cell, x_step) = quarters(x);
        let (y_cell, y_step) = quarters(y);
        let key = GlyphKey {
            weight: line.weight,
            glyph: glyph.id,
            size: line.size.to_bits(),
            x_step,
            y_step,
        };
        if let Some(coverage) = coverage(key) {
            stamp(&coverage, x_cell, y_cell, color, pixmap);
            let (left, top) = (x_cell + coverage.left, y_cell + coverage.top);
            let height = coverage.alpha.len() / coverage.width.max(1);
            areas.push(Area::clamped(
                left as f32,
                top as f32,
                (left + coverage.width as i32) as f32,
                (top + height as i32) as f32,
                pixmap,
            ));
        }
    }
}

/// `v` as a whole pixel and the quarter of a pixel past it, rounded to the nearest.
fn quarters(v: f32) -> (i32, u8) {
    let quarters = (v * 4.0).round() as i32;
    (quarters.div_euclid(4), quarters.rem_euclid(4) as u8)
}

fn rgb(hex: &str) -> [u8; 3] {
    let channel = |i: usize| {
        hex.strip_prefix('#')
            .filter(|d| d.len() == 6)
            .and_then(|d| u8::from_str_radix(d.get(i..i + 2)?, 16).ok())
            .unwrap_or(0)
    };
    [channel(0), channel(2), channel(4)]
}

struct ShapedGlyph {
    id: u32,
    advance: f32,
    x_offset: f32,
    y_offset: f32,
}

struct Shaped {
    glyphs: Vec<ShapedGlyph>,
    units_per_em: f32,
}

/// What harfrust needs of each face, built once: its tables' offsets and lookups' caches.
struct Shaper {
    font: harfrust::FontRef<'static>,
    data: ShaperData,
    units_per_em: f32,
}

fn shaper(weight: Weight) -> &'static Shaper {
    static SHAPERS: OnceLock<[Shaper; 2]> = OnceLock::new();
    let shapers = SHAPERS.get_or_init(|| {
        [Weight::Regular, Weight::Bold].map(|weight| {
            let font = harfrust::FontRef::new(raster::face_bytes(weight))
                .expect("the bundled faces parse");
            let units_per_em = f32::from(
                raster::face(weight)
                    .metrics(Size::unscaled(), LocationRef::default())
                    .units_per_em,
            );
            Shaper {
                data: ShaperData::new(&font),
                font,
                units_per_em,
            }
        })
    });
    match weight {
        Weight::Regular => &shapers[0],
        Weight::Bold => &shapers[1],
    }
}

fn shape(text: &str, weight: Weight) -> Option<Shaped> {
    if text.is_empty() {
        return None;
    }
    let shaper = shaper(weight);
    let mut buffer = UnicodeBuffer::new();
    buffer.push_str(text);
    buffer.guess_segment_properties();
    let output = shaper
        .data
        .shaper(&shaper.font)
        .build()
        .shape(buffer, ShapeOptions::new());
    let glyphs = output
        .glyph_infos()
        .iter()
        .zip(output.glyph_positions())
        .map(|(info, position)| ShapedGlyph {
            id: info.glyph_id,
            advance: position.x_advance as f32,
            x_offset: position.x_offset as f32,
            y_offset: position.y_offset as f32,
        })
        .collect();
    Some(Shaped {
        glyphs,
        units_per_em: shaper.units_per_em,
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct GlyphKey {
    weight: Weight,
    glyph: u32,
    /// The size's bits: sizes come from a few constants, never NaN.
    size: u32,
    x_step: u8,
    y_step: u8,
}

/// How much of each pixel a glyph covers, in a box whose corner is `left`, `top` pixels
/// from the pixel its origin falls in.
struct Coverage {
    left: i32,
    top: i32,
    width: usize,
    alpha: Vec<u8>,
}

/// Glyphs filled lately. Each is a few hundred bytes to a few kilobytes; a card uses a few
/// dozen, mostly the same ones as the card before. When full it starts again, which costs
/// one card's worth of fills.
static COVERAGE: Mutex<Option<HashMap<GlyphKey, Arc<Coverage>>>> = Mutex::new(None);
const COVERAGE_CAPACITY: usize = 4096;

fn coverage(key: GlyphKey) -> Option<Arc<Coverage>> {
    let cached = COVERAGE
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get_or_insert_with(HashMap::new)
        .get(&key)
        .cloned();
    if cached.is_some() {
        return cached;
    }
    let coverage = Arc::new(fill(key)?);
    let mut cache = COVERAGE.lock().unwrap_or_else(|e| e.into_inner());
    let cache = cache.get_or_insert_with(HashMap::new);
    if cache.len() >= COVERAGE_CAPACITY {
        cache.clear();
    }
    cache.insert(key, coverage.clone());
    Some(coverage)
}

/// Fills one glyph at its size and quarter-pixel offset. `None` for a glyph without
/// outlines (a space).
fn fill(key: GlyphKey) -> Option<Coverage> {
    let face = raster::face(key.weight);
    let outline = face.outline_glyphs().get(GlyphId::new(key.glyph))?;
    let size = f32::from_bits(key.size);
    let mut pen = Pen {
        builder: PathBuilder::new(),
        dx: f32::from(key.x_step) / 4.0,
        dy: f32::from(key.y_step) / 4.0,
    };
    outline
        .draw(
            DrawSettings::unhinted(Size::new(size), LocationRef::default()),
            &mut pen,
        )
        .ok()?;
    let path = pen.builder.finish()?;
    let bounds = path.bounds();
    let left = bounds.left().floor() as i32;
    let top = bounds.top().floor() as i32;
    let width = (bounds.right().ceil() as i32 - left + 1).max(1) as u32;
    let height = (bounds.bottom().ceil() as i32 - top + 1).max(1) as u32;
    let mut mask = Mask::new(width, height)?;
    mask.fill_path(
        &path,
        FillRule::Winding,
        true,
        Transform::from_translate(-left as f32, -top as f32),
    );
    Some(Coverage {
        left,
        top,
        width: width as usize,
        alpha: mask.data().to_vec(),
    })
}

/// Collects a glyph's outline in pixels, y pointing down as on the canvas, moved by the
/// quarter-pixel offset it is filled at.
struct Pen {
    builder: PathBuilder,
    dx: f32,
    dy: f32,
}

impl OutlinePen for Pen {
    fn move_to(&mut self, x: f32, y: f32) {
        self.builder.move_to(x + self.dx, self.dy - y);
    }

    fn line_to(&mut self, x: f32, y: f32) {
        self.builder.line_to(x + self.dx, self.dy - y);
    }

    fn quad_to(&mut self, cx0: f32, cy0: f32, x: f32, y: f32) {
        self.builder
            .quad_to(cx0 + self.dx, self.dy - cy0, x + self.dx, self.dy - y);
    }

    fn curve_to(&mut self, cx0: f32, cy0: f32, cx1: f32, cy1: f32, x: f32, y: f32) {
        self.builder.cubic_to(
            cx0 + self.dx,
            self.dy - cy0,
            cx1 + self.dx,
            self.dy - cy1,
            x + self.dx,
            self.dy - y,
        );
    }

    fn close(&mut self) {
        self.builder.close();
    }
}

/// Paints `color` through `coverage` with its origin in pixel `x`, `y`: source-over on
/// tiny-skia's premultiplied pixels, whatever they hold; what falls outside is clipped.
fn stamp(coverage: &Coverage, x: i32, y: i32, color: [u8; 3], pixmap: &mut Pixmap) {
    let (width, height) = (pixmap.width() as i32, pixmap.height() as i32);
    let stride = width as usize * 4;
    let data = pixmap.data_mut();
    let left = x + coverage.left;
    let columns = left.max(0)..(left + coverage.width as i32).min(width);
    if columns.is_empty() {
        return;
    }
    for (r, row) in coverage.alpha.chunks_exact(coverage.width).enumerate() {
        let py = y + coverage.top + r as i32;
        if !(0..height).contains(&py) {
            continue;
        }
        let from = (columns.start - left) as usize..(columns.end - left) as usize;
        let start = py as usize * stride + columns.start as usize * 4;
        let pixels = &mut data[start..start + from.len() * 4];
        for (pixel, &a) in pixels.chunks_exact_mut(4).zip(&row[from]) {
            if a == 0 {
                continue;
            }
            let a = u16::from(a);
            let keep = 255 - a;
            for (channel, source) in pixel.iter_mut().zip([color[0], color[1], color[2], 255]) {
                *channel = div255(u16::from(source) * a + u16::from(*channel) * keep);
            }
        }
    }
}

/// `v / 255` rounded, for `v` up to 255 × 255.
fn div255(v: u16) -> u8 {
    ((u32::from(v) * 257 + 257 * 128) >> 16) as u8
}

/// The mean difference per channel between two pictures of one size, out of 255, and the
/// largest.
#[cfg(test)]
pub(crate) fn difference(a: &Pixmap, b: &Pixmap) -> (f64, u8) {
    let diffs = a.data().iter().zip(b.data()).map(|(x, y)| x.abs_diff(*y));
    let (sum, max) = diffs.fold((0u64, 0u8), |(s, m), d| (s + u64::from(d), m.max(d)));
    (sum as f64 / a.data().len() as f64, max)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(text: &str, size: f32, x: f32, baseline: f32, anchor: Anchor) -> Line {
        Line {
            text: text.into(),
            weight: Weight::Bold,
            size,
            x,
            baseline,
            anchor,
            color: "#1a2b3c".into(),
        }
    }

    /// The pixels of `lines` on a white canvas, drawn here and by resvg from their `<text>`.
    fn both(lines: &[Line], width: u32, height: u32) -> (Pixmap, Pixmap) {
        let white = |p: &mut Pixmap| p.fill(resvg::tiny_skia::Color::WHITE);
        let mut ours = Pixmap::new(width, height).unwrap();
        white(&mut ours);
        draw(lines, &mut ours);
        let svg = format!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}">{}</svg>"#,
            lines.iter().map(Line::svg).collect::<String>()
        );
        let mut theirs = Pixmap::new(width, height).unwrap();
        white(&mut theirs);
        raster::draw_svg(&svg, &mut theirs).unwrap();
        (ours, theirs)
    }

    #[test]
    fn lines_are_drawn_as_resvg_draws_their_text() {
        let lines = [
            line("Typography: AVA To Wy fi", 72.0, 20.0, 90.0, Anchor::Start),
            line("Ünïcødé & <Sons> — 42 €", 34.0, 20.3, 150.7, Anchor::Start),
            line("CD", 48.0, 300.0, 220.0, Anchor::Middle),
        ];
        let (ours, theirs) = both(&lines, 1000, 240);
        let (mean, max) = difference(&ours, &theirs);
        // Positions are rounded to a quarter of a pixel: edges differ a little, nothing else.
        assert!(mean < 0.3 && max < 140, "mean {mean:.3}, max {max}");
        let ink = |p: &Pixmap| p.data().iter().filter(|&&c| c < 128).count();
        assert!(ink(&ours) > 20_000, "the words are drawn");

        // The comparison has teeth: a line one pixel off, or a letter changed, is seen.
        let moved: Vec<Line> = lines.iter().map(|l| l.placed(1.0, 0.0, 1.0)).collect();
        let (shifted, _) = both(&moved, 1000, 240);
        assert!(difference(&shifted, &theirs).0 > 3.0 * mean.max(0.1));
        let mut typo = lines.clone();
        typo[2].text = "CO".into();
        let (typo, _) = both(&typo, 1000, 240);
        assert!(difference(&typo, &theirs).1 > 200);
    }

    #[test]
    fn a_line_is_clipped_at_the_edges_of_the_canvas() {
        let lines = [
            line(
                "Overflowing on every side",
                60.0,
                -30.0,
                30.0,
                Anchor::Start,
            ),
            line("Below", 60.0, 50.0, 130.0, Anchor::Middle),
        ];
        let (ours, theirs) = both(&lines, 200, 100);
        let (mean, max) = difference(&ours, &theirs);
        assert!(mean < 0.5 && max < 140, "mean {mean:.3}, max {max}");
    }

    #[test]
    fn coverage_is_kept_and_a_space_has_none() {
        let bold_a = shape("A", Weight::Bold).unwrap().glyphs[0].id;
        let key = GlyphKey {
            weight: Weight::Bold,
            glyph: bold_a,
            size: 40f32.to_bits(),
            x_step: 1,
            y_step: 0,
        };
        let first = coverage(key).unwrap();
        assert!(Arc::ptr_eq(&first, &coverage(key).unwrap()));
        assert!(first.alpha.contains(&255));
        let space = shape(" ", Weight::Bold).unwrap().glyphs[0].id;
        assert!(
            coverage(GlyphKey {
                glyph: space,
                ..key
            })
            .is_none()
        );
    }

    #[test]
    fn positions_round_to_the_nearest_quarter() {
        assert_eq!(quarters(10.0), (10, 0));
        assert_eq!(quarters(10.3), (10, 1));
        assert_eq!(quarters(10.9), (11, 0));
        assert_eq!(quarters(-0.3), (-1, 3));
    }

    #[test]
    fn div255_rounds_as_the_exact_division_does() {
        for v in 0..=255u32 * 255 {
            let exact = (f64::from(v) / 255.0).round() as u32;
            assert_eq!(u32::from(div255(v as u16)), exact, "{v}");
        }
    }
}
