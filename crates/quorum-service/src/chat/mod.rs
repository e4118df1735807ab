//! `POST /api/chat`: an agent asks in words. Quorum picks the workflow type, completes the
//! inputs the message names, and either proposes the workflow (`execute`) or describes what
//! proposing it would do (`plan`). Every refusal a person can fix is a 422 whose message is
//! the sentence to say back. Reading the message (the type it asks for, the site it names)
//! lives in [`infer`].

mod infer;

use quorum_domain::{
    Council, FieldError, Principal, PrincipalKind, Role, StepDefinition, Threshold, Workflow,
    WorkflowTypeDefinition,
};
use quorum_store::StoreError;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use self::infer::guess_site_name;
use crate::registry::CompiledType;
use crate::{CreateWorkflow, Quorum, ServiceError, ServiceResult, auth};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ChatMode {
    /// Propose the workflow now.
    Execute,
    /// Describe the workflow; create nothing.
    Plan,
}

/// `POST /api/chat`, the seed's body.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChatRequest {
    /// The agent this request speaks for: the caller itself, or any agent when an admin calls.
    #[schema(schema_with = quorum_domain::schema::name_id)]
    pub agent_id: String,
    /// What the agent wants, e.g. "Create a website for Codex Digital Studios".
    #[schema(schema_with = message_schema)]
    pub message: String,
    /// Required: a missing mode must not silently create a workflow that is awaiting a vote.
    pub mode: ChatMode,
    #[serde(default)]
    pub context: Option<ChatContext>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChatContext {
    /// The type to use; inferred from the message when absent.
    #[serde(default)]
    #[schema(schema_with = quorum_domain::schema::optional_name_id)]
    pub workflow_type: Option<String>,
    /// Inputs, completed with what the message says and the type's defaults.
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub workflow_inputs: Option<Value>,
}

fn message_schema() -> utoipa::openapi::Object {
    quorum_domain::schema::text(None)
}

/// What `execute` would do, without doing it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Plan {
    pub workflow_type: String,
    pub workflow_type_version: i64,
    pub name: String,
    /// False while this release has no handlers for some step: executing would be refused.
    pub executable: bool,
    /// Validated, with the type's defaults applied.
    #[schema(value_type = Object)]
    pub inputs: Value,
    pub steps: Vec<StepDefinition>,
    pub council: PlannedCouncil,
    pub oversight_required: bool,
    pub estimated_duration_seconds: u32,
    /// The same shape as a workflow's `calculated_savings`.
    #[schema(value_type = Object)]
    pub calculated_savings: Value,
    pub review_criteria: Vec<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PlannedCouncil {
    pub id: String,
    pub name: String,
    pub threshold: Threshold,
    pub members: usize,
    /// Approvals the threshold asks of this many members.
    pub approvals_needed: u32,
}

pub enum ChatOutcome {
    Created { workflow: Workflow, reply: String },
    Planned { plan: Plan, reply: String },
}

impl Quorum {
    #[tracing::instrument(skip_all, fields(agent.id = %request.agent_id, mode = ?request.mode))]
    pub async fn chat(
        &self,
        caller: Option<&Principal>,
        request: ChatRequest,
    ) -> ServiceResult<ChatOutcome> {
        let agent = self.chat_agent(caller, &request.agent_id).await?;
        let context = request.context.unwrap_or_default();
        let compiled = self
            .chat_type(context.workflow_type.as_deref(), &request.message)
            .await?;
        let definition = &compiled.definition;
        let mut inputs = context
            .workflow_inputs
            .unwrap_or_else(|| Value::Object(Map::new()));
        let taken = guess_site_name(definition, &request.message, &mut inputs)
            .map(|name| format!(" I took the site name {name:?} from your message."))
            .unwrap_or_default();
        // Validated here as well as in create_workflow so that both modes refuse with the same
        // sentence, and a plan never shows inputs that execution would refuse.
        let prepared = definition
            .prepare_inputs(&compiled.validator, inputs.clone())
            .map_err(|details| inputs_refused(definition, details, &taken))?;
        match request.mode {
            ChatMode::Execute => {
                let request = CreateWorkflow {
                    workflow_type_id: definition.id.clone(),
                    inputs,
                    calculated_savings: None,
                    assigned_council_id: None,
                    enqueue: None,
                };
                let workflow = self.create_workflow(&agent, request).await?;
                // The workflow exists now: a failed name lookup must not turn it into an error.
                let council = match self.store.get_council(&workflow.assigned_council_id).await {
                    Ok(council) => council.name,
                    Err(_) => workflow.assigned_council_id.clone(),
                };
                let next = match workflow.decision {
                    Some(quorum_domain::Decision::Approved) => {
                        "Its type needs no vote, so it is queued to run now.".into()
                    }
                    _ => format!("It waits for the {council}'s vote; I will run it once approved."),
                };
                let reply = format!(
                    "Created {} ({}).{taken} {next}",
                    workflow.id, definition.name
                );
                Ok(ChatOutcome::Created { workflow, reply })
            }
            ChatMode::Plan => {
                let council = self.planned_council(definition).await?;
                let plan = plan(&compiled, prepared, council);
                let reply = plan_reply(&plan, definition) + &taken;
                Ok(ChatOutcome::Planned { plan, reply })
            }
        }
    }

