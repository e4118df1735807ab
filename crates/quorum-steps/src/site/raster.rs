//! SVG to PNG inside Quorum, for the social card and the icons: the bundled font, loaded once
//! per process; text measurement, so a layout can wrap and shrink to fit; rasterising with
//! resvg, the words over it by `glyphs.rs`, encoded by `encode.rs`; and a small cache, so that
//! the eight steps that each regenerate a site draw its pictures once.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, OnceLock};

use resvg::tiny_skia::{Pixmap, Transform};
use resvg::usvg::{self, fontdb};
use sha2::{Digest, Sha256};
use skrifa::instance::{LocationRef, Size};
use skrifa::{FontRef, MetadataProvider};

use super::encode::{encode, encode_as, opaque};
use super::glyphs::{self, Line};

/// Inter 4.001 (SIL Open Font License 1.1, `fonts/card/OFL.txt`), the static Regular and Bold
/// TrueType files of the npm package `@expo-google-fonts/inter` 0.4.2. TrueType because resvg
/// cannot read the woff2 files sites serve; only these two faces, so a card looks the same on
/// every machine whatever fonts it has installed.
const REGULAR: &[u8] = include_bytes!("../../fonts/card/Inter_400Regular.ttf");
const BOLD: &[u8] = include_bytes!("../../fonts/card/Inter_700Bold.ttf");

/// The family SVG drawn here names; any other family resolves to it too.
pub(crate) const FAMILY: &str = "Inter";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Weight {
    Regular,
    Bold,
}

impl Weight {
    #[cfg(test)]
    pub(crate) fn css(self) -> u16 {
        match self {
            Weight::Regular => 400,
            Weight::Bold => 700,
        }
    }
}

struct Fonts {
    db: Arc<fontdb::Database>,
    regular: FontRef<'static>,
    bold: FontRef<'static>,
}

fn fonts() -> &'static Fonts {
    static FONTS: OnceLock<Fonts> = OnceLock::new();
    FONTS.get_or_init(|| {
        let mut db = fontdb::Database::new();
        db.load_font_source(fontdb::Source::Binary(Arc::new(REGULAR)));
        db.load_font_source(fontdb::Source::Binary(Arc::new(BOLD)));
        // A family the database lacks (a brand font named in the logo, `system-ui`) falls
        // back to the serif family, which is Inter as well.
        db.set_serif_family(FAMILY);
        db.set_sans_serif_family(FAMILY);
        Fonts {
            db: Arc::new(db),
            regular: FontRef::new(REGULAR).expect("the bundled Regular face parses"),
            bold: FontRef::new(BOLD).expect("the bundled Bold face parses"),
        }
    })
}

impl Fonts {
    fn face(&self, weight: Weight) -> &FontRef<'static> {
        match weight {
            Weight::Regular => &self.regular,
            Weight::Bold => &self.bold,
        }
    }
}

/// The bundled face of `weight`, for the glyphs drawn without resvg.
pub(crate) fn face(weight: Weight) -> &'static FontRef<'static> {
    fonts().face(weight)
}

/// The bytes of the bundled face of `weight`.
pub(crate) fn face_bytes(weight: Weight) -> &'static [u8] {
    match weight {
        Weight::Regular => REGULAR,
        Weight::Bold => BOLD,
    }
}

/// Whether the bundled font draws `c`: a character it lacks would be an empty box.
pub(crate) fn covers(c: char) -> bool {
    let fonts = fonts();
    [&fonts.regular, &fonts.bold]
        .iter()
        .all(|face| face.charmap().map(c).is_some_and(|g| g.to_u32() != 0))
}

/// Whether the bundled font draws every character of `text`.
pub(crate) fn covers_all(text: &str) -> bool {
    text.chars().filter(|c| !c.is_whitespace()).all(covers)
}

