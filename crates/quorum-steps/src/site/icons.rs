//! The site's icons, drawn from its mark: `favicon.ico` (16, 32 and 48 pixels, each a PNG
//! inside the ICO, as every browser since 2007 reads) and `apple-touch-icon.png` (180 × 180,
//! opaque, since iOS paints transparency black). The mark is the uploaded logo's smallest
//! rendition on a plate when there is one, else the generated initials tile of `logo.rs`.

use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;

use super::glyphs::Line;
use super::layout::{Ctx, LOGO_SIZE};
use super::logo;
use super::media::ImageVariant;
use super::palette::Palette;
use super::raster;
use super::seo::xml_escape;

pub const FAVICON_FILE: &str = "favicon.ico";
pub const TOUCH_ICON_FILE: &str = "apple-touch-icon.png";
/// The sizes inside `favicon.ico`: tabs, taskbars and desktop shortcuts.
pub const FAVICON_SIZES: [u32; 3] = [16, 32, 48];
pub const TOUCH_ICON_SIZE: u32 = 180;

/// The rendition of the uploaded logo the pictures embed: the smallest is plenty for a
/// 180-pixel icon and keeps the SVG that is hashed and parsed small.
pub(crate) fn uploaded_logo<'m>(ctx: &Ctx<'m>) -> Option<&'m ImageVariant> {
    let logo = ctx.inputs.logo.as_ref()?;
    let upload = ctx.media.images.get(&logo.upload)?;
    upload
        .variants
        .iter()
        .find(|v| ["image/png", "image/jpeg", "image/webp"].contains(&v.content_type.as_str()))
}

/// The site's mark: SVG elements drawn in a `size` × `size` box, the initials drawn over them
/// (the generated tile's), and the colour behind it (what fills an opaque icon's corners).
/// Kept as elements rather than a document so a larger picture places it with a transform:
/// resvg draws an SVG nested as an `<image>` on a scratch canvas the size of the whole
/// picture, which made the card four times slower.
pub(crate) struct Mark {
    pub body: String,
    pub lines: Vec<Line>,
    pub size: f32,
    pub backdrop: String,
}

impl Mark {
    /// The mark's shapes as a document of their own.
    pub(crate) fn document(&self) -> String {
        format!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="{s}" height="{s}" viewBox="0 0 {s} {s}">{body}</svg>"#,
            s = self.size,
            body = self.body,
        )
    }

    /// The mark's shapes drawn `side` pixels wide with its top left corner at `x`, `y`.
    pub(crate) fn placed(&self, x: f32, y: f32, side: f32) -> String {
        format!(
            r#"<g transform="translate({x} {y}) scale({scale})">{body}</g>"#,
            scale = side / self.size,
            body = self.body,
        )
    }

    /// The mark's lines placed as `placed` places its shapes.
    pub(crate) fn lines_placed(&self, x: f32, y: f32, side: f32) -> Vec<Line> {
        let scale = side / self.size;
        self.lines.iter().map(|l| l.placed(x, y, scale)).collect()
    }
}

pub(crate) fn mark(ctx: &Ctx, palette: &Palette) -> Mark {
    match uploaded_logo(ctx) {
        Some(variant) => Mark {
            body: format!(
                concat!(
                    r#"<rect width="100" height="100" rx="18" fill="{plate}"/>"#,
                    r#"<image x="10" y="10" width="80" height="80" preserveAspectRatio="xMidYMid meet" "#,
                    r#"href="data:{kind};base64,{data}"/>"#
                ),
                plate = xml_escape(&palette.surface),
                kind = xml_escape(&variant.content_type),
                data = BASE64.encode(&variant.bytes),
            ),
            lines: Vec::new(),
            size: 100.0,
            backdrop: palette.surface.clone(),
        },
        None => {
            let (body, initials) = logo::tile(&raster::drawable(ctx.name()), palette);
            Mark {
                body,
                lines: vec![initials],
                size: LOGO_SIZE as f32,
                backdrop: palette.header.clone(),
            }
        }
    }
}

pub(crate) fn favicon(ctx: &Ctx, palette: &Palette) -> Option<Vec<u8>> {
    let mark = mark(ctx, palette);
    let document = mark.document();
    let mut images = Vec::new();
    for size in FAVICON_SIZES {
        let lines = mark.lines_placed(0.0, 0.0, size as f32);
        images.push((size, raster::picture(&document, &lines, size, size)?));
    }
    Some(ico(&images))
}

pub(crate) fn touch_icon(ctx: &Ctx, palette: &Palette) -> Option<Vec<u8>> {
    let mark = mark(ctx, palette);
    let size = TOUCH_ICON_SIZE;
    let svg = format!(
        concat!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" viewBox="0 0 {size} {size}">"#,
            r#"<rect width="{size}" height="{size}" fill="{backdrop}"/>{mark}</svg>"#
        ),
        size = size,
        backdrop = xml_escape(&mark.backdrop),
        mark = mark.placed(0.0, 0.0, size as f32),
    );
    let lines = mark.lines_placed(0.0, 0.0, size as f32);
    raster::picture(&svg, &lines, size, size).map(|png| png.to_vec())
}

