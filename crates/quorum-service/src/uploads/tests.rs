//! The picture checks and renditions, on pictures made here.

use std::io::Cursor;

use image::{DynamicImage, ImageEncoder, ImageFormat, Rgb, RgbImage, Rgba, RgbaImage};

use super::pictures::*;

fn opaque(width: u32, height: u32) -> DynamicImage {
    DynamicImage::ImageRgb8(RgbImage::from_fn(width, height, |x, y| {
        Rgb([(x % 256) as u8, (y % 256) as u8, 128])
    }))
}

fn encoded(picture: &DynamicImage, format: ImageFormat) -> Vec<u8> {
    let mut bytes = Cursor::new(Vec::new());
    picture.write_to(&mut bytes, format).unwrap();
    bytes.into_inner()
}

/// A PNG signature and an image header for `width` × `height`, and no pixels.
fn png_header(width: u32, height: u32) -> Vec<u8> {
    let mut ihdr = b"IHDR".to_vec();
    ihdr.extend(width.to_be_bytes());
    ihdr.extend(height.to_be_bytes());
    ihdr.extend([8, 6, 0, 0, 0]);
    let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
    bytes.extend(13u32.to_be_bytes());
    bytes.extend(&ihdr);
    bytes.extend(crc32(&ihdr).to_be_bytes());
    bytes
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = u32::MAX;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn refusal(declared: &str, bytes: &[u8]) -> Refusal {
    check(Some(declared), bytes).expect_err("refused")
}

#[test]
fn only_png_jpeg_and_webp_are_accepted_and_the_bytes_must_say_so() {
    let png = encoded(&opaque(8, 8), ImageFormat::Png);
    let jpeg = encoded(&opaque(8, 8), ImageFormat::Jpeg);
    let webp = encoded(&opaque(8, 8), ImageFormat::WebP);
    for (declared, bytes, format) in [
        ("image/png", &png, Format::Png),
        ("image/jpeg", &jpeg, Format::Jpeg),
        ("IMAGE/WEBP; q=1", &webp, Format::WebP),
    ] {
        let checked = check(Some(declared), bytes).unwrap();
        assert_eq!(
            (checked.format, checked.width, checked.height),
            (format, 8, 8)
        );
    }
    let svg =
        b"\xef\xbb\xbf  <svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>";
    let refused = refusal("image/svg+xml", svg);
    assert_eq!((refused.field, refused.rule), (CONTENT_TYPE_FIELD, "enum"));
    assert!(
        refused.message.contains("SVG is not accepted"),
        "{}",
        refused.message
    );
    let refused = refusal("image/png", svg);
    assert_eq!(
        (refused.field, refused.rule),
        (BODY_FIELD, "format"),
        "an SVG sent as a PNG"
    );
    let mut wrong_magic = png.clone();
    wrong_magic[1] = b'Q';
    let refused = refusal("image/png", &wrong_magic);
    assert_eq!((refused.field, refused.rule), (BODY_FIELD, "magic"));
    let refused = refusal("image/jpeg", &png);
    assert_eq!(
        (refused.field, refused.rule),
        (CONTENT_TYPE_FIELD, "matches_body")
    );
    assert!(
        refused.message.contains("is a PNG picture"),
        "{}",
        refused.message
    );
    for declared in ["image/gif", "text/html", "image/jpg"] {
        assert_eq!(refusal(declared, &png).rule, "enum", "{declared}");
    }
    assert_eq!(check(None, &png).unwrap_err().rule, "required");
    assert_eq!(
        refusal("image/png", &vec![0; MAX_BYTES + 1]).rule,
        "max_bytes"
    );
}

#[test]
fn sizes_are_refused_from_the_header_alone() {
    let refused = refusal("image/png", &png_header(20_000, 20_000));
    assert_eq!((refused.field, refused.rule), (BODY_FIELD, "max_side"));
    assert!(
        refused.message.contains("20000 × 20000"),
        "{}",
        refused.message
    );
    assert_eq!(
        refusal("image/png", &png_header(7_000, 7_000)).rule,
        "max_pixels"
    );
    assert_eq!(refusal("image/png", &png_header(0, 10)).rule, "decodable");
    assert_eq!(refusal("image/png", b"\x89PNG\r\n\x1a\n").rule, "decodable");
    let checked = check(Some("image/png"), &png_header(8_000, 5_000)).unwrap();
    assert_eq!((checked.width, checked.height), (8_000, 5_000));
    // Passing the header is not passing the decoder: a header without its pixels.
    let refused = renditions(checked, &png_header(8_000, 5_000)).unwrap_err();
    assert_eq!(refused.rule, "decodable");
    let noise: Vec<u8> = [0xff, 0xd8, 0xff]
        .into_iter()
        .chain((0..4_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8))
        .collect();
    let checked = check(Some("image/jpeg"), &noise);
    let refused = checked.and_then(|c| renditions(c, &noise)).unwrap_err();
    assert_eq!(
        refused.rule, "decodable",
        "a JPEG's magic number and then noise"
    );
}

#[test]
fn widths_step_up_to_the_cap_and_never_past_the_original() {
    assert_eq!(widths(4_000), [480, 960, 1600]);
    assert_eq!(widths(1_600), [480, 960, 1600]);
    assert_eq!(widths(1_200), [480, 960, 1200]);
    assert_eq!(widths(1_000), [480, 1000], "960 and 1000 are one width");
    assert_eq!(widths(500), [500]);
    assert_eq!(widths(300), [300], "narrower than 480: one rendition");
    assert_eq!(widths(1), [1]);
}

#[test]
fn an_opaque_picture_becomes_jpegs_at_each_width() {
    let bytes = encoded(&opaque(2_000, 1_000), ImageFormat::Png);
    let made = renditions(check(Some("image/png"), &bytes).unwrap(), &bytes).unwrap();
    assert_eq!((made.width, made.height), (2_000, 1_000));
    let sizes: Vec<(u32, u32, &str)> = made
        .renditions
        .iter()
        .map(|r| (r.width, r.height, r.content_type))
        .collect();
    assert_eq!(
        sizes,
        [
            (480, 240, "image/jpeg"),
            (960, 480, "image/jpeg"),
            (1600, 800, "image/jpeg")
        ]
    );
    for r in &made.renditions {
        let back = image::load_from_memory_with_format(&r.bytes, ImageFormat::Jpeg).unwrap();
        assert_eq!((back.width(), back.height()), (r.width, r.height));
    }
    let again = renditions(check(Some("image/png"), &bytes).unwrap(), &bytes).unwrap();
    assert_eq!(again, made, "the same picture gives the same bytes");
}

#[test]
fn a_picture_with_transparency_stays_transparent_as_png() {
    let logo = DynamicImage::ImageRgba8(RgbaImage::from_fn(300, 120, |x, _| {
        Rgba([200, 40, 40, if x < 150 { 255 } else { 0 }])
    }));
    let bytes = encoded(&logo, ImageFormat::WebP);
    let made = renditions(check(Some("image/webp"), &bytes).unwrap(), &bytes).unwrap();
    assert_eq!(made.renditions.len(), 1, "narrower than 480");
    let only = &made.renditions[0];
    assert_eq!(
        (only.width, only.height, only.content_type),
        (300, 120, "image/png")
    );
    let back = image::load_from_memory_with_format(&only.bytes, ImageFormat::Png).unwrap();
    assert_eq!(back.to_rgba8().get_pixel(299, 0).0[3], 0);
    // An alpha channel every pixel of which is opaque is no reason for PNG.
    let solid = DynamicImage::ImageRgba8(RgbaImage::from_pixel(500, 500, Rgba([1, 2, 3, 255])));
    let bytes = encoded(&solid, ImageFormat::Png);
    let made = renditions(check(Some("image/png"), &bytes).unwrap(), &bytes).unwrap();
    assert_eq!(made.renditions[0].content_type, "image/jpeg");
}

/// A TIFF-style Exif block saying "turn 90° clockwise", with a location after it.
fn exif_turned_with_a_secret() -> Vec<u8> {
    let mut exif = b"II*\0".to_vec();
    exif.extend(8u32.to_le_bytes());
    exif.extend(1u16.to_le_bytes());
    exif.extend(0x0112u16.to_le_bytes());
    exif.extend(3u16.to_le_bytes());
    exif.extend(1u32.to_le_bytes());
    exif.extend(6u32.to_le_bytes());
    exif.extend(0u32.to_le_bytes());
    exif.extend(b"GPS 51.5007N 0.1246W home of the owner");
    exif
}

#[test]
fn a_picture_is_turned_as_its_metadata_says_and_the_metadata_is_dropped() {
    let mut bytes = Vec::new();
    let mut encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, 90);
    encoder
        .set_exif_metadata(exif_turned_with_a_secret())
        .unwrap();
    let picture = opaque(600, 300);
    encoder
        .write_image(picture.as_bytes(), 600, 300, image::ExtendedColorType::Rgb8)
        .unwrap();
    assert!(
        bytes.windows(3).any(|w| w == b"GPS"),
        "the upload carries it"
    );
    let checked = check(Some("image/jpeg"), &bytes).unwrap();
    let made = renditions(checked, &bytes).unwrap();
    assert_eq!(
        (made.width, made.height),
        (300, 600),
        "upright, as a viewer shows it"
    );
    assert_eq!(
        made.renditions
            .iter()
            .map(|r| (r.width, r.height))
            .collect::<Vec<_>>(),
        [(300, 600)]
    );
    for r in &made.renditions {
        assert!(
            !r.bytes.windows(3).any(|w| w == b"GPS"),
            "no metadata survives"
        );
        assert!(!r.bytes.windows(4).any(|w| w == b"Exif"));
    }
}
