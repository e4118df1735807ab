//! The page every dashboard view is drawn in: head, header with navigation and the signed-in
//! principal, the main landmark, the footer; plus flash messages, error pages and the links
//! between pages.

use std::str::FromStr;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{DOCTYPE, Markup, html};
use quorum_domain::Principal;
use quorum_service::ServiceError;

use super::assets;
use super::session::{self, FLASH_COOKIE};
use crate::error::ApiError;
use crate::router::AppState;

/// The navigation, in order; `Other` is a page outside it (sign-in, errors).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nav {
    Overview,
    Queue,
    History,
    Agents,
    Analytics,
    Sites,
    Other,
}

const NAV: [(Nav, &str, &str); 6] = [
    (Nav::Overview, "/dashboard", "Overview"),
    (Nav::Queue, "/dashboard/queue", "Council queue"),
    (Nav::History, "/dashboard/history", "History"),
    (Nav::Agents, "/dashboard/agents", "Agents"),
    (Nav::Analytics, "/dashboard/analytics", "Analytics"),
    (Nav::Sites, "/dashboard/sites", "Sites"),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlashKind {
    Success,
    Error,
}

impl FlashKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Success => "success",
            Self::Error => "error",
        }
    }
}

impl FromStr for FlashKind {
    type Err = ();

    fn from_str(s: &str) -> Result<Self, ()> {
        match s {
            "success" => Ok(Self::Success),
            "error" => Ok(Self::Error),
            _ => Err(()),
        }
    }
}

/// A message for the page after a form's redirect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flash {
    pub kind: FlashKind,
    pub message: String,
}

impl Flash {
    pub fn new(kind: FlashKind, message: impl Into<String>) -> Self {
        // Cookies are small; a message is a sentence.
        let message: String = message.into().chars().take(400).collect();
        Self { kind, message }
    }
}

/// Who is signed in, for the header; none on the sign-in and error pages.
pub struct Chrome<'a> {
    pub principal: Option<&'a Principal>,
    pub csrf: &'a str,
    pub nav: Nav,
    pub flash: Option<&'a Flash>,
}

impl<'a> Chrome<'a> {
    pub fn of(session: &'a session::Session, nav: Nav) -> Self {
        Self {
            principal: Some(&session.principal),
            csrf: &session.csrf,
            nav,
            flash: session.flash.as_ref(),
        }
    }

    pub fn anonymous(nav: Nav) -> Self {
        Self {
            principal: None,
            csrf: "",
            nav,
            flash: None,
        }
    }
}

pub fn flash_box(flash: &Flash) -> Markup {
    let role = match flash.kind {
        FlashKind::Success => "status",
        FlashKind::Error => "alert",
    };
    html! { div class={ "flash flash-" (flash.kind.as_str()) } role=(role) { p { (flash.message) } } }
}

fn shell(title: &str, chrome: &Chrome, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · Quorum" }
                link rel="icon" href="data:,";
                link rel="stylesheet" href=(assets::css_url());
            }
            body {
                a class="skip" href="#main" { "Skip to main content" }
                header class="top" {
                    a class="brand" href="/dashboard" { "Quorum" }
                    nav aria-label="Dashboard" {
                        ul {
                            @for (nav, href, label) in NAV {
                                li { a href=(href) aria-current=[(nav == chrome.nav).then_some("page")] { (label) } }
                            }
                        }
                    }
                    @if let Some(principal) = chrome.principal {
                        div class="who" {
                            span { "Signed in as " strong { (principal.name) } }
                            a href="/dashboard/settings" { "Settings" }
                            form method="post" action="/dashboard/sign-out" {
                                input type="hidden" name="csrf" value=(chrome.csrf);
                                button type="submit" class="link-button" { "Sign out" }
                            }
                        }
                    }
                }
                main id="main" tabindex="-1" {
                    @if let Some(flash) = chrome.flash { (flash_box(flash)) }
                    (body)
                }
                footer class="foot" {
                    p { "Quorum — agents propose, councils decide, workers run. "
                        a href="/api/openapi.json" { "API reference" } }
                }
                script src=(assets::js_url()) defer {}
            }
        }
    }
}

