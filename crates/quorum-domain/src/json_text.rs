//! `JsonText`: a JSON value kept as the text the database returned. Listing a thousand
//! workflows then copies their inputs and outputs into the response instead of building and
//! re-serializing a tree for each.

use serde::{Serialize, Serializer};
use serde_json::Value;
use serde_json::value::RawValue;

#[derive(Debug, Clone)]
pub struct JsonText(Box<RawValue>);

impl JsonText {
    /// Checks that `text` is JSON and keeps it as it is.
    pub fn parse(text: String) -> Result<Self, serde_json::Error> {
        RawValue::from_string(text).map(Self)
    }

    pub fn from_raw(raw: Box<RawValue>) -> Self {
        Self(raw)
    }

    pub fn from_value(value: &Value) -> Self {
        Self(RawValue::from_string(value.to_string()).expect("a serialized Value is valid JSON"))
    }

    pub fn get(&self) -> &str {
        self.0.get()
    }

    pub fn to_value(&self) -> Value {
        serde_json::from_str(self.0.get()).expect("JsonText always holds valid JSON")
    }
}

/// Equal when the values are, whatever the spacing or key order of their texts.
impl PartialEq for JsonText {
    fn eq(&self, other: &Self) -> bool {
        self.get() == other.get() || self.to_value() == other.to_value()
    }
}

impl Serialize for JsonText {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_text_serializes_verbatim_and_compares_by_value() {
        let a = JsonText::parse(r#"{"b": 1, "a": [true]}"#.into()).unwrap();
        let b = JsonText::from_value(&serde_json::json!({"a": [true], "b": 1}));
        assert_eq!(a, b);
        assert_eq!(
            serde_json::to_string(&a).unwrap(),
            r#"{"b": 1, "a": [true]}"#
        );
        assert!(JsonText::parse("{nope".into()).is_err());
    }
}
