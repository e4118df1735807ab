//! Deployed sites: their files at `/sites/{slug}/…`, and the contact form they post to.
//!
//! A site's live folder is a symbolic link the deploy step switches in one rename, so a
//! request reads one whole deployment or the other. Names that start with a dot (the builds
//! folder, a site's `.quorum` manifest) are never served.

use std::net::{IpAddr, SocketAddr};
use std::path::{Component, Path, PathBuf};

use axum::Json;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, FromRequestParts, Path as UrlPath, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use maud::{DOCTYPE, Markup, html};
use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
use quorum_service::{ContactForm, Received, ServiceError};
use serde::Serialize;
use tower::ServiceExt;
use tower_http::services::ServeDir;

use crate::error::ApiError;
use crate::extract::Caller;
use crate::router::AppState;
use crate::strict;

/// What a path segment must escape to mean itself: the router decoded the path once, and
/// what goes on to the file service, or back out in a `Location`, is decoded once more.
const SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}')
    .add(b'\\');

/// `/sites/{slug}/{path}` with every segment escaped, so it names exactly the decoded path.
fn site_url(slug: &str, path: &str) -> String {
    let mut url = format!("/sites/{slug}/");
    let segments: Vec<String> = path
        .split('/')
        .map(|segment| utf8_percent_encode(segment, SEGMENT).to_string())
        .collect();
    url.push_str(&segments.join("/"));
    url
}

/// The client's address, when the server was started with connection info.
pub struct RemoteAddr(pub Option<IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for RemoteAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(RemoteAddr(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|info| info.0.ip()),
        ))
    }
}

/// The file a site path names, or None when the path could leave the site or names a hidden
/// file.
fn site_file(sites: &Path, slug: &str, path: &str) -> Option<PathBuf> {
    if !quorum_service::valid_slug(slug) {
        return None;
    }
    let mut file = sites.join(slug);
    for component in Path::new(path).components() {
        match component {
            Component::Normal(part) if !part.to_string_lossy().starts_with('.') => file.push(part),
            Component::CurDir => {}
            _ => return None,
        }
    }
    Some(file)
}

fn cache_control(path: &str) -> &'static str {
    if path.ends_with('/') || path.ends_with(".html") || path.is_empty() {
        // Pages change with every deployment and keep their URLs: revalidate each time.
        "no-cache"
    } else {
        "public, max-age=300"
    }
}

async fn serve(state: &AppState, slug: &str, path: &str, request: Request) -> Response {
    let sites = state.quorum.step_env().data_dir.join("sites");
    let Some(file) = site_file(&sites, slug, path) else {
        return not_found(&sites, slug).await;
    };
    if !path.is_empty()
        && !path.ends_with('/')
        && tokio::fs::metadata(&file).await.is_ok_and(|m| m.is_dir())
    {
        return Redirect::permanent(&format!("{}/", site_url(slug, path))).into_response();
    }
    // ServeDir decodes its path: hand it the path encoded again, so `%252e` stays a literal
    // `%2e` and never becomes the hidden `.` the checks above refused.
    let encoded = site_url(slug, path);
    let Ok(uri) = encoded["/sites".len()..].parse::<Uri>() else {
        return not_found(&sites, slug).await;
    };
    let (mut parts, body) = request.into_parts();
    parts.uri = uri;
    // Several ranges at once would be a 416 from the file service; the whole file is as
    // correct an answer (RFC 9110 lets a server ignore Range) and what browsers expect.
    if parts
        .headers
        .get(header::RANGE)
        .is_some_and(|range| range.as_bytes().contains(&b','))
    {
        parts.headers.remove(header::RANGE);
    }
    let service = ServeDir::new(&sites).append_index_html_on_directories(true);
    match service.oneshot(Request::from_parts(parts, body)).await {
        Ok(response) if response.status() == StatusCode::NOT_FOUND => not_found(&sites, slug).await,
        Ok(response) => {
            let mut response = response.map(axum::body::Body::new);
            let headers = response.headers_mut();
            headers.insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static(cache_control(path)),
            );
            headers.insert(
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            );
            response
        }
        Err(never) => match never {},
    }
}

