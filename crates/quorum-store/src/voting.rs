//! The parts of counting a vote that do not depend on the database, shared by every backend
//! so that they refuse and explain the same way.

use quorum_domain::{Decision, Threshold, WorkflowStatus};

use crate::{NewVote, StoreError, StoreResult};

/// A vote is taken only on a pending, undecided workflow whose digest is the one the voter saw.
pub fn check_open(
    status: WorkflowStatus,
    decision: Option<&str>,
    digest: &str,
    vote: &NewVote,
) -> StoreResult<()> {
    if let Some(decision) = decision {
        return Err(StoreError::Conflict(format!(
            "the council has already decided: {decision}"
        )));
    }
    if status != WorkflowStatus::Pending {
        return Err(StoreError::Conflict(format!(
            "the workflow is {status}; votes are only taken while it is PENDING"
        )));
    }
    if digest != vote.digest {
        return Err(StoreError::Conflict(
            "the workflow is not what this vote was cast on".into(),
        ));
    }
    Ok(())
}

/// The decision after `approvals` of `cast` votes, and the sentence the audit trail keeps.
pub fn tally(
    threshold: Threshold,
    electorate: usize,
    approvals: i64,
    cast: i64,
) -> Option<(Decision, String)> {
    let decision = threshold.decide(electorate as u32, approvals as u32, cast as u32)?;
    let reason = format!(
        "{} by {approvals} approvals of {cast} votes ({electorate} members)",
        decision.as_str()
    );
    Some((decision, reason))
}
