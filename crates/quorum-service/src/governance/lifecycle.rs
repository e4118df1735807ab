//! What happens to a workflow besides its vote: an admin reassigns it to another council,
//! its creator or an admin hands it to execution or cancels it, and the sweeper expires it
//! when its council's voting window closes.

use quorum_domain::{Decision, EventKind, Principal, Role, Workflow, WorkflowStatus};
use quorum_store::{Reassignment, StoreError, Transition};
use serde::Deserialize;

use super::{MAX_REASON, conflict};
use crate::{Quorum, ServiceError, ServiceResult, auth};

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

    /// Expires undecided workflows past their council's voting window. Safe to run in several
    /// processes at once: each expiry is a conditional update, and the loser of a race skips.
    pub async fn expire_overdue(&self, now: chrono::DateTime<chrono::Utc>) -> ServiceResult<usize> {
        let mut expired = 0;
        loop {
            let due = self.store.due_for_expiry(now, 100).await?;
            let batch = due.len();
            for id in due {
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
