//! `/api/councils`.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use quorum_domain::Council;
use quorum_service::NewCouncil;

use crate::error::{ApiError, ErrorEnvelope};
use crate::extract::{ApiJson, Caller, Reader};
use crate::router::AppState;

/// Every council.
#[utoipa::path(get, path = "/api/councils", tag = "councils", operation_id = "list_councils", security(("bearer" = [])),
    responses((status = 200, description = "Every council", body = Vec<Council>)))]
pub async fn list(
    State(state): State<AppState>,
    _reader: Reader,
) -> Result<Json<Vec<Council>>, ApiError> {
    Ok(Json(state.quorum.councils().await?))
}

/// Create a council that owns one or more domains (admin).
#[utoipa::path(post, path = "/api/councils", tag = "councils", operation_id = "create_council", request_body = NewCouncil,
    security(("bearer" = [])),
    responses((status = 201, description = "The council", body = Council,
            links(
                ("get" = (operation_id = "get_council", parameters(("id" = "$response.body#/id")))),
                ("members" = (operation_id = "set_council_members", parameters(("id" = "$response.body#/id")))),
            )),
        (status = 403, description = "The caller is not an admin", body = ErrorEnvelope),
        (status = 409, description = "A council has this id, or owns one of these domains", body = ErrorEnvelope),
        (status = 422, description = "A field breaks its rule, a member is not a user, or `at_least` exceeds the members (`details` names each)", body = ErrorEnvelope)))]
pub async fn create(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiJson(new): ApiJson<NewCouncil>,
) -> Result<(StatusCode, Json<Council>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(state.quorum.create_council(&caller, new).await?),
    ))
}

/// One council.
#[utoipa::path(get, path = "/api/councils/{id}", tag = "councils", operation_id = "get_council",
    params(("id" = String, Path, description = "The council's id")), security(("bearer" = [])),
    responses((status = 200, description = "The council", body = Council),
        (status = 404, description = "There is no council with this id", body = ErrorEnvelope)))]
pub async fn get(
    State(state): State<AppState>,
    _reader: Reader,
    Path(id): Path<String>,
) -> Result<Json<Council>, ApiError> {
    Ok(Json(state.quorum.council(&id).await?))
}
