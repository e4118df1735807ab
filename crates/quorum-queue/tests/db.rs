//! The queue conformance suite on the database queue, SQLite and PostgreSQL.

use std::sync::Arc;

use async_trait::async_trait;
use quorum_queue::conformance::QueueFixture;
use quorum_queue::{DbQueue, Queue};
use quorum_store::Store;
use quorum_store::conformance::{base_time, new_workflow, seed};

struct DbFixture<G> {
    store: Arc<dyn Store>,
    _guard: G,
}

#[async_trait]
impl<G: Send + Sync> QueueFixture for DbFixture<G> {
    fn queue(&self) -> Arc<dyn Queue> {
        Arc::new(DbQueue::new(self.store.clone()))
    }

    async fn workflows(&self, n: usize) -> Vec<String> {
        let mut ids = Vec::with_capacity(n);
        for _ in 0..n {
            let new = new_workflow("agent_a", "council_media", base_time());
            self.store
                .create_workflow(&new)
                .await
                .expect("workflow created");
            ids.push(new.id);
        }
        ids
    }
}

mod sqlite {
    use super::*;
    use quorum_store_sqlite::SqliteStore;

    async fn fresh() -> Option<DbFixture<tempfile::TempDir>> {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}", dir.path().join("quorum.db").display());
        let store: Arc<dyn Store> =
            Arc::new(SqliteStore::connect(&url, 4).await.expect("SQLite opens"));
        seed(&store).await;
        Some(DbFixture { store, _guard: dir })
    }

    quorum_queue::queue_conformance_suite!(fresh());
}

mod postgres {
    use super::*;
    use quorum_store_postgres::PgStore;
    use quorum_testkit::PgSchema;

    async fn fresh() -> Option<DbFixture<PgSchema>> {
        let schema = PgSchema::fresh().await?;
        let store: Arc<dyn Store> = Arc::new(
            PgStore::connect(schema.url(), 8)
                .await
                .expect("PostgreSQL opens"),
        );
        seed(&store).await;
        Some(DbFixture {
            store,
            _guard: schema,
        })
    }

    quorum_queue::queue_conformance_suite!(fresh());
}
