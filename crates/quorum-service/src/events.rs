//! The event log as a live stream reads it: where a new stream starts, and the next events
//! after the last one it sent, waiting for a change when there are none yet.

use std::time::Duration;

use quorum_store::{EventFilter, EventRecord};

use crate::{Quorum, ServiceResult};

/// Without a notification, the log is read again after this long (changes in another process
/// on SQLite arrive this way).
const POLL: Duration = Duration::from_secs(1);

/// Events read at a time; a stream sends them before it reads again.
const BATCH: i64 = 100;

impl Quorum {
    /// The newest event's id: a stream that starts now sends only what comes after it.
    pub async fn last_event_id(&self) -> ServiceResult<i64> {
        Ok(self.store.last_event_id().await?)
    }

    /// The next events after `after` that match `filter`, oldest first. With none yet, waits
    /// for a change in this process (or, with notifications, another) for up to a poll
    /// interval, and answers empty: the caller asks again. A failed read is logged and
    /// answered empty after the same wait, so that a stream outlives a database restart.
    pub async fn next_events(&self, after: i64, filter: &EventFilter) -> Vec<EventRecord> {
        let changes = self.changes.clone();
        // Registered before the read, so that a change made during it is not missed.
        let notified = changes.notified();
        match self.store.events_after(after, filter, BATCH).await {
            Ok(found) if !found.is_empty() => found,
            Ok(_) => {
                let _ = tokio::time::timeout(POLL, notified).await;
                Vec::new()
            }
            Err(e) => {
                tracing::warn!(error = %e, "reading the event log failed; retrying");
                tokio::time::sleep(POLL).await;
                Vec::new()
            }
        }
    }
}
