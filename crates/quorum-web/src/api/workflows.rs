//! `/api/workflows`: the seed's list, detail and metrics, and creation.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use quorum_domain::{AuditEntry, Metric, StepRecord, Vote, Workflow};
use quorum_service::CreateWorkflow;
use serde::Serialize;

use super::query::{FilterParams, ListQuery};
use crate::error::{ApiError, ErrorEnvelope};
use crate::extract::{ApiJson, ApiQuery, Caller, Reader};
use crate::router::AppState;

#[derive(Serialize, utoipa::ToSchema)]
pub struct WorkflowList {
    pub workflows: Vec<Workflow>,
    /// Workflows matching the filters, all pages together.
    pub total: i64,
    pub limit: i64,
    pub offset: i64,
    /// Pass as `cursor` for the next page; null on the last page.
    pub next_cursor: Option<String>,
    /// What the council judges, by workflow type, for the pending workflows of this page.
    pub review_criteria: BTreeMap<String, Vec<String>>,
}

/// One step of the workflow's type, with what has happened to it.
#[derive(Serialize, utoipa::ToSchema)]
pub struct StepView {
    pub position: i64,
    pub name: String,
    pub title: String,
    pub estimated_seconds: u32,
    /// `pending`, `running`, `succeeded`, `failed`, or `not_run` for a workflow that ended
    /// without reaching it.
    pub status: String,
    pub attempts: i64,
    #[serde(with = "quorum_domain::time::rfc3339_option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub started_at: Option<chrono::DateTime<chrono::Utc>>,
    #[serde(with = "quorum_domain::time::rfc3339_option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub finished_at: Option<chrono::DateTime<chrono::Utc>>,
    pub duration_ms: Option<i64>,
    pub error: Option<String>,
    /// What the step produced, once it succeeded.
    #[schema(value_type = Option<Object>)]
    pub output: Option<serde_json::Value>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct WorkflowDetail {
    #[serde(flatten)]
    pub workflow: Workflow,
    pub metrics: Vec<Metric>,
    pub votes: Vec<Vote>,
    pub steps: Vec<StepView>,
    pub audit: Vec<AuditEntry>,
    /// What the council is asked to judge, from the type's definition.
    pub review_criteria: Vec<String>,
    /// Who votes on this workflow: the council's members when it was created.
    pub electorate: Vec<String>,
    pub threshold: quorum_domain::Threshold,
    /// SHA-256 of the type, version and inputs; every vote binds to it.
    pub digest: String,
    /// The live site this workflow would replace, while it is undecided or running: its
    /// slug, owner, and the deployment (and workflow) it serves now. Null otherwise.
    pub replaces: Option<quorum_service::Replaces>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct WorkflowMetrics {
    pub total_workflows: i64,
    /// Weekly savings of the workflows that completed.
    pub total_weekly_savings: f64,
    pub total_annual_savings: f64,
    /// Mean duration of the execution attempts that ended.
    pub average_duration_seconds: f64,
    /// Every status, zeros included.
    pub status_distribution: BTreeMap<&'static str, i64>,
    pub workflows_by_agent: BTreeMap<String, i64>,
    pub workflows_by_council: BTreeMap<String, i64>,
    pub workflows_by_type: BTreeMap<String, i64>,
    /// COMPLETED / (COMPLETED + FAILED); null until a workflow has finished.
    pub success_rate: Option<f64>,
    /// Mean of the attempts' step success rates; null without attempts.
    pub average_step_success_rate: Option<f64>,
    pub total_attempts: i64,
    pub total_errors: i64,
}

/// List workflows, newest first.
#[utoipa::path(get, path = "/api/workflows", tag = "workflows", operation_id = "list_workflows",
    params(ListQuery), security(("bearer" = [])),
    responses((status = 200, description = "One page of the workflows that match the filters", body = WorkflowList)))]
pub async fn list(
    State(state): State<AppState>,
    _reader: Reader,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Json<WorkflowList>, ApiError> {
    let (filter, page) = query.parse()?;
    let found = state.quorum.list_workflows(&filter, &page).await?;
    let offset = match page {
        quorum_store::PageRequest::Offset { offset, .. } => offset,
        quorum_store::PageRequest::After { .. } => 0,
    };
    let mut review_criteria = BTreeMap::new();
    for w in found
        .workflows
        .iter()
        .filter(|w| w.status == quorum_domain::WorkflowStatus::Pending)
    {
        if !review_criteria.contains_key(&w.workflow_type_id) {
            let compiled = state
                .quorum
                .registry()
                .get(&w.workflow_type_id, Some(w.workflow_type_version))
                .await?;
            review_criteria.insert(
                w.workflow_type_id.clone(),
                compiled.definition.review_criteria.clone(),
            );
        }
    }
    Ok(Json(WorkflowList {
        workflows: found.workflows,
        total: found.total,
        limit: page.limit(),
        offset,
        next_cursor: found.next_cursor.map(|c| c.encode()),
        review_criteria,
    }))
}

/// Analytics over the workflows matching the same filters as the list (its paging does not
/// apply).
#[utoipa::path(get, path = "/api/workflows/metrics", tag = "workflows", operation_id = "get_workflow_metrics",
    params(FilterParams), security(("bearer" = [])),
    responses((status = 200, description = "Totals over the matching workflows", body = WorkflowMetrics)))]
