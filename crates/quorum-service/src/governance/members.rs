//! Who sits on a council: replacing its members, and the checks every list of members
//! passes (users that exist, no one twice, 1 to 100 of them).

use quorum_domain::{Council, FieldError, Principal, Role};
use quorum_store::StoreError;
use serde::Deserialize;

use super::conflict;
use crate::{Quorum, ServiceError, ServiceResult, auth};

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MembersRequest {
    /// 1 to 100 distinct users (agents cannot sit on a council).
    #[schema(schema_with = members_schema)]
    pub members: Vec<String>,
    /// Members whose approval is needed whatever the count; the council's own, when absent.
    #[serde(default)]
    #[schema(schema_with = crate::directory::named_members_schema)]
    pub required: Option<Vec<String>>,
    /// Members whose rejection decides at once; the council's own, when absent.
    #[serde(default)]
    #[schema(schema_with = crate::directory::named_members_schema)]
    pub veto: Option<Vec<String>>,
}

/// What [`Quorum::check_members`] accepts, short of the members existing.
pub(crate) fn members_schema() -> utoipa::openapi::Schema {
    quorum_domain::schema::name_ids(1, Some(MAX_MEMBERS), true)
}

/// Members of one council at most.
const MAX_MEMBERS: usize = 100;

impl Quorum {
    /// Replaces a council's members (admin), and the members its rule names when given.
    /// Workflows already created keep the electorate and rule they were created with.
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
        let rule = quorum_domain::Rule {
            threshold: council.threshold,
            required: request.required.unwrap_or(council.required),
            veto: request.veto.unwrap_or(council.veto),
        };
        if let Err(message) = council.threshold.validate(request.members.len()) {
            details.push(FieldError::new("members", "reachable", message));
        } else if let Err(message) = rule.validate(&request.members) {
            let field = if message.starts_with("veto") {
                "veto"
            } else {
                "required"
            };
            details.push(FieldError::new(
                field,
                "members",
                format!("{message}: name the rule's members again without them"),
            ));
        }
        if !details.is_empty() {
            return Err(ServiceError::invalid("the members are invalid", details));
        }
        let mut members = request.members;
        members.sort();
        self.store
            .set_members(council_id, &members, &rule)
            .await
            .map_err(conflict)?;
        self.council(council_id).await
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
