//! Dashboard sessions, kept in the database so that every server sees the same ones and
//! ending one is a delete.
//!
//! Signing in with an API token makes a random 256-bit session id for the cookie and a random
//! CSRF token; the row keeps the SHA-256 of the id (never the id), the principal, the SHA-256
//! of the token it signed in with, and an expiry. A request finds its row by the id's hash
//! (one index probe) and then checks the token again, so revoking a token ends its sessions
//! even on a server that never saw the revocation. The configured admin has no stored token:
//! its row must name the hash of the admin token this process was started with, so changing
//! QUORUM_ADMIN_TOKEN and restarting ends those sessions.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use quorum_domain::Principal;
use quorum_store::DashboardSession;
use subtle::ConstantTimeEq;

use crate::auth::{ADMIN_ID, Auth, admin_principal, hash_token};
use crate::{ServiceError, ServiceResult};

/// Sessions last a working day; then the member signs in again.
pub const LIFETIME: chrono::Duration = chrono::Duration::hours(12);

fn random_secret() -> String {
    URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>())
}

/// A signed-in dashboard user and the CSRF token of their session.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub principal: Principal,
    pub csrf: String,
    /// The hash of the token this session signed in with: signing out ends all of its sessions.
    token_hash: String,
}

impl Auth {
    /// Starts a session for whoever holds `token`; returns the session id for the cookie.
    /// 401 for a token nobody holds.
    pub async fn sign_in(&self, token: &str) -> ServiceResult<String> {
        if token.is_empty() {
            return Err(ServiceError::Unauthorized("an API token is needed".into()));
        }
        let principal = self.authenticate(token).await?;
        let id = random_secret();
        let now = quorum_domain::time::now();
        self.store()
            .create_session(&DashboardSession {
                id_hash: hash_token(&id),
                principal_id: principal.id,
                token_hash: hash_token(token),
                csrf: random_secret(),
                created_at: now,
                expires_at: now + LIFETIME,
            })
            .await?;
        Ok(id)
    }

    /// The live session a cookie's session id names, or None: unknown, expired, or its token
    /// revoked (or, for the admin, no longer the configured one).
    pub async fn session(&self, id: &str) -> ServiceResult<Option<SignedIn>> {
        let now = quorum_domain::time::now();
        let Some(row) = self.store().live_session(&hash_token(id), now).await? else {
            return Ok(None);
        };
        let principal = if row.principal_id == ADMIN_ID {
            let current = self.admin_token_hash().map(hex::encode);
            match current {
                Some(hash) if bool::from(hash.as_bytes().ct_eq(row.token_hash.as_bytes())) => {
                    admin_principal()
                }
                _ => return Ok(None),
            }
        } else {
            match self.store().principal_by_token(&row.token_hash).await? {
                Some(p) if p.id == row.principal_id => p,
                _ => return Ok(None),
            }
        };
        Ok(Some(SignedIn {
            principal,
            csrf: row.csrf,
            token_hash: row.token_hash,
        }))
    }

    /// Ends every session of the token `session` signed in with, on every server; returns
    /// how many ended.
    pub async fn sign_out(&self, session: &SignedIn) -> ServiceResult<u64> {
        let ended = self.store().end_sessions(&session.token_hash).await?;
        tracing::info!(principal.id = %session.principal.id, ended, "signed out");
        Ok(ended)
    }
}
