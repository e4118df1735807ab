//! `/api/uploads`: pictures agents send before naming them in a website's inputs. The body is
//! the picture's bytes; the service checks, decodes and re-encodes it.

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use chrono::{DateTime, Utc};
use quorum_store::Upload;
use serde::Serialize;

use crate::error::{ApiError, ErrorEnvelope};
use crate::extract::Caller;
use crate::router::AppState;

/// The longest body `POST /api/uploads` reads; longer is a 413.
pub const BODY_LIMIT: usize = quorum_service::MAX_UPLOAD_BYTES;

/// A picture's bytes, as the request body.
#[derive(utoipa::ToSchema)]
#[schema(value_type = String, format = Binary)]
pub struct Picture(#[expect(dead_code, reason = "only its schema is read")] Vec<u8>);

/// One re-encoding of the picture, at one width.
#[derive(Serialize, utoipa::ToSchema)]
pub struct RenditionView {
    pub width: u32,
    pub height: u32,
    /// `image/jpeg`, or `image/png` for a picture with transparency.
    pub content_type: String,
    pub bytes: u64,
}

/// An uploaded picture: what was sent, and the renditions sites show of it.
#[derive(Serialize, utoipa::ToSchema)]
pub struct UploadView {
    /// Name it in a website's inputs: `{"hero_image": {"upload": "upl_…", "alt": "…"}}`.
    #[schema(pattern = "^upl_[a-z0-9]{1,60}$")]
    pub upload_id: String,
    /// The type the original was.
    pub content_type: String,
    /// The original's size as shown (after the turn its metadata asked for).
    pub width: u32,
    pub height: u32,
    /// The original's length; the original itself is not kept.
    pub bytes: u64,
    /// Narrowest first; the widest is at most 1600 pixels and never wider than the original.
    pub renditions: Vec<RenditionView>,
    #[serde(with = "quorum_domain::time::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: DateTime<Utc>,
}

fn view(upload: Upload) -> UploadView {
    UploadView {
        upload_id: upload.id,
        content_type: upload.content_type,
        width: upload.width,
        height: upload.height,
        bytes: upload.bytes,
        renditions: upload
            .renditions
            .into_iter()
            .map(|r| RenditionView {
                width: r.width,
                height: r.height,
                content_type: r.content_type,
                bytes: r.bytes,
            })
            .collect(),
        created_at: upload.created_at,
    }
}

/// A body whose declared length is past the limit, refused before any of it is read: a client
/// that stops sending when the answer comes (or waits for it) gets the 413, where reading on
/// would race the refusal against the client's writes.
pub struct WithinLimit;

impl<S: Send + Sync> FromRequestParts<S> for WithinLimit {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let declared = parts
            .headers
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        match declared {
            Some(length) if length > BODY_LIMIT as u64 => {
                Err(ApiError::payload_too_large_of("10 MiB"))
            }
            _ => Ok(WithinLimit),
        }
    }
}

/// Upload a picture for a website (agents and admins).
///
/// PNG, JPEG or WebP, at most 10 MiB, 8,000 pixels on a side and 40 megapixels. It is re-encoded at 480, 960 and 1600 pixels
/// wide (never wider than it is), which drops its metadata; name the answered `upload_id` in
/// the inputs (`logo`, `hero_image`, `gallery[]`, `team[].photo`).
#[utoipa::path(post, path = "/api/uploads", tag = "uploads", operation_id = "create_upload",
    request_body(description = "The picture's bytes, with its type as `Content-Type`.",
        content((inline(Picture) = "image/png"), (inline(Picture) = "image/jpeg"), (inline(Picture) = "image/webp"))),
    security(("bearer" = [])),
    responses((status = 201, description = "The picture, kept with its renditions", body = UploadView),
        (status = 403, description = "The caller is neither an agent nor an admin", body = ErrorEnvelope),
        (status = 413, description = "The body is larger than the 10 MiB limit", body = ErrorEnvelope),
        (status = 422, description = "The picture is refused (`details` names `Content-Type` or `body` and the rule): a type other than PNG, JPEG or WebP (SVG included), a declared type the bytes disagree with, a wrong magic number, more than 8,000 pixels on a side or 40 megapixels (read from the header, before decoding), or bytes that do not decode", body = ErrorEnvelope),
        (status = 429, description = "More than 30 uploads in a minute by this principal", body = ErrorEnvelope)))]
pub async fn create(
    State(state): State<AppState>,
    Caller(caller): Caller,
    headers: HeaderMap,
    _declared: WithinLimit,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<UploadView>), ApiError> {
    let body = body.map_err(|rejection| match rejection.status() {
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::payload_too_large_of("10 MiB"),
        _ => ApiError::bad_request("the body could not be read to its end", Vec::new()),
    })?;
    // A type that is not text names no accepted type: the service refuses it by name.
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .map(|v| v.to_str().unwrap_or("(not text)"));
    let upload = state
        .quorum
        .upload(&caller, content_type, Vec::from(body))
        .await?;
    Ok((StatusCode::CREATED, Json(view(upload))))
}

/// An uploaded picture's metadata (its owner or an admin).
#[utoipa::path(get, path = "/api/uploads/{id}", tag = "uploads", operation_id = "get_upload",
    params(("id" = String, Path, description = "The upload's id, `upl_…`")), security(("bearer" = [])),
    responses((status = 200, description = "The picture and its renditions", body = UploadView),
        (status = 403, description = "The caller is neither an agent nor an admin", body = ErrorEnvelope),
        (status = 404, description = "No upload of the caller's (or, for an admin, of anyone's) has this id", body = ErrorEnvelope)))]
pub async fn get(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(id): Path<String>,
) -> Result<Json<UploadView>, ApiError> {
    Ok(Json(view(state.quorum.get_upload(&caller, &id).await?)))
}
