//! The storage conformance suite on SQLite, each test on a new database file.

use std::sync::Arc;

use quorum_store::{Store, Wakeups};
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

/// A SQLite file belongs to one process, so there are no other processes' changes to hear.
#[tokio::test]
async fn a_sqlite_store_has_no_cross_process_wakeups() {
    let db = fresh().await.unwrap();
    let wakeups = db.store.listen_for_changes(Box::new(|_| {})).await.unwrap();
    assert_eq!(wakeups, Wakeups::None);
}
