//! The storage conformance suite on SQLite, each test on a new database file.

use std::sync::Arc;

use quorum_store::Store;
use quorum_store_sqlite::SqliteStore;

struct TestDb {
    store: Arc<dyn Store>,
    _dir: tempfile::TempDir,
}

impl AsRef<Arc<dyn Store>> for TestDb {
    fn as_ref(&self) -> &Arc<dyn Store> {
        &self.store
    }
}

async fn fresh() -> Option<TestDb> {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("quorum.db").display());
    let store = SqliteStore::connect(&url, 4).await.expect("SQLite opens");
    store.migrate().await.expect("migrations apply");
    Some(TestDb {
        store: Arc::new(store),
        _dir: dir,
    })
}

quorum_store::conformance_suite!(fresh());
