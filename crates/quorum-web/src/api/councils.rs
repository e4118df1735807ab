//! `/api/councils`.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use quorum_domain::Council;
use quorum_service::NewCouncil;

use crate::error::{ApiError, ErrorEnvelope};
use crate::extract::{ApiJson, Caller, Reader};
use crate::router::AppState;

#[utoipa::path(get, path = "/api/councils", tag = "councils", responses((status = 200, body = Vec<Council>)))]
pub async fn list(
    State(state): State<AppState>,
    _reader: Reader,
) -> Result<Json<Vec<Council>>, ApiError> {
    Ok(Json(state.quorum.councils().await?))
}

/// Create a council that owns one or more domains (admin).
#[utoipa::path(post, path = "/api/councils", tag = "councils", request_body = NewCouncil, security(("bearer" = [])),
    responses((status = 201, body = Council), (status = 403, body = ErrorEnvelope), (status = 409, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
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

#[utoipa::path(get, path = "/api/councils/{id}", tag = "councils", params(("id" = String, Path)),
    responses((status = 200, body = Council), (status = 404, body = ErrorEnvelope)))]
pub async fn get(
    State(state): State<AppState>,
    _reader: Reader,
    Path(id): Path<String>,
) -> Result<Json<Council>, ApiError> {
    Ok(Json(state.quorum.council(&id).await?))
}
