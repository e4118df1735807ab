//! Quorum's HTTP API: the seed's contract to the letter, and what SPEC adds to it.

pub mod api;
mod dashboard;
mod error;
mod extract;
mod openapi;
mod previews;
mod router;
mod server;
mod site_contact;
mod site_hosts;
mod site_visitors;
mod sites;
mod strict;

pub use error::ApiError;
pub use router::{AppState, router, router_with_openapi};
pub use server::{ServerLimits, serve};
