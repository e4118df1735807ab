//! What hostile requests got, judged and grouped: a failure report a person can act on.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use serde_json::Value;

use super::request::Answer;

/// One hostile request and what came back.
pub struct Exchange {
    pub operation: String,
    pub target: String,
    pub kind: &'static str,
    pub request: String,
    pub answer: Result<Answer, String>,
}

/// Why an exchange breaks the contract: a 5xx, no answer, or an error outside the envelope.
pub fn broken(exchange: &Exchange) -> Option<String> {
    let answer = match &exchange.answer {
        Ok(answer) => answer,
        Err(_) => return Some("no answer".into()),
    };
    if answer.status.is_server_error() {
        return Some("a 5xx".into());
    }
    if !answer.status.is_client_error() {
        return None;
    }
    if !answer.content_type.starts_with("application/json") {
        return Some(format!("an error as {:?}", answer.content_type));
    }
    let body: Value = serde_json::from_slice(&answer.body).unwrap_or(Value::Null);
    if !body["error"]["code"].is_string() || !body["error"]["message"].is_string() {
        return Some("an error outside the envelope".into());
    }
    None
}

/// Failures grouped by operation, input kind (when `by_input`), status and reason, each with
/// its targets and one example; empty when there are none.
pub fn report<'a>(
    failures: impl Iterator<Item = (&'a Exchange, String)>,
    by_input: bool,
) -> String {
    type Group<'a> = (usize, BTreeSet<&'a str>, &'a Exchange);
    let mut groups: BTreeMap<(&str, &str, String, String), Group<'a>> = BTreeMap::new();
    for (exchange, reason) in failures {
        let status = match &exchange.answer {
            Ok(answer) => answer.status.as_u16().to_string(),
            Err(_) => "-".into(),
        };
        let group = groups
            .entry((
                &exchange.operation,
                if by_input { exchange.kind } else { "any input" },
                status,
                reason,
            ))
            .or_insert((0, BTreeSet::new(), exchange));
        group.0 += 1;
        group.1.insert(&exchange.target);
    }
    let mut out = String::new();
    for ((operation, kind, status, reason), (count, targets, example)) in &groups {
        let targets: Vec<&str> = targets.iter().copied().collect();
        let _ = writeln!(
            out,
            "{operation} [{kind}] → {status}: {reason} (×{count}, at {})",
            targets.join(", ")
        );
        let _ = writeln!(out, "    sent {}", example.request);
        match &example.answer {
            Ok(answer) => {
                let _ = writeln!(
                    out,
                    "    got {} {:?} {}",
                    answer.status,
                    answer.content_type,
                    truncated(&String::from_utf8_lossy(&answer.body), 200)
                );
            }
            Err(e) => {
                let _ = writeln!(out, "    got {}", truncated(e, 200));
            }
        }
    }
    if !groups.is_empty() {
        out.insert_str(0, &format!("{} distinct failures:\n", groups.len()));
    }
    out
}

/// The text escaped, its middle cut when it is longer than `max` characters (the hostile part
/// may be at either end).
pub fn truncated(text: &str, max: usize) -> String {
    let chars: Vec<char> = text.chars().collect();
    let escape =
        |part: &[char]| -> String { part.iter().collect::<String>().escape_debug().collect() };
    if chars.len() <= max {
        return escape(&chars);
    }
    let (head, tail) = (max * 2 / 3, max / 3);
    format!(
        "{} …[{} characters]… {}",
        escape(&chars[..head]),
        chars.len() - head - tail,
        escape(&chars[chars.len() - tail..])
    )
}