/// An HTML response of the page; a flash shown on it is cleared so it shows once.
pub fn render(
    state: &AppState,
    status: StatusCode,
    title: &str,
    chrome: &Chrome,
    body: Markup,
) -> Response {
    let mut response = (status, shell(title, chrome, body)).into_response();
    if chrome.flash.is_some() {
        response.headers_mut().append(
            header::SET_COOKIE,
            session::set_cookie(state, FLASH_COOKIE, "", 0),
        );
    }
    response
}

/// A page that says what went wrong and what to do, with the right status.
pub fn error_page(status: StatusCode, message: &str) -> Response {
    let title = status.canonical_reason().unwrap_or("Error");
    let body = html! {
        h1 { (title) }
        p { (message) }
        p { a href="/dashboard" { "Back to the overview" } }
    };
    let page = shell(title, &Chrome::anonymous(Nav::Other), body);
    (status, page).into_response()
}

/// Why a page is not shown, rendered as the page that says so. Handlers return it with `?`
/// from any service call.
#[derive(Debug)]
pub enum PageError {
    /// The session's token stopped working: sign in again.
    SignIn,
    Page {
        status: StatusCode,
        message: String,
    },
}

impl PageError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self::Page {
            status,
            message: message.into(),
        }
    }
}

impl From<ApiError> for PageError {
    fn from(e: ApiError) -> Self {
        match e.status {
            StatusCode::UNAUTHORIZED => Self::SignIn,
            status => Self::new(status, e.message),
        }
    }
}

impl From<ServiceError> for PageError {
    fn from(e: ServiceError) -> Self {
        ApiError::from(e).into()
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        match self {
            Self::SignIn => Redirect::to("/dashboard/sign-in").into_response(),
            Self::Page { status, message } => error_page(status, &message),
        }
    }
}

/// What a page handler returns.
pub type PageResult = Result<Response, PageError>;

/// A redirect after a form, carrying `flash` to the next page.
pub async fn redirect_with(state: &AppState, to: &str, flash: Flash) -> Response {
    let mut response = Redirect::to(to).into_response();
    if let Some(value) = session::flash_cookie(state, &flash).await {
        response.headers_mut().append(
            header::SET_COOKIE,
            session::set_cookie(state, FLASH_COOKIE, &value, 60),
        );
    }
    response
}

/// `text` when it is a path on this server's dashboards, which is all a form may return to:
/// anything else could send a person elsewhere after signing in.
pub fn local_path(text: &str) -> Option<&str> {
    let safe = text.starts_with("/dashboard")
        && !text.contains("//")
        && !text.contains('\\')
        && text.chars().all(|c| c.is_ascii_graphic());
    safe.then_some(text)
}

/// `?a=1&b=2` with each value percent-encoded; empty values are left out.
pub fn query(pairs: &[(&str, &str)]) -> String {
    let mut out = String::new();
    for (key, value) in pairs.iter().filter(|(_, v)| !v.is_empty()) {
        out.push(if out.is_empty() { '?' } else { '&' });
        out.push_str(key);
        out.push('=');
        for byte in value.bytes() {
            match byte {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                    out.push(byte as char)
                }
                _ => out.push_str(&format!("%{byte:02X}")),
            }
        }
    }
    out
}

/// Security headers every dashboard response carries; pages are personal, so not cached.
pub async fn headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    let defaults = [
        (
            header::CONTENT_SECURITY_POLICY,
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; \
             connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "same-origin"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::CACHE_CONTROL, "no-store"),
    ];
    for (name, value) in defaults {
        if !headers.contains_key(&name) {
            headers.insert(name, HeaderValue::from_static(value));
        }
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_dashboard_paths_are_followed() {
        assert_eq!(
            local_path("/dashboard/queue?x=1"),
            Some("/dashboard/queue?x=1")
        );
        for bad in [
            "https://evil.example/",
            "//evil.example/dashboard",
            "/dashboard//evil",
            "/dashboard\\x",
            "/api/workflows",
            "/dashboard\n",
        ] {
            assert_eq!(local_path(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn query_values_are_percent_encoded_and_empty_ones_dropped() {
        assert_eq!(
            query(&[
                ("next", "/dashboard/history?status=PENDING&x=a b"),
                ("e", "")
            ]),
            "?next=%2Fdashboard%2Fhistory%3Fstatus%3DPENDING%26x%3Da%20b"
        );
        assert_eq!(query(&[]), "");
    }
}
