//! The kinds of change a workflow goes through, as its live events and its audit trail name
//! them.

use serde::{Deserialize, Serialize};
use std::fmt;

use crate::status::WorkflowStatus;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    Created,
    Voted,
    Decided,
    Queued,
    Reassigned,
    Started,
    StepWaiting,
    StepFinished,
    Completed,
    Failed,
    Cancelled,
    Expired,
}

impl EventKind {
    pub const ALL: [EventKind; 12] = [
        Self::Created,
        Self::Voted,
        Self::Decided,
        Self::Queued,
        Self::Reassigned,
        Self::Started,
        Self::StepWaiting,
        Self::StepFinished,
        Self::Completed,
        Self::Failed,
        Self::Cancelled,
        Self::Expired,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Created => "created",
            Self::Voted => "voted",
            Self::Decided => "decided",
            Self::Queued => "queued",
            Self::Reassigned => "reassigned",
            Self::Started => "started",
            Self::StepWaiting => "step_waiting",
            Self::StepFinished => "step_finished",
            Self::Completed => "completed",
            Self::Failed => "failed",
            Self::Cancelled => "cancelled",
            Self::Expired => "expired",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == s)
    }

    /// The change that puts a workflow in `status`: the event a move there is named after
    /// when nothing more particular (an expiry, a rejection) explains it.
    pub fn entering(status: WorkflowStatus) -> Self {
        match status {
            WorkflowStatus::Pending => Self::Created,
            WorkflowStatus::InProgress => Self::Started,
            WorkflowStatus::Completed => Self::Completed,
            WorkflowStatus::Failed => Self::Failed,
            WorkflowStatus::Cancelled => Self::Cancelled,
        }
    }
}

impl fmt::Display for EventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_reads_back_from_its_name_and_serializes_as_it() {
        for kind in EventKind::ALL {
            assert_eq!(EventKind::parse(kind.as_str()), Some(kind));
            assert_eq!(
                serde_json::to_value(kind).unwrap(),
                serde_json::json!(kind.as_str())
            );
        }
        assert_eq!(EventKind::parse("in_progress"), None);
    }
}
