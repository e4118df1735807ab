//! A least-recently-used cache of blobs, bounded by their total size. Keyed by content hash,
//! so an entry can never be stale: a new deployment names new hashes, never new bytes.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use quorum_store::Blob;

pub(crate) struct BlobCache {
    limit: usize,
    used: usize,
    clock: u64,
    /// By hash: the blob and when it was last used.
    entries: HashMap<String, (Arc<Blob>, u64)>,
    /// Hashes by when they were last used, oldest first.
    order: BTreeMap<u64, String>,
}

fn bytes_of(blob: &Blob) -> usize {
    blob.bytes.len() + blob.gzip.as_ref().map_or(0, Vec::len)
}

impl BlobCache {
    pub fn new(limit: usize) -> Self {
        Self {
            limit,
            used: 0,
            clock: 0,
            entries: HashMap::new(),
            order: BTreeMap::new(),
        }
    }

    pub fn get(&mut self, hash: &str) -> Option<Arc<Blob>> {
        self.clock += 1;
        let (blob, used) = self.entries.get_mut(hash)?;
        self.order.remove(used);
        *used = self.clock;
        self.order.insert(self.clock, hash.to_owned());
        Some(blob.clone())
    }

    /// Keeps `blob`, evicting the least recently used; a blob over an eighth of the limit is
    /// not kept, so one large file cannot empty the cache of every page.
    pub fn insert(&mut self, blob: Arc<Blob>) {
        let size = bytes_of(&blob);
        if size > self.limit / 8 || self.entries.contains_key(&blob.hash) {
            return;
        }
        while self.used + size > self.limit {
            let Some((_, oldest)) = self.order.pop_first() else {
                break;
            };
            if let Some((evicted, _)) = self.entries.remove(&oldest) {
                self.used -= bytes_of(&evicted);
            }
        }
        self.clock += 1;
        self.used += size;
        self.order.insert(self.clock, blob.hash.clone());
        self.entries.insert(blob.hash.clone(), (blob, self.clock));
    }

    #[cfg(test)]
    fn hashes(&self) -> Vec<&str> {
        self.order.values().map(String::as_str).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blob(hash: &str, len: usize) -> Arc<Blob> {
        Arc::new(Blob {
            hash: hash.into(),
            bytes: vec![0; len],
            gzip: None,
        })
    }

    #[test]
    fn the_least_recently_used_blob_goes_first_and_the_total_stays_bounded() {
        let mut cache = BlobCache::new(800);
        for hash in ["a", "b", "c", "d"] {
            cache.insert(blob(hash, 100));
        }
        assert!(cache.get("a").is_some());
        for hash in ["e", "f", "g", "h", "i"] {
            cache.insert(blob(hash, 100));
        }
        assert_eq!(cache.hashes(), ["c", "d", "a", "e", "f", "g", "h", "i"]);
        assert!(cache.get("b").is_none(), "b was the least recently used");
        assert_eq!(cache.used, 800);
        cache.insert(blob("big", 101));
        assert!(cache.get("big").is_none(), "over an eighth of the limit");
    }
}
