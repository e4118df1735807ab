//! Deployed sites: their files at `/sites/{slug}/…` (and, through `site_hosts`, at the root of
//! a site's own domain). The contact form they post to is `site_contact`'s.
//!
//! Files come from the site's live deployment in the database (see quorum-service's
//! `sites`), so any server answers for any site. Each answer carries a strong ETag from the
//! content hash, honours If-None-Match, HEAD and a single Range, and sends the gzip encoding
//! kept at deploy to clients that accept it. Names that start with a dot are never served.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::Json;
use axum::body::Body;
use axum::extract::{ConnectInfo, FromRequestParts, Path as UrlPath, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use maud::{DOCTYPE, html};
use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
use quorum_service::{SiteAnswer, SiteMount};
use quorum_store::Blob;

use crate::error::ApiError;
use crate::extract::Caller;
use crate::router::AppState;

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

/// `/sites/{slug}/{path}`, or `/{path}` at the site's domain, with every segment escaped, so
/// it names exactly the decoded path.
fn site_url(slug: &str, path: &str, mount: SiteMount) -> String {
    let mut url = match mount {
        SiteMount::Sites => format!("/sites/{slug}/"),
        SiteMount::Domain => "/".to_owned(),
    };
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

fn cache_control(path: &str) -> &'static str {
    if path.ends_with('/') || path.ends_with(".html") || path.is_empty() {
        // Pages change with every deployment and keep their URLs: revalidate each time.
        "no-cache"
    } else {
        "public, max-age=300"
    }
}

pub(crate) async fn serve(
    state: &AppState,
    slug: &str,
    path: &str,
    headers: &HeaderMap,
    mount: SiteMount,
) -> Response {
    let answer = match state.quorum.site_file(slug, path, mount).await {
        Ok(answer) => answer,
        Err(e) => return ApiError::from(e).into_response(),
    };
    let mut response = match answer {
        SiteAnswer::File { blob, content_type } => file(&blob, &content_type, headers),
        // Escaped again: the router decoded the path once, and the browser will decode the
        // Location once more.
        SiteAnswer::Folder => {
            return Redirect::permanent(&format!("{}/", site_url(slug, path, mount)))
                .into_response();
        }
        SiteAnswer::Missing { page } => return not_found(page),
    };
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

/// The ETag of one encoding of a blob: strong, so each encoding has its own.
fn etag(blob: &Blob, gzip: bool) -> String {
    match gzip {
        true => format!("\"{}-gzip\"", blob.hash),
        false => format!("\"{}\"", blob.hash),
    }
}

/// Whether If-None-Match names this blob (in either encoding: both are the same content).
fn not_modified(blob: &Blob, headers: &HeaderMap) -> bool {
    let Some(tags) = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    tags.split(',').map(str::trim).any(|tag| {
        let tag = tag.strip_prefix("W/").unwrap_or(tag);
        tag == "*" || tag == etag(blob, false) || tag == etag(blob, true)
    })
}

/// Whether Accept-Encoding admits gzip (named, or `*`, with a q above zero).
fn accepts_gzip(headers: &HeaderMap) -> bool {
    let Some(accept) = headers
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    accept.split(',').any(|item| {
        let mut parts = item.split(';').map(str::trim);
        let coding = parts.next().unwrap_or_default();
        let refused = parts.any(|p| {
            p.strip_prefix("q=")
                .and_then(|q| q.parse::<f32>().ok())
                .is_some_and(|q| q <= 0.0)
        });
        (coding.eq_ignore_ascii_case("gzip") || coding == "*") && !refused
    })
}

/// The one byte range a Range header asks of `len` bytes: Some(Ok(first..=last)), Some(Err)
/// when it cannot be satisfied, None for no range, another unit, or several ranges (the
/// whole file is as correct an answer, RFC 9110, and what browsers expect).
fn byte_range(headers: &HeaderMap, len: u64) -> Option<Result<(u64, u64), ()>> {
    let spec = headers.get(header::RANGE)?.to_str().ok()?;
    let spec = spec.trim().strip_prefix("bytes=")?;
    if spec.contains(',') {
        return None;
    }
    let (first, last) = spec.split_once('-')?;
    let (first, last) = (first.trim(), last.trim());
    let range = match (first.parse::<u64>(), last.parse::<u64>()) {
        (Ok(first), Ok(last)) if first <= last => (first, last.min(len.saturating_sub(1))),
        (Ok(first), Err(_)) if last.is_empty() => (first, len.saturating_sub(1)),
        (Err(_), Ok(suffix)) if first.is_empty() && suffix > 0 => {
            (len.saturating_sub(suffix), len.saturating_sub(1))
        }
        _ => return None,
    };
    Some(match range.0 < len {
        true => Ok(range),
        false => Err(()),
    })
}

pub(crate) fn file(blob: &Blob, content_type: &str, headers: &HeaderMap) -> Response {
    let len = blob.bytes.len() as u64;
    let range = byte_range(headers, len);
    // Ranges are of the file's own bytes, so a ranged answer is never the gzip encoding.
    let gzip = blob
        .gzip
        .as_ref()
        .filter(|_| range.is_none() && accepts_gzip(headers));
    let tag = etag(blob, gzip.is_some());
    let mut builder = Response::builder()
        .header(header::ETAG, &tag)
        .header(header::ACCEPT_RANGES, "bytes");
    if blob.gzip.is_some() {
        builder = builder.header(header::VARY, "accept-encoding");
    }
    if not_modified(blob, headers) {
        return builder
            .status(StatusCode::NOT_MODIFIED)
            .body(Body::empty())
            .expect("a valid response");
    }
    builder = builder.header(header::CONTENT_TYPE, content_type);
    let response = match (range, gzip) {
        (Some(Ok((first, last))), _) => builder
            .status(StatusCode::PARTIAL_CONTENT)
            .header(header::CONTENT_RANGE, format!("bytes {first}-{last}/{len}"))
            .body(Body::from(
                blob.bytes[first as usize..=last as usize].to_vec(),
            )),
        (Some(Err(())), _) => builder
            .status(StatusCode::RANGE_NOT_SATISFIABLE)
            .header(header::CONTENT_RANGE, format!("bytes */{len}"))
            .body(Body::empty()),
        (None, Some(gzip)) => builder
            .header(header::CONTENT_ENCODING, "gzip")
            .body(Body::from(gzip.clone())),
        (None, None) => builder.body(Body::from(blob.bytes.clone())),
    };
    response.expect("a valid response")
}

/// The site's own 404 page, or a plain one when the site does not exist.
pub(crate) fn not_found(page: Option<Arc<Blob>>) -> Response {
    let mut response = match page {
        Some(page) => (
            StatusCode::NOT_FOUND,
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            page.bytes.clone(),
        )
            .into_response(),
        None => (
            StatusCode::NOT_FOUND,
            Html(
                html! { (DOCTYPE) html lang="en" { head { meta charset="utf-8"; title { "Not found" } } body { main { h1 { "Not found" } p { "There is no such page." } } } } }
                    .into_string(),
            ),
        )
            .into_response(),
    };
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

pub async fn site_root(
    State(state): State<AppState>,
    UrlPath(slug): UrlPath<String>,
    method: axum::http::Method,
    RemoteAddr(remote): RemoteAddr,
    headers: HeaderMap,
) -> Response {
    crate::site_visitors::home(&state, &slug, &method, remote, &headers, SiteMount::Sites).await
}

pub async fn site_path(
    State(state): State<AppState>,
    UrlPath((slug, path)): UrlPath<(String, String)>,
    headers: HeaderMap,
) -> Response {
    serve(&state, &slug, &path, &headers, SiteMount::Sites).await
}

pub async fn site_bare(UrlPath(slug): UrlPath<String>) -> Response {
    match quorum_service::valid_slug(&slug) {
        true => Redirect::permanent(&format!("/sites/{slug}/")).into_response(),
        false => not_found(None),
    }
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
    fn a_site_url_escapes_what_a_second_decoding_would_change() {
        assert_eq!(
            site_url("acme", "about/", SiteMount::Sites),
            "/sites/acme/about/"
        );
        assert_eq!(
            site_url("acme", "%2equorum/site.json", SiteMount::Sites),
            "/sites/acme/%252equorum/site.json"
        );
        assert_eq!(
            site_url("acme", "a b/é?", SiteMount::Domain),
            "/a%20b/%C3%A9%3F"
        );
    }
}
