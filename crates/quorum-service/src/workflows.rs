//! Creating, reading, listing and summarizing workflows.

use quorum_domain::ids::new_id;
use quorum_domain::{FieldError, Principal, Role, Savings, Workflow, WorkflowStatus};
use quorum_store::{
    MetricsSummary, NewWorkflow, PageRequest, StoreError, WorkflowDetail, WorkflowFilter,
    WorkflowPage, summarize,
};
use serde::Deserialize;
use serde_json::Value;

use crate::{Quorum, ServiceError, ServiceResult, auth};

/// `POST /api/workflows`; the creator is the caller.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateWorkflow {
    #[schema(schema_with = quorum_domain::schema::name_id)]
    pub workflow_type_id: String,
    /// Checked against the type's input schema after its defaults are applied.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub inputs: Value,
    /// `{weekly_savings, annual_savings?}`; computed from the type's savings model when absent.
    #[serde(default)]
    #[schema(schema_with = savings_schema)]
    pub calculated_savings: Option<Value>,
    /// The type's council, or the council that owns the type's domain; an agent may name
    /// only that one (403 otherwise). An admin may name another, which the audit records.
    #[serde(default)]
    #[schema(schema_with = quorum_domain::schema::optional_name_id)]
    pub assigned_council_id: Option<String>,
    /// Hand the workflow to execution as soon as its council approves it (default true);
    /// otherwise `POST /api/workflows/{id}/enqueue` does.
    #[serde(default)]
    pub enqueue: Option<bool>,
}

/// The `calculated_savings` a caller may give, with its bounds: at the maximum, 2^31 workflows
/// still sum within the aggregates' 64-bit cents.
fn savings_schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    quorum_domain::schema::from_json(serde_json::json!({
        "type": ["object", "null"],
        "description": "What the workflow saves; computed from the type's savings model when absent.",
        "required": ["weekly_savings"],
        "properties": {
            "tasks_automated": {"type": ["string", "null"], "maxLength": 500, "pattern": quorum_domain::schema::TEXT_PATTERN},
            "time_saved_per_week": {"type": ["number", "null"], "minimum": 0, "maximum": 10_080},
            "hourly_rate": {"type": ["number", "null"], "minimum": 0, "maximum": 500_000},
            "currency": {"type": ["string", "null"], "maxLength": 3, "pattern": quorum_domain::schema::TEXT_PATTERN},
            "weekly_savings": {"type": "number", "minimum": 0, "maximum": 500_000},
            "annual_savings": {
                "type": ["number", "null"],
                "minimum": 0,
                "maximum": 26_000_000,
                "description": "Defaults to 52 weeks of `weekly_savings`.",
            },
        },
        "additionalProperties": false,
    }))
}

/// Who votes on a workflow `creator` proposed to `council`, and by what rule: its members,
/// less the creator, who never judges its own proposal whatever other roles it holds, by the
/// council's rule within them. A 422 naming `field` when those left cannot meet the council's
/// threshold.
pub(crate) fn electorate(
    council: &quorum_domain::Council,
    creator: &str,
    field: &str,
) -> ServiceResult<(Vec<String>, quorum_domain::Rule)> {
    let electorate: Vec<String> = council
        .members
        .iter()
        .filter(|member| *member != creator)
        .cloned()
        .collect();
    let rule = council.rule().within(&electorate);
    if electorate.is_empty() || rule.validate(&electorate).is_err() {
        return Err(ServiceError::invalid_field(
            field,
            "electorate",
            format!(
                "{} cannot decide this workflow: its creator {creator} may not vote on it, and the members left cannot meet the council's threshold",
                council.id
            ),
        ));
    }
    Ok((electorate, rule))
}

