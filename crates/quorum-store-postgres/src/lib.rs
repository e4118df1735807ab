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
mod rows;
mod sessions;
mod steps;
mod store;
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
        let pool = PgPoolOptions::new()
            .max_connections(max_connections.max(2))
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await
            .map_err(map_err)?;
        Ok(Self { pool })
    }

    /// A store on a new, empty schema of the database at `url`, dropped with the returned
    /// guard: tests get a fresh database each without creating databases.
    pub async fn connect_fresh_schema(url: &str) -> StoreResult<(Self, SchemaGuard)> {
        let admin = Self::connect(url, 2).await?;
        let schema = format!(
            "quorum_test_{}",
            quorum_domain::ids::new_id("s").trim_start_matches("s_")
        );
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
            .execute(&admin.pool)
            .await
            .map_err(map_err)?;
        admin.close().await;
        let options = PgConnectOptions::from_str(url)
            .map_err(|e| StoreError::Other(e.to_string()))?
            .options([("search_path", schema.as_str())]);
        let store = Self::connect_with(options, 8).await?;
        Ok((
            store,
            SchemaGuard {
                url: url.to_owned(),
                schema,
            },
        ))
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Calls `on_change` whenever any process commits a workflow event (NOTIFY quorum_events),
/// until the process ends. The listener reconnects by itself after a lost connection.
pub async fn listen_for_changes(
    url: &str,
    on_change: impl Fn() + Send + 'static,
) -> StoreResult<()> {
    let mut listener = sqlx::postgres::PgListener::connect(url)
        .await
        .map_err(map_err)?;
    listener.listen("quorum_events").await.map_err(map_err)?;
    tokio::spawn(async move {
        loop {
            match listener.recv().await {
                Ok(_) => on_change(),
                Err(e) => {
                    tracing::warn!(error = %e, "lost the PostgreSQL notification connection; reconnecting");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
            }
        }
    });
    Ok(())
}

/// Drops its schema when dropped.
pub struct SchemaGuard {
    url: String,
    schema: String,
}

impl SchemaGuard {
    /// The schema's name, for a `search_path` handed to another process.
    pub fn schema(&self) -> &str {
        &self.schema
    }
}

impl Drop for SchemaGuard {
    fn drop(&mut self) {
        let (url, schema) = (self.url.clone(), self.schema.clone());
        // Drop runs outside async code; a short-lived runtime on its own thread does the work.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .ok()?;
            runtime.block_on(async {
                let store = PgStore::connect(&url, 2).await.ok()?;
                let sql = format!("DROP SCHEMA IF EXISTS {schema} CASCADE");
                sqlx::query(sqlx::AssertSqlSafe(sql))
                    .execute(&store.pool)
                    .await
                    .ok()?;
                store.close().await;
                Some(())
            })
        })
        .join();
        if !matches!(dropped, Ok(Some(()))) {
            eprintln!("could not drop test schema {}", self.schema);
        }
    }
}
