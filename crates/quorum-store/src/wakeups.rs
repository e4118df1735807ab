//! Cross-process wake-ups, a capability some stores have: hearing that another process
//! sharing the database committed a change, so this one need not poll to find out.

/// What another process's commit may have changed; it carries no detail, so the woken side
/// reads what changed itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// Workflow events were written: event streams read on.
    Events,
    /// Jobs were queued or handed back: an idle worker claims.
    Work,
}

/// Called, from a task the store runs, each time another process's change may be visible.
pub type OnChange = Box<dyn Fn(Change) + Send + Sync + 'static>;

/// What [`crate::Store::listen_for_changes`] set up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wakeups {
    /// The store cannot tell: either no other process writes to it (an embedded SQLite file
    /// belongs to one process), or it has no channel to hear them on.
    None,
    /// The store calls back for every change any process commits, for as long as this
    /// process runs, reconnecting by itself after a lost connection.
    Listening,
}
