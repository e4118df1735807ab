//! Previews: what a workflow will make, built when it is created, so that its council votes on
//! the thing itself. A type previews when one of its steps can (a website's deploy previews
//! the whole site). The files are kept as blobs beside the deployed ones, their manifest hash
//! joins the digest votes bind to, and the step that previewed refuses to ship other bytes.
//!
//! Who may see a preview: the members of the council that votes on it, its creator, admins,
//! and whoever holds the link [`Quorum::preview_link`] signs (sent to members by e-mail).

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use quorum_domain::{Principal, Role, WorkflowTypeDefinition};
use quorum_steps::{StepContext, StepError};
use quorum_store::{Blob, DeploymentFile, Preview, WorkflowDetail};
use serde_json::Value;

use crate::sites::{content_hash, content_type, file_key};
use crate::{Quorum, ServiceError, ServiceResult};

/// What a preview link's token is sealed for: it opens nothing else.
const LINK_PURPOSE: &str = "preview";

/// A file of a preview, as served.
pub struct PreviewFile {
    pub blob: Arc<Blob>,
    pub content_type: String,
}

/// What a preview path names.
pub enum PreviewAnswer {
    File(PreviewFile),
    /// A folder named without its trailing slash.
    Folder,
    /// Nothing there: the site's own 404 page, when it has one.
    Missing(Option<PreviewFile>),
}

impl Quorum {
    /// Builds the preview of a workflow about to be created as `workflow_id`, from the context
    /// its steps will run in, and keeps its files' bytes. None when no step of its type
    /// previews. A preview the inputs cannot make is a 422, as the run would fail on them.
    pub(crate) async fn build_preview(
        &self,
        definition: &WorkflowTypeDefinition,
        workflow_id: &str,
        created_at: DateTime<Utc>,
        inputs: &Value,
    ) -> ServiceResult<Option<Preview>> {
        let Some((position, step, handler)) =
            definition
                .steps
                .iter()
                .enumerate()
                .find_map(|(position, step)| {
                    let handler = self.handlers.get(&step.handler)?;
                    handler.previews().then_some((position, step, handler))
                })
        else {
            return Ok(None);
        };
        let created_on = created_at.format("%Y-%m-%d").to_string();
        let previous = BTreeMap::new();
        let ctx = StepContext {
            workflow_id,
            created_on: &created_on,
            step: &step.name,
            position,
            attempt: 0,
            inputs,
            previous: &previous,
            env: self.step_env(),
            sites: self.site_store(),
            preview: None,
            wake_at: None,
        };
        let files = match handler.preview(&ctx).await {
            Ok(Some(files)) => files,
            Ok(None) => return Ok(None),
            Err(StepError::Permanent(message)) => {
                return Err(ServiceError::invalid_field(
                    "inputs",
                    "preview",
                    format!("the preview cannot be built: {message}"),
                ));
            }
            Err(StepError::Retryable(message)) => {
                return Err(quorum_store::StoreError::Unavailable(message).into());
            }
        };
        let manifest: Vec<DeploymentFile> = files
            .iter()
            .map(|(path, bytes)| DeploymentFile {
                path: path.clone(),
                hash: content_hash(bytes),
                content_type: content_type(path).to_owned(),
            })
            .collect();
        self.site_store()
            .keep_files(files.into_values().collect())
            .await
            .map_err(|e| quorum_store::StoreError::Unavailable(e.to_string()))?;
        let hash = quorum_domain::governance::manifest_hash(
            manifest
                .iter()
                .map(|file| (file.path.as_str(), file.hash.as_str())),
        );
        Ok(Some(Preview {
            hash,
            files: manifest,
        }))
    }

    /// Whether the types of this release can preview workflows of `definition`'s type.
    pub fn type_previews(&self, definition: &WorkflowTypeDefinition) -> bool {
        definition.steps.iter().any(|step| {
            self.handlers
                .get(&step.handler)
                .is_some_and(|handler| handler.previews())
        })
    }

    /// The link that opens a workflow's preview without signing in, for as long as the key
    /// that signs it is kept (see `keys`).
    pub async fn preview_link(&self, workflow_id: &str) -> ServiceResult<String> {
        let token = self.keys.seal(LINK_PURPOSE, workflow_id).await?;
        Ok(format!(
            "{}/previews/{workflow_id}/?token={token}",
            self.step_env().public_url
        ))
    }

    /// Whether `token` opens the preview of `workflow_id`.
    pub async fn preview_token_opens(&self, workflow_id: &str, token: &str) -> bool {
        self.keys
            .open(LINK_PURPOSE, token)
            .await
            .is_some_and(|sealed| sealed == workflow_id)
    }

    /// Whether `viewer` may see the preview of `detail` without a link: an admin, its creator,
    /// or a member of the council that votes on it.
    pub fn may_preview(viewer: &Principal, detail: &WorkflowDetail) -> bool {
        viewer.has_role(Role::Admin)
            || viewer.id == detail.workflow.created_by_agent
            || detail.electorate.contains(&viewer.id)
    }

    /// What `path` (decoded, relative to the preview) names in the preview of `workflow_id`;
    /// NotFound when the workflow has no preview.
    pub async fn preview_file(
        &self,
        workflow_id: &str,
        path: &str,
    ) -> ServiceResult<PreviewAnswer> {
        let files: BTreeMap<String, DeploymentFile> = self
            .store
            .preview_files(workflow_id)
            .await?
            .into_iter()
            .map(|file| (file.path.clone(), file))
            .collect();
        if files.is_empty() {
            return Err(ServiceError::NotFound(format!(
                "{workflow_id} has no preview"
            )));
        }
        let read = |file: &DeploymentFile| {
            let sites = self.sites.clone();
            let file = file.clone();
            async move {
                Ok::<_, ServiceError>(sites.blob(&file.hash).await?.map(|blob| PreviewFile {
                    blob,
                    content_type: file.content_type,
                }))
            }
        };
        if let Some(file) = file_key(path).and_then(|key| files.get(&key))
            && let Some(found) = read(file).await?
        {
            return Ok(PreviewAnswer::File(found));
        }
        let folder = file_key(&format!("{path}/"));
        if !path.is_empty()
            && !path.ends_with('/')
            && folder.is_some_and(|key| files.contains_key(&key))
        {
            return Ok(PreviewAnswer::Folder);
        }
        let page = match files.get(quorum_steps::site::NOT_FOUND_FILE) {
            Some(file) => read(file).await?,
            None => None,
        };
        Ok(PreviewAnswer::Missing(page))
    }
}
