//! `SqliteStore`: Quorum's embedded storage, one SQLite file in WAL mode.
//!
//! Writes go through a single connection, so that transactions in this process queue up
//! instead of failing with SQLITE_BUSY; reads use connections of their own and never wait for
//! them. Each call runs as one closure on a connection's thread (see `db`).

mod bulk;
mod contact;
mod db;
mod deployments;
mod detail;
mod directory;
mod error;
mod governance;
mod jobs;
mod keys;
mod limits;
mod marks;
mod migrations;
mod notices;
mod orders;
mod rows;
mod sessions;
mod steps;
mod store;
mod uploads;
mod visitors;
mod workflows;
mod writes;

use std::path::PathBuf;
use std::sync::Arc;

use quorum_store::{StoreError, StoreResult};

use crate::db::Db;
pub(crate) use crate::error::{Error, Result};

#[derive(Clone)]
pub struct SqliteStore {
    db: Arc<Db>,
}

impl SqliteStore {
    /// Opens (creating if missing) the database at `url`, e.g. `sqlite://quorum-data/quorum.db`.
    pub async fn connect(url: &str, readers: u32) -> StoreResult<Self> {
        let path = database_path(url)?;
        let db = tokio::task::spawn_blocking(move || Db::open(&path, readers))
            .await
            .map_err(|e| StoreError::Other(format!("opening SQLite: {e}")))??;
        Ok(Self { db: Arc::new(db) })
    }

    pub async fn close(&self) {
        self.db.close().await;
    }
}

/// The file a `sqlite://PATH` or `sqlite:PATH` URL names; options after `?` are not used.
fn database_path(url: &str) -> StoreResult<PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .ok_or_else(|| StoreError::Other(format!("bad SQLite URL {url:?}: use sqlite://PATH")))?;
    let path = rest.split('?').next().unwrap_or_default();
    if path.is_empty() || path == ":memory:" {
        return Err(StoreError::Other(format!(
            "bad SQLite URL {url:?}: name a database file"
        )));
    }
    Ok(PathBuf::from(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_url_names_a_database_file() {
        let path = |url| database_path(url).map(|p| p.display().to_string());
        assert_eq!(
            path("sqlite://quorum-data/quorum.db").unwrap(),
            "quorum-data/quorum.db"
        );
        assert_eq!(
            path("sqlite:///var/lib/q.db?mode=rwc").unwrap(),
            "/var/lib/q.db"
        );
        assert_eq!(path("sqlite:q.db").unwrap(), "q.db");
        for refused in ["sqlite::memory:", "sqlite://", "postgres://x/y", "q.db"] {
            assert!(path(refused).is_err(), "{refused}");
        }
    }
}
