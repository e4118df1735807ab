//! Identifiers: a prefix plus twelve lowercase alphanumerics, as the seed's `wf_abc123xyz456`.

use rand::RngExt;

const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";

/// A fresh random id such as `wf_k3j9x0a1b2c3`.
pub fn new_id(prefix: &str) -> String {
    let mut rng = rand::rng();
    let mut id = String::with_capacity(prefix.len() + 13);
    id.push_str(prefix);
    id.push('_');
    for _ in 0..12 {
        id.push(ALPHABET[rng.random_range(0..ALPHABET.len())] as char);
    }
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
        assert!(id[3..].bytes().all(|b| ALPHABET.contains(&b)));
        assert_ne!(new_id("wf"), id);
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