impl Quorum {
    pub async fn create_workflow(
        &self,
        caller: &Principal,
        request: CreateWorkflow,
    ) -> ServiceResult<Workflow> {
        auth::require(caller, Role::Agent)?;
        let compiled = self
            .registry
            .get(&request.workflow_type_id, None)
            .await
            .map_err(|e| match e {
                ServiceError::NotFound(message) => {
                    ServiceError::invalid_field("workflow_type_id", "exists", message)
                }
                other => other,
            })?;
        let definition = &compiled.definition;
        if !compiled.record.executable {
            return Err(ServiceError::invalid_field(
                "workflow_type_id",
                "executable",
                format!(
                    "{} is registered but not yet executable: no release provides its step handlers",
                    definition.id
                ),
            ));
        }
        let inputs = definition
            .prepare_inputs(&compiled.validator, request.inputs)
            .map_err(|details| {
                ServiceError::invalid(
                    format!("the inputs do not match {}'s input schema", definition.id),
                    details,
                )
            })?;
        self.check_step_inputs(definition, &inputs)?;
        self.check_site_owner(caller, definition, &inputs).await?;
        self.check_site_domain(definition, &inputs).await?;
        self.check_uploads(caller, definition, &inputs).await?;
        let (savings, calculated_savings) = match request.calculated_savings {
            Some(given) => Savings::from_json(&given).map_err(|details| {
                ServiceError::invalid("calculated_savings is not a savings object", details)
            })?,
            None => (
                definition.savings_model.savings(),
                definition.savings_model.to_json(),
            ),
        };
        let (council, note) = self
            .council_for(caller, &request.assigned_council_id, definition)
            .await?;
        let (electorate, rule) = match definition.oversight.required {
            true => electorate(&council, &caller.id, "assigned_council_id")?,
            false => (Vec::new(), council.rule()),
        };
        let decision =
            (!definition.oversight.required).then_some(quorum_domain::Decision::Approved);
        let created_at = quorum_domain::time::now();
        let id = new_id("wf");
        let preview = self
            .build_preview(definition, &id, created_at, &inputs)
            .await?;
        let digest = quorum_domain::governance::digest(
            &definition.id,
            compiled.record.version,
            &inputs,
            preview.as_ref().map(|p| p.hash.as_str()),
        );
        let new = NewWorkflow {
            id,
            workflow_type_id: definition.id.clone(),
            workflow_type_version: compiled.record.version,
            created_by_agent: caller.id.clone(),
            assigned_council_id: council.id.clone(),
            status: WorkflowStatus::Pending,
            decision,
            inputs,
            calculated_savings,
            weekly_cents: savings.weekly_cents,
            annual_cents: savings.annual_cents,
            created_at,
            actor: caller.id.clone(),
            electorate,
            rule,
            digest,
            preview,
            voting_deadline: council
                .voting_window_hours
                .map(|h| created_at + chrono::Duration::hours(i64::from(h))),
            enqueue: request.enqueue.unwrap_or(true),
            note,
        };
        let mut new = new;
        // Ids are unique within a process; two processes may meet in one millisecond. The
        // only unique key of a new workflow is its id, so a conflict means: draw another.
        for _ in 0..3 {
            match self.store.create_workflow(&new).await {
                Err(StoreError::Conflict(_)) => {
                    // The preview is built for its workflow's id (a site's deployment is
                    // named after it): another id needs another preview.
                    new.id = new_id("wf");
                    if new.preview.is_some() {
                        new.preview = self
                            .build_preview(definition, &new.id, created_at, &new.inputs)
                            .await?;
                        new.digest = quorum_domain::governance::digest(
                            &new.workflow_type_id,
                            new.workflow_type_version,
                            &new.inputs,
                            new.preview.as_ref().map(|p| p.hash.as_str()),
                        );
                    }
                }
                other => {
                    let created = other?;
                    self.changed();
                    if created.queued_at.is_some() {
                        self.work_queued();
                    }
                    return Ok(created);
                }
            }
        }
        Err(ServiceError::Conflict(
            "could not find a free workflow id; retry the request".into(),
        ))
    }

    /// Every problem the type's step handlers would find in `inputs` at run time, as a 422.
    fn check_step_inputs(
        &self,
        definition: &quorum_domain::WorkflowTypeDefinition,
        inputs: &Value,
    ) -> ServiceResult<()> {
        let mut handlers: Vec<&str> = definition
            .steps
            .iter()
            .map(|s| s.handler.as_str())
            .collect();
        handlers.sort_unstable();
        handlers.dedup();
        let mut details: Vec<FieldError> = Vec::new();
        for problem in handlers
            .into_iter()
            .filter_map(|name| self.handlers.get(name))
            .flat_map(|handler| handler.check_inputs(inputs))
        {
            if !details.iter().any(|d| d.message == problem.message) {
                details.push(FieldError::new(
                    problem.field,
                    "step_check",
                    problem.message,
                ));
            }
        }
        match details.is_empty() {
            true => Ok(()),
            false => Err(ServiceError::invalid(
                format!("the inputs cannot be used by {}'s steps", definition.id),
                details,
            )),
        }
    }

