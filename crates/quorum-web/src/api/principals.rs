//! `/api/principals`: agents and people, and their tokens.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use quorum_domain::{Delegation, Principal};
use quorum_service::{
    DelegationRequest, NewPrincipal, NotificationRequest, PrincipalCreated, TokensRevoked,
};
use quorum_store::NotificationSettings;

use crate::error::{ApiError, ErrorEnvelope};
use crate::extract::{ApiJson, Caller};
use crate::router::AppState;

/// Create an agent or a user (admin). The token in the response is shown only this once.
#[utoipa::path(post, path = "/api/principals", tag = "principals", operation_id = "create_principal",
    request_body = NewPrincipal, security(("bearer" = [])),
    responses((status = 201, description = "The principal and its first token", body = PrincipalCreated),
        (status = 403, description = "The caller is not an admin", body = ErrorEnvelope),
        (status = 409, description = "A principal has this id", body = ErrorEnvelope),
        (status = 422, description = "The id is `admin` or breaks its pattern, the name is blank or too long, or no role is given (`details` names each)", body = ErrorEnvelope)))]
pub async fn create(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiJson(new): ApiJson<NewPrincipal>,
) -> Result<(StatusCode, Json<PrincipalCreated>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(state.quorum.create_principal(&caller, new).await?),
    ))
}

/// Who the token belongs to.
#[utoipa::path(get, path = "/api/principals/me", tag = "principals", operation_id = "get_current_principal",
    security(("bearer" = [])),
    responses((status = 200, description = "The token's principal", body = Principal)))]
pub async fn me(Caller(caller): Caller) -> Json<Principal> {
    Json(caller)
}

/// Revoke every API token of a principal (admin). Its dashboard sessions end with them, on
/// every server; the principal stays, and a new token can be made for it.
#[utoipa::path(delete, path = "/api/principals/{id}/tokens", tag = "principals", params(("id" = String, Path, description = "The principal's id")), security(("bearer" = [])),
    responses(
        (status = 200, description = "The tokens are revoked and the sessions ended", body = TokensRevoked),
        (status = 401, description = "No valid API token", body = ErrorEnvelope),
        (status = 403, description = "The caller is not an admin", body = ErrorEnvelope),
        (status = 404, description = "There is no such principal", body = ErrorEnvelope)))]
pub async fn revoke_tokens(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(id): Path<String>,
) -> Result<Json<TokensRevoked>, ApiError> {
    Ok(Json(state.quorum.revoke_tokens(&caller, &id).await?))
}

/// Name a delegate while away: until `ends_at`, their votes on workflows the caller may vote
/// on count as the caller's (a member still votes once). Replaces any delegation the caller had.
#[utoipa::path(put, path = "/api/principals/me/delegation", tag = "principals", operation_id = "set_delegation",
    request_body = DelegationRequest, security(("bearer" = [])),
    responses((status = 200, description = "The delegation now in force or to come", body = Delegation),
        (status = 403, description = "The caller is not a member who votes", body = ErrorEnvelope),
        (status = 422, description = "The delegate is the caller, not a member, or does not exist; or the dates are not a future range of at most 366 days", body = ErrorEnvelope)))]
pub async fn set_delegation(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiJson(request): ApiJson<DelegationRequest>,
) -> Result<Json<Delegation>, ApiError> {
    Ok(Json(state.quorum.set_delegation(&caller, request).await?))
}

/// The caller's delegation.
#[utoipa::path(get, path = "/api/principals/me/delegation", tag = "principals", operation_id = "get_delegation",
    security(("bearer" = [])),
    responses((status = 200, description = "The caller's delegation", body = Delegation),
        (status = 404, description = "The caller has named no delegate", body = ErrorEnvelope)))]
pub async fn delegation(
    State(state): State<AppState>,
    Caller(caller): Caller,
) -> Result<Json<Delegation>, ApiError> {
    match state.quorum.delegation(&caller).await? {
        Some(delegation) => Ok(Json(delegation)),
        None => Err(ApiError::not_found("you have named no delegate")),
    }
}

/// End the caller's delegation at once.
#[utoipa::path(delete, path = "/api/principals/me/delegation", tag = "principals", operation_id = "end_delegation",
    security(("bearer" = [])),
    responses((status = 204, description = "The delegation has ended"),
        (status = 404, description = "The caller has named no delegate", body = ErrorEnvelope)))]
pub async fn end_delegation(
    State(state): State<AppState>,
    Caller(caller): Caller,
) -> Result<StatusCode, ApiError> {
    match state.quorum.end_delegation(&caller).await? {
        true => Ok(StatusCode::NO_CONTENT),
        false => Err(ApiError::not_found("you have named no delegate")),
    }
}

/// How the caller (a council member) is told of workflows awaiting their vote.
#[utoipa::path(put, path = "/api/principals/me/notifications", tag = "principals", operation_id = "set_notifications",
    request_body = NotificationRequest, security(("bearer" = [])),
    responses((status = 200, description = "The settings now in force", body = NotificationSettings),
        (status = 403, description = "The caller is not a member", body = ErrorEnvelope),
        (status = 422, description = "The address is not an e-mail address, or the mode is not immediate, daily or none", body = ErrorEnvelope)))]
pub async fn set_notifications(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiJson(request): ApiJson<NotificationRequest>,
) -> Result<Json<NotificationSettings>, ApiError> {
    Ok(Json(
        state.quorum.set_notifications(&caller, request).await?,
    ))
}

/// The caller's notification settings.
#[utoipa::path(get, path = "/api/principals/me/notifications", tag = "principals", operation_id = "get_notifications",
    security(("bearer" = [])),
    responses((status = 200, description = "The caller's settings", body = NotificationSettings),
        (status = 404, description = "The caller has set none: they are sent nothing", body = ErrorEnvelope)))]
pub async fn notifications(
    State(state): State<AppState>,
    Caller(caller): Caller,
) -> Result<Json<NotificationSettings>, ApiError> {
    match state.quorum.notifications(&caller).await? {
        Some(settings) => Ok(Json(settings)),
        None => Err(ApiError::not_found(
            "you have set no notification address, so Quorum sends you nothing",
        )),
    }
}
