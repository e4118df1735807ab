//! Principals and councils: who may call Quorum, and who decides.

use quorum_domain::ids::is_valid_name_id;
use quorum_domain::{Council, FieldError, Principal, PrincipalKind, Role, Threshold};
use quorum_store::StoreError;
use serde::{Deserialize, Serialize};

use crate::auth::{self, hash_token, new_token};
use crate::{Quorum, ServiceError, ServiceResult};

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPrincipal {
    /// Any name id but `admin`, which is reserved for QUORUM_ADMIN_TOKEN.
    #[schema(schema_with = principal_id_schema)]
    pub id: String,
    pub kind: PrincipalKind,
    /// Defaults to `agent` for agents and `viewer` for users.
    #[serde(default)]
    #[schema(min_items = 1)]
    pub roles: Option<Vec<Role>>,
    /// Defaults to the id.
    #[serde(default)]
    #[schema(schema_with = quorum_domain::schema::optional_display_name)]
    pub name: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PrincipalCreated {
    pub id: String,
    pub kind: PrincipalKind,
    pub roles: Vec<Role>,
    pub name: String,
    /// Shown once; only its digest is kept.
    pub token: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TokensRevoked {
    pub principal_id: String,
    /// How many API tokens were deleted; the principal's dashboard sessions ended with them.
    pub revoked_tokens: u64,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCouncil {
    #[schema(schema_with = quorum_domain::schema::name_id)]
    pub id: String,
    #[schema(schema_with = quorum_domain::schema::display_name)]
    pub name: String,
    /// The workflow-type domains it owns, at least one; a domain has one council.
    #[schema(schema_with = domains_schema)]
    pub domains: Vec<String>,
    /// 1 to 100 distinct users (agents cannot sit on a council).
    #[schema(schema_with = crate::governance::members_schema)]
    pub members: Vec<String>,
    #[serde(default)]
    pub threshold: Threshold,
    /// Members whose approval a workflow needs whatever the count.
    #[serde(default)]
    #[schema(schema_with = named_members_schema)]
    pub required: Vec<String>,
    /// Members whose rejection decides a workflow at once.
    #[serde(default)]
    #[schema(schema_with = named_members_schema)]
    pub veto: Vec<String>,
    /// Undecided workflows older than this are expired; never when absent.
    #[serde(default)]
    #[schema(minimum = 1, maximum = 8760)]
    pub voting_window_hours: Option<u32>,
    /// Members who have not voted get one reminder this many hours before the deadline
    /// (less than the window).
    #[serde(default)]
    #[schema(minimum = 1, maximum = 8759)]
    pub remind_hours_before: Option<u32>,
    /// What the deadline does: `{"action": "cancel"}` (the default) or
    /// `{"action": "escalate", "to": "council_…", "voting_window_hours": N}`, which hands the
    /// decision, once, to another council with a new window.
    #[serde(default)]
    pub on_expiry: quorum_domain::OnExpiry,
}

/// A name id other than [`auth::ADMIN_ID`].
fn principal_id_schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    quorum_domain::schema::from_json(serde_json::json!({
        "type": "string",
        "pattern": quorum_domain::schema::PRINCIPAL_ID_PATTERN,
        "description": "1 to 64 lowercase letters, digits, '.', '_' or '-', starting with a letter or digit; not `admin`",
    }))
}

/// Members a rule names: some of the council's, each once.
pub(crate) fn named_members_schema() -> utoipa::openapi::Schema {
    quorum_domain::schema::name_ids(0, Some(100), true)
}

fn domains_schema() -> utoipa::openapi::Schema {
    quorum_domain::schema::name_ids(1, None, false)
}

fn check_name(details: &mut Vec<FieldError>, field: &str, value: &str) {
    if value.trim().is_empty() || value.chars().count() > quorum_domain::schema::MAX_NAME {
        details.push(FieldError::new(
            field,
            "length",
            "must be 1 to 200 characters",
        ));
    }
}

fn check_id(details: &mut Vec<FieldError>, field: &str, value: &str) {
    if !is_valid_name_id(value) {
        details.push(FieldError::new(
            field,
            "pattern",
            "must be 1 to 64 lowercase letters, digits, '.', '_' or '-'",
        ));
    }
}

impl Quorum {
    /// Creates an agent or a user with a first token (admin only).
    pub async fn create_principal(
        &self,
        caller: &Principal,
        new: NewPrincipal,
    ) -> ServiceResult<PrincipalCreated> {
        auth::require(caller, Role::Admin)?;
        let mut details = Vec::new();
        check_id(&mut details, "id", &new.id);
        if new.id == auth::ADMIN_ID {
            details.push(FieldError::new(
                "id",
                "reserved",
                "the id admin is reserved for QUORUM_ADMIN_TOKEN",
            ));
        }
        let name = new.name.unwrap_or_else(|| new.id.clone());
        check_name(&mut details, "name", &name);
        let roles = new.roles.unwrap_or_else(|| match new.kind {
            PrincipalKind::Agent => vec![Role::Agent],
            PrincipalKind::User => vec![Role::Viewer],
        });
        if roles.is_empty() {
            details.push(FieldError::new(
                "roles",
                "minItems",
                "give at least one role",
            ));
        }
        if !details.is_empty() {
            return Err(ServiceError::invalid("the principal is invalid", details));
        }
        let principal = Principal {
            id: new.id,
            kind: new.kind,
            name,
            roles,
            created_at: quorum_domain::time::now(),
        };
        let token = new_token();
        self.store
            .create_principal(&principal, Some(&hash_token(&token)))
            .await
            .map_err(conflict_as_409)?;
        Ok(PrincipalCreated {
            id: principal.id,
            kind: principal.kind,
            roles: principal.roles,
            name: principal.name,
            token,
        })
    }

    /// A further token for an existing principal (admin only), e.g. to rotate one.
    pub async fn create_token(
        &self,
        caller: &Principal,
        principal_id: &str,
    ) -> ServiceResult<String> {
        auth::require(caller, Role::Admin)?;
        let token = new_token();
        self.store
            .add_token(principal_id, &hash_token(&token))
            .await
            .map_err(|e| match e {
                StoreError::NotFound(_) => {
                    ServiceError::NotFound(format!("there is no principal {principal_id:?}"))
                }
                other => other.into(),
            })?;
        Ok(token)
    }

    /// Deletes every API token of a principal and ends all its dashboard sessions, at once and
    /// on every server (admin only). The principal stays; `create_token` gives it a new one.
    pub async fn revoke_tokens(
        &self,
        caller: &Principal,
        principal_id: &str,
    ) -> ServiceResult<TokensRevoked> {
        auth::require(caller, Role::Admin)?;
        if principal_id == auth::ADMIN_ID {
            return Err(ServiceError::NotFound(
                "the admin has no stored tokens: its token is QUORUM_ADMIN_TOKEN; change it and restart the servers to revoke it".into(),
            ));
        }
        let revoked_tokens = self
            .store
            .revoke_tokens(principal_id)
            .await
            .map_err(|e| match e {
                StoreError::NotFound(_) => {
                    ServiceError::NotFound(format!("there is no principal {principal_id:?}"))
                }
                other => other.into(),
            })?;
        tracing::info!(principal.id = %principal_id, revoked_tokens, by = %caller.id, "revoked a principal's tokens");
        Ok(TokensRevoked {
            principal_id: principal_id.to_owned(),
            revoked_tokens,
        })
    }

    pub async fn create_council(
        &self,
        caller: &Principal,
        new: NewCouncil,
    ) -> ServiceResult<Council> {
        auth::require(caller, Role::Admin)?;
        let mut details = Vec::new();
        check_id(&mut details, "id", &new.id);
        check_name(&mut details, "name", &new.name);
        if new.domains.is_empty() {
            details.push(FieldError::new(
                "domains",
                "minItems",
                "a council owns at least one domain",
            ));
        }
        for (i, domain) in new.domains.iter().enumerate() {
            check_id(&mut details, &format!("domains.{i}"), domain);
        }
        self.check_members(&new.members, &mut details).await?;
        self.check_window_policy(&new, &mut details).await?;
        let rule = quorum_domain::Rule {
            threshold: new.threshold,
            required: new.required,
            veto: new.veto,
        };
        if let Err(message) = new.threshold.validate(new.members.len()) {
            details.push(FieldError::new("threshold", "reachable", message));
        } else if let Err(message) = rule.validate(&new.members) {
            let field = if message.starts_with("veto") {
                "veto"
            } else {
                "required"
            };
            details.push(FieldError::new(field, "members", message));
        }
        if new
            .voting_window_hours
            .is_some_and(|h| !(1..=8760).contains(&h))
        {
            details.push(FieldError::new(
                "voting_window_hours",
                "range",
                "must be 1 to 8760 hours",
            ));
        }
        if !details.is_empty() {
            return Err(ServiceError::invalid("the council is invalid", details));
        }
        let council = Council {
            id: new.id,
            name: new.name,
            domains: new.domains,
            members: {
                let mut members = new.members;
                members.sort();
                members
            },
            threshold: rule.threshold,
            required: rule.required,
            veto: rule.veto,
            voting_window_hours: new.voting_window_hours,
            remind_hours_before: new.remind_hours_before,
            on_expiry: new.on_expiry,
            created_at: quorum_domain::time::now(),
        };
        self.store
            .create_council(&council)
            .await
            .map_err(conflict_as_409)?;
        Ok(council)
    }

    /// The reminder and expiry policy fit the window, and an escalation names another council
    /// that exists.
    async fn check_window_policy(
        &self,
        new: &NewCouncil,
        details: &mut Vec<FieldError>,
    ) -> ServiceResult<()> {
        if let Some(hours) = new.remind_hours_before {
            let fits = match new.voting_window_hours {
                Some(window) => (1..window).contains(&hours),
                None => false,
            };
            if !fits {
                details.push(FieldError::new(
                    "remind_hours_before",
                    "range",
                    "a reminder needs a voting window, and comes 1 hour or more before its end",
                ));
            }
        }
        if let quorum_domain::OnExpiry::Escalate {
            to,
            voting_window_hours,
        } = &new.on_expiry
        {
            if new.voting_window_hours.is_none() {
                details.push(FieldError::new(
                    "on_expiry",
                    "window",
                    "only a council with a voting window has workflows expire",
                ));
            }
            if !(1..=8760).contains(voting_window_hours) {
                details.push(FieldError::new(
                    "on_expiry.voting_window_hours",
                    "range",
                    "must be 1 to 8760 hours",
                ));
            }
            if to == quorum_domain::ESCALATE_TO_ADMINS {
                // Whoever holds the admin token decides; nothing to look up.
            } else if *to == new.id {
                details.push(FieldError::new(
                    "on_expiry.to",
                    "different",
                    "a council cannot escalate to itself",
                ));
            } else {
                match self.store.get_council(to).await {
                    Ok(_) => {}
                    Err(StoreError::NotFound(_)) => details.push(FieldError::new(
                        "on_expiry.to",
                        "exists",
                        format!("there is no council {to:?}"),
                    )),
                    Err(e) => return Err(e.into()),
                }
            }
        }
        Ok(())
    }

    pub async fn council(&self, id: &str) -> ServiceResult<Council> {
        self.store.get_council(id).await.map_err(|e| match e {
            StoreError::NotFound(_) => {
                ServiceError::NotFound(format!("there is no council {id:?}"))
            }
            other => other.into(),
        })
    }

    pub async fn councils(&self) -> ServiceResult<Vec<Council>> {
        Ok(self.store.list_councils().await?)
    }

    pub async fn principal(&self, id: &str) -> ServiceResult<Principal> {
        self.store.get_principal(id).await.map_err(|e| match e {
            StoreError::NotFound(_) => {
                ServiceError::NotFound(format!("there is no principal {id:?}"))
            }
            other => other.into(),
        })
    }
}

fn conflict_as_409(e: StoreError) -> ServiceError {
    match e {
        StoreError::Conflict(message) => ServiceError::Conflict(message),
        other => other.into(),
    }
}
