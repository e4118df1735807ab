//! The eight steps of `website.create_basic_site`: each regenerates the site in memory
//! (deterministic, a few milliseconds; the uploaded pictures the inputs name are read through
//! the `SiteStore`, already re-encoded, and only copied) and keeps its own files' bytes in the
//! database, so any step can run again after a crash and keep the same bytes. `deploy` stores the
//! deployment and makes it the site's live one in one transaction; `verify` checks the live
//! site over HTTP. Nothing is written to disk: any server can serve any site.

mod build;
mod deploy;
mod verify;

use crate::site::{self, Site, SiteInputs, SiteSpec};
use crate::{Handlers, InputProblem, StepContext, StepError, StepHandler};

pub(crate) fn register(handlers: &mut Handlers) {
    handlers.insert(
        "website.initialize_project",
        SiteStep(build::InitializeProject),
    );
    handlers.insert("website.generate_pages", SiteStep(build::GeneratePages));
    handlers.insert("website.apply_branding", SiteStep(build::ApplyBranding));
    handlers.insert("website.setup_seo", SiteStep(build::SetupSeo));
    handlers.insert(
        "website.configure_navigation",
        SiteStep(build::ConfigureNavigation),
    );
    handlers.insert(
        "website.setup_contact_form",
        SiteStep(build::SetupContactForm),
    );
    handlers.insert("website.deploy", SiteStep(deploy::Deploy));
    handlers.insert("website.verify", SiteStep(verify::Verify));
}

/// A website step: it runs as the step it wraps, and refuses at creation the inputs that
/// [`site::check`] would refuse at run time.
struct SiteStep<H>(H);

#[async_trait::async_trait]
impl<H: StepHandler> StepHandler for SiteStep<H> {
    async fn run(&self, ctx: &StepContext<'_>) -> Result<serde_json::Value, StepError> {
        self.0.run(ctx).await
    }

    fn check_inputs(&self, inputs: &serde_json::Value) -> Vec<InputProblem> {
        match serde_json::from_value::<SiteInputs>(inputs.clone()) {
            Ok(inputs) => site::check(&inputs).err().unwrap_or_default(),
            Err(e) => vec![InputProblem {
                field: String::new(),
                message: format!("the inputs cannot be read as a site's: {e}"),
            }],
        }
    }
}

/// Everything a step needs to know about the site of its workflow.
pub(crate) struct Plan {
    pub inputs: SiteInputs,
    pub spec: SiteSpec,
    pub site: Site,
    pub workflow_id: String,
}

impl Plan {
    pub async fn new(ctx: &StepContext<'_>) -> Result<Plan, StepError> {
        let inputs: SiteInputs = ctx.inputs()?;
        site::check(&inputs).map_err(|problems| {
            let problems: Vec<String> = problems.into_iter().map(|p| p.message).collect();
            StepError::Permanent(format!(
                "the site's inputs cannot be used: {}",
                problems.join("; ")
            ))
        })?;
        let slug = site::slug_of(&inputs);
        // One deployment per workflow, named after it: every run of every step agrees on it.
        let deployment_id = format!("deploy_{}", ctx.workflow_id.trim_start_matches("wf_"));
        let spec = SiteSpec::served_by(&ctx.env.public_url, &slug, &deployment_id, ctx.created_on);
        // Only a site that shows pictures reads any: the seed's inputs cost no query.
        let uploads: Vec<String> = inputs
            .images()
            .into_iter()
            .map(|(_, image)| image.upload.clone())
            .collect();
        let media = match uploads.is_empty() {
            true => site::Media::default(),
            false => ctx.sites.media(&uploads).await?,
        };
        let site = site::generate(&inputs, &spec, &media);
        Ok(Plan {
            inputs,
            spec,
            site,
            workflow_id: ctx.workflow_id.to_owned(),
        })
    }

    /// Where Quorum serves a site path, under `/sites/{slug}/`.
    pub fn url(&self, path: &str) -> String {
        format!("{}/{path}", self.spec.base_url)
    }

    /// A site path's canonical URL: at the site's domain when it has one.
    pub fn canonical(&self, path: &str) -> String {
        format!("{}/{path}", site::canonical_base(&self.inputs, &self.spec))
    }
}
