//! What a vote binds to: a digest of exactly what the council saw.

use serde_json::Value;
use sha2::{Digest, Sha256};

/// SHA-256 over the type, its version and the inputs (serde_json writes object keys in sorted
/// order, so equal inputs give equal digests whatever order they arrived in).
pub fn digest(workflow_type_id: &str, version: i64, inputs: &Value) -> String {
    let mut hasher = Sha256::new();
    hasher.update(workflow_type_id.as_bytes());
    hasher.update(b"\n");
    hasher.update(version.to_string().as_bytes());
    hasher.update(b"\n");
    hasher.update(inputs.to_string().as_bytes());
    hex::encode(hasher.finalize())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn the_digest_changes_with_the_version_or_any_input_but_not_key_order() {
        let a = super::digest("t", 1, &json!({"a": 1, "b": [1, 2]}));
        assert_eq!(
            a,
            super::digest(
                "t",
                1,
                &serde_json::from_str(r#"{"b": [1, 2], "a": 1}"#).unwrap()
            )
        );
        assert_ne!(a, super::digest("t", 2, &json!({"a": 1, "b": [1, 2]})));
        assert_ne!(a, super::digest("t", 1, &json!({"a": 1, "b": [2, 1]})));
    }
}
