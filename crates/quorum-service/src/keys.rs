//! The key the dashboards seal their cookies with, kept in the database so that every server
//! seals and opens with the same one and a restart changes nothing.
//!
//! The first process to need a key makes it (the store keeps one current key however many
//! race to); each process then holds the keys in memory, reloading them every minute and
//! whenever a sealed value names a key it does not know, so a rotation made anywhere reaches
//! every server. A value is sealed with the current key and names it; a retired key still
//! opens what it sealed for a session's lifetime, then is forgotten at the next rotation.

use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use quorum_store::{SigningKey, Store, StoreError};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::ServiceResult;
use crate::sessions::LIFETIME;

/// How stale this process's copy of the keys may grow before it is read again.
const RELOAD_EVERY: Duration = Duration::from_secs(60);
/// An unknown key id reloads the keys at most this often, so forged values cannot make every
/// request a database read.
const RELOAD_ON_MISS_EVERY: Duration = Duration::from_secs(1);

/// HMAC-SHA256 (RFC 2104) for keys of at most one block, which is all Quorum makes.
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

/// What a MAC covers: the purpose keeps a value sealed for one use from opening for another.
fn mac(key: &SigningKey, purpose: &str, payload: &str) -> [u8; 32] {
    hmac(
        &key.secret,
        format!("{purpose}|{}|{payload}", key.id).as_bytes(),
    )
}

/// Whether a key still opens values at `now`: current, or retired less than a session ago.
fn valid(key: &SigningKey, now: DateTime<Utc>) -> bool {
    key.retired_at.is_none_or(|at| at > now - LIFETIME)
}

fn new_key(now: DateTime<Utc>) -> SigningKey {
    SigningKey {
        id: quorum_domain::ids::new_id("key"),
        secret: rand::random::<[u8; 32]>().to_vec(),
        created_at: now,
        retired_at: None,
    }
}

/// The keys as this process last read them: the current one first.
struct Ring {
    keys: Vec<SigningKey>,
    loaded_at: Instant,
}

/// What `quorum keys rotate` did.
#[derive(Debug)]
pub struct Rotated {
    pub current: String,
    /// The keys that still open what they sealed, and until when.
    pub retired: Vec<(String, DateTime<Utc>)>,
}

pub struct Keys {
    store: Arc<dyn Store>,
    ring: RwLock<Option<Arc<Ring>>>,
}

impl Keys {
    pub fn new(store: Arc<dyn Store>) -> Self {
        Self {
            store,
            ring: RwLock::new(None),
        }
    }

    fn known(&self) -> Option<Arc<Ring>> {
        self.ring.read().expect("the key ring lock").clone()
    }

    /// Reads the keys, making the first one when there is no current key.
    async fn load(&self) -> ServiceResult<Arc<Ring>> {
        let now = quorum_domain::time::now();
        let mut keys = self.store.signing_keys(now - LIFETIME).await?;
        if keys.first().is_none_or(|k| k.retired_at.is_some()) {
            let made = self.store.add_first_signing_key(&new_key(now)).await?;
            tracing::info!(made, "no current signing key; offered the first");
            keys = self.store.signing_keys(now - LIFETIME).await?;
        }
        let ring = Arc::new(Ring {
            keys,
            loaded_at: Instant::now(),
        });
        *self.ring.write().expect("the key ring lock") = Some(ring.clone());
        Ok(ring)
    }

    /// Reads the keys now, making the first when the database has none: at start, so that a
    /// deployment's key exists before any request needs it.
    pub async fn warm(&self) -> ServiceResult<()> {
        self.load().await.map(|_| ())
    }

    /// The keys, read again when they are over a minute old; a failed read keeps the old ones.
    async fn ring(&self) -> ServiceResult<Arc<Ring>> {
        let known = self.known();
        if let Some(ring) = &known
            && ring.loaded_at.elapsed() < RELOAD_EVERY
        {
            return Ok(ring.clone());
        }
        match (self.load().await, known) {
            (Ok(ring), _) => Ok(ring),
            (Err(e), Some(stale)) => {
                tracing::warn!(error = %e, "could not reload the signing keys; using the ones read before");
                Ok(stale)
            }
            (Err(e), None) => Err(e),
        }
    }

    /// `key.payload.mac`, payload and MAC in base64url: tamper-evident, not secret.
    pub async fn seal(&self, purpose: &str, payload: &str) -> ServiceResult<String> {
        let ring = self.ring().await?;
        let key = ring
            .keys
            .first()
            .filter(|k| k.retired_at.is_none())
            .ok_or_else(|| StoreError::Other("there is no current signing key".into()))?;
        Ok(format!(
            "{}.{}.{}",
            key.id,
            URL_SAFE_NO_PAD.encode(payload),
            URL_SAFE_NO_PAD.encode(mac(key, purpose, payload))
        ))
    }

    /// The payload of a value sealed for `purpose` by any server with a key still valid; None
    /// for anything altered, forged, sealed for another purpose, or under a forgotten key.
    pub async fn open(&self, purpose: &str, value: &str) -> Option<String> {
        let mut parts = value.splitn(3, '.');
        let (id, payload, given) = (parts.next()?, parts.next()?, parts.next()?);
        let payload = String::from_utf8(URL_SAFE_NO_PAD.decode(payload).ok()?).ok()?;
        let given = URL_SAFE_NO_PAD.decode(given).ok()?;
        let mut ring = self.ring().await.ok()?;
        if !ring.keys.iter().any(|k| k.id == id) && ring.loaded_at.elapsed() >= RELOAD_ON_MISS_EVERY
        {
            // Perhaps a key another server has just made.
            ring = self.load().await.ok()?;
        }
        let now = quorum_domain::time::now();
        let key = ring.keys.iter().find(|k| k.id == id && valid(k, now))?;
        let expected = mac(key, purpose, &payload);
        bool::from(expected.as_slice().ct_eq(&given)).then_some(payload)
    }

    /// Makes a new current key and retires the previous one, which keeps opening what it
    /// sealed for a session's lifetime; keys retired longer ago are deleted.
    pub async fn rotate(&self) -> ServiceResult<Rotated> {
        let now = quorum_domain::time::now();
        let key = new_key(now);
        self.store.rotate_signing_key(&key, now - LIFETIME).await?;
        let ring = self.load().await?;
        tracing::info!(key.id = %key.id, "rotated the signing key");
        Ok(Rotated {
            current: key.id,
            retired: ring
                .keys
                .iter()
                .filter_map(|k| Some((k.id.clone(), k.retired_at? + LIFETIME)))
                .collect(),
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
    fn a_retired_key_is_valid_for_a_session_lifetime() {
        let now = quorum_domain::time::now();
        let mut key = new_key(now);
        assert!(valid(&key, now));
        key.retired_at = Some(now - LIFETIME + chrono::Duration::minutes(1));
        assert!(valid(&key, now));
        key.retired_at = Some(now - LIFETIME);
        assert!(!valid(&key, now));
    }
}
