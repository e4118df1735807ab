//! The eight steps of `website.create_basic_site`: each regenerates the site (deterministic,
//! a few milliseconds) and writes its own part into the deployment's build folder, so any
//! step can run again after a crash and write the same bytes. `deploy` switches the site's
//! live folder to the build in one rename; `verify` checks the live site over HTTP.
//!
//! Layout under the data directory:
//! `sites/.builds/{slug}/{deployment}/…` the builds, `sites/{slug}` → the live build (a
//! symbolic link), `sites/{slug}/.quorum/site.json` the manifest the contact form reads.

mod build;
mod deploy;
mod verify;

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

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

/// What a live site tells Quorum about itself; never served.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteManifest {
    pub workflow_id: String,
    pub slug: String,
    pub site_name: String,
    pub deployment_id: String,
    /// Where contact-form messages go.
    pub contact_email: String,
}

/// The manifest's path inside a site folder.
pub const MANIFEST: &str = ".quorum/site.json";

/// Everything a step needs to know about the site of its workflow.
pub(crate) struct Plan {
    pub inputs: SiteInputs,
    pub spec: SiteSpec,
    pub site: Site,
    /// `sites/` under the data directory.
    pub sites: PathBuf,
    /// This deployment's build folder.
    pub build: PathBuf,
    pub workflow_id: String,
}

impl Plan {
    pub fn new(ctx: &StepContext<'_>) -> Result<Plan, StepError> {
        let inputs: SiteInputs = ctx.inputs()?;
        site::check(&inputs).map_err(|problems| {
            let problems: Vec<String> = problems.into_iter().map(|p| p.message).collect();
            StepError::Permanent(format!(
                "the site's inputs cannot be used: {}",
                problems.join("; ")
            ))
        })?;
        let slug = site::slug_for(&inputs.site_name);
        let public = ctx.env.public_url.trim_end_matches('/');
        // One deployment per workflow, named after it: every run of every step agrees on it.
        let deployment_id = format!("deploy_{}", ctx.workflow_id.trim_start_matches("wf_"));
        let spec = SiteSpec {
            base_url: format!("{public}/sites/{slug}"),
            contact_action: format!("{public}/sites/{slug}/contact"),
            deployment_id: deployment_id.clone(),
            slug: slug.clone(),
        };
        let site = site::generate(&inputs, &spec);
        let sites = ctx.env.data_dir.join("sites");
        let build = sites.join(".builds").join(&slug).join(&deployment_id);
        Ok(Plan {
            inputs,
            spec,
            site,
            sites,
            build,
            workflow_id: ctx.workflow_id.to_owned(),
        })
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}/{path}", self.spec.base_url)
    }

    pub fn manifest(&self) -> SiteManifest {
        SiteManifest {
            workflow_id: self.workflow_id.clone(),
            slug: self.spec.slug.clone(),
            site_name: self.inputs.site_name.clone(),
            deployment_id: self.spec.deployment_id.clone(),
            contact_email: self.inputs.contact_email.clone(),
        }
    }
}

/// Runs a step's file-system work on the blocking pool as one job: a build or a deploy touches
/// a score of files, and a hand-off per file call cost more than the calls.
pub(crate) async fn on_disk<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, StepError> + Send + 'static,
) -> Result<T, StepError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| StepError::Retryable(format!("the file-system task stopped: {e}")))?
}

/// Disk trouble may pass (a full disk gets space); say so and let the step retry.
pub(crate) fn io(what: &str) -> impl Fn(std::io::Error) -> StepError + '_ {
    move |e| StepError::Retryable(format!("{what}: {e}"))
}
