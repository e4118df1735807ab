//! What a SQLite store call fails with inside its connection's thread: SQLite's errors and the
//! store's own refusals, both becoming the caller's `StoreError`.

use quorum_store::StoreError;

/// A failure inside a store call: SQLite's, or a rule the store checks. `?` turns either into
/// it, and the connection layer hands its `StoreError` to the caller.
pub(crate) struct Error(pub StoreError);

pub(crate) type Result<T> = std::result::Result<T, Error>;

impl From<StoreError> for Error {
    fn from(e: StoreError) -> Self {
        Self(e)
    }
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        use rusqlite::ErrorCode;
        use rusqlite::ffi;
        Self(match &e {
            rusqlite::Error::QueryReturnedNoRows => StoreError::NotFound("row".into()),
            rusqlite::Error::SqliteFailure(failure, message) => {
                let message = message.clone().unwrap_or_else(|| e.to_string());
                match (failure.code, failure.extended_code) {
                    (_, ffi::SQLITE_CONSTRAINT_UNIQUE | ffi::SQLITE_CONSTRAINT_PRIMARYKEY) => {
                        StoreError::Conflict(message)
                    }
                    (_, ffi::SQLITE_CONSTRAINT_FOREIGNKEY) => {
                        StoreError::NotFound(format!("a referenced record ({message})"))
                    }
                    (
                        ErrorCode::DatabaseBusy
                        | ErrorCode::DatabaseLocked
                        | ErrorCode::CannotOpen
                        | ErrorCode::SystemIoFailure
                        | ErrorCode::DiskFull,
                        _,
                    ) => StoreError::Unavailable(message),
                    _ => StoreError::Other(message),
                }
            }
            _ => StoreError::Other(e.to_string()),
        })
    }
}
