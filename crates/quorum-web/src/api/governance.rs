//! Votes, cancellation, hand-off and council membership.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use quorum_domain::{Council, Vote, Workflow};
use quorum_service::{CancelRequest, MembersRequest, ReassignRequest, VoteRequest};
use serde::Serialize;

use crate::error::{ApiError, ErrorEnvelope};
use crate::extract::{ApiJson, Caller, json_body};
use crate::router::AppState;

#[derive(Serialize, utoipa::ToSchema)]
pub struct VoteResponse {
    pub vote: Vote,
    /// The workflow as it stands after this vote.
    pub workflow: Workflow,
}

/// Vote on a pending workflow as a member of its council. One vote per member; a reject needs
/// a reason. The decision is made by the vote that settles it.
#[utoipa::path(post, path = "/api/workflows/{id}/votes", tag = "governance", params(("id" = String, Path)),
    request_body = VoteRequest, security(("bearer" = [])),
    responses((status = 201, body = VoteResponse), (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope),
        (status = 409, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
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
#[utoipa::path(post, path = "/api/workflows/{id}/reassign", tag = "governance", params(("id" = String, Path)),
    request_body = ReassignRequest, security(("bearer" = [])),
    responses((status = 200, body = Workflow), (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope),
        (status = 409, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
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
#[utoipa::path(post, path = "/api/workflows/{id}/enqueue", tag = "governance", params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = Workflow), (status = 403, body = ErrorEnvelope), (status = 409, body = ErrorEnvelope)))]
pub async fn enqueue(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(id): Path<String>,
) -> Result<Json<Workflow>, ApiError> {
    Ok(Json(state.quorum.enqueue_workflow(&caller, &id).await?))
}

/// Cancel a workflow: an admin while it is PENDING or IN_PROGRESS, its creating agent while it
/// is PENDING. The body (`{"reason": "…"}`) is optional.
#[utoipa::path(post, path = "/api/workflows/{id}/cancel", tag = "governance", params(("id" = String, Path)),
    request_body(content = Option<CancelRequest>), security(("bearer" = [])),
    responses((status = 200, body = Workflow), (status = 403, body = ErrorEnvelope), (status = 409, body = ErrorEnvelope)))]
pub async fn cancel(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<Workflow>, ApiError> {
    let request: CancelRequest = if body.iter().all(u8::is_ascii_whitespace) {
        CancelRequest::default()
    } else {
        json_body(&body)?
    };
    Ok(Json(
        state
            .quorum
            .cancel_workflow(&caller, &id, request.reason)
            .await?,
    ))
}

/// Replace a council's members (admin). Pending workflows keep the electorate they were created with.
#[utoipa::path(put, path = "/api/councils/{id}/members", tag = "councils", params(("id" = String, Path)),
    request_body = MembersRequest, security(("bearer" = [])),
    responses((status = 200, body = Council), (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
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
