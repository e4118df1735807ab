//! The sites this process generated lately, so the eight steps of one workflow, which run
//! one after another in the same worker, generate its site once rather than eight times.
//! Generation is deterministic, so a cached site is the one a step would make: the key is
//! everything `site::generate` reads, hashed.

use std::borrow::Cow;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use sha2::{Digest, Sha256};

use crate::site::{Site, SiteSpec};

type Key = [u8; 32];

/// Bytes of sites one process keeps. A workflow's site is first generated for its preview,
/// when it is proposed, and its steps run after the vote: the sites of every workflow
/// proposed meanwhile must still be here then, or each of eight steps generates its site
/// again. A store's site holds ≈ 200 KB of its own, so this keeps some 300 in flight.
const CAPACITY_BYTES: usize = 64 * 1024 * 1024;

struct Sites {
    /// Oldest first.
    sites: VecDeque<(Key, Arc<Site>)>,
    bytes: usize,
}

static SITES: Mutex<Sites> = Mutex::new(Sites {
    sites: VecDeque::new(),
    bytes: 0,
});

/// What a site holds of its own: the files every site borrows (the fonts) are not counted.
fn size(site: &Site) -> usize {
    site.files
        .values()
        .filter(|file| matches!(file.bytes, Cow::Owned(_)))
        .map(|file| file.bytes.len())
        .sum()
}

/// The key of the site generated from `inputs` (the workflow's, as stored) and `spec`.
pub(super) fn key(inputs: &serde_json::Value, spec: &SiteSpec) -> Key {
    let mut hasher = Sha256::new();
    for part in [
        inputs.to_string().as_str(),
        &spec.slug,
        &spec.base_url,
        &spec.contact_action,
        &spec.deployment_id,
        &spec.date,
    ] {
        // Each part's length first, so two different splits never hash alike.
        hasher.update((part.len() as u64).to_be_bytes());
        hasher.update(part.as_bytes());
    }
    hasher.finalize().into()
}

pub(super) fn get(key: &Key) -> Option<Arc<Site>> {
    let cache = SITES.lock().unwrap_or_else(|e| e.into_inner());
    cache
        .sites
        .iter()
        .rev()
        .find(|(k, _)| k == key)
        .map(|(_, site)| site.clone())
}

pub(super) fn put(key: Key, site: Arc<Site>) {
    let mut cache = SITES.lock().unwrap_or_else(|e| e.into_inner());
    if cache.sites.iter().any(|(k, _)| *k == key) {
        return;
    }
    cache.bytes += size(&site);
    cache.sites.push_back((key, site));
    while cache.bytes > CAPACITY_BYTES {
        let Some((_, oldest)) = cache.sites.pop_front() else {
            break;
        };
        cache.bytes -= size(&oldest);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::site::{Media, SiteInputs, generate};

    #[test]
    fn a_site_is_found_by_its_inputs_and_spec_and_only_by_them() {
        let inputs = serde_json::json!({
            "site_name": "Cached Café",
            "site_description": "A site generated once for its steps.",
            "contact_email": "owner@example.com",
        });
        let spec = SiteSpec::served_by(
            "http://127.0.0.1:5000",
            "cached-cafe",
            "deploy_1",
            "2026-12-01",
        );
        let site_inputs: SiteInputs = serde_json::from_value(inputs.clone()).unwrap();
        let site = Arc::new(generate(&site_inputs, &spec, &Media::default()));
        let at = key(&inputs, &spec);
        put(at, site.clone());
        assert!(Arc::ptr_eq(&get(&at).unwrap(), &site));
        let mut other = spec.clone();
        other.deployment_id = "deploy_other".into();
        assert_ne!(key(&inputs, &other), at);
        let mut renamed = inputs.clone();
        renamed["site_name"] = "Another".into();
        assert_ne!(key(&renamed, &spec), at);
        assert!(get(&key(&renamed, &spec)).is_none());
    }
}
