//! The JSON Schema the OpenAPI document gives request text, from the same rules the server
//! applies: ids people choose, display names, free text. A schema looser than the rule lets a
//! client send what is refused; a stricter one hides what is accepted.

use utoipa::openapi::schema::{ObjectBuilder, SchemaType, Type};
use utoipa::openapi::{Object, RefOr, Schema};

/// [`crate::ids::is_valid_name_id`] as a pattern.
pub const NAME_ID_PATTERN: &str = "^[a-z0-9][a-z0-9._-]{0,63}$";

/// [`NAME_ID_PATTERN`] except `admin`, the id reserved for the admin token, spelled out without
/// a lookahead (not every regex engine that reads the document has one).
pub const PRINCIPAL_ID_PATTERN: &str = "^(?:[a-z0-9][a-z0-9._-]{0,3}|[a-z0-9][a-z0-9._-]{5,63}|[b-z0-9][a-z0-9._-]{4}|a[a-ce-z0-9._-][a-z0-9._-]{3}|ad[a-ln-z0-9._-][a-z0-9._-]{2}|adm[a-hj-z0-9._-][a-z0-9._-]|admi[a-mo-z0-9._-])$";

/// Any text without NUL: the databases cannot store it, so the server refuses it everywhere.
pub const TEXT_PATTERN: &str = "^[^\\u0000]*$";

/// Text with a character that is neither NUL nor what Rust's `trim` removes (Unicode
/// White_Space), and no NUL anywhere: a name that is not blank.
pub const NON_BLANK_PATTERN: &str = "^[^\\u0000]*[^\\u0000\\t-\\r \\u0085\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000][^\\u0000]*$";

/// A path or query value: no control character (the server refuses them before routing).
pub const URL_TEXT_PATTERN: &str = "^[^\\u0000-\\u001F\\u007F-\\u009F]*$";

/// Display names: 1 to 200 characters, not blank.
pub const MAX_NAME: usize = 200;

fn string(nullable: bool) -> ObjectBuilder {
    let schema_type = if nullable {
        SchemaType::from_iter([Type::String, Type::Null])
    } else {
        SchemaType::new(Type::String)
    };
    ObjectBuilder::new().schema_type(schema_type)
}

/// An id a person chooses (principals, councils, domains).
pub fn name_id() -> Object {
    string(false)
        .pattern(Some(NAME_ID_PATTERN))
        .description(Some(
            "1 to 64 lowercase letters, digits, '.', '_' or '-', starting with a letter or digit",
        ))
        .build()
}

/// A name id that may be left out or null.
pub fn optional_name_id() -> Object {
    string(true)
        .pattern(Some(NAME_ID_PATTERN))
        .description(Some(
            "1 to 64 lowercase letters, digits, '.', '_' or '-', starting with a letter or digit",
        ))
        .build()
}

/// A list of name ids.
pub fn name_ids(min: usize, max: Option<usize>, unique: bool) -> Schema {
    Schema::Array(
        utoipa::openapi::schema::ArrayBuilder::new()
            .items(name_id())
            .min_items(Some(min))
            .max_items(max)
            .unique_items(unique)
            .build(),
    )
}

/// A display name: 1 to 200 characters, not blank, no NUL.
pub fn display_name() -> Object {
    string(false)
        .min_length(Some(1))
        .max_length(Some(MAX_NAME))
        .pattern(Some(NON_BLANK_PATTERN))
        .build()
}

/// A display name that may be left out or null.
pub fn optional_display_name() -> Object {
    string(true)
        .min_length(Some(1))
        .max_length(Some(MAX_NAME))
        .pattern(Some(NON_BLANK_PATTERN))
        .build()
}

/// Free text without NUL, at most `max` characters when given.
pub fn text(max: Option<usize>) -> Object {
    string(false)
        .pattern(Some(TEXT_PATTERN))
        .max_length(max)
        .build()
}

/// Free text without NUL that may be null.
pub fn optional_text() -> Object {
    string(true).pattern(Some(TEXT_PATTERN)).build()
}

/// Free text without NUL that must not be blank.
pub fn non_blank_text(max: Option<usize>) -> Object {
    string(false)
        .min_length(Some(1))
        .max_length(max)
        .pattern(Some(NON_BLANK_PATTERN))
        .build()
}

