//! What the dashboards keep to sign people in: sessions and the keys that seal cookies.

use chrono::{DateTime, Utc};

/// A dashboard session. The browser holds the session id; the store only its SHA-256.
#[derive(Debug, Clone, PartialEq)]
pub struct DashboardSession {
    /// SHA-256 (hex) of the session id.
    pub id_hash: String,
    pub principal_id: String,
    /// SHA-256 (hex) of the API token the session signed in with.
    pub token_hash: String,
    /// The token every form of this session carries.
    pub csrf: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// How many expired sessions one sign-in removes: more than one, so the table shrinks back
/// after a burst, and few enough that a sign-in never waits on a large delete.
pub const EXPIRED_SESSIONS_PER_SIGN_IN: i64 = 100;

/// A key the dashboards seal their cookies with. One key is current (`retired_at` is None);
/// retired ones still open what they sealed until their sessions could have ended.
#[derive(Clone, PartialEq)]
pub struct SigningKey {
    pub id: String,
    pub secret: Vec<u8>,
    pub created_at: DateTime<Utc>,
    pub retired_at: Option<DateTime<Utc>>,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey")
            .field("id", &self.id)
            .field("secret", &"[redacted]")
            .field("created_at", &self.created_at)
            .field("retired_at", &self.retired_at)
            .finish()
    }
}
