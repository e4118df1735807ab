//! The one error type every handler returns, and its JSON envelope:
//! `{"error": {"code", "message", "details"}}`.

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use quorum_domain::FieldError;
use quorum_service::ServiceError;
use quorum_store::StoreError;
use serde::Serialize;

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub details: Vec<FieldError>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorEnvelope {
    pub error: ErrorBody,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// snake_case, stable: `validation_failed`, `not_found`, …
    pub code: String,
    /// A sentence a person can act on.
    pub message: String,
    pub details: Vec<FieldError>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            details: Vec::new(),
        }
    }

    pub fn bad_request(message: impl Into<String>, details: Vec<FieldError>) -> Self {
        Self {
            details,
            ..Self::new(StatusCode::BAD_REQUEST, "bad_request", message)
        }
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", message)
    }

    pub fn payload_too_large() -> Self {
        Self::payload_too_large_of("1 MiB")
    }

    /// A 413 for a route whose limit is `limit`.
    pub fn payload_too_large_of(limit: &str) -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            format!("the body is larger than the {limit} limit"),
        )
    }

    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthorized", message)
    }
}

/// The most of a message an error answer carries. Parser and schema messages quote the value
/// they refused, and a 200,000-character value would otherwise come back at the sender twice.
const MAX_MESSAGE_CHARS: usize = 500;

/// `message` cut to [`MAX_MESSAGE_CHARS`], with control characters written as escapes: a
/// message may quote the very key or value that was refused for holding one.
fn shortened(message: String) -> String {
    let mut out = String::with_capacity(message.len().min(4 * MAX_MESSAGE_CHARS));
    for (count, c) in message.chars().enumerate() {
        if count == MAX_MESSAGE_CHARS {
            out.push('…');
            break;
        }
        match c.is_control() {
            true => out.push_str(&c.escape_unicode().to_string()),
            false => out.push(c),
        }
    }
    out
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let details = self
            .details
            .into_iter()
            .take(100)
            .map(|d| FieldError {
                field: shortened(d.field),
                rule: d.rule,
                message: shortened(d.message),
            })
            .collect();
        let envelope = ErrorEnvelope {
            error: ErrorBody {
                code: self.code.to_owned(),
                message: shortened(self.message),
                details,
            },
        };
        let mut response = (self.status, Json(envelope)).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

impl From<ServiceError> for ApiError {
    fn from(e: ServiceError) -> Self {
        match e {
            ServiceError::BadRequest { message, details } => Self::bad_request(message, details),
            ServiceError::Invalid { message, details } => Self {
                details,
                ..Self::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "validation_failed",
                    message,
                )
            },
            ServiceError::Unauthorized(m) => Self::unauthorized(m),
            ServiceError::Forbidden(m) => Self::new(StatusCode::FORBIDDEN, "forbidden", m),
            ServiceError::NotFound(m) => Self::not_found(m),
            ServiceError::Conflict(m) => Self::new(StatusCode::CONFLICT, "conflict", m),
            ServiceError::RateLimited(m) => {
                Self::new(StatusCode::TOO_MANY_REQUESTS, "rate_limited", m)
            }
            ServiceError::Store(e) => e.into(),
            ServiceError::Queue(quorum_queue::QueueError::Unavailable(m)) => {
                tracing::warn!(error = %m, "queue unavailable");
                Self::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "unavailable",
                    "the queue is unavailable; retry shortly",
                )
            }
            ServiceError::Queue(e) => {
                tracing::error!(error = %e, "queue error");
                Self::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "an internal error occurred; it has been logged",
                )
            }
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound(what) => Self::not_found(format!("{what} does not exist")),
            StoreError::Conflict(m) => Self::new(StatusCode::CONFLICT, "conflict", m),
            StoreError::Unavailable(m) => {
                tracing::warn!(error = %m, "database unavailable");
                Self::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "unavailable",
                    "the database is unavailable; retry shortly",
                )
            }
            StoreError::Other(m) => {
                tracing::error!(error = %m, "storage error");
                Self::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "an internal error occurred; it has been logged",
                )
            }
        }
    }
}

impl From<QueryRejection> for ApiError {
    fn from(r: QueryRejection) -> Self {
        Self::bad_request(
            format!("the query string is malformed: {}", r.body_text()),
            Vec::new(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_message_is_cut_at_a_character_boundary() {
        assert_eq!(shortened("short".into()), "short");
        let long = shortened("é".repeat(10_000));
        assert_eq!(long.chars().count(), MAX_MESSAGE_CHARS + 1);
        assert!(long.ends_with('…'));
        assert_eq!(shortened("key a\0b".into()), "key a\\u{0}b");
    }
}
