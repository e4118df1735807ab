//! Request extractors that turn their failures into `ApiError`s: JSON bodies, query strings
//! and the caller's identity.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use quorum_domain::Principal;
use serde::de::DeserializeOwned;

use crate::error::ApiError;
use crate::router::AppState;
use crate::strict::{self, JsonRefusal};

/// A JSON body, read by [`strict::json`]: malformed JSON, NUL in a string, a repeated key,
/// the wrong shape, a wrong content type or an oversized body are JSON errors.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !json_content_type(req.headers()) {
            return Err(unsupported_media_type());
        }
        let body = Bytes::from_request(req, state).await.map_err(|rejection| {
            match rejection.status() {
                StatusCode::PAYLOAD_TOO_LARGE => ApiError::payload_too_large(),
                _ => ApiError::bad_request("the body could not be read to its end", Vec::new()),
            }
        })?;
        json_body(&body).map(Self)
    }
}

/// A JSON body that may be left out: an empty (or blank) body is `T::default()`; anything else
/// is read as [`ApiJson`] reads it.
pub struct OptionalJson<T>(pub T);

impl<T: DeserializeOwned + Default, S: Send + Sync> FromRequest<S> for OptionalJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let json = json_content_type(req.headers());
        let body = Bytes::from_request(req, state).await.map_err(|rejection| {
            match rejection.status() {
                StatusCode::PAYLOAD_TOO_LARGE => ApiError::payload_too_large(),
                _ => ApiError::bad_request("the body could not be read to its end", Vec::new()),
            }
        })?;
        if body.iter().all(u8::is_ascii_whitespace) {
            return Ok(Self(T::default()));
        }
        if !json {
            return Err(unsupported_media_type());
        }
        json_body(&body).map(Self)
    }
}

fn unsupported_media_type() -> ApiError {
    ApiError::new(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
        "send the body as JSON with the header Content-Type: application/json",
    )
}

/// `body` as `T`, through the same checks as [`ApiJson`].
pub fn json_body<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    let value = strict::json(body).map_err(|refusal| match refusal {
        JsonRefusal::Syntax(message) => ApiError::new(
            StatusCode::BAD_REQUEST,
            "malformed_json",
            format!("the body is not valid JSON: {message}"),
        ),
        JsonRefusal::Field(detail) => ApiError::bad_request(
            format!(
                "the body cannot be accepted: {} {}",
                detail.field, detail.message
            ),
            vec![detail],
        ),
    })?;
    serde_json::from_value(value).map_err(|e| {
        ApiError::bad_request(
            format!("the body does not have the expected shape: {e}"),
            Vec::new(),
        )
    })
}

fn json_content_type(headers: &HeaderMap) -> bool {
    let Some(value) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let essence = value.split(';').next().unwrap_or("").trim();
    essence.eq_ignore_ascii_case("application/json")
        || essence.rsplit_once('+').is_some_and(|(kind, suffix)| {
            kind.starts_with("application/") && suffix.eq_ignore_ascii_case("json")
        })
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
    bearer_of(&parts.headers, state).await
}

/// The principal whose API token `headers` carry, if they carry one; 401 for a bad one.
pub(crate) async fn bearer_of(
    headers: &HeaderMap,
    state: &AppState,
) -> Result<Option<Principal>, ApiError> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
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
