//! Deploy: hand the whole site to the store, which keeps the deployment and makes it the
//! site's live one in one transaction, so a reader sees the old deployment or the new one,
//! never a mix, and a deploy that runs again after a crash makes the same one live.
//!
//! What deploy ships is what the council saw: the site it previews when the workflow is
//! created is the deployment, file for file, and a build that differs from it is refused.

use std::collections::BTreeMap;

use async_trait::async_trait;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::Plan;
use crate::site::{CSS_FILE, JS_FILE, LOGO_FILE};
use crate::{Files, SiteDeployment, StepContext, StepError, StepHandler};

pub(crate) struct Deploy;

fn files(plan: &Plan) -> Files {
    plan.site
        .files
        .iter()
        .map(|(path, file)| (path.clone(), file.bytes.to_vec()))
        .collect()
}

/// The paths where `built` differs from `previewed` (path → content hash): changed, added or
/// gone, in path order.
fn differences(built: &Files, previewed: &BTreeMap<String, String>) -> Vec<String> {
    let mut paths: Vec<&String> = built.keys().chain(previewed.keys()).collect();
    paths.sort_unstable();
    paths.dedup();
    paths
        .into_iter()
        .filter(|path| {
            let hash = built
                .get(*path)
                .map(|bytes| format!("{:x}", Sha256::digest(bytes)));
            hash.as_ref() != previewed.get(*path)
        })
        .cloned()
        .collect()
}

#[async_trait]
impl StepHandler for Deploy {
    fn previews(&self) -> bool {
        true
    }

    async fn preview(&self, ctx: &StepContext<'_>) -> Result<Option<Files>, StepError> {
        Ok(Some(files(&Plan::new(ctx).await?)))
    }

    async fn run(&self, ctx: &StepContext<'_>) -> Result<Value, StepError> {
        let plan = Plan::new(ctx).await?;
        let files = files(&plan);
        if let Some(previewed) = ctx.sites.previewed(ctx.workflow_id).await? {
            let differ = differences(&files, &previewed);
            if !differ.is_empty() {
                let shown: Vec<&str> = differ.iter().take(5).map(String::as_str).collect();
                return Err(StepError::Permanent(format!(
                    "the site built now differs from the preview its council approved, in {} file(s): {}{}; nothing was deployed",
                    differ.len(),
                    shown.join(", "),
                    if differ.len() > shown.len() {
                        ", …"
                    } else {
                        ""
                    },
                )));
            }
        }
        ctx.sites
            .publish(SiteDeployment {
                id: plan.spec.deployment_id.clone(),
                slug: plan.spec.slug.clone(),
                workflow_id: plan.workflow_id.clone(),
                site_name: plan.inputs.site_name.clone(),
                contact_email: plan.inputs.contact_email.clone(),
                domain: plan.inputs.domain.clone(),
                files,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_changed_added_or_missing_file_is_a_difference() {
        let hash = |bytes: &[u8]| format!("{:x}", Sha256::digest(bytes));
        let built: Files = [
            ("index.html".to_owned(), b"<p>new</p>".to_vec()),
            ("about/index.html".to_owned(), b"about".to_vec()),
            ("extra.txt".to_owned(), b"extra".to_vec()),
        ]
        .into();
        let previewed: BTreeMap<String, String> = [
            ("index.html".to_owned(), hash(b"<p>old</p>")),
            ("about/index.html".to_owned(), hash(b"about")),
            ("gone.css".to_owned(), hash(b"gone")),
        ]
        .into();
        assert_eq!(
            differences(&built, &previewed),
            ["extra.txt", "gone.css", "index.html"]
        );
        let same: BTreeMap<String, String> = built
            .iter()
            .map(|(path, bytes)| (path.clone(), hash(bytes)))
            .collect();
        assert!(differences(&built, &same).is_empty());
    }
}
