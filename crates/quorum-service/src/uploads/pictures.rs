//! What an uploaded picture must be, and what Quorum keeps of it. Its type comes from its first
//! bytes and its size from its header, both checked before a pixel is decoded, so that a
//! 20,000 × 20,000 PNG of a few bytes is refused without allocating its 1.6 GB. A picture that
//! passes is decoded once, turned as its metadata says, scaled to the widths sites show and
//! re-encoded, which leaves every other piece of metadata (location, camera, comments) behind.

use std::io::Cursor;

use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::{CompressionType, FilterType as PngFilter, PngEncoder};
use image::imageops::FilterType;
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits, metadata::Orientation};

/// The longest body an upload may have.
pub const MAX_BYTES: usize = 10 * 1024 * 1024;
/// The most pixels a picture may have on a side, and in all.
pub const MAX_SIDE: u32 = 8_000;
pub const MAX_PIXELS: u64 = 40_000_000;
/// The widths renditions are made at, below a picture's own; the widest is the cap.
pub const WIDTHS: [u32; 3] = [480, 960, 1600];
const JPEG_QUALITY: u8 = 80;

/// The header a refusal of the declared type names.
pub const CONTENT_TYPE_FIELD: &str = "Content-Type";
pub const BODY_FIELD: &str = "body";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Png,
    Jpeg,
    WebP,
}

impl Format {
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Png => "image/png",
            Format::Jpeg => "image/jpeg",
            Format::WebP => "image/webp",
        }
    }

    fn name(self) -> &'static str {
        match self {
            Format::Png => "PNG",
            Format::Jpeg => "JPEG",
            Format::WebP => "WebP",
        }
    }

    fn image_format(self) -> ImageFormat {
        match self {
            Format::Png => ImageFormat::Png,
            Format::Jpeg => ImageFormat::Jpeg,
            Format::WebP => ImageFormat::WebP,
        }
    }

    /// The format a `Content-Type` names (its parameters and case aside), if accepted.
    fn declared(content_type: &str) -> Option<Self> {
        let essence = content_type.split(';').next().unwrap_or_default().trim();
        [Format::Png, Format::Jpeg, Format::WebP]
            .into_iter()
            .find(|f| essence.eq_ignore_ascii_case(f.content_type()))
    }

    /// The format whose magic number `bytes` start with.
    fn sniffed(bytes: &[u8]) -> Option<Self> {
        if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(Format::Png)
        } else if bytes.starts_with(&[0xff, 0xd8, 0xff]) {
            Some(Format::Jpeg)
        } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
            Some(Format::WebP)
        } else {
            None
        }
    }
}

/// Why a picture is refused: the field at fault, the rule it breaks, and a sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub field: &'static str,
    pub rule: &'static str,
    pub message: String,
}

fn refuse(field: &'static str, rule: &'static str, message: String) -> Refusal {
    Refusal {
        field,
        rule,
        message,
    }
}

/// A picture that passed every check made before decoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Checked {
    pub format: Format,
    /// As its header says, before any turn its metadata asks for.
    pub width: u32,
    pub height: u32,
}

