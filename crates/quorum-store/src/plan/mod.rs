//! The write path, decided once for every backend. A backend reads (and on PostgreSQL locks)
//! what a write concerns, asks a plan here for the writes to make, and applies them in order
//! in its transaction, each with its own dialect's SQL. The checks (is the workflow still in
//! the expected status, is the move legal, who may still vote), the messages that explain a
//! refusal, and the order in which aggregate rows are touched live here, so that two backends
//! cannot drift apart.
//!
//! Guarded writes keep their condition in the SQL too (`… WHERE status = 'PENDING'`): a plan
//! is made from what was read, and the condition is what makes a lost race change nothing.

mod governance;
mod sites;
mod types;
mod votes;
mod workflows;

pub use governance::{enqueue, reassign};
pub use sites::{DOMAIN_INDEX, claim_domain, domain_race_lost};
pub use types::{Registration, register_type};
pub use votes::{outcome, vote};
pub use workflows::{create, finish_step, record_metric, transition};

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use quorum_domain::{Decision, EventKind, Rule, VoteChoice, WorkflowStatus};
use serde_json::Value;

use crate::event::{Event, NewEvent};
use crate::{
    AggregateKey, AggregateRow, Counts, NewAudit, NewMetric, NewVote, NewWorkflow, Reassignment,
    StepOutcome, StoreError, StoreResult,
};

/// What a write reads of its workflow before deciding anything.
#[derive(Debug, Clone, PartialEq)]
pub struct Held {
    pub id: String,
    /// Council, agent, type and status: the aggregate row the workflow counts in.
    pub key: AggregateKey,
    /// What the workflow's row adds to that aggregate row.
    pub share: Counts,
    pub decision: Option<Decision>,
    /// Whether it has been handed to execution.
    pub queued: bool,
    /// Whether an approval hands it to execution at once.
    pub enqueue: bool,
    pub electorate: Vec<String>,
    pub rule: Rule,
    pub digest: String,
}

/// A vote already cast on the workflow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ballot {
    pub user_id: String,
    pub vote: VoteChoice,
}

/// A conditional status change: it applies only while the workflow is in `from` (and, with
/// `require_undecided`, has no decision; with `overdue_at`, its voting deadline is before
/// then). Entering IN_PROGRESS sets `started_at` once; entering a final status sets
/// `completed_at`.
#[derive(Debug, Clone, PartialEq)]
pub struct StatusChange<'a> {
    pub workflow_id: &'a str,
    pub from: WorkflowStatus,
    pub to: WorkflowStatus,
    /// Replaces the decision when present.
    pub decision: Option<Decision>,
    /// Replace the workflow's outputs and error when present.
    pub outputs: Option<&'a Value>,
    pub error: Option<&'a str>,
    pub at: DateTime<Utc>,
    pub require_undecided: bool,
    /// For an expiry: a workflow escalated meanwhile has a later deadline and is left alone.
    pub overdue_at: Option<DateTime<Utc>>,
}

