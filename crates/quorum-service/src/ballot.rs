//! Where a workflow's vote stands: the tally against its threshold, and what one reader may
//! do about it. The review queue and the workflow's own page both show these, from one rule.

use quorum_domain::{Principal, Threshold, Vote, VoteChoice, Workflow, WorkflowStatus};
use quorum_store::WorkflowDetail;

/// What a vote needs to know about a workflow, borrowed from whichever read has it.
#[derive(Debug, Clone, Copy)]
pub struct Ballot<'a> {
    pub workflow: &'a Workflow,
    pub votes: &'a [Vote],
    pub electorate: &'a [String],
    pub threshold: Threshold,
}

/// Approvals and rejections so far against what the threshold needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tally {
    pub approve: usize,
    pub reject: usize,
    /// The electorate's size.
    pub members: u32,
    /// Approvals that decide the workflow.
    pub needed: u32,
}

/// Where one reader stands on a workflow's vote.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Standing<'a> {
    /// The reader has voted; a vote is never changed.
    Voted(&'a Vote),
    /// The vote is over: decided, or the workflow has left PENDING.
    Closed,
    /// The vote is open, but the reader is not in the workflow's electorate.
    NotInElectorate,
    /// The reader may vote now.
    MayVote,
}

impl<'a> Ballot<'a> {
    pub fn of(detail: &'a WorkflowDetail) -> Self {
        Self {
            workflow: &detail.workflow,
            votes: &detail.votes,
            electorate: &detail.electorate,
            threshold: detail.threshold,
        }
    }

    pub fn tally(&self) -> Tally {
        let cast = |choice| self.votes.iter().filter(|v| v.vote == choice).count();
        let members = self.electorate.len() as u32;
        Tally {
            approve: cast(VoteChoice::Approve),
            reject: cast(VoteChoice::Reject),
            members,
            needed: self.threshold.required(members),
        }
    }

    /// What `reader` may do: a vote already cast comes first, so a member sees their vote
    /// even after the decision.
    pub fn standing(&self, reader: &Principal) -> Standing<'a> {
        let open =
            self.workflow.status == WorkflowStatus::Pending && self.workflow.decision.is_none();
        match self.votes.iter().find(|v| v.user_id == reader.id) {
            Some(vote) => Standing::Voted(vote),
            None if !open => Standing::Closed,
            None if !self.electorate.contains(&reader.id) => Standing::NotInElectorate,
            None => Standing::MayVote,
        }
    }
}
