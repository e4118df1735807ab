//! Timestamps as the seed writes them: RFC 3339, UTC, whole seconds, `Z`.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serializer;

pub fn format(at: &DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Now, truncated to microseconds so that it survives a round trip through either database.
pub fn now() -> DateTime<Utc> {
    from_micros(Utc::now().timestamp_micros())
}

pub fn from_micros(micros: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(micros).unwrap_or_default()
}

pub mod rfc3339 {
    use super::*;

    pub fn serialize<S: Serializer>(at: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format(at))
    }

    pub fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
        let text = <String as serde::Deserialize>::deserialize(d)?;
        DateTime::parse_from_rfc3339(&text)
            .map(|at| at.with_timezone(&Utc))
            .map_err(serde::de::Error::custom)
    }
}

pub mod rfc3339_option {
    use super::*;

    pub fn serialize<S: Serializer>(at: &Option<DateTime<Utc>>, s: S) -> Result<S::Ok, S::Error> {
        match at {
            Some(at) => s.serialize_str(&format(at)),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: serde::Deserializer<'de>>(
        d: D,
    ) -> Result<Option<DateTime<Utc>>, D::Error> {
        match <Option<String> as serde::Deserialize>::deserialize(d)? {
            Some(text) => DateTime::parse_from_rfc3339(&text)
                .map(|at| Some(at.with_timezone(&Utc)))
                .map_err(serde::de::Error::custom),
            None => Ok(None),
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn timestamps_are_rfc3339_utc_with_a_z() {
        let at = super::from_micros(1_766_234_096_123_456);
        assert_eq!(super::format(&at), "2025-12-20T12:34:56Z");
    }
}