/// One write of a plan. Each backend has one `apply` with an arm per kind.
#[derive(Debug, Clone)]
pub enum Write<'a> {
    /// The row of a new workflow, queued at `queued_at` when it goes to execution at once.
    Workflow {
        new: &'a NewWorkflow,
        queued_at: Option<DateTime<Utc>>,
    },
    /// Notices owed to `members` about a workflow, one each, unless one of that kind is owed or
    /// was sent already.
    Notices {
        workflow_id: &'a str,
        members: &'a [String],
        kind: crate::NoticeKind,
        at: DateTime<Utc>,
    },
    /// The files of a new workflow's preview.
    PreviewFiles {
        workflow_id: &'a str,
        files: &'a [crate::DeploymentFile],
    },
    /// Guarded by its `from` status.
    Status(StatusChange<'a>),
    /// Approves a pending, undecided workflow (it stays pending), queued at `queued_at` when
    /// the approval hands it to execution. Guarded by both.
    Approve {
        workflow_id: &'a str,
        queued_at: Option<DateTime<Utc>>,
    },
    /// Hands an approved, pending workflow to execution at `at`. Guarded: pending, approved,
    /// not queued yet.
    Queue {
        workflow_id: &'a str,
        at: DateTime<Utc>,
    },
    /// Sends a workflow to another council with a new electorate. Guarded: pending,
    /// undecided, and not a vote cast yet.
    Reassign(&'a Reassignment),
    /// Adds (signed) counts to one aggregate row, creating it if need be. A plan emits these
    /// in key order, so that two writers take the rows' locks in the same order and never
    /// deadlock.
    Totals(AggregateRow),
    /// Records an attempt's metric and adds it to its workflow row's counts.
    Metric(&'a NewMetric),
    Vote(&'a NewVote),
    Audit(NewAudit),
    Event(NewEvent),
    /// Puts a workflow on the database queue (priority 0) unless it is there already.
    Job {
        workflow_id: &'a str,
        available_at: DateTime<Utc>,
    },
    /// Records how a running step ended, or that it waits. Guarded: the step is running.
    FinishStep(&'a StepOutcome),
    /// Marks a step running; a step run again counts another attempt (a step resuming from a
    /// wait does not) and forgets its error.
    StartStep {
        workflow_id: &'a str,
        position: i64,
        name: &'a str,
        at: DateTime<Utc>,
    },
}

impl Write<'_> {
    /// Whether the statement of this write, having changed `rows` rows, did what the plan
    /// meant: a guarded write that changed nothing lost a race and is a Conflict.
    pub fn check(&self, rows: u64) -> StoreResult<()> {
        let lost = match self {
            Self::Status(StatusChange { workflow_id, .. })
            | Self::Approve { workflow_id, .. }
            | Self::Queue { workflow_id, .. } => {
                format!("workflow {workflow_id} changed concurrently")
            }
            Self::Reassign(r) => cannot_reassign(&r.workflow_id),
            Self::FinishStep(step) => format!(
                "step {} of {} is not running",
                step.position, step.workflow_id
            ),
            _ => return Ok(()),
        };
        match rows {
            1 => Ok(()),
            _ => Err(StoreError::Conflict(lost)),
        }
    }
}

fn cannot_reassign(workflow_id: &str) -> String {
    format!(
        "{workflow_id} can no longer move to another council: it is decided, or its council has begun to vote"
    )
}

/// The aggregate writes of moving `share` from `from` to `to` (the same row when the key does
/// not change), plus `extra` added to `to`: one write per row, in key order.
fn move_totals<'a>(
    from: &AggregateKey,
    to: &AggregateKey,
    share: Counts,
    extra: Counts,
) -> impl Iterator<Item = Write<'a>> {
    let mut rows: BTreeMap<AggregateKey, Counts> = BTreeMap::new();
    let mut taken = Counts::default();
    taken -= share;
    *rows.entry(from.clone()).or_default() += taken;
    let added = rows.entry(to.clone()).or_default();
    *added += share;
    *added += extra;
    rows.into_iter()
        .filter(|(_, counts)| !counts.is_zero())
        .map(|(key, counts)| Write::Totals(AggregateRow { key, counts }))
}

/// What one metric adds to an aggregate row.
fn metric_counts(m: &NewMetric) -> Counts {
    Counts {
        metric_count: 1,
        duration_ms: m.duration_ms,
        success_ppm: m.success_ppm,
        error_count: m.error_count,
        ..Counts::default()
    }
}

/// A status change must be a legal move of the status machine.
fn check_move(workflow_id: &str, from: WorkflowStatus, to: WorkflowStatus) -> StoreResult<()> {
    match from.can_become(to) {
        true => Ok(()),
        false => Err(StoreError::Conflict(format!(
            "workflow {workflow_id} cannot go from {from} to {to}"
        ))),
    }
}

/// The audit row and live event of a change, in that order.
struct Record<'h> {
    held: &'h Held,
    actor: &'h str,
    at: DateTime<Utc>,
}

