//! Uploaded images: who sent each, what it was, and the renditions a site serves of it. A
//! rendition's bytes are a blob like any deployed file's, so a site that shows it deploys the
//! very same blob.

use chrono::{DateTime, Utc};

/// An image an agent uploaded, as it was received and as it was re-encoded. Never changed
/// once kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upload {
    /// `upl_` and random letters and digits.
    pub id: String,
    /// The principal that sent it.
    pub owner: String,
    pub created_at: DateTime<Utc>,
    /// The type the original was: `image/png`, `image/jpeg` or `image/webp`.
    pub content_type: String,
    /// The original's size as shown (after its orientation), in pixels.
    pub width: u32,
    pub height: u32,
    /// The original's length; the original itself is not kept.
    pub bytes: u64,
    /// Narrowest first.
    pub renditions: Vec<Rendition>,
}

/// One re-encoding of an upload at one width.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendition {
    pub width: u32,
    pub height: u32,
    pub content_type: String,
    /// The blob holding its bytes.
    pub hash: String,
    /// Its blob's length.
    pub bytes: u64,
}

impl Upload {
    /// The blobs `blobs` must hold for this upload to be kept: one per rendition, each under
    /// the hash its rendition names. A refusal names what is missing, so that a backend never
    /// keeps an upload whose renditions it cannot serve.
    pub fn check_blobs(&self, blobs: &[crate::Blob]) -> crate::StoreResult<()> {
        if self.renditions.is_empty() {
            return Err(crate::StoreError::Other(format!(
                "upload {} has no rendition",
                self.id
            )));
        }
        for rendition in &self.renditions {
            let blob = blobs.iter().find(|b| b.hash == rendition.hash);
            if blob.is_none_or(|b| b.bytes.len() as u64 != rendition.bytes) {
                return Err(crate::StoreError::NotFound(format!(
                    "the blob of upload {}'s {} px rendition",
                    self.id, rendition.width
                )));
            }
        }
        Ok(())
    }
}