    /// Whom the chat speaks for. A token speaks for its own holder, or for any agent when it is
    /// an admin's.
    async fn chat_agent(
        &self,
        caller: Option<&Principal>,
        agent_id: &str,
    ) -> ServiceResult<Principal> {
        match caller {
            Some(caller) if caller.id == agent_id => {
                auth::require(caller, Role::Agent)?;
                Ok(caller.clone())
            }
            Some(caller) if caller.has_role(Role::Admin) => self.named_agent(agent_id).await,
            Some(caller) => Err(ServiceError::Forbidden(format!(
                "{} may not chat for {agent_id}; send your own id as agent_id or use {agent_id}'s token",
                caller.id
            ))),
            // The seed's curl example sends no token and must work as printed against
            // `quorum serve --demo`. Demo mode already opens every read to anyone, so there an
            // anonymous chat speaks for the agent it names, if that is a real agent. Everywhere
            // else a write needs a token, as every other write does.
            None if self.public_reads => self.named_agent(agent_id).await,
            None => Err(ServiceError::Unauthorized(
                "chatting needs an API token: send Authorization: Bearer <token>".into(),
            )),
        }
    }

    async fn named_agent(&self, agent_id: &str) -> ServiceResult<Principal> {
        let principal = self
            .store
            .get_principal(agent_id)
            .await
            .map_err(|e| match e {
                StoreError::NotFound(_) => ServiceError::NotFound(format!(
                    "there is no agent {agent_id:?}; an admin creates it with POST /api/principals"
                )),
                other => other.into(),
            })?;
        // An agent in its own right: `has_role` would also pass admins and let an anonymous
        // demo request speak for a person.
        if principal.kind != PrincipalKind::Agent || !principal.roles.contains(&Role::Agent) {
            return Err(ServiceError::Forbidden(format!(
                "{agent_id} is not an agent, so nobody can chat for it"
            )));
        }
        Ok(principal)
    }

    /// The council creation would assign: the type's own, else the owner of its domain. This
    /// mirrors creation's routing, which is private to the workflows module.
    async fn planned_council(&self, definition: &WorkflowTypeDefinition) -> ServiceResult<Council> {
        let nobody = |what: String| {
            ServiceError::invalid_field(
                "context.workflow_type",
                "council",
                format!(
                    "{what}, so nobody could review a {} workflow; an admin creates it with POST /api/councils.",
                    definition.name
                ),
            )
        };
        let id = match &definition.oversight.council {
            Some(id) => id.clone(),
            None => self
                .store
                .council_for_domain(&definition.domain)
                .await?
                .ok_or_else(|| {
                    nobody(format!(
                        "No council owns the domain {:?}",
                        definition.domain
                    ))
                })?,
        };
        match self.store.get_council(&id).await {
            Err(StoreError::NotFound(_)) => Err(nobody(format!("The council {id} does not exist"))),
            other => Ok(other?),
        }
    }
}

fn plan(compiled: &CompiledType, inputs: Value, council: Council) -> Plan {
    let definition = &compiled.definition;
    let members = council.members.len();
    Plan {
        workflow_type: definition.id.clone(),
        workflow_type_version: compiled.record.version,
        name: definition.name.clone(),
        executable: compiled.record.executable,
        inputs,
        steps: definition.steps.clone(),
        council: PlannedCouncil {
            approvals_needed: council.threshold.required(members as u32),
            id: council.id,
            name: council.name,
            threshold: council.threshold,
            members,
        },
        oversight_required: definition.oversight.required,
        estimated_duration_seconds: definition.estimated_duration_seconds,
        calculated_savings: definition.savings_model.to_json(),
        review_criteria: definition.review_criteria.clone(),
    }
}

fn plan_reply(plan: &Plan, definition: &WorkflowTypeDefinition) -> String {
    let review = if plan.oversight_required {
        let c = &plan.council;
        format!(
            "The {} reviews it first; it passes with {} of {} approvals.",
            c.name, c.approvals_needed, c.members
        )
    } else {
        "Its type needs no vote, so it would run at once.".into()
    };
    let model = &definition.savings_model;
    let savings = model.savings();
    let mut reply = format!(
        "{} ({} v{}) would run {} steps in about {}. {review} It saves about {:.2} {} a week ({:.2} a year). Nothing was created; send mode \"execute\" to propose it.",
        plan.name,
        plan.workflow_type,
        plan.workflow_type_version,
        plan.steps.len(),
        duration(plan.estimated_duration_seconds),
        savings.weekly(),
        model.currency,
        savings.annual(),
    );
    if !plan.executable {
        reply.push_str(" This release cannot run its steps yet, so executing it would be refused.");
    }
    reply
}

fn duration(seconds: u32) -> String {
    match seconds {
        0..60 => format!("{seconds} seconds"),
        60..7200 => format!("{} minutes", (seconds + 30) / 60),
        _ => format!("{} hours", (seconds + 1800) / 3600),
    }
}

/// The 422 for inputs that fail the type's schema, in a sentence naming what to add or fix.
fn inputs_refused(
    definition: &WorkflowTypeDefinition,
    details: Vec<FieldError>,
    taken: &str,
) -> ServiceError {
    let missing: Vec<&str> = details
        .iter()
        .filter(|d| d.rule == "required")
        .map(|d| d.field.as_str())
        .collect();
    let wrong: Vec<String> = details
        .iter()
        .filter(|d| d.rule != "required")
        .map(|d| format!("{} {}", d.field, d.message).trim().to_owned())
        .collect();
    let mut wants = Vec::new();
    if !missing.is_empty() {
        wants.push(format!("still need: {}", missing.join(", ")));
    }
    if !wrong.is_empty() {
        wants.push(format!("need these fixed: {}", wrong.join("; ")));
    }
    let sentence = format!(
        "For {} I {}. Send them in context.workflow_inputs.{taken}",
        definition.name,
        wants.join("; and I ")
    );
    ServiceError::invalid(sentence, details)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_a_person_would_say_them() {
        assert_eq!(duration(45), "45 seconds");
        assert_eq!(duration(900), "15 minutes");
        assert_eq!(duration(10_800), "3 hours");
    }
}
