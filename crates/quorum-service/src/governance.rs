//! Council governance: votes, and the check a worker makes before running an approved
//! workflow. What happens to a workflow besides its vote (reassignment, hand-off to
//! execution, cancellation, expiry) and who sits on a council have a module each.

mod delegation;
mod lifecycle;
mod members;

use quorum_domain::ids::new_id;
use quorum_domain::{Decision, Principal, Role, VoteChoice};
use quorum_store::{NewVote, StoreError, VoteOutcome, WorkflowDetail};
use serde::Deserialize;

use crate::{Quorum, ServiceError, ServiceResult, auth};

pub use delegation::DelegationRequest;
pub use lifecycle::{CancelRequest, ReassignRequest};
pub use members::MembersRequest;
pub(crate) use members::members_schema;

/// Reasons are for people to read; this is plenty.
const MAX_REASON: usize = 2_000;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VoteRequest {
    pub vote: VoteChoice,
    /// Required to reject.
    #[serde(default)]
    pub reason: String,
    /// The member this vote is cast for, by their delegate; see `PUT /api/principals/me/delegation`.
    #[serde(default)]
    pub on_behalf_of: Option<String>,
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
        let on_behalf_of = || {
            serde_json::json!({
                "type": ["string", "null"],
                "pattern": quorum_domain::schema::PRINCIPAL_ID_PATTERN,
                "description": "The member whose delegate casts this vote; by default the caller, or the one member who delegated to the caller and has not voted.",
            })
        };
        quorum_domain::schema::from_json(serde_json::json!({
            "description": "One vote per member of the workflow's electorate, cast by the member or their delegate; a reject needs a reason.",
            "oneOf": [
                {
                    "type": "object",
                    "required": ["vote"],
                    "properties": {
                        "vote": {"type": "string", "enum": ["approve", "abstain"]},
                        "reason": reason(TEXT_PATTERN),
                        "on_behalf_of": on_behalf_of(),
                    },
                    "additionalProperties": false,
                },
                {
                    "type": "object",
                    "required": ["vote", "reason"],
                    "properties": {
                        "vote": {"type": "string", "enum": ["reject"]},
                        "reason": reason(NON_BLANK_PATTERN),
                        "on_behalf_of": on_behalf_of(),
                    },
                    "additionalProperties": false,
                },
            ],
        }))
    }
}

impl utoipa::ToSchema for VoteRequest {}

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
        let voted_at = quorum_domain::time::now();
        let (member, cast_by) = self
            .voter(caller, &detail, request.on_behalf_of.as_deref(), voted_at)
            .await?;
        if detail.workflow.created_by_agent == member {
            return Err(ServiceError::Forbidden(format!(
                "{member} created {workflow_id} and may not vote on it"
            )));
        }
        let vote = NewVote {
            id: new_id("vote"),
            workflow_id: workflow_id.to_owned(),
            user_id: member,
            vote: request.vote,
            reason,
            digest: detail.digest,
            voted_at,
            cast_by,
        };
        let outcome = self.store.cast_vote(&vote).await.map_err(conflict)?;
        self.changed();
        if outcome.workflow.queued_at.is_some() {
            self.work_queued();
        }
        Ok(outcome)
    }

    /// What a worker checks before running an approved workflow: the approval binds exactly
    /// the type version, inputs and preview voted on, and its creator is still an agent.
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
            detail.preview.as_deref(),
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
}
