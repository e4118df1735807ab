//! Step handlers: the Rust code behind the steps a workflow type names, and the registry that
//! finds a handler by name.
//!
//! A step may run more than once (a worker dies after the step's effect but before its record
//! says so), so every handler is idempotent: it gets a stable idempotency key and keys its
//! effects by it, so what users see happens once.

mod core;
pub mod site;
pub mod website;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde_json::Value;

/// The `User-Agent` of the verify step's requests: what a site counts of its visitors leaves
/// Quorum's own checks out.
pub const VERIFIER_AGENT: &str = "Quorum-Verify/1";

/// Why a step failed, and whether trying again can help.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StepError {
    /// Worth another attempt: a timeout, a dependency that was down.
    #[error("{0}")]
    Retryable(String),
    /// No retry will change it: inputs the handler cannot use, work this build cannot do.
    #[error("{0}")]
    Permanent(String),
}

impl StepError {
    pub fn is_permanent(&self) -> bool {
        matches!(self, StepError::Permanent(_))
    }
}

/// Where handlers may leave their effects.
#[derive(Debug, Clone)]
pub struct StepEnv {
    /// Quorum's data directory; only the demonstration steps write there (deployed sites are
    /// in the database, reached through [`SiteStore`]).
    pub data_dir: PathBuf,
    /// The URL deployed work is reached at.
    pub public_url: String,
}

/// What a handler is given for one run of one step.
pub struct StepContext<'a> {
    pub workflow_id: &'a str,
    /// The day the workflow was created (UTC), `YYYY-MM-DD`: the same for every run of
    /// every step, so what a step dates stays the same when it runs again.
    pub created_on: &'a str,
    pub step: &'a str,
    pub position: usize,
    /// How many times this step has been started, this run included.
    pub attempt: i64,
    /// The workflow's inputs, validated against the type's schema, defaults applied.
    pub inputs: &'a Value,
    /// Outputs of the steps before this one, by step name.
    pub previous: &'a BTreeMap<String, Value>,
    pub env: &'a StepEnv,
    /// Where website steps keep what they build.
    pub sites: &'a dyn SiteStore,
    /// The manifest hash of the workflow's preview, when it has one: its files were kept when
    /// the workflow was created (and none is being built yet while the preview is).
    pub preview: Option<&'a str>,
    /// The time an earlier answer of [`StepHandler::wait_until`] made this step wait for, once
    /// it waited: a wait is recorded, so a step asked again (woken, or run again after a
    /// crash) can tell that its time has come.
    pub wake_at: Option<DateTime<Utc>>,
}

/// A site as deploy hands it over: what the contact form needs, and every file by path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteDeployment {
    /// Stable across every run of the workflow's steps.
    pub id: String,
    pub slug: String,
    pub workflow_id: String,
    pub site_name: String,
    /// Where contact-form messages go.
    pub contact_email: String,
    /// The host name the site is also served at the root of; at most one site holds one.
    pub domain: Option<String>,
    pub files: Files,
}

/// What website steps may do to the deployed sites: keep files' bytes, make a deployment live,
/// and read the pictures a site shows. Narrow on purpose, so that steps reach no other part of Quorum's storage.
#[async_trait]
pub trait SiteStore: Send + Sync {
    /// Keeps files' bytes, each once under its hash: keeping them again is harmless.
    async fn keep_files(&self, files: Vec<Vec<u8>>) -> Result<(), StepError>;
    /// Stores the deployment and makes it its site's live one in one transaction; publishing
    /// the same deployment again makes it live again and stores nothing new.
    async fn publish(&self, deployment: SiteDeployment) -> Result<(), StepError>;
    /// The uploaded pictures `ids` name, with their renditions' bytes, as the generator takes
    /// them. An id that names no upload is a permanent failure: creation checked it existed.
    async fn media(&self, ids: &[String]) -> Result<site::Media, StepError>;
    /// The files of the workflow's preview, each path with its content's SHA-256 (lowercase
    /// hex), as its council reviewed them; None when it has no preview.
    async fn previewed(
        &self,
        workflow_id: &str,
    ) -> Result<Option<BTreeMap<String, String>>, StepError>;
}

impl StepContext<'_> {
    /// Stable across every run of this step of this workflow: effects are keyed by it.
    pub fn idempotency_key(&self) -> String {
        format!("{}.{}.{}", self.workflow_id, self.position, self.step)
    }

    /// The inputs as the handler's own type; inputs it cannot read are a permanent failure.
    pub fn inputs<T: DeserializeOwned>(&self) -> Result<T, StepError> {
        serde_json::from_value(self.inputs.clone()).map_err(|e| {
            StepError::Permanent(format!("step {} cannot read the inputs: {e}", self.step))
        })
    }
}

#[async_trait]
pub trait StepHandler: Send + Sync + 'static {
    /// Does the step's work; the output (an object) joins the workflow's outputs.
    async fn run(&self, ctx: &StepContext<'_>) -> Result<Value, StepError>;

    /// A time this step must wait for before it runs, if any. Asked before each run: a time
    /// still to come makes the workflow wait, keeping its state and holding no worker or lease
    /// (its job becomes claimable then); the step is asked again when woken, with
    /// `ctx.wake_at` set to the time it waited for.
    fn wait_until(&self, _ctx: &StepContext<'_>) -> Result<Option<DateTime<Utc>>, StepError> {
        Ok(None)
    }

    /// What this step would refuse in `inputs` (already valid against the type's schema,
    /// defaults applied). Asked when a workflow is created, so that nothing a run would
    /// refuse is put to a vote.
    fn check_inputs(&self, _inputs: &Value) -> Vec<InputProblem> {
        Vec::new()
    }

    /// Whether this step can show, before the vote, what it will make (see [`Self::preview`]).
    fn previews(&self) -> bool {
        false
    }

    /// What this step will make, file by file, built from the context it will run in: the
    /// council reviews it, and the step must then make exactly these bytes or refuse to run.
    /// Asked once, when the workflow is created; `ctx.previous` is empty.
    async fn preview(&self, _ctx: &StepContext<'_>) -> Result<Option<Files>, StepError> {
        Ok(None)
    }
}

/// Files by path, relative to where they are served.
pub type Files = BTreeMap<String, Vec<u8>>;

/// One reason a step cannot use a workflow's inputs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputProblem {
    /// The input's path, e.g. `brand_colors.primary` or `pages[2]`; empty for the whole.
    pub field: String,
    /// A sentence that names the field.
    pub message: String,
}

/// Handlers by name.
#[derive(Clone, Default)]
pub struct Handlers {
    by_name: BTreeMap<&'static str, Arc<dyn StepHandler>>,
}

impl Handlers {
    /// Every handler this build provides.
    pub fn builtin() -> Self {
        let mut handlers = Handlers::default();
        core::register(&mut handlers);
        website::register(&mut handlers);
        handlers
    }

    pub fn insert(&mut self, name: &'static str, handler: impl StepHandler) {
        self.by_name.insert(name, Arc::new(handler));
    }

    pub fn get(&self, name: &str) -> Option<&Arc<dyn StepHandler>> {
        self.by_name.get(name)
    }

    pub fn contains(&self, name: &str) -> bool {
        self.by_name.contains_key(name)
    }

    pub fn names(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.by_name.keys().copied()
    }
}
