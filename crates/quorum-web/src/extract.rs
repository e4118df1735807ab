//! Request extractors that turn their failures into `ApiError`s: JSON bodies, query strings
//! and the caller's identity.

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header;
use axum::http::request::Parts;
use quorum_domain::Principal;
use serde::de::DeserializeOwned;

use crate::error::ApiError;
use crate::router::AppState;

/// A JSON body; malformed JSON, a wrong content type or an oversized body are JSON errors.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let axum::Json(value) = axum::Json::<T>::from_request(req, state).await?;
        Ok(Self(value))
    }
}

/// A query string parsed into `T`, whose fields are all optional strings so that each bad
/// value can be reported by name.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let axum::extract::Query(value) =
            axum::extract::Query::<T>::from_request_parts(parts, state).await?;
        Ok(Self(value))
    }
}

async fn bearer(parts: &Parts, state: &AppState) -> Result<Option<Principal>, ApiError> {
    let Some(value) = parts.headers.get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let token = value
        .to_str()
        .ok()
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| {
            ApiError::unauthorized("the Authorization header must be \"Bearer <token>\"")
        })?;
    Ok(Some(state.quorum.auth().authenticate(token).await?))
}

/// The authenticated caller of a write: 401 without a valid token.
pub struct Caller(pub Principal);

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        bearer(parts, state).await?.map(Caller).ok_or_else(|| {
            ApiError::unauthorized(
                "this request needs an API token: send Authorization: Bearer <token>",
            )
        })
    }
}

/// The caller of a read: anyone when public reads are on (demo mode), else a valid token. A
/// token that is sent is always checked.
pub struct Reader(pub Option<Principal>);

impl FromRequestParts<AppState> for Reader {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        match bearer(parts, state).await? {
            Some(principal) => Ok(Reader(Some(principal))),
            None if state.quorum.public_reads() => Ok(Reader(None)),
            None => Err(ApiError::unauthorized(
                "reading needs an API token: send Authorization: Bearer <token>",
            )),
        }
    }
}
