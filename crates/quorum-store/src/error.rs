//! The few ways a store call can fail that callers treat differently.

#[derive(Debug, Clone, thiserror::Error)]
pub enum StoreError {
    #[error("{0} not found")]
    NotFound(String),
    /// A uniqueness or state precondition lost: duplicate id, stale status.
    #[error("{0}")]
    Conflict(String),
    /// The database cannot be reached or is shutting down; worth retrying.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    #[error("storage error: {0}")]
    Other(String),
}
