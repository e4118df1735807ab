//! The plans of a workflow's own life: its creation, its status changes, its metrics and its
//! steps.

use quorum_domain::{Decision, EventKind, StepStatus, Workflow, WorkflowStatus};

use super::{Held, Record, StatusChange, Write, check_move, metric_counts, move_totals};
use crate::event::{Event, Moved, NewEvent};
use crate::{
    AggregateKey, AggregateRow, Counts, NewAudit, NewMetric, NewWorkflow, StepOutcome, StoreError,
    StoreResult, Transition,
};

/// A new workflow: its row, its count, its `created` audit row and event, and its job when a
/// type that needs no vote approved it by policy.
pub fn create(new: &NewWorkflow) -> Vec<Write<'_>> {
    let queued = new.decision == Some(Decision::Approved) && new.enqueue;
    let key = AggregateKey {
        council_id: new.assigned_council_id.clone(),
        agent_id: new.created_by_agent.clone(),
        workflow_type_id: new.workflow_type_id.clone(),
        status: new.status,
    };
    let counts = Counts {
        workflows: 1,
        weekly_cents: new.weekly_cents,
        annual_cents: new.annual_cents,
        ..Counts::default()
    };
    let mut writes = vec![
        Write::Workflow {
            new,
            queued_at: queued.then_some(new.created_at),
        },
        Write::Totals(AggregateRow { key, counts }),
    ];
    // Its voters are told it awaits them, in the transaction that makes it so.
    if new.decision.is_none() && !new.electorate.is_empty() {
        writes.push(Write::Notices {
            workflow_id: &new.id,
            members: &new.electorate,
            kind: crate::NoticeKind::Awaiting,
            at: new.created_at,
        });
    }
    if let Some(preview) = &new.preview {
        writes.push(Write::PreviewFiles {
            workflow_id: &new.id,
            files: &preview.files,
        });
    }
    if queued {
        writes.push(Write::Job {
            workflow_id: &new.id,
            available_at: new.created_at,
        });
    }
    writes.push(Write::Audit(NewAudit {
        workflow_id: new.id.clone(),
        event: EventKind::Created,
        actor: new.actor.clone(),
        from_status: None,
        to_status: Some(new.status),
        reason: new.note.clone(),
        at: new.created_at,
    }));
    writes.push(Write::Event(NewEvent {
        workflow_id: new.id.clone(),
        council_id: new.assigned_council_id.clone(),
        agent_id: new.created_by_agent.clone(),
        event: Event::Created { status: new.status },
        at: new.created_at,
    }));
    writes
}

/// A status change, if the workflow is still in `t.from` and the move is legal; with the
/// metric of the attempt it ends.
pub fn transition<'a>(held: &Held, t: &'a Transition) -> StoreResult<Vec<Write<'a>>> {
    if held.key.status != t.from {
        return Err(StoreError::Conflict(format!(
            "workflow {} is {}, not {}",
            held.id, held.key.status, t.from
        )));
    }
    check_move(&held.id, t.from, t.to)?;
    if let Some(decision) = held.decision.filter(|_| t.require_undecided) {
        return Err(StoreError::Conflict(format!(
            "workflow {} is decided already: {decision}",
            held.id
        )));
    }
    let moved = Moved {
        from: t.from,
        to: t.to,
        decision: t.decision.or(held.decision),
        actor: t.actor.clone(),
        reason: t.reason.clone(),
    };
    let event = Event::moved(t.event, moved)
        .ok_or_else(|| StoreError::Other(format!("a status change cannot be named {}", t.event)))?;
    let mut writes = vec![Write::Status(StatusChange {
        workflow_id: &t.workflow_id,
        from: t.from,
        to: t.to,
        decision: t.decision,
        outputs: t.outputs.as_ref(),
        error: t.error.as_deref(),
        at: t.at,
        require_undecided: t.require_undecided,
        overdue_at: (t.event == EventKind::Expired).then_some(t.at),
    })];
    let to = AggregateKey {
        status: t.to,
        ..held.key.clone()
    };
    let metric = t.metric.as_ref().map(metric_counts).unwrap_or_default();
    writes.extend(move_totals(&held.key, &to, held.share, metric));
    writes.extend(t.metric.as_ref().map(Write::Metric));
    let record = Record {
        held,
        actor: &t.actor,
        at: t.at,
    };
    writes.push(record.audit(t.event, Some(t.from), Some(t.to), t.reason.clone()));
    writes.push(record.event(event));
    Ok(writes)
}

