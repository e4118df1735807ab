//! `PgStore`: Quorum on PostgreSQL, for many API servers and workers sharing one database.

mod bulk;
mod contact;
mod deployments;
mod detail;
mod directory;
mod error;
mod governance;
mod jobs;
mod keys;
mod limits;
mod listen;
mod marks;
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

use std::str::FromStr;
use std::time::Duration;

use quorum_store::{StoreError, StoreResult};
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};

pub(crate) use crate::error::map_err;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

#[derive(Clone)]
pub struct PgStore {
    pool: PgPool,
    steps: steps::Recorder,
}

impl PgStore {
    /// Connects to `url` (`postgres://…`) with a pool of `max_connections`.
    pub async fn connect(url: &str, max_connections: u32) -> StoreResult<Self> {
        let options = PgConnectOptions::from_str(url)
            .map_err(|e| StoreError::Other(format!("bad PostgreSQL URL: {e}")))?;
        Self::connect_with(options, max_connections).await
    }

    pub async fn connect_with(
        options: PgConnectOptions,
        max_connections: u32,
    ) -> StoreResult<Self> {
        // Quorum's statements each touch a handful of rows, but a plan kept for any parameters
        // can be costed as if it read the table, and past `jit_above_cost` PostgreSQL then
        // compiles it on every run: milliseconds of compiling for microseconds of work.
        let options = options.options([("jit", "off")]);
        let pool = PgPoolOptions::new()
            .max_connections(max_connections.max(2))
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await
            .map_err(map_err)?;
        Ok(Self {
            pool,
            steps: steps::Recorder::default(),
        })
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}