impl Record<'_> {
    fn audit<'a>(
        &self,
        event: EventKind,
        from: Option<WorkflowStatus>,
        to: Option<WorkflowStatus>,
        reason: Option<String>,
    ) -> Write<'a> {
        Write::Audit(NewAudit {
            workflow_id: self.held.id.clone(),
            event,
            actor: self.actor.to_owned(),
            from_status: from,
            to_status: to,
            reason,
            at: self.at,
        })
    }

    fn event<'a>(&self, event: Event) -> Write<'a> {
        Write::Event(NewEvent {
            workflow_id: self.held.id.clone(),
            council_id: self.held.key.council_id.clone(),
            agent_id: self.held.key.agent_id.clone(),
            event,
            at: self.at,
        })
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use chrono::TimeZone;

    pub(crate) fn at() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2025, 12, 20, 12, 0, 0).unwrap()
    }

    pub(crate) fn held(status: WorkflowStatus) -> Held {
        Held {
            id: "wf_abc".into(),
            key: AggregateKey {
                council_id: "council_media".into(),
                agent_id: "agent_a".into(),
                workflow_type_id: "test.echo".into(),
                status,
            },
            share: Counts {
                workflows: 1,
                weekly_cents: 22_500,
                annual_cents: 1_170_000,
                ..Counts::default()
            },
            decision: None,
            queued: false,
            enqueue: true,
            electorate: vec!["user_1".into(), "user_2".into(), "user_3".into()],
            rule: Rule::default(),
            digest: "digest".into(),
        }
    }

    pub(crate) fn ballot(user: &str, vote: VoteChoice) -> Ballot {
        Ballot {
            user_id: user.into(),
            vote,
        }
    }

    pub(crate) fn conflict<T: std::fmt::Debug>(result: StoreResult<T>) -> String {
        match result {
            Err(StoreError::Conflict(message)) => message,
            other => panic!("expected a conflict, got {other:?}"),
        }
    }

    /// The aggregate rows a plan touches, in the order it touches them.
    pub(crate) fn totals<'a>(writes: &'a [Write<'_>]) -> Vec<&'a AggregateRow> {
        writes
            .iter()
            .filter_map(|w| match w {
                Write::Totals(row) => Some(row),
                _ => None,
            })
            .collect()
    }

    /// The kinds of the events a plan emits.
    pub(crate) fn events(writes: &[Write<'_>]) -> Vec<EventKind> {
        writes
            .iter()
            .filter_map(|w| match w {
                Write::Event(e) => Some(e.event.kind()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn moving_a_share_touches_each_row_once_in_key_order() {
        let pending = held(WorkflowStatus::Pending).key;
        let cancelled = AggregateKey {
            status: WorkflowStatus::Cancelled,
            ..pending.clone()
        };
        let share = held(WorkflowStatus::Pending).share;
        // Keys order by council, agent, type, then status in lifecycle order: a move back
        // from CANCELLED still touches the PENDING row first.
        let writes: Vec<_> = move_totals(&cancelled, &pending, share, Counts::default()).collect();
        let rows = totals(&writes);
        assert_eq!(rows.len(), 2);
        assert_eq!(
            (&rows[0].key, rows[0].counts.workflows),
            (&pending, 1),
            "{rows:?}"
        );
        assert_eq!(
            (&rows[1].key, rows[1].counts.weekly_cents),
            (&cancelled, -22_500)
        );
        let same: Vec<_> = move_totals(&pending, &pending, share, Counts::default()).collect();
        assert!(
            same.is_empty(),
            "a share that stays where it is writes nothing"
        );
    }

    #[test]
    fn a_guarded_write_that_changed_no_row_lost_a_race() {
        let step = StepOutcome {
            workflow_id: "wf_abc".into(),
            position: 2,
            status: quorum_domain::StepStatus::Succeeded,
            error: None,
            output: None,
            at: at(),
            then_start: None,
            wake_at: None,
        };
        let finish = Write::FinishStep(&step);
        assert!(finish.check(1).is_ok());
        assert!(
            matches!(finish.check(0), Err(StoreError::Conflict(m)) if m == "step 2 of wf_abc is not running")
        );
        let job = Write::Job {
            workflow_id: "wf_abc",
            available_at: at(),
        };
        assert!(job.check(0).is_ok(), "a job queued already is not an error");
    }
}
