//! The plan of counting a vote, and of the decision it may make.

use quorum_domain::{Decision, EventKind, Verdict, Vote, Workflow, WorkflowStatus};

use super::{Ballot, Held, Record, StatusChange, Write, check_move, move_totals};
use crate::event::Event;
use crate::{AggregateKey, Counts, NewVote, StoreError, StoreResult, VoteOutcome};

/// A vote is taken only on a pending, undecided workflow whose digest is the one the voter
/// saw, once per member.
fn check_open(held: &Held, ballots: &[Ballot], vote: &NewVote) -> StoreResult<()> {
    if let Some(decision) = held.decision {
        return Err(StoreError::Conflict(format!(
            "the council has already decided: {decision}"
        )));
    }
    if held.key.status != WorkflowStatus::Pending {
        return Err(StoreError::Conflict(format!(
            "the workflow is {}; votes are only taken while it is PENDING",
            held.key.status
        )));
    }
    if held.digest != vote.digest {
        return Err(StoreError::Conflict(
            "the workflow is not what this vote was cast on".into(),
        ));
    }
    if ballots.iter().any(|b| b.user_id == vote.user_id) {
        return Err(StoreError::Conflict(format!(
            "{} has already voted on this workflow",
            vote.user_id
        )));
    }
    Ok(())
}

/// Counts `vote` with the `ballots` cast before it and, if that settles the matter, makes the
/// decision: an approval keeps the workflow pending (queued with it when it goes to execution
/// at once), a rejection cancels it. Returns the decision made, if any.
pub fn vote<'a>(
    held: &Held,
    ballots: &[Ballot],
    vote: &'a NewVote,
) -> StoreResult<(Vec<Write<'a>>, Option<Decision>)> {
    check_open(held, ballots, vote)?;
    // Only the electorate's votes count: after an escalation, the old council's stay on record
    // but the new one decides.
    let cast = ballots
        .iter()
        .filter(|b| held.electorate.contains(&b.user_id))
        .map(|b| (b.user_id.as_str(), b.vote))
        .chain([(vote.user_id.as_str(), vote.vote)]);
    let decided = held.rule.decide(held.electorate.len() as u32, cast);
    // A delegate's vote is audited as theirs, for the member it counts as.
    let record = Record {
        held,
        actor: vote.cast_by.as_deref().unwrap_or(&vote.user_id),
        at: vote.voted_at,
    };
    let said = match &vote.cast_by {
        Some(_) => format!(
            "{} for {} as their delegate: {}",
            vote.vote.as_str(),
            vote.user_id,
            vote.reason
        ),
        None => format!("{}: {}", vote.vote.as_str(), vote.reason),
    };
    let pending = Some(WorkflowStatus::Pending);
    let mut writes = vec![
        Write::Vote(vote),
        record.audit(EventKind::Voted, pending, pending, Some(said)),
        record.event(Event::Voted {
            user_id: vote.user_id.clone(),
            vote: vote.vote,
        }),
    ];
    match &decided {
        Some(Verdict {
            decision: Decision::Approved,
            why,
        }) => {
            let queued_at = held.enqueue.then_some(vote.voted_at);
            writes.push(Write::Approve {
                workflow_id: &vote.workflow_id,
                queued_at,
            });
            writes.push(record.audit(EventKind::Decided, pending, pending, Some(why.clone())));
            if held.enqueue {
                // The hand-off commits with the decision, or neither happens.
                writes.push(Write::Job {
                    workflow_id: &vote.workflow_id,
                    available_at: vote.voted_at,
                });
            }
            writes.push(record.event(Event::Decided {
                decision: Decision::Approved,
                queued: Some(held.enqueue),
            }));
        }
        Some(Verdict { decision, why }) => {
            let to = WorkflowStatus::Cancelled;
            check_move(&held.id, WorkflowStatus::Pending, to)?;
            writes.push(Write::Status(StatusChange {
                workflow_id: &vote.workflow_id,
                from: WorkflowStatus::Pending,
                to,
                decision: Some(*decision),
                outputs: None,
                error: None,
                at: vote.voted_at,
                require_undecided: true,
                overdue_at: None,
            }));
            let cancelled = AggregateKey {
                status: to,
                ..held.key.clone()
            };
            writes.extend(move_totals(
                &held.key,
                &cancelled,
                held.share,
                Counts::default(),
            ));
            writes.push(record.audit(EventKind::Decided, pending, Some(to), Some(why.clone())));
            writes.push(record.event(Event::Decided {
                decision: *decision,
                queued: None,
            }));
        }
        None => {}
    }
    Ok((writes, decided.map(|v| v.decision)))
}

