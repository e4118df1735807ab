//! Pictures agents upload for their sites: checked and re-encoded once, here, then kept in the
//! database (every server and worker sees them); the inputs of a website workflow name them
//! by id, creation checks each is the creator's, and the steps load their renditions.

mod pictures;
#[cfg(test)]
mod tests;

use std::sync::Arc;

use quorum_domain::{FieldError, Principal, Role, WorkflowTypeDefinition};
use quorum_steps::StepError;
use quorum_steps::site::{ImageVariant, Media, SiteInputs, UploadedImage, valid_upload_id};
use quorum_store::{Blob, Hit, Rendition, StoreError, Upload};
use rand::RngExt;
use serde_json::Value;

pub use pictures::MAX_BYTES;

use crate::sites::{Sites, content_hash};
use crate::{Quorum, ServiceError, ServiceResult, auth};

/// Uploads one principal may send in a minute; decoding is the costliest thing an agent can
/// ask of a server.
pub const UPLOADS_PER_MINUTE: u32 = 30;

/// What bounds the decoding of uploads in one process.
pub(crate) struct Decoding {
    /// One picture per core at a time: a decode takes a core and up to 320 MB, so more at once
    /// would only add memory and wait.
    permits: tokio::sync::Semaphore,
}

impl Decoding {
    pub fn new() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        Self {
            permits: tokio::sync::Semaphore::new(cores),
        }
    }
}

/// `upl_` and sixteen random lowercase letters and digits (82 bits): an id that says nothing
/// of when or by whom, and that nobody guesses.
fn new_upload_id() -> String {
    const DIGITS: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut rng = rand::rng();
    let tail: String = (0..16)
        .map(|_| DIGITS[rng.random_range(0..DIGITS.len())] as char)
        .collect();
    format!("upl_{tail}")
}

fn refused(refusal: pictures::Refusal) -> ServiceError {
    ServiceError::invalid(
        format!("the picture cannot be accepted: {}", refusal.message),
        vec![FieldError::new(
            refusal.field,
            refusal.rule,
            refusal.message,
        )],
    )
}

/// Whether an agent (or an admin) may use `upload`: its owner, or any admin.
fn may_use(caller: &Principal, upload: &Upload) -> bool {
    upload.owner == caller.id || caller.roles.contains(&Role::Admin)
}

impl Quorum {
    /// Checks, decodes and re-encodes a picture `content_type` says is PNG, JPEG or WebP, and
    /// keeps its renditions; agents and admins.
    pub async fn upload(
        &self,
        caller: &Principal,
        content_type: Option<&str>,
        body: Vec<u8>,
    ) -> ServiceResult<Upload> {
        auth::require(caller, Role::Agent)?;
        let now = quorum_domain::time::now();
        // Counted before anything is read, refusals included: a client that keeps sending
        // what is refused stays refused, and costs a server one upsert per attempt.
        let counts = self
            .store
            .count_hit(&Hit {
                key: format!("upload:{}", caller.id),
                at: now,
                window: chrono::Duration::minutes(1),
            })
            .await?;
        if counts.estimate(now) > f64::from(UPLOADS_PER_MINUTE) {
            return Err(ServiceError::RateLimited(format!(
                "at most {UPLOADS_PER_MINUTE} pictures a minute may be uploaded; try again shortly"
            )));
        }
        let checked = pictures::check(content_type, &body).map_err(refused)?;
        let length = body.len();
        let started = std::time::Instant::now();
        // The semaphore is never closed, so a permit always comes.
        let permit = self.decoding.permits.acquire().await.ok();
        let decoded =
            tokio::task::spawn_blocking(move || pictures::renditions(checked, &body)).await;
        drop(permit);
        let made = match decoded {
            Ok(made) => made.map_err(refused)?,
            // A decoder that panics on a picture is a bug to fix, and still the picture's
            // refusal, not the server's failure.
            Err(e) => {
                tracing::error!(owner = caller.id, error = %e, "decoding an uploaded picture panicked");
                return Err(refused(pictures::Refusal {
                    field: pictures::BODY_FIELD,
                    rule: "decodable",
                    message: format!("{} cannot be decoded", pictures::BODY_FIELD),
                }));
            }
        };
        let decode_ms = started.elapsed().as_millis() as u64;
        let blobs: Vec<Blob> = made
            .renditions
            .iter()
            .map(|r| Blob {
                hash: content_hash(&r.bytes),
                bytes: r.bytes.clone(),
                // Compressed pictures gain nothing from gzip.
                gzip: None,
            })
            .collect();
        let upload = Upload {
            id: new_upload_id(),
            owner: caller.id.clone(),
            created_at: now,
            content_type: checked.format.content_type().to_owned(),
            width: made.width,
            height: made.height,
            bytes: length as u64,
            renditions: made
                .renditions
                .iter()
                .zip(&blobs)
                .map(|(r, blob)| Rendition {
                    width: r.width,
                    height: r.height,
                    content_type: r.content_type.to_owned(),
                    hash: blob.hash.clone(),
                    bytes: blob.bytes.len() as u64,
                })
                .collect(),
        };
        self.store.add_upload(&upload, &blobs).await?;
        tracing::info!(
            upload.id = upload.id,
            owner = upload.owner,
            width = upload.width,
            height = upload.height,
            renditions = upload.renditions.len(),
            decode_ms,
            "kept an uploaded picture"
        );
        Ok(upload)
    }