/// An ICO file holding PNGs: a six-byte header, a sixteen-byte entry per image, then the
/// images. All numbers little-endian; a width or height of 256 is written as 0.
fn ico(images: &[(u32, Arc<[u8]>)]) -> Vec<u8> {
    let header = 6 + 16 * images.len();
    let mut out =
        Vec::with_capacity(header + images.iter().map(|(_, png)| png.len()).sum::<usize>());
    out.extend_from_slice(&[0, 0, 1, 0]);
    out.extend_from_slice(&(images.len() as u16).to_le_bytes());
    let mut offset = header;
    for (size, png) in images {
        let side = if *size >= 256 { 0 } else { *size as u8 };
        out.extend_from_slice(&[side, side, 0, 0]);
        out.extend_from_slice(&1u16.to_le_bytes()); // colour planes
        out.extend_from_slice(&32u16.to_le_bytes()); // bits per pixel
        out.extend_from_slice(&(png.len() as u32).to_le_bytes());
        out.extend_from_slice(&(offset as u32).to_le_bytes());
        offset += png.len();
    }
    for (_, png) in images {
        out.extend_from_slice(png);
    }
    out
}

/// The images of an ICO file: each one's declared size and its bytes. `None` for anything
/// that is not an ICO whose entries lie inside it.
pub fn ico_images(bytes: &[u8]) -> Option<Vec<(u32, &[u8])>> {
    let u16_at = |at: usize| Some(u16::from_le_bytes(bytes.get(at..at + 2)?.try_into().ok()?));
    let u32_at = |at: usize| Some(u32::from_le_bytes(bytes.get(at..at + 4)?.try_into().ok()?));
    if u16_at(0)? != 0 || u16_at(2)? != 1 {
        return None;
    }
    let count = usize::from(u16_at(4)?);
    let mut images = Vec::with_capacity(count);
    for i in 0..count {
        let entry = 6 + 16 * i;
        let side = match *bytes.get(entry)? {
            0 => 256,
            side => u32::from(side),
        };
        let len = u32_at(entry + 8)? as usize;
        let offset = u32_at(entry + 12)? as usize;
        images.push((side, bytes.get(offset..offset.checked_add(len)?)?));
    }
    Some(images)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::site::png_size;

    #[test]
    fn an_ico_round_trips_with_its_sizes_and_offsets() {
        let a: Arc<[u8]> = Arc::from(vec![1u8; 5]);
        let b: Arc<[u8]> = Arc::from(vec![2u8; 7]);
        let bytes = ico(&[(16, a), (256, b)]);
        assert_eq!(&bytes[..6], &[0, 0, 1, 0, 2, 0]);
        assert_eq!(bytes.len(), 6 + 32 + 12);
        assert_eq!(bytes[6 + 16], 0, "256 is written as 0");
        let images = ico_images(&bytes).unwrap();
        assert_eq!(images, [(16, &[1u8; 5][..]), (256, &[2u8; 7][..])]);
    }

    #[test]
    fn what_is_not_an_ico_is_refused() {
        assert!(ico_images(b"\x89PNG\r\n\x1a\n").is_none());
        // An entry pointing past the end of the file.
        let mut bytes = ico(&[(16, Arc::from(vec![1u8; 5]))]);
        bytes.truncate(bytes.len() - 1);
        assert!(ico_images(&bytes).is_none());
    }

    #[test]
    fn ico_entries_are_pngs_of_their_declared_size() {
        let svg = r##"<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"><rect width="4" height="4" fill="#123456"/></svg>"##;
        let images: Vec<(u32, Arc<[u8]>)> = FAVICON_SIZES
            .iter()
            .map(|&s| (s, raster::png(svg, s, s).unwrap()))
            .collect();
        let bytes = ico(&images);
        for (side, png) in ico_images(&bytes).unwrap() {
            assert_eq!(png_size(png), Some((side, side)));
        }
    }

    #[test]
    fn the_favicon_holds_16_32_and_48_pixel_pngs_and_the_touch_icon_is_opaque() {
        use crate::site::tests::{seed, spec};
        use crate::site::{Media, generate};
        let site = generate(&seed(), &spec(), &Media::default());
        let favicon = &site.files[FAVICON_FILE].bytes;
        let images = ico_images(favicon).unwrap();
        let sizes: Vec<u32> = images.iter().map(|(side, _)| *side).collect();
        assert_eq!(sizes, FAVICON_SIZES);
        for (side, png) in images {
            assert_eq!(png_size(png), Some((side, side)));
        }
        let touch = &site.files[TOUCH_ICON_FILE].bytes;
        assert_eq!(png_size(touch), Some((180, 180)));
        let mut decoder = png::Decoder::new(std::io::Cursor::new(&touch[..]))
            .read_info()
            .unwrap();
        let mut pixels = vec![0; decoder.output_buffer_size().unwrap()];
        let frame = decoder.next_frame(&mut pixels).unwrap();
        // Opaque (iOS paints transparency black): RGB, which has no alpha to be anything else.
        assert_eq!(frame.color_type, png::ColorType::Rgb);
        assert_eq!(pixels.len(), 180 * 180 * 3);
    }

    /// A site whose logo is an upload with two renditions, a square PNG of `colour`.
    fn with_logo(colour: &str) -> (crate::site::SiteInputs, crate::site::Media) {
        use crate::site::{ImageRef, ImageVariant, Media, UploadedImage};
        let square = |side: u32| {
            ImageVariant {
            width: side,
            height: side,
            content_type: "image/png".into(),
            bytes: raster::png(
                &format!(
                    r#"<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"><rect width="8" height="8" fill="{colour}"/></svg>"#
                ),
                side,
                side,
            )
            .unwrap(),
        }
        };
        let upload = UploadedImage {
            id: "upl_logo".into(),
            width: 640,
            height: 640,
            variants: vec![square(64), square(640)],
        };
        let mut inputs = crate::site::tests::seed();
        inputs.logo = Some(ImageRef {
            upload: "upl_logo".into(),
            alt: None,
        });
        let media = Media {
            images: [("upl_logo".to_owned(), upload)].into(),
        };
        (inputs, media)
    }

    #[test]
    fn an_uploaded_logo_is_the_mark_in_its_smallest_rendition() {
        use crate::site::{generate, palette, tests::spec};
        let (inputs, media) = with_logo("#2a9d8f");
        let pages =
            crate::site::plan::plan(&inputs, crate::site::Words::for_language(inputs.language())).0;
        let spec = spec();
        let ctx = Ctx::new(&inputs, &spec, &pages, &media, crate::site::Theme::Studio);
        let mark = mark(&ctx, &palette(&inputs.brand_colors));
        let (svg, backdrop) = (mark.document(), mark.backdrop);
        let smallest = &media.images["upl_logo"].variants[0];
        assert!(svg.contains(&format!(
            "data:image/png;base64,{}",
            BASE64.encode(&smallest.bytes)
        )));
        assert_eq!(svg.matches("<image ").count(), 1);
        assert_eq!(backdrop, palette(&inputs.brand_colors).surface);

        let site = generate(&inputs, &spec, &media);
        let plain = generate(
            &crate::site::tests::seed(),
            &spec,
            &crate::site::Media::default(),
        );
        assert_ne!(site.files[FAVICON_FILE], plain.files[FAVICON_FILE]);
        let home = String::from_utf8(site.files["index.html"].bytes.to_vec()).unwrap();
        assert!(
            !home.contains("logo.svg\" type=\"image/svg+xml\""),
            "the initials are not its icon"
        );
        assert!(home.contains(r#""logo":"http://127.0.0.1:5000/sites/codex-digital-studios/assets/images/upl_logo-640.png""#));
    }

    #[test]
    fn the_generated_mark_is_the_logo_the_site_serves() {
        use crate::site::tests::{seed, spec};
        use crate::site::{LOGO_FILE, Media, generate, palette};
        use resvg::tiny_skia::Pixmap;
        let inputs = seed();
        let site = generate(&inputs, &spec(), &Media::default());
        let logo = String::from_utf8(site.files[LOGO_FILE].bytes.to_vec()).unwrap();
        let pages =
            crate::site::plan::plan(&inputs, crate::site::Words::for_language(inputs.language())).0;
        let (media, spec) = (Media::default(), spec());
        let ctx = Ctx::new(&inputs, &spec, &pages, &media, crate::site::Theme::Studio);
        let mark = mark(&ctx, &palette(&inputs.brand_colors));
        assert_eq!(mark.lines[0].text, "CD");
        for side in [48u32, 180] {
            let mut served = Pixmap::new(side, side).unwrap();
            raster::draw_svg(&logo, &mut served).unwrap();
            let mut drawn = Pixmap::new(side, side).unwrap();
            raster::draw_svg(&mark.document(), &mut drawn).unwrap();
            crate::site::glyphs::draw(&mark.lines_placed(0.0, 0.0, side as f32), &mut drawn);
            let (mean, _) = crate::site::glyphs::difference(&served, &drawn);
            assert!(mean < 0.5, "{side}: {mean:.3}");
            let mut blank = Pixmap::new(side, side).unwrap();
            raster::draw_svg(&mark.document(), &mut blank).unwrap();
            let (without_initials, _) = crate::site::glyphs::difference(&served, &blank);
            assert!(
                without_initials > 10.0 * mean.max(0.05),
                "{side}: the initials show"
            );
        }
    }
}
