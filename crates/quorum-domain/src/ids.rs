//! Identifiers: a prefix plus twelve lowercase alphanumerics, as the seed's `wf_abc123xyz456`.
//!
//! The first eight characters are the creation time in milliseconds (base 36, good until 2059)
//! and the last four a per-process counter that starts at a random value. Ids made later sort
//! later, so every index keyed by an id grows at its end instead of taking inserts at random
//! pages: at millions of rows that is the difference between appending and thrashing the page
//! cache. The counter makes ids from one process unique (1.6 million per millisecond); two
//! processes can still meet in the same millisecond, so creators retry on a duplicate id.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{DateTime, Utc};
use rand::RngExt;

/// 36⁴: the values four base-36 characters hold.
const COUNTER_SPAN: u64 = 36 * 36 * 36 * 36;

fn next_count() -> u64 {
    static COUNTER: OnceLock<AtomicU64> = OnceLock::new();
    let counter = COUNTER.get_or_init(|| AtomicU64::new(rand::rng().random_range(0..COUNTER_SPAN)));
    counter.fetch_add(1, Ordering::Relaxed) % COUNTER_SPAN
}

const DIGITS: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";

/// A fresh id such as `wf_mhx0k2a1b2c3`.
pub fn new_id(prefix: &str) -> String {
    new_id_at(prefix, Utc::now())
}

/// An id for something created at `at` (history loaded after the fact sorts where it belongs).
pub fn new_id_at(prefix: &str, at: DateTime<Utc>) -> String {
    let mut time = at.timestamp_millis().clamp(0, 36_i64.pow(8) - 1) as u64;
    let mut stamp = [b'0'; 8];
    for digit in stamp.iter_mut().rev() {
        *digit = DIGITS[(time % 36) as usize];
        time /= 36;
    }
    let mut id = String::with_capacity(prefix.len() + 13);
    id.push_str(prefix);
    id.push('_');
    id.extend(stamp.iter().map(|&b| b as char));
    let mut count = next_count();
    let mut tail = [b'0'; 4];
    for digit in tail.iter_mut().rev() {
        *digit = DIGITS[(count % 36) as usize];
        count /= 36;
    }
    id.extend(tail.iter().map(|&b| b as char));
    id
}

/// Ids chosen by people (principals, councils): short, printable, no surprises in URLs.
pub fn is_valid_name_id(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'_' | b'-' | b'.')
        })
        && id.as_bytes()[0].is_ascii_alphanumeric()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_workflow_id_has_the_seed_shape() {
        let id = new_id("wf");
        assert_eq!(id.len(), 15);
        assert!(id.starts_with("wf_"));
        assert!(id[3..].bytes().all(|b| DIGITS.contains(&b)));
        assert_ne!(new_id("wf"), id);
    }

    #[test]
    fn a_hundred_thousand_ids_in_the_same_millisecond_are_distinct() {
        let at = chrono::DateTime::from_timestamp(1_766_234_096, 0).unwrap();
        let ids: std::collections::HashSet<String> =
            (0..100_000).map(|_| new_id_at("wf", at)).collect();
        assert_eq!(ids.len(), 100_000);
    }

    #[test]
    fn ids_made_later_sort_later() {
        let early = chrono::DateTime::from_timestamp(1_766_234_096, 0).unwrap();
        let later = early + chrono::Duration::milliseconds(1);
        for _ in 0..100 {
            assert!(new_id_at("wf", early) < new_id_at("wf", later));
        }
        assert!(new_id_at("wf", early) < new_id("wf"));
    }

    #[test]
    fn name_ids_reject_spaces_slashes_and_uppercase() {
        assert!(is_valid_name_id("council_media"));
        assert!(is_valid_name_id("website.create_basic_site"));
        for bad in ["", "Council", "a b", "../x", "_x", &"x".repeat(65)] {
            assert!(!is_valid_name_id(bad), "{bad} should be refused");
        }
    }
}