/// Checks the declared type, the magic number, the two agree, and the header's size; nothing
/// is decoded.
pub fn check(declared: Option<&str>, bytes: &[u8]) -> Result<Checked, Refusal> {
    const ACCEPTED: &str = "image/png, image/jpeg or image/webp";
    let declared = declared.map(str::trim).filter(|d| !d.is_empty());
    let Some(declared) = declared else {
        return Err(refuse(
            CONTENT_TYPE_FIELD,
            "required",
            format!("{CONTENT_TYPE_FIELD} must name the picture's type: {ACCEPTED}"),
        ));
    };
    let Some(claimed) = Format::declared(declared) else {
        let why = match declared.to_ascii_lowercase().contains("svg") {
            true => "SVG is not accepted, as it can carry scripts and links; send",
            false => "send",
        };
        return Err(refuse(
            CONTENT_TYPE_FIELD,
            "enum",
            format!("{CONTENT_TYPE_FIELD} {declared:?} is not accepted: {why} {ACCEPTED}"),
        ));
    };
    if bytes.len() > MAX_BYTES {
        return Err(refuse(
            BODY_FIELD,
            "max_bytes",
            format!(
                "{BODY_FIELD} is {} bytes; a picture may be at most {MAX_BYTES} bytes (10 MiB)",
                bytes.len()
            ),
        ));
    }
    let Some(format) = Format::sniffed(bytes) else {
        let text = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
        let markup = text.trim_ascii_start().starts_with(b"<");
        return Err(match markup {
            true => refuse(
                BODY_FIELD,
                "format",
                format!(
                    "{BODY_FIELD} is SVG or other markup, which is not accepted: send a PNG, JPEG or WebP picture"
                ),
            ),
            false => refuse(
                BODY_FIELD,
                "magic",
                format!(
                    "{BODY_FIELD} is not a {} picture: its first bytes are not the magic number of PNG, JPEG or WebP",
                    claimed.name()
                ),
            ),
        });
    };
    if format != claimed {
        return Err(refuse(
            CONTENT_TYPE_FIELD,
            "matches_body",
            format!(
                "{CONTENT_TYPE_FIELD} says {} but {BODY_FIELD} is a {} picture",
                claimed.content_type(),
                format.name()
            ),
        ));
    }
    let (width, height) = header_size(format, bytes)?;
    if width > MAX_SIDE || height > MAX_SIDE {
        return Err(refuse(
            BODY_FIELD,
            "max_side",
            format!(
                "{BODY_FIELD} is {width} × {height} pixels; a side may be at most {MAX_SIDE} pixels"
            ),
        ));
    }
    if u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(refuse(
            BODY_FIELD,
            "max_pixels",
            format!(
                "{BODY_FIELD} is {width} × {height} pixels; a picture may have at most 40 megapixels"
            ),
        ));
    }
    Ok(Checked {
        format,
        width,
        height,
    })
}

fn undecodable(format: Format, why: impl std::fmt::Display) -> Refusal {
    refuse(
        BODY_FIELD,
        "decodable",
        format!(
            "{BODY_FIELD} cannot be read as a {} picture: {why}",
            format.name()
        ),
    )
}

/// The size a picture's header gives. A PNG's is its first chunk, read here so that a header
/// alone (no pixel data after it) is still measured; the others' decoders read only their
/// headers when made.
fn header_size(format: Format, bytes: &[u8]) -> Result<(u32, u32), Refusal> {
    let (width, height) = match format {
        Format::Png => match bytes.get(12..24) {
            Some(ihdr) if &ihdr[..4] == b"IHDR" => (
                u32::from_be_bytes([ihdr[4], ihdr[5], ihdr[6], ihdr[7]]),
                u32::from_be_bytes([ihdr[8], ihdr[9], ihdr[10], ihdr[11]]),
            ),
            _ => return Err(undecodable(format, "it has no image header")),
        },
        Format::Jpeg | Format::WebP => {
            let mut reader = ImageReader::with_format(Cursor::new(bytes), format.image_format());
            reader.no_limits();
            reader
                .into_dimensions()
                .map_err(|e| undecodable(format, e))?
        }
    };
    if width == 0 || height == 0 {
        return Err(undecodable(format, "its header gives it no pixels"));
    }
    Ok((width, height))
}

/// One re-encoding of a picture.
#[derive(Clone, PartialEq, Eq)]
pub struct Encoded {
    pub width: u32,
    pub height: u32,
    pub content_type: &'static str,
    pub bytes: Vec<u8>,
}

impl std::fmt::Debug for Encoded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Encoded")
            .field("width", &self.width)
            .field("height", &self.height)
            .field("content_type", &self.content_type)
            .field("bytes", &self.bytes.len())
            .finish()
    }
}

