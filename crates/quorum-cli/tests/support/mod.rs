//! What the binary's test files share: a free port, a child process that dies with its
//! owner, and a fresh PostgreSQL schema for a cluster of processes.

use std::net::TcpListener;
use std::process::Child;

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A `quorum` process, killed with SIGKILL when dropped.
pub struct Process(pub Child);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A fresh PostgreSQL schema (dropped with the guard) and a URL that scopes every connection
/// of a process to it; None, recorded as a skip, when no server runs (a failure under CI).
#[allow(
    dead_code,
    reason = "each test binary compiles this module; cli.rs runs no cluster"
)]
pub async fn postgres_schema() -> Option<(quorum_store_postgres::SchemaGuard, String)> {
    let url = std::env::var("QUORUM_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
    match quorum_store_postgres::PgStore::connect_fresh_schema(&url).await {
        Ok((store, guard)) => {
            store.close().await;
            let sep = if url.contains('?') { '&' } else { '?' };
            let scoped = format!("{url}{sep}options=-c%20search_path%3D{}", guard.schema());
            Some((guard, scoped))
        }
        Err(e) => {
            quorum_testkit::skip(
                "PostgreSQL",
                &format!("not reachable at {url}: {e}"),
                quorum_testkit::POSTGRES_HOW,
            );
            None
        }
    }
}
