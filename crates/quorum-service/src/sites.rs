//! Deployed sites in the database: what website steps keep (content-addressed blobs, a
//! deployment made live in one transaction), and which file a request for `/sites/{slug}/…`
//! names. Any server answers for any site; nothing is read from disk.
//!
//! Two caches keep the hot path off the database. Blobs, by hash, bounded by size: a hash
//! names one content, so a cached blob is never stale. Live deployments, by slug, for at
//! most [`LIVE_FOR`]: a deploy through this process replaces its entry at once, and one made
//! by another process is seen within that bound. The domains sites claim are remembered the
//! same way (see `site_domains`).

use std::collections::HashMap;
use std::io::Write;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use quorum_steps::site::{NOT_FOUND_AT_ROOT_FILE, NOT_FOUND_FILE, SiteInputs};
use quorum_steps::{SiteDeployment, SiteStore, StepError};
use quorum_store::{Blob, Deployment, DeploymentFile, Store, StoreError};
use sha2::{Digest, Sha256};

use crate::blob_cache::BlobCache;
use crate::site_domains::Claims;
use crate::{Quorum, ServiceResult, valid_slug};

/// How long a server may answer from a live deployment another process has replaced.
const LIVE_FOR: Duration = Duration::from_secs(1);
/// Sites whose live deployment one process remembers; past it, it forgets them all.
const LIVE_SITES: usize = 1_024;
/// Bytes of blobs one process keeps in memory.
const BLOB_CACHE_BYTES: usize = 64 * 1024 * 1024;

/// A live deployment with its files by path.
pub struct LiveSite {
    pub deployment: Deployment,
    files: HashMap<String, DeploymentFile>,
    /// The inputs of the workflow that made it, read the first time a page drawn at request
    /// time (a contact form's answer) needs them; None when that workflow is gone.
    inputs: tokio::sync::OnceCell<Option<Arc<SiteInputs>>>,
}

impl LiveSite {
    /// Whether the deployment has a file at `path` (relative to the site).
    pub fn has_file(&self, path: &str) -> bool {
        self.files.contains_key(path)
    }
}

/// Where a site is being served from, which decides its 404 page and its folders' redirects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SiteMount {
    /// `/sites/{slug}/`.
    Sites,
    /// The root of the site's own domain.
    Domain,
}

/// What a site path names.
pub enum SiteAnswer {
    File {
        blob: Arc<Blob>,
        content_type: String,
    },
    /// A folder named without its trailing slash: the answer is a redirect to it.
    Folder,
    /// Nothing; `page` is the site's own 404 page, when the site exists and has one.
    Missing { page: Option<Arc<Blob>> },
}

/// A site's live deployment (None: never deployed) and when it was read.
type Remembered = (Instant, Option<Arc<LiveSite>>);

pub(crate) struct Sites {
    pub(crate) store: Arc<dyn Store>,
    live: Mutex<HashMap<String, Remembered>>,
    blobs: Mutex<BlobCache>,
    /// Which site each host names.
    pub(crate) claims: Claims,
    /// The newest deployments kept per site (the live one is kept whatever its age); older
    /// ones are collected at deploy.
    kept: AtomicI64,
}

/// Deployments kept per site unless `QUORUM_SITE_DEPLOYMENTS_KEPT` says otherwise.
pub const DEPLOYMENTS_KEPT: i64 = 5;

