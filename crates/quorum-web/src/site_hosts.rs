//! Sites at their own domains. A request whose `Host` a site's live deployment claims is
//! that site's, whatever its path: its pages, assets, robots.txt and sitemap at the root,
//! its 404 page for the rest, its contact form at `/contact`, a landing page's lead form at
//! `/lead` and an affiliate site's redirects at `/go/{link}`. Quorum's own paths (the
//! API, the dashboards) are not served there. Any other host gets Quorum as before, for the
//! price of one hash lookup.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Extension, Path as UrlPath, Request, State};
use axum::http::{HeaderMap, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use quorum_service::SiteMount;
use tower::ServiceExt;
use tower_http::compression::CompressionLayer;

use crate::error::ApiError;
use crate::router::AppState;
use crate::sites::{RemoteAddr, serve};

/// The slug of the site a request's host names.
#[derive(Debug, Clone)]
struct SiteHost(String);

/// Marks an answer as a site's, for the headers that differ from the API's.
#[derive(Debug, Clone, Copy)]
pub struct SiteServed;

/// What the middleware needs: the app's state, and the routes a site's host answers.
#[derive(Clone)]
pub struct SiteHosts {
    state: AppState,
    routes: Router,
}

impl SiteHosts {
    pub fn new(state: AppState) -> Self {
        // Only the contact form's answers are compressed here: files carry the gzip
        // encoding kept at deploy.
        let routes = Router::new()
            .route("/", get(root))
            .route("/contact", post(contact).layer(CompressionLayer::new()))
            .route("/lead", post(lead).layer(CompressionLayer::new()))
            .route("/order", post(order).layer(CompressionLayer::new()))
            .route("/go/{link}", get(go))
            .route("/{*path}", get(path))
            .with_state(state.clone());
        SiteHosts { state, routes }
    }
}

/// The host a request was sent to: its `Host` header, or the authority of an HTTP/2 request.
fn requested_host(request: &Request) -> Option<&str> {
    request
        .headers()
        .get(header::HOST)
        .and_then(|host| host.to_str().ok())
        .or_else(|| request.uri().authority().map(|a| a.as_str()))
}

/// Routes a request for a site's domain to the site; any other to Quorum.
pub async fn by_host(State(hosts): State<SiteHosts>, mut request: Request, next: Next) -> Response {
    let Some(host) = requested_host(&request) else {
        return next.run(request).await;
    };
    let slug = match hosts.state.quorum.site_for_host(host).await {
        Ok(Some(slug)) => slug,
        Ok(None) => return next.run(request).await,
        Err(e) => return ApiError::from(e).into_response(),
    };
    request.extensions_mut().insert(SiteHost(slug));
    let mut response = match hosts.routes.oneshot(request).await {
        Ok(response) => response,
        Err(infallible) => match infallible {},
    };
    response.extensions_mut().insert(SiteServed);
    response
}

async fn root(
    State(state): State<AppState>,
    Extension(SiteHost(slug)): Extension<SiteHost>,
    method: axum::http::Method,
    RemoteAddr(remote): RemoteAddr,
    headers: HeaderMap,
) -> Response {
    crate::site_visitors::home(&state, &slug, &method, remote, &headers, SiteMount::Domain).await
}

async fn path(
    State(state): State<AppState>,
    Extension(SiteHost(slug)): Extension<SiteHost>,
    UrlPath(path): UrlPath<String>,
    headers: HeaderMap,
) -> Response {
    serve(&state, &slug, &path, &headers, SiteMount::Domain).await
}

async fn lead(
    State(state): State<AppState>,
    Extension(SiteHost(slug)): Extension<SiteHost>,
    RemoteAddr(remote): RemoteAddr,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    crate::site_visitors::answer(&state, &slug, remote, &headers, &body).await
}

async fn order(
    State(state): State<AppState>,
    Extension(SiteHost(slug)): Extension<SiteHost>,
    RemoteAddr(remote): RemoteAddr,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    crate::site_visitors::checkout(&state, &slug, remote, &headers, &body).await
}

async fn go(
    State(state): State<AppState>,
    Extension(SiteHost(slug)): Extension<SiteHost>,
    UrlPath(link): UrlPath<String>,
    method: axum::http::Method,
    query: axum::extract::RawQuery,
    headers: HeaderMap,
) -> Response {
    let query = query.0.as_deref();
    crate::site_visitors::redirect(
        &state,
        &slug,
        &link,
        &method,
        query,
        &headers,
        SiteMount::Domain,
    )
    .await
}

async fn contact(
    State(state): State<AppState>,
    Extension(SiteHost(slug)): Extension<SiteHost>,
    RemoteAddr(remote): RemoteAddr,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    crate::site_contact::answer(&state, &slug, remote, &headers, &body).await
}
