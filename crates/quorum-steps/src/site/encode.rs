//! Pictures to PNG: fast enough that a site's social card costs about a millisecond to encode.

use resvg::tiny_skia::{Pixmap, PremultipliedColorU8};

/// Each row filtered Up and deflated with fdeflate's fastest mode: flat colours leave rows
/// like the one above, which Up turns into zeros, so it loses little to the slower modes (the
/// card is ~90 KB against ~35 KB) and takes a millisecond where they take four to twelve. An
/// opaque picture (the card, the touch icon) is written as RGB, a quarter fewer bytes to
/// filter and deflate, and as drawn: premultiplied and straight colour are the same when
/// every alpha is 255. Anything else is RGBA with its colour demultiplied. Rows are converted
/// one at a time into a buffer that stays in the cache, as the encoder filters and deflates
/// them: a whole converted copy of the card was 2 MB more to write and read back.
pub(super) fn encode(pixmap: &Pixmap) -> Option<Vec<u8>> {
    encode_as(pixmap, opaque(pixmap))
}

/// Whether every pixel is opaque: every pixel as a word, ANDed together, whose top byte is
/// then the alphas', in a loop that vectorises (picking out every fourth byte does not).
pub(super) fn opaque(pixmap: &Pixmap) -> bool {
    pixmap
        .data()
        .chunks_exact(4)
        .map(|pixel| u32::from_le_bytes([pixel[0], pixel[1], pixel[2], pixel[3]]))
        .fold(u32::MAX, |all, pixel| all & pixel)
        >> 24
        == 0xff
}

/// `encode`, told whether `pixmap` is opaque.
pub(super) fn encode_as(pixmap: &Pixmap, opaque: bool) -> Option<Vec<u8>> {
    let data = pixmap.data();
    let width = pixmap.width() as usize;
    let (color, channels) = if opaque {
        (png::ColorType::Rgb, 3)
    } else {
        (png::ColorType::Rgba, 4)
    };
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, pixmap.width(), pixmap.height());
    encoder.set_color(color);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::Fastest);
    let mut writer = encoder.write_header().ok()?;
    let mut stream = writer.stream_writer_with_size(1 << 17).ok()?;
    let mut row = vec![0; width * channels];
    let rows = data.chunks_exact(width * 4);
    for (bytes, pixels) in rows.zip(pixmap.pixels().chunks_exact(width)) {
        if opaque {
            rgb_row(bytes, &mut row);
        } else {
            straight_row(pixels, &mut row);
        }
        std::io::Write::write_all(&mut stream, &row).ok()?;
    }
    stream.finish().ok()?;
    writer.finish().ok()?;
    Some(out)
}

/// The colour of a row of opaque pixels, four at a time as three words: compilers do not
/// vectorise the byte-by-byte copy, and this runs over every pixel of the card.
fn rgb_row(rgba: &[u8], rgb: &mut [u8]) {
    let quads = rgba.len() / 16;
    for (to, from) in rgb.chunks_exact_mut(12).zip(rgba.chunks_exact(16)) {
        let from: &[u8; 16] = from.try_into().expect("chunks of 16");
        let word = |i: usize| u32::from_le_bytes([from[i], from[i + 1], from[i + 2], from[i + 3]]);
        let (a, b, c, d) = (word(0), word(4), word(8), word(12));
        to[0..4].copy_from_slice(&(a & 0x00ff_ffff | b << 24).to_le_bytes());
        to[4..8].copy_from_slice(&(b >> 8 & 0xffff | c << 16).to_le_bytes());
        to[8..12].copy_from_slice(&(c >> 16 & 0xff | d << 8).to_le_bytes());
    }
    let rest = rgb[quads * 12..].chunks_exact_mut(3);
    for (to, from) in rest.zip(rgba[quads * 16..].chunks_exact(4)) {
        to.copy_from_slice(&from[..3]);
    }
}

/// A row of pixels with their colour demultiplied, as PNG stores it.
fn straight_row(pixels: &[PremultipliedColorU8], straight: &mut [u8]) {
    for (to, pixel) in straight.chunks_exact_mut(4).zip(pixels) {
        let c = pixel.demultiply();
        to.copy_from_slice(&[c.red(), c.green(), c.blue(), c.alpha()]);
    }
}

/// A PNG's width and height, from its IHDR chunk; `None` for anything else.
pub fn png_size(bytes: &[u8]) -> Option<(u32, u32)> {
    const SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";
    if bytes.len() < 24 || !bytes.starts_with(SIGNATURE) || &bytes[12..16] != b"IHDR" {
        return None;
    }
    let be =
        |at: usize| u32::from_be_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]);
    Some((be(16), be(20)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_row_keeps_its_colours_whatever_its_width() {
        for width in [1usize, 3, 4, 5, 16, 17, 1200] {
            let rgba: Vec<u8> = (0..width * 4).map(|i| (i * 37 % 251) as u8).collect();
            let mut rgb = vec![0; width * 3];
            rgb_row(&rgba, &mut rgb);
            let expected: Vec<u8> = rgba.chunks(4).flat_map(|p| p[..3].to_vec()).collect();
            assert_eq!(rgb, expected, "{width}");
        }
    }

    #[test]
    fn png_size_reads_only_pngs() {
        assert_eq!(png_size(b"GIF89a..................."), None);
        assert_eq!(png_size(b"\x89PNG\r\n\x1a\n"), None);
    }
}
