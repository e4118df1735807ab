//! The dashboards' stylesheet and script, compiled into the binary and served with a
//! content-hash in their URLs, so browsers may keep them for a year and still see a change
//! the moment a new release ships.

use std::sync::LazyLock;

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

const CSS: &str = include_str!("dashboard.css");
const JS: &str = include_str!("dashboard.js");

fn version(text: &str) -> String {
    hex::encode(&Sha256::digest(text.as_bytes())[..6])
}

static CSS_URL: LazyLock<String> =
    LazyLock::new(|| format!("/dashboard/assets/dashboard.css?v={}", version(CSS)));
static JS_URL: LazyLock<String> =
    LazyLock::new(|| format!("/dashboard/assets/dashboard.js?v={}", version(JS)));

pub fn css_url() -> &'static str {
    &CSS_URL
}

pub fn js_url() -> &'static str {
    &JS_URL
}

fn asset(content_type: &'static str, body: &'static str) -> Response {
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=31536000, immutable"),
    );
    response
}

pub async fn css() -> Response {
    asset("text/css; charset=utf-8", CSS)
}

pub async fn js() -> Response {
    asset("text/javascript; charset=utf-8", JS)
}
