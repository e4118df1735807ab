//! Request text checked before anything reads it: the path and query of every request, and
//! JSON and form bodies. Each string goes through [`quorum_domain::Text`], the one rule for
//! what may be kept; a JSON object may not repeat a key, at any depth, because two readers of
//! the same body could otherwise see different values.

use std::cell::RefCell;
use std::fmt;

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use percent_encoding::percent_decode;
use quorum_domain::{FieldError, Text};
use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

use crate::error::ApiError;

/// Refuses, with a 400 in the JSON envelope, a request whose path or query holds invalid
/// UTF-8 or a control character once percent-decoded. Routing and extractors never see such
/// a request, so none of them can answer it with plain text, a 500, or a database error.
pub async fn refuse_bad_uri(request: Request, next: Next) -> Response {
    let uri = request.uri();
    let mut details = Vec::new();
    if let Err(detail) = decoded("path", uri.path().as_bytes()) {
        details.push(detail);
    }
    for pair in uri.query().unwrap_or("").split('&') {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let name = match decoded_form("query", name.as_bytes()) {
            Ok(name) => name,
            Err(detail) => {
                details.push(detail);
                continue;
            }
        };
        if let Err(detail) = decoded_form(&name, value.as_bytes()) {
            details.push(detail);
        }
    }
    if details.is_empty() {
        return next.run(request).await;
    }
    ApiError::bad_request(
        "the request's path or query string holds invalid UTF-8 or a control character",
        details,
    )
    .into_response()
}

/// Percent-decodes `raw` and checks it is one line of UTF-8.
fn decoded(field: &str, raw: &[u8]) -> Result<String, FieldError> {
    let text = String::from_utf8(percent_decode(raw).collect())
        .map_err(|_| FieldError::new(field, "utf8", "is not valid UTF-8 once percent-decoded"))?;
    Text::Line.check(field, &text)?;
    Ok(text)
}

/// As [`decoded`], with `+` meaning a space as in `application/x-www-form-urlencoded`.
fn decoded_form(field: &str, raw: &[u8]) -> Result<String, FieldError> {
    let spaced: Vec<u8> = raw
        .iter()
        .map(|&b| if b == b'+' { b' ' } else { b })
        .collect();
    decoded(field, &spaced)
}

/// A form body (`application/x-www-form-urlencoded`) as `T`, once every name and value is
/// valid UTF-8 without NUL (free text such as a message may span lines).
pub fn form<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, Vec<FieldError>> {
    let mut details = Vec::new();
    for pair in body.split(|&b| b == b'&').filter(|p| !p.is_empty()) {
        let mut parts = pair.splitn(2, |&b| b == b'=');
        let (name, value) = (parts.next().unwrap_or(b""), parts.next().unwrap_or(b""));
        let spaced = |raw: &[u8]| -> Vec<u8> {
            raw.iter()
                .map(|&b| if b == b'+' { b' ' } else { b })
                .collect()
        };
        let name = match String::from_utf8(percent_decode(&spaced(name)).collect()) {
            Ok(name) => name,
            Err(_) => {
                details.push(FieldError::new(
                    "",
                    "utf8",
                    "a field name is not valid UTF-8",
                ));
                continue;
            }
        };
        match String::from_utf8(percent_decode(&spaced(value)).collect()) {
            Ok(value) => details.extend(Text::Multiline.check(&name, &value).err()),
            Err(_) => details.push(FieldError::new(&name, "utf8", "is not valid UTF-8")),
        }
    }
    if !details.is_empty() {
        return Err(details);
    }
    serde_urlencoded::from_bytes(body)
        .map_err(|e| vec![FieldError::new("", "shape", e.to_string())])
}

/// Why a JSON body was refused.
#[derive(Debug)]
pub enum JsonRefusal {
    /// Not JSON at all (the parser's message, with line and column).
    Syntax(String),
    /// JSON, but a string, key or repetition the server does not keep.
    Field(FieldError),
}

/// Parses a JSON body, refusing NUL in any string or key and a key repeated in one object.
pub fn json(body: &[u8]) -> Result<Value, JsonRefusal> {
    let found = RefCell::new(None);
    let mut parser = serde_json::Deserializer::from_slice(body);
    let parsed = Strict {
        path: String::new(),
        found: &found,
    }
    .deserialize(&mut parser)
    .and_then(|value| parser.end().map(|()| value));
    match (parsed, found.into_inner()) {
        (Ok(value), _) => Ok(value),
        (Err(_), Some(field)) => Err(JsonRefusal::Field(field)),
        (Err(e), None) => Err(JsonRefusal::Syntax(e.to_string())),
    }
}

/// Builds a `Value` like serde_json's own, checking as it goes; the first refusal is kept in
/// `found` so that the caller can name the field instead of a line and column.
struct Strict<'a> {
    path: String,
    found: &'a RefCell<Option<FieldError>>,
}

