//! Reading back what backends keep as text: statuses, decisions, event kinds, JSON and a
//! workflow's electorate. A value no version of Quorum wrote is corruption, reported as such.

use quorum_domain::{Decision, EventKind, JsonText, PrincipalKind, Role, Rule, WorkflowStatus};
use serde_json::Value;

use crate::{StoreError, StoreResult};

/// A row as the shared decoders see it: its text columns, by name.
pub trait TextColumns {
    fn text(&self, column: &str) -> StoreResult<String>;
}

fn corrupt(what: &str, detail: impl std::fmt::Display) -> StoreError {
    StoreError::Other(format!("stored {what}: {detail}"))
}

pub fn status(text: &str) -> StoreResult<WorkflowStatus> {
    text.parse().map_err(|e| corrupt("status", e))
}

pub fn decision(text: Option<String>) -> StoreResult<Option<Decision>> {
    text.map(|t| Decision::parse(&t).ok_or_else(|| corrupt("decision", format!("{t:?}"))))
        .transpose()
}

pub fn event_kind(text: &str) -> StoreResult<EventKind> {
    EventKind::parse(text).ok_or_else(|| corrupt("event kind", format!("{text:?}")))
}

pub fn json(text: &str) -> StoreResult<Value> {
    serde_json::from_str(text).map_err(|e| corrupt("JSON is corrupt", e))
}

pub fn json_text(text: String) -> StoreResult<JsonText> {
    JsonText::parse(text).map_err(|e| corrupt("JSON is corrupt", e))
}

pub fn principal_kind(text: &str) -> StoreResult<PrincipalKind> {
    PrincipalKind::parse(text).ok_or_else(|| corrupt("kind", format!("{text:?}")))
}

/// A size or count a backend keeps as a signed 64-bit integer, read back as the record's
/// unsigned type; a value out of its range was never written by Quorum.
pub fn size<T: TryFrom<i64>>(what: &str, value: i64) -> StoreResult<T> {
    T::try_from(value).map_err(|_| corrupt(what, value))
}

/// A principal's roles as one column: comma-separated.
pub fn roles_text(roles: &[Role]) -> String {
    roles
        .iter()
        .map(|r| r.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

/// The roles `roles_text` wrote; a role this build does not know is left out.
pub fn roles(text: &str) -> Vec<Role> {
    text.split(',').filter_map(Role::parse).collect()
}

/// A council's `policy` column.
pub fn policy(text: &str) -> StoreResult<quorum_domain::WindowPolicy> {
    serde_json::from_str(text).map_err(|e| corrupt("council policy", e))
}

/// A council's or workflow's `threshold` column: the rule it decides by.
pub fn rule(text: &str) -> StoreResult<Rule> {
    serde_json::from_str(text).map_err(|e| corrupt("rule", e))
}

/// The `electorate` and `threshold` columns of a workflow: who votes, and the rule they decide
/// by (the column is named for what it held before rules could name members).
pub fn governance(row: &impl TextColumns) -> StoreResult<(Vec<String>, Rule)> {
    let (electorate, threshold) = (row.text("electorate")?, row.text("threshold")?);
    let corrupt = |e: serde_json::Error| corrupt("governance is corrupt", e);
    Ok((
        serde_json::from_str(&electorate).map_err(corrupt)?,
        serde_json::from_str(&threshold).map_err(corrupt)?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_no_version_wrote_reads_as_corruption() {
        assert_eq!(status("IN_PROGRESS").unwrap(), WorkflowStatus::InProgress);
        assert_eq!(
            decision(Some("expired".into())).unwrap(),
            Some(Decision::Expired)
        );
        assert_eq!(decision(None).unwrap(), None);
        for refused in [
            status("DONE").err(),
            decision(Some("maybe".into())).err(),
            event_kind("in_progress").err(),
            json("{").err(),
        ] {
            assert!(matches!(refused, Some(StoreError::Other(_))), "{refused:?}");
        }
    }
}
