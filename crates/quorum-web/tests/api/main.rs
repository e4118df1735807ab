//! HTTP integration tests: the real router on a random port, a fresh database per test.

mod helpers;

mod auth;
mod chat;
mod contact_answers;
mod contract;
mod council_review_browser;
mod council_rules;
mod councils;
mod dashboard;
mod dashboard_browser;
mod dashboard_pages;
mod errors;
mod events;
mod execution;
mod family;
mod family_browser;
mod flash;
mod governance;
mod holes;
mod hostile;
mod notices;
mod openapi;
mod previews;
mod review_pages;
mod sessions;
mod site_domains;
mod site_owners;
mod themes_browser;
mod types;
mod uploads;
mod waits;
mod websites;
mod window_policy;
