//! What happens to a workflow besides its vote: an admin reassigns it to another council,
//! its creator or an admin hands it to execution or cancels it, and the sweeper reminds its
//! voters as the deadline nears, then expires it or escalates it when the window closes, as
//! its council's policy says.

use chrono::{DateTime, Utc};
use quorum_domain::{Decision, EventKind, OnExpiry, Principal, Role, Workflow, WorkflowStatus};
use quorum_store::{Reassignment, StoreError, Transition};
use serde::Deserialize;

use super::{MAX_REASON, conflict};
use crate::{Quorum, ServiceError, ServiceResult, auth};

/// How the audit trail's reason for an escalation begins.
const ESCALATED: &str = "escalated";

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CancelRequest {
    /// Kept in the audit trail, trimmed to 2,000 characters.
    #[serde(default)]
    #[schema(schema_with = quorum_domain::schema::optional_text)]
    pub reason: Option<String>,
}

/// `POST /api/workflows/{id}/reassign`: another council reviews the workflow.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReassignRequest {
    #[schema(schema_with = quorum_domain::schema::name_id)]
    pub council_id: String,
    /// Why; kept in the audit trail.
    #[schema(schema_with = reason_schema)]
    pub reason: String,
}

fn reason_schema() -> utoipa::openapi::Object {
    quorum_domain::schema::non_blank_text(Some(MAX_REASON))
}

impl Quorum {
    /// An admin sends a workflow nobody has voted on yet to another council, whose members
    /// (less the workflow's creator) become its electorate; the audit trail keeps the reason.
    pub async fn reassign_workflow(
        &self,
        caller: &Principal,
        workflow_id: &str,
        request: ReassignRequest,
    ) -> ServiceResult<Workflow> {
        auth::require(caller, Role::Admin)?;
        let reason = request.reason.trim().to_owned();
        if reason.is_empty() || reason.chars().count() > MAX_REASON {
            return Err(ServiceError::invalid_field(
                "reason",
                "length",
                format!("say why, in 1 to {MAX_REASON} characters"),
            ));
        }
        let workflow = self.workflow(workflow_id).await?.workflow;
        let council = match self.store.get_council(&request.council_id).await {
            Ok(council) => council,
            Err(StoreError::NotFound(_)) => {
                return Err(ServiceError::invalid_field(
                    "council_id",
                    "exists",
                    format!("there is no council {:?}", request.council_id),
                ));
            }
            Err(e) => return Err(e.into()),
        };
        if council.id == workflow.assigned_council_id {
            return Err(ServiceError::invalid_field(
                "council_id",
                "different",
                format!("{workflow_id} is already reviewed by {}", council.id),
            ));
        }
        let (electorate, rule) =
            crate::workflows::electorate(&council, &workflow.created_by_agent, "council_id")?;
        let at = quorum_domain::time::now();
        let change = Reassignment {
            workflow_id: workflow_id.to_owned(),
            council_id: council.id,
            electorate,
            rule,
            voting_deadline: council
                .voting_window_hours
                .map(|h| at + chrono::Duration::hours(i64::from(h))),
            actor: caller.id.clone(),
            reason,
            at,
            expired_deadline: None,
        };
        let moved = self.store.reassign(&change).await.map_err(conflict)?;
        self.changed();
        Ok(moved)
    }

    /// Hands an approved workflow that was created with `enqueue: false` to execution: an admin
    /// or the agent that created it.
    pub async fn enqueue_workflow(
        &self,
        caller: &Principal,
        workflow_id: &str,
    ) -> ServiceResult<Workflow> {
        let workflow = self.workflow(workflow_id).await?.workflow;
        if !(caller.has_role(Role::Admin)
            || (caller.id == workflow.created_by_agent && caller.has_role(Role::Agent)))
        {
            return Err(ServiceError::Forbidden(
                "only an admin or the agent that created the workflow can queue it".into(),
            ));
        }
        let queued = self
            .store
            .enqueue(workflow_id, &caller.id, quorum_domain::time::now())
            .await
            .map_err(conflict)?;
        self.changed();
        self.work_queued();
        Ok(queued)
    }

    /// Cancels a workflow: an admin while it is PENDING or IN_PROGRESS (a running one stops
    /// before its next step), or the creating agent while it is PENDING.
    pub async fn cancel_workflow(
        &self,
        caller: &Principal,
        workflow_id: &str,
        reason: Option<String>,
    ) -> ServiceResult<Workflow> {
        let workflow = self.workflow(workflow_id).await?.workflow;
        let admin = caller.has_role(Role::Admin);
        let creator = caller.id == workflow.created_by_agent && caller.has_role(Role::Agent);
        if !admin && !creator {
            return Err(ServiceError::Forbidden(
                "only an admin or the agent that created the workflow can cancel it".into(),
            ));
        }
        if workflow.status.is_terminal() {
            return Err(ServiceError::Conflict(format!(
                "the workflow is {} and can no longer be cancelled",
                workflow.status
            )));
        }
        if workflow.status == WorkflowStatus::InProgress && !admin {
            return Err(ServiceError::Forbidden(
                "a running workflow can only be cancelled by an admin".into(),
            ));
        }
        let reason = reason
            .map(|r| r.trim().chars().take(MAX_REASON).collect::<String>())
            .filter(|r| !r.is_empty());
        let change = Transition {
            workflow_id: workflow_id.to_owned(),
            from: workflow.status,
            to: WorkflowStatus::Cancelled,
            decision: None,
            outputs: None,
            error: None,
            actor: caller.id.clone(),
            event: EventKind::Cancelled,
            reason,
            at: quorum_domain::time::now(),
            require_undecided: false,
            metric: None,
        };
        let cancelled = self.store.transition(&change).await.map_err(conflict)?;
        self.changed();
        Ok(cancelled)
    }

