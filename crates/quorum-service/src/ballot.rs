//! Where a workflow's vote stands: the tally against its threshold, and what one reader may
//! do about it. The review queue and the workflow's own page both show these, from one rule.

use quorum_domain::{Principal, Rule, Vote, VoteChoice, Workflow, WorkflowStatus};
use quorum_store::WorkflowDetail;

/// What a vote needs to know about a workflow, borrowed from whichever read has it.
#[derive(Debug, Clone, Copy)]
pub struct Ballot<'a> {
    pub workflow: &'a Workflow,
    pub votes: &'a [Vote],
    pub electorate: &'a [String],
    pub rule: &'a Rule,
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
            rule: &detail.rule,
        }
    }

    pub fn tally(&self) -> Tally {
        let cast = |choice| self.votes.iter().filter(|v| v.vote == choice).count();
        let members = self.electorate.len() as u32;
        Tally {
            approve: cast(VoteChoice::Approve),
            reject: cast(VoteChoice::Reject),
            members,
            needed: self.rule.needed(members),
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

#[cfg(test)]
mod tests {
    use quorum_domain::{JsonText, PrincipalKind, Role, Threshold};

    use super::*;

    fn workflow(status: WorkflowStatus) -> Workflow {
        let empty = JsonText::from_value(&serde_json::json!({}));
        Workflow {
            id: "wf_000000000001".into(),
            workflow_type_id: "website.create_basic_site".into(),
            workflow_type_version: 1,
            created_by_agent: "agent_a".into(),
            assigned_council_id: "council_media".into(),
            status,
            decision: None,
            inputs: empty.clone(),
            outputs: empty.clone(),
            calculated_savings: empty,
            error: None,
            created_at: chrono::DateTime::UNIX_EPOCH,
            started_at: None,
            completed_at: None,
            voting_deadline: None,
            queued_at: None,
        }
    }

    fn vote(user: &str, choice: VoteChoice) -> Vote {
        Vote {
            id: format!("vote_{user}"),
            workflow_id: "wf_000000000001".into(),
            user_id: user.into(),
            vote: choice,
            reason: "because".into(),
            voted_at: chrono::DateTime::UNIX_EPOCH,
            cast_by: None,
        }
    }

    fn member(id: &str) -> Principal {
        Principal {
            id: id.into(),
            kind: PrincipalKind::User,
            name: id.into(),
            roles: vec![Role::Member],
            created_at: chrono::DateTime::UNIX_EPOCH,
        }
    }

    #[test]
    fn the_tally_counts_approvals_and_rejections_against_the_threshold() {
        let w = workflow(WorkflowStatus::Pending);
        let votes = [
            vote("a", VoteChoice::Approve),
            vote("b", VoteChoice::Reject),
            vote("c", VoteChoice::Abstain),
        ];
        let electorate = ["a", "b", "c", "d", "e"].map(String::from);
        let ballot = Ballot {
            workflow: &w,
            votes: &votes,
            electorate: &electorate,
            rule: &Threshold::SimpleMajority.into(),
        };
        assert_eq!(
            ballot.tally(),
            Tally {
                approve: 1,
                reject: 1,
                members: 5,
                needed: 3
            }
        );
    }

    #[test]
    fn a_reader_may_vote_only_once_while_the_vote_is_open_and_only_in_the_electorate() {
        let votes = [vote("a", VoteChoice::Approve)];
        let electorate = ["a", "b"].map(String::from);
        let (pending, done) = (
            workflow(WorkflowStatus::Pending),
            workflow(WorkflowStatus::Completed),
        );
        let rule = Threshold::SimpleMajority.into();
        let ballot = |w| Ballot {
            workflow: w,
            votes: &votes,
            electorate: &electorate,
            rule: &rule,
        };
        let open = ballot(&pending);
        assert_eq!(open.standing(&member("a")), Standing::Voted(&votes[0]));
        assert_eq!(open.standing(&member("b")), Standing::MayVote);
        assert_eq!(open.standing(&member("z")), Standing::NotInElectorate);
        let over = ballot(&done);
        assert_eq!(over.standing(&member("a")), Standing::Voted(&votes[0]));
        assert_eq!(over.standing(&member("b")), Standing::Closed);
        assert_eq!(over.standing(&member("z")), Standing::Closed);
    }
}
