//! Dashboard sessions and CSRF protection.
//!
//! A session is a stateless cookie: the principal's id, whether it signed in with the
//! configured admin token, an expiry and the SHA-256 of the API token it signed in with,
//! authenticated by an HMAC-SHA256 under a key drawn at random when the process starts. The
//! token itself never reaches the browser. Every request checks the MAC and the expiry, then
//! looks the token's hash up again, so a revoked token ends its sessions at once.
//!
//! The key lives only in this process: a restart signs everyone out, and several servers
//! behind one address need sticky sessions (or people sign in again when they move).
//!
//! CSRF tokens are derived from the session cookie (an HMAC of it), so a form's token is
//! tied to the session that rendered it and needs no storage; the sign-in form, which has
//! no session yet, uses a random double-submit cookie instead. Both compare in constant time.

use std::sync::LazyLock;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use quorum_domain::Principal;
use quorum_service::auth::{ADMIN_ID, admin_principal};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::layout::{self, Flash, PageError};
use crate::error::ApiError;
use crate::router::AppState;

pub const SESSION_COOKIE: &str = "quorum_session";
/// The sign-in form's double-submit token; it lives only as long as the form.
pub const SIGN_IN_COOKIE: &str = "quorum_sign_in";
/// A one-shot message for the next page, set by a form's redirect.
pub const FLASH_COOKIE: &str = "quorum_flash";
/// Sessions last a working day; then the member signs in again.
pub const LIFETIME_SECONDS: i64 = 12 * 3600;

static KEY: LazyLock<[u8; 32]> = LazyLock::new(rand::random);

/// HMAC-SHA256 (RFC 2104) for keys of at most one block, which is all this module uses.
fn hmac(key: &[u8], message: &[u8]) -> [u8; 32] {
    debug_assert!(key.len() <= 64);
    let (mut inner, mut outer) = ([0x36u8; 64], [0x5cu8; 64]);
    for (i, byte) in key.iter().enumerate() {
        inner[i] ^= byte;
        outer[i] ^= byte;
    }
    let inner = Sha256::new()
        .chain_update(inner)
        .chain_update(message)
        .finalize();
    Sha256::new()
        .chain_update(outer)
        .chain_update(inner)
        .finalize()
        .into()
}

/// `payload.mac`, both base64url: tamper-evident, not secret.
fn seal(purpose: &str, payload: &str) -> String {
    let mac = hmac(&*KEY, format!("{purpose}|{payload}").as_bytes());
    format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(payload),
        URL_SAFE_NO_PAD.encode(mac)
    )
}

fn unseal(purpose: &str, value: &str) -> Option<String> {
    let (payload, mac) = value.split_once('.')?;
    let payload = String::from_utf8(URL_SAFE_NO_PAD.decode(payload).ok()?).ok()?;
    let mac = URL_SAFE_NO_PAD.decode(mac).ok()?;
    let expected = hmac(&*KEY, format!("{purpose}|{payload}").as_bytes());
    bool::from(expected.as_slice().ct_eq(&mac)).then_some(payload)
}

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

/// The cookie value for a fresh session of `principal`, who presented `token`.
pub fn new_session(principal: &Principal, token: &str) -> String {
    let expires = quorum_domain::time::now().timestamp() + LIFETIME_SECONDS;
    // The configured admin has no stored token to look up again; its sessions end with the
    // process, whose key changes when QUORUM_ADMIN_TOKEN is changed and the server restarted.
    let source = if principal.id == ADMIN_ID {
        "admin"
    } else {
        "token"
    };
    let hash = hex::encode(Sha256::digest(token.as_bytes()));
    seal(
        "session",
        &format!("{}|{source}|{expires}|{hash}", principal.id),
    )
}

/// A random value for the sign-in form's double-submit cookie.
pub fn new_sign_in_token() -> String {
    URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>())
}

/// A one-shot message, sealed so that only this server's messages are shown.
pub fn flash_cookie(flash: &Flash) -> String {
    seal(
        "flash",
        &format!("{}|{}", flash.kind.as_str(), flash.message),
    )
}

pub fn read_flash(headers: &HeaderMap) -> Option<Flash> {
    let payload = unseal("flash", cookie(headers, FLASH_COOKIE)?)?;
    let (kind, message) = payload.split_once('|')?;
    Some(Flash::new(kind.parse().ok()?, message))
}

/// A signed-in dashboard user, their CSRF token and the message left for this page.
pub struct Session {
    pub principal: Principal,
    pub csrf: String,
    pub flash: Option<Flash>,
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

fn csrf_for(session_cookie: &str) -> String {
    URL_SAFE_NO_PAD.encode(hmac(&*KEY, format!("csrf|{session_cookie}").as_bytes()))
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
        let Some(payload) = unseal("session", value) else {
            return Err(to_sign_in(parts));
        };
        let fields: Vec<&str> = payload.split('|').collect();
        let [id, source, expires, hash] = fields[..] else {
            return Err(to_sign_in(parts));
        };
        let live = expires
            .parse::<i64>()
            .is_ok_and(|at| at > quorum_domain::time::now().timestamp());
        if !live {
            return Err(to_sign_in(parts));
        }
        let principal = match source {
            "admin" if id == ADMIN_ID => admin_principal(),
            "token" => match state.quorum.store().principal_by_token(hash).await {
                Ok(Some(p)) if p.id == id => p,
                // The token was revoked or the principal removed: the session ends with it.
                Ok(_) => return Err(to_sign_in(parts)),
                Err(e) => return Err(PageError::from(ApiError::from(e)).into_response()),
            },
            _ => return Err(to_sign_in(parts)),
        };
        Ok(Session {
            principal,
            csrf: csrf_for(value),
            flash: read_flash(&parts.headers),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_matches_rfc_4231_test_case_2() {
        let mac = hmac(b"Jefe", b"what do ya want for nothing?");
        assert_eq!(
            hex::encode(mac),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn a_sealed_value_opens_only_unchanged_and_for_its_purpose() {
        let sealed = seal("session", "user_a|token|99|abc");
        assert_eq!(
            unseal("session", &sealed).as_deref(),
            Some("user_a|token|99|abc")
        );
        assert_eq!(unseal("flash", &sealed), None);
        let (payload, mac) = sealed.split_once('.').unwrap();
        let forged = URL_SAFE_NO_PAD.encode("admin|admin|99|abc");
        assert_eq!(unseal("session", &format!("{forged}.{mac}")), None);
        assert_eq!(unseal("session", payload), None);
    }

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