pub async fn metrics(
    State(state): State<AppState>,
    _reader: Reader,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Json<WorkflowMetrics>, ApiError> {
    let s = state.quorum.metrics(&query.filter()?).await?;
    Ok(Json(WorkflowMetrics {
        total_workflows: s.total_workflows,
        total_weekly_savings: s.total_weekly_savings,
        total_annual_savings: s.total_annual_savings,
        average_duration_seconds: s.average_duration_seconds,
        status_distribution: s.status_distribution,
        workflows_by_agent: s.workflows_by_agent,
        workflows_by_council: s.workflows_by_council,
        workflows_by_type: s.workflows_by_type,
        success_rate: s.success_rate,
        average_step_success_rate: s.average_step_success_rate,
        total_attempts: s.total_attempts,
        total_errors: s.total_errors,
    }))
}

/// One workflow with its metrics, votes, steps and audit trail.
#[utoipa::path(get, path = "/api/workflows/{id}", tag = "workflows", operation_id = "get_workflow",
    params(("id" = String, Path, description = "wf_…")), security(("bearer" = [])),
    responses((status = 200, description = "The workflow", body = WorkflowDetail),
        (status = 404, description = "There is no workflow with this id", body = ErrorEnvelope)))]
pub async fn detail(
    State(state): State<AppState>,
    _reader: Reader,
    Path(id): Path<String>,
) -> Result<Json<WorkflowDetail>, ApiError> {
    let found = state.quorum.workflow(&id).await?;
    let workflow_type = state
        .quorum
        .registry()
        .get(
            &found.workflow.workflow_type_id,
            Some(found.workflow.workflow_type_version),
        )
        .await?;
    let replaces = state.quorum.replaces(&found.workflow).await?;
    let ended = found.workflow.status.is_terminal();
    let steps = workflow_type
        .definition
        .steps
        .iter()
        .enumerate()
        .map(|(position, step)| {
            let record: Option<&StepRecord> =
                found.steps.iter().find(|r| r.position == position as i64);
            StepView {
                position: position as i64,
                name: step.name.clone(),
                title: step.title.clone(),
                estimated_seconds: step.estimated_seconds,
                status: record.map_or_else(
                    || if ended { "not_run" } else { "pending" }.to_owned(),
                    |r| r.status.as_str().to_owned(),
                ),
                attempts: record.map_or(0, |r| r.attempts),
                started_at: record.and_then(|r| r.started_at),
                finished_at: record.and_then(|r| r.finished_at),
                duration_ms: record.and_then(|r| r.duration_ms),
                error: record.and_then(|r| r.error.clone()),
                output: record.and_then(|r| r.output.clone()),
            }
        })
        .collect();
    Ok(Json(WorkflowDetail {
        workflow: found.workflow,
        metrics: found.metrics,
        votes: found.votes,
        steps,
        audit: found.audit,
        review_criteria: workflow_type.definition.review_criteria.clone(),
        electorate: found.electorate,
        threshold: found.threshold,
        digest: found.digest,
        replaces,
    }))
}

/// Propose a workflow; the caller (an agent) is its creator.
#[utoipa::path(post, path = "/api/workflows", tag = "workflows", operation_id = "create_workflow",
    request_body = CreateWorkflow, security(("bearer" = [])),
    responses((status = 201, description = "The workflow, pending its council's vote (or queued when its type needs none)", body = Workflow,
            links(
                ("get" = (operation_id = "get_workflow", parameters(("id" = "$response.body#/id")))),
                ("vote" = (operation_id = "cast_vote", parameters(("id" = "$response.body#/id")))),
                ("enqueue" = (operation_id = "enqueue_workflow", parameters(("id" = "$response.body#/id")))),
                ("cancel" = (operation_id = "cancel_workflow", parameters(("id" = "$response.body#/id")))),
            )),
        (status = 403, description = "The caller is not an agent, or an agent named a council other than its type's", body = ErrorEnvelope),
        (status = 409, description = "Rarely: no free workflow id was found; retry", body = ErrorEnvelope),
        (status = 422, description = "The type does not exist or cannot run yet, the inputs fail its input schema, or no council reviews it (`details` names each field)", body = ErrorEnvelope)))]
pub async fn create(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiJson(request): ApiJson<CreateWorkflow>,
) -> Result<(StatusCode, Json<Workflow>), ApiError> {
    let workflow = state.quorum.create_workflow(&caller, request).await?;
    Ok((StatusCode::CREATED, Json(workflow)))
}
