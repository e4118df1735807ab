//! Deploy: hand the whole site to the store, which keeps the deployment and makes it the
//! site's live one in one transaction, so a reader sees the old deployment or the new one,
//! never a mix, and a deploy that runs again after a crash makes the same one live.

use async_trait::async_trait;
use serde_json::{Value, json};

use super::Plan;
use crate::site::{CSS_FILE, JS_FILE, LOGO_FILE};
use crate::{SiteDeployment, StepContext, StepError, StepHandler};

pub(crate) struct Deploy;

#[async_trait]
impl StepHandler for Deploy {
    async fn run(&self, ctx: &StepContext<'_>) -> Result<Value, StepError> {
        let plan = Plan::new(ctx).await?;
        let files = plan
            .site
            .files
            .iter()
            .map(|(path, file)| (path.clone(), file.bytes.clone()))
            .collect();
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
