//! The uploaded images a site's inputs name, as the generator takes them: decoded, checked
//! and re-encoded at responsive widths when they were uploaded, so generating a site never
//! decodes an image. The steps load them through their `SiteStore`; generation stays pure.

use std::collections::BTreeMap;
use std::sync::Arc;

/// The images a site may use, by upload id. An id the inputs name but this lacks is left
/// out of the site (the inputs' checks are where a missing upload is reported).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Media {
    pub images: BTreeMap<String, UploadedImage>,
}

/// One upload: its original size and its renditions, narrowest first.
#[derive(Debug, Clone, PartialEq)]
pub struct UploadedImage {
    pub id: String,
    pub width: u32,
    pub height: u32,
    pub variants: Vec<ImageVariant>,
}

/// One rendition of an upload at one width.
#[derive(Debug, Clone, PartialEq)]
pub struct ImageVariant {
    pub width: u32,
    pub height: u32,
    /// `image/jpeg`, `image/png` or `image/webp`.
    pub content_type: String,
    pub bytes: Arc<[u8]>,
}
