//! `impl Store for PgStore`: every call hands its arguments, with the pool, to the module
//! function named in `quorum_store::impl_store!`.

use quorum_store::{OnChange, StoreError, StoreResult, Wakeups};

use crate::*;

/// A call as the module function's, on the pool; step records join the store's line of them.
macro_rules! on_pool {
    ($store:ident, $mode:ident, steps::$function:ident, $($arg:ident),*) => {
        $store.steps.$function(&$store.pool, $($arg),*).await
    };
    ($store:ident, $mode:ident, $module:ident::$function:ident, $($arg:ident),*) => {
        $module::$function(&$store.pool, $($arg),*).await
    };
}

quorum_store::impl_store!(PgStore, on_pool, {
    fn backend(&self) -> &'static str {
        "postgres"
    }

    async fn migrate(&self) -> StoreResult<()> {
        let migrated = MIGRATOR.run(&self.pool).await;
        migrated.map_err(|e| StoreError::Other(format!("migration failed: {e}")))
    }

    async fn ping(&self) -> StoreResult<()> {
        let pinged = sqlx::query("SELECT 1").execute(&self.pool).await;
        pinged.map(|_| ()).map_err(map_err)
    }

    async fn listen_for_changes(&self, on_change: OnChange) -> StoreResult<Wakeups> {
        listen::listen(&self.pool, on_change).await?;
        Ok(Wakeups::Listening)
    }
});
