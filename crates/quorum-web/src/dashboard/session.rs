//! Dashboard sessions and CSRF protection, as the browser sees them.
//!
//! The session cookie holds only a random 256-bit session id; the session itself (its
//! principal, the hash of the API token it signed in with, its CSRF token and its expiry) is a
//! row in the database, kept by `quorum_service::sessions`, which stores only the id's hash.
//! Every request looks the row up and checks the token again, so signing out, or an admin's
//! revocation of a principal's tokens, ends the session at once on every server; a restart
//! signs nobody out, and servers behind one address need no sticky sessions.
//!
//! A form's CSRF token is the session's own, random and kept in its row, so it is good only
//! for that session; the sign-in form, which has no session yet, uses a random double-submit
//! cookie instead. Both compare in constant time. The one-shot flash message is sealed with an
//! HMAC under the signing key kept in the database (`quorum_service::keys`), so any server
//! shows a message another one set, a restart drops none, and a forged one is not shown.
//! Nothing here is per process.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use quorum_domain::Principal;
use quorum_service::sessions::{self, SignedIn};
use subtle::ConstantTimeEq;

use super::layout::{self, Flash, PageError};
use crate::error::ApiError;
use crate::router::AppState;

pub const SESSION_COOKIE: &str = "quorum_session";
/// The sign-in form's double-submit token; it lives only as long as the form.
pub const SIGN_IN_COOKIE: &str = "quorum_sign_in";
/// A one-shot message for the next page, set by a form's redirect.
pub const FLASH_COOKIE: &str = "quorum_flash";
/// What the flash cookie's seal is for, so that no other sealed value opens as one.
const FLASH_PURPOSE: &str = "flash";
/// The session cookie lasts as long as the session row.
pub const LIFETIME_SECONDS: i64 = sessions::LIFETIME.num_seconds();

/// Whether two secrets are equal, in time that does not depend on where they differ.
pub fn same_secret(a: &str, b: &str) -> bool {
    !a.is_empty() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

/// The value of cookie `name` in the request.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
}

/// A `Set-Cookie` value: HttpOnly and SameSite=Strict always, Secure behind https.
pub fn set_cookie(state: &AppState, name: &str, value: &str, max_age: i64) -> HeaderValue {
    let secure = match state.quorum.step_env().public_url.starts_with("https://") {
        true => "; Secure",
        false => "",
    };
    let text =
        format!("{name}={value}; Path=/; Max-Age={max_age}; HttpOnly; SameSite=Strict{secure}");
    HeaderValue::from_str(&text).expect("cookie values are base64url")
}

/// A random value for the sign-in form's double-submit cookie.
pub fn new_sign_in_token() -> String {
    URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>())
}

/// A one-shot message, sealed with the key every server shares, so that any of them shows it
/// and none shows a forged one; None (and no message) when the key cannot be read.
pub async fn flash_cookie(state: &AppState, flash: &Flash) -> Option<String> {
    let payload = format!("{}|{}", flash.kind.as_str(), flash.message);
    match state.quorum.keys().seal(FLASH_PURPOSE, &payload).await {
        Ok(sealed) => Some(sealed),
        Err(e) => {
            tracing::warn!(error = %e, "could not seal a flash message; the next page will not show it");
            None
        }
    }
}

pub async fn read_flash(state: &AppState, headers: &HeaderMap) -> Option<Flash> {
    let sealed = cookie(headers, FLASH_COOKIE)?;
    let payload = state.quorum.keys().open(FLASH_PURPOSE, sealed).await?;
    let (kind, message) = payload.split_once('|')?;
    Some(Flash::new(kind.parse().ok()?, message))
}

/// A signed-in dashboard user, their CSRF token and the message left for this page.
pub struct Session {
    pub principal: Principal,
    pub csrf: String,
    pub flash: Option<Flash>,
    /// What signing out ends.
    pub signed_in: SignedIn,
}

impl Session {
    /// Ok when `given` is this session's CSRF token; else the 403 page, and nothing is done.
    pub fn check_csrf(&self, given: &str) -> Result<(), PageError> {
        if same_secret(&self.csrf, given) {
            return Ok(());
        }
        Err(PageError::new(
            StatusCode::FORBIDDEN,
            "This form has expired or did not come from Quorum, so nothing was changed. Go back, reload the page and try again.",
        ))
    }
}

/// Where an anonymous request is sent: the sign-in page, coming back here afterwards.
fn to_sign_in(parts: &Parts) -> Response {
    // Only a page can be returned to: after a form's POST, the overview.
    let here = match parts.method {
        Method::GET => parts.uri.path_and_query().map(|p| p.as_str()),
        _ => None,
    };
    let next = here.and_then(layout::local_path).unwrap_or("/dashboard");
    Redirect::to(&format!(
        "/dashboard/sign-in{}",
        layout::query(&[("next", next)])
    ))
    .into_response()
}

impl FromRequestParts<AppState> for Session {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let Some(value) = cookie(&parts.headers, SESSION_COOKIE) else {
            return Err(to_sign_in(parts));
        };
        let signed_in = match state.quorum.auth().session(value).await {
            Ok(Some(signed_in)) => signed_in,
            // Unknown, expired, signed out, or its token revoked.
            Ok(None) => return Err(to_sign_in(parts)),
            Err(e) => return Err(PageError::from(ApiError::from(e)).into_response()),
        };
        Ok(Session {
            principal: signed_in.principal.clone(),
            csrf: signed_in.csrf.clone(),
            flash: read_flash(state, &parts.headers).await,
            signed_in,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_found_by_exact_name() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("a_quorum_session=x; quorum_session=y"),
        );
        assert_eq!(cookie(&headers, SESSION_COOKIE), Some("y"));
        assert_eq!(cookie(&headers, "missing"), None);
    }

    #[test]
    fn secrets_compare_equal_only_when_identical_and_present() {
        assert!(same_secret("abc", "abc"));
        assert!(!same_secret("abc", "abd"));
        assert!(!same_secret("", ""));
    }
}
