//! What a use case can refuse, in terms an HTTP or CLI front end maps one to one.

use quorum_domain::FieldError;
use quorum_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// The request is malformed (400).
    #[error("{message}")]
    BadRequest {
        message: String,
        details: Vec<FieldError>,
    },
    /// Well-formed, but the values break a rule (422), one detail per field.
    #[error("{message}")]
    Invalid {
        message: String,
        details: Vec<FieldError>,
    },
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    /// Too many requests from one client (429).
    #[error("{0}")]
    RateLimited(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Queue(#[from] quorum_queue::QueueError),
}

impl ServiceError {
    pub fn invalid(message: impl Into<String>, details: Vec<FieldError>) -> Self {
        Self::Invalid {
            message: message.into(),
            details,
        }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::BadRequest {
            message: message.into(),
            details: Vec::new(),
        }
    }

    /// One invalid field.
    pub fn invalid_field(field: &str, rule: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        Self::Invalid {
            message: message.clone(),
            details: vec![FieldError::new(field, rule, message)],
        }
    }
}