/// `text` as the bundled font can draw it: each character it lacks replaced by its ASCII
/// transliteration, as the site's slug has it (`東京カフェ` → `Dong Jing kafe`), so a name
/// in another script reads as something rather than as a row of empty boxes. Whitespace
/// collapses to single spaces; what has no transliteration is left out.
pub(crate) fn drawable(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    // Runs are transliterated whole: `カフェ` reads `kafe`, letter by letter `ka hu e`.
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut String| {
        if !run.is_empty() {
            out.push(' ');
            out.push_str(&deunicode::deunicode_with_tofu(run, ""));
            out.push(' ');
            run.clear();
        }
    };
    for c in text.chars() {
        if c.is_whitespace() || covers(c) {
            flush(&mut run, &mut out);
            out.push(c);
        } else {
            run.push(c);
        }
    }
    flush(&mut run, &mut out);
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// How wide `text` is drawn at `size` pixels: the sum of its advances. Kerning, which only
/// narrows Latin text, is left out, so a line measured to fit does fit.
pub(crate) fn width(text: &str, weight: Weight, size: f32) -> f32 {
    let face = fonts().face(weight);
    let charmap = face.charmap();
    let metrics = face.glyph_metrics(Size::new(size), LocationRef::default());
    text.chars()
        .map(|c| {
            charmap
                .map(c)
                .and_then(|g| metrics.advance_width(g))
                .unwrap_or(size * 0.6)
        })
        .sum()
}

/// `text` in at most `max_lines` lines no wider than `max_width`, breaking between words and,
/// for a word wider than a line, inside it. Returns the lines and whether text was left out,
/// in which case the last line ends in an ellipsis.
pub(crate) fn wrap(
    text: &str,
    weight: Weight,
    size: f32,
    max_width: f32,
    max_lines: usize,
) -> (Vec<String>, bool) {
    let fits = |line: &str| width(line, weight, size) <= max_width;
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let joined = if line.is_empty() {
            word.to_owned()
        } else {
            format!("{line} {word}")
        };
        if fits(&joined) {
            line = joined;
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        for c in word.chars() {
            line.push(c);
            if !fits(&line) && line.chars().count() > 1 {
                line.pop();
                lines.push(std::mem::take(&mut line));
                line.push(c);
            }
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    if lines.len() <= max_lines {
        return (lines, false);
    }
    lines.truncate(max_lines);
    if let Some(last) = lines.last_mut() {
        let mut cut = last.trim_end().to_owned();
        while !cut.is_empty() && !fits(&format!("{cut}…")) {
            cut.pop();
        }
        *last = format!("{}…", cut.trim_end());
    }
    (lines, true)
}

/// The PNG of `svg` drawn at `width` × `height` pixels (the SVG scaled to fill them), from the
/// cache when this process drew it before. `None` only if the SVG does not parse, which the
/// SVG this module's callers build always does.
#[cfg(test)]
pub(crate) fn png(svg: &str, width: u32, height: u32) -> Option<Arc<[u8]>> {
    picture(svg, &[], width, height)
}

/// The PNG of `svg` with `lines` of text drawn over it, in the picture's pixels.
pub(crate) fn picture(svg: &str, lines: &[Line], width: u32, height: u32) -> Option<Arc<[u8]>> {
    let key = key(width, height, &[svg, &lines_key(lines)]);
    if let Some(hit) = CACHE.get(&key) {
        return Some(hit);
    }
    let mut pixmap = Pixmap::new(width, height)?;
    draw_svg(svg, &mut pixmap)?;
    glyphs::draw(lines, &mut pixmap);
    let png: Arc<[u8]> = encode(&pixmap)?.into();
    CACHE.put(key, png.clone());
    Some(png)
}

/// The PNG of `foreground` and `lines` drawn over `backdrop`, two SVG documents of the same
/// size: the same picture as one document holding both, but the backdrop's pixels are drawn
/// once per process and reused. The social card's backdrop depends only on the palette,
/// which many sites share, and filling its large discs is most of what drawing it costs.
pub(crate) fn png_over(
    backdrop: &str,
    foreground: &str,
    lines: &[Line],
    width: u32,
    height: u32,
) -> Option<Arc<[u8]>> {
    let picture = key(width, height, &[backdrop, foreground, &lines_key(lines)]);
    if let Some(hit) = CACHE.get(&picture) {
        return Some(hit);
    }
    let backdrop_key = key(width, height, &[backdrop]);
    let drawn = match BACKDROPS.get(&backdrop_key) {
        Some(drawn) => drawn,
        None => {
            let mut pixmap = Pixmap::new(width, height)?;
            draw_svg(backdrop, &mut pixmap)?;
            let opaque = opaque(&pixmap);
            let drawn = Arc::new(Backdrop { pixmap, opaque });
            BACKDROPS.put(backdrop_key, drawn.clone());
            drawn
        }
    };
    let mut pixmap = scratch_copy(&backdrop_key, &drawn.pixmap);
    let mut areas = Vec::new();
    let png = draw_svg(foreground, &mut pixmap).and_then(|area| {
        areas.push(area);
        areas.extend(glyphs::draw(lines, &mut pixmap));
        // What is drawn over an opaque backdrop leaves it opaque: no pixel needs looking at.
        let opaque = drawn.opaque || opaque(&pixmap);
        encode_as(&pixmap, opaque)
    });
    if png.is_some() {
        // Back to the backdrop where this picture drew, for the next picture on it.
        for area in &areas {
            area.restore(&drawn.pixmap, &mut pixmap);
        }
        give_back(backdrop_key, pixmap);
    }
    let png: Arc<[u8]> = png?.into();
    CACHE.put(picture, png.clone());
    Some(png)
}

/// A backdrop drawn, and whether every pixel of it is opaque.
struct Backdrop {
    pixmap: Pixmap,
    opaque: bool,
}

/// Canvases that earlier pictures drew on, each put back to the backdrop it was a copy of
/// (by the backdrop's key): the next picture over that backdrop draws on it as it is. A fresh
/// 3 MB canvas is pages the kernel must map and zero, then 3 MB of backdrop copied over them,
/// where the words and the mark of a card cover a small part of it.
static SCRATCH: Mutex<Vec<(Key, Pixmap)>> = Mutex::new(Vec::new());
/// As many as pictures drawn at once, which the workers bound; a few more are dropped.
const SCRATCH_KEPT: usize = 8;

/// A copy of the backdrop `key` names: a canvas kept clean of an earlier picture over it, else
/// a kept canvas of its size with the backdrop copied onto it, else a new one.
fn scratch_copy(key: &Key, backdrop: &Pixmap) -> Pixmap {
    let mut kept = SCRATCH.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(at) = kept.iter().position(|(k, _)| k == key) {
        return kept.swap_remove(at).1;
    }
    let same_size = kept
        .iter()
        .position(|(_, c)| c.width() == backdrop.width() && c.height() == backdrop.height());
    let reused = same_size.map(|at| kept.swap_remove(at).1);
    drop(kept);
    match reused {
        Some(mut canvas) => {
            canvas.data_mut().copy_from_slice(backdrop.data());
            canvas
        }
        None => backdrop.clone(),
    }
}

/// Keeps `canvas`, which holds exactly the backdrop `key` names.
fn give_back(key: Key, canvas: Pixmap) {
    let mut kept = SCRATCH.lock().unwrap_or_else(|e| e.into_inner());
    if kept.len() < SCRATCH_KEPT {
        kept.push((key, canvas));
    }
}

fn lines_key(lines: &[Line]) -> String {
    lines.iter().map(Line::key).collect::<Vec<_>>().join("\n")
}

/// The cache key of a picture drawn from `parts` at `width` × `height`: each part's length
/// goes in first, so two splits of the same text never meet.
fn key(width: u32, height: u32, parts: &[&str]) -> Key {
    let mut hasher = Sha256::new()
        .chain_update(width.to_be_bytes())
        .chain_update(height.to_be_bytes());
    for part in parts {
        hasher.update((part.len() as u64).to_be_bytes());
        hasher.update(part.as_bytes());
    }
    hasher.finalize().into()
}

/// Draws `svg` over what `pixmap` holds, scaled to fill it; returns the part it drew on.
pub(crate) fn draw_svg(svg: &str, pixmap: &mut Pixmap) -> Option<Area> {
    let fonts = fonts();
    let options = usvg::Options {
        font_family: FAMILY.into(),
        fontdb: fonts.db.clone(),
        // Only the data: URLs built here are images; never a file of this machine.
        image_href_resolver: usvg::ImageHrefResolver {
            resolve_data: usvg::ImageHrefResolver::default_data_resolver(),
            resolve_string: Box::new(|_, _| None),
        },
        ..usvg::Options::default()
    };
    let tree = match usvg::Tree::from_str(svg, &options) {
        Ok(tree) => tree,
        Err(e) => {
            tracing::error!(error = %e, "a generated SVG does not parse");
            return None;
        }
    };
    let size = tree.size();
    let scale = Transform::from_scale(
        pixmap.width() as f32 / size.width(),
        pixmap.height() as f32 / size.height(),
    );
    resvg::render(&tree, scale, &mut pixmap.as_mut());
    let drawn = tree.root().abs_layer_bounding_box();
    // Anti-aliasing reaches a pixel past a shape's edge; two keep rounding on the safe side.
    Some(Area::clamped(
        drawn.left() * scale.sx - 2.0,
        drawn.top() * scale.sy - 2.0,
        drawn.right() * scale.sx + 2.0,
        drawn.bottom() * scale.sy + 2.0,
        pixmap,
    ))
}

/// Columns `left..right` of rows `top..bottom` of a canvas: what a picture drew on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Area {
    pub left: u32,
    pub top: u32,
    pub right: u32,
    pub bottom: u32,
}

impl Area {
    /// The whole pixels the box from (`left`, `top`) to (`right`, `bottom`) touches, inside
    /// `canvas`.
    pub(crate) fn clamped(left: f32, top: f32, right: f32, bottom: f32, canvas: &Pixmap) -> Area {
        let clamp = |v: f32, max: u32| (v.max(0.0) as u32).min(max);
        Area {
            left: clamp(left.floor(), canvas.width()),
            top: clamp(top.floor(), canvas.height()),
            right: clamp(right.ceil(), canvas.width()),
            bottom: clamp(bottom.ceil(), canvas.height()),
        }
    }

    /// Copies this area of `from` onto `to`, a canvas of the same size.
    fn restore(&self, from: &Pixmap, to: &mut Pixmap) {
        let stride = from.width() as usize * 4;
        let columns = self.left as usize * 4..self.right as usize * 4;
        if columns.is_empty() {
            return;
        }
        for row in self.top as usize..self.bottom as usize {
            let at = row * stride;
            let range = at + columns.start..at + columns.end;
            to.data_mut()[range.clone()].copy_from_slice(&from.data()[range]);
        }
    }
}

/// The SHA-256 of what a picture is drawn from.
type Key = [u8; 32];

/// The pictures used lately, least recently used first. A site draws five (the card and
/// four icon sizes), and its eight steps run one after another while the other workers run
/// theirs: 320 entries keep those of 64 sites in flight (four times the default workers on
/// two cores), ≈ 7 MB at most.
struct Cache<V> {
    entries: Mutex<VecDeque<(Key, V)>>,
    capacity: usize,
}

static CACHE: Cache<Arc<[u8]>> = Cache::new(320);

/// Backdrops drawn lately, by what they were drawn from: 3 MB each at the card's size, and
/// one per palette, so a few are plenty.
static BACKDROPS: Cache<Arc<Backdrop>> = Cache::new(4);

impl<V: Clone> Cache<V> {
    const fn new(capacity: usize) -> Cache<V> {
        Cache {
            entries: Mutex::new(VecDeque::new()),
            capacity,
        }
    }

    fn get(&self, key: &Key) -> Option<V> {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let at = entries.iter().position(|(k, _)| k == key)?;
        let entry = entries.remove(at)?;
        let png = entry.1.clone();
        entries.push_back(entry);
        Some(png)
    }

    fn put(&self, key: Key, png: V) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.iter().any(|(k, _)| *k == key) {
            return; // drawn by two steps at once: the first is kept
        }
        if entries.len() == self.capacity {
            entries.pop_front();
        }
        entries.push_back((key, png));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::site::png_size;

    #[test]
    fn the_bundled_font_covers_latin_but_not_japanese() {
        for c in ['A', 'é', 'ß', 'Ж', '…', '—', '&'] {
            assert!(covers(c), "{c}");
        }
        for c in ['東', 'カ', '☕'] {
            assert!(!covers(c), "{c}");
        }
    }

    #[test]
    fn a_name_the_font_cannot_draw_is_transliterated() {
        assert_eq!(drawable("Café  Lumière"), "Café Lumière");
        let tokyo = drawable("東京カフェ");
        assert!(!tokyo.is_empty() && covers_all(&tokyo), "{tokyo}");
        assert!(tokyo.starts_with("Dong Jing "), "{tokyo}");
        assert!(!covers_all("東京カフェ"));
        assert!(covers_all(" Codex Digital "));
    }

    #[test]
    fn text_is_measured_in_proportion_to_its_size() {
        let small = width("Codex Digital", Weight::Bold, 10.0);
        let large = width("Codex Digital", Weight::Bold, 100.0);
        assert!(small > 30.0 && small < 100.0, "{small}");
        assert!((large / small - 10.0).abs() < 0.01);
        assert!(width("WWW", Weight::Regular, 50.0) > width("iii", Weight::Regular, 50.0));
    }

    #[test]
    fn wrapping_breaks_between_words_and_marks_what_it_leaves_out() {
        let (lines, cut) = wrap("one two three", Weight::Regular, 40.0, 10_000.0, 2);
        assert_eq!((lines, cut), (vec!["one two three".to_owned()], false));

        let narrow = width("one two", Weight::Regular, 40.0) + 1.0;
        let (lines, cut) = wrap("one two three", Weight::Regular, 40.0, narrow, 2);
        assert_eq!(
            (lines, cut),
            (vec!["one two".into(), "three".into()], false)
        );

        let (lines, cut) = wrap("one two three four five", Weight::Regular, 40.0, narrow, 2);
        assert!(cut);
        assert_eq!(lines.len(), 2);
        assert!(lines[1].ends_with('…'));
        assert!(
            lines
                .iter()
                .all(|l| width(l, Weight::Regular, 40.0) <= narrow)
        );
    }

    #[test]
    fn a_word_wider_than_a_line_is_broken_inside() {
        let word = "W".repeat(60);
        let (lines, cut) = wrap(&word, Weight::Bold, 48.0, 1040.0, 10);
        assert!(!cut);
        assert!(lines.len() > 1);
        assert_eq!(lines.concat(), word);
        assert!(lines.iter().all(|l| width(l, Weight::Bold, 48.0) <= 1040.0));
    }

    #[test]
    fn an_svg_becomes_a_png_of_the_size_asked_for() {
        let svg = r##"<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10" fill="#336699"/></svg>"##;
        let first = png(svg, 30, 20).unwrap();
        assert_eq!(png_size(&first), Some((30, 20)));
        assert_eq!(png(svg, 30, 20).unwrap(), first);
        assert_eq!(png_size(&png(svg, 16, 16).unwrap()), Some((16, 16)));
        assert!(png("<svg", 30, 20).is_none());
    }

    #[test]
    fn an_opaque_picture_is_rgb_and_a_translucent_one_keeps_its_alpha() {
        let decode = |bytes: &[u8]| {
            let mut reader = png::Decoder::new(std::io::Cursor::new(bytes.to_vec()))
                .read_info()
                .unwrap();
            let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
            let frame = reader.next_frame(&mut pixels).unwrap();
            (frame.color_type, pixels)
        };
        let full = r##"<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"><rect width="4" height="4" fill="#336699"/></svg>"##;
        let (color, pixels) = decode(&png(full, 4, 4).unwrap());
        assert_eq!(color, png::ColorType::Rgb);
        assert_eq!(&pixels[..3], &[0x33, 0x66, 0x99]);
        let half = r##"<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"><rect width="2" height="4" fill="#336699"/></svg>"##;
        let (color, pixels) = decode(&png(half, 4, 4).unwrap());
        assert_eq!(color, png::ColorType::Rgba);
        assert_eq!(&pixels[..4], &[0x33, 0x66, 0x99, 0xff]);
        assert_eq!(pixels[15], 0, "the right half is transparent");
    }

    #[test]
    fn a_canvas_drawn_on_again_shows_nothing_of_the_picture_before() {
        use crate::site::glyphs::Anchor;
        let document = |body: &str| {
            format!(
                r#"<svg xmlns="http://www.w3.org/2000/svg" width="300" height="200">{body}</svg>"#
            )
        };
        // A backdrop of its own, so no other test's canvases are in the way.
        let backdrop = document(
            r##"<rect width="300" height="200" fill="#204060"/><circle cx="290" cy="10" r="80" fill="#406080"/>"##,
        );
        let square = |side: u32| {
            png(
                &document(r##"<rect width="300" height="200" fill="#e76f51"/>"##),
                side,
                side,
            )
            .unwrap()
        };
        let logo = format!(
            r#"<image x="20" y="20" width="60" height="60" href="data:image/png;base64,{}"/>"#,
            base64::Engine::encode(&base64::engine::general_purpose::STANDARD, square(60))
        );
        let line = |text: &str, x: f32| Line {
            text: text.into(),
            weight: Weight::Bold,
            size: 36.0,
            x,
            baseline: 150.0,
            anchor: Anchor::Start,
            color: "#fafafa".into(),
        };
        let pictures = [
            (document(&logo), vec![line("Wide words here", 10.0)]),
            (
                document(r##"<rect x="250" y="150" width="50" height="50" fill="#111"/>"##),
                vec![],
            ),
            (document(""), vec![line("Al", 100.0)]),
            (document(&logo), vec![]),
        ];
        for (foreground, lines) in &pictures {
            let drawn = png_over(&backdrop, foreground, lines, 300, 200).unwrap();
            let mut fresh = Pixmap::new(300, 200).unwrap();
            draw_svg(&backdrop, &mut fresh).unwrap();
            draw_svg(foreground, &mut fresh).unwrap();
            glyphs::draw(lines, &mut fresh);
            assert!(
                drawn.as_ref() == encode(&fresh).unwrap().as_slice(),
                "{foreground} {lines:?}"
            );
        }
    }

    #[test]
    fn the_cache_keeps_the_entries_used_last_up_to_its_capacity() {
        let cache = Cache::new(2);
        let value = |b: u8| -> Arc<[u8]> { Arc::from(vec![b]) };
        cache.put([1; 32], value(1));
        cache.put([2; 32], value(2));
        assert!(cache.get(&[1; 32]).is_some(), "1 is now the one used last");
        cache.put([3; 32], value(3));
        assert_eq!(cache.get(&[2; 32]), None, "the least recently used went");
        assert!(cache.get(&[1; 32]).is_some() && cache.get(&[3; 32]).is_some());
        cache.put([3; 32], value(9));
        assert_eq!(
            cache.get(&[3; 32]).as_deref(),
            Some(&[3][..]),
            "the first is kept"
        );
    }
}
