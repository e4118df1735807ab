//! Votes, cancellation, hand-off and council membership.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use quorum_domain::{Council, Vote, Workflow};
use quorum_service::{CancelRequest, MembersRequest, ReassignRequest, VoteRequest};
use serde::Serialize;

use crate::error::{ApiError, ErrorEnvelope};
use crate::extract::{ApiJson, Caller, OptionalJson};
use crate::router::AppState;

#[derive(Serialize, utoipa::ToSchema)]
pub struct VoteResponse {
    pub vote: Vote,
    /// The workflow as it stands after this vote.
    pub workflow: Workflow,
}

/// Vote on a pending workflow as a member of its council. One vote per member; a reject needs
/// a reason. The decision is made by the vote that settles it.
#[utoipa::path(post, path = "/api/workflows/{id}/votes", tag = "governance", operation_id = "cast_vote",
    params(("id" = String, Path, description = "The workflow's id")), request_body = VoteRequest, security(("bearer" = [])),
    responses((status = 201, description = "The vote, and the workflow after it", body = VoteResponse),
        (status = 403, description = "The caller is an agent, not a member, or not in this workflow's electorate (its creator never is)", body = ErrorEnvelope),
        (status = 404, description = "There is no workflow with this id", body = ErrorEnvelope),
        (status = 409, description = "The caller has voted already, or the workflow is decided or no longer pending", body = ErrorEnvelope),
        (status = 422, description = "A reject without a reason, or a reason over 2,000 characters", body = ErrorEnvelope)))]
pub async fn vote(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<VoteRequest>,
) -> Result<(StatusCode, Json<VoteResponse>), ApiError> {
    let outcome = state.quorum.cast_vote(&caller, &id, request).await?;
    Ok((
        StatusCode::CREATED,
        Json(VoteResponse {
            vote: outcome.vote,
            workflow: outcome.workflow,
        }),
    ))
}

/// Send a workflow nobody has voted on yet to another council (admin). Its members, less the
/// workflow's creator, become the electorate; the reason is kept in the audit trail.
#[utoipa::path(post, path = "/api/workflows/{id}/reassign", tag = "governance", operation_id = "reassign_workflow",
    params(("id" = String, Path, description = "The workflow's id")), request_body = ReassignRequest, security(("bearer" = [])),
    responses((status = 200, description = "The workflow, now reviewed by the named council", body = Workflow),
        (status = 403, description = "The caller is not an admin", body = ErrorEnvelope),
        (status = 404, description = "There is no workflow with this id", body = ErrorEnvelope),
        (status = 409, description = "The workflow is decided, no longer pending, or its council has begun to vote", body = ErrorEnvelope),
        (status = 422, description = "No reason, no such council, the council it already has, or one whose members other than the creator cannot meet its threshold", body = ErrorEnvelope)))]
pub async fn reassign(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<ReassignRequest>,
) -> Result<Json<Workflow>, ApiError> {
    Ok(Json(
        state
            .quorum
            .reassign_workflow(&caller, &id, request)
            .await?,
    ))
}

/// Hand an approved workflow to execution (admin or its creating agent).
#[utoipa::path(post, path = "/api/workflows/{id}/enqueue", tag = "governance", operation_id = "enqueue_workflow",
    params(("id" = String, Path, description = "The workflow's id")), security(("bearer" = [])),
    responses((status = 200, description = "The workflow, queued", body = Workflow),
        (status = 403, description = "The caller is neither an admin nor the agent that created the workflow", body = ErrorEnvelope),
        (status = 404, description = "There is no workflow with this id", body = ErrorEnvelope),
        (status = 409, description = "The workflow is not approved, or is queued already", body = ErrorEnvelope)))]
pub async fn enqueue(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(id): Path<String>,
) -> Result<Json<Workflow>, ApiError> {
    Ok(Json(state.quorum.enqueue_workflow(&caller, &id).await?))
}

/// Cancel a workflow: an admin while it is PENDING or IN_PROGRESS, its creating agent while it
/// is PENDING. The body (`{"reason": "…"}`) is optional.
#[utoipa::path(post, path = "/api/workflows/{id}/cancel", tag = "governance", operation_id = "cancel_workflow",
    params(("id" = String, Path, description = "The workflow's id")),
    request_body(content = Option<CancelRequest>, description = "Optional"), security(("bearer" = [])),
    responses((status = 200, description = "The workflow, cancelled", body = Workflow),
        (status = 403, description = "The caller is neither an admin nor the agent that created the workflow, or the agent cancels a running one", body = ErrorEnvelope),
        (status = 404, description = "There is no workflow with this id", body = ErrorEnvelope),
        (status = 409, description = "The workflow has finished already", body = ErrorEnvelope)))]
pub async fn cancel(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(id): Path<String>,
    OptionalJson(request): OptionalJson<CancelRequest>,
) -> Result<Json<Workflow>, ApiError> {
    Ok(Json(
        state
            .quorum
            .cancel_workflow(&caller, &id, request.reason)
            .await?,
    ))
}

/// Replace a council's members (admin). Pending workflows keep the electorate they were created with.
#[utoipa::path(put, path = "/api/councils/{id}/members", tag = "councils", operation_id = "set_council_members",
    params(("id" = String, Path, description = "The council's id")), request_body = MembersRequest, security(("bearer" = [])),
    responses((status = 200, description = "The council with its new members", body = Council),
        (status = 403, description = "The caller is not an admin", body = ErrorEnvelope),
        (status = 404, description = "There is no council with this id", body = ErrorEnvelope),
        (status = 422, description = "A member does not exist or is not a user, or there are fewer members than the threshold's `at_least` (`details` names each)", body = ErrorEnvelope)))]
pub async fn members(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<MembersRequest>,
) -> Result<Json<Council>, ApiError> {
    Ok(Json(
        state
            .quorum
            .set_council_members(&caller, &id, request)
            .await?,
    ))
}
