//! The handlers `website.create_basic_site` names. Generating, deploying and verifying a real
//! site is not in this build yet, so each refuses, permanently and plainly, rather than claim
//! work it did not do: a website workflow fails at its first step with this message.

use async_trait::async_trait;
use serde_json::Value;

use crate::{Handlers, StepContext, StepError, StepHandler};

const STEPS: [&str; 8] = [
    "website.initialize_project",
    "website.generate_pages",
    "website.apply_branding",
    "website.setup_seo",
    "website.configure_navigation",
    "website.setup_contact_form",
    "website.deploy",
    "website.verify",
];

struct NotInThisBuild;

#[async_trait]
impl StepHandler for NotInThisBuild {
    async fn run(&self, ctx: &StepContext<'_>) -> Result<Value, StepError> {
        Err(StepError::Permanent(format!(
            "step {} cannot run: website generation is not available in this build of Quorum",
            ctx.step
        )))
    }
}

pub(crate) fn register(handlers: &mut Handlers) {
    for name in STEPS {
        handlers.insert(name, NotInThisBuild);
    }
}