    /// Owes a reminder to every voter who has not voted on an undecided workflow whose
    /// deadline is within its council's reminder window at `now`; returns how many. Safe with
    /// several sweepers: a member is owed one reminder per workflow, whoever writes it.
    pub async fn owe_reminders(&self, now: DateTime<Utc>) -> ServiceResult<u64> {
        let mut owed = 0;
        for council in self.store.list_councils().await? {
            let Some(hours) = council.remind_hours_before else {
                continue;
            };
            let until = now + chrono::Duration::hours(i64::from(hours));
            for id in self
                .store
                .due_for_reminder(&council.id, now, until, 500)
                .await?
            {
                let detail = match self.workflow(&id).await {
                    Ok(detail) => detail,
                    Err(ServiceError::NotFound(_)) => continue,
                    Err(e) => return Err(e),
                };
                let notices: Vec<quorum_store::Notice> = detail
                    .electorate
                    .iter()
                    .filter(|member| !detail.votes.iter().any(|v| &v.user_id == *member))
                    .map(|member| quorum_store::Notice {
                        id: String::new(),
                        principal_id: member.clone(),
                        workflow_id: id.clone(),
                        kind: quorum_store::NoticeKind::Reminder,
                        due_at: now,
                    })
                    .collect();
                owed += self.store.add_notices(&notices).await?;
            }
        }
        Ok(owed)
    }

    /// Hands an overdue workflow to the council its council's policy names, once, with a new
    /// window; false when the policy says to cancel, it was escalated before, or the other
    /// council cannot decide it (then it is cancelled as expired).
    async fn escalate(&self, id: &str, now: DateTime<Utc>) -> ServiceResult<bool> {
        let detail = match self.workflow(id).await {
            Ok(detail) => detail,
            Err(ServiceError::NotFound(_)) => return Ok(false),
            Err(e) => return Err(e),
        };
        let w = &detail.workflow;
        let from = &w.assigned_council_id;
        let Ok(council) = self.store.get_council(from).await else {
            return Ok(false);
        };
        let OnExpiry::Escalate {
            to,
            voting_window_hours,
        } = council.on_expiry
        else {
            return Ok(false);
        };
        let escalated_before = detail.audit.iter().any(|entry| {
            entry.event == EventKind::Reassigned
                && entry
                    .reason
                    .as_deref()
                    .is_some_and(|r| r.starts_with(ESCALATED))
        });
        if escalated_before || &to == from {
            return Ok(false);
        }
        // The admins decide in the council's place: whoever holds the admin token, one
        // approval or rejection settling it.
        let (council_id, electorate, rule, deciders) = if to == quorum_domain::ESCALATE_TO_ADMINS {
            let admins = vec![crate::auth::ADMIN_ID.to_owned()];
            let rule = quorum_domain::Threshold::AtLeast(1).into();
            (from.clone(), admins, rule, "the admins".to_owned())
        } else {
            let Ok(target) = self.store.get_council(&to).await else {
                tracing::warn!(
                    workflow = id,
                    council = to,
                    "the council to escalate to does not exist"
                );
                return Ok(false);
            };
            let Ok((electorate, rule)) =
                crate::workflows::electorate(&target, &w.created_by_agent, "on_expiry.to")
            else {
                return Ok(false);
            };
            (target.id.clone(), electorate, rule, target.id)
        };
        let change = Reassignment {
            workflow_id: id.to_owned(),
            council_id,
            electorate,
            rule,
            voting_deadline: Some(now + chrono::Duration::hours(i64::from(voting_window_hours))),
            actor: "system".into(),
            reason: format!(
                "{ESCALATED}: {from}'s voting window closed without a decision; {deciders} decide{} within {voting_window_hours} hours",
                if deciders == "the admins" { "" } else { "s" }
            ),
            at: now,
            expired_deadline: w.voting_deadline,
        };
        match self.store.reassign(&change).await {
            Ok(_) => Ok(true),
            // Another sweeper escalated it, or a decision came first.
            Err(StoreError::Conflict(_) | StoreError::NotFound(_)) => Ok(true),
            Err(e) => Err(e.into()),
        }
    }

    /// Expires, or escalates as their council's policy says, undecided workflows past their
    /// voting window; returns how many this call settled. Safe to run in several processes at
    /// once: each change is a conditional update, and the loser of a race skips.
    pub async fn expire_overdue(&self, now: chrono::DateTime<chrono::Utc>) -> ServiceResult<usize> {
        let mut expired = 0;
        loop {
            let due = self.store.due_for_expiry(now, 100).await?;
            let batch = due.len();
            for id in due {
                if self.escalate(&id, now).await? {
                    expired += 1;
                    continue;
                }
                let change = Transition {
                    workflow_id: id,
                    from: WorkflowStatus::Pending,
                    to: WorkflowStatus::Cancelled,
                    decision: Some(Decision::Expired),
                    outputs: None,
                    error: None,
                    actor: "system".into(),
                    event: EventKind::Expired,
                    reason: Some("the council's voting window closed without a decision".into()),
                    at: now,
                    require_undecided: true,
                    metric: None,
                };
                match self.store.transition(&change).await {
                    Ok(_) => expired += 1,
                    Err(StoreError::Conflict(_) | StoreError::NotFound(_)) => {}
                    Err(e) => return Err(e.into()),
                }
            }
            if batch < 100 {
                break;
            }
        }
        if expired > 0 {
            tracing::info!(
                expired,
                "expired undecided workflows past their voting window"
            );
            self.changed();
        }
        Ok(expired)
    }
}