/// The vote as counted, with the workflow as it now stands.
pub fn outcome(vote: &NewVote, workflow: Workflow, decided: Option<Decision>) -> VoteOutcome {
    VoteOutcome {
        vote: Vote {
            id: vote.id.clone(),
            workflow_id: vote.workflow_id.clone(),
            user_id: vote.user_id.clone(),
            vote: vote.vote,
            reason: vote.reason.clone(),
            voted_at: vote.voted_at,
            cast_by: vote.cast_by.clone(),
        },
        workflow,
        decided,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::tests::{at, ballot, conflict, events, held, totals};
    use quorum_domain::VoteChoice;

    fn new_vote(user: &str, vote: VoteChoice) -> NewVote {
        NewVote {
            id: "vote_1".into(),
            workflow_id: "wf_abc".into(),
            user_id: user.into(),
            vote,
            reason: "fine".into(),
            digest: "digest".into(),
            voted_at: at(),
            cast_by: None,
        }
    }

    #[test]
    fn a_vote_is_refused_once_decided_when_not_pending_on_another_digest_or_twice() {
        let v = new_vote("user_2", VoteChoice::Approve);
        let mut decided = held(WorkflowStatus::Pending);
        decided.decision = Some(Decision::Rejected);
        assert_eq!(
            conflict(vote(&decided, &[], &v)),
            "the council has already decided: rejected"
        );
        assert_eq!(
            conflict(vote(&held(WorkflowStatus::InProgress), &[], &v)),
            "the workflow is IN_PROGRESS; votes are only taken while it is PENDING"
        );
        let mut changed = held(WorkflowStatus::Pending);
        changed.digest = "other".into();
        assert_eq!(
            conflict(vote(&changed, &[], &v)),
            "the workflow is not what this vote was cast on"
        );
        let before = [ballot("user_2", VoteChoice::Reject)];
        assert_eq!(
            conflict(vote(&held(WorkflowStatus::Pending), &before, &v)),
            "user_2 has already voted on this workflow"
        );
    }

    #[test]
    fn the_vote_that_reaches_a_majority_approves_and_queues_with_it() {
        let before = [ballot("user_1", VoteChoice::Approve)];
        let v = new_vote("user_2", VoteChoice::Approve);
        let (writes, decided) = vote(&held(WorkflowStatus::Pending), &before, &v).unwrap();
        assert_eq!(decided, Some(Decision::Approved));
        assert_eq!(events(&writes), [EventKind::Voted, EventKind::Decided]);
        assert!(writes.iter().any(|w| matches!(
            w,
            Write::Approve {
                queued_at: Some(_),
                ..
            }
        )));
        assert!(writes.iter().any(|w| matches!(w, Write::Job { .. })));
        assert!(totals(&writes).is_empty(), "an approval keeps it pending");
        let (first, _) = vote(&held(WorkflowStatus::Pending), &[], &v).unwrap();
        assert_eq!(
            events(&first),
            [EventKind::Voted],
            "one vote of three decides nothing"
        );
    }

    #[test]
    fn the_vote_that_makes_a_majority_unreachable_rejects_and_cancels() {
        let before = [ballot("user_1", VoteChoice::Reject)];
        let v = new_vote("user_2", VoteChoice::Abstain);
        let (writes, decided) = vote(&held(WorkflowStatus::Pending), &before, &v).unwrap();
        assert_eq!(decided, Some(Decision::Rejected));
        assert!(writes.iter().any(|w| matches!(
            w,
            Write::Status(StatusChange {
                to: WorkflowStatus::Cancelled,
                decision: Some(Decision::Rejected),
                ..
            })
        )));
        let statuses: Vec<_> = totals(&writes).iter().map(|r| r.key.status).collect();
        assert_eq!(
            statuses,
            [WorkflowStatus::Pending, WorkflowStatus::Cancelled]
        );
        let Some(Write::Event(decided)) = writes.last() else {
            panic!("{writes:?}")
        };
        assert_eq!(
            decided.event.data().to_string(),
            r#"{"decision":"rejected"}"#
        );
    }
}
