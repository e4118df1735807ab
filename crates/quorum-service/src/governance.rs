//! Council governance: votes, cancellation, hand-off to execution, expiry, membership, and
//! the check a worker makes before running an approved workflow.

use quorum_domain::ids::new_id;
use quorum_domain::{
    Council, Decision, EventKind, FieldError, Principal, Role, VoteChoice, Workflow, WorkflowStatus,
};
use quorum_store::{NewVote, Reassignment, StoreError, Transition, VoteOutcome, WorkflowDetail};
use serde::Deserialize;

use crate::{Quorum, ServiceError, ServiceResult, auth};

/// Reasons are for people to read; this is plenty.
const MAX_REASON: usize = 2_000;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VoteRequest {
    pub vote: VoteChoice,
    /// Required to reject.
    #[serde(default)]
    pub reason: String,
}

/// Written by hand: a reject needs a reason, which the derive cannot say.
impl utoipa::PartialSchema for VoteRequest {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
        use quorum_domain::schema::{NON_BLANK_PATTERN, TEXT_PATTERN};
        let reason = |pattern: &str| {
            serde_json::json!({
                "type": "string",
                "maxLength": MAX_REASON,
                "pattern": pattern,
                "description": "At most 2,000 characters once trimmed.",
            })
        };
        quorum_domain::schema::from_json(serde_json::json!({
            "description": "One vote per member of the workflow's electorate; a reject needs a reason.",
            "oneOf": [
                {
                    "type": "object",
                    "required": ["vote"],
                    "properties": {
                        "vote": {"type": "string", "enum": ["approve", "abstain"]},
                        "reason": reason(TEXT_PATTERN),
                    },
                    "additionalProperties": false,
                },
                {
                    "type": "object",
                    "required": ["vote", "reason"],
                    "properties": {
                        "vote": {"type": "string", "enum": ["reject"]},
                        "reason": reason(NON_BLANK_PATTERN),
                    },
                    "additionalProperties": false,
                },
            ],
        }))
    }
}

impl utoipa::ToSchema for VoteRequest {}

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

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MembersRequest {
    /// 1 to 100 distinct users (agents cannot sit on a council).
    #[schema(schema_with = members_schema)]
    pub members: Vec<String>,
}

/// What [`Quorum::check_members`] accepts, short of the members existing.
pub(crate) fn members_schema() -> utoipa::openapi::Schema {
    quorum_domain::schema::name_ids(1, Some(MAX_MEMBERS), true)
}

/// Members of one council at most.
const MAX_MEMBERS: usize = 100;

fn conflict(e: StoreError) -> ServiceError {
    match e {
        StoreError::Conflict(message) => ServiceError::Conflict(message),
        StoreError::NotFound(what) => ServiceError::NotFound(format!("{what} does not exist")),
        other => other.into(),
    }
}

