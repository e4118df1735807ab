//! LISTEN/NOTIFY: the connection that hears `quorum_events`, which every commit of a
//! workflow event sends, and `quorum_jobs`, which every commit that queues a job or hands one
//! back sends, whichever process made it. Two channels, so that the events of running
//! workflows (a dozen per workflow) do not wake idle workers that would find nothing to claim.

use std::time::Duration;

use quorum_store::{Change, OnChange, StoreResult};
use sqlx::postgres::{PgListener, PgPool, PgPoolOptions};

use crate::map_err;

/// Listens on a connection of its own, made with the store's options, so that it takes
/// nothing from the store's pool; calls `on_change` for every notification until the process
/// ends.
pub(crate) async fn listen(store_pool: &PgPool, on_change: OnChange) -> StoreResult<()> {
    // A pool of one without timeouts, only to reconnect: what `PgListener::connect` makes
    // from a URL, here from the options the store was opened with.
    let pool = PgPoolOptions::new()
        .max_connections(1)
        .max_lifetime(None)
        .idle_timeout(None)
        .connect_with(store_pool.connect_options().as_ref().clone())
        .await
        .map_err(map_err)?;
    let mut listener = PgListener::connect_with(&pool).await.map_err(map_err)?;
    listener.ignore_pool_close_event(true);
    listener
        .listen_all(["quorum_events", "quorum_jobs"])
        .await
        .map_err(map_err)?;
    tokio::spawn(async move {
        loop {
            match listener.recv().await {
                Ok(heard) if heard.channel() == "quorum_jobs" => on_change(Change::Work),
                Ok(_) => on_change(Change::Events),
                Err(e) => {
                    tracing::warn!(error = %e, "lost the PostgreSQL notification connection; reconnecting");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
            }
        }
    });
    Ok(())
}