    /// An upload, to its owner or an admin; anyone else is told there is none.
    pub async fn get_upload(&self, caller: &Principal, id: &str) -> ServiceResult<Upload> {
        auth::require(caller, Role::Agent)?;
        let missing = || ServiceError::NotFound(format!("there is no upload {id} of yours"));
        if !valid_upload_id(id) {
            return Err(missing());
        }
        let upload = self.store.uploads(&[id.to_owned()]).await?.pop();
        upload.filter(|u| may_use(caller, u)).ok_or_else(missing)
    }

    /// A 422 naming the field (`inputs.hero_image.upload`) of each upload a site's inputs
    /// name that does not exist or is not the creator's.
    pub(crate) async fn check_uploads(
        &self,
        caller: &Principal,
        definition: &WorkflowTypeDefinition,
        inputs: &Value,
    ) -> ServiceResult<()> {
        let deploys = definition
            .steps
            .iter()
            .any(|s| s.handler == crate::site_owners::DEPLOY_HANDLER);
        let Some(site) = deploys
            .then(|| serde_json::from_value::<SiteInputs>(inputs.clone()).ok())
            .flatten()
        else {
            return Ok(());
        };
        let named = site.images();
        if named.is_empty() {
            return Ok(());
        }
        let ids: Vec<String> = named
            .iter()
            .map(|(_, image)| image.upload.clone())
            .collect();
        let found = self.store.uploads(&ids).await?;
        let details: Vec<FieldError> = named
            .iter()
            .filter(|(_, image)| {
                !found
                    .iter()
                    .any(|u| u.id == image.upload && may_use(caller, u))
            })
            .map(|(field, image)| {
                FieldError::new(
                    format!("inputs.{field}.upload"),
                    "exists",
                    format!(
                        "inputs.{field}.upload names {}, which is not an upload of {}: upload the picture with POST /api/uploads and name the id it answers",
                        image.upload, caller.id
                    ),
                )
            })
            .collect();
        match details.is_empty() {
            true => Ok(()),
            false => Err(ServiceError::invalid(
                "the inputs name pictures that are not the creator's uploads",
                details,
            )),
        }
    }
}

/// The uploads of `ids` as a site's generator takes them, their renditions' bytes through the
/// blob cache: an upload never changes, so neither its blobs nor a cached copy go stale.
pub(crate) async fn media(sites: &Sites, ids: &[String]) -> Result<Media, StepError> {
    let mut media = Media::default();
    if ids.is_empty() {
        return Ok(media);
    }
    let retryable =
        |e: StoreError| StepError::Retryable(format!("loading the site's pictures: {e}"));
    let uploads = sites.store.uploads(ids).await.map_err(retryable)?;
    for id in ids {
        let Some(upload) = uploads.iter().find(|u| &u.id == id) else {
            // Uploads are never deleted, and creation checked this one existed.
            return Err(StepError::Permanent(format!(
                "the upload {id} the inputs name does not exist"
            )));
        };
        let mut variants = Vec::with_capacity(upload.renditions.len());
        for rendition in &upload.renditions {
            let blob = sites
                .blob(&rendition.hash)
                .await
                .map_err(|e| StepError::Retryable(format!("loading the site's pictures: {e}")))?;
            let Some(blob) = blob else {
                return Err(StepError::Permanent(format!(
                    "the {} px rendition of upload {id} has lost its bytes",
                    rendition.width
                )));
            };
            variants.push(ImageVariant {
                width: rendition.width,
                height: rendition.height,
                content_type: rendition.content_type.clone(),
                bytes: Arc::from(blob.bytes.as_slice()),
            });
        }
        media.images.insert(
            id.clone(),
            UploadedImage {
                id: id.clone(),
                width: upload.width,
                height: upload.height,
                variants,
            },
        );
    }
    Ok(media)
}
