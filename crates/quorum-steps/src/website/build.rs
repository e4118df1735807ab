//! The six steps that build a deployment: each writes its own files into the build folder.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use async_trait::async_trait;
use serde_json::{Value, json};

use super::{MANIFEST, Plan, io, on_disk};
use crate::site::FileKind;
use crate::{StepContext, StepError, StepHandler};

/// Writes `files` under the build folder. Straight into place: nobody reads a build until
/// deploy switches the site to it, and a step cut off mid-write has not recorded success, so
/// it runs again and rewrites every file whole.
async fn write_all(plan: &Plan, files: BTreeMap<&str, &[u8]>) -> Result<usize, StepError> {
    let files: Vec<(PathBuf, Vec<u8>)> = files
        .into_iter()
        .map(|(path, bytes)| (plan.build.join(path), bytes.to_vec()))
        .collect();
    on_disk(move || {
        let folders: BTreeSet<&Path> = files.iter().filter_map(|(path, _)| path.parent()).collect();
        for folder in folders {
            std::fs::create_dir_all(folder).map_err(io("creating a build folder"))?;
        }
        for (path, bytes) in &files {
            std::fs::write(path, bytes).map_err(io("writing a site file"))?;
        }
        Ok(files.len())
    })
    .await
}

pub(crate) struct InitializeProject;

#[async_trait]
impl StepHandler for InitializeProject {
    async fn run(&self, ctx: &StepContext<'_>) -> Result<Value, StepError> {
        let plan = Plan::new(ctx)?;
        let manifest = serde_json::to_vec_pretty(&plan.manifest())
            .map_err(|e| StepError::Permanent(format!("the manifest: {e}")))?;
        write_all(&plan, BTreeMap::from([(MANIFEST, manifest.as_slice())])).await?;
        Ok(json!({
            "slug": plan.spec.slug,
            "deployment_id": plan.spec.deployment_id,
            "files_planned": plan.site.files.len(),
        }))
    }
}

pub(crate) struct GeneratePages;

#[async_trait]
impl StepHandler for GeneratePages {
    async fn run(&self, ctx: &StepContext<'_>) -> Result<Value, StepError> {
        let plan = Plan::new(ctx)?;
        let written = write_all(&plan, plan.site.files_of(FileKind::Html)).await?;
        let pages: Vec<&str> = plan.site.pages.iter().map(|p| p.slug.as_str()).collect();
        Ok(json!({ "pages": pages, "html_files": written }))
    }
}

pub(crate) struct ApplyBranding;

#[async_trait]
impl StepHandler for ApplyBranding {
    async fn run(&self, ctx: &StepContext<'_>) -> Result<Value, StepError> {
        let plan = Plan::new(ctx)?;
        write_all(&plan, plan.site.files_of(FileKind::Branding)).await?;
        Ok(
            json!({ "palette": plan.site.palette, "contrast_adjustments": plan.site.palette.adjustments }),
        )
    }
}

pub(crate) struct SetupSeo;

#[async_trait]
impl StepHandler for SetupSeo {
    async fn run(&self, ctx: &StepContext<'_>) -> Result<Value, StepError> {
        let plan = Plan::new(ctx)?;
        write_all(&plan, plan.site.files_of(FileKind::Seo)).await?;
        Ok(json!({
            "sitemap_url": plan.url("sitemap.xml"),
            "robots_url": plan.url("robots.txt"),
            "canonical_urls": plan.site.pages.iter().map(|p| plan.url(&p.path)).collect::<Vec<_>>(),
        }))
    }
}

pub(crate) struct ConfigureNavigation;

#[async_trait]
impl StepHandler for ConfigureNavigation {
    async fn run(&self, ctx: &StepContext<'_>) -> Result<Value, StepError> {
        let plan = Plan::new(ctx)?;
        write_all(&plan, plan.site.files_of(FileKind::Script)).await?;
        let navigation: Vec<Value> = plan
            .site
            .pages
            .iter()
            .filter(|p| !p.slug.starts_with("blog/"))
            .map(|p| json!({"title": p.title, "url": plan.url(&p.path)}))
            .collect();
        Ok(json!({ "navigation": navigation }))
    }
}

pub(crate) struct SetupContactForm;

#[async_trait]
impl StepHandler for SetupContactForm {
    async fn run(&self, ctx: &StepContext<'_>) -> Result<Value, StepError> {
        let plan = Plan::new(ctx)?;
        // The form is in the contact page; what makes it work is the manifest, which names
        // the recipient the contact endpoint sends to. Check both are in the build.
        let (contact, manifest) = (
            plan.build.join("contact").join("index.html"),
            plan.build.join(MANIFEST),
        );
        let page = on_disk(move || {
            std::fs::metadata(manifest).map_err(io("the site's manifest"))?;
            std::fs::read_to_string(contact).map_err(io("reading the contact page"))
        })
        .await?;
        if !page.contains(&plan.spec.contact_action) {
            return Err(StepError::Permanent(
                "the contact page has no form posting to Quorum".into(),
            ));
        }
        Ok(
            json!({ "contact_action": plan.spec.contact_action, "recipient": plan.inputs.contact_email }),
        )
    }
}