/// A decoded picture's renditions, narrowest first, and its size as shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Renditions {
    pub width: u32,
    pub height: u32,
    pub renditions: Vec<Encoded>,
}

/// The widths of a picture `original` pixels wide: each of [`WIDTHS`] below it, and its own
/// width (at most the widest) unless one of those is within a fifth of it. Never wider than
/// the original, so a picture narrower than the narrowest gets one rendition.
pub fn widths(original: u32) -> Vec<u32> {
    let widest = original.min(WIDTHS[WIDTHS.len() - 1]);
    let mut widths: Vec<u32> = WIDTHS.into_iter().filter(|w| *w < widest).collect();
    match widths.last_mut() {
        Some(last) if widest <= *last + *last / 5 => *last = widest,
        _ => widths.push(widest),
    }
    widths
}

/// Decodes a checked picture and makes its renditions: JPEG for an opaque picture, PNG for one
/// with any transparent pixel (JPEG has no alpha).
pub fn renditions(checked: Checked, bytes: &[u8]) -> Result<Renditions, Refusal> {
    let format = checked.format;
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format.image_format());
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    // The most a picture within the pixel limit takes decoded: 16-bit RGBA.
    limits.max_alloc = Some(MAX_PIXELS * 8);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(|e| undecodable(format, e))?;
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let mut picture = DynamicImage::from_decoder(decoder).map_err(|e| undecodable(format, e))?;
    picture.apply_orientation(orientation);
    let transparent = match &picture {
        DynamicImage::ImageRgba8(rgba) => rgba.pixels().any(|p| p.0[3] != u8::MAX),
        other if other.color().has_alpha() => other.to_rgba8().pixels().any(|p| p.0[3] != u8::MAX),
        _ => false,
    };
    let picture = match transparent {
        true => DynamicImage::ImageRgba8(picture.into_rgba8()),
        false => DynamicImage::ImageRgb8(picture.into_rgb8()),
    };
    let (width, height) = (picture.width(), picture.height());
    let mut renditions = Vec::new();
    // Widest first, each scaled from the one before: every step shrinks at most about twofold,
    // which a cubic filter does well, and costs a fraction of scaling from the original.
    let mut source = picture;
    for target in widths(width).into_iter().rev() {
        let target_height = scaled_height(width, height, target);
        if source.width() != target {
            source = source.resize_exact(target, target_height, FilterType::CatmullRom);
        }
        renditions.push(encode(&source, transparent)?);
    }
    renditions.reverse();
    Ok(Renditions {
        width,
        height,
        renditions,
    })
}

/// The height of a `width` × `height` picture scaled to `target` wide, at least a pixel.
fn scaled_height(width: u32, height: u32, target: u32) -> u32 {
    let scaled = (u64::from(height) * u64::from(target) + u64::from(width) / 2) / u64::from(width);
    u32::try_from(scaled).unwrap_or(u32::MAX).max(1)
}

fn encode(picture: &DynamicImage, transparent: bool) -> Result<Encoded, Refusal> {
    let mut bytes = Vec::new();
    let (written, content_type) = match transparent {
        true => (
            picture.write_with_encoder(PngEncoder::new_with_quality(
                &mut bytes,
                CompressionType::Default,
                PngFilter::Adaptive,
            )),
            "image/png",
        ),
        false => (
            picture.write_with_encoder(JpegEncoder::new_with_quality(&mut bytes, JPEG_QUALITY)),
            "image/jpeg",
        ),
    };
    // Encoding pixels already decoded fails only on a size the checks refuse.
    written.map_err(|e| {
        refuse(
            BODY_FIELD,
            "encodable",
            format!("{BODY_FIELD} was decoded but could not be re-encoded: {e}"),
        )
    })?;
    Ok(Encoded {
        width: picture.width(),
        height: picture.height(),
        content_type,
        bytes,
    })
}
