//! What a vote binds to: a digest of exactly what the council saw.

use serde_json::Value;
use sha2::{Digest, Sha256};

/// SHA-256 over the type, its version, the inputs (serde_json writes object keys in sorted
/// order, so equal inputs give equal digests whatever order they arrived in) and, for a type
/// that previews, the preview's [`manifest_hash`]: what the council saw built. Without a
/// preview the digest is what it was before previews existed, so older votes still bind.
pub fn digest(
    workflow_type_id: &str,
    version: i64,
    inputs: &Value,
    preview: Option<&str>,
) -> String {
    let mut hasher = Sha256::new();
    hasher.update(workflow_type_id.as_bytes());
    hasher.update(b"\n");
    hasher.update(version.to_string().as_bytes());
    hasher.update(b"\n");
    hasher.update(inputs.to_string().as_bytes());
    if let Some(preview) = preview {
        hasher.update(b"\npreview ");
        hasher.update(preview.as_bytes());
    }
    hex::encode(hasher.finalize())
}

/// SHA-256 over a preview's files, each a path and its content's hash, in path order: two
/// builds hash alike exactly when every file has the same bytes at the same path.
pub fn manifest_hash<'a>(files: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let mut files: Vec<(&str, &str)> = files.into_iter().collect();
    files.sort_unstable();
    let mut hasher = Sha256::new();
    for (path, hash) in files {
        // Lengths first, so no two different lists hash alike.
        hasher.update((path.len() as u64).to_be_bytes());
        hasher.update(path.as_bytes());
        hasher.update((hash.len() as u64).to_be_bytes());
        hasher.update(hash.as_bytes());
    }
    hex::encode(hasher.finalize())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn the_digest_changes_with_the_version_or_any_input_but_not_key_order() {
        let a = super::digest("t", 1, &json!({"a": 1, "b": [1, 2]}), None);
        assert_eq!(
            a,
            super::digest(
                "t",
                1,
                &serde_json::from_str(r#"{"b": [1, 2], "a": 1}"#).unwrap(),
                None
            )
        );
        assert_ne!(
            a,
            super::digest("t", 2, &json!({"a": 1, "b": [1, 2]}), None)
        );
        assert_ne!(
            a,
            super::digest("t", 1, &json!({"a": 1, "b": [2, 1]}), None)
        );
    }

    #[test]
    fn the_digest_changes_when_the_preview_would_change() {
        let inputs = json!({"site_name": "Bakery"});
        let built = super::manifest_hash([("index.html", "aa"), ("assets/main.css", "bb")]);
        let same = super::manifest_hash([("assets/main.css", "bb"), ("index.html", "aa")]);
        assert_eq!(built, same, "the order files come in does not matter");
        let edited = super::manifest_hash([("index.html", "ab"), ("assets/main.css", "bb")]);
        let moved = super::manifest_hash([("index.htm", "aa"), ("assets/main.css", "bb")]);
        let fewer = super::manifest_hash([("index.html", "aa")]);
        let digest = |preview: Option<&str>| super::digest("t", 1, &inputs, preview);
        let bound = digest(Some(&built));
        for other in [&edited, &moved, &fewer] {
            assert_ne!(digest(Some(other)), bound);
        }
        assert_ne!(digest(None), bound, "a preview is part of what is approved");
    }
}
