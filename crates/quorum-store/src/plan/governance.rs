//! The plans of handing an approved workflow to execution and of sending an undecided one to
//! another council.

use chrono::{DateTime, Utc};
use quorum_domain::{Decision, EventKind, WorkflowStatus};

use super::{Ballot, Held, Record, Write, cannot_reassign, move_totals};
use crate::event::Event;
use crate::{AggregateKey, Counts, Reassignment, StoreError, StoreResult};

/// Hands an approved, pending workflow to execution: marks it queued, queues its job, audits.
pub fn enqueue<'a>(held: &'a Held, actor: &str, at: DateTime<Utc>) -> StoreResult<Vec<Write<'a>>> {
    let approved = held.decision == Some(Decision::Approved);
    let refusal = if held.queued {
        Some("the workflow is already queued for execution".to_owned())
    } else if approved && held.key.status != WorkflowStatus::Pending {
        Some(format!(
            "the workflow is {} and can no longer be queued",
            held.key.status
        ))
    } else if !approved {
        Some("only a workflow its council approved can be queued".to_owned())
    } else {
        None
    };
    if let Some(refusal) = refusal {
        return Err(StoreError::Conflict(refusal));
    }
    let record = Record { held, actor, at };
    let pending = Some(WorkflowStatus::Pending);
    Ok(vec![
        Write::Queue {
            workflow_id: &held.id,
            at,
        },
        Write::Job {
            workflow_id: &held.id,
            available_at: at,
        },
        record.audit(EventKind::Queued, pending, pending, None),
        record.event(Event::Queued {
            actor: actor.to_owned(),
        }),
    ])
}

/// Sends a pending, undecided workflow nobody has voted on to another council, moving its
/// share of the aggregates with it. Its event goes to the new council's stream.
pub fn reassign<'a>(
    held: &Held,
    ballots: &[Ballot],
    r: &'a Reassignment,
) -> StoreResult<Vec<Write<'a>>> {
    // An escalation moves a workflow whatever its old council voted: the new one decides.
    let unvoted = ballots.is_empty() || r.expired_deadline.is_some();
    let open = held.key.status == WorkflowStatus::Pending && held.decision.is_none() && unvoted;
    if !open {
        return Err(StoreError::Conflict(cannot_reassign(&held.id)));
    }
    let to = AggregateKey {
        council_id: r.council_id.clone(),
        ..held.key.clone()
    };
    let mut writes = vec![
        Write::Reassign(r),
        Write::Notices {
            workflow_id: &r.workflow_id,
            members: &r.electorate,
            kind: crate::NoticeKind::Awaiting,
            at: r.at,
        },
    ];
    writes.extend(move_totals(&held.key, &to, held.share, Counts::default()));
    let moved = Held {
        key: to,
        ..held.clone()
    };
    let record = Record {
        held: &moved,
        actor: &r.actor,
        at: r.at,
    };
    let pending = Some(WorkflowStatus::Pending);
    writes.push(record.audit(
        EventKind::Reassigned,
        pending,
        pending,
        Some(r.reason.clone()),
    ));
    writes.push(record.event(Event::Reassigned {
        from: held.key.council_id.clone(),
        to: r.council_id.clone(),
        actor: r.actor.clone(),
    }));
    Ok(writes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::tests::{at, ballot, conflict, events, held, totals};
    use quorum_domain::{Threshold, VoteChoice};

    #[test]
    fn only_an_approved_pending_workflow_not_queued_yet_is_queued() {
        let mut approved = held(WorkflowStatus::Pending);
        approved.decision = Some(Decision::Approved);
        let writes = enqueue(&approved, "agent_a", at()).unwrap();
        assert_eq!(events(&writes), [EventKind::Queued]);
        let mut queued = approved.clone();
        queued.queued = true;
        assert_eq!(
            conflict(enqueue(&queued, "agent_a", at())),
            "the workflow is already queued for execution"
        );
        let mut running = approved.clone();
        running.key.status = WorkflowStatus::InProgress;
        assert_eq!(
            conflict(enqueue(&running, "agent_a", at())),
            "the workflow is IN_PROGRESS and can no longer be queued"
        );
        assert_eq!(
            conflict(enqueue(&held(WorkflowStatus::Pending), "agent_a", at())),
            "only a workflow its council approved can be queued"
        );
    }

    #[test]
    fn a_reassignment_moves_the_share_and_tells_the_new_council() {
        let r = Reassignment {
            workflow_id: "wf_abc".into(),
            council_id: "council_commerce".into(),
            electorate: vec!["user_9".into()],
            rule: Threshold::Unanimous.into(),
            voting_deadline: None,
            actor: "admin".into(),
            reason: "commerce owns shops".into(),
            at: at(),
            expired_deadline: None,
        };
        let writes = reassign(&held(WorkflowStatus::Pending), &[], &r).unwrap();
        let councils: Vec<_> = totals(&writes)
            .iter()
            .map(|row| (row.key.council_id.as_str(), row.counts.workflows))
            .collect();
        assert_eq!(councils, [("council_commerce", 1), ("council_media", -1)]);
        let Some(Write::Event(e)) = writes.last() else {
            panic!("{writes:?}")
        };
        assert_eq!(e.council_id, "council_commerce");
        let voted = [ballot("user_1", VoteChoice::Approve)];
        let refused = conflict(reassign(&held(WorkflowStatus::Pending), &voted, &r));
        assert!(
            refused.starts_with("wf_abc can no longer move"),
            "{refused}"
        );
    }
}
