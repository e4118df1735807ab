//! The values of the content model that become links, dates and times, parsed for real: the
//! schema's patterns let `2026-02-30` and `https://` with no host through.

/// `YYYY-MM-DD` naming a day the calendar has: year, month, day.
pub(crate) fn calendar_date(value: &str) -> Option<(u32, u32, u32)> {
    let b = value.as_bytes();
    let digits = |r: std::ops::Range<usize>| -> Option<u32> {
        let part = value.get(r)?;
        part.bytes()
            .all(|d| d.is_ascii_digit())
            .then(|| part.parse().ok())?
    };
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let (year, month, day) = (digits(0..4)?, digits(5..7)?, digits(8..10)?);
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    (1..=days).contains(&day).then_some((year, month, day))
}

/// `HH:MM`, 24-hour.
pub(super) fn time_ok(value: &str) -> bool {
    let b = value.as_bytes();
    b.len() == 5
        && b[2] == b':'
        && [0, 1, 3, 4].iter().all(|&i| b[i].is_ascii_digit())
        && (b[0] - b'0') * 10 + (b[1] - b'0') < 24
        && b[3] < b'6'
}

/// The schema's pattern (`+`, then a digit, then digits and `( ) . -` and spaces, 3 to 30
/// characters), and a number of digits a real phone number has (E.164 allows 15).
pub(super) fn phone_ok(value: &str) -> bool {
    let rest = value.strip_prefix('+').unwrap_or(value);
    let digits = rest.bytes().filter(u8::is_ascii_digit).count();
    (3..=30).contains(&rest.len())
        && rest.starts_with(|c: char| c.is_ascii_digit())
        && rest
            .bytes()
            .all(|b| b.is_ascii_digit() || b" ().-".contains(&b))
        && (3..=15).contains(&digits)
}

/// The `tel:` URL of a phone number: its digits, and the `+` if it has one.
pub(crate) fn phone_href(value: &str) -> String {
    let plus = if value.trim_start().starts_with('+') {
        "+"
    } else {
        ""
    };
    let digits: String = value.chars().filter(char::is_ascii_digit).collect();
    format!("tel:{plus}{digits}")
}

/// `https://`, a host of dot-separated labels (a port allowed, no user name: `https://a@b`
/// would show one host and go to another), then any path without spaces or quotes.
pub(crate) fn social_url_ok(url: &str) -> bool {
    let Some(rest) = url.strip_prefix("https://") else {
        return false;
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    let host = match authority.rsplit_once(':') {
        Some((host, port)) if !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) => host,
        Some(_) => return false,
        None => authority,
    };
    let labels: Vec<&str> = host.split('.').collect();
    let host_ok = labels.len() >= 2
        && labels.iter().all(|l| {
            (1..=63).contains(&l.len())
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        });
    url.chars().count() <= 300
        && host_ok
        && !tail
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || "\"'<>\\`".contains(c))
}

/// `^[a-z0-9-]{1,40}$`: a post lives at `blog/<slug>/`.
pub(crate) fn post_slug_ok(slug: &str) -> bool {
    (1..=40).contains(&slug.len())
        && slug
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// `^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8}){0,4}$`, at most 35 characters.
pub(super) fn language_ok(tag: &str) -> bool {
    let mut parts = tag.split('-');
    let primary = parts.next().unwrap_or_default();
    let subtags: Vec<&str> = parts.collect();
    tag.len() <= 35
        && (2..=3).contains(&primary.len())
        && primary.bytes().all(|b| b.is_ascii_alphabetic())
        && subtags.len() <= 4
        && subtags
            .iter()
            .all(|s| (1..=8).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric()))
}

pub(super) use crate::site::images::valid_upload_id as upload_id_ok;