/// The site's own 404 page, or a plain one when the site does not exist.
async fn not_found(sites: &Path, slug: &str) -> Response {
    let page = match quorum_service::valid_slug(slug) {
        true => tokio::fs::read_to_string(sites.join(slug).join("404.html"))
            .await
            .ok(),
        false => None,
    };
    let body = page.map(Html).unwrap_or_else(|| {
        Html(
            html! { (DOCTYPE) html lang="en" { head { meta charset="utf-8"; title { "Not found" } } body { main { h1 { "Not found" } p { "There is no such page." } } } } }
                .into_string(),
        )
    });
    let mut response = (StatusCode::NOT_FOUND, body).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

pub async fn site_root(
    State(state): State<AppState>,
    UrlPath(slug): UrlPath<String>,
    request: Request,
) -> Response {
    serve(&state, &slug, "", request).await
}

pub async fn site_path(
    State(state): State<AppState>,
    UrlPath((slug, path)): UrlPath<(String, String)>,
    request: Request,
) -> Response {
    serve(&state, &slug, &path, request).await
}

pub async fn site_bare(State(state): State<AppState>, UrlPath(slug): UrlPath<String>) -> Response {
    let sites = state.quorum.step_env().data_dir.join("sites");
    match quorum_service::valid_slug(&slug) {
        true => Redirect::permanent(&format!("/sites/{slug}/")).into_response(),
        false => not_found(&sites, &slug).await,
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ContactAccepted {
    /// `outbox` (kept; no SMTP server configured), `sent`, or `failed` (kept; sending failed).
    pub delivery: String,
    pub id: String,
}

fn wants_html(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"))
}

/// The contact form's target. Browsers (posting the form without JavaScript) get a page;
/// other clients get JSON.
pub async fn contact(
    State(state): State<AppState>,
    UrlPath(slug): UrlPath<String>,
    RemoteAddr(remote): RemoteAddr,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let html = wants_html(&headers);
    let received = match strict::form::<ContactForm>(&body) {
        Ok(form) => state.quorum.receive_contact(&slug, form, remote).await,
        Err(details) => Err(ServiceError::BadRequest {
            message: "the form could not be read: send it as a browser does, in UTF-8".into(),
            details,
        }),
    };
    match (received, html) {
        (Ok(_), true) => (StatusCode::OK, Html(thanks(&slug).into_string())).into_response(),
        (Ok(received), false) => {
            let (delivery, id) = match received {
                Received::Kept(m) => (m.delivery, m.id),
                Received::Discarded { id, delivery } => (delivery, id),
            };
            (StatusCode::CREATED, Json(ContactAccepted { delivery, id })).into_response()
        }
        (Err(e), true) => {
            let error = ApiError::from(e);
            let status = error.status;
            (status, Html(problem(&slug, &error).into_string())).into_response()
        }
        (Err(e), false) => ApiError::from(e).into_response(),
    }
}

fn page(slug: &str, title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) }
                link rel="icon" href="data:,";
                link rel="stylesheet" href={ "/sites/" (slug) "/assets/main.css" };
            }
            body {
                main id="main" {
                    (body)
                    p { a href={ "/sites/" (slug) "/" } { "Back to the site" } }
                }
            }
        }
    }
}

fn thanks(slug: &str) -> Markup {
    page(
        slug,
        "Message sent",
        html! {
            h1 { "Thank you" }
            p { "Your message has been sent. We will reply to the address you gave." }
        },
    )
}

fn problem(slug: &str, error: &ApiError) -> Markup {
    page(
        slug,
        "Message not sent",
        html! {
            h1 { "Your message was not sent" }
            p { (error.message) }
            @if !error.details.is_empty() {
                ul { @for detail in &error.details { li { (detail.message) } } }
            }
            p { a href={ "/sites/" (slug) "/contact/" } { "Back to the form" } }
        },
    )
}

/// A site's contact messages, newest first (admin).
#[utoipa::path(get, path = "/api/sites/{slug}/messages", tag = "sites", operation_id = "list_contact_messages",
    params(("slug" = String, Path, description = "The site's slug")), security(("bearer" = [])),
    responses((status = 200, description = "The site's messages, newest first, at most 1,000; none for a site that does not exist", body = Vec<quorum_store::ContactMessage>),
        (status = 403, description = "The caller is not an admin", body = crate::error::ErrorEnvelope)))]
pub async fn messages(
    State(state): State<AppState>,
    Caller(caller): Caller,
    UrlPath(slug): UrlPath<String>,
) -> Result<Json<Vec<quorum_store::ContactMessage>>, ApiError> {
    Ok(Json(state.quorum.contact_messages(&caller, &slug).await?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn site_paths_stay_inside_the_site_and_skip_hidden_names() {
        let sites = Path::new("/data/sites");
        assert_eq!(
            site_file(sites, "acme", "about/"),
            Some(sites.join("acme/about"))
        );
        for (slug, path) in [
            ("acme", "../other/"),
            ("acme", ".quorum/site.json"),
            ("..", "x"),
            ("acme", "/etc/passwd"),
            ("acme", "a/../../b"),
        ] {
            assert_eq!(site_file(sites, slug, path), None, "{slug} {path}");
        }
    }

    #[test]
    fn a_site_url_escapes_what_a_second_decoding_would_change() {
        assert_eq!(site_url("acme", "about/"), "/sites/acme/about/");
        assert_eq!(
            site_url("acme", "%2equorum/site.json"),
            "/sites/acme/%252equorum/site.json"
        );
        assert_eq!(site_url("acme", "a b/é?"), "/sites/acme/a%20b/%C3%A9%3F");
    }
}