impl Strict<'_> {
    fn child(&self, segment: fmt::Arguments<'_>) -> Self {
        let path = match self.path.is_empty() {
            true => segment.to_string(),
            false => format!("{}{}", self.path, segment),
        };
        Strict {
            path,
            found: self.found,
        }
    }

    fn refuse<E: de::Error>(&self, detail: FieldError) -> E {
        let message = format!("{}: {}", detail.field, detail.message);
        self.found.borrow_mut().get_or_insert(detail);
        E::custom(message)
    }

    fn text<E: de::Error>(&self, text: &str) -> Result<(), E> {
        Text::Multiline
            .check(&self.path, text)
            .map_err(|detail| self.refuse(detail))
    }
}

impl<'de> DeserializeSeed<'de> for Strict<'_> {
    type Value = Value;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Strict<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    /// A whole number written with a fraction (`2.0`) is the integer it names: JSON and JSON
    /// Schema do not tell them apart, so neither may the fields that take integers.
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        const EXACT: f64 = 9_007_199_254_740_992.0; // 2^53: every whole f64 below is exact
        if v.fract() == 0.0 && v.abs() < EXACT {
            return Ok(Value::from(v as i64));
        }
        Number::from_f64(v)
            .map(Value::Number)
            .ok_or_else(|| E::custom("a number must be finite"))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
        self.text(v)?;
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Value, E> {
        self.text(&v)?;
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) =
            seq.next_element_seed(self.child(format_args!("[{}]", items.len())))?
        {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut object = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            let child = match self.path.is_empty() {
                true => self.child(format_args!("{key}")),
                false => self.child(format_args!(".{key}")),
            };
            child.text(&key)?;
            if object.contains_key(&key) {
                return Err(child.refuse(FieldError::new(
                    &child.path,
                    "unique_keys",
                    "appears twice in one object; send each key once",
                )));
            }
            let value = map.next_value_seed(Strict {
                path: child.path.clone(),
                found: self.found,
            })?;
            object.insert(key, value);
        }
        Ok(Value::Object(object))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused_field(body: &str) -> FieldError {
        match json(body.as_bytes()) {
            Err(JsonRefusal::Field(field)) => field,
            other => panic!("{body}: {other:?}"),
        }
    }

    #[test]
    fn a_body_parses_as_serde_json_would() {
        let body = r#"{"a": [1, -2, 3.5, true, null, "x"], "b": {"c": "d\ne"}}"#;
        assert_eq!(
            json(body.as_bytes()).unwrap(),
            serde_json::from_str::<Value>(body).unwrap()
        );
    }

    #[test]
    fn a_whole_number_with_a_fraction_is_an_integer() {
        let value = json(br#"{"a": 2.0, "b": -0.0, "c": 2.5, "d": 1e300}"#).unwrap();
        assert_eq!(value["a"].as_u64(), Some(2));
        assert_eq!(value["b"].as_i64(), Some(0));
        assert_eq!(value["c"].as_f64(), Some(2.5));
        assert!(value["d"].is_f64());
    }

    #[test]
    fn nul_anywhere_is_refused_with_its_path() {
        let field = refused_field(r#"{"inputs": {"pages": [{"title": "a\u0000"}]}}"#);
        assert_eq!(field.field, "inputs.pages[0].title");
        assert_eq!(field.rule, "no_nul");
        assert_eq!(refused_field(r#"{"in\u0000": 1}"#).rule, "no_nul");
    }

    #[test]
    fn a_repeated_key_is_refused_at_any_depth() {
        let field = refused_field(r#"{"inputs": {"site_name": "a", "site_name": "b"}}"#);
        assert_eq!(field.field, "inputs.site_name");
        assert_eq!(field.rule, "unique_keys");
        assert_eq!(refused_field(r#"{"a": 1, "a": 1}"#).field, "a");
    }

    #[test]
    fn lone_surrogates_invalid_utf8_and_trailing_text_are_syntax_errors() {
        for body in [
            &br#"{"a": "\ud800"}"#[..],
            b"{\"a\": \"\xff\"}",
            b"{} {}",
            b"1e400",
        ] {
            assert!(
                matches!(json(body), Err(JsonRefusal::Syntax(_))),
                "{body:?}"
            );
        }
    }

    #[test]
    fn form_values_must_be_utf8_without_nul() {
        #[derive(serde::Deserialize, Debug)]
        struct F {
            reason: String,
        }
        let f: F = form(b"reason=two+lines%0Aok").unwrap();
        assert_eq!(f.reason, "two lines\nok");
        assert_eq!(form::<F>(b"reason=a%00").unwrap_err()[0].rule, "no_nul");
        assert_eq!(form::<F>(b"reason=%ff").unwrap_err()[0].rule, "utf8");
    }

    #[test]
    fn a_path_or_query_value_is_one_line_of_utf8() {
        assert!(decoded("path", b"/api/workflows/wf_1").is_ok());
        assert_eq!(
            decoded("path", b"/a%00").unwrap_err().rule,
            "no_control_characters"
        );
        assert_eq!(decoded("path", b"/a%ff").unwrap_err().rule, "utf8");
        assert_eq!(decoded_form("q", b"a+b").unwrap(), "a b");
        assert!(decoded_form("q", b"%0d%0a").is_err());
    }
}
