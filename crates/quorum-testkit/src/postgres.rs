//! A PostgreSQL schema of a test's own: created empty on the test server, reached through a
//! URL that scopes every connection to it, and dropped with it, so that tests (and the
//! processes they start) each get a fresh database without creating databases.

use std::time::Duration;

use sqlx::postgres::PgPoolOptions;

/// The server tests use: `QUORUM_TEST_DATABASE_URL`, else the local one [`POSTGRES_HOW`]
/// describes.
///
/// [`POSTGRES_HOW`]: crate::POSTGRES_HOW
pub fn postgres_url() -> String {
    std::env::var("QUORUM_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

/// An empty schema, dropped with this value.
pub struct PgSchema {
    /// The server's URL, without the schema.
    server: String,
    name: String,
    url: String,
}

impl PgSchema {
    /// A new schema on the server at `server`.
    pub async fn create(server: &str) -> Result<Self, sqlx::Error> {
        let name = format!(
            "quorum_test_{}",
            quorum_domain::ids::new_id("s").trim_start_matches("s_")
        );
        let admin = PgPoolOptions::new()
            .max_connections(1)
            .acquire_timeout(Duration::from_secs(10))
            .connect(server)
            .await?;
        let created = sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {name}")))
            .execute(&admin)
            .await;
        admin.close().await;
        created?;
        let sep = if server.contains('?') { '&' } else { '?' };
        Ok(PgSchema {
            url: format!("{server}{sep}options=-c%20search_path%3D{name}"),
            server: server.to_owned(),
            name,
        })
    }

    /// A new schema on the test server ([`postgres_url`]); None, recorded as a skip, when no
    /// server answers (a failure under `CI=true`).
    pub async fn fresh() -> Option<Self> {
        let server = postgres_url();
        match Self::create(&server).await {
            Ok(schema) => Some(schema),
            Err(e) => {
                crate::skip(
                    "PostgreSQL",
                    &format!("not reachable at {server}: {e}"),
                    crate::POSTGRES_HOW,
                );
                None
            }
        }
    }

    /// A URL whose connections see this schema alone (its `search_path`), for a store in the
    /// test or a process it starts.
    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn name(&self) -> &str {
        &self.name
    }
}

impl Drop for PgSchema {
    fn drop(&mut self) {
        let (server, name) = (self.server.clone(), self.name.clone());
        // Drop runs outside async code; a short-lived runtime on its own thread does the work.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .ok()?;
            runtime.block_on(async {
                let admin = PgPoolOptions::new()
                    .max_connections(1)
                    .acquire_timeout(Duration::from_secs(10))
                    .connect(&server)
                    .await
                    .ok()?;
                let sql = format!("DROP SCHEMA IF EXISTS {name} CASCADE");
                let done = sqlx::query(sqlx::AssertSqlSafe(sql)).execute(&admin).await;
                admin.close().await;
                done.ok().map(drop)
            })
        })
        .join();
        if !matches!(dropped, Ok(Some(()))) {
            eprintln!("could not drop test schema {}", self.name);
        }
    }
}
