//! Sites as resources with an owner: the agent whose workflow first deployed a slug owns it,
//! other agents' website workflows for it are refused at creation, the council is told when
//! a proposal replaces a live site, and the owner or an admin rolls a site back.

use quorum_domain::{Principal, Role, Text, Workflow, WorkflowTypeDefinition};
use quorum_steps::site::{SiteInputs, slug_of};
use quorum_store::{SiteRecord, SiteRollback};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::{Quorum, ServiceError, ServiceResult, valid_slug};

/// The step whose presence makes a type deploy a site.
pub(crate) const DEPLOY_HANDLER: &str = "website.deploy";

/// The live site a proposal would replace, for the council to see before it votes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Replaces {
    pub slug: String,
    pub owner_agent: Option<String>,
    /// The deployment the site serves now, and the workflow that made it.
    pub live_deployment_id: String,
    pub live_workflow_id: String,
}

/// `POST /api/sites/{slug}/rollback`.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RollbackRequest {
    /// An earlier deployment of this site (`deploy_…`).
    #[schema(max_length = 64, pattern = "^[a-z0-9_]{1,64}$")]
    pub deployment_id: String,
    /// Why; kept in the site's rollback trail.
    #[schema(min_length = 1, max_length = 500)]
    pub reason: String,
}

/// The site inputs of a workflow of `definition`; None for a type that deploys no site, or
/// inputs that are not a site's (their own checks report those).
pub(crate) fn site_inputs(
    definition: &WorkflowTypeDefinition,
    inputs: &Value,
) -> Option<SiteInputs> {
    definition
        .steps
        .iter()
        .any(|s| s.handler == DEPLOY_HANDLER)
        .then(|| serde_json::from_value::<SiteInputs>(inputs.clone()).ok())
        .flatten()
}

/// The slug a workflow of `definition` with `inputs` would deploy to.
fn site_slug(definition: &WorkflowTypeDefinition, inputs: &Value) -> Option<String> {
    site_inputs(definition, inputs).map(|inputs| slug_of(&inputs))
}

impl Quorum {
    /// A 422 naming the owner when `inputs` would deploy to a slug another agent owns.
    pub(crate) async fn check_site_owner(
        &self,
        caller: &Principal,
        definition: &WorkflowTypeDefinition,
        inputs: &Value,
    ) -> ServiceResult<()> {
        let Some(slug) = site_slug(definition, inputs) else {
            return Ok(());
        };
        let Some(site) = self.store.site(&slug).await? else {
            return Ok(());
        };
        match site.owner_agent {
            Some(owner) if owner != caller.id => Err(ServiceError::invalid_field(
                "inputs.site_slug",
                "owner",
                format!(
                    "the site {slug} belongs to {owner}; choose another slug with the input site_slug"
                ),
            )),
            _ => Ok(()),
        }
    }

    /// The live site `workflow` would replace, while it is undecided or running; None when
    /// it deploys no site, its slug is new, or the live deployment is its own.
    pub async fn replaces(&self, workflow: &Workflow) -> ServiceResult<Option<Replaces>> {
        if workflow.status.is_terminal() {
            return Ok(None);
        }
        let compiled = self
            .registry
            .get(
                &workflow.workflow_type_id,
                Some(workflow.workflow_type_version),
            )
            .await?;
        let Some(slug) = site_slug(&compiled.definition, &workflow.inputs.to_value()) else {
            return Ok(None);
        };
        let Some(site) = self.store.site(&slug).await? else {
            return Ok(None);
        };
        Ok((site.live.workflow_id != workflow.id).then_some(Replaces {
            slug: site.slug,
            owner_agent: site.owner_agent,
            live_deployment_id: site.live.id,
            live_workflow_id: site.live.workflow_id,
        }))
    }

    /// A site with its owner, live deployment, history and rollbacks.
    pub async fn site(&self, slug: &str) -> ServiceResult<SiteRecord> {
        let missing = || ServiceError::NotFound(format!("no site is deployed at {slug}"));
        if !valid_slug(slug) {
            return Err(missing());
        }
        self.store.site(slug).await?.ok_or_else(missing)
    }

    /// Sites in slug order after `after`.
    pub async fn sites(&self, after: Option<&str>, limit: i64) -> ServiceResult<Vec<SiteRecord>> {
        Ok(self.store.sites(after, limit.clamp(1, 500)).await?)
    }

    /// Makes an earlier deployment of `slug` live again: the site's owner or an admin.
    pub async fn rollback_site(
        &self,
        caller: &Principal,
        slug: &str,
        request: RollbackRequest,
    ) -> ServiceResult<SiteRecord> {
        let site = self.site(slug).await?;
        let owner = site.owner_agent.as_deref() == Some(caller.id.as_str());
        if !owner && !caller.has_role(Role::Admin) {
            return Err(ServiceError::Forbidden(format!(
                "only {} (its owner) or an admin may roll back {slug}",
                site.owner_agent.as_deref().unwrap_or("the site's owner")
            )));
        }
        let reason = request.reason.trim();
        if reason.is_empty() || reason.chars().count() > 500 || !Text::Multiline.allows(reason) {
            return Err(ServiceError::invalid_field(
                "reason",
                "text",
                "reason must be 1 to 500 characters, without NUL",
            ));
        }
        let rollback = SiteRollback {
            slug: slug.to_owned(),
            from_deployment: None,
            to_deployment: request.deployment_id,
            actor: caller.id.clone(),
            reason: reason.to_owned(),
            at: quorum_domain::time::now(),
        };
        self.store.rollback_site(&rollback).await?;
        self.sites.forget(slug);
        self.site(slug).await
    }
}
