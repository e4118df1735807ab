//! Every route the server answers, and the OpenAPI document generated from the same list.

use std::sync::{Arc, OnceLock};

use axum::Router;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use quorum_service::Quorum;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::trace::TraceLayer;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::api::{
    chat, councils, events, governance, health, principals, types, uploads, workflows,
};
use crate::error::ApiError;
use crate::site_hosts::{SiteHosts, SiteServed};
use crate::{openapi, previews, site_contact, site_hosts, site_visitors, sites};

/// Request bodies above this are refused with 413.
pub const BODY_LIMIT: usize = 1024 * 1024;

#[derive(Clone)]
pub struct AppState {
    pub quorum: Quorum,
    openapi: Arc<OnceLock<String>>,
}

/// This document (OpenAPI 3.1).
#[utoipa::path(get, path = "/api/openapi.json", tag = "health", operation_id = "get_openapi_document",
    responses((status = 200, description = "The OpenAPI document", body = Object)))]
async fn openapi_json(State(state): State<AppState>) -> Response {
    let body = state.openapi.get().cloned().unwrap_or_default();
    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
}

/// `/`: a browser goes to the dashboards; an API client is told where things are.
async fn root(headers: axum::http::HeaderMap) -> Response {
    let wants_html = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"));
    if wants_html {
        return axum::response::Redirect::to("/dashboard").into_response();
    }
    axum::Json(serde_json::json!({
        "name": "Quorum",
        "description": "Agents propose workflows, councils decide, workers run them.",
        "links": {
            "openapi": "/api/openapi.json",
            "workflows": "/api/workflows",
            "workflow_types": "/api/workflow-types",
            "councils": "/api/councils",
            "events": "/api/events",
            "dashboard": "/dashboard",
            "health": "/healthz",
            "ready": "/readyz",
            "metrics": "/metrics",
        },
    }))
    .into_response()
}

async fn no_route() -> ApiError {
    ApiError::not_found("there is no such endpoint; GET /api/openapi.json lists them all")
}

async fn wrong_method() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "this endpoint does not answer that method",
    )
}

/// Headers every answer carries unless its page set its own (the dashboards do): deployed
/// sites share the dashboards' origin, so they may not be framed and may run only their own
/// files; API answers are data and may run nothing.
async fn security_headers(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let under_sites = request.uri().path().starts_with("/sites/");
    let mut response = next.run(request).await;
    let site = under_sites || response.extensions().get::<SiteServed>().is_some();
    let policy = match site {
        true => {
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; \
             connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'self'"
        }
        false => "default-src 'none'; frame-ancestors 'none'",
    };
    let headers = response.headers_mut();
    for (name, value) in [
        (header::CONTENT_SECURITY_POLICY, policy),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "same-origin"),
    ] {
        if !headers.contains_key(&name) {
            headers.insert(name, axum::http::HeaderValue::from_static(value));
        }
    }
    response
}

fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    tracing::error!("a request handler panicked");
    ApiError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal",
        "an internal error occurred; it has been logged",
    )
    .into_response()
}

/// The application router and its OpenAPI document (as served), built from one list of routes.
pub fn router_with_openapi(quorum: Quorum) -> (Router, serde_json::Value) {
    let state = AppState {
        quorum,
        openapi: Arc::new(OnceLock::new()),
    };
    let (router, mut openapi) = OpenApiRouter::with_openapi(openapi::ApiDoc::openapi())
        .routes(routes!(workflows::list, workflows::create))
        .routes(routes!(workflows::metrics))
        .routes(routes!(workflows::detail))
        .routes(routes!(chat::chat))
        .routes(routes!(types::list, types::register))
        .routes(routes!(types::get))
        .routes(routes!(councils::list, councils::create))
        .routes(routes!(councils::get))
        .routes(routes!(governance::members))
        .routes(routes!(governance::vote))
        .routes(routes!(governance::enqueue))
        .routes(routes!(governance::reassign))
        .routes(routes!(governance::cancel))
        .routes(routes!(events::events))
        .routes(routes!(principals::create))
        .routes(routes!(principals::me))
        .routes(routes!(
            principals::set_delegation,
            principals::delegation,
            principals::end_delegation
        ))
        .routes(routes!(
            principals::set_notifications,
            principals::notifications
        ))
        .routes(routes!(crate::api::outbox::list))
        .routes(routes!(principals::revoke_tokens))
        .routes(routes!(health::healthz))
        .routes(routes!(health::readyz))
        .routes(routes!(health::metrics))
        .routes(routes!(openapi_json))
        .routes(routes!(sites::messages))
        .routes(routes!(site_visitors::leads))
        .routes(routes!(site_visitors::clicks))
        .routes(routes!(site_visitors::orders))
        .routes(routes!(site_visitors::site_order))
        .routes(routes!(site_visitors::order_status))
        .routes(routes!(crate::api::sites::list))
        .routes(routes!(crate::api::sites::get))
        .routes(routes!(crate::api::sites::rollback_site))
        .merge(
            // Pictures are the one body allowed past the 1 MiB limit: the inner limit wins.
            OpenApiRouter::new()
                .routes(routes!(uploads::create))
                .layer(DefaultBodyLimit::max(uploads::BODY_LIMIT)),
        )
        .routes(routes!(uploads::get))
        .split_for_parts();
    openapi::complete(&mut openapi);
    let mut document = serde_json::to_value(&openapi).expect("the OpenAPI document serializes");
    openapi::text_rule(&mut document);
    state.openapi.set(document.to_string()).expect("set once");
    // Deployed sites are files, not API: outside the OpenAPI document. Their files carry
    // the gzip encoding kept at deploy, with an ETag of its own; only the contact form's
    // pages are compressed on the way out.
    let sites = Router::new()
        .route("/sites/{slug}", get(sites::site_bare))
        .route("/sites/{slug}/", get(sites::site_root))
        .route(
            "/sites/{slug}/contact",
            post(site_contact::contact).layer(CompressionLayer::new()),
        )
        .route(
            "/sites/{slug}/lead",
            post(site_visitors::lead).layer(CompressionLayer::new()),
        )
        .route(
            "/sites/{slug}/order",
            post(site_visitors::order).layer(CompressionLayer::new()),
        )
        .route("/sites/{slug}/go/{link}", get(site_visitors::go))
        .route("/sites/{slug}/{*path}", get(sites::site_path));
    // Previews are the sites councils vote on: outside the API too.
    let previews = Router::new()
        .route("/previews/{workflow_id}", get(previews::bare))
        .route("/previews/{workflow_id}/", get(previews::root))
        .route("/previews/{workflow_id}/{*path}", get(previews::path));
    let router = router
        .route("/", get(root))
        .merge(sites)
        .merge(previews)
        .merge(crate::dashboard::routes())
        .fallback(no_route)
        .method_not_allowed_fallback(wrong_method)
        .layer(axum::middleware::from_fn_with_state(
            SiteHosts::new(state.clone()),
            site_hosts::by_host,
        ))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(axum::middleware::from_fn(crate::strict::refuse_bad_uri))
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(axum::middleware::from_fn(security_headers))
        .layer(TraceLayer::new_for_http())
        .with_state(state);
    (router, document)
}

pub fn router(quorum: Quorum) -> Router {
    router_with_openapi(quorum).0
}
