//! The workflow status machine.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum WorkflowStatus {
    Pending,
    InProgress,
    Completed,
    Failed,
    Cancelled,
}

impl WorkflowStatus {
    pub const ALL: [WorkflowStatus; 5] = [
        Self::Pending,
        Self::InProgress,
        Self::Completed,
        Self::Failed,
        Self::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "PENDING",
            Self::InProgress => "IN_PROGRESS",
            Self::Completed => "COMPLETED",
            Self::Failed => "FAILED",
            Self::Cancelled => "CANCELLED",
        }
    }

    pub fn is_terminal(self) -> bool {
        matches!(self, Self::Completed | Self::Failed | Self::Cancelled)
    }

    /// The legal moves of SPEC "Lifecycle"; every status change the store writes is one of
    /// them. A workflow only moves forward: a failed attempt that will be retried stays
    /// IN_PROGRESS (its job is released for later), a rejection or an expiry cancels it, and a
    /// worker fails a pending workflow outright when its approval no longer holds (its type
    /// changed, or its creator lost the agent role) rather than run it.
    pub fn can_become(self, next: WorkflowStatus) -> bool {
        use WorkflowStatus::*;
        matches!(
            (self, next),
            (Pending, InProgress | Failed | Cancelled)
                | (InProgress, Completed | Failed | Cancelled)
        )
    }
}

impl fmt::Display for WorkflowStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, thiserror::Error)]
#[error("unknown status {0:?}: expected one of PENDING, IN_PROGRESS, COMPLETED, FAILED, CANCELLED")]
pub struct UnknownStatus(pub String);

impl FromStr for WorkflowStatus {
    type Err = UnknownStatus;

    /// Case-insensitive, as the seed's `?status=pending`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|status| status.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| UnknownStatus(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::WorkflowStatus::{self, *};

    #[test]
    fn statuses_parse_in_any_case() {
        assert_eq!("pending".parse::<WorkflowStatus>().unwrap(), Pending);
        assert_eq!("In_Progress".parse::<WorkflowStatus>().unwrap(), InProgress);
        assert!("done".parse::<WorkflowStatus>().is_err());
    }

    #[test]
    fn finished_workflows_never_move_again() {
        for from in [Completed, Failed, Cancelled] {
            for to in WorkflowStatus::ALL {
                assert!(!from.can_become(to), "{from} -> {to}");
            }
        }
        assert!(Pending.can_become(InProgress));
        assert!(!Pending.can_become(Completed));
    }

    #[test]
    fn every_move_the_code_makes_is_legal_and_nothing_stands_still() {
        // Started by a worker; refused by a worker (its approval no longer holds); rejected by
        // vote, expired or cancelled while pending.
        for to in [InProgress, Failed, Cancelled] {
            assert!(Pending.can_become(to), "PENDING -> {to}");
        }
        // Ended by the worker (after its retries) or cancelled by an admin while running.
        for to in [Completed, Failed, Cancelled] {
            assert!(InProgress.can_become(to), "IN_PROGRESS -> {to}");
        }
        assert!(
            !InProgress.can_become(Pending),
            "a retry stays IN_PROGRESS; nothing goes back"
        );
        for status in WorkflowStatus::ALL {
            assert!(!status.can_become(status), "{status} -> {status}");
        }
    }
}
