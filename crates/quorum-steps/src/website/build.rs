//! The six steps that build a deployment: each keeps its own files' bytes in the store
//! (content-addressed, so a step that runs again keeps nothing new); deploy names them all.

use std::collections::BTreeMap;

use async_trait::async_trait;
use serde_json::{Value, json};

use super::Plan;
use crate::site::FileKind;
use crate::{StepContext, StepError, StepHandler};

/// Keeps `files`' bytes; returns how many files there were.
async fn keep(ctx: &StepContext<'_>, files: BTreeMap<&str, &[u8]>) -> Result<usize, StepError> {
    let count = files.len();
    ctx.sites
        .keep_files(files.into_values().map(<[u8]>::to_vec).collect())
        .await?;
    Ok(count)
}

pub(crate) struct InitializeProject;

#[async_trait]
impl StepHandler for InitializeProject {
    async fn run(&self, ctx: &StepContext<'_>) -> Result<Value, StepError> {
        // The site's name and recipient go into the deployment's row at deploy; here the
        // inputs are only checked, so a site that cannot be built fails first.
        let plan = Plan::new(ctx).await?;
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
        let plan = Plan::new(ctx).await?;
        let written = keep(ctx, plan.site.files_of(FileKind::Html)).await?;
        let pages: Vec<&str> = plan.site.pages.iter().map(|p| p.slug.as_str()).collect();
        Ok(json!({ "pages": pages, "html_files": written }))
    }
}

pub(crate) struct ApplyBranding;

#[async_trait]
impl StepHandler for ApplyBranding {
    async fn run(&self, ctx: &StepContext<'_>) -> Result<Value, StepError> {
        let plan = Plan::new(ctx).await?;
        // Pictures' renditions are kept as blobs since their upload: the deployment names those.
        keep(ctx, plan.site.files_of(FileKind::Branding)).await?;
        Ok(
            json!({ "palette": plan.site.palette, "contrast_adjustments": plan.site.palette.adjustments }),
        )
    }
}

pub(crate) struct SetupSeo;

#[async_trait]
impl StepHandler for SetupSeo {
    async fn run(&self, ctx: &StepContext<'_>) -> Result<Value, StepError> {
        let plan = Plan::new(ctx).await?;
        keep(ctx, plan.site.files_of(FileKind::Seo)).await?;
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
        let plan = Plan::new(ctx).await?;
        keep(ctx, plan.site.files_of(FileKind::Script)).await?;
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
        let plan = Plan::new(ctx).await?;
        // The form is in the contact page; what makes it work is the deployment's recipient,
        // which deploy stores from the same inputs. Check the page posts to Quorum.
        let page = plan
            .site
            .files
            .get("contact/index.html")
            .map(|file| String::from_utf8_lossy(&file.bytes));
        if !page.is_some_and(|page| page.contains(&plan.spec.contact_action)) {
            return Err(StepError::Permanent(
                "the contact page has no form posting to Quorum".into(),
            ));
        }
        Ok(
            json!({ "contact_action": plan.spec.contact_action, "recipient": plan.inputs.contact_email }),
        )
    }
}
