//! `/api/chat`: agents propose work in words, as the seed's chatbot does.

use axum::Json;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use quorum_domain::{Principal, WorkflowStatus};
use quorum_service::{ChatOutcome, ChatRequest, Plan, ServiceError};
use serde::Serialize;

use crate::error::{ApiError, ErrorBody, ErrorEnvelope};
use crate::extract::{ApiJson, Caller};
use crate::router::AppState;

/// `mode: execute`: the workflow that was proposed.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ChatCreated {
    pub workflow_id: String,
    pub workflow_type: String,
    pub workflow_type_version: i64,
    pub status: WorkflowStatus,
    /// `null` while the council has not decided; `approved` when the type needs no vote.
    pub decision: Option<String>,
    pub assigned_council_id: String,
    /// A sentence for the agent to show its user.
    pub reply: String,
}

/// `mode: plan`: what executing would do; nothing was created.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ChatPlanned {
    pub plan: Plan,
    pub reply: String,
}

/// A 422 from chat: the usual envelope, and the sentence that says what to add or fix.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ChatErrorEnvelope {
    pub error: ErrorBody,
    pub reply: String,
}

/// The caller when a token is sent (and then it is checked); whether an anonymous chat may
/// go on is the service's decision, as it depends on demo mode and on the agent named.
pub struct ChatCaller(Option<Principal>);

impl FromRequestParts<AppState> for ChatCaller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if !parts.headers.contains_key(header::AUTHORIZATION) {
            return Ok(Self(None));
        }
        let Caller(caller) = Caller::from_request_parts(parts, state).await?;
        Ok(Self(Some(caller)))
    }
}

/// An error of this endpoint; a 422 also carries its message as `reply`, so that a chatbot
/// can always show `reply`.
pub struct ChatError(ApiError);

impl From<ServiceError> for ChatError {
    fn from(e: ServiceError) -> Self {
        Self(e.into())
    }
}

impl IntoResponse for ChatError {
    fn into_response(self) -> Response {
        let ChatError(e) = self;
        if e.status != StatusCode::UNPROCESSABLE_ENTITY {
            return e.into_response();
        }
        let body = ChatErrorEnvelope {
            reply: e.message.clone(),
            error: ErrorBody {
                code: e.code.to_owned(),
                message: e.message,
                details: e.details,
            },
        };
        (e.status, Json(body)).into_response()
    }
}

/// Propose a workflow in words. The type comes from `context.workflow_type` or is inferred from
/// the message; inputs come from `context.workflow_inputs`, the message (a site's name) and the
/// type's defaults. `execute` creates the workflow as `agent_id` (201); `plan` creates nothing
/// (200). The caller's token must be `agent_id`'s or an admin's; with public reads on (demo
/// mode) a request without a token speaks for the agent it names.
#[utoipa::path(post, path = "/api/chat", tag = "chat", operation_id = "chat", request_body = ChatRequest,
    security(("bearer" = [])),
    responses((status = 201, description = "mode execute: the workflow was proposed", body = ChatCreated),
        (status = 200, description = "mode plan: what would be proposed; nothing was created", body = ChatPlanned),
        (status = 403, description = "The token is neither `agent_id`'s nor an admin's, or `agent_id` is not an agent", body = ErrorEnvelope),
        (status = 404, description = "An admin (or, in demo mode, an anonymous request) named an `agent_id` that does not exist", body = ErrorEnvelope),
        (status = 409, description = "Rarely: no free workflow id was found; retry", body = ErrorEnvelope),
        (status = 422, description = "No type fits, or the inputs are incomplete; `reply` says what to add", body = ChatErrorEnvelope)))]
pub async fn chat(
    State(state): State<AppState>,
    ChatCaller(caller): ChatCaller,
    ApiJson(request): ApiJson<ChatRequest>,
) -> Result<Response, ChatError> {
    Ok(match state.quorum.chat(caller.as_ref(), request).await? {
        ChatOutcome::Created { workflow, reply } => {
            let created = ChatCreated {
                workflow_id: workflow.id,
                workflow_type: workflow.workflow_type_id,
                workflow_type_version: workflow.workflow_type_version,
                status: workflow.status,
                decision: workflow.decision.map(|d| d.as_str().to_owned()),
                assigned_council_id: workflow.assigned_council_id,
                reply,
            };
            (StatusCode::CREATED, Json(created)).into_response()
        }
        ChatOutcome::Planned { plan, reply } => Json(ChatPlanned { plan, reply }).into_response(),
    })
}
