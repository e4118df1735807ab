//! The dashboards: server-rendered HTML for council members, operators and managers, served
//! by the same binary as the API and built on the same use cases.
//!
//! Pages sign in with an API token and then carry a session cookie (see [`session`]); every
//! form carries a CSRF token. HTML comes only from maud templates, which escape every value.
//! A small script (no build step) keeps the council queue and a running workflow's page live
//! over server-sent events, with polling as a fallback; without it every page still works.

mod agents;
mod analytics;
mod assets;
mod charts;
mod components;
mod detail;
mod events;
mod history;
pub(crate) mod layout;
mod overview;
mod queue;
pub(crate) mod session;
mod settings;
mod sign_in;
mod sites;
mod vote_link;

use axum::Router;
use axum::http::StatusCode;
use axum::middleware;
use axum::response::{Redirect, Response};
use axum::routing::{get, post};
use tower_http::compression::CompressionLayer;

use crate::router::AppState;

async fn not_found() -> Response {
    layout::error_page(
        StatusCode::NOT_FOUND,
        "There is no such dashboard page. The navigation above lists them all.",
    )
}

/// Every dashboard route; HTML, so outside the OpenAPI document.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/dashboard", get(overview::page))
        .route(
            "/dashboard/",
            get(|| async { Redirect::permanent("/dashboard") }),
        )
        .route(
            "/dashboard/sign-in",
            get(sign_in::form).post(sign_in::submit),
        )
        .route("/dashboard/sign-out", post(sign_in::sign_out))
        .route("/dashboard/queue", get(queue::page))
        .route("/dashboard/history", get(history::page))
        .route("/dashboard/workflows/{id}", get(detail::page))
        .route("/dashboard/workflows/{id}/vote", post(queue::vote))
        .route("/dashboard/settings", get(settings::page))
        .route(
            "/dashboard/settings/notifications",
            post(settings::notifications),
        )
        .route("/dashboard/settings/delegation", post(settings::delegate))
        .route(
            "/dashboard/settings/delegation/end",
            post(settings::end_delegation),
        )
        .route("/dashboard/agents", get(agents::list))
        .route("/dashboard/agents/{id}", get(agents::profile))
        .route("/dashboard/analytics", get(analytics::page))
        .route("/dashboard/sites", get(sites::list))
        .route("/dashboard/sites/{slug}", get(sites::site))
        .route(
            "/dashboard/sites/{slug}/orders/{number}",
            post(sites::order_status),
        )
        .route("/dashboard/events", get(events::stream))
        .route("/dashboard/assets/dashboard.css", get(assets::css))
        .route("/dashboard/assets/dashboard.js", get(assets::js))
        .route("/dashboard/{*rest}", get(not_found))
        .route(
            "/vote/{token}",
            get(vote_link::show).post(vote_link::confirm),
        )
        .layer(middleware::map_response(layout::headers))
        .layer(CompressionLayer::new())
}
