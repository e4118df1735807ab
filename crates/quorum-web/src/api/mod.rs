//! The JSON API, one module per resource.

pub mod chat;
pub mod councils;
pub mod events;
pub mod governance;
pub mod health;
pub mod outbox;
pub mod principals;
mod query;
pub mod sites;
pub mod types;
pub mod uploads;
pub mod workflows;
