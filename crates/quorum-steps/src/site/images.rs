//! Uploaded pictures in the site: every rendition of each image the inputs name, as files
//! under `assets/images/`, and the `<img srcset>` that lets a browser fetch only the width it
//! needs. Widths and encodings were decided at upload; nothing is decoded here.

use maud::{Markup, html};

use super::SiteInputs;
use super::inputs::ImageRef;
use super::layout::{Ctx, LOGO_SIZE};
use super::media::{ImageVariant, Media, UploadedImage};
use super::slots;

/// Where a picture sits, which decides the widths a browser should pick from (`slots`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Placement {
    /// At the top of the home page: fetched first, never lazily.
    Hero,
    /// One of the gallery's pictures, in a grid of this many columns on a wide screen.
    Gallery { columns: u8 },
    /// A team member's portrait; `two_up` when a phone shows two members to a row.
    Portrait { two_up: bool },
}

/// The file one rendition is served from: `assets/images/upl_x-960.jpg`.
pub(crate) fn variant_path(id: &str, variant: &ImageVariant) -> String {
    let extension = match variant.content_type.as_str() {
        "image/png" => "png",
        "image/webp" => "webp",
        _ => "jpg",
    };
    format!("assets/images/{id}-{}.{extension}", variant.width)
}

/// Every rendition of every image the inputs name and `media` holds, by path.
pub(crate) fn files(inputs: &SiteInputs, media: &Media) -> Vec<(String, Vec<u8>)> {
    let mut files = Vec::new();
    for (_, image) in inputs.images() {
        if let Some(upload) = media.images.get(&image.upload) {
            for variant in &upload.variants {
                files.push((variant_path(&upload.id, variant), variant.bytes.to_vec()));
            }
        }
    }
    files
}

/// The upload an image names, when the site has it and it has a rendition.
pub(crate) fn upload<'m>(media: &'m Media, image: &ImageRef) -> Option<&'m UploadedImage> {
    media
        .images
        .get(&image.upload)
        .filter(|upload| !upload.variants.is_empty())
}

/// The `<img>` for an image at a placement, or nothing when the site lacks the upload.
/// `alt` is the image's own alt text, or `fallback_alt` (a logo's: the site's name).
pub(crate) fn img(
    ctx: &Ctx,
    image: &ImageRef,
    placement: Placement,
    fallback_alt: &str,
) -> Option<Markup> {
    let upload = upload(ctx.media, image)?;
    let srcset: Vec<String> = upload
        .variants
        .iter()
        .map(|v| format!("{} {}w", ctx.href(&variant_path(&upload.id, v)), v.width))
        .collect();
    // The src a browser without srcset takes: the widest that is not huge.
    let fallback = upload
        .variants
        .iter()
        .rev()
        .find(|v| v.width <= 1024)
        .or(upload.variants.first())?;
    let alt = image.alt.as_deref().map(str::trim).unwrap_or(fallback_alt);
    let hero = placement == Placement::Hero;
    Some(html! {
        img src=(ctx.href(&variant_path(&upload.id, fallback)))
            srcset=(srcset.join(", "))
            sizes=(slots::sizes(placement, ctx.theme, upload.width, upload.height))
            width=(fallback.width) height=(fallback.height)
            alt=(alt)
            // A hero is loaded at once, as an image without `loading` is.
            loading=[(!hero).then_some("lazy")]
            fetchpriority=[hero.then_some("high")]
            decoding="async";
    })
}

/// The widest an uploaded logo is drawn beside the name, as a multiple of its height.
const LOGO_MAX_ASPECT: u32 = 4;

/// The header's uploaded logo, [`LOGO_SIZE`] pixels high at its own proportions (at most
/// four times as wide), or None when the inputs name none or the site lacks it: the drawn
/// logo then stands in. `fallback_alt` is the alt text when the logo's own is absent.
pub(crate) fn logo(ctx: &Ctx, fallback_alt: &str) -> Option<Markup> {
    let image = ctx.inputs.logo.as_ref()?;
    let upload = upload(ctx.media, image)?;
    let width = (u64::from(LOGO_SIZE) * u64::from(upload.width) / u64::from(upload.height.max(1)))
        .clamp(1, u64::from(LOGO_SIZE * LOGO_MAX_ASPECT));
    // The renditions up to the first that is sharp at three device pixels to a CSS pixel:
    // wider ones would never be chosen. Usually that is the narrowest alone, and then a
    // srcset would only repeat the src on every page.
    let sharp = upload
        .variants
        .iter()
        .position(|v| u64::from(v.width) >= 3 * width)
        .unwrap_or(upload.variants.len() - 1);
    let candidates = &upload.variants[..=sharp];
    let srcset: Vec<String> = candidates
        .iter()
        .map(|v| format!("{} {}w", ctx.href(&variant_path(&upload.id, v)), v.width))
        .collect();
    let narrowest = candidates.first()?;
    let choice = candidates.len() > 1;
    let alt = image
        .alt
        .as_deref()
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .unwrap_or(fallback_alt);
    Some(html! {
        img.brand-logo src=(ctx.href(&variant_path(&upload.id, narrowest)))
            srcset=[choice.then(|| srcset.join(", "))]
            sizes=[choice.then(|| format!("{width}px"))]
            width=(width) height=(LOGO_SIZE)
            alt=(alt)
            decoding="async";
    })
}

/// `^upl_[a-z0-9]{1,60}$`, as the type's schema says.
pub fn valid_upload_id(id: &str) -> bool {
    id.strip_prefix("upl_").is_some_and(|tail| {
        (1..=60).contains(&tail.len())
            && tail
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    })
}

#[cfg(test)]
#[path = "images_tests.rs"]
mod tests;
