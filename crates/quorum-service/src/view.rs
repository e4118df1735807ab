//! One workflow as its readers see it, assembled once for `GET /api/workflows/{id}` and the
//! dashboard's detail page, so that the two cannot disagree about a step or a vote.

use quorum_domain::{AuditEntry, Metric, StepRecord, Vote, Workflow, WorkflowTypeDefinition};
use serde::Serialize;

use crate::{Ballot, Quorum, Replaces, ServiceResult};

/// One step of the workflow's type, with what has happened to it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StepView {
    pub position: i64,
    pub name: String,
    pub title: String,
    pub estimated_seconds: u32,
    /// `pending`, `running`, `waiting`, `succeeded`, `failed`, or `not_run` for a workflow
    /// that ended without reaching it.
    pub status: String,
    pub attempts: i64,
    /// The time the step waits (or waited) for; while it is `waiting`, no worker holds the
    /// workflow.
    #[serde(with = "quorum_domain::time::rfc3339_option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub wake_at: Option<chrono::DateTime<chrono::Utc>>,
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

// The workflow, its metrics, votes, steps and audit trail, and what its council judges: the
// API's detail answers exactly this, whoever reads it. The schema keeps the name clients know,
// and has no description (a doc comment here would become one in the OpenAPI document).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = WorkflowDetail)]
pub struct WorkflowView {
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
    /// Voters whose approval is needed whatever the count.
    pub required: Vec<String>,
    /// Voters whose rejection decides at once.
    pub veto: Vec<String>,
    #[serde(skip)]
    pub rule: quorum_domain::Rule,
    /// SHA-256 of the type, version, inputs and preview; every vote binds to it.
    pub digest: String,
    /// What the workflow will make, built when it was created, when its type previews.
    pub preview: Option<PreviewView>,
    /// Imported history: recorded without running, so it has no steps, preview or site.
    pub imported: bool,
    /// The live site this workflow would replace, while it is undecided or running: its
    /// slug, owner, and the deployment (and workflow) it serves now. Null otherwise.
    pub replaces: Option<Replaces>,
}

/// Where a workflow's preview is served, and the hash of its files that votes bind to.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PreviewView {
    /// Readable by the council's voters, the creator and admins (signed in or by token).
    pub url: String,
    /// SHA-256 over every file's path and content hash; deploy ships exactly these files.
    pub content_hash: String,
}

impl WorkflowView {
    /// Where the workflow's vote stands, and so what each reader may do about it.
    pub fn ballot(&self) -> Ballot<'_> {
        Ballot {
            workflow: &self.workflow,
            votes: &self.votes,
            electorate: &self.electorate,
            rule: &self.rule,
        }
    }
}

/// Every step of the type at the workflow's version, in order, with its record when it has
/// one; a step never reached is `not_run` once the workflow has ended, `pending` before.
fn steps(
    definition: &WorkflowTypeDefinition,
    records: &[StepRecord],
    ended: bool,
) -> Vec<StepView> {
    definition
        .steps
        .iter()
        .enumerate()
        .map(|(position, step)| {
            let record = records.iter().find(|r| r.position == position as i64);
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
                wake_at: record.and_then(|r| r.wake_at),
                started_at: record.and_then(|r| r.started_at),
                finished_at: record.and_then(|r| r.finished_at),
                duration_ms: record.and_then(|r| r.duration_ms),
                error: record.and_then(|r| r.error.clone()),
                output: record.and_then(|r| r.output.clone()),
            }
        })
        .collect()
}

/// A workflow as its dashboard page shows it: the view, what it makes, and the names of the
/// people and council it mentions.
#[derive(Debug, Clone)]
pub struct WorkflowPage {
    pub view: WorkflowView,
    pub summary: crate::ReviewSummary,
    pub names: crate::Names,
}

impl Quorum {
    /// One workflow with everything its readers are shown; 404 when there is none.
    pub async fn workflow_view(&self, id: &str) -> ServiceResult<WorkflowView> {
        let found = self.workflow(id).await?;
        self.view_of(found).await
    }

    /// One workflow for its dashboard page, from one read.
    pub async fn workflow_page(&self, id: &str) -> ServiceResult<WorkflowPage> {
        let found = self.workflow(id).await?;
        let summary = self.review_summary(&found).await?;
        let names = self.names_in(&found).await?;
        Ok(WorkflowPage {
            view: self.view_of(found).await?,
            summary,
            names,
        })
    }

    async fn view_of(&self, found: quorum_store::WorkflowDetail) -> ServiceResult<WorkflowView> {
        let id = found.workflow.id.clone();
        let compiled = self
            .registry
            .get(
                &found.workflow.workflow_type_id,
                Some(found.workflow.workflow_type_version),
            )
            .await?;
        let replaces = self.replaces(&found.workflow).await?;
        let ended = found.workflow.status.is_terminal();
        let imported = crate::review::imported(&found);
        Ok(WorkflowView {
            steps: steps(&compiled.definition, &found.steps, ended),
            review_criteria: compiled.definition.review_criteria.clone(),
            workflow: found.workflow,
            metrics: found.metrics,
            votes: found.votes,
            audit: found.audit,
            electorate: found.electorate,
            threshold: found.rule.threshold,
            required: found.rule.required.clone(),
            veto: found.rule.veto.clone(),
            rule: found.rule,
            digest: found.digest,
            preview: found.preview.map(|content_hash| PreviewView {
                url: format!("{}/previews/{id}/", self.step_env().public_url),
                content_hash,
            }),
            imported,
            replaces,
        })
    }
}
