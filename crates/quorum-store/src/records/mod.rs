//! What crosses the `Store` boundary besides the domain types themselves, by concern.

mod access;
mod bulk;
mod notices;
mod queue;
mod sites;
mod uploads;
mod workflows;

pub use access::*;
pub use bulk::*;
pub use notices::*;
pub use queue::*;
pub use sites::*;
pub use uploads::*;
pub use workflows::*;