/// A schema written as JSON, for the shapes the derive cannot say (alternatives, bounds that
/// depend on another field).
///
/// Panics when utoipa's model cannot hold the schema exactly (it would drop what it does not
/// know): the document is built once, at start, and every test builds it.
pub fn from_json(json: serde_json::Value) -> RefOr<Schema> {
    let schema: Schema = serde_json::from_value(json.clone()).expect("a schema in utoipa's model");
    let back = serde_json::to_value(&schema).expect("a schema serializes");
    assert_eq!(back, json, "utoipa's model changed a hand-written schema");
    RefOr::T(schema)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::is_valid_name_id;

    fn matches(pattern: &str, value: &str) -> bool {
        let schema = serde_json::json!({"type": "string", "pattern": pattern});
        jsonschema::validator_for(&schema)
            .expect("the pattern compiles")
            .is_valid(&serde_json::json!(value))
    }

    #[test]
    fn the_name_id_pattern_accepts_exactly_the_ids_the_server_accepts() {
        let long = "a".repeat(64);
        let too_long = "a".repeat(65);
        for id in [
            "council_media",
            "a",
            "9.x-y_z",
            long.as_str(),
            too_long.as_str(),
            "",
            "_a",
            ".a",
            "-a",
            "A",
            "a b",
            "é",
            "a\u{0}",
            "a\n",
        ] {
            assert_eq!(matches(NAME_ID_PATTERN, id), is_valid_name_id(id), "{id:?}");
        }
    }

    #[test]
    fn the_principal_id_pattern_is_the_name_id_pattern_without_admin() {
        let mut ids: Vec<String> = [
            "admin",
            "admins",
            "admi",
            "adm1n",
            "bdmin",
            "a",
            "council_media",
        ]
        .map(String::from)
        .to_vec();
        // Every id of up to five characters over a small alphabet, around "admin".
        let alphabet = ['a', 'd', 'm', 'i', 'n', 'x', '0', '.', '_', '-'];
        let mut frontier = vec![String::new()];
        for _ in 0..5 {
            frontier = frontier
                .iter()
                .flat_map(|prefix| alphabet.iter().map(move |c| format!("{prefix}{c}")))
                .collect();
            ids.extend(frontier.iter().cloned());
        }
        let schema = serde_json::json!({"type": "string", "pattern": PRINCIPAL_ID_PATTERN});
        let validator = jsonschema::validator_for(&schema).expect("the pattern compiles");
        for id in ids {
            assert_eq!(
                validator.is_valid(&serde_json::json!(id)),
                is_valid_name_id(&id) && id != "admin",
                "{id:?}"
            );
        }
    }

    #[test]
    fn a_name_is_blank_exactly_when_trim_leaves_nothing_and_nul_never_passes() {
        for name in [
            "Media Council",
            " x ",
            "\u{FEFF}",
            "\u{1C}",
            "",
            " ",
            "\t\n\r\u{B}\u{C}",
            "\u{85}\u{A0}\u{1680}\u{2000}\u{200A}\u{2028}\u{2029}\u{202F}\u{205F}\u{3000}",
        ] {
            assert_eq!(
                matches(NON_BLANK_PATTERN, name),
                !name.trim().is_empty(),
                "{name:?}"
            );
        }
        assert!(!matches(NON_BLANK_PATTERN, "a\u{0}"));
        assert!(!matches(TEXT_PATTERN, "a\u{0}b"));
        assert!(matches(TEXT_PATTERN, ""));
    }

    #[test]
    fn a_hand_written_schema_survives_utoipas_model() {
        use utoipa::PartialSchema;
        let threshold = serde_json::to_value(crate::Threshold::schema()).unwrap();
        assert_eq!(
            threshold["oneOf"][1]["properties"]["at_least"]["minimum"],
            1
        );
    }

    #[test]
    fn url_text_refuses_every_control_character() {
        let schema = serde_json::json!({"type": "string", "pattern": URL_TEXT_PATTERN});
        let validator = jsonschema::validator_for(&schema).expect("the pattern compiles");
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            let value = serde_json::json!(c.to_string());
            assert_eq!(validator.is_valid(&value), !c.is_control(), "{c:?}");
        }
    }
}
