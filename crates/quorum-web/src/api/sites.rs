//! `/api/sites`: deployed sites as resources, with their owner, live deployment, history and
//! rollbacks. Serving a site's files is `crate::sites`, outside the API.

use axum::Json;
use axum::extract::{Path, State};
use chrono::{DateTime, Utc};
use quorum_service::RollbackRequest;
use quorum_store::{DeploymentSummary, SiteRecord, SiteRollback};
use serde::{Deserialize, Serialize};

use crate::error::{ApiError, ErrorEnvelope};
use crate::extract::{ApiJson, ApiQuery, Caller, Reader};
use crate::router::AppState;

/// One deployment of a site.
#[derive(Serialize, utoipa::ToSchema)]
pub struct DeploymentView {
    pub id: String,
    /// The website workflow that made it.
    pub workflow_id: String,
    pub site_name: String,
    #[serde(with = "quorum_domain::time::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: DateTime<Utc>,
}

/// A switch of the live deployment to an earlier one.
#[derive(Serialize, utoipa::ToSchema)]
pub struct RollbackView {
    pub from_deployment: String,
    pub to_deployment: String,
    /// Who rolled the site back.
    pub actor: String,
    pub reason: String,
    #[serde(with = "quorum_domain::time::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub at: DateTime<Utc>,
}

/// A deployed site.
#[derive(Serialize, utoipa::ToSchema)]
pub struct SiteView {
    pub slug: String,
    /// Where it is served, relative to the server.
    pub url: String,
    /// The agent whose workflow first deployed it; null for a site no workflow deployed.
    pub owner_agent: Option<String>,
    /// The host name its live deployment claims: Quorum serves the site at that host's root
    /// too. Null for none.
    pub domain: Option<String>,
    pub live_deployment: DeploymentView,
    /// When the live deployment last changed.
    #[serde(with = "quorum_domain::time::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: DateTime<Utc>,
    /// Newest first, at most 50, the live one among them; empty in the list.
    pub deployments: Vec<DeploymentView>,
    /// Newest first, at most 50; empty in the list.
    pub rollbacks: Vec<RollbackView>,
}

/// One page of sites, in slug order.
#[derive(Serialize, utoipa::ToSchema)]
pub struct SiteList {
    pub sites: Vec<SiteView>,
    /// Pass as `after` for the next page; null on the last.
    pub next_after: Option<String>,
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SitesQuery {
    /// The last slug of the previous page.
    #[param(pattern = "^[a-z0-9-]{0,40}$")]
    pub after: Option<String>,
    /// 1 to 500; default 100.
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
}

fn deployment(d: DeploymentSummary) -> DeploymentView {
    DeploymentView {
        id: d.id,
        workflow_id: d.workflow_id,
        site_name: d.site_name,
        created_at: d.created_at,
    }
}

fn rollback(r: SiteRollback) -> RollbackView {
    RollbackView {
        from_deployment: r.from_deployment.unwrap_or_default(),
        to_deployment: r.to_deployment,
        actor: r.actor,
        reason: r.reason,
        at: r.at,
    }
}

fn view(site: SiteRecord) -> SiteView {
    SiteView {
        url: format!("/sites/{}/", site.slug),
        slug: site.slug,
        owner_agent: site.owner_agent,
        domain: site.domain,
        live_deployment: deployment(site.live),
        updated_at: site.updated_at,
        deployments: site.history.into_iter().map(deployment).collect(),
        rollbacks: site.rollbacks.into_iter().map(rollback).collect(),
    }
}

/// Deployed sites in slug order, with their owners and live deployments.
#[utoipa::path(get, path = "/api/sites", tag = "sites", operation_id = "list_sites",
    params(SitesQuery), security(("bearer" = [])),
    responses((status = 200, description = "One page of the deployed sites", body = SiteList),
        (status = 422, description = "A query parameter breaks its rule", body = ErrorEnvelope)))]
pub async fn list(
    State(state): State<AppState>,
    _reader: Reader,
    ApiQuery(query): ApiQuery<SitesQuery>,
) -> Result<Json<SiteList>, ApiError> {
    let limit = query.limit.unwrap_or(100);
    if !(1..=500).contains(&limit) {
        return Err(quorum_service::ServiceError::invalid_field(
            "limit",
            "range",
            format!("limit must be 1 to 500, not {limit}"),
        )
        .into());
    }
    let after = query.after.filter(|a| !a.is_empty());
    // The document promises a slug here; anything else names no place in the list.
    if let Some(after) = after.as_deref().filter(|a| !quorum_service::valid_slug(a)) {
        return Err(ApiError::bad_request(
            "the query string has invalid values",
            vec![quorum_domain::FieldError::new(
                "after",
                "pattern",
                format!("must be a site slug (1 to 40 of a-z, 0-9 and -), not {after:?}"),
            )],
        ));
    }
    let sites = state.quorum.sites(after.as_deref(), limit).await?;
    let next_after = (sites.len() as i64 == limit)
        .then(|| sites.last().map(|s| s.slug.clone()))
        .flatten();
    Ok(Json(SiteList {
        sites: sites.into_iter().map(view).collect(),
        next_after,
    }))
}

/// One site: its owner, live deployment, deployments with their workflows, and rollbacks.
#[utoipa::path(get, path = "/api/sites/{slug}", tag = "sites", operation_id = "get_site",
    params(("slug" = String, Path, description = "The site's slug")), security(("bearer" = [])),
    responses((status = 200, description = "The site", body = SiteView),
        (status = 404, description = "No site is deployed at this slug", body = ErrorEnvelope)))]
pub async fn get(
    State(state): State<AppState>,
    _reader: Reader,
    Path(slug): Path<String>,
) -> Result<Json<SiteView>, ApiError> {
    Ok(Json(view(state.quorum.site(&slug).await?)))
}

/// Serve an earlier deployment again (the site's owner or an admin); the site's rollback
/// trail records who, when, from which deployment to which, and why.
#[utoipa::path(post, path = "/api/sites/{slug}/rollback", tag = "sites", operation_id = "rollback_site",
    params(("slug" = String, Path, description = "The site's slug")), request_body = RollbackRequest,
    security(("bearer" = [])),
    responses((status = 200, description = "The site, now serving the deployment asked for", body = SiteView),
        (status = 403, description = "The caller is neither the site's owner nor an admin", body = ErrorEnvelope),
        (status = 404, description = "No site is deployed at this slug, or the deployment is not one of its own", body = ErrorEnvelope),
        (status = 409, description = "The deployment is live already", body = ErrorEnvelope),
        (status = 422, description = "The body breaks its rules (`details` names each field)", body = ErrorEnvelope)))]
pub async fn rollback_site(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(slug): Path<String>,
    ApiJson(request): ApiJson<RollbackRequest>,
) -> Result<Json<SiteView>, ApiError> {
    Ok(Json(view(
        state.quorum.rollback_site(&caller, &slug, request).await?,
    )))
}
