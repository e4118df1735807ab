//! `/api/principals`: agents and people, and their tokens.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use quorum_domain::Principal;
use quorum_service::{NewPrincipal, PrincipalCreated};

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
