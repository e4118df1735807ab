//! The storage conformance suite on PostgreSQL, each test on a new schema dropped after it.
//!
//! Uses `QUORUM_TEST_DATABASE_URL` (default `postgres://postgres@127.0.0.1:5432/test`). Without
//! a server the tests fail under `CI=true` and are skipped, loudly, elsewhere.

use std::sync::Arc;

use quorum_store::Store;
use quorum_store_postgres::{PgStore, SchemaGuard};

struct TestDb {
    store: Arc<dyn Store>,
    _schema: SchemaGuard,
}

impl AsRef<Arc<dyn Store>> for TestDb {
    fn as_ref(&self) -> &Arc<dyn Store> {
        &self.store
    }
}

async fn fresh() -> Option<TestDb> {
    let url = std::env::var("QUORUM_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
    match PgStore::connect_fresh_schema(&url).await {
        Ok((store, guard)) => {
            store.migrate().await.expect("migrations apply");
            Some(TestDb {
                store: Arc::new(store),
                _schema: guard,
            })
        }
        Err(e) if std::env::var("CI").as_deref() != Ok("true") => {
            eprintln!("SKIPPED: PostgreSQL is not reachable at {url}: {e}");
            None
        }
        Err(e) => panic!("PostgreSQL is required under CI=true and is not reachable at {url}: {e}"),
    }
}

quorum_store::conformance_suite!(fresh());