/// An ended attempt's metric, counted in the aggregate row of the workflow's status.
pub fn record_metric<'a>(held: &Held, m: &'a NewMetric) -> Vec<Write<'a>> {
    vec![
        Write::Metric(m),
        Write::Totals(AggregateRow {
            key: held.key.clone(),
            counts: metric_counts(m),
        }),
    ]
}

/// How a running step ended (or that it waits for a time), its `step_finished` (or
/// `step_waiting`) event, and the next step started in the same transaction while the workflow
/// is still in progress (a cancel stops it there).
pub fn finish_step<'a>(workflow: &Workflow, step: &'a StepOutcome) -> StoreResult<Vec<Write<'a>>> {
    let event = match (step.status, step.wake_at) {
        (StepStatus::Running, _) => {
            return Err(StoreError::Other(format!(
                "step {} of {} must end succeeded or failed, or wait",
                step.position, step.workflow_id
            )));
        }
        (StepStatus::Waiting, None) => {
            return Err(StoreError::Other(format!(
                "step {} of {} waits, but not for a time",
                step.position, step.workflow_id
            )));
        }
        (StepStatus::Waiting, Some(until)) => Event::StepWaiting {
            position: step.position,
            until,
        },
        (status, _) => Event::StepFinished {
            position: step.position,
            status,
            error: step.error.clone(),
        },
    };
    let mut writes = vec![
        Write::FinishStep(step),
        Write::Event(NewEvent {
            workflow_id: workflow.id.clone(),
            council_id: workflow.assigned_council_id.clone(),
            agent_id: workflow.created_by_agent.clone(),
            event,
            at: step.at,
        }),
    ];
    if let Some((position, name)) = &step.then_start
        && workflow.status == WorkflowStatus::InProgress
        && step.status != StepStatus::Waiting
    {
        writes.push(Write::StartStep {
            workflow_id: &step.workflow_id,
            position: *position,
            name,
            at: step.at,
        });
    }
    Ok(writes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::tests::{at, conflict, events, held, totals};
    use WorkflowStatus::*;

    fn change(from: WorkflowStatus, to: WorkflowStatus, event: EventKind) -> Transition {
        Transition {
            workflow_id: "wf_abc".into(),
            from,
            to,
            decision: None,
            outputs: None,
            error: None,
            actor: "worker_1".into(),
            event,
            reason: None,
            at: at(),
            require_undecided: false,
            metric: None,
        }
    }

    #[test]
    fn a_move_from_a_status_the_workflow_is_not_in_is_a_conflict() {
        let t = change(InProgress, Completed, EventKind::Completed);
        assert_eq!(
            conflict(transition(&held(Pending), &t)),
            "workflow wf_abc is PENDING, not IN_PROGRESS"
        );
    }

    #[test]
    fn an_illegal_move_is_refused_whatever_the_caller_says() {
        for (from, to) in [
            (Pending, Completed),
            (Pending, Pending),
            (InProgress, Pending),
            (Completed, Failed),
            (Cancelled, InProgress),
        ] {
            let t = change(from, to, EventKind::entering(to));
            assert_eq!(
                conflict(transition(&held(from), &t)),
                format!("workflow wf_abc cannot go from {from} to {to}")
            );
        }
    }

    #[test]
    fn every_move_the_service_makes_is_planned() {
        for (from, to, kind) in [
            (Pending, InProgress, EventKind::Started),
            (Pending, Failed, EventKind::Failed),
            (Pending, Cancelled, EventKind::Cancelled),
            (Pending, Cancelled, EventKind::Expired),
            (InProgress, Completed, EventKind::Completed),
            (InProgress, Failed, EventKind::Failed),
            (InProgress, Cancelled, EventKind::Cancelled),
        ] {
            let t = change(from, to, kind);
            let writes = transition(&held(from), &t).unwrap();
            assert_eq!(events(&writes), [kind], "{from} -> {to}");
        }
    }

    #[test]
    fn an_expiry_never_undoes_a_decision() {
        let mut approved = held(Pending);
        approved.decision = Some(Decision::Approved);
        let mut expire = change(Pending, Cancelled, EventKind::Expired);
        expire.decision = Some(Decision::Expired);
        expire.require_undecided = true;
        assert_eq!(
            conflict(transition(&approved, &expire)),
            "workflow wf_abc is decided already: approved"
        );
        let writes = transition(&held(Pending), &expire).unwrap();
        let Some(Write::Event(e)) = writes.last() else {
            panic!("{writes:?}")
        };
        assert_eq!(e.event.data()["decision"], "expired");
    }

    #[test]
    fn a_status_change_is_not_named_after_something_else() {
        let t = change(Pending, Cancelled, EventKind::Voted);
        assert!(matches!(
            transition(&held(Pending), &t),
            Err(StoreError::Other(_))
        ));
    }

    #[test]
    fn an_ending_with_its_metric_moves_the_share_and_adds_the_metric_to_the_new_row() {
        let mut done = change(InProgress, Completed, EventKind::Completed);
        done.metric = Some(NewMetric {
            id: "met_1".into(),
            workflow_id: "wf_abc".into(),
            attempt: 1,
            duration_ms: 1_500,
            weekly_cents: 22_500,
            success_ppm: 1_000_000,
            error_count: 0,
            recorded_at: at(),
        });
        let writes = transition(&held(InProgress), &done).unwrap();
        let rows = totals(&writes);
        let statuses: Vec<_> = rows.iter().map(|r| r.key.status).collect();
        assert_eq!(statuses, [InProgress, Completed], "in key order");
        assert_eq!(rows[0].counts.workflows, -1);
        assert_eq!(
            (rows[1].counts.workflows, rows[1].counts.metric_count),
            (1, 1)
        );
        assert!(writes.iter().any(|w| matches!(w, Write::Metric(_))));
        assert!(
            matches!(writes[0], Write::Status(_)),
            "the guarded write first"
        );
    }

    #[test]
    fn the_next_step_starts_with_the_finish_only_while_the_workflow_runs() {
        let step = StepOutcome {
            workflow_id: "wf_abc".into(),
            position: 0,
            status: StepStatus::Succeeded,
            error: None,
            output: None,
            at: at(),
            then_start: Some((1, "deploy".into())),
            wake_at: None,
        };
        let workflow = |status| Workflow {
            id: "wf_abc".into(),
            workflow_type_id: "test.echo".into(),
            workflow_type_version: 1,
            created_by_agent: "agent_a".into(),
            assigned_council_id: "council_media".into(),
            status,
            decision: Some(Decision::Approved),
            inputs: quorum_domain::JsonText::parse("{}".into()).unwrap(),
            outputs: quorum_domain::JsonText::parse("{}".into()).unwrap(),
            calculated_savings: quorum_domain::JsonText::parse("{}".into()).unwrap(),
            error: None,
            created_at: at(),
            started_at: None,
            completed_at: None,
            voting_deadline: None,
            queued_at: None,
        };
        let running = finish_step(&workflow(InProgress), &step).unwrap();
        assert!(matches!(
            running.last(),
            Some(Write::StartStep { position: 1, .. })
        ));
        let cancelled = finish_step(&workflow(Cancelled), &step).unwrap();
        assert_eq!(events(&cancelled), [EventKind::StepFinished]);
        assert_eq!(cancelled.len(), 2);
        let still_running = StepOutcome {
            status: StepStatus::Running,
            ..step
        };
        assert!(finish_step(&workflow(InProgress), &still_running).is_err());
    }
}