impl Quorum {
    /// A member of the workflow's electorate votes; the response says what the workflow now is.
    pub async fn cast_vote(
        &self,
        caller: &Principal,
        workflow_id: &str,
        request: VoteRequest,
    ) -> ServiceResult<VoteOutcome> {
        if caller.kind == quorum_domain::PrincipalKind::Agent {
            return Err(ServiceError::Forbidden(
                "agents propose workflows; only council members vote".into(),
            ));
        }
        auth::require(caller, Role::Member)?;
        let reason = request.reason.trim().to_owned();
        if reason.chars().count() > MAX_REASON {
            return Err(ServiceError::invalid_field(
                "reason",
                "maxLength",
                format!("must be at most {MAX_REASON} characters"),
            ));
        }
        if request.vote == VoteChoice::Reject && reason.is_empty() {
            return Err(ServiceError::invalid_field(
                "reason",
                "required",
                "a rejection needs a reason the agent can act on",
            ));
        }
        let detail = self.workflow(workflow_id).await?;
        // Workflows created before creators were left out of electorates still hold them.
        if detail.workflow.created_by_agent == caller.id {
            return Err(ServiceError::Forbidden(format!(
                "{} created {workflow_id} and may not vote on it",
                caller.id
            )));
        }
        if !detail.electorate.contains(&caller.id) {
            return Err(ServiceError::Forbidden(format!(
                "{} is not a voting member of {} for this workflow",
                caller.id, detail.workflow.assigned_council_id
            )));
        }
        let vote = NewVote {
            id: new_id("vote"),
            workflow_id: workflow_id.to_owned(),
            user_id: caller.id.clone(),
            vote: request.vote,
            reason,
            digest: detail.digest,
            voted_at: quorum_domain::time::now(),
        };
        let outcome = self.store.cast_vote(&vote).await.map_err(conflict)?;
        self.changed();
        if outcome.workflow.queued_at.is_some() {
            self.work_queued();
        }
        Ok(outcome)
    }

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
        let electorate =
            crate::workflows::electorate(&council, &workflow.created_by_agent, "council_id")?;
        let at = quorum_domain::time::now();
        let change = Reassignment {
            workflow_id: workflow_id.to_owned(),
            council_id: council.id,
            electorate,
            threshold: council.threshold,
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

    /// Replaces a council's members (admin). Workflows already created keep the electorate
    /// they were created with.
    pub async fn set_council_members(
        &self,
        caller: &Principal,
        council_id: &str,
        request: MembersRequest,
    ) -> ServiceResult<Council> {
        auth::require(caller, Role::Admin)?;
        let council = self.council(council_id).await?;
        let mut details = Vec::new();
        self.check_members(&request.members, &mut details).await?;
        if let Err(message) = council.threshold.validate(request.members.len()) {
            details.push(FieldError::new("members", "reachable", message));
        }
        if !details.is_empty() {
            return Err(ServiceError::invalid("the members are invalid", details));
        }
        let mut members = request.members;
        members.sort();
        self.store
            .set_members(council_id, &members)
            .await
            .map_err(conflict)?;
        self.council(council_id).await
    }

    /// What a worker checks before running an approved workflow: the approval binds exactly
    /// the type version and inputs voted on, and its creator is still an agent.
    pub async fn verify_approval(&self, workflow_id: &str) -> ServiceResult<()> {
        let detail = self.workflow(workflow_id).await?;
        self.approval_holds(&detail).await
    }

    /// `verify_approval` of a workflow already read.
    pub(crate) async fn approval_holds(&self, detail: &WorkflowDetail) -> ServiceResult<()> {
        let w = &detail.workflow;
        let workflow_id = &w.id;
        if w.decision != Some(Decision::Approved) {
            return Err(ServiceError::Conflict(format!(
                "{workflow_id} is not approved"
            )));
        }
        let inputs = w.inputs.to_value();
        let digest = quorum_domain::governance::digest(
            &w.workflow_type_id,
            w.workflow_type_version,
            &inputs,
        );
        if digest != detail.digest {
            return Err(ServiceError::Conflict(
                "the workflow no longer matches what its council approved".into(),
            ));
        }
        let creator = self.store.get_principal(&w.created_by_agent).await;
        match creator {
            Ok(p) if p.has_role(Role::Agent) => Ok(()),
            _ => Err(ServiceError::Forbidden(format!(
                "the creating agent {} no longer holds the agent role",
                w.created_by_agent
            ))),
        }
    }

    pub(crate) async fn check_members(
        &self,
        members: &[String],
        details: &mut Vec<FieldError>,
    ) -> ServiceResult<()> {
        if members.is_empty() || members.len() > MAX_MEMBERS {
            details.push(FieldError::new(
                "members",
                "size",
                "a council has 1 to 100 members",
            ));
        }
        let mut unique = members.to_vec();
        unique.sort();
        unique.dedup();
        if unique.len() != members.len() {
            details.push(FieldError::new(
                "members",
                "uniqueItems",
                "a member is listed twice",
            ));
        }
        for (i, member) in members.iter().enumerate() {
            match self.store.get_principal(member).await {
                Ok(p) if p.kind == quorum_domain::PrincipalKind::User => {}
                Ok(_) => details.push(FieldError::new(
                    format!("members.{i}"),
                    "kind",
                    "agents cannot sit on a council",
                )),
                Err(StoreError::NotFound(_)) => details.push(FieldError::new(
                    format!("members.{i}"),
                    "exists",
                    format!("there is no principal {member:?}"),
                )),
                Err(e) => return Err(e.into()),
            }
        }
        Ok(())
    }
}
