//! Keyset cursors: the position after the last row of a page, `(created_at, id)`, so that the
//! millionth row costs what the first does.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    pub created_at_micros: i64,
    pub id: String,
}

impl Cursor {
    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(format!("{}|{}", self.created_at_micros, self.id))
    }

    pub fn decode(text: &str) -> Option<Self> {
        let bytes = URL_SAFE_NO_PAD.decode(text).ok()?;
        let text = String::from_utf8(bytes).ok()?;
        let (micros, id) = text.split_once('|')?;
        let valid_id = !id.is_empty()
            && id.len() <= 64
            && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
        if !valid_id {
            return None;
        }
        Some(Self {
            created_at_micros: micros.parse().ok()?,
            id: id.to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_survives_a_round_trip_and_garbage_does_not_decode() {
        let c = Cursor {
            created_at_micros: 1_700_000_000_000_123,
            id: "wf_abc".into(),
        };
        assert_eq!(Cursor::decode(&c.encode()), Some(c));
        for bad in ["", "!!", "bm9waXBl", &URL_SAFE_NO_PAD.encode("12|a'b")] {
            assert_eq!(Cursor::decode(bad), None, "{bad}");
        }
    }
}