/// Lowercase hex SHA-256: a blob's name.
pub(crate) fn content_hash(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Whether `bytes` are a format that is compressed already (woff2, PNG, JPEG, WebP, and the
/// favicon's ICO, which holds PNGs): gzip cannot shrink them, and `best` over a site's fonts
/// and pictures cost every deploy milliseconds for nothing. Known by their magic numbers, as the step that kept them
/// names no paths.
fn compressed_already(bytes: &[u8]) -> bool {
    bytes.starts_with(b"wOF2")
        || bytes.starts_with(b"\x89PNG\r\n\x1a\n")
        || bytes.starts_with(&[0, 0, 1, 0])
        || bytes.starts_with(&[0xff, 0xd8, 0xff])
        || (bytes.len() >= 12 && bytes.starts_with(b"RIFF") && &bytes[8..12] == b"WEBP")
}

/// The bytes and, when it saves at least a tenth, their gzip encoding.
#[cfg(test)]
fn blob_of(bytes: Vec<u8>) -> Blob {
    Blob {
        hash: content_hash(&bytes),
        gzip: gzip_of(&bytes),
        bytes,
    }
}

/// The gzip encoding of `bytes`, when it saves at least a tenth.
fn gzip_of(bytes: &[u8]) -> Option<Vec<u8>> {
    if compressed_already(bytes) {
        return None;
    }
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder
        .write_all(bytes)
        .and_then(|()| encoder.finish())
        .ok()
        .filter(|gzip| gzip.len() * 10 < bytes.len() * 9)
}

/// The content type of a generated site's file, from its extension.
pub(crate) fn content_type(path: &str) -> &'static str {
    let extension = path.rsplit_once('.').map_or("", |(_, e)| e);
    match extension {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "svg" => "image/svg+xml",
        "xml" => "application/xml",
        "txt" => "text/plain; charset=utf-8",
        "json" | "webmanifest" => "application/json",
        "png" => "image/png",
        "woff2" => "font/woff2",
        "jpg" | "jpeg" => "image/jpeg",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        _ => "application/octet-stream",
    }
}

/// The file a site path names, relative to the site; None when a segment is hidden (starts
/// with a dot, `..` included), so neither a manifest nor a way out of the site is named.
pub(crate) fn file_key(path: &str) -> Option<String> {
    let mut segments = Vec::new();
    for segment in path.split('/') {
        match segment {
            "" | "." => {}
            hidden if hidden.starts_with('.') => return None,
            name => segments.push(name),
        }
    }
    let folder = path.is_empty() || path.ends_with('/');
    Some(match (folder, segments.is_empty()) {
        (true, true) => "index.html".to_owned(),
        (true, false) => format!("{}/index.html", segments.join("/")),
        (false, _) => segments.join("/"),
    })
}

/// Database trouble may pass: a step that meets it runs again.
fn retryable(e: StoreError) -> StepError {
    StepError::Retryable(format!("storing the site: {e}"))
}

impl Sites {
    pub fn new(store: Arc<dyn Store>) -> Self {
        Self {
            store,
            live: Mutex::new(HashMap::new()),
            blobs: Mutex::new(BlobCache::new(BLOB_CACHE_BYTES)),
            claims: Claims::default(),
            kept: AtomicI64::new(DEPLOYMENTS_KEPT),
        }
    }

    async fn live(&self, slug: &str) -> ServiceResult<Option<Arc<LiveSite>>> {
        let known = match self.live.lock().expect("not poisoned").get(slug) {
            Some((at, site)) if at.elapsed() < LIVE_FOR => return Ok(site.clone()),
            Some((_, site)) => site.clone(),
            None => None,
        };
        let site = self.store.live_deployment(slug).await?.map(|deployment| {
            // Still the same deployment: what this process read of it (its inputs, once a
            // page drawn at request time needed them) stays good.
            if let Some(known) = known.filter(|k| k.deployment.id == deployment.id) {
                return known;
            }
            let files = deployment
                .files
                .iter()
                .map(|file| (file.path.clone(), file.clone()))
                .collect();
            Arc::new(LiveSite {
                deployment,
                files,
                inputs: tokio::sync::OnceCell::new(),
            })
        });
        let mut live = self.live.lock().expect("not poisoned");
        if live.len() >= LIVE_SITES {
            live.clear();
        }
        live.insert(slug.to_owned(), (Instant::now(), site.clone()));
        Ok(site)
    }

    /// Forgets this process's copy of `slug`'s live deployment and of the domains claimed: a
    /// switch made here is served at once.
    pub(crate) fn forget(&self, slug: &str) {
        self.live.lock().expect("not poisoned").remove(slug);
        self.claims.forget();
    }

    /// The inputs `site` was generated from, read once per live deployment this process holds.
    pub(crate) async fn inputs(&self, site: &LiveSite) -> ServiceResult<Option<Arc<SiteInputs>>> {
        let inputs = site
            .inputs
            .get_or_try_init(|| async {
                match self.store.get_workflow(&site.deployment.workflow_id).await {
                    Ok(detail) => Ok(serde_json::from_value(detail.workflow.inputs.to_value())
                        .ok()
                        .map(Arc::new)),
                    Err(StoreError::NotFound(_)) => Ok(None),
                    Err(e) => Err(e),
                }
            })
            .await?;
        Ok(inputs.clone())
    }

    /// The blob of `bytes`, its gzip encoding taken from the blob cache when this process
    /// holds that content: many sites share a stylesheet and a script, whose `best` gzip
    /// would otherwise be made again for each. The blob joins the cache, so verify's reads
    /// of what was just kept need not go to the database. It is still kept in the store:
    /// the cache may hold a blob a prune has since deleted there.
    fn blob_of(&self, bytes: Vec<u8>) -> Blob {
        let hash = content_hash(&bytes);
        let cached = self.blobs.lock().expect("not poisoned").get(&hash);
        match cached {
            Some(blob) => Blob {
                hash,
                bytes,
                gzip: blob.gzip.clone(),
            },
            None => {
                let blob = Blob {
                    hash,
                    gzip: gzip_of(&bytes),
                    bytes,
                };
                self.blobs
                    .lock()
                    .expect("not poisoned")
                    .insert(Arc::new(blob.clone()));
                blob
            }
        }
    }

    pub(crate) async fn blob(&self, hash: &str) -> ServiceResult<Option<Arc<Blob>>> {
        if let Some(blob) = self.blobs.lock().expect("not poisoned").get(hash) {
            return Ok(Some(blob));
        }
        let Some(blob) = self.store.blob(hash).await? else {
            return Ok(None);
        };
        let blob = Arc::new(blob);
        self.blobs
            .lock()
            .expect("not poisoned")
            .insert(blob.clone());
        Ok(Some(blob))
    }
}

#[async_trait]
impl SiteStore for Sites {
    async fn keep_files(&self, files: Vec<Vec<u8>>) -> Result<(), StepError> {
        let blobs: Vec<Blob> = files.into_iter().map(|bytes| self.blob_of(bytes)).collect();
        self.store.put_blobs(&blobs).await.map_err(retryable)
    }

    async fn publish(&self, site: SiteDeployment) -> Result<(), StepError> {
        let deployment = Deployment {
            files: site
                .files
                .iter()
                .map(|(path, bytes)| DeploymentFile {
                    path: path.clone(),
                    hash: content_hash(bytes),
                    content_type: content_type(path).to_owned(),
                })
                .collect(),
            id: site.id,
            site: site.slug.clone(),
            workflow_id: site.workflow_id,
            site_name: site.site_name,
            contact_email: site.contact_email,
            domain: site.domain,
            created_at: quorum_domain::time::now(),
        };
        // The build steps kept every blob; should one be missing (a step skipped, a build
        // of another version), keep them all and deploy again.
        match self.store.deploy(&deployment).await {
            Err(StoreError::NotFound(_)) => {
                self.keep_files(site.files.into_values().collect()).await?;
                self.store.deploy(&deployment).await.map_err(retryable)?;
            }
            // Another agent's workflow claimed the slug after this one was created: running
            // again cannot change that.
            Err(StoreError::Conflict(message)) => return Err(StepError::Permanent(message)),
            other => other.map_err(retryable)?,
        }
        self.forget(&site.slug);
        // The deployment is live: collecting old ones may fail without undoing it, and the
        // next deploy of the site tries again.
        let kept = self.kept.load(Ordering::Relaxed);
        match self.store.prune_deployments(&site.slug, kept).await {
            Ok(pruned) if pruned.deployments > 0 => tracing::info!(
                site = site.slug,
                deployments = pruned.deployments,
                blobs = pruned.blobs,
                "collected old deployments"
            ),
            Ok(_) => {}
            Err(e) => {
                tracing::warn!(site = site.slug, error = %e, "collecting old deployments failed")
            }
        }
        Ok(())
    }

    async fn media(&self, ids: &[String]) -> Result<quorum_steps::site::Media, StepError> {
        crate::uploads::media(self, ids).await
    }

    async fn previewed(
        &self,
        workflow_id: &str,
    ) -> Result<Option<std::collections::BTreeMap<String, String>>, StepError> {
        let files = self
            .store
            .preview_files(workflow_id)
            .await
            .map_err(retryable)?;
        Ok((!files.is_empty()).then(|| files.into_iter().map(|f| (f.path, f.hash)).collect()))
    }
}

impl Quorum {
    /// Keeps a site's newest `kept` deployments (at least 1) and its live one.
    pub fn with_site_deployments_kept(self, kept: u32) -> Self {
        self.sites
            .kept
            .store(i64::from(kept.max(1)), Ordering::Relaxed);
        self
    }

    /// Where website steps keep what they build.
    pub fn site_store(&self) -> &dyn SiteStore {
        self.sites.as_ref()
    }

    /// The live deployment of a site, if it exists.
    pub async fn live_site(&self, slug: &str) -> ServiceResult<Option<Arc<LiveSite>>> {
        match valid_slug(slug) {
            true => self.sites.live(slug).await,
            false => Ok(None),
        }
    }

    /// What `path` (decoded, relative to the site) names in the live deployment of `slug`,
    /// served at `mount`.
    pub async fn site_file(
        &self,
        slug: &str,
        path: &str,
        mount: SiteMount,
    ) -> ServiceResult<SiteAnswer> {
        let Some(site) = self.live_site(slug).await? else {
            return Ok(SiteAnswer::Missing { page: None });
        };
        if let Some(file) = file_key(path).and_then(|key| site.files.get(&key)) {
            // A file without its blob would be a store that lost data: answer as missing.
            if let Some(blob) = self.sites.blob(&file.hash).await? {
                return Ok(SiteAnswer::File {
                    blob,
                    content_type: file.content_type.clone(),
                });
            }
        }
        let folder = file_key(&format!("{path}/"));
        if !path.is_empty()
            && !path.ends_with('/')
            && folder.is_some_and(|key| site.files.contains_key(&key))
        {
            return Ok(SiteAnswer::Folder);
        }
        let not_found = match mount {
            SiteMount::Sites => NOT_FOUND_FILE,
            SiteMount::Domain => NOT_FOUND_AT_ROOT_FILE,
        };
        let page = match site.files.get(not_found) {
            Some(file) => self.sites.blob(&file.hash).await?,
            None => None,
        };
        Ok(SiteAnswer::Missing { page })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn site_paths_stay_inside_the_site_and_skip_hidden_names() {
        for (path, key) in [
            ("", "index.html"),
            ("about/", "about/index.html"),
            ("assets/main.css", "assets/main.css"),
            ("a//b/./c", "a/b/c"),
            ("%2equorum/site.json", "%2equorum/site.json"),
        ] {
            assert_eq!(file_key(path).as_deref(), Some(key), "{path}");
        }
        for path in [
            "../other/",
            ".quorum/site.json",
            "a/../../b",
            "a/.hidden",
            "..",
        ] {
            assert_eq!(file_key(path), None, "{path}");
        }
    }

    #[test]
    fn fonts_are_served_as_woff2() {
        assert_eq!(
            content_type("assets/fonts/inter-latin-400-normal.woff2"),
            "font/woff2"
        );
        assert_eq!(content_type("assets/main.css"), "text/css; charset=utf-8");
    }

    #[test]
    fn gzip_is_kept_only_where_it_pays() {
        let page = blob_of(b"<p>hello</p>".repeat(100));
        assert!(page.gzip.as_ref().unwrap().len() < page.bytes.len() / 10);
        assert_eq!(page.hash, content_hash(&page.bytes));
        assert_eq!(blob_of(b"tiny".to_vec()).gzip, None);
        // Compressed formats are never gzipped, however repetitive their bytes look.
        let padding = vec![0u8; 10_000];
        for magic in [
            &b"wOF2"[..],
            b"\x89PNG\r\n\x1a\n",
            &[0, 0, 1, 0],
            &[0xff, 0xd8, 0xff, 0xe0],
            b"RIFF\0\0\0\0WEBPVP8 ",
        ] {
            let blob = blob_of([magic, &padding].concat());
            assert_eq!(blob.gzip, None, "{magic:?}");
            assert_eq!(blob.hash, content_hash(&blob.bytes));
        }
        assert!(blob_of([&b"RIFF"[..], &padding].concat()).gzip.is_some());
        assert_eq!(
            content_hash(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }
}
