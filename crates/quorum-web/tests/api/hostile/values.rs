//! Hostile values: the proptest strategy that makes them, and how each is written into a JSON
//! body (as raw bytes, so that what `serde_json::Value` cannot hold is sent too) or into a URL
//! (as percent-encoded text).

use proptest::prelude::*;
use proptest::sample::{Index, select};
use serde_json::Value;

/// One hostile value, written where a valid one would go.
#[derive(Clone, Debug)]
pub enum Hostile {
    /// The valid value with `insert` placed inside it, so that it passes every check that
    /// looks only at the start.
    Splice { insert: &'static str, at: Index },
    /// `unit` repeated `len` times, then `tail`.
    Long {
        unit: &'static str,
        len: usize,
        tail: &'static str,
    },
    /// A byte JSON forbids unescaped in a string, sent raw inside one.
    RawControl(u8),
    /// A UTF-16 surrogate escape without its pair (`\ud800`), which no Rust string can hold.
    LoneSurrogate(&'static str),
    /// Bytes that are not UTF-8, sent raw.
    InvalidUtf8(&'static [u8]),
    /// A number too large, negative zero, a fraction where an integer goes …, raw.
    Number(&'static str),
    /// Another JSON type, raw.
    WrongType(&'static str),
    /// The valid value, then the same key again holding this, raw.
    DuplicateKey(&'static str),
    /// Arrays, or objects, nested this deep.
    DeepNesting { depth: usize, objects: bool },
    /// Text already percent-encoded, put into a URL as is (and into JSON as plain text).
    Encoded(&'static str),
}

const INSERTS: &[&str] = &[
    // The first three are NULs (`nul`).
    "\0",
    "a\0b",
    "\0\0\0",
    "\r\n",
    "\r\nX-Injected: 1",
    "\n",
    "\u{7f}",
    "\u{1b}[31m",
    "\u{8}",
    "\t",
    "\u{85}",
    "\u{2028}",
    "\u{feff}",
    "\u{202e}",
    "\u{fffe}",
    "\u{10ffff}",
    "../../",
    "..",
    "/",
    "\\",
    "'",
    "\"",
    "' OR '1'='1",
    "%",
    "%00",
    "<script>alert(1)</script>",
    "😀",
    "e\u{301}",
    " ",
];

const LONG_UNITS: &[&str] = &["a", "é", "😀", "\0", "ab\r\n"];
const LONG_TAILS: &[&str] = &["", "\0", "\u{7f}"];
const RAW_CONTROLS: &[u8] = &[0x00, 0x01, 0x0a, 0x0d, 0x1b, 0x7f];
const LONE_SURROGATES: &[&str] = &[
    "\\ud800",
    "\\udfff",
    "\\udbff\\u0041",
    "\\udc00\\ud800",
    "\\ud800\\ud800",
];
const INVALID_UTF8: &[&[u8]] = &[
    b"\xff",
    b"\xfe\xff",
    // An overlong NUL, the classic way past a NUL filter.
    b"\xc0\x80",
    // A surrogate encoded as UTF-8 (CESU-8).
    b"\xed\xa0\x80",
    // Past U+10FFFF.
    b"\xf4\x90\x80\x80",
    b"\x80",
    // Truncated.
    b"\xe2\x82",
];
const NUMBERS: &[&str] = &[
    "1e308",
    "-1e308",
    "1e309",
    "9999999999999999999999",
    "-9999999999999999999999",
    "-0",
    "-0.0",
    "1.5",
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775809",
    "18446744073709551616",
    "2147483648",
    "4294967296",
    "1e-400",
    "123456789012345678901234567890e10",
];
const WRONG_TYPES: &[&str] = &[
    "null",
    "true",
    "[]",
    "{}",
    "[1, \"two\", null]",
    "{\"$ne\": null}",
    "\"\"",
    "0",
    "[[]]",
    "{\"a\": {\"b\": []}}",
];
const SECOND_VALUES: &[&str] = &["\"second\"", "null", "\"a\\u0000b\"", "1e308", "{}", "[]"];
const ENCODED: &[&str] = &[
    "%00",
    "%ff%fe",
    "%c0%80",
    "%ed%a0%80",
    "%252e%252e%252f",
    "%2e%2e%2f",
    "%0d%0aX",
    "%7f",
    "%1b",
    "%25",
    "%u0000",
    "%2F..%2F",
    "%",
    "%zz",
];

const URL_MAX: usize = 60_000;

/// A NUL inside the valid value: what PostgreSQL refuses in any text, so what every place
/// gets first.
pub fn nul() -> impl Strategy<Value = Hostile> {
    (select(&INSERTS[..3]), any::<Index>()).prop_map(|(insert, at)| Hostile::Splice { insert, at })
}

/// Every hostile value, weighted towards the ones the issue names.
pub fn hostile() -> impl Strategy<Value = Hostile> {
    prop_oneof![
        4 => (select(INSERTS), any::<Index>()).prop_map(|(insert, at)| Hostile::Splice { insert, at }),
        2 => (select(LONG_UNITS), 10_000..200_000usize, select(LONG_TAILS))
            .prop_map(|(unit, len, tail)| Hostile::Long { unit, len, tail }),
        1 => select(RAW_CONTROLS).prop_map(Hostile::RawControl),
        2 => select(LONE_SURROGATES).prop_map(Hostile::LoneSurrogate),
        2 => select(INVALID_UTF8).prop_map(Hostile::InvalidUtf8),
        2 => select(NUMBERS).prop_map(Hostile::Number),
        2 => select(WRONG_TYPES).prop_map(Hostile::WrongType),
        1 => select(SECOND_VALUES).prop_map(Hostile::DuplicateKey),
        1 => (64..20_000usize, any::<bool>()).prop_map(|(depth, objects)| Hostile::DeepNesting { depth, objects }),
        2 => select(ENCODED).prop_map(Hostile::Encoded),
    ]
}

impl Hostile {
    /// What kind of input this is, for grouping failures.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Splice { insert, .. } if insert.contains('\0') => "NUL",
            Self::Splice { insert, .. } if insert.chars().any(char::is_control) => {
                "control character"
            }
            Self::Splice { .. } => "odd text",
            Self::Long { unit, tail, .. } if unit.contains('\0') || tail.contains('\0') => {
                "long string with NUL"
            }
            Self::Long { unit, tail, .. }
                if unit.chars().chain(tail.chars()).any(char::is_control) =>
            {
                "long string with control characters"
            }
            Self::Long { .. } => "long string",
            Self::RawControl(0) => "raw NUL byte",
            Self::RawControl(_) => "raw control byte",
            Self::LoneSurrogate(_) => "lone surrogate",
            Self::InvalidUtf8(_) => "invalid UTF-8",
            Self::Number(_) => "huge or odd number",
            Self::WrongType(_) => "wrong JSON type",
            Self::DuplicateKey(_) => "duplicate key",
            Self::DeepNesting { .. } => "deep nesting",
            Self::Encoded(text) if text.contains("%00") || text.contains("%u0000") => {
                "percent-encoded NUL"
            }
            Self::Encoded(text) if ["%ff", "%c0", "%ed"].iter().any(|b| text.contains(b)) => {
                "percent-encoded invalid UTF-8"
            }
            Self::Encoded(_) => "percent-encoded text",
        }
    }

    /// The value as JSON bytes in place of `valid` (the valid value there, if any). `key` is
    /// the member's name when the value sits in an object, for the duplicate.
    pub fn json(&self, valid: Option<&Value>, key: Option<&str>) -> Vec<u8> {
        let quoted = |mut inner: Vec<u8>| {
            inner.insert(0, b'"');
            inner.push(b'"');
            inner
        };
        match self {
            Self::Splice { .. } | Self::Long { .. } | Self::Encoded(_) => {
                serde_json::to_vec(&self.text(valid)).unwrap()
            }
            Self::RawControl(byte) => quoted([escaped(valid), vec![*byte]].concat()),
            Self::LoneSurrogate(escape) => {
                quoted([escaped(valid), escape.as_bytes().to_vec()].concat())
            }
            Self::InvalidUtf8(bytes) => quoted([escaped(valid), bytes.to_vec()].concat()),
            Self::Number(raw) | Self::WrongType(raw) => raw.as_bytes().to_vec(),
            Self::DuplicateKey(second) => match key {
                Some(key) => {
                    let first = valid.cloned().unwrap_or_else(|| Value::String("x".into()));
                    format!("{first}, {}: {second}", Value::String(key.into())).into_bytes()
                }
                None => second.as_bytes().to_vec(),
            },
            Self::DeepNesting { depth, objects } => nested(*depth, *objects).into_bytes(),
        }
    }

    /// The value as percent-encoded URL text in place of `valid`.
    pub fn url(&self, valid: Option<&str>) -> String {
        let mut text = self.url_uncapped(valid);
        // A URI holds at most 64 KiB (the http crate's limit); stay below, never cutting an
        // escape in half.
        if text.len() > URL_MAX {
            let mut end = URL_MAX;
            while text[..end].ends_with('%') || text[..end - 1].ends_with('%') {
                end -= 1;
            }
            text.truncate(end);
        }
        text
    }

    fn url_uncapped(&self, valid: Option<&str>) -> String {
        let valid_value = valid.map(|v| Value::String(v.into()));
        let encoded_valid = encode(valid.unwrap_or("").as_bytes());
        let bytes = |bytes: &[u8]| format!("{encoded_valid}{}", encode(bytes));
        match self {
            Self::Splice { .. } => encode(self.text(valid_value.as_ref()).as_bytes()),
            // As long as a URL holds, the tail kept.
            Self::Long { unit, len, tail } => {
                let (unit, tail) = (encode(unit.as_bytes()), encode(tail.as_bytes()));
                let fits = (URL_MAX - tail.len()) / unit.len();
                format!("{}{tail}", unit.repeat((*len).min(fits)))
            }
            Self::RawControl(byte) => bytes(&[*byte]),
            // What a surrogate becomes in a URL: its (invalid) UTF-8 encoding.
            Self::LoneSurrogate(_) => bytes(b"\xed\xa0\x80"),
            Self::InvalidUtf8(raw) => bytes(raw),
            Self::Number(raw) | Self::WrongType(raw) | Self::DuplicateKey(raw) => {
                encode(raw.as_bytes())
            }
            Self::DeepNesting { depth, objects } => encode(nested(*depth, *objects).as_bytes()),
            Self::Encoded(raw) => format!("{encoded_valid}{raw}"),
        }
    }

    /// The text of the string-shaped values.
    fn text(&self, valid: Option<&Value>) -> String {
        match self {
            Self::Splice { insert, at } => {
                let valid = match valid {
                    Some(Value::String(s)) => s.clone(),
                    Some(v @ (Value::Number(_) | Value::Bool(_))) => v.to_string(),
                    _ => String::new(),
                };
                let chars: Vec<char> = valid.chars().collect();
                let at = at.index(chars.len() + 1);
                let mut text: String = chars[..at].iter().collect();
                text.push_str(insert);
                text.extend(&chars[at..]);
                text
            }
            Self::Long { unit, len, tail } => {
                let mut text: String = unit.chars().cycle().take(*len).collect();
                text.push_str(tail);
                text
            }
            Self::Encoded(raw) => (*raw).to_owned(),
            _ => String::new(),
        }
    }
}

/// The inside of the valid value as a JSON string, without its quotes.
fn escaped(valid: Option<&Value>) -> Vec<u8> {
    match valid {
        Some(Value::String(s)) => {
            let quoted = serde_json::to_vec(s).unwrap();
            quoted[1..quoted.len() - 1].to_vec()
        }
        _ => Vec::new(),
    }
}

fn nested(depth: usize, objects: bool) -> String {
    if objects {
        format!("{}1{}", "{\"a\":".repeat(depth), "}".repeat(depth))
    } else {
        format!("{}{}", "[".repeat(depth), "]".repeat(depth))
    }
}

/// Percent-encodes every byte but the unreserved ones (RFC 3986).
pub fn encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for &b in bytes {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
