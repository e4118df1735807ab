//! Deploy: check the build is whole, then switch the site's live link to it with one rename,
//! so a reader sees the old deployment or the new one, never a mix, and a deploy that runs
//! again after a crash switches to the same build.

use async_trait::async_trait;
use serde_json::{Value, json};

use super::{MANIFEST, Plan, io};
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
        for path in plan.site.files.keys().map(String::as_str).chain([MANIFEST]) {
            if tokio::fs::metadata(plan.build.join(path)).await.is_err() {
                return Err(StepError::Permanent(format!(
                    "the build lacks {path}; the steps before deploy did not all run"
                )));
            }
        }
        switch(&plan).await?;
        prune(&plan).await;
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

/// Points `sites/{slug}` at this build: a new link made aside, renamed over the old one.
async fn switch(plan: &Plan) -> Result<(), StepError> {
    let live = plan.sites.join(&plan.spec.slug);
    if let Ok(meta) = tokio::fs::symlink_metadata(&live).await
        && !meta.file_type().is_symlink()
    {
        return Err(StepError::Permanent(format!(
            "{} is not a deployment link; refusing to replace it",
            live.display()
        )));
    }
    let target = std::path::Path::new(".builds")
        .join(&plan.spec.slug)
        .join(&plan.spec.deployment_id);
    let aside = plan.sites.join(format!(
        ".{}.{}.link",
        plan.spec.slug, plan.spec.deployment_id
    ));
    let _ = tokio::fs::remove_file(&aside).await;
    tokio::fs::symlink(&target, &aside)
        .await
        .map_err(io("linking the build"))?;
    tokio::fs::rename(&aside, &live)
        .await
        .map_err(io("switching the live site"))?;
    Ok(())
}

/// Removes the site's older builds, keeping the live one and the one before it. Failing to
/// remove one only wastes disk; it does not fail the deployment.
async fn prune(plan: &Plan) {
    let builds = plan.sites.join(".builds").join(&plan.spec.slug);
    let Ok(mut entries) = tokio::fs::read_dir(&builds).await else {
        return;
    };
    let mut others = Vec::new();
    while let Ok(Some(entry)) = entries.next_entry().await {
        if entry.file_name() == plan.spec.deployment_id.as_str() {
            continue;
        }
        let modified = entry.metadata().await.and_then(|m| m.modified()).ok();
        others.push((modified, entry.path()));
    }
    others.sort();
    let excess = others.len().saturating_sub(KEEP_PREVIOUS);
    for (_, path) in others.into_iter().take(excess) {
        if let Err(e) = tokio::fs::remove_dir_all(&path).await {
            tracing::warn!(path = %path.display(), error = %e, "could not remove an old build");
        }
    }
}
