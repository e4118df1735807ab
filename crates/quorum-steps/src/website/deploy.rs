//! Deploy: check the build is whole, then switch the site's live link to it with one rename,
//! so a reader sees the old deployment or the new one, never a mix, and a deploy that runs
//! again after a crash switches to the same build.

use std::path::{Path, PathBuf};

use async_trait::async_trait;
use serde_json::{Value, json};

use super::{MANIFEST, Plan, io, on_disk};
use crate::site::{CSS_FILE, JS_FILE, LOGO_FILE};
use crate::{StepContext, StepError, StepHandler};

/// Builds of a site kept besides the live one, so a reader mid-request on the previous one
/// is never cut off.
const KEEP_PREVIOUS: usize = 1;

pub(crate) struct Deploy;

#[async_trait]
impl StepHandler for Deploy {
    async fn run(&self, ctx: &StepContext<'_>) -> Result<Value, StepError> {
        let plan = Plan::new(ctx)?;
        let build = Build {
            folder: plan.build.clone(),
            files: plan.site.files.keys().cloned().collect(),
            sites: plan.sites.clone(),
            slug: plan.spec.slug.clone(),
            deployment_id: plan.spec.deployment_id.clone(),
        };
        on_disk(move || {
            build.check_whole()?;
            build.switch()?;
            build.prune();
            Ok(())
        })
        .await?;
        let pages: Vec<String> = plan.site.pages.iter().map(|p| plan.url(&p.path)).collect();
        Ok(json!({
            "site_url": plan.url(""),
            "pages_created": pages,
            "asset_urls": {
                "css": plan.url(CSS_FILE),
                "js": plan.url(JS_FILE),
                "logo": plan.url(LOGO_FILE),
            },
            "deployment_id": plan.spec.deployment_id,
        }))
    }
}

/// What deploying one build touches on disk.
struct Build {
    folder: PathBuf,
    files: Vec<String>,
    /// `sites/` under the data directory.
    sites: PathBuf,
    slug: String,
    deployment_id: String,
}

impl Build {
    fn check_whole(&self) -> Result<(), StepError> {
        let paths = self.files.iter().map(String::as_str).chain([MANIFEST]);
        match paths
            .into_iter()
            .find(|path| !self.folder.join(path).exists())
        {
            Some(path) => Err(StepError::Permanent(format!(
                "the build lacks {path}; the steps before deploy did not all run"
            ))),
            None => Ok(()),
        }
    }

    /// Points `sites/{slug}` at this build: a new link made aside, renamed over the old one.
    fn switch(&self) -> Result<(), StepError> {
        let live = self.sites.join(&self.slug);
        if let Ok(meta) = std::fs::symlink_metadata(&live)
            && !meta.file_type().is_symlink()
        {
            return Err(StepError::Permanent(format!(
                "{} is not a deployment link; refusing to replace it",
                live.display()
            )));
        }
        let target = Path::new(".builds")
            .join(&self.slug)
            .join(&self.deployment_id);
        let aside = self
            .sites
            .join(format!(".{}.{}.link", self.slug, self.deployment_id));
        let _ = std::fs::remove_file(&aside);
        std::os::unix::fs::symlink(&target, &aside).map_err(io("linking the build"))?;
        std::fs::rename(&aside, &live).map_err(io("switching the live site"))?;
        Ok(())
    }

    /// Removes the site's older builds, keeping the live one and the one before it. Failing
    /// to remove one only wastes disk; it does not fail the deployment.
    fn prune(&self) {
        let builds = self.sites.join(".builds").join(&self.slug);
        let Ok(entries) = std::fs::read_dir(&builds) else {
            return;
        };
        let mut others: Vec<_> = entries
            .flatten()
            .filter(|entry| entry.file_name() != self.deployment_id.as_str())
            .map(|entry| {
                let modified = entry.metadata().and_then(|m| m.modified()).ok();
                (modified, entry.path())
            })
            .collect();
        others.sort();
        let excess = others.len().saturating_sub(KEEP_PREVIOUS);
        for (_, path) in others.into_iter().take(excess) {
            if let Err(e) = std::fs::remove_dir_all(&path) {
                tracing::warn!(path = %path.display(), error = %e, "could not remove an old build");
            }
        }
    }
}