    /// The council that reviews a new workflow: the type's, else the owner of the type's
    /// domain. An agent may name it only to say the same; an admin may send the workflow to
    /// another council, and the audit trail's `created` row says so (the returned note).
    async fn council_for(
        &self,
        caller: &Principal,
        asked: &Option<String>,
        definition: &quorum_domain::WorkflowTypeDefinition,
    ) -> ServiceResult<(quorum_domain::Council, Option<String>)> {
        let routed = self.route(&None, definition).await?;
        let Some(asked) = asked.as_deref().filter(|id| *id != routed.id) else {
            return Ok((routed, None));
        };
        if !caller.has_role(Role::Admin) {
            return Err(ServiceError::Forbidden(format!(
                "{} is reviewed by {}; only an admin may send a workflow to another council",
                definition.id, routed.id
            )));
        }
        let council = self.route(&Some(asked.to_owned()), definition).await?;
        let note = format!(
            "assigned to {} by {} instead of {}, which reviews {}",
            council.id, caller.id, routed.id, definition.id
        );
        Ok((council, Some(note)))
    }

    /// The council that reviews a new workflow: the one asked for, else the type's, else the
    /// owner of the type's domain.
    async fn route(
        &self,
        asked: &Option<String>,
        definition: &quorum_domain::WorkflowTypeDefinition,
    ) -> ServiceResult<quorum_domain::Council> {
        let named = asked
            .clone()
            .or_else(|| definition.oversight.council.clone());
        let council_id = match named {
            Some(id) => id,
            None => self
                .store
                .council_for_domain(&definition.domain)
                .await?
                .ok_or_else(|| {
                    ServiceError::invalid_field(
                        "assigned_council_id",
                        "exists",
                        format!(
                            "no council owns the domain {:?}; create one with POST /api/councils",
                            definition.domain
                        ),
                    )
                })?,
        };
        match self.store.get_council(&council_id).await {
            Ok(council) => Ok(council),
            Err(StoreError::NotFound(_)) => Err(ServiceError::invalid_field(
                "assigned_council_id",
                "exists",
                format!("there is no council {council_id:?}; create it with POST /api/councils"),
            )),
            Err(e) => Err(e.into()),
        }
    }

    pub async fn workflow(&self, id: &str) -> ServiceResult<WorkflowDetail> {
        self.store.get_workflow(id).await.map_err(|e| match e {
            StoreError::NotFound(_) => {
                ServiceError::NotFound(format!("there is no workflow {id:?}"))
            }
            other => other.into(),
        })
    }

    pub async fn list_workflows(
        &self,
        filter: &WorkflowFilter,
        page: &PageRequest,
    ) -> ServiceResult<WorkflowPage> {
        Ok(self.store.list_workflows(filter, page).await?)
    }

    pub async fn metrics(&self, filter: &WorkflowFilter) -> ServiceResult<MetricsSummary> {
        Ok(summarize(&self.store.aggregates(filter).await?))
    }

    /// Recomputes the aggregates by a full scan and lists every row that differs from the
    /// stored ones (empty when they agree).
    pub async fn check_aggregates(&self) -> ServiceResult<Vec<String>> {
        let stored = quorum_store::normalize(self.store.stored_aggregates().await?);
        let scanned = quorum_store::normalize(self.store.scan_aggregates().await?);
        let mut differences = Vec::new();
        for key in stored
            .keys()
            .chain(scanned.keys())
            .collect::<std::collections::BTreeSet<_>>()
        {
            let (a, b) = (stored.get(key), scanned.get(key));
            if a != b {
                differences.push(format!("{key:?}: stored {a:?}, scanned {b:?}"));
            }
        }
        Ok(differences)
    }
}
