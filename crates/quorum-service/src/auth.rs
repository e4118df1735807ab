//! Tokens and roles. Tokens are random, shown once, and kept only as SHA-256 digests: they
//! carry 238 bits of entropy, so a fast digest is enough and a lookup stays one index probe.

use std::sync::Arc;

use quorum_domain::{Principal, PrincipalKind, Role};
use quorum_store::Store;
use rand::RngExt;
use rand::distr::Alphanumeric;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::{ServiceError, ServiceResult};

pub const ADMIN_ID: &str = "admin";

pub struct Auth {
    store: Arc<dyn Store>,
    admin_token_hash: Option<[u8; 32]>,
}

/// A fresh token: `qrm_` and 40 alphanumerics.
pub fn new_token() -> String {
    let body: String = rand::rng()
        .sample_iter(Alphanumeric)
        .take(40)
        .map(char::from)
        .collect();
    format!("qrm_{body}")
}

pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

impl Auth {
    pub fn new(store: Arc<dyn Store>, admin_token: Option<&str>) -> Self {
        let admin_token_hash = admin_token
            .filter(|t| !t.is_empty())
            .map(|t| Sha256::digest(t.as_bytes()).into());
        Self {
            store,
            admin_token_hash,
        }
    }

    pub(crate) fn store(&self) -> &dyn Store {
        self.store.as_ref()
    }

    /// The digest of the configured admin token, if there is one.
    pub(crate) fn admin_token_hash(&self) -> Option<&[u8; 32]> {
        self.admin_token_hash.as_ref()
    }

    /// The principal a bearer token belongs to; 401 for a token nobody holds.
    pub async fn authenticate(&self, token: &str) -> ServiceResult<Principal> {
        let digest: [u8; 32] = Sha256::digest(token.as_bytes()).into();
        if let Some(admin) = &self.admin_token_hash
            && bool::from(admin.ct_eq(&digest))
        {
            return Ok(admin_principal());
        }
        self.store
            .principal_by_token(&hex::encode(digest))
            .await?
            .ok_or_else(|| {
                ServiceError::Unauthorized(
                    "the bearer token is not valid; ask an admin for a new one".into(),
                )
            })
    }
}

pub fn admin_principal() -> Principal {
    Principal {
        id: ADMIN_ID.into(),
        kind: PrincipalKind::User,
        name: "Administrator".into(),
        roles: vec![Role::Admin],
        created_at: chrono::DateTime::UNIX_EPOCH,
    }
}

/// 403 unless `caller` holds `role` (admins hold every role).
pub fn require(caller: &Principal, role: Role) -> ServiceResult<()> {
    if caller.has_role(role) {
        Ok(())
    } else {
        Err(ServiceError::Forbidden(format!(
            "{} does not have the {} role this action needs",
            caller.id,
            role.as_str()
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_random_and_hash_to_hex() {
        let (a, b) = (new_token(), new_token());
        assert_ne!(a, b);
        assert_eq!(a.len(), 44);
        assert_eq!(hash_token(&a).len(), 64);
        assert_eq!(hash_token(&a), hash_token(&a));
    }

    #[test]
    fn admins_hold_every_role_and_others_only_theirs() {
        assert!(require(&admin_principal(), Role::Member).is_ok());
        let mut agent = admin_principal();
        agent.roles = vec![Role::Agent];
        assert!(require(&agent, Role::Agent).is_ok());
        assert!(matches!(
            require(&agent, Role::Admin),
            Err(ServiceError::Forbidden(_))
        ));
    }
}
