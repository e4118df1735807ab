//! `impl Store for PgStore`: every call hands its arguments, with the pool, to the module
//! function named in `quorum_store::store_calls!`.

use async_trait::async_trait;
use quorum_store::{Store, StoreError, StoreResult};

use crate::*;

macro_rules! postgres_store {
    ($($mode:ident $name:ident($($arg:ident: $ty:ty),*) -> $ret:ty = $module:ident::$function:ident;)*) => {
        #[async_trait]
        impl Store for PgStore {
            fn backend(&self) -> &'static str {
                "postgres"
            }

            async fn migrate(&self) -> StoreResult<()> {
                MIGRATOR
                    .run(&self.pool)
                    .await
                    .map_err(|e| StoreError::Other(format!("migration failed: {e}")))
            }

            async fn ping(&self) -> StoreResult<()> {
                sqlx::query("SELECT 1")
                    .execute(&self.pool)
                    .await
                    .map(|_| ())
                    .map_err(map_err)
            }

            $(async fn $name(&self, $($arg: $ty),*) -> StoreResult<$ret> {
                $module::$function(&self.pool, $($arg),*).await
            })*
        }
    };
}

quorum_store::store_calls!(postgres_store);
