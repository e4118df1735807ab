//! HTTP integration tests: the real router on a random port, a fresh database per test.

mod helpers;

mod auth;
mod contract;
mod councils;
mod errors;
mod events;
mod execution;
mod governance;
mod openapi;
mod types;
mod websites;
