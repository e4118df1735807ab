//! Delegation: a member away names another member whose votes count as theirs for a while.
//! The vote is stored as the member's (so a member votes once, whoever casts it) and says who
//! cast it; the audit trail names both.

use chrono::{DateTime, Utc};
use quorum_domain::{Delegation, Principal, PrincipalKind, Role};
use quorum_store::{StoreError, WorkflowDetail};
use serde::Deserialize;

use crate::{Quorum, ServiceError, ServiceResult, auth};

/// The longest a delegation may run: long absences are a change of members.
const MAX_DAYS: i64 = 366;

/// `PUT /api/principals/me/delegation`.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DelegationRequest {
    /// A member (a user with the member role) other than the caller.
    #[schema(schema_with = quorum_domain::schema::name_id)]
    pub delegate: String,
    /// When it begins; now when absent.
    #[serde(default, with = "quorum_domain::time::rfc3339_option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub starts_at: Option<DateTime<Utc>>,
    /// When it ends, after it begins and at most 366 days later.
    #[serde(with = "quorum_domain::time::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub ends_at: DateTime<Utc>,
}

impl Quorum {
    /// Names the caller's delegate, replacing any delegation they had.
    pub async fn set_delegation(
        &self,
        caller: &Principal,
        request: DelegationRequest,
    ) -> ServiceResult<Delegation> {
        auth::require(caller, Role::Member)?;
        if caller.kind != PrincipalKind::User {
            return Err(ServiceError::Forbidden(
                "only council members delegate their votes".into(),
            ));
        }
        let now = quorum_domain::time::now();
        let starts_at = request.starts_at.unwrap_or(now);
        let field = |name: &str, rule: &str, message: String| {
            Err(ServiceError::invalid_field(name, rule, message))
        };
        if request.delegate == caller.id {
            return field(
                "delegate",
                "other",
                "a member cannot be their own delegate".into(),
            );
        }
        if request.ends_at <= starts_at || request.ends_at <= now {
            return field(
                "ends_at",
                "after",
                "must be after starts_at and in the future".into(),
            );
        }
        if request.ends_at - starts_at > chrono::Duration::days(MAX_DAYS) {
            return field(
                "ends_at",
                "range",
                format!("a delegation runs at most {MAX_DAYS} days"),
            );
        }
        match self.store.get_principal(&request.delegate).await {
            Ok(p) if p.kind == PrincipalKind::User && p.has_role(Role::Member) => {}
            Ok(_) => {
                return field(
                    "delegate",
                    "member",
                    format!("{} is not a member who can vote", request.delegate),
                );
            }
            Err(StoreError::NotFound(_)) => {
                return field(
                    "delegate",
                    "exists",
                    format!("there is no principal {:?}", request.delegate),
                );
            }
            Err(e) => return Err(e.into()),
        }
        let delegation = Delegation {
            principal_id: caller.id.clone(),
            delegate_id: request.delegate,
            starts_at,
            ends_at: request.ends_at,
            created_at: now,
        };
        self.store.set_delegation(&delegation).await?;
        Ok(delegation)
    }

    pub async fn delegation(&self, caller: &Principal) -> ServiceResult<Option<Delegation>> {
        Ok(self.store.delegation(&caller.id).await?)
    }

    /// Ends the caller's delegation; whether there was one.
    pub async fn end_delegation(&self, caller: &Principal) -> ServiceResult<bool> {
        Ok(self.store.clear_delegation(&caller.id).await?)
    }

    /// Whose vote `caller` casts on `detail`, and whether as a delegate: their own when they
    /// are in its electorate and name nobody else; else that of the one member who delegated
    /// to them now and has not voted yet (`on_behalf_of` says which when there are several).
    pub(crate) async fn voter(
        &self,
        caller: &Principal,
        detail: &WorkflowDetail,
        on_behalf_of: Option<&str>,
        at: DateTime<Utc>,
    ) -> ServiceResult<(String, Option<String>)> {
        let workflow_id = &detail.workflow.id;
        let council = &detail.workflow.assigned_council_id;
        let not_a_voter = || {
            ServiceError::Forbidden(format!(
                "{} is not a voting member of {council} for this workflow, nor a delegate of one",
                caller.id
            ))
        };
        match on_behalf_of {
            None | Some("") if detail.electorate.contains(&caller.id) => {
                Ok((caller.id.clone(), None))
            }
            Some(member) if member == caller.id => match detail.electorate.contains(&caller.id) {
                true => Ok((caller.id.clone(), None)),
                false => Err(not_a_voter()),
            },
            Some(member) => {
                let delegated = self.store.delegation(member).await?;
                let holds = delegated
                    .as_ref()
                    .is_some_and(|d| d.delegate_id == caller.id && d.active_at(at));
                if !holds {
                    return Err(ServiceError::Forbidden(format!(
                        "{} is not {member}'s delegate now",
                        caller.id
                    )));
                }
                if !detail.electorate.contains(&member.to_owned()) {
                    return Err(ServiceError::Forbidden(format!(
                        "{member} is not a voting member of {council} for {workflow_id}"
                    )));
                }
                Ok((member.to_owned(), Some(caller.id.clone())))
            }
            None => {
                let open: Vec<String> = self
                    .store
                    .delegations_to(&caller.id, at)
                    .await?
                    .into_iter()
                    .map(|d| d.principal_id)
                    .filter(|member| {
                        detail.electorate.contains(member)
                            && !detail.votes.iter().any(|v| &v.user_id == member)
                    })
                    .collect();
                match open.as_slice() {
                    [] => Err(not_a_voter()),
                    [member] => Ok((member.clone(), Some(caller.id.clone()))),
                    several => Err(ServiceError::invalid_field(
                        "on_behalf_of",
                        "required",
                        format!(
                            "{} is the delegate of {}: say for whom this vote is",
                            caller.id,
                            several.join(", ")
                        ),
                    )),
                }
            }
        }
    }
}
